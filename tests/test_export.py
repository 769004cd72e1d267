"""Exports opened the way their readers open them: PNG decoded, SVG parsed, HTML drawn in headless
Chromium with the network off, the PDF brief rasterised and read by poppler, the deck by python-pptx.
Also what must never leak out of an export: mentor names without opt-in, respondents, live markup,
spreadsheet formulas and groups under the anonymity minimum."""

from __future__ import annotations

import csv
import io
import os
import re
import struct
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from analysis import brief, export, snapshots
from analysis.__main__ import main
from analysis.ingest.load import ingest_file
from analysis.queries import Filters, mentor_directory
from analysis.store import Store
from tests.conftest import ROOT, SMALL

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts"
HOSTILE = ROOT / "tests" / "data" / "export"
SVG_NS = "{http://www.w3.org/2000/svg}"

needs_browser = pytest.mark.skipif(
    not export.browser_available(), reason="image export needs chromium (install-browser.sh)"
)
needs_poppler = pytest.mark.skipif(
    not all(Path(f"/usr/bin/{tool}").exists() for tool in ("pdftoppm", "pdftotext", "pdfinfo")),
    reason="poppler-utils is not installed",
)


# --- opening what was produced -------------------------------------------------------------------


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _colours(image: Image.Image) -> dict[tuple[int, int, int], int]:
    counts = image.convert("RGB").getcolors(maxcolors=1 << 24)
    assert counts is not None
    return {colour: n for n, colour in counts}


def _svg(data: bytes) -> ET.Element:
    return ET.fromstring(data)


def _svg_texts(root: ET.Element) -> list[str]:
    """Every <text> as the reader sees it (tspans joined; a title's lines joined by a space)."""
    texts = []
    for node in root.iter(f"{SVG_NS}text"):
        lines = [t for t in node if t.get("class") == "line"]
        texts.append(" ".join("".join(t.itertext()) for t in lines) or "".join(node.itertext()))
    return texts


def _drawn(headline: str) -> re.Pattern[str]:
    """A headline as the browser's text of its lines reads (Plotly drops the space it wraps at)."""
    return re.compile("^" + r"\s?".join(map(re.escape, headline.split(" "))) + "$")


def _pdf_text(path: Path) -> str:
    raw = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(raw.split())


def _pptx_text(data: bytes) -> str:
    from pptx import Presentation

    deck = Presentation(io.BytesIO(data))
    return "\n".join(
        shape.text_frame.text
        for slide in deck.slides
        for shape in slide.shapes
        if shape.has_text_frame
    )


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed (scripts/install-browser.sh)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        yield chromium
        chromium.close()


