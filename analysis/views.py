"""What each page, the command line and the exports show: queries combined with metrics, so the
same numbers reach the screen, the JSON summary and the leadership brief."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from analysis import metrics, queries
from analysis.model import DEFAULT_SETTINGS, ELEMENT_LABELS, ELEMENTS, Settings
from analysis.queries import Filters
from analysis.store import Store


def element_overview(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Frequency and coverage per element, with every n behind them."""
    counts = queries.mentor_element_counts(store, filters, settings)
    people = queries.element_people(store, filters, settings)
    return metrics.element_summary(counts, people, settings)


def summary(store: Store, settings: Settings = DEFAULT_SETTINGS) -> dict[str, object]:
    """The `summary --json` document: whole program, no filters."""
    filters = Filters()
    as_of = queries.as_of_date(store)
    counts = queries.headline_counts(store, filters, as_of, settings)
    overview = element_overview(store, filters, settings).set_index("element")
    return {
        "mentor_count": counts["mentor_count"],
        "session_count": counts["session_count"],
        "response_count": counts["response_count"],
        "elements": {
            element: {
                "frequency_pct": _plain(overview.at[element, "frequency_pct"]),
                "coverage_pct": _plain(overview.at[element, "coverage_pct"]),
                "mentors_measured": int(overview.at[element, "mentors_measured"]),
                "observation_count": int(overview.at[element, "observation_count"]),
            }
            for element in ELEMENTS
        },
    }


