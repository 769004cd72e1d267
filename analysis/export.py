"""Snapshots for leadership: PNG and SVG rendered on the server through kaleido (one lock, one
browser kept running), self-contained HTML, a one-page PDF brief and a PowerPoint deck, and CSV
files that spreadsheets cannot execute."""

from __future__ import annotations

import html
import io
import re
import shutil
import threading
import unicodedata
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analysis.errors import MentoringError

FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_BOLD_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
# Kaleido's shared server is not thread-safe: concurrent exports returned each other's figures.
_EXPORT_LOCK = threading.Lock()
_server_started = False


class BrowserMissing(MentoringError):
    """Image export needs a Chromium browser on the server."""


@dataclass(frozen=True)
class Snapshot:
    name: str
    figure: go.Figure
    headline: str
    period: str
    filters: str
    n: int
    footnote: str


def browser_available() -> bool:
    return any(shutil.which(name) for name in _BROWSERS)


def _require_browser() -> None:
    if not browser_available():
        raise BrowserMissing(
            "Image export needs the Chromium browser, which is not installed on this server. Run "
            "scripts/install-browser.sh, or use the HTML or CSV download instead."
        )


def _render(fig: go.Figure, fmt: str, width: int, height: int, scale: float) -> bytes:
    global _server_started
    _require_browser()
    with _EXPORT_LOCK:
        if not _server_started:
            import kaleido

            kaleido.start_sync_server(silence_warnings=True)
            _server_started = True
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            return pio.to_image(fig, format=fmt, width=width, height=height, scale=scale)


def figure_png(fig: go.Figure, width: int = 1200, height: int = 675, scale: float = 2) -> bytes:
    """A PNG of exactly width*scale x height*scale pixels."""
    return _render(fig, "png", width, height, scale)


def figure_svg(fig: go.Figure, width: int = 1200, height: int = 675) -> bytes:
    return _render(fig, "svg", width, height, 1)


def figure_html(fig: go.Figure, title: str) -> str:
    """A self-contained page (plotly.js embedded): opens offline, interactive."""
    body = pio.to_html(fig, include_plotlyjs=True, full_html=False, config={"displaylogo": False})
    safe_title = html.escape(title)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{safe_title}</title>"
        "<style>body{font-family:'DejaVu Sans',Arial,sans-serif;margin:24px;color:#222}"
        "h1{font-size:18px;font-weight:600}</style></head><body>"
        f"<h1>{safe_title}</h1>{body}"
        '<p style="color:#666;font-size:12px">Mentoring Program Health snapshot. Groups behind fewer '
        "than the anonymity minimum are not shown.</p></body></html>"
    )


