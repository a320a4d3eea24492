"""Drive the real app in Debian's chromium: change an input, the recommendation moves."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not installed at /usr/bin/chromium "
        "(apt-get install -y chromium; .ci/run does this)",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    yield from _serve(tmp_path, "scenarios/default.yaml")


@pytest.fixture
def capacity_server(tmp_path: Path) -> Iterator[str]:
    yield from _serve(tmp_path, "scenarios/reserved-capacity.yaml")


def _serve(tmp_path: Path, scenario: str) -> Iterator[str]:
    port = _free_port()
    streamlit = Path(sys.executable).parent / "streamlit"
    cmd = [
        str(streamlit) if streamlit.exists() else shutil.which("streamlit") or "streamlit",
        "run",
        "app.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--",
        "--scenario",
        scenario,
    ]
    env = os.environ | {"COMMITSIM_AUTOSAVE_DIR": str(tmp_path / "autosave")}
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                    if r.read().decode().strip() == "ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"streamlit did not start: {(tmp_path / 'server.log').read_text()}")
            time.sleep(0.25)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_change_term_moves_recommendation(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    idle = "[data-testid='stApp'][data-test-script-state='notRunning']"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.goto(f"{server}/scenario", timeout=60_000)  # the app opens on the Decision page
            page.wait_for_selector(idle, timeout=60_000)
            headline = (
                page.locator("[data-testid='stSidebar'] [data-testid='stMetric']")
                .filter(has_text="Our number")
                .locator("[data-testid='stMetricValue']")
            )
            expect(headline).to_have_text("$2.0M", timeout=60_000)
            term = page.get_by_role("spinbutton", name="Term (months)")
            term.fill("24")
            term.press("Enter")
            expect(headline).to_have_text("$5.0M", timeout=60_000)
            page.wait_for_selector(idle, timeout=60_000)
            assert "sid=" in page.url
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "app_scenario.png"), full_page=True)
            # the edit survives a refresh (autosave keyed on the sid in the URL)
            page.reload()
            page.wait_for_selector(idle, timeout=60_000)
            expect(headline).to_have_text("$5.0M", timeout=60_000)
        finally:
            browser.close()


def test_decision_page_fits_at_1280x800(server: str) -> None:
    """The landing page is the Decision page; at 1280x800 no headline metric is cut off."""
    from playwright.sync_api import expect, sync_playwright

    idle = "[data-testid='stApp'][data-test-script-state='notRunning']"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(server, timeout=60_000)
            page.wait_for_selector(idle, timeout=60_000)
            expect(page.get_by_role("heading", name="Decision").first).to_be_visible(timeout=60_000)
            page.wait_for_selector("[data-testid='stPlotlyChart']", timeout=60_000)
            page.wait_for_selector(idle, timeout=60_000)
            sizes = page.eval_on_selector_all(
                "[data-testid='stMetricValue'], [data-testid='stMetricLabel'],"
                " [data-testid='stDownloadButton'] button *",
                "els => els.map(e => { const i = e.querySelector('div') || e;"
                " return [e.innerText, e.scrollWidth, e.clientWidth, i.scrollWidth,"
                " i.clientWidth]; })",
            )
            assert len(sizes) >= 16  # values and labels: sidebar, decision row, money row
            for text, sw, cw, isw, icw in sizes:
                assert sw <= cw and isw <= icw, f"{text!r} is cut off: {sw}/{isw} > {cw}/{icw}"
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "decision_1280x800.png"))
            # the Commitment page's metrics and labels fit too
            page.goto(f"{server}/commitment", timeout=60_000)
            page.wait_for_selector("[data-testid='stPlotlyChart']", timeout=60_000)
            page.wait_for_selector(idle, timeout=60_000)
            sizes = page.eval_on_selector_all(
                "[data-testid='stMetricValue'], [data-testid='stMetricLabel']",
                "els => els.map(e => { const i = e.querySelector('div') || e;"
                " return [e.innerText, e.scrollWidth, e.clientWidth, i.scrollWidth,"
                " i.clientWidth]; })",
            )
            assert len(sizes) >= 20
            for text, sw, cw, isw, icw in sizes:
                assert sw <= cw and isw <= icw, f"{text!r} is cut off: {sw}/{isw} > {cw}/{icw}"
            page.screenshot(path=str(ARTIFACTS / "commitment_1280x800.png"))
        finally:
            browser.close()


def test_capacity_page_fits_at_1280x800(capacity_server: str) -> None:
    """The Capacity page's metrics, their standard errors and labels fit at 1280x800."""
    from playwright.sync_api import sync_playwright

    idle = "[data-testid='stApp'][data-test-script-state='notRunning']"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.goto(f"{capacity_server}/capacity", timeout=60_000)
            page.wait_for_selector("[data-testid='stPlotlyChart']", timeout=120_000)
            page.wait_for_selector(idle, timeout=60_000)
            sizes = page.eval_on_selector_all(
                "[data-testid='stMain'] [data-testid='stMetricValue'],"
                " [data-testid='stMain'] [data-testid='stMetricLabel'],"
                " [data-testid='stMain'] [data-testid='stMetricDelta']",
                "els => els.map(e => { const i = e.querySelector('div') || e;"
                " return [e.innerText, e.scrollWidth, e.clientWidth, i.scrollWidth,"
                " i.clientWidth]; })",
            )
            deltas = [t for t, *_ in sizes if t.startswith("±")]
            assert len(deltas) >= 6, sizes  # reserve, utilisation, overflow, saving, cost, before
            for text, sw, cw, isw, icw in sizes:
                assert sw <= cw and isw <= icw, f"{text!r} is cut off: {sw}/{isw} > {cw}/{icw}"
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / "capacity_1280x800.png"))
        finally:
            browser.close()