def _open_offline(browser, path: Path):
    """The file in a context with the network off; every request that is not file: or data: is
    refused and recorded, and so is any dialog a script opens."""
    context = browser.new_context(offline=True, viewport={"width": 1300, "height": 900})
    refused: list[str] = []
    dialogs: list[str] = []

    def route(request_route) -> None:
        url = request_route.request.url
        if url.startswith(("file:", "data:")):
            request_route.continue_()
        else:
            refused.append(url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(path.as_uri())
    return context, page, refused, dialogs


# --- data ----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sample_store(sample_db: Path) -> Store:
    return Store(sample_db)


@pytest.fixture(scope="module")
def overview(sample_store: Store) -> snapshots.Chart:
    return snapshots.build("element-overview", sample_store, Filters())


def _ingest(path: Path, names: list[str]) -> Store:
    store = Store(path)
    for name in names:
        ingest_file(store, HOSTILE / name)
    return store


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """Two departments of five mentors and five respondents each, named with markup."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.duckdb"
    return _ingest(path, ["hostile-roster.csv", "hostile-feedback.csv"])


@pytest.fixture
def with_tiny_store(tmp_path: Path) -> Store:
    """The same, plus a department of one mentor and one respondent loaded later."""
    return _ingest(
        tmp_path / "tiny.duckdb",
        ["hostile-roster.csv", "hostile-feedback.csv", "tiny-roster.csv", "tiny-feedback.csv"],
    )


SCRIPT_DEPARTMENT = "<script>alert(1)</script>"
BOLD_DEPARTMENT = "<b>Bold</b> & Co"


def _respondents() -> list[str]:
    """Emails of everyone who answered the small survey, and their names from the roster."""
    with (SMALL / "mentee-feedback.csv").open(encoding="utf-8") as f:
        emails = {row["Email Address"].strip() for row in csv.DictReader(f)}
    with (SMALL / "participants.csv").open(encoding="utf-8") as f:
        names = {row["Name"] for row in csv.DictReader(f) if row["Email"] in emails}
    assert len(emails) == 10 and len(names) == 10
    return sorted(emails | names)


# --- PNG, SVG, HTML ------------------------------------------------------------------------------


@needs_browser
@pytest.mark.parametrize("width, height, scale", [(1200, 675, 2), (640, 360, 1)])
def test_png_has_the_requested_pixels_and_shows_the_chart(
    overview: snapshots.Chart, width: int, height: int, scale: float
):
    data = export.figure_png(overview.figure, width=width, height=height, scale=scale)
    assert _png_size(data) == (width * scale, height * scale)
    image = Image.open(io.BytesIO(data))
    image.load()
    assert image.size == (width * scale, height * scale)
    colours = _colours(image)
    background, _ = max(colours.items(), key=lambda item: item[1])
    # White, not the near-black that Streamlit's placeholder template gives server-side exports.
    assert background == (255, 255, 255)
    assert len(colours) > 50
    assert (0x00, 0x72, 0xB2) in colours, "the trust bar (#0072B2) is not drawn"


@needs_browser
def test_svg_parses_with_the_requested_size_and_carries_the_headline(overview: snapshots.Chart):
    root = _svg(export.figure_svg(overview.figure, width=900, height=500))
    assert root.tag == f"{SVG_NS}svg"
    assert (root.get("width"), root.get("height")) == ("900", "500")
    texts = _svg_texts(root)
    assert overview.headline in texts
    assert overview.headline.startswith("Risk-taking is the least common element")
    assert re.search(r"\[\d+-\d+\]", overview.headline)  # the claim carries its interval
    assert "Risk-taking" in texts


def test_html_snapshot_loads_nothing_from_the_network(overview: snapshots.Chart):
    page = export.figure_html(overview.figure, overview.headline)
    assert not re.search(r"<script[^>]+src\s*=", page, flags=re.IGNORECASE)
    assert not re.search(r"""<link[^>]+href\s*=\s*["']?https?:""", page, flags=re.IGNORECASE)
    assert "Plotly.newPlot" in page
    assert f"<title>{overview.headline.replace('&', '&amp;')}</title>" in page


def test_html_snapshot_draws_in_chromium_with_the_network_off(
    overview: snapshots.Chart, browser, tmp_path: Path
):
    from playwright.sync_api import expect

    path = tmp_path / "overview.html"
    path.write_text(export.figure_html(overview.figure, overview.headline), encoding="utf-8")
    context, page, refused, dialogs = _open_offline(browser, path)
    try:
        expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=30_000)
        expect(page.locator(".js-plotly-plot .gtitle")).to_have_text(_drawn(overview.headline))
        expect(page.locator(".js-plotly-plot .trace.bars").first.locator(".point")).to_have_count(4)
        expect(page.locator("h1")).to_have_text(overview.headline)
        assert page.title() == overview.headline
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "export-overview.png"), full_page=True)
    finally:
        context.close()
    assert refused == []
    assert dialogs == []


# --- what must not leak --------------------------------------------------------------------------


NAMED_CHARTS = ["mentor-heatmap", "rate-distribution", "pairs-at-risk"]


def _every_export(store: Store, charts: list[str], include_names: bool, tmp_path: Path) -> str:
    """SVG text, HTML and CSV of each chart, and the text of a PDF and a deck of all of them."""
    found = []
    for name in charts:
        chart = snapshots.build(name, store, Filters(), include_names=include_names)
        found.append("\n".join(_svg_texts(_svg(export.figure_svg(chart.figure)))))
        found.append(export.figure_html(chart.figure, chart.headline))
        found.append(export.safe_csv(chart.table).decode("utf-8-sig"))
    for fmt in ("pdf", "pptx"):
        out = snapshots.export_to_file(
            store, fmt, charts, tmp_path / f"all.{fmt}", include_names=include_names
        )
        found.append(_pdf_text(out) if fmt == "pdf" else _pptx_text(out.read_bytes()))
    return "\n".join(found)


