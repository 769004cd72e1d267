"""The real dashboard, started as a user starts it, in headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
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


@contextmanager
def _server(db: Path | None = None) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free port, as the README runs it; ready when it says so."""
    port = _free_port()
    env = dict(os.environ)
    if db is not None:
        env["MENTORING_DB"] = str(db)
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
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        seen = []
        for line in server.stdout:
            seen.append(line)
            if "You can now view" in line or "Local URL" in line:
                break
        else:
            pytest.fail("the dashboard did not start:\n" + "".join(seen))
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database that does not exist yet, so the first-run path (build from data/sample) runs."""
    with _server(tmp_path_factory.mktemp("browser") / "first-run.duckdb") as base:
        yield base


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
    "path, heading, charts",
    [
        ("elements", "The four elements", True),
        ("trends", "Trends", True),
        ("segments", "Segments", True),
        ("health", "Program health", True),
        ("mentors", "Mentors", True),
        ("upload", "Upload", False),
        ("brief", "Leadership brief", False),
        ("methodology", "Methodology", False),
    ],
)
def test_every_page_renders_its_charts_without_error(
    dashboard: str, browser, path: str, heading: str, charts: bool
):
    from playwright.sync_api import expect

    page = _open(browser, f"{dashboard}/{path}")
    expect(page.get_by_role("heading", name=heading).first).to_be_visible(timeout=120_000)
    expect(page.get_by_test_id("stStatusWidget")).to_have_count(0, timeout=120_000)
    if charts:
        plot = page.locator(".js-plotly-plot .main-svg").first
        expect(plot).to_be_visible(timeout=60_000)
        # A drawn chart has marks, not only axes.
        expect(page.locator(".js-plotly-plot .trace, .js-plotly-plot .hm").first).to_be_attached()
    _no_errors(page)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{path}.png"), full_page=True)
    page.close()


def test_filters_live_in_the_url_so_a_copied_link_reopens_the_same_view(browser, tmp_path: Path):
    """A link opened as the very first request of a fresh server (Streamlit's legacy pages/ mode)
    still runs inside the frame, with the filters from the URL."""
    from playwright.sync_api import expect

    with _server(tmp_path / "link.duckdb") as base:
        page = _open(browser, f"{base}/segments?source=Sessions+only&department=Sales")
        expect(page.get_by_role("heading", name="Segments").first).to_be_visible(timeout=180_000)
        sidebar = page.get_by_test_id("stSidebar")
        expect(sidebar.get_by_text("Filters", exact=True)).to_be_visible()
        expect(sidebar.get_by_role("radio", name="Sessions only")).to_be_checked()
        expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=60_000)
        heatmap = page.locator(".js-plotly-plot").first
        expect(heatmap.locator(".ytick text", has_text="Sales")).to_have_count(1)
        expect(heatmap.locator(".ytick text", has_text="Finance")).to_have_count(0)
        assert "department=Sales" in page.url
        _no_errors(page)
        page.close()


def test_brief_builds_a_pdf_and_a_deck_the_user_can_download(dashboard: str, browser, tmp_path):
    from playwright.sync_api import expect

    page = _open(browser, f"{dashboard}/brief")
    expect(page.get_by_role("heading", name="Leadership brief").first).to_be_visible(
        timeout=120_000
    )
    page.get_by_role("button", name="Build the brief").click()
    pdf_button = page.get_by_role("button", name="PDF brief")
    expect(pdf_button).to_be_visible(timeout=180_000)
    with page.expect_download() as info:
        pdf_button.click()
    saved = tmp_path / info.value.suggested_filename
    info.value.save_as(saved)
    assert saved.suffix == ".pdf"
    assert saved.read_bytes().startswith(b"%PDF")
    with page.expect_download() as info:
        page.get_by_role("button", name="PowerPoint deck").click()
    assert info.value.suggested_filename.endswith(".pptx")
    _no_errors(page)
    page.close()


def test_an_upload_in_one_browser_loads_and_another_browsers_view_keeps_working(
    browser, tmp_path: Path
):
    """Two people on one server: A uploads a session log on the Upload page; B, on the Overview,
    keeps a working view and sees the new sessions on the next run."""
    from playwright.sync_api import expect

    log = tmp_path / "november-sessions.csv"
    log.write_text(
        "Session ID,Meeting Date,Mentor Name,Mentee Name,Duration (min),Meeting Type,Notes\n"
        "U-1,2026-11-19,Avery Quinn,Sam Lee,30,Video,Left the client call entirely to her.\n"
        "U-2,2026-11-20,Avery Quinn,Sam Lee,30,Video,\n"
        "U-3,not a date,Avery Quinn,Sam Lee,30,Video,\n",
        encoding="utf-8",
    )
    with _server(tmp_path / "shared.duckdb") as base:
        reader = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        reader.goto(base)
        expect(reader.get_by_text("You are looking at sample data")).to_be_visible(timeout=180_000)
        sessions_metric = reader.get_by_test_id("stMetric").filter(
            has_text="Sessions, last 30 days"
        )
        before = int(sessions_metric.get_by_test_id("stMetricValue").inner_text().replace(",", ""))

        writer = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        writer.goto(f"{base}/upload")
        expect(writer.get_by_role("heading", name="Upload").first).to_be_visible(timeout=120_000)
        writer.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(log))
        expect(writer.get_by_text("Detected format")).to_be_visible(timeout=60_000)
        writer.get_by_role("button", name="Load this file").click()
        said = writer.get_by_test_id("stAlertContentSuccess")
        expect(said).to_contain_text("2 of 3 rows loaded", timeout=60_000)
        expect(said).to_contain_text("1 set aside")
        _no_errors(writer)

        reader.reload()
        expect(reader.get_by_text("You are looking at sample data")).to_be_visible(timeout=120_000)
        after_metric = reader.get_by_test_id("stMetric").filter(has_text="Sessions, last 30 days")
        expect(after_metric.get_by_test_id("stMetricValue")).to_have_text(f"{before + 2:,}")
        _no_errors(reader)
        writer.screenshot(path=str(ARTIFACTS / "upload-loaded.png"), full_page=True)


def test_clicking_an_element_bar_opens_the_evidence_behind_it(dashboard: str, browser):
    from playwright.sync_api import expect

    page = _open(browser, dashboard)
    bars = page.locator(".js-plotly-plot").first.locator(".trace.bars").first.locator(".point")
    expect(bars).to_have_count(4, timeout=120_000)
    chosen = page.get_by_test_id("stMain").get_by_role("combobox", name="Element")
    expect(chosen).to_have_value("Trust & confidence")
    box = bars.nth(2).bounding_box()  # the third element: learning from everything
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)  # Plotly resolves a click from the point under the pointer
    page.mouse.click(x, y)
    expect(chosen).to_have_value("Learning from everything", timeout=60_000)
    evidence = page.get_by_test_id("stDataFrame").last
    expect(evidence).to_be_visible()
    _no_errors(page)
    page.close()


def test_a_survey_export_uploads_and_loads_in_the_browser(browser, tmp_path: Path):
    from playwright.sync_api import expect

    survey = ROOT / "tests" / "data" / "formats" / "google_forms.csv"
    with _server(tmp_path / "survey.duckdb") as base:
        page = _open(browser, f"{base}/upload")
        expect(page.get_by_role("heading", name="Upload").first).to_be_visible(timeout=180_000)
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(survey))
        expect(page.get_by_text("Detected format: Google Forms CSV")).to_be_visible(timeout=60_000)
        expect(page.get_by_role("radio", name="Survey export")).to_be_checked()
        page.get_by_role("button", name="Load this file").click()
        said = page.get_by_test_id("stAlertContentSuccess")
        expect(said).to_contain_text("rows loaded", timeout=60_000)
        _no_errors(page)
        # Uploading the same export again adds nothing and says so.
        page.reload()
        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(survey))
        page.get_by_role("button", name="Load this file").click()
        expect(page.get_by_test_id("stAlertContentInfo").last).to_contain_text(
            "nothing was added", timeout=60_000
        )
        page.close()


def test_the_copy_link_button_copies_this_views_address_and_the_link_reopens_it(
    dashboard: str, browser
):
    """The sidebar's button puts the address bar, filters included, on the clipboard; the copied
    text is read back from the clipboard and opened in another tab."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=dashboard)
    page = context.new_page()
    page.goto(f"{dashboard}/segments")
    expect(page.get_by_role("heading", name="Segments").first).to_be_visible(timeout=180_000)
    sidebar = page.get_by_test_id("stSidebar")
    # choose a filter and a preset on the page, so the link has something to carry
    sidebar.get_by_role("radio", name="Last quarter").click()
    expect(page).to_have_url(re.compile(r"period=2026-07-01"), timeout=60_000)
    sidebar.get_by_text("Sessions only", exact=True).click()
    expect(page).to_have_url(re.compile(r"source=Sessions"), timeout=60_000)
    sidebar.get_by_role("button", name="Copy link to this view").click()
    expect(sidebar.get_by_text("Link copied: paste it into an email or a chat.")).to_be_visible()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.url
    assert "/segments?" in copied and "period=2026-07-01" in copied and "source=Sessions" in copied
    _no_errors(page)

    again = context.new_page()
    again.goto(copied)
    expect(again.get_by_role("heading", name="Segments").first).to_be_visible(timeout=180_000)
    other = again.get_by_test_id("stSidebar")
    expect(other.get_by_role("radio", name="Sessions only")).to_be_checked()
    expect(other.get_by_role("radio", name="Last quarter")).to_have_attribute(
        "aria-checked", "true"
    )
    _no_errors(again)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "copy-link.png"))
    context.close()


