"""Segment columns mapped in a survey (the respondent's team) become heatmap segments of their own,
with the same suppression as the roster's; numbers checked by hand."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from analysis import charts, queries, snapshots, views
from analysis.errors import MentoringError
from analysis.ingest.load import ingest_file
from analysis.model import DEFAULT_SETTINGS, Settings
from analysis.queries import Filters
from analysis.store import Store
from tests.conftest import ROOT, SMALL

FEEDBACK = ROOT / "tests" / "data" / "segments" / "feedback-by-team.csv"


@pytest.fixture
def team_store(tmp_path: Path) -> Store:
    store = Store(tmp_path / "teams.duckdb")
    ingest_file(store, SMALL / "participants.csv")
    report = ingest_file(store, FEEDBACK)
    assert report.rows_loaded == 15
    return store


def _cells(store: Store, settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    cells = views.segment_heatmap(store, Filters(), "respondent:department", settings)
    return cells[cells["element"] == "trust"].set_index("segment_value")


def test_a_survey_segment_column_is_offered_as_a_segment(team_store: Store):
    assert queries.segment_choices(team_store) == [
        "department",
        "cohort",
        "location",
        "respondent:department",
    ]
    assert queries.segment_label("respondent:department") == "respondents' department"


def test_respondent_segment_cells_match_the_hand_count(team_store: Store):
    # Alpha: 7 answers from 7 respondents about 6 mentors; SA, A, A, SA, A favourable, N and D not:
    # 5/7 = 71.4%. Beta: 6 answers, A and A favourable: 2/6 = 33.3%. Gamma: 2 answers, both SA: 100%.
    cells = _cells(team_store, Settings(anonymity_min=1))
    assert cells["observation_count"].to_dict() == {"Alpha": 7, "Beta": 6, "Gamma": 2}
    assert cells["shown_count"].to_dict() == {"Alpha": 5, "Beta": 2, "Gamma": 2}
    assert cells["frequency_pct"].round(1).to_dict() == {
        "Alpha": 71.4,
        "Beta": 33.3,
        "Gamma": 100.0,
    }


def test_small_respondent_groups_are_suppressed_with_their_complement(team_store: Store):
    cells = _cells(team_store)
    # Gamma (2 respondents) is under 5; Beta, the next smallest, is hidden too, or Gamma would
    # follow from the total and Alpha.
    assert cells.loc["Alpha", "frequency_pct"] == pytest.approx(100 * 5 / 7)
    assert cells.loc[["Beta", "Gamma"], "frequency_pct"].isna().all()
    assert cells.loc[["Beta", "Gamma"], "suppressed"].all()
    assert cells.loc[["Beta", "Gamma"], "shown_count"].isna().all()


def test_the_respondent_segment_chart_is_built_and_titled_in_words(team_store: Store):
    chart = snapshots.build("segments-respondent:department", team_store, Filters())
    assert chart.title == "By respondents' department"
    assert chart.headline.startswith("Only Alpha is large enough to show")
    hidden, shown = chart.figure.data
    assert list(shown.y) == ["Alpha", "Beta", "Gamma"]
    assert shown.z[0][0] == pytest.approx(71.4, abs=0.05) and shown.z[1][0] is None
    assert hidden.text[1][0] == hidden.text[2][0] == "fewer than 5"
    with pytest.raises(MentoringError, match="no segment column called 'tenure'|called 'tenure'"):
        snapshots.build("segments-respondent:tenure", team_store, Filters())


def test_the_segments_page_offers_the_survey_segment(team_store: Store, monkeypatch):
    monkeypatch.setenv("MENTORING_DB", str(team_store.path))
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=90)
    at.run()
    at.switch_page("pages/segments.py")
    at.run()
    control = at.get("button_group")[0]
    assert control.options == ["Department", "Cohort", "Location", "Respondents' department"]
    assert not at.exception


def test_namesakes_get_a_row_each_in_the_mentor_heatmap():
    rates = pd.DataFrame(
        {
            "mentor_id": ["m1", "m2"],
            "mentor_name": ["Kai Nakamura", "Kai Nakamura"],
            "element": ["trust", "trust"],
            "rate_pct": [10.0, 90.0],
            "observation_count": [5, 5],
        }
    )
    figure = charts.mentor_heatmap(rates, names=True)
    assert list(figure.data[0].y) == ["Kai Nakamura", "Kai Nakamura (2)"]


def test_cooccurrence_headline_does_not_oversell_lifts_near_one():
    def lift(values: list[float]) -> pd.DataFrame:
        pairs = [("trust", "risk"), ("learning", "relationship")]
        return pd.DataFrame(
            {
                "element_a": [a for a, _ in pairs],
                "element_b": [b for _, b in pairs],
                "label_a": ["Trust & confidence", "Learning from everything"],
                "label_b": ["Risk-taking", "Process & relationship"],
                "lift": values,
                "both_count": [40, 60],
            }
        )

    near = charts.cooccurrence(lift([0.95, 1.04]))
    assert near.layout.title.text.startswith("No two elements appear together much more")
    assert near.data[0].zmin == 0.5 and near.data[0].zmax == 1.5
    strong = charts.cooccurrence(lift([0.95, 1.8]))
    assert strong.layout.title.text.replace("<br>", " ") == (
        "Learning from everything and process &amp; relationship appear together most often: "
        "1.8x what chance predicts"
    )
