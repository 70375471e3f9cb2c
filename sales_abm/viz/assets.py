"""Serve the page's browser libraries without the internet.

Solara's server fetches the JavaScript its pages load (its Vuetify app, require.js, the grid
layout, Vega) from a CDN through a proxy that caches the files in a directory
(``solara.server.settings.assets.proxy_cache_dir``). The ``solara-assets`` package ships those
files into that directory, so nothing is fetched, except that Solara's Vega-Lite widget asks for
version ranges (``vega@5``, ``vega-lite@5``, ``vega-embed@6``) while the package holds exact
versions (``vega@5.21.0``, ...). :func:`link_version_ranges` points each range at the exact
version on disk, as the proxy itself would have cached it after one download.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

#: Version ranges Solara's Vega-Lite widget loads, by package.
RANGES = {"vega": "5", "vega-lite": "5", "vega-embed": "6"}

_VERSION = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


def _newest(cache: Path, package: str, major: str) -> Path | None:
    """The newest exact version of ``package`` in the cache whose major version is ``major``."""
    found: list[tuple[tuple[int, ...], Path]] = []
    for path in cache.glob(f"{package}@*"):
        version = _VERSION.match(path.name.split("@", 1)[1])
        if path.is_dir() and version and version.group(1) == major:
            found.append((tuple(int(g) for g in version.groups()), path))
    return max(found)[1] if found else None


def link_version_ranges(cache: Path) -> list[str]:
    """Make ``<package>@<range>`` in the proxy cache a link to the newest matching exact version.

    A range already present (a file the proxy downloaded, or an earlier link) is left alone, and
    so is one with no exact version to point at.

    Args:
        cache: Solara's CDN proxy cache directory.

    Returns:
        The ranges linked by this call, e.g. ``["vega@5 -> vega@5.21.0"]``.
    """
    linked = []
    for package, major in RANGES.items():
        target = cache / f"{package}@{major}"
        exact = _newest(cache, package, major)
        if exact is None or target.exists() or target.is_symlink():
            continue
        try:
            os.symlink(exact.name, target, target_is_directory=True)
        except OSError:
            continue  # read-only install: the proxy will try the CDN, as without this module
        linked.append(f"{target.name} -> {exact.name}")
    return linked


def proxy_cache_dir() -> Path:
    """Solara's CDN proxy cache directory (imports Solara's server settings)."""
    from solara.server import settings

    return Path(settings.assets.proxy_cache_dir)