def test_a_link_with_a_mentor_opens_that_mentor_and_choosing_one_updates_the_link(
    dashboard: str, browser
):
    from playwright.sync_api import expect

    label = "Kai Nakamura (kai.nakamura2@example.org)"
    page = _open(browser, f"{dashboard}/mentors?mentor={label}")
    expect(page.get_by_role("heading", name="Mentors").first).to_be_visible(timeout=180_000)
    mentor = page.get_by_test_id("stMain").get_by_role("combobox", name="Mentor", exact=True)
    expect(mentor).to_have_value(label, timeout=60_000)
    chart_title = page.locator(".js-plotly-plot .gtitle").first
    expect(chart_title).to_contain_text("Kai Nakamura: ", timeout=60_000)
    # choosing another mentor puts them in the address bar
    mentor.click()
    mentor.fill("Zoe Dubois (zoe.dubois@example.org)")
    mentor.press("Enter")
    expect(page).to_have_url(re.compile(r"mentor=Zoe"), timeout=60_000)
    expect(chart_title).to_contain_text("Zoe Dubois: ", timeout=60_000)
    _no_errors(page)
    page.close()
    # a mentor the link names but nobody is called: the page opens, says so, and shows no error
    page = _open(browser, f"{dashboard}/mentors?mentor=Nobody+Whatsoever")
    expect(
        page.get_by_text("The mentor in this link is not among the mentors in view")
    ).to_be_visible(timeout=180_000)
    expect(page.get_by_text("Nobody Whatsoever")).to_have_count(0)
    _no_errors(page)
    page.close()


