"""Every page, run by Streamlit's AppTest on the hand-checkable program, shows the right numbers."""

from __future__ import annotations

import base64
import html
import json
from pathlib import Path

import numpy as np
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


@pytest.fixture
def app(small_db: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("MENTORING_DB", str(small_db))
    st.cache_data.clear()
    st.cache_resource.clear()

    def open_page(page: str | None = None) -> AppTest:
        at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
        at.run()
        if page:
            at.switch_page(f"pages/{page}.py")
            at.run()
        assert not at.exception, [e.message for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        return at

    return open_page


def _metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def _plain(value):
    """Plotly ships numeric arrays as {'dtype', 'bdata'} (base64); turn them back into lists."""
    if isinstance(value, dict):
        if set(value) >= {"dtype", "bdata"}:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            shape = value.get("shape")
            if isinstance(shape, str):
                shape = [int(part) for part in shape.split(",")]
            return array.reshape(shape).tolist() if shape else array.tolist()
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _figures(at: AppTest) -> list[dict]:
    return [_plain(json.loads(chart.proto.spec)) for chart in at.get("plotly_chart")]


def test_overview_shows_headline_figures_and_the_four_elements(app):
    at = app()
    assert _metrics(at) == {
        "Mentors": "6",
        "Mentees": "10",
        "Active pairs": "3",
        "Sessions, last 30 days": "4",
        "Survey responses": "10",
    }
    figure = _figures(at)[0]
    # Only mentees' ratings: the fixture's sessions carry no notes, so that source draws nothing.
    # one bar trace and its label trace (the figure and n written past the interval)
    ratings, labels = figure["data"]
    assert ratings["name"] == "Mentees' ratings"
    assert list(ratings["y"]) == [
        "Trust & confidence",
        "Risk-taking",
        "Learning from everything",
        "Process & relationship",
    ]
    assert list(ratings["x"]) == [70.0, 40.0, 62.5, 60.0]
    # each bar carries its mentor-clustered interval (trust: 30.3-92.6, see test_stats)
    assert labels["text"][0] == "70% [30-93]  n=10"
    assert labels["x"][0] == pytest.approx(92.6 + 1.5, abs=0.1)
    # 40% on 10 answers from 6 mentors is not distinguishable from the next element: no claim
    assert html.unescape(figure["layout"]["title"]["text"].replace("<br>", " ")) == (
        "In mentees' ratings, risk-taking (40%) and process & relationship (60%) are not "
        "distinguishable; see the intervals"
    )
    derivation = " ".join(m.value for m in at.markdown)
    assert "7 of 10 = **70.0%** (95% interval 30.3-92.6%) from 6 mentors" in derivation


def test_overview_lists_the_questions_behind_each_element_with_their_counts(app):
    at = app()
    sources = next(df.value for df in at.dataframe if "item_text" in df.value.columns)
    by_element = sources.set_index("element")
    # One question per element in the fixture; each answer is an observation, N/A is not:
    # trust 7 of 10 favourable, risk 4 of 10, learning 5 of 8 (one N/A, one blank), relationship
    # 6 of 10.
    assert by_element.loc["Trust & confidence", "item_text"] == (
        "My mentor tells me the result and the deadline, then leaves the how to me"
    )
    assert by_element["observation_count"].to_dict() == {
        "Learning from everything": 8,
        "Process & relationship": 10,
        "Risk-taking": 10,
        "Trust & confidence": 10,
    }
    assert by_element["shown_count"].to_dict() == {
        "Learning from everything": 5,
        "Process & relationship": 6,
        "Risk-taking": 4,
        "Trust & confidence": 7,
    }
    assert set(sources["source"]) == {"Survey question"}


def test_overview_filtered_to_a_small_department_hides_element_figures(app):
    at = app()
    at.sidebar.multiselect(key="department").set_value(["Sales"]).run()
    assert not at.exception
    assert _metrics(at)["Mentors"] == "3"
    derivation = " ".join(m.value for m in at.markdown)
    assert (
        "Trust & confidence**, mentees' ratings: not shown (fewer than 5 mentors are in this view)"
        in derivation
    )


def test_methodology_states_the_thresholds_in_force(app):
    at = app("methodology")
    text = " ".join(m.value for m in at.markdown)
    for fragment in ("0.75", "at least **3**", "**50%**", "fewer than **5**"):
        assert fragment in text


def test_elements_page_shows_frequency_and_coverage_table(app):
    at = app("elements")
    table = at.dataframe[0].value
    ratings = table[table["source_label"] == "Mentees' ratings"]
    assert ratings["pct"].tolist() == [70.0, 40.0, 62.5, 60.0]
    assert ratings["observation_count"].tolist() == [10, 10, 8, 10]
    assert ratings["coverage_pct"].notna().all()
    notes = table[table["source_label"] == "Session notes"]
    assert notes["pct"].isna().all() and set(notes["reason"]) == {"no data"}
    # Six mentors with at most 2 answers each per element: no mentor reaches the 3 observations a
    # rate needs, there are no notes or comments, and no mentor rated themselves. The two charts of
    # mentors' own rates share one cause, said once; the other two charts each say why they are
    # empty, in words instead of an empty frame.
    assert _figures(at) == []
    said = [i.value for i in at.info]
    assert len(said) == 3
    assert said[0].startswith("No mentor has session notes in view, so how mentors differ")
    assert any("perception gap" in line for line in said)


def test_program_health_page_shows_hand_computed_numbers(app):
    at = app("health")
    metrics = _metrics(at)
    assert metrics["Active pairs"] == "3 of 10"
    assert metrics["Sessions per pair per month"] == "0.27"
    assert metrics["Median days between sessions"] == "14.0"
    assert metrics["Pairs at risk"] == "6"
    assert metrics["Mentors with no sessions"] == "2 of 6"


def test_program_health_thresholds_can_be_changed_on_the_page(app):
    at = app("health")
    at.number_input(key="active_days").set_value(40).run()
    at.number_input(key="at_risk_days").set_value(30).run()
    metrics = _metrics(at)
    # Days since the last session on 28 June: Ben-Three 0, Ana-One 8, Femi-Seven 17, Chen-Four 39,
    # Ana-Two 79, and five pairs that never met. Active within 40 days: 4. At risk at 30+: Chen-Four,
    # Ana-Two and the five that never met = 7.
    assert metrics["Active pairs"] == "4 of 10"
    assert metrics["Pairs at risk"] == "7"


def test_segments_page_hides_groups_under_five(app):
    at = app("segments")
    figure = _figures(at)[0]
    hidden, shown = figure["data"]
    # Sales and Finance both have 3 mentors: every cell is a grey "fewer than 5", none has a number.
    assert hidden["name"] == "hidden" and shown["name"] == "shown"
    assert hidden["text"] == [["fewer than 5"] * 4] * 2
    assert all(z is None for row in shown["z"] for z in row)
    assert all(text == "" for row in shown["text"] for text in row)
    assert figure["layout"]["title"]["text"] == "Every department is too small to show on its own"


def test_trends_follow_session_notes_and_compare_survey_answers_by_wave(app):
    at = app("trends")
    # The fixture's sessions have no notes: the month-by-month line has nothing to draw and says so
    # (once, up front), rather than jumping with the survey month.
    said = [i.value for i in at.info]
    assert said[0] == "No session notes are in view, so there is no trend to draw."
    assert not any("Trend by month" in line for line in said)
    # One survey month is one wave: it is drawn, and said not to be comparable yet.
    assert said[1] == "Only one survey wave (2026 Q2) is in view: waves cannot be compared yet."
    (waves,) = _figures(at)
    assert waves["layout"]["xaxis"]["type"] == "category"
    # All ten responses came in June 2026, one wave: the hand-computed favourable shares.
    heights = {trace["name"]: trace["y"] for trace in waves["data"]}
    assert heights == {
        "Trust & confidence": [70.0],
        "Risk-taking": [40.0],
        "Learning from everything": [62.5],
        "Process & relationship": [60.0],
    }


def test_trends_of_survey_answers_by_month_when_asked_for(small_db: Path, monkeypatch):
    monkeypatch.setenv("MENTORING_DB", str(small_db))
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.query_params["source"] = "Surveys only"
    at.run()
    at.switch_page("pages/trends.py")
    at.run()
    trend = _figures(at)[0]
    assert trend["layout"]["title"]["text"]
    june = {t["name"]: t["y"] for t in trend["data"] if t.get("mode") == "lines+markers"}
    assert june == {
        "Trust & confidence": [70.0],
        "Risk-taking": [40.0],
        "Learning from everything": [62.5],
        "Process & relationship": [60.0],
    }


def test_mentors_page_lists_mentors_and_hides_mentee_view_behind_few_respondents(app):
    at = app("mentors")
    assert at.selectbox(key="mentor").options
    info = " ".join(i.value for i in at.info)
    assert "Fewer than 5 mentees answered" in info
    compared = next(df.value for df in at.dataframe if "mentee_pct" in df.value.columns)
    # Neither the mentees' share nor how many of them answered is shown for a hidden view.
    assert compared["mentee_pct"].isna().all() and compared["mentee_n"].isna().all()


def test_upload_page_shows_the_ingest_history(app):
    at = app("upload")
    history = [df.value for df in at.dataframe if "file_name" in df.value.columns]
    assert history and set(history[0]["file_name"]) == {
        "participants.csv",
        "sessions.csv",
        "mentee-feedback.csv",
    }


def test_brief_page_offers_every_named_chart(app):
    at = app("brief")
    assert len(at.multiselect(key="brief-charts").options) == 13


@pytest.mark.parametrize(
    "page", ["overview", "elements", "trends", "segments", "health", "mentors", "brief"]
)
def test_filters_that_leave_nothing_give_a_plain_empty_state_not_an_empty_chart(
    small_db: Path, monkeypatch: pytest.MonkeyPatch, page: str
):
    """Finance's two mentors logged no sessions, so 'Finance, sessions only' leaves nothing."""
    monkeypatch.setenv("MENTORING_DB", str(small_db))
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.query_params["department"] = "Finance"
    at.query_params["source"] = "Sessions only"
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.multiselect(key="department").value == ["Finance"]
    for figure in _figures(at):
        assert figure["data"], f"an empty chart on {page}: {figure['layout'].get('title')}"


def test_methodology_shows_the_rubric_and_rescores_when_it_changed(app, small_db: Path):
    from analysis.store import Store

    at = app("methodology")
    rubric = next(df.value for df in at.dataframe if "phrase or pattern" in df.value.columns)
    assert set(rubric["element"]) == {
        "Trust & confidence",
        "Risk-taking",
        "Learning from everything",
        "Process & relationship",
    }
    assert "stretch" in set(rubric["phrase or pattern"])
    learned = next(df.value for df in at.dataframe if "words" in df.value.columns)
    assert len(learned) == 8  # per element, shown and opposite
    shown = learned[
        (learned["element"] == "Process & relationship") & (learned["reading"] == "shown")
    ]
    assert shown["words"].item().startswith("how")
    assert not at.warning  # the fixture was read with the shipped rubric

    with Store(small_db).write() as con:
        con.execute("UPDATE meta SET value = 'an-older-rubric' WHERE key = 'rubric_hash'")
    at = app("methodology")
    assert "earlier version of the rubric" in at.warning[0].value
    at.button(key="rescore").click().run()
    assert "Re-scored" in at.success[0].value
    assert not app("methodology").warning


def test_segments_page_shows_the_evidence_behind_a_shown_cell_only(app):
    at = app("segments")
    # Both departments have 3 mentors: hidden, said once up front, and no evidence is offered.
    assert [i.value for i in at.info] == [
        "Every department in view is under the anonymity minimum (fewer than 5 mentors are in "
        "this view): this view cannot compare departments."
    ]
    assert not [s for s in at.selectbox if s.key == "segments-value"]
    at.get("button_group")[0].set_value("cohort").run()
    assert at.selectbox(key="segments-value").options == ["2026 Spring"]
    at.selectbox(key="segments-element").set_value("trust").run()
    evidence = next(df.value for df in at.dataframe if "evidence" in df.value.columns)
    # All six mentors are in the 2026 Spring cohort: the 7 favourable trust answers of 10.
    assert len(evidence) == 7
    assert set(evidence["source"]) == {"survey answer"}
    assert all(text.endswith(("Agree", "Strongly agree")) for text in evidence["evidence"])


@pytest.mark.parametrize(
    "page",
    ["overview", "elements", "trends", "segments", "health", "mentors", "upload", "brief"],
)
def test_every_page_works_on_an_empty_database(tmp_path: Path, monkeypatch, page: str):
    """After the sample is removed and before anything is loaded."""
    from analysis.store import Store

    db = tmp_path / "empty.duckdb"
    with Store(db).connect():
        pass  # creates the file with the schema, and nothing in it
    monkeypatch.setenv("MENTORING_DB", str(db))
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.run()
    at.switch_page(f"pages/{page}.py")
    at.run()
    assert not at.exception, [e.message for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    for figure in _figures(at):
        assert figure["data"], f"an empty chart on {page}"


def test_an_admin_sets_a_target_and_the_overview_compares_and_draws_it(app):
    at = app()
    at.number_input(key="target-trust-mentee_rating").set_value(60.0)
    next(b for b in at.button if b.label == "Save targets").click().run()
    assert not at.exception
    assert "Saved 1 target" in " ".join(s.value for s in at.success)
    table = next(df.value for df in at.dataframe if "against_target" in df.value.columns)
    trust = table[
        (table["element"] == "Trust & confidence") & (table["source"] == "Mentees' ratings")
    ]
    # 70% of 10 answers from 6 mentors (interval 30-93) cannot be told apart from 60%
    assert trust[["level", "target", "against_target"]].values.tolist() == [
        ["70% (30-93)", "60%", "not distinguishable from it"]
    ]
    # one survey round only: nothing to compare with
    assert trust["change"].iloc[0] == "no earlier survey round"
    marks = [t for t in _figures(at)[0]["data"] if t.get("name") == "Target"]
    assert len(marks) == 1 and marks[0]["x"][0] == 60.0
    assert at.number_input(key="target-trust-mentee_rating").value == 60.0
