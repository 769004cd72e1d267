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
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analysis.errors import MentoringError

if TYPE_CHECKING:
    from fpdf import FPDF
    from pptx.dml.color import RGBColor
    from pptx.slide import Slide

    from analysis.brief import Brief

FONT_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
FONT_BOLD_PATH = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf")
_BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
# Kaleido's shared server is not thread-safe: concurrent exports returned each other's figures.
_EXPORT_LOCK = threading.Lock()
_server_started = False


class BrowserMissing(MentoringError):
    """Image export needs a Chromium browser on the server."""


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
            image: bytes = pio.to_image(fig, format=fmt, width=width, height=height, scale=scale)
            return image


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
    text: str = frame.to_csv(index=False, lineterminator="\r\n")
    return text.encode("utf-8-sig")


def _pdf_font(pdf: FPDF) -> str:
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


STANDING_COLUMNS = (
    ("element", "Element", 46),
    ("source", "From", 34),
    ("level", "Now (95% interval)", 34),
    ("target", "Target", 20),
    ("against_target", "Against target", 56),
    ("change", "Change since the last period", 83),
)
INK = (34, 34, 34)
MUTED = (85, 85, 85)
RULE = (200, 200, 200)


def _chart_images(
    brief: Brief,
    width: int,
    height: int,
    scale: float,
    progress: Callable[[int, int], None] | None,
    offset: int = 0,
) -> list[bytes]:
    images = []
    for i, section in enumerate(brief.sections):
        images.append(
            figure_png(_untitled(section.figure), width=width, height=height, scale=scale)
        )
        if progress:
            progress(offset + i + 1, len(brief.sections))
    return images