@needs_browser
@needs_poppler
def test_mentor_names_appear_in_no_export_unless_asked_for(sample_store: Store, tmp_path: Path):
    names = set(mentor_directory(sample_store, Filters())["display_name"])
    assert len(names) > 100
    hidden = _every_export(sample_store, NAMED_CHARTS, include_names=False, tmp_path=tmp_path)
    assert [n for n in names if n in hidden] == []

    heatmap = snapshots.build("mentor-heatmap", sample_store, Filters(), include_names=True)
    labels = _svg_texts(_svg(export.figure_svg(heatmap.figure, height=1300)))
    rows = list(heatmap.figure.data[0].y)
    assert len(rows) == 60 and set(rows) <= set(labels)
    # namesakes are told apart as "Name (2)"; every row is a mentor's name
    assert {re.sub(r" \(\d\)$", "", r) for r in rows} <= names
    at_risk = snapshots.build("pairs-at-risk", sample_store, Filters(), include_names=True)
    table = export.safe_csv(at_risk.table).decode("utf-8-sig")
    assert any(n in table for n in names)


@needs_browser
@needs_poppler
def test_respondents_appear_in_no_export_even_with_mentor_names(small_db: Path, tmp_path: Path):
    respondents = _respondents()
    found = _every_export(Store(small_db), list(snapshots.CHARTS), True, tmp_path)
    assert "Ana Moreno" in found, "mentor names were asked for, so they should be there"
    assert [r for r in respondents if r in found] == []


@needs_browser
def test_markup_in_an_uploaded_department_is_text_in_svg(hostile_store: Store):
    chart = snapshots.build("segments-department", hostile_store, Filters())
    root = _svg(export.figure_svg(chart.figure))
    assert [e for e in root.iter() if e.tag.split("}")[-1] in ("script", "b", "a")] == []
    texts = _svg_texts(root)
    assert chart.headline in texts
    assert SCRIPT_DEPARTMENT in texts and BOLD_DEPARTMENT in texts
    # Plotly draws <b> as a bold tspan; escaped, nothing turns bold.
    assert "bold" not in ET.tostring(root, encoding="unicode")


def test_markup_in_an_uploaded_department_is_text_in_the_html_snapshot(
    hostile_store: Store, browser, tmp_path: Path
):
    from playwright.sync_api import expect

    chart = snapshots.build("segments-department", hostile_store, Filters())
    page_html = export.figure_html(chart.figure, chart.headline)
    assert SCRIPT_DEPARTMENT not in page_html
    assert BOLD_DEPARTMENT not in page_html
    path = tmp_path / "hostile.html"
    path.write_text(page_html, encoding="utf-8")
    context, page, refused, dialogs = _open_offline(browser, path)
    try:
        expect(page.locator(".js-plotly-plot .main-svg").first).to_be_visible(timeout=30_000)
        expect(page.locator("h1")).to_have_text(chart.headline)
        expect(page.locator(".js-plotly-plot .gtitle")).to_have_text(_drawn(chart.headline))
        ticks = page.locator(".js-plotly-plot .ytick text")
        expect(ticks).to_have_text([SCRIPT_DEPARTMENT, BOLD_DEPARTMENT])
        expect(page.locator("body b, .js-plotly-plot tspan[style*='bold']")).to_have_count(0)
        assert page.title() == chart.headline
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "export-hostile.png"), full_page=True)
    finally:
        context.close()
    assert dialogs == []
    assert refused == []


@needs_browser
@needs_poppler
def test_markup_in_an_uploaded_department_reads_as_typed_in_the_briefs(
    hostile_store: Store, tmp_path: Path
):
    chart = snapshots.build("segments-department", hostile_store, Filters())
    pdf = snapshots.export_to_file(
        hostile_store, "pdf", ["segments-department"], tmp_path / "hostile.pdf"
    )
    said = brief.in_words(chart.headline)
    assert said in " ".join(_pdf_text(pdf).split())
    deck = snapshots.export_to_file(
        hostile_store, "pptx", ["segments-department"], tmp_path / "hostile.pptx"
    )
    text = _pptx_text(deck.read_bytes())
    assert said in text
    assert "&lt;" not in text and "&amp;" not in text


@needs_browser
def test_when_every_group_is_under_five_the_exported_segments_chart_shows_no_numbers(
    small_store: Store,
):
    chart = snapshots.build("segments-department", small_store, Filters())
    assert chart.headline == "Every department is too small to show on its own"
    hidden, shown = chart.figure.data
    assert all(v is None for row in shown.z for v in row)
    texts = _svg_texts(_svg(export.figure_svg(chart.figure)))
    # Every cell says why it is empty; no other text carries a number.
    assert texts.count("fewer than 5") == 8
    assert [t for t in texts if re.search(r"\d", t) and t != "fewer than 5"] == []
    table = pd.read_csv(io.BytesIO(export.safe_csv(chart.table)), encoding="utf-8-sig")
    assert set(table["department"]) == {"Finance", "Sales"}
    assert table[["frequency_pct", "shown_count", "observation_count"]].isna().all().all()
    assert set(table["reason"]) == {"fewer than 5 mentors are in this view"}


