"""Issue 16's plain language and honest small data on the Mentors, Segments, Trends, Elements,
Health and Upload pages, through Streamlit's AppTest on real databases: one message per cause,
the mentor in the URL, period presets, readable tables and the favourable answers named."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analysis import readiness, views
from analysis.ingest.load import ingest_file
from analysis.queries import Filters
from analysis.store import Store
from tests.conftest import ROOT, copy_database
from tests.test_sign_in_pages import AUTH, ROLES, menu_opening_admin_pages_to_viewers

PAGES = ["elements", "trends", "segments", "health", "mentors", "upload", "methodology"]


def _open(db: Path, page: str | None, monkeypatch: pytest.MonkeyPatch, **params) -> AppTest:
    monkeypatch.setenv("MENTORING_DB", str(db))
    st.cache_data.clear()
    st.cache_resource.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=180)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(f"pages/{page}.py")
        at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


@pytest.fixture(scope="module")
def sample_copy(sample_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample, read-only in these tests (one copy for the module)."""
    return copy_database(sample_db, tmp_path_factory.mktemp("polish") / "sample.duckdb")


def _infos(at: AppTest) -> list[str]:
    return [i.value for i in at.info]


def _everything_said(at: AppTest) -> str:
    parts = [x.value for x in (*at.title, *at.markdown, *at.caption, *at.info, *at.warning)]
    parts += [x.value for x in (*at.success, *at.error)]
    parts += [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    return "\n".join(str(p) for p in parts)


# -- A. Honest small data ----------------------------------------------------------------------


def test_a_mentor_named_in_a_pulse_gets_only_the_real_reason(small_db: Path, monkeypatch):
    at = _open(small_db, "mentors", monkeypatch)
    said = _infos(at)
    assert said == [
        "0 of 6 mentors have 5 or more mentees answering: this data cannot compare mentors with "
        "each other, so no one can be listed for coaching.",
        "Fewer than 5 mentees answered about Ana Moreno, and none of their session notes are in "
        "view: nothing about this mentor can be shown without pointing at the mentees who "
        "answered.",
    ]
    text = _everything_said(at)
    assert "No observations" not in text and "Widen the period" not in text
    assert text.count("Fewer than 5 mentees answered") == 1
    # and the coaching list does not claim that nobody is below the benchmark: nobody was tested
    assert "No mentor is below the benchmark" not in text


def test_the_mentor_dropdown_opens_on_a_mentor_with_data(small_db: Path, monkeypatch, tmp_path):
    """Aaron Abbot comes first by name but has nothing in view."""
    roster = tmp_path / "aaron.csv"
    roster.write_text(
        "Name,Email,Role,Department,Location,Cohort\n"
        "Aaron Abbot,aaron.abbot@example.org,Mentor,Sales,London,2026 Spring\n",
        encoding="utf-8",
    )
    ingest_file(Store(small_db), roster)
    at = _open(small_db, "mentors", monkeypatch)
    mentor = at.selectbox(key="mentor")
    assert mentor.options[0] == "Aaron Abbot"
    assert mentor.value == "mentor:ana.moreno@example.org"  # the first with answers in view


def test_the_sample_opens_on_the_first_mentor_whose_scorecard_shows(sample_copy, monkeypatch):
    at = _open(sample_copy, "mentors", monkeypatch)
    ready = readiness.mentors(Store(sample_copy), _sidebar_filters(at))
    people = ready.people.set_index("mentor_id")
    chosen = at.selectbox(key="mentor").value
    assert bool(people.at[chosen, "shows"])
    assert people.at[chosen, "display_name"] == min(people.loc[people["shows"], "display_name"])
    assert at.get("plotly_chart")  # a scorecard is drawn


def _sidebar_filters(at: AppTest) -> Filters:
    start, end = at.sidebar.date_input(key="period").value
    return Filters(start=start, end=end)


def test_segments_filtered_to_one_department_say_outside_the_filter_not_hidden(
    sample_copy, monkeypatch
):
    at = _open(sample_copy, "segments", monkeypatch, department="Sales")
    assert _infos(at) == [
        "Only Sales is in view: the department filter leaves out every other department, so "
        "there is nothing to compare it with. Clear that filter to compare departments."
    ]
    title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    assert title == "Only Sales is in view, so there is no other department to compare it with"


def test_segments_keep_hidden_for_real_suppression_with_the_privacy_reason(
    small_db: Path, monkeypatch
):
    at = _open(small_db, "segments", monkeypatch, department="Sales")
    said = _infos(at)
    assert said[0].startswith("Only Sales is in view: the department filter leaves out")
    assert (
        said[1] == "Sales is hidden to protect anonymity (fewer than 5 mentors are in this view)."
    )


def test_a_one_month_view_says_a_trend_needs_two(sample_copy, monkeypatch):
    at = _open(sample_copy, "trends", monkeypatch, period=["2026-03-01", "2026-03-31"])
    said = _infos(at)
    assert said[0] == (
        "Only one month (March 2026) has session notes in view: a trend needs at least two months."
    )
    assert "No mentees' survey answers are in view, so there are no waves to compare." in said


def test_an_elements_view_hidden_by_the_privacy_rule_says_so(small_db: Path, monkeypatch):
    at = _open(small_db, "elements", monkeypatch, department="Sales")
    assert _infos(at) == [
        "This view is hidden to protect anonymity: fewer than 5 mentors are in this view."
    ]
    assert not at.warning  # no "No observations match these filters" beside it


def test_health_without_a_session_log_does_not_call_every_pair_at_risk(tmp_path, monkeypatch):
    store = Store(tmp_path / "pulse.duckdb")
    for name in ("roster.csv", "mentoring-pulse.csv"):
        ingest_file(store, ROOT / "tests" / "data" / "identity" / name)
    at = _open(store.path, "health", monkeypatch)
    assert _infos(at) == [
        "No session is logged for any of the 8 mentors in view: pair activity cannot be "
        "measured until a session log is loaded."
    ]
    assert not at.metric and not at.get("plotly_chart")
    assert "at risk" not in _everything_said(at).lower().replace("pairs at risk", "")


# -- B. Plain language -------------------------------------------------------------------------


def test_favourable_answers_are_named_in_the_surveys_labels(tmp_path, monkeypatch):
    store = Store(tmp_path / "pulse.duckdb")
    for name in ("roster.csv", "mentoring-pulse.csv"):
        ingest_file(store, ROOT / "tests" / "data" / "identity" / name)
    at = _open(store.path, "methodology", monkeypatch)
    assert (
        "**In the surveys loaded now**: A survey answer counts as favourable when it is Agree or "
        "Strongly agree (Disagree or Strongly disagree on questions worded negatively)."
    ) in [m.value for m in at.markdown]
    at = _open(store.path, "trends", monkeypatch)
    assert any("Agree or Strongly agree" in c.value for c in at.caption)
    assert "top quarter" not in _everything_said(at)


def _shown_names(frame) -> list[str]:
    """The column headers a person sees: the configured label, else the column's name."""
    config = json.loads(frame.proto.columns or "{}")
    names = []
    for column in frame.value.columns:
        entry = config.get(str(column), {})
        if entry.get("hidden"):
            continue
        names.append(entry.get("label") or str(column))
    return names


@pytest.mark.parametrize("page", PAGES)
def test_every_table_has_readable_column_names(sample_copy, monkeypatch, page):
    at = _open(sample_copy, page, monkeypatch)
    if page == "mentors":  # the scorecard's numbers
        assert [df for df in at.dataframe if "rate_pct" in df.value.columns]
    for frame in at.dataframe:
        for name in _shown_names(frame):
            assert not re.search(r"[a-z]_[a-z]", name), f"{page}: a raw column name {name!r}"


def test_history_and_scorecard_headers_read_as_words(sample_copy, monkeypatch):
    upload = _open(sample_copy, "upload", monkeypatch)
    history = next(df for df in upload.dataframe if "format_label" in df.value.columns)
    assert _shown_names(history)[:4] == ["Load", "File", "What", "Format"]
    assert set(history.value["kind"]) == {"Survey export", "Session log", "Participant roster"}
    mentors = _open(sample_copy, "mentors", monkeypatch)
    numbers = next(df for df in mentors.dataframe if "raw_pct" in df.value.columns)
    assert "Rate (partially pooled)" in _shown_names(numbers)
    assert set(numbers.value["source_kind"]) <= {"Session notes", "Mentees' ratings"}


def test_the_coaching_list_can_be_narrowed_to_one_element(sample_copy, monkeypatch):
    at = _open(sample_copy, "mentors", monkeypatch)
    listed = next(df for df in at.dataframe if "q_value" in df.value.columns).value
    assert len(set(listed["label"])) > 1
    at.multiselect(key="coach-elements").set_value(["risk"]).run()
    narrowed = next(df for df in at.dataframe if "q_value" in df.value.columns).value
    coaching = views.coaching(Store(sample_copy), _sidebar_filters(at))
    assert set(narrowed["label"]) == {"Risk-taking"}
    assert len(narrowed) == min(60, int((coaching["element"] == "risk").sum()))


def test_a_link_opens_the_mentor_it_names(sample_copy, monkeypatch):
    at = _open(
        sample_copy, "mentors", monkeypatch, mentor="Kai Nakamura (kai.nakamura2@example.org)"
    )
    assert at.selectbox(key="mentor").value == "mentor:kai.nakamura2@example.org"
    assert not any("not among the mentors" in i for i in _infos(at))
    title = json.loads(at.get("plotly_chart")[0].proto.spec)["layout"]["title"]["text"]
    assert title.startswith("Kai Nakamura: ")


@pytest.mark.parametrize(
    "params",
    [
        {"mentor": "Nobody Whatsoever"},
        # Ana Moreno is in Sales: a link with Finance's filter cannot open her
        {"mentor": "Ana Moreno", "department": "Finance"},
    ],
)
def test_a_link_to_a_mentor_not_in_view_opens_the_default_without_error_or_echo(
    small_db: Path, monkeypatch, params
):
    at = _open(small_db, "mentors", monkeypatch, **params)
    ready = readiness.mentors(
        Store(small_db),
        Filters(
            start=date(2026, 4, 1), end=date(2026, 6, 30), departments=(params.get("department"),)
        )
        if "department" in params
        else Filters(),
    )
    assert at.selectbox(key="mentor").value == ready.default_mentor()
    said = [i for i in _infos(at) if "link" in i]
    assert len(said) == 1 and said[0].startswith("The mentor in this link is not among the mentors")
    assert params["mentor"] not in _everything_said(at).replace(
        ready.labels()[ready.default_mentor()], ""
    )


def test_a_viewer_with_a_mentor_link_is_refused_and_sees_no_name(
    small_db: Path, tmp_path: Path, monkeypatch
):
    roles = tmp_path / "roles.toml"
    roles.write_text(ROLES, encoding="utf-8")
    monkeypatch.setenv("MENTORING_ROLES", str(roles))
    monkeypatch.setenv("MENTORING_DB", str(small_db))
    st.cache_data.clear()
    # the menu wrongly lists the Mentors page for viewers: the page still refuses
    at = AppTest.from_file(str(menu_opening_admin_pages_to_viewers(tmp_path)), default_timeout=90)
    at.secrets["auth"] = AUTH
    at.user = {"is_logged_in": True, "email": "lee@example.com"}
    at.query_params["mentor"] = "Ana Moreno"
    at.run()
    at.switch_page("pages/mentors.py")
    at.run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Not authorised"]
    assert not [s for s in at.selectbox if s.key == "mentor"]
    assert "Ana Moreno" not in _everything_said(at)


def test_a_period_preset_sets_the_period_and_is_named_back_from_the_url(sample_copy, monkeypatch):
    at = _open(sample_copy, "segments", monkeypatch)
    presets = at.sidebar.get("button_group")[0]
    assert presets.options == ["Last quarter", "This year", "Last 12 months", "All data"]
    assert presets.value == "All data"
    assert any(
        "Counted back from the latest data (20 Nov 2026), not from today." == c.value
        for c in at.sidebar.caption
    )
    presets.set_value("Last quarter").run()
    assert at.sidebar.date_input(key="period").value == (date(2026, 7, 1), date(2026, 9, 30))
    # another range typed by hand is no preset
    at.sidebar.date_input(key="period").set_value((date(2026, 2, 1), date(2026, 5, 31))).run()
    assert at.sidebar.get("button_group")[0].value is None
    # the preset's dates in a link open with the preset named
    linked = _open(sample_copy, "segments", monkeypatch, period=["2026-07-01", "2026-09-30"])
    assert linked.sidebar.get("button_group")[0].value == "Last quarter"
    assert linked.sidebar.date_input(key="period").value == (date(2026, 7, 1), date(2026, 9, 30))
