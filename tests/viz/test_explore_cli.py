"""``sales-abm explore``: registered, light to import, a one-line hint without the extra."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from sales_abm.cli import build_parser, main
from sales_abm.viz import assets, cli


def test_explore_is_a_command_with_port_and_host():
    args = build_parser().parse_args(["explore", "--port", "9001", "--host", "0.0.0.0"])
    assert (args.port, args.host, args.func) == (9001, "0.0.0.0", cli._cmd_explore)
    defaults = build_parser().parse_args(["explore"])
    assert (defaults.port, defaults.host) == (8765, "localhost")


@pytest.mark.parametrize("port", ["0", "70000", "http"])
def test_a_bad_port_is_a_usage_error(port, capsys):
    assert main(["explore", "--port", port]) == 2
    err = capsys.readouterr().err
    assert "--port" in err and len(err.strip().splitlines()) == 1


def test_the_command_line_does_not_load_the_page_libraries():
    code = ("import sys, sales_abm.cli; sales_abm.cli.build_parser(); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('solara', 'altair', 'ipyvuetify') or m.startswith('mesa.visualization')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_without_the_viz_extra_it_says_how_to_install_and_exits_2(monkeypatch, capsys):
    monkeypatch.setattr(cli, "VIZ_MODULES", ("solara", "no_such_module_sales_abm"))
    assert main(["explore"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "sales-abm explore needs the viz extra: pip install 'sales_abm[viz]'"


def test_missing_modules_names_only_the_absent():
    assert cli.missing_modules() == []


def test_the_server_runs_offline_in_production_on_the_given_address():
    args = cli.solara_arguments("127.0.0.1", 9002)
    assert args[0] == "sales_abm.viz.app"
    assert args[args.index("--host") + 1] == "127.0.0.1"
    assert args[args.index("--port") + 1] == "9002"
    assert {"--production", "--no-open", "--no-check-version"} <= set(args)


def _package(cache: Path, name: str) -> None:
    (cache / name / "build").mkdir(parents=True)
    (cache / name / "build" / "x.js").write_text(name)


def test_version_ranges_point_at_the_newest_matching_version(tmp_path):
    for name in ("vega@5.21.0", "vega@5.3.0", "vega@6.0.0", "vega-lite@5.2.0",
                 "vega-embed@6.20.2"):
        _package(tmp_path, name)
    linked = assets.link_version_ranges(tmp_path)
    assert sorted(linked) == ["vega-embed@6 -> vega-embed@6.20.2",
                              "vega-lite@5 -> vega-lite@5.2.0", "vega@5 -> vega@5.21.0"]
    assert (tmp_path / "vega@5" / "build" / "x.js").read_text() == "vega@5.21.0"
    assert assets.link_version_ranges(tmp_path) == []  # already there: left alone


def test_a_range_already_cached_or_without_a_version_is_left_alone(tmp_path):
    _package(tmp_path, "vega@5")  # what the proxy caches after a download
    _package(tmp_path, "vega@5.21.0")
    assert assets.link_version_ranges(tmp_path) == []
    assert not (tmp_path / "vega@5").is_symlink()
    assert not (tmp_path / "vega-lite@5").exists()


def test_the_installed_assets_serve_every_range_the_page_loads():
    cache = assets.proxy_cache_dir()
    assets.link_version_ranges(cache)
    for package, major in assets.RANGES.items():
        assert (cache / f"{package}@{major}" / "build" / f"{package}.min.js").is_file()
    assert (cache / "requirejs@2.3.6" / "require.js").is_file()


def test_a_port_in_use_is_one_line_and_exit_2_before_any_address(capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["explore", "--host", "127.0.0.1", "--port", str(port)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # no address printed
    assert captured.err.count("\n") == 1 and f"port {port} on 127.0.0.1 is in use" in captured.err


def test_an_unknown_host_is_one_line_and_exit_2(capsys):
    assert main(["explore", "--host", "no-such-host.invalid"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--host no-such-host.invalid" in err


def test_a_free_address_has_no_problem():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert cli.address_problem("127.0.0.1", port) is None
