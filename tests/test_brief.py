"""The leadership brief a lead forwards as is: scope stated once with numbers computed here
independently, a summary from the data, no panel with nothing to show (left out and named in one
line), headlines' intervals in words; the PDF's pages and the deck's slides (converted by
LibreOffice) looked at as text and as images."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

from analysis import brief, export, snapshots
from analysis.errors import MentoringError
from analysis.ingest import upkeep
from analysis.queries import Filters
from analysis.store import Store
from tests.conftest import ROOT, copy_database

ARTIFACTS = ROOT / "test-artifacts"
needs_browser = pytest.mark.skipif(
    not export.browser_available(), reason="image export needs chromium (install-browser.sh)"
)
needs_poppler = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftoppm", "pdftotext", "pdfinfo")),
    reason="poppler-utils is not installed (install-browser.sh)",
)
needs_libreoffice = pytest.mark.skipif(
    not shutil.which("soffice"), reason="libreoffice-impress is not installed (install-browser.sh)"
)
EVERY_CHART = [
    "element-overview",
    "trend-quarter",
    "wave-comparison",
    "segments-department",
    "perception-gap",
]


@pytest.fixture(scope="module")
def sample_with_targets(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(copy_database(sample_db, tmp_path_factory.mktemp("brief") / "brief.duckdb"))
    upkeep.set_target(store, "risk", "session_note", 30)
    upkeep.set_target(store, "trust", "mentee_rating", 60)
    return store


def _pdf_text(path: Path) -> str:
    raw = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(raw.split())


def _pages(path: Path, out: Path, prefix: str) -> list[Image.Image]:
    subprocess.run(["pdftoppm", "-png", "-r", "50", str(path), str(out / prefix)], check=True)
    return [Image.open(p) for p in sorted(out.glob(f"{prefix}*.png"))]


def _not_blank(image: Image.Image) -> None:
    colours = image.convert("RGB").getcolors(maxcolors=1 << 24)
    assert colours is not None
    white = dict((c, n) for n, c in colours).get((255, 255, 255), 0)
    assert len(colours) > 20
    assert 0.01 < 1 - white / (image.width * image.height) < 0.9


def test_headline_intervals_are_said_in_words():
    assert brief.in_words("Risk-taking is the least common element: 18% [17-20]") == (
        "Risk-taking is the least common element: 18% (17-20% with 95% confidence)"
    )
    assert brief.in_words("Trust rose 6 points in the latest period [+1, +8], beyond chance") == (
        "Trust rose 6 points in the latest period (+1 to +8 points with 95% confidence), "
        "beyond chance"
    )


@pytest.mark.slow
def test_the_scope_is_counted_right_and_the_summary_says_what_the_data_says(
    sample_with_targets: Store,
):
    store = sample_with_targets
    made = brief.build(store, Filters(), EVERY_CHART)
    mentors = store.scalar("SELECT count(DISTINCT mentor_id) FROM element_evidence")
    respondents = store.scalar(
        "SELECT count(DISTINCT respondent_hash) FROM element_evidence "
        "WHERE source = 'survey_item' AND respondent_role = 'mentee'"
    )
    notes = store.scalar(
        "SELECT count(*) FROM sessions WHERE mentor_id IS NOT NULL AND trim(notes) <> ''"
    )
    invited = store.query(
        "SELECT sum(invited_count) AS invited FROM ingest_batches WHERE kind = 'survey' "
        "AND batch_id IN (SELECT batch_id FROM survey_responses WHERE respondent_role = 'mentee')"
    )["invited"].iloc[0]
    answered = store.scalar(
        "SELECT count(*) FROM survey_responses WHERE respondent_role = 'mentee'"
    )
    assert dict(made.facts) == {
        "Mentors covered": f"{mentors:,}",
        "Mentees who answered": f"{respondents:,}",
        "Response rate": f"{100 * answered / invited:.0f}%",
        "Session notes read": f"{notes:,}",
    }
    assert 3 <= len(made.summary) <= 5
    assert made.summary[0].startswith(f"{mentors:,} mentors are covered: {notes:,} session notes")
    assert f"{answered:,} of the {int(invited):,} mentees invited answered" in made.summary[0]
    text = " ".join(made.summary)
    # the generator's truth: risk-taking is the rarest in notes; training lifted risk and learning
    assert "Risk-taking is the least common element in session notes" in text
    assert "Risk-taking in session notes is below its 30% target" in text
    assert "risk-taking up" in text and "learning from everything up" in text
    assert "no element changed beyond chance" in text  # session notes, latest 3 months
    # each element against its target, in the table the brief carries
    risk = made.standing[
        (made.standing["element"] == "Risk-taking") & (made.standing["source"] == "Session notes")
    ].iloc[0]
    assert risk["target"] == "30%" and risk["against_target"].startswith("below")
    assert made.left_out == ""
    assert [s.name for s in made.sections] == EVERY_CHART


def test_charts_with_nothing_to_show_are_left_out_and_named_once(small_store: Store):
    # the small program has no self-assessments (no perception gap) and one survey round
    made = brief.build(small_store, Filters(), ["element-overview", "perception-gap"])
    assert [s.name for s in made.sections] == ["element-overview"]
    assert made.left_out == (
        "Left out, as they have nothing to show for this view: mentees' view vs mentors' "
        "self-assessment."
    )
    text = " ".join(made.summary)
    assert "With one survey round, mentees' ratings cannot show change yet." in text
    assert "0 of 6 mentors have 5 or more mentee answers" in text


def test_a_view_the_privacy_rule_hides_has_no_brief(sample_db: Path):
    store = Store(sample_db)
    hidden = Filters(departments=("Engineering",), locations=("Singapore",))
    with pytest.raises(MentoringError, match="cannot be briefed: .*would change this view"):
        brief.build(store, hidden, ["element-overview"])


@needs_browser
@needs_poppler
def test_the_pdf_opens_with_the_summary_and_no_panel_says_nothing_to_show(
    sample_with_targets: Store, tmp_path: Path
):
    made = brief.build(sample_with_targets, Filters(), EVERY_CHART, "Mentoring in 2026")
    out = tmp_path / "brief.pdf"
    out.write_bytes(export.brief_pdf(made))
    pages = _pages(out, tmp_path, "page")
    assert len(pages) == 3  # summary, then five charts four to a page
    for page in pages:
        assert page.width > page.height
        _not_blank(page)
    text = _pdf_text(out)
    assert "Nothing to show" not in text
    assert text.count(made.period) == 1, "the period is stated once"
    for sentence in made.summary:
        assert " ".join(sentence.split()) in text
    for section in made.sections:
        assert section.headline in text
        assert f"n = {section.n:,} observations" in text
    assert "Where each element stands" in text and "below (-" in text
    ARTIFACTS.mkdir(exist_ok=True)
    pages[0].save(ARTIFACTS / "brief-page-1.png")


@needs_browser
@needs_poppler
@needs_libreoffice
def test_the_deck_renders_in_libreoffice_with_a_clean_cover_and_no_empty_slide(
    sample_with_targets: Store, small_store: Store, tmp_path: Path
):
    from pptx import Presentation

    made = brief.build(sample_with_targets, Filters(), EVERY_CHART, "Mentoring in 2026")
    data = export.brief_pptx(made)
    deck = Presentation(io.BytesIO(data))
    slides = list(deck.slides)
    assert len(slides) == 3 + len(made.sections)
    cover = [s.text_frame.text for s in slides[0].shapes if s.has_text_frame]
    assert cover == ["Mentoring in 2026", f"{made.period}  ·  {made.scope}"]
    (out := tmp_path / "deck.pptx").write_bytes(data)
    subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(out)],
        check=True,
        capture_output=True,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        timeout=180,
    )
    rendered = tmp_path / "deck.pdf"
    images = _pages(rendered, tmp_path, "slide")
    assert len(images) == len(slides)
    for image in images:
        assert image.width > image.height
        _not_blank(image)
    text = _pdf_text(rendered)
    assert "Nothing to show" not in text
    assert text.count(made.period) == 1
    # LibreOffice wraps titles where it likes: compare without the spaces it breaks lines at
    squashed = re.sub(r"\s+", "", text)
    for section in made.sections:
        assert re.sub(r"\s+", "", section.headline) in squashed
    assert re.search(r"Where each element stands", text)
    ARTIFACTS.mkdir(exist_ok=True)
    images[1].save(ARTIFACTS / "brief-slide-2.png")
    # an empty chart never becomes a slide
    small = brief.build(small_store, Filters(), ["element-overview", "perception-gap"])
    assert len(list(Presentation(io.BytesIO(export.brief_pptx(small))).slides)) == 4


@needs_browser
@needs_poppler
def test_the_command_line_writes_the_same_brief(sample_db: Path, tmp_path: Path):
    store = Store(sample_db)
    out = snapshots.export_to_file(
        store,
        "pdf",
        ["element-overview", "segments-department"],
        tmp_path / "b.pdf",
        period="2026",
        segments=["department=Sales"],
    )
    text = _pdf_text(out)
    assert "1 Jan 2026 to 20 Nov 2026" in text
    assert "department Sales; mentees' ratings and session notes" in text


def test_a_survey_only_programme_is_briefed_on_what_it_has(tmp_path: Path):
    """A lead with a roster and one pulse survey, no session log: the brief names the one source
    it has, its table has no rows of "not shown" for notes, and the response rate is counted from
    the number invited (34 of 40)."""
    from analysis.ingest import load
    from analysis.ingest.mapping import FileFacts

    store = Store(tmp_path / "lead.duckdb")
    lead = ROOT / "tests" / "data" / "lead"
    load.ingest_file(store, lead / "roster.csv")
    load.ingest_file(store, lead / "mentoring-pulse.csv", facts=FileFacts(invited_count=40))
    made = brief.build(store, Filters(), list(brief.DEFAULT_CHARTS), "Pulse")
    assert made.scope == "the whole program; mentees' ratings (no session notes in this view)"
    assert set(made.standing["source"]) == {"Mentees' ratings"}
    assert len(made.standing) == 4
    assert dict(made.facts)["Response rate"] == "85%"
    assert dict(made.facts)["Mentees who answered"] == "34"
    assert "34 of the 40 mentees invited answered (85%" in made.summary[0]
    # 34 answers cannot separate four elements: the brief says so rather than ranking them
    assert any("cannot tell the four elements apart" in s for s in made.summary)
    assert not any("is the least common element" in s for s in made.summary)