LEAD = ROOT / "tests" / "data" / "lead"


def test_a_leads_path_from_their_own_exports_to_a_brief_they_can_send(browser, tmp_path: Path):
    """What a new L&D lead does on day one: remove the sample, upload their HR roster and a
    Microsoft Forms pulse survey, fix the one column the roster's mapping missed, load both,
    read the Overview, build the brief and download the PDF and the deck."""
    import pptx
    from playwright.sync_api import expect

    with _server(tmp_path / "lead.duckdb") as base:
        page = _open(browser, f"{base}/upload")
        page.set_default_timeout(60_000)
        main = page.get_by_test_id("stMain")
        expect(main.get_by_role("heading", name="Sample data")).to_be_visible(timeout=180_000)
        main.get_by_text("Yes, remove the sample's").click()
        main.get_by_role("button", name="Remove the sample data").click()
        expect(page.get_by_test_id("stAlertContentSuccess")).to_contain_text("Removed the sample")
        expect(main.get_by_role("heading", name="Sample data")).to_have_count(0)

        page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
            [str(LEAD / "roster.csv"), str(LEAD / "mentoring-pulse.csv")]
        )
        expect(page.get_by_text("Detected format: Microsoft Forms CSV")).to_be_visible()
        roster = (
            main.get_by_test_id("stVerticalBlock")
            .filter(has=page.get_by_role("heading", name="roster.csv"))
            .last
        )
        # the roster's "Matched on" column holds when each pair started: the mapping missed it
        roster.get_by_text("Columns: confirm what each one holds").first.click()
        start = roster.get_by_role("combobox", name="Pairing start date column")
        expect(start).to_have_value("(none)")
        start.click()
        start.press_sequentially("Matched", delay=50)  # typing opens the list and narrows it
        page.get_by_role("option", name="Matched on", exact=True).click()
        expect(start).to_have_value("Matched on")
        main.get_by_role("button", name="Load this file").first.click()
        said = page.get_by_test_id("stAlertContentSuccess")
        expect(said.filter(has_text="48 of 48 rows loaded")).to_have_count(1)

        survey = (
            main.get_by_test_id("stVerticalBlock")
            .filter(has=page.get_by_role("heading", name="mentoring-pulse.csv"))
            .last
        )
        survey.get_by_text("Columns: confirm what each one holds").first.click()
        invited = survey.get_by_role("spinbutton", name="How many people were invited")
        invited.fill("40")
        invited.press("Enter")
        survey.get_by_role("button", name="Load this file").click()
        expect(said.filter(has_text="34 of 34 rows loaded")).to_have_count(1)
        _no_errors(page)
        page.screenshot(path=str(ARTIFACTS / "lead-upload.png"), full_page=True)

        page.goto(f"{base}/")
        expect(main.get_by_role("heading", name="Mentoring program health").first).to_be_visible()
        expect(page.get_by_text("You are looking at sample data")).to_have_count(0)
        expect(page.locator(".js-plotly-plot").first).to_be_visible()
        expect(main).to_contain_text("8 mentors")
        expect(main).not_to_contain_text("Nothing to show")
        _no_errors(page)
        page.screenshot(path=str(ARTIFACTS / "lead-overview.png"), full_page=True)

        page.goto(f"{base}/brief")
        expect(main.get_by_role("heading", name="Leadership brief").first).to_be_visible()
        main.get_by_role("button", name="Build the brief").click()
        expect(main.get_by_role("heading", name="Ready")).to_be_visible(timeout=240_000)
        _no_errors(page)
        with page.expect_download() as pdf_download:
            main.get_by_role("button", name="PDF brief").click()
        pdf = tmp_path / "brief.pdf"
        pdf_download.value.save_as(pdf)
        with page.expect_download() as deck_download:
            main.get_by_role("button", name="PowerPoint deck").click()
        deck = tmp_path / "brief.pptx"
        deck_download.value.save_as(deck)
        page.screenshot(path=str(ARTIFACTS / "lead-brief-page.png"), full_page=True)
        page.close()

    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    words = " ".join(text.split())
    assert "Nothing to show" not in words
    assert "34 of the 40 mentees invited answered (85%" in words, words[:1500]
    assert "8 mentors are covered" in words
    for element in ("trust & confidence", "risk-taking", "learning from everything", "process"):
        assert element in words.lower()
    assert "Alex" not in words and "@acme.example" not in words  # no respondent, no email
    pages = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(pdf), str(pages)], check=True)
    images = sorted(tmp_path.glob("page-*.png"))
    assert len(images) >= 2
    for image in images:
        assert image.stat().st_size > 5_000  # drawn, not blank
    (ARTIFACTS / "lead-brief-pdf-page-1.png").write_bytes(images[0].read_bytes())

    slides = [
        " ".join(shape.text_frame.text for shape in slide.shapes if shape.has_text_frame)
        for slide in pptx.Presentation(str(deck)).slides
    ]
    assert len(slides) >= 3
    assert not [s for s in slides if "Nothing to show" in s]
    assert "34 of the 40 mentees invited answered (85%" in " ".join(slides)