@needs_browser
def test_a_group_under_five_is_hidden_and_so_is_one_that_would_give_it_away(
    hostile_store: Store, with_tiny_store: Store
):
    shown = snapshots.build("segments-department", hostile_store, Filters())
    texts = _svg_texts(_svg(export.figure_svg(shown.figure)))
    # "40% [12-77]" over "n=5" in each cell: the share, its interval and its n
    assert sum(bool(re.fullmatch(r"\d+% \[\d+-\d+\] n=5", t)) for t in texts) == 8
    assert "fewer than 5" not in texts

    chart = snapshots.build("segments-department", with_tiny_store, Filters())
    texts = _svg_texts(_svg(export.figure_svg(chart.figure)))
    assert "Tiny" in texts
    # Tiny is hidden, and so is one of the two others: otherwise total minus the rest gives Tiny.
    assert texts.count("fewer than 5") == 8
    assert sum(bool(re.fullmatch(r"\d+% \[\d+-\d+\] n=5", t)) for t in texts) == 4
    assert not [t for t in texts if t.endswith("n=1")]
    table = pd.read_csv(io.BytesIO(export.safe_csv(chart.table)), encoding="utf-8-sig")
    hidden = table[table["observation_count"].isna()]
    assert len(hidden) == 8
    assert "Tiny" in set(hidden["department"])
    assert hidden[["frequency_pct", "shown_count"]].isna().all().all()


