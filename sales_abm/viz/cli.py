"""``sales-abm explore``: serve the interactive page on a local Solara server.

Registered by :func:`add_explore_parser` from :func:`sales_abm.cli.build_parser`. Nothing heavy is
imported here: Solara, Altair and Mesa's visualization load only when the command runs, so
``sales-abm --help`` stays fast and works without the ``viz`` extra.
"""

from __future__ import annotations

import argparse
import errno
import importlib.util
import os
import socket
import sys
from typing import Any

EXIT_USAGE = 2
#: Modules the page needs, all from the ``viz`` extra (Mesa's visualization imports them).
VIZ_MODULES = ("solara", "altair", "ipyvuetify")
INSTALL_HINT = "sales-abm explore needs the viz extra: pip install 'sales_abm[viz]'"
APP = "sales_abm.viz.app"


def _port(text: str) -> int:
    port = int(text)
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port must be in 1 to 65535, got {port}")
    return port


def add_explore_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``explore`` command to ``sales-abm``'s subparsers.

    Args:
        subparsers: The object ``ArgumentParser.add_subparsers`` returned.

    Returns:
        The new sub-parser.
    """
    p = subparsers.add_parser(
        "explore",
        help="interactive page: two contracts side by side, in the browser",
        description="Start a local Solara server with the interactive page (Mesa's SolaraViz) and "
        "print its address. Needs the viz extra; no internet.",
    )
    p.add_argument("--port", type=_port, default=8765, help="port to listen on (default 8765)")
    p.add_argument("--host", default="localhost", help="address to listen on (default localhost)")
    p.set_defaults(func=_cmd_explore)
    return p


def missing_modules() -> list[str]:
    """The page's modules that are not installed."""
    return [name for name in VIZ_MODULES if importlib.util.find_spec(name) is None]


def solara_arguments(host: str, port: int) -> list[str]:
    """Arguments of ``solara run`` for the page: production mode, no browser, nothing online."""
    return [APP, "--host", host, "--port", str(port), "--production", "--no-open",
            "--no-check-version"]


def address_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on ``host:port`` (in use, unknown host, ...), or None.

    Binds and releases the address as the server will (``SO_REUSEADDR``, as uvicorn sets it), so
    the command can say so in one line before it prints an address that would not answer.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        return f"--host {host}: {exc.strerror}"
    for family, kind, proto, _, address in infos:
        with socket.socket(family, kind, proto) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(address)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE:
                    return f"port {port} on {host} is in use; choose another with --port"
                return f"cannot listen on {host}:{port}: {exc.strerror}"
    return None


def _cmd_explore(args: argparse.Namespace) -> int:
    if missing_modules():
        print(INSTALL_HINT, file=sys.stderr)
        return EXIT_USAGE
    problem = address_problem(args.host, args.port)
    if problem is not None:
        print(f"error: sales-abm explore: {problem}", file=sys.stderr)
        return EXIT_USAGE
    os.environ.setdefault("SOLARA_TELEMETRY_MIXPANEL_ENABLE", "false")  # no calls home
    from solara.__main__ import run as solara_run

    from sales_abm.viz.assets import link_version_ranges, proxy_cache_dir

    link_version_ranges(proxy_cache_dir())
    print(f"sales-abm explore: open http://{args.host}:{args.port}/ (Ctrl+C stops the server)",
          flush=True)
    solara_run.main(solara_arguments(args.host, args.port), prog_name="solara run",
                    standalone_mode=False)
    return 0
