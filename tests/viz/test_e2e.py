"""End to end: ``sales-abm explore`` serves the page, and headless Chromium uses it.

Debian's Chromium (``apt-get install chromium``), driven by Playwright pointed at it; Playwright's
own browser download is never used. Without Chromium the test skips, except under CI (``CI`` set),
where it fails. The screenshot is kept in ``tests/viz/artifacts/explore.png``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from sales_abm.viz import app

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
STEPS = 6
#: JavaScript: a hash of chart ``i``'s drawing (Vega draws on a canvas).
HASH_JS = ("(c) => { const s = c.toDataURL(); let h = 0;"
           " for (let i = 0; i < s.length; i++) { h = (h * 31 + s.charCodeAt(i)) | 0; }"
           " return h; }")
CANVASES_JS = "[...document.querySelectorAll('.vega-embed canvas.marks')]"
#: JavaScript: the hash of every chart, in page order.
CHARTS_JS = f"() => {CANVASES_JS}.map({HASH_JS})"


def _browser_or_reason() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} not found: apt-get install -y chromium chromium-driver"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed: pip install 'sales_abm[test]'"
    return None


def _require_browser() -> None:
    """Skip without the browser, or fail if ``CI`` is set: CI must run this test."""
    reason = _browser_or_reason()
    if reason is not None:
        if os.environ.get("CI"):
            pytest.fail(f"CI needs the end-to-end test: {reason}")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def browser_ready() -> None:
    _require_browser()


@pytest.mark.parametrize(("ci", "outcome"), [(None, pytest.skip.Exception),
                                             ("1", pytest.fail.Exception)])
def test_without_chromium_it_skips_except_under_ci(monkeypatch, tmp_path, ci, outcome):
    monkeypatch.setattr(sys.modules[__name__], "CHROMIUM", tmp_path / "no-chromium")
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="no-chromium not found"):
        _require_browser()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_served(url: str, server: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"sales-abm explore exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


@pytest.fixture(scope="module")
def served(browser_ready: None) -> Iterator[str]:
    """``sales-abm explore`` on a free port; yields the address it printed."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "sales_abm.cli", "explore", "--host", "127.0.0.1",
         "--port", str(port)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        first = server.stdout.readline()
        assert f"http://127.0.0.1:{port}/" in first, first
        url = f"http://127.0.0.1:{port}/"
        _wait_until_served(url, server)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


def _wait_for_charts(page, charts: int) -> None:
    """Wait until all charts are drawn, and their drawing has settled."""
    page.wait_for_function(f"() => ({CHARTS_JS})().length === {charts}", timeout=30_000)
    page.wait_for_timeout(1000)  # the delayed drawing, and the events it sends


def _wait_for_new_chart(page, before: list[int], index: int = 0, timeout: float = 20) -> None:
    """Wait until chart ``index`` (by default appointments and gaming, which every week
    extends) differs from ``before``."""
    page.wait_for_function(
        f"([before, i]) => {{ const c = {CANVASES_JS}; return c.length === before.length "
        f"&& ({HASH_JS})(c[i]) !== before[i]; }}", arg=[before, index], timeout=timeout * 1000,
        polling=25)


def test_change_a_term_step_and_see_every_chart_move(served):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:  # each launch gets a new, empty profile directory
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 1500})
            errors: list[str] = []
            warnings: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
            page.goto(served)
            step = page.get_by_role("button", name="Step", exact=True)
            step.wait_for(timeout=60_000)
            charts = len(app.VIEWS) - 1  # every view but the status table is one chart
            _wait_for_charts(page, charts)
            assert not errors, errors  # a page load throws nothing (it threw 4 before)
            assert page.title() == app.TITLE
            assert not page.get_by_role("tab", name="Page 0").is_visible()

            audit = page.get_by_label("A: audit rate, 0-1")
            audit.fill("0.5")
            audit.press("Enter")
            page.get_by_role("button", name="Reset", exact=True).click()
            page.get_by_text("A: per_appointment (edited)").first.wait_for(timeout=20_000)
            assert page.get_by_text("0.50 / 0.00").count() == 1
            _wait_for_charts(page, charts)  # Reset builds a new model and new charts
            assert not errors, errors

            first = page.evaluate(CHARTS_JS)
            redraws = []
            for week in range(1, STEPS + 1):
                before = page.evaluate(CHARTS_JS)
                start = time.monotonic()
                step.click()
                page.get_by_text(f"Week {week} of 156").wait_for(timeout=20_000)
                _wait_for_new_chart(page, before)
                redraws.append(time.monotonic() - start)
            last = page.evaluate(CHARTS_JS)
            page.screenshot(path=str(ARTIFACTS / "explore.png"), full_page=True)

            assert len(last) == len(first) == charts and all(a != b for a, b in zip(first, last,
                                                                            strict=True))
            assert page.locator(".v-alert.error").count() == 0
            for text in ("Traceback", "Invalid parameters", "error in step"):
                assert page.get_by_text(text).count() == 0, text
            assert not errors, errors
            assert not [w for w in warnings if "The input spec uses" in w], warnings
            redraws.sort()
            print(f"click to status and first chart redrawn, {STEPS} steps: median "
                  f"{redraws[len(redraws) // 2] * 1000:.0f} ms, max {redraws[-1] * 1000:.0f} ms")
            assert redraws[len(redraws) // 2] < 1.0
        finally:
            browser.close()