# --- CSV -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cell, written",
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-1+2", "'-1+2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Sales\r=1+2", "Sales\r=1+2"),
        ("Sales\n=1+2", "Sales\n=1+2"),
        ("Sales", "Sales"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_safe_csv_quotes_text_a_spreadsheet_would_run(cell: str, written: str):
    frame = pd.DataFrame({"department": [cell], "count": [1]})
    rows = list(csv.reader(io.StringIO(export.safe_csv(frame).decode("utf-8-sig"), newline="")))
    assert rows == [["department", "count"], [written, "1"]]


def test_safe_csv_keeps_negative_numbers_as_numbers_and_starts_with_a_bom():
    frame = pd.DataFrame(
        {"change_pts": [-3.5, 2.0], "count": [-4, 7], "mixed": [-4, "-4"], "ok": [True, False]}
    )
    data = export.safe_csv(frame)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[1:] == [["-3.5", "-4", "-4", "True"], ["2.0", "7", "'-4", "False"]]


def test_safe_csv_of_every_chart_table_has_no_cell_a_spreadsheet_would_run(hostile_store: Store):
    for name in snapshots.CHARTS:
        table = snapshots.build(name, hostile_store, Filters()).table
        for row in csv.reader(io.StringIO(export.safe_csv(table).decode("utf-8-sig"))):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (name, cell)
                assert not cell.startswith("-") or re.fullmatch(r"-[\d.]+", cell), (name, cell)


def test_camera_button_file_name_is_the_chart_slug_and_today():
    config = export.plotly_config("Trust & Confiança: Q2")
    options = config["toImageButtonOptions"]
    assert options["filename"] == f"trust-confianca-q2-{date.today().isoformat()}"
    assert (options["width"], options["height"], options["scale"]) == (1200, 675, 2)
    assert export.slugify("<<>>") == "chart"


# --- command line --------------------------------------------------------------------------------

MAGIC = {
    "png": b"\x89PNG",
    "svg": b"<svg",
    "html": b"<!DOCTYPE html>",
    "pdf": b"%PDF-",
    "pptx": b"PK\x03\x04",
    "csv": b"\xef\xbb\xbf",
}


@needs_browser
@pytest.mark.parametrize("fmt", list(MAGIC))
def test_cli_export_writes_each_format(small_db: Path, tmp_path: Path, fmt: str, capsys):
    out = tmp_path / "nested" / f"overview.{fmt}"
    code = main(
        [
            "export",
            "--format",
            fmt,
            "--chart",
            "element-overview",
            "--out",
            str(out),
            "--period",
            "2026",
            # Sales (3 mentors) is hidden: a chart of it carries no numbers, a brief is refused
            *(["--segment", "department=Sales"] if fmt not in ("pdf", "pptx") else []),
            "--db",
            str(small_db),
        ]
    )
    assert code == 0
    assert capsys.readouterr().out.strip() == f"Wrote {out}"
    assert out.read_bytes().startswith(MAGIC[fmt])


def test_cli_refuses_a_brief_of_a_view_the_privacy_rule_hides(small_db: Path, tmp_path: Path):
    out = tmp_path / "sales.pdf"
    done = _cli(
        [
            "export",
            "--format",
            "pdf",
            "--chart",
            "element-overview",
            "--out",
            str(out),
            "--segment",
            "department=Sales",
            "--db",
            str(small_db),
        ]
    )
    assert done.returncode == 2
    assert "This view cannot be briefed: fewer than 5 mentors are in this view" in done.stderr
    assert not out.exists()


def _cli(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "analysis", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_export_of_an_unknown_chart_fails_with_a_plain_message(small_db: Path, tmp_path: Path):
    out = tmp_path / "x.html"
    done = _cli(
        ["export", "--format", "html", "--chart", "nope", "--out", str(out), "--db", str(small_db)]
    )
    assert done.returncode == 2
    assert "There is no chart called 'nope'" in done.stderr
    assert "element-overview" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_cli_several_charts_into_one_png_says_to_use_a_brief(small_db: Path, tmp_path: Path):
    code = main(
        ["export", "--format", "png", "--chart", "element-overview", "--chart", "trend-month"]
        + ["--out", str(tmp_path / "x.png"), "--db", str(small_db)]
    )
    assert code == 2


@pytest.mark.slow
def test_without_a_browser_png_says_so_plainly_and_html_still_works(small_db: Path, tmp_path: Path):
    no_browser = tmp_path / "empty-bin"
    no_browser.mkdir()
    common = ["--chart", "element-overview", "--db", str(small_db)]
    png = _cli(
        ["export", "--format", "png", "--out", str(tmp_path / "o.png"), *common],
        PATH=str(no_browser),
    )
    assert png.returncode == 2
    assert "needs the Chromium browser" in png.stderr
    assert "HTML" in png.stderr
    assert "Traceback" not in png.stderr
    assert not (tmp_path / "o.png").exists()
    page = _cli(
        ["export", "--format", "html", "--out", str(tmp_path / "o.html"), *common],
        PATH=str(no_browser),
    )
    assert page.returncode == 0, page.stderr
    assert "Plotly.newPlot" in (tmp_path / "o.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_without_a_browser_every_image_export_raises_browser_missing(
    overview: snapshots.Chart, sample_store: Store, tmp_path: Path, monkeypatch
):
    monkeypatch.setattr(export, "browser_available", lambda: False)
    for render in (export.figure_png, export.figure_svg):
        with pytest.raises(export.BrowserMissing, match="Chromium"):
            render(overview.figure)
    with pytest.raises(export.BrowserMissing):
        snapshots.export_to_file(sample_store, "pdf", ["element-overview"], tmp_path / "b.pdf")
    assert "Plotly.newPlot" in export.figure_html(overview.figure, overview.headline)


# --- concurrency ---------------------------------------------------------------------------------


@needs_browser
def test_three_threads_rendering_at_once_each_get_their_own_image(sample_store: Store):
    names = ["element-overview", "segments-department", "trend-quarter"]
    charts = {name: snapshots.build(name, sample_store, Filters()) for name in names}
    sizes = {
        "element-overview": (700, 400),
        "segments-department": (800, 500),
        "trend-quarter": (900, 600),
    }
    results: dict[str, bytes] = {}
    errors: list[Exception] = []
    start = threading.Barrier(len(names))

    def render(name: str) -> None:
        try:
            start.wait()
            width, height = sizes[name]
            results[name] = export.figure_svg(charts[name].figure, width=width, height=height)
            results[name + ".png"] = export.figure_png(
                charts[name].figure, width=width, height=height, scale=1
            )
        except Exception as exc:
            errors.append(exc)

    # Daemon threads and one deadline: without the lock kaleido can hang, and that must fail here
    # rather than hold up the whole run.
    threads = [threading.Thread(target=render, args=(name,), daemon=True) for name in names]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 120
    for thread in threads:
        thread.join(timeout=max(0.0, deadline - time.monotonic()))
    assert not [t for t in threads if t.is_alive()], "an export thread never finished"
    assert errors == []
    for name in names:
        assert _png_size(results[name + ".png"]) == sizes[name]
        root = _svg(results[name])
        assert (root.get("width"), root.get("height")) == tuple(map(str, sizes[name]))
        assert charts[name].headline in _svg_texts(root), f"{name} got another chart's image"