def brief_pdf(brief: Brief, progress: Callable[[int, int], None] | None = None) -> bytes:
    """A4 landscape. Page 1: the title, the period and scope (once), who is covered, the
    executive summary, each element against its target and the last period, what was left out
    and the anonymity rule. Then the charts, four to a page, each under its headline in words."""
    from fpdf import FPDF

    images = _chart_images(brief, 760, 426, 3, progress)
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(False)
    pdf.set_margins(14, 12, 14)
    font = _pdf_font(pdf)

    def text(value: str) -> str:
        return _latin(value, font)

    pdf.add_page()
    pdf.set_text_color(*INK)
    pdf.set_font(font, "B", 22)
    pdf.set_xy(14, 14)
    pdf.cell(0, 10, text(brief.title))
    pdf.set_font(font, "", 10.5)
    pdf.set_text_color(*MUTED)
    pdf.set_xy(14, 25)
    pdf.cell(0, 6, text(f"{brief.period}  ·  {brief.scope}"))
    # who is covered: one row of figures
    x = 14
    for label, value in brief.facts:
        pdf.set_xy(x, 34)
        pdf.set_text_color(*INK)
        pdf.set_font(font, "B", 18)
        pdf.cell(60, 9, text(value))
        pdf.set_xy(x, 43)
        pdf.set_font(font, "", 8.5)
        pdf.set_text_color(*MUTED)
        pdf.cell(60, 4, text(label))
        x += 66
    pdf.set_draw_color(*RULE)
    pdf.line(14, 51, 283, 51)
    pdf.set_xy(14, 54)
    pdf.set_text_color(*INK)
    pdf.set_font(font, "B", 12)
    pdf.cell(0, 6, text("Summary"))
    pdf.set_font(font, "", 9.5)
    y = 61.0
    for sentence in brief.summary:
        pdf.set_xy(14, y)
        pdf.multi_cell(269, 4.8, text(f"•  {sentence}"), align="L")
        y = pdf.get_y() + 1.2
    pdf.set_xy(14, y + 2)
    pdf.set_font(font, "B", 12)
    pdf.cell(0, 6, text("Where each element stands"))
    y += 9
    pdf.set_font(font, "B", 8)
    pdf.set_fill_color(240, 240, 240)
    pdf.set_xy(14, y)
    for _column, header, width in STANDING_COLUMNS:
        pdf.cell(width, 5.5, text(header), border="B", fill=True)
    y += 5.5
    pdf.set_font(font, "", 8)
    for row in brief.standing.itertuples():
        pdf.set_xy(14, y)
        for column, _header, width in STANDING_COLUMNS:
            value = str(getattr(row, column) or "")
            if column == "against_target" and row.why_hidden:
                value = f"not shown: {row.why_hidden}"
            pdf.cell(width, 5, text(value[:80]))
        y += 5
    pdf.set_draw_color(*RULE)
    pdf.line(14, y + 1, 283, y + 1)
    pdf.set_text_color(*MUTED)
    pdf.set_font(font, "", 7.5)
    notes = [brief.left_out, brief.footnote] if brief.left_out else [brief.footnote]
    pdf.set_xy(14, max(y + 3, 186))
    pdf.multi_cell(269, 3.6, text("  ".join(notes)), align="L")

    for page_start in range(0, len(brief.sections), 4):
        pdf.add_page()
        pdf.set_text_color(*MUTED)
        pdf.set_font(font, "", 8)
        pdf.set_xy(14, 8)
        pdf.cell(0, 4, text(f"{brief.title}  ·  page {pdf.page_no()}"))
        for slot, index in enumerate(range(page_start, min(page_start + 4, len(brief.sections)))):
            section = brief.sections[index]
            x = 14 + (slot % 2) * 138
            y = 15 + (slot // 2) * 95
            image_w = 128
            image_h = image_w * 426 / 760
            pdf.set_text_color(*INK)
            pdf.set_xy(x, y)
            pdf.set_font(font, "B", 10)
            pdf.multi_cell(image_w, 4.6, text(section.headline), align="L", max_line_height=4.6)
            pdf.image(io.BytesIO(images[index]), x=x, y=y + 14, w=image_w, h=image_h)
            pdf.set_xy(x, y + 14 + image_h)
            pdf.set_font(font, "", 7.5)
            pdf.set_text_color(*MUTED)
            pdf.cell(image_w, 4, text(f"{section.title}; n = {section.n:,} observations"))
    return bytes(pdf.output())


def brief_pptx(brief: Brief, progress: Callable[[int, int], None] | None = None) -> bytes:
    """16:9 deck: a cover (title, then period and scope once), the summary with who is covered,
    each element against its target and the last period, then one chart per slide titled with
    its headline in words; what was left out and the anonymity rule on the summary slide."""
    from pptx import Presentation
    from pptx.dml.color import RGBColor
    from pptx.util import Emu, Inches, Pt

    images = _chart_images(brief, 1200, 620, 2, progress)
    deck = Presentation()
    deck.slide_width, deck.slide_height = Inches(13.333), Inches(7.5)
    # python-pptx leaves RGBColor.__new__ unannotated
    ink, muted = RGBColor(*INK), RGBColor(*MUTED)  # type: ignore[no-untyped-call]

    def box(
        slide: Slide,
        left: float,
        top: float,
        width: float,
        height: float,
        lines: list[str],
        size: int = 14,
        bold: bool = False,
        colour: RGBColor = ink,
    ) -> None:
        shape = slide.shapes.add_textbox(
            Inches(left), Inches(top), Inches(width), Emu(Inches(height))
        )
        frame = shape.text_frame
        frame.word_wrap = True
        for i, line in enumerate(lines):
            paragraph = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
            paragraph.text = line
            paragraph.space_after = Pt(6)
            for run in paragraph.runs:
                run.font.size = Pt(size)
                run.font.bold = bold
                run.font.color.rgb = colour

    blank = deck.slide_layouts[6]
    cover = deck.slides.add_slide(blank)
    box(cover, 0.8, 2.6, 11.7, 1.2, [brief.title], size=40, bold=True)
    box(cover, 0.8, 3.9, 11.7, 0.8, [f"{brief.period}  ·  {brief.scope}"], size=18, colour=muted)

    summary = deck.slides.add_slide(blank)
    box(summary, 0.6, 0.35, 12, 0.7, ["Summary"], size=28, bold=True)
    x = 0.6
    for label, value in brief.facts:
        box(summary, x, 1.1, 3.0, 0.5, [value], size=24, bold=True)
        box(summary, x, 1.65, 3.0, 0.4, [label], size=11, colour=muted)
        x += 3.1
    box(summary, 0.6, 2.25, 12.1, 4.2, [f"•  {s}" for s in brief.summary], size=15)
    notes = [brief.left_out, brief.footnote] if brief.left_out else [brief.footnote]
    box(summary, 0.6, 6.55, 12.1, 0.8, ["  ".join(notes)], size=9, colour=muted)

    standing = deck.slides.add_slide(blank)
    box(standing, 0.6, 0.35, 12, 0.7, ["Where each element stands"], size=28, bold=True)
    rows = len(brief.standing) + 1
    table = standing.shapes.add_table(
        rows, len(STANDING_COLUMNS), Inches(0.6), Inches(1.2), Inches(12.1), Inches(0.4 * rows)
    ).table
    total = sum(width for _c, _h, width in STANDING_COLUMNS)
    for j, (_column, header, width) in enumerate(STANDING_COLUMNS):
        table.columns[j].width = Emu(int(Inches(12.1) * width / total))
        table.cell(0, j).text = header
    for i, row in enumerate(brief.standing.itertuples(), start=1):
        for j, (column, _header, _width) in enumerate(STANDING_COLUMNS):
            value = str(getattr(row, column) or "")
            if column == "against_target" and row.why_hidden:
                value = f"not shown: {row.why_hidden}"
            table.cell(i, j).text = value
    for i in range(rows):
        for j in range(len(STANDING_COLUMNS)):
            for paragraph in table.cell(i, j).text_frame.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(11 if i else 12)

    for section, image in zip(brief.sections, images, strict=True):
        slide = deck.slides.add_slide(blank)
        box(slide, 0.5, 0.3, 12.3, 1.1, [section.headline], size=22, bold=True)
        # 10.2 in wide at 1200:620 is 5.27 in tall: from 1.5 in it ends above the footer.
        slide.shapes.add_picture(
            io.BytesIO(image), Inches((13.333 - 10.2) / 2), Inches(1.5), width=Inches(10.2)
        )
        box(
            slide,
            0.5,
            6.9,
            12.3,
            0.4,
            [f"{section.title}; n = {section.n:,} observations"],
            size=10,
            colour=muted,
        )
    out = io.BytesIO()
    deck.save(out)
    return out.getvalue()
