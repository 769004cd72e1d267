"""One typed function per analysis/sql file: filters in, DataFrame out. Values are always bound."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from analysis import privacy
from analysis.model import DEFAULT_SETTINGS, Settings
from analysis.store import Store, load_sql

SOURCE_CHOICES: dict[str, tuple[str, ...]] = {
    "both": ("survey_item", "survey_comment", "session_note"),
    "surveys": ("survey_item", "survey_comment"),
    "sessions": ("session_note",),
}

# Headline figures count what mentees say and what mentors log; self-assessments are kept apart
# (they appear in the perception gap) because self-ratings run high.
HEADLINE_ROLES: tuple[str, ...] = ("mentee", "mentor_log")


@dataclass(frozen=True)
class Filters:
    """The shared sidebar filters. Empty tuples mean 'all'. Hashable, so it can key a cache.
    A period counts whole months (its start moves to the 1st, its end to the month's last day):
    a view that differs from another by a few days could give away a few people's answers."""

    start: date | None = None
    end: date | None = None
    departments: tuple[str, ...] = ()
    cohorts: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    source: str = "both"
    roles: tuple[str, ...] = HEADLINE_ROLES

    def __post_init__(self) -> None:
        if self.start is not None:
            object.__setattr__(self, "start", privacy.month_start(self.start))
        if self.end is not None:
            object.__setattr__(self, "end", privacy.month_end(self.end))

    def params(self) -> dict[str, Any]:
        return {
            "start": self.start,
            "end": self.end,
            "departments": list(self.departments) or None,
            "cohorts": list(self.cohorts) or None,
            "locations": list(self.locations) or None,
            "sources": list(SOURCE_CHOICES[self.source]),
            "roles": list(self.roles),
        }

    def level_sources(self) -> tuple[str, ...]:
        """The sources reported as levels for the sidebar's choice (self-assessments are shown
        only against mentees' ratings, in the perception gap)."""
        return {
            "both": ("mentee_rating", "session_note"),
            "surveys": ("mentee_rating",),
            "sessions": ("session_note",),
        }[self.source]

    def trend_source(self) -> str:
        """Over time the dashboard follows session notes (continuous); survey answers arrive in
        waves and are compared wave by wave. "Surveys only" draws mentees' ratings by period."""
        return "mentee_rating" if self.source == "surveys" else "session_note"

    def segment_params(self) -> dict[str, Any]:
        return {
            k: v for k, v in self.params().items() if k in ("departments", "cohorts", "locations")
        }

    def describe(self) -> str:
        """The filters in words, for captions and exported briefs."""
        parts = []
        if self.start or self.end:
            parts.append(f"{self.start or 'start'} to {self.end or 'latest'}")
        for label, values in (
            ("department", self.departments),
            ("cohort", self.cohorts),
            ("location", self.locations),
        ):
            if values:
                parts.append(f"{label}: {', '.join(values)}")
        parts.append(
            {
                "both": "surveys and session notes",
                "surveys": "surveys only",
                "sessions": "session notes only",
            }[self.source]
        )
        return "; ".join(parts)


MENTOR_SEGMENTS = ("department", "cohort", "location")
RESPONDENT_PREFIX = "respondent:"


def _with_observations(name: str) -> str:
    return f"WITH obs AS (\n{load_sql('observations')}\n)\n{load_sql(name)}"


def _with_chosen(name: str) -> str:
    return f"WITH chosen AS (\n{load_sql('mentor_filter')}\n)\n{load_sql(name)}"


def _obs_params(filters: Filters, settings: Settings) -> dict[str, Any]:
    return {**filters.params(), "favourable": settings.favourable_threshold}


_CACHE_SIZE = 64
_cache: OrderedDict[tuple[object, ...], pd.DataFrame] = OrderedDict()
_cache_lock = threading.Lock()


def _versioned(
    name: str, store: Store, sql: str, params: dict[str, Any], *key: object
) -> pd.DataFrame:
    """Run a per-source base query, or take its result from the last runs that asked the same of
    the same version of the same file: several views of one page ask it (levels, coverage,
    coaching, segments). Each caller gets its own copy."""
    version = store.version_key()
    memo = (name, *version, *key)
    with _cache_lock:
        if memo in _cache:
            _cache.move_to_end(memo)
            return _cache[memo].copy()
    found = store.query(sql, params)
    with _cache_lock:
        _cache[memo] = found
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return found.copy()


def _with_sources(name: str) -> str:
    """The query `name` over the CTE `src` (source_observations); a query with its own CTEs
    continues the WITH list."""
    body = "\n".join(line for line in load_sql(name).splitlines() if not line.startswith("--"))
    head = f"WITH src AS (\n{load_sql('source_observations')}\n)"
    if body.lstrip().upper().startswith("WITH "):
        return f"{head},\n{body.lstrip()[5:]}"
    return f"{head}\n{body}"


def _source_params(filters: Filters, settings: Settings) -> dict[str, Any]:
    return {
        **filters.segment_params(),
        "start": filters.start,
        "end": filters.end,
        "favourable": settings.favourable_threshold,
    }


def mentor_source_counts(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    return _versioned(
        "mentor_source_counts",
        store,
        _with_sources("mentor_source_counts"),
        _source_params(filters, settings),
        filters.start,
        filters.end,
        filters.departments,
        filters.cohorts,
        filters.locations,
        settings.favourable_threshold,
    )


def source_people(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Per element and source, the distinct mentors and survey respondents behind its figures."""
    mentors = (
        mentor_source_counts(store, filters, settings)
        .groupby(["element", "source_kind"], as_index=False)["mentor_id"]
        .nunique()
        .rename(columns={"mentor_id": "mentor_count"})
    )
    respondents = store.query(_with_sources("source_people"), _source_params(filters, settings))
    people = mentors.merge(respondents, on=["element", "source_kind"], how="left")
    people["respondent_count"] = people["respondent_count"].fillna(0).astype("int64")
    return people.sort_values(["element", "source_kind"], ignore_index=True)


def mentor_period_source_counts(
    store: Store, filters: Filters, grain: str, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    if grain not in ("month", "quarter"):
        raise ValueError(f"grain must be month or quarter, not {grain!r}")
    return _versioned(
        "mentor_period_source_counts",
        store,
        _with_sources("mentor_period_source_counts"),
        {**_source_params(filters, settings), "grain": grain},
        filters.start,
        filters.end,
        filters.departments,
        filters.cohorts,
        filters.locations,
        settings.favourable_threshold,
        grain,
    )


def event_cells(
    store: Store, filters: Filters, event_date: date, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    return store.query(
        _with_sources("event_cells"),
        {**_source_params(filters, settings), "event_date": event_date},
    )


def perception_pairs(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    return store.query(_with_sources("perception_pairs"), _source_params(filters, settings))


def mentor_element_counts(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    return store.query(_with_observations("mentor_element_counts"), _obs_params(filters, settings))


def element_people(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    return store.query(_with_observations("element_people"), _obs_params(filters, settings))


def respondent_segment_cells(
    store: Store, filters: Filters, segment: str, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Per value of a segment column mapped in a survey ('respondent:<name>'), element and mentor:
    mentees' ratings."""
    return store.query(
        _with_sources("respondent_segment_cells"),
        {**_source_params(filters, settings), "segment": segment.removeprefix(RESPONDENT_PREFIX)},
    )


def segment_choices(store: Store) -> list[str]:
    """Every segment a heatmap can compare by: the mentor attributes, then each survey segment."""
    names = store.query(load_sql("respondent_segment_names"))["segment"].tolist()
    return [*MENTOR_SEGMENTS, *(RESPONDENT_PREFIX + str(name) for name in names)]


def segment_label(segment: str) -> str:
    if segment.startswith(RESPONDENT_PREFIX):
        return f"respondents' {segment.removeprefix(RESPONDENT_PREFIX)}"
    return segment


def element_sources(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    return store.query(_with_observations("element_sources"), _obs_params(filters, settings))


def evidence_snippets(
    store: Store,
    filters: Filters,
    element: str,
    value: int = 1,
    mentor_id: str | None = None,
    limit: int = 50,
    settings: Settings = DEFAULT_SETTINGS,
) -> pd.DataFrame:
    return store.query(
        _with_observations("evidence_snippets"),
        {
            **_obs_params(filters, settings),
            "element": element,
            "value": value,
            "mentor_id": mentor_id,
            "limit": limit,
        },
    )


def as_of_date(store: Store) -> date | None:
    found = store.scalar(load_sql("as_of_date"))
    return found if found is None else pd.Timestamp(found).date()


def headline_counts(
    store: Store, filters: Filters, as_of: date | None, settings: Settings = DEFAULT_SETTINGS
) -> dict[str, int]:
    frame = store.query(
        _with_chosen("headline_counts"),
        {
            **filters.segment_params(),
            "as_of": as_of,
            "active_days": settings.active_pair_days,
            "start": filters.start,
            "end": filters.end,
        },
    )
    return {k: int(v) for k, v in frame.iloc[0].items()}


def pair_activity(
    store: Store, filters: Filters, as_of: date, window_days: int = 90
) -> pd.DataFrame:
    return store.query(
        _with_chosen("pair_activity"),
        {**filters.segment_params(), "as_of": as_of, "window_days": window_days},
    )


def session_gap_days(store: Store, filters: Filters, as_of: date) -> pd.DataFrame:
    return store.query(
        _with_chosen("session_gap_days"), {**filters.segment_params(), "as_of": as_of}
    )


def mentor_session_counts(store: Store, filters: Filters, as_of: date) -> pd.DataFrame:
    return store.query(
        _with_chosen("mentor_session_counts"), {**filters.segment_params(), "as_of": as_of}
    )


def mentor_directory(store: Store, filters: Filters) -> pd.DataFrame:
    return store.query(_with_chosen("mentor_directory"), filters.segment_params())


def mentors_in_view(store: Store, filters: Filters) -> pd.DataFrame:
    """mentor_id, display_name and email of each mentor inside the segment filters, by name."""
    return store.query(_with_chosen("mentors_in_view"), filters.segment_params())


def answer_labels(store: Store) -> pd.DataFrame:
    """Per scale question mapped to an element: each answer given, its score and how often."""
    return store.query(load_sql("answer_labels"))


def survey_response_rates(store: Store) -> pd.DataFrame:
    return store.query(load_sql("survey_response_rates"))


def survey_waves(store: Store) -> pd.DataFrame:
    return store.query(load_sql("survey_waves"))


def program_events(store: Store) -> pd.DataFrame:
    return store.query(load_sql("program_events"))


def brief_facts(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> dict[str, int]:
    row = store.query(_with_sources("brief_facts"), _source_params(filters, settings)).iloc[0]
    return {k: int(v) if pd.notna(v) else 0 for k, v in row.items()}


def brief_invitations(store: Store, filters: Filters) -> pd.DataFrame:
    return store.query(load_sql("brief_invitations"), {"start": filters.start, "end": filters.end})


def element_targets(store: Store) -> pd.DataFrame:
    return store.query(load_sql("element_targets"))


def ingest_history(store: Store) -> pd.DataFrame:
    return store.query(load_sql("ingest_history"))


def identity_issues(store: Store) -> pd.DataFrame:
    return store.query(load_sql("identity_issues"))


def rejected_rows_of_batch(store: Store, batch_id: int) -> pd.DataFrame:
    return store.query(load_sql("rejected_rows_of_batch"), {"batch_id": batch_id})


def filter_options(store: Store) -> dict[str, Any]:
    row = store.query(load_sql("filter_options")).iloc[0]

    def listed(value: Any) -> list[str]:
        # An empty database aggregates to NULL, which pandas hands back as NA (not iterable).
        return list(value) if hasattr(value, "__iter__") else []

    return {
        "departments": listed(row["departments"]),
        "cohorts": listed(row["cohorts"]),
        "locations": listed(row["locations"]),
        "first_day": None if pd.isna(row["first_day"]) else pd.Timestamp(row["first_day"]).date(),
        "last_day": None if pd.isna(row["last_day"]) else pd.Timestamp(row["last_day"]).date(),
    }


def element_cooccurrence(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    return store.query(_with_observations("element_cooccurrence"), _obs_params(filters, settings))


def people_presence(store: Store) -> pd.DataFrame:
    return store.query(load_sql("people_presence"))