def slugify(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-") or "chart"


def plotly_config(name: str) -> dict[str, object]:
    """st.plotly_chart config: the camera button saves a crisp PNG named after the chart and day."""
    return {
        "displaylogo": False,
        "toImageButtonOptions": {
            "format": "png",
            "filename": f"{slugify(name)}-{date.today().isoformat()}",
            "scale": 2,
            "width": 1200,
            "height": 675,
        },
    }


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_csv(df: pd.DataFrame) -> bytes:
    """UTF-8 with BOM (Excel reads accents right); text cells that a spreadsheet would run as a
    formula get a leading quote (OWASP CSV injection). Numbers, negative ones included, stay numbers."""
    frame = df.copy()
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        frame[column] = series.map(
            lambda v: "'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v
        )
    # pandas quotes a field holding "\r" only when "\r" is in the line terminator; unquoted, a
    # spreadsheet starts a new row there, and the text after it could run as a formula.
    return frame.to_csv(index=False, lineterminator="\r\n").encode("utf-8-sig")


def _pdf_font(pdf) -> str:  # type: ignore[no-untyped-def]
    if FONT_PATH.exists():
        pdf.add_font("DejaVu", "", str(FONT_PATH))
        pdf.add_font("DejaVu", "B", str(FONT_BOLD_PATH if FONT_BOLD_PATH.exists() else FONT_PATH))
        return "DejaVu"
    return "Helvetica"


def _latin(text: str, font: str) -> str:
    return text if font == "DejaVu" else text.encode("latin-1", "replace").decode("latin-1")


def _untitled(fig: go.Figure) -> go.Figure:
    """The chart without its title, for briefs and decks that print the headline above it."""
    copy = go.Figure(fig)
    copy.update_layout(title_text="", margin_t=30)
    return copy


def brief_pdf(
    snapshots: list[Snapshot], title: str, progress: Callable[[int, int], None] | None = None
) -> bytes:
    """A4 landscape, up to four charts per page in a 2x2 grid (so a typical brief is one page;
    more charts continue on further pages), each with its headline and n, then period, filters
    and the anonymity rule at the foot of each page."""
    from fpdf import FPDF

    if not snapshots:
        raise MentoringError("Choose at least one chart for the brief.")
    images = []
    for i, snap in enumerate(snapshots):
        # Drawn at 760 px and scaled 3x so the labels stay readable at 124 mm wide.
        images.append(figure_png(_untitled(snap.figure), width=760, height=426, scale=3))
        if progress:
            progress(i + 1, len(snapshots))
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    font = _pdf_font(pdf)
    for page_start in range(0, len(snapshots), 4):
        pdf.add_page()
        pdf.set_font(font, "B", 16)
        pdf.set_xy(12, 10)
        pdf.cell(0, 8, _latin(title, font))
        pdf.set_font(font, "", 9)
        pdf.set_xy(12, 18)
        first = snapshots[page_start]
        pdf.cell(0, 5, _latin(f"Period: {first.period}.  Filters: {first.filters}.", font))
        for slot, index in enumerate(range(page_start, min(page_start + 4, len(snapshots)))):
            snap = snapshots[index]
            # Each slot is 88 mm tall: headline (two lines at most), chart, n.
            x = 12 + (slot % 2) * 140
            y = 26 + (slot // 2) * 88
            image_w = 124
            image_h = image_w * 560 / 1000
            pdf.set_xy(x, y)
            pdf.set_font(font, "B", 9.5)
            pdf.multi_cell(
                image_w, 4.6, _latin(snap.headline, font), align="L", max_line_height=4.6
            )
            pdf.image(io.BytesIO(images[index]), x=x, y=y + 10, w=image_w, h=image_h)
            pdf.set_xy(x, y + 10 + image_h)
            pdf.set_font(font, "", 7.5)
            pdf.cell(image_w, 4, _latin(f"n = {snap.n:,} observations", font))
        pdf.set_xy(12, 201)
        pdf.set_font(font, "", 7.5)
        pdf.multi_cell(270, 3.6, _latin(first.footnote, font), align="L")
    return bytes(pdf.output())


def brief_pptx(
    snapshots: list[Snapshot], title: str, progress: Callable[[int, int], None] | None = None
) -> bytes:
    """16:9 deck: a title slide, then one chart per slide titled with its headline sentence, with
    period, filters, n and the anonymity rule in a footer."""
    from pptx import Presentation
    from pptx.util import Emu, Inches, Pt

    if not snapshots:
        raise MentoringError("Choose at least one chart for the brief.")
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = title
    cover.placeholders[1].text = f"{snapshots[0].period} · {snapshots[0].filters}"
    for i, snap in enumerate(snapshots):
        image = figure_png(_untitled(snap.figure), width=1200, height=620, scale=2)
        slide = deck.slides.add_slide(deck.slide_layouts[5])
        slide.shapes.title.text = snap.headline
        for paragraph in slide.shapes.title.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(26)
        slide.shapes.title.left, slide.shapes.title.top = Inches(0.5), Inches(0.3)
        slide.shapes.title.width, slide.shapes.title.height = Inches(12.3), Inches(1.2)
        # 10.2 in wide at 1200:620 is 5.27 in tall: from 1.5 in it ends above the footer at 6.85 in.
        slide.shapes.add_picture(
            io.BytesIO(image), Inches((13.333 - 10.2) / 2), Inches(1.5), width=Inches(10.2)
        )
        footer = slide.shapes.add_textbox(
            Inches(0.5), Inches(6.85), Inches(12.3), Emu(Inches(0.55))
        )
        footer.text_frame.word_wrap = True
        footer.text_frame.text = (
            f"{snap.period} · {snap.filters} · n = {snap.n:,} observations. {snap.footnote}"
        )
        for paragraph in footer.text_frame.paragraphs:
            for run in paragraph.runs:
                run.font.size = Pt(10)
        if progress:
            progress(i + 1, len(snapshots))
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
