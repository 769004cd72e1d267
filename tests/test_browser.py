"""The real dashboard, started as a user starts it, in headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
ELEMENT_LABELS = [
    "Trust & confidence",
    "Risk-taking",
    "Learning from everything",
    "Process & relationship",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian chromium is not installed (scripts/install-browser.sh)",
    ),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free port with a database that does not exist yet, so the
    first-run path (build from data/sample) is exercised too. Ready when the server says so."""
    db = tmp_path_factory.mktemp("browser") / "first-run.duckdb"
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "dashboard.py"),
            "--server.headless",
            "true",
            "--server.port",
            str(port),
            "--browser.gatherUsageStats",
            "false",
        ],
        cwd=ROOT,
        env={**os.environ, "MENTORING_DB": str(db)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen = []
    for line in server.stdout:
        seen.append(line)
        if "You can now view" in line or "Local URL" in line:
            break
    else:
        pytest.fail("the dashboard did not start:\n" + "".join(seen))
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield chromium
        chromium.close()


def _open(browser, url: str):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    expect(page.get_by_test_id("stApp")).to_be_visible(timeout=60_000)
    return page


def _no_errors(page) -> None:
    from playwright.sync_api import expect

    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.locator('[data-testid="stAlertContentError"]')).to_have_count(0)


def test_overview_shows_all_four_elements_and_no_error(dashboard: str, browser):
    from playwright.sync_api import expect

    page = _open(browser, dashboard)
    expect(page.get_by_text("You are looking at sample data")).to_be_visible(timeout=180_000)
    chart = page.locator(".js-plotly-plot").first
    expect(chart).to_be_visible(timeout=60_000)
    for label in ELEMENT_LABELS:
        expect(chart.locator(".ytick text", has_text=label)).to_have_count(1)
    expect(chart.locator(".trace.bars").first.locator(".point")).to_have_count(4)
    _no_errors(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "overview.png"), full_page=True)
    page.close()


@pytest.mark.parametrize(
    "path, heading",
    [
        ("elements", "The four elements"),
        ("trends", "Trends"),
        ("segments", "Segments"),
        ("health", "Program health"),
        ("mentors", "Mentors"),
        ("upload", "Upload"),
        ("brief", "Leadership brief"),
        ("methodology", "Methodology"),
    ],
)
def test_every_page_renders_its_charts_without_error(
    dashboard: str, browser, path: str, heading: str
):
    from playwright.sync_api import expect

    page = _open(browser, f"{dashboard}/{path}")
    expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=120_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=120_000)
    _no_errors(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{path}.png"), full_page=True)
    page.close()


def test_filters_live_in_the_url_so_a_copied_link_reopens_the_same_view(dashboard: str, browser):
    from playwright.sync_api import expect

    page = _open(browser, f"{dashboard}/segments?source=sessions")
    expect(page.get_by_role("heading", name="Segments").first).to_be_visible(timeout=120_000)
    checked = page.get_by_test_id("stSidebar").get_by_role("radio", name="Sessions only")
    expect(checked).to_be_checked()
    page.close()