def _plain(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


@dataclass
class Headline:
    as_of: date | None
    counts: dict[str, int]


def headline(store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS) -> Headline:
    as_of = queries.as_of_date(store)
    return Headline(as_of=as_of, counts=queries.headline_counts(store, filters, as_of, settings))


def mentor_rates(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Per measured mentor and element, rate with interval; survey detail only behind enough people."""
    counts = queries.mentor_element_counts(store, filters, settings)
    shown = metrics.mentor_view_counts(counts, settings)
    rates = metrics.mentor_rates(shown, settings)
    names = queries.mentor_directory(store, filters).set_index("mentor_id")["display_name"]
    rates["mentor_name"] = rates["mentor_id"].map(names)
    return rates.merge(
        shown[["mentor_id", "element", "survey_hidden"]], on=["mentor_id", "element"]
    )


def perception_gap(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    survey_only = Filters(**{**filters.__dict__, "source": "surveys"})
    mentee = element_overview(
        store, Filters(**{**survey_only.__dict__, "roles": ("mentee",)}), settings
    )
    self_view = element_overview(
        store, Filters(**{**survey_only.__dict__, "roles": ("mentor_self",)}), settings
    )
    return metrics.perception_gap(mentee, self_view)


def trend(
    store: Store, filters: Filters, grain: str, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    return metrics.period_changes(queries.element_trend(store, filters, grain, settings), settings)


def segment_heatmap(
    store: Store, filters: Filters, segment: str, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    return metrics.suppress_cells(
        queries.segment_element_cells(store, filters, segment, settings), settings
    )


SOURCE_NAMES = {
    "survey_item": "Survey question",
    "session_note": "Session notes",
    "survey_comment": "Survey comments",
}


def element_sources(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Which survey questions, notes and comments feed each element, with their counts; a row
    behind fewer than the anonymity minimum of mentors or respondents keeps its name, not its
    numbers."""
    rows = queries.element_sources(store, filters, settings)
    rows["segment_value"] = rows["source"] + "|" + rows["item_text"].fillna("")
    rows = metrics.suppress_cells(rows, settings)
    rows["concern_count"] = rows["concern_count"].astype("Int64").mask(rows["suppressed"])
    rows["source"] = rows["source"].map(SOURCE_NAMES)
    rows["element"] = rows["element"].map(ELEMENT_LABELS)
    return rows[
        [
            "element",
            "source",
            "item_text",
            "observation_count",
            "shown_count",
            "frequency_pct",
            "concern_count",
            "reason",
        ]
    ]


def segment_choices(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> list[str]:
    """Roster segments first, then each segment column mapped in a survey."""
    return queries.segment_choices(store)


def coaching(store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    counts = queries.mentor_element_counts(store, filters, settings)
    population = element_overview(store, filters, settings)
    priorities = metrics.coaching_priorities(
        metrics.mentor_view_counts(counts, settings), population, settings
    )
    names = queries.mentor_directory(store, filters).set_index("mentor_id")["display_name"]
    priorities["mentor_name"] = priorities["mentor_id"].map(names)
    return priorities


@dataclass
class ProgramHealth:
    as_of: date | None
    numbers: dict[str, float | int | None]
    at_risk: pd.DataFrame
    response_rates: pd.DataFrame
    mentors_without_sessions: pd.DataFrame


def program_health(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> ProgramHealth:
    as_of = queries.as_of_date(store)
    rates = metrics.response_rates(queries.survey_response_rates(store))
    if as_of is None:
        empty = pd.DataFrame()
        return ProgramHealth(None, {}, empty, rates, empty)
    pairs = queries.pair_activity(store, filters, as_of)
    gaps = queries.session_gap_days(store, filters, as_of)
    mentors = queries.mentor_session_counts(store, filters, as_of)
    numbers = metrics.program_health(pairs, gaps, mentors, as_of, settings)
    at_risk = metrics.at_risk_pairs(pairs, as_of, settings)
    return ProgramHealth(as_of, numbers, at_risk, rates, mentors[mentors["session_count"] == 0])


def evidence(
    store: Store,
    filters: Filters,
    element: str,
    value: int = 1,
    limit: int = 50,
    settings: Settings = DEFAULT_SETTINGS,
) -> pd.DataFrame:
    """The notes, comments and answers behind an element figure, newest first, without names.
    Empty when the filtered group is behind too few people to show."""
    people = queries.element_people(store, filters, settings).set_index("element")
    if element not in people.index or metrics.group_too_small(
        int(people.at[element, "mentor_count"]),
        int(people.at[element, "respondent_count"]),
        settings,
    ):
        return pd.DataFrame(
            columns=["observed_on", "source", "respondent_role", "element", "value", "evidence"]
        )
    found = queries.evidence_snippets(store, filters, element, value, None, limit, settings)
    return found.drop(columns=["mentor_id"])


@dataclass
class MentorDetail:
    rates: pd.DataFrame
    population: pd.DataFrame
    views_compared: pd.DataFrame
    mentee_view_hidden: bool
    evidence: pd.DataFrame
    concerns: pd.DataFrame


def mentor_detail(
    store: Store, filters: Filters, mentor_id: str, settings: Settings = DEFAULT_SETTINGS
) -> MentorDetail:
    """One mentor against the population: their rates, their self-view against their mentees' view
    (the mentees' side only when enough of them answered), and the evidence behind each figure."""
    counts = queries.mentor_element_counts(store, filters, settings)
    mine = metrics.mentor_view_counts(counts[counts["mentor_id"] == mentor_id], settings)
    rates = metrics.mentor_rates(mine, settings)
    population = element_overview(store, filters, settings)

    def survey_side(roles: tuple[str, ...]) -> pd.DataFrame:
        scoped = Filters(**{**filters.__dict__, "source": "surveys", "roles": roles})
        part = queries.mentor_element_counts(store, scoped, settings)
        return part[(part["mentor_id"] == mentor_id) & (part["source_kind"] == "survey")]

    mentee = survey_side(("mentee",))
    self_view = survey_side(("mentor_self",))
    hidden = bool(len(mentee)) and int(mentee["respondent_count"].max()) < settings.anonymity_min
    rows = []
    for element in ELEMENTS:
        m = mentee[mentee["element"] == element]
        s = self_view[self_view["element"] == element]
        rows.append(
            {
                "element": element,
                "mentee_pct": None
                if hidden or m.empty
                else metrics.share_pct(
                    int(m["shown_count"].sum()), int(m["observation_count"].sum())
                ),
                "mentee_n": None if hidden else int(m["observation_count"].sum()),
                "self_pct": None
                if s.empty
                else metrics.share_pct(
                    int(s["shown_count"].sum()), int(s["observation_count"].sum())
                ),
                "self_n": int(s["observation_count"].sum()),
            }
        )
    snippets = []
    for value in (1, -1):
        for element in ELEMENTS:
            found = queries.evidence_snippets(
                store, filters, element, value, mentor_id, 20, settings
            )
            if hidden:
                found = found[found["source"] == "session_note"]
            snippets.append(found)
    evidence = pd.concat(snippets, ignore_index=True).drop(columns=["mentor_id"])
    return MentorDetail(
        rates=rates,
        population=population,
        views_compared=pd.DataFrame(rows),
        mentee_view_hidden=hidden,
        evidence=evidence[evidence["value"] == 1],
        concerns=evidence[evidence["value"] == -1],
    )


def mentor_list(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    return queries.mentor_directory(store, filters)


def history(store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """Every load, newest first (filters do not apply; the signature matches the other views)."""
    return queries.ingest_history(store)


def identity_issues(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Unattributed rows, mentors outside the roster, roster disagreements (filters do not apply)."""
    return queries.identity_issues(store)


def rejected_rows(
    store: Store, filters: Filters, batch_id: int, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    return queries.rejected_rows_of_batch(store, batch_id)
