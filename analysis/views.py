"""What each page, the command line and the exports show: queries combined with metrics, so the
same numbers reach the screen, the JSON summary and the leadership brief."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Concatenate, ParamSpec, SupportsFloat, SupportsInt, TypeVar, cast

import pandas as pd

from analysis import estimates, metrics, privacy, queries
from analysis.model import (
    DEFAULT_SETTINGS,
    ELEMENT_LABELS,
    ELEMENTS,
    OBSERVATION_SOURCE_LABELS,
    Settings,
    Treated,
)
from analysis.queries import Filters
from analysis.store import Store

_MEMO: OrderedDict[tuple[object, ...], object] = OrderedDict()
_MEMO_LOCK = threading.Lock()
_P = ParamSpec("_P")
_R = TypeVar("_R")


def _copied(value: _R) -> _R:
    if isinstance(value, pd.DataFrame):
        return value.copy()  # type: ignore[no-any-return]
    if isinstance(value, tuple):
        return tuple(_copied(v) for v in value)  # type: ignore[return-value]
    if isinstance(value, dict):
        return dict(value)  # type: ignore[return-value]
    return value


def _per_version(
    fn: Callable[Concatenate[Store, _P], _R],
) -> Callable[Concatenate[Store, _P], _R]:
    """A view that several charts and tables of one page ask of one version of the data (the
    Overview's chart and table; the Trends chart and its table): worked out once per version,
    filters and settings (the last 32 kept), each caller getting its own copy."""

    @functools.wraps(fn)
    def remembered(store: Store, /, *args: _P.args, **kwargs: _P.kwargs) -> _R:
        memo = (fn.__qualname__, *store.version_key(), args, tuple(sorted(kwargs.items())))
        with _MEMO_LOCK:
            if memo in _MEMO:
                _MEMO.move_to_end(memo)
                return _copied(cast(_R, _MEMO[memo]))
        found = fn(store, *args, **kwargs)
        with _MEMO_LOCK:
            _MEMO[memo] = found
            while len(_MEMO) > 32:
                _MEMO.popitem(last=False)
        return _copied(found)

    return remembered


def people(store: Store) -> privacy.People:
    """Who stands behind every segment and month, for the anonymity rule: built once per version
    of the data (it is read-only, so every session may share it)."""
    return _people_of(*store.version_key())


@functools.lru_cache(maxsize=4)
def _people_of(path: str, inode: int, version: int) -> privacy.People:
    return privacy.People(queries.people_presence(Store(path)))


def protection(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> privacy.Protection:
    """Whether the view `filters` selects may be shown (see analysis/privacy.py)."""
    return privacy.protect(people(store), filters, settings)


def element_overview(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Frequency and coverage per element, with every n behind them."""
    counts = queries.mentor_element_counts(store, filters, settings)
    behind = queries.element_people(store, filters, settings)
    summary = metrics.element_summary(counts, behind, settings)
    guard = protection(store, filters, settings)
    if guard.shown:
        return summary
    return estimates.withhold(summary, guard.reason, ("element", "label"))


def summary(
    store: Store, settings: Settings = DEFAULT_SETTINGS, filters: Filters | None = None
) -> dict[str, Any]:
    """The `summary --json` document for the filtered group (the whole programme by default).
    Per element: the pooled figures of earlier versions (mentees' ratings and session notes in one
    ratio, kept for scripts that read them) and `by_source`, each source as itself with its
    mentor-clustered 95% interval; and the paired perception gap."""
    filters = filters or Filters()
    as_of = queries.as_of_date(store)
    counts = queries.headline_counts(store, filters, as_of, settings)
    overview = element_overview(store, filters, settings).set_index("element")
    levels = by_source(store, filters, settings).set_index(["element", "source"])
    gap = perception_gap(store, filters, settings).set_index("element")

    def source_figures(element: str, source: str) -> dict[str, object]:
        row = levels.loc[(element, source)]
        return {
            "pct": _plain(row["pct"], 1),
            "ci_low": _plain(row["ci_low"], 1),
            "ci_high": _plain(row["ci_high"], 1),
            "n": _count(row["observation_count"]),
            "mentors": _count(row["mentors"]),
        }

    elements: dict[str, object] = {}
    for element in ELEMENTS:
        hidden = bool(overview.at[element, "suppressed"])
        elements[element] = {
            "frequency_pct": _plain(overview.at[element, "frequency_pct"]),
            "coverage_pct": _plain(overview.at[element, "coverage_pct"]),
            "mentors_measured": None if hidden else int(overview.at[element, "mentors_measured"]),
            "observation_count": None if hidden else int(overview.at[element, "observation_count"]),
            "suppressed": hidden,
            "by_source": {
                source: source_figures(element, source) for source in estimates.LEVEL_SOURCES
            },
        }
    return {
        "mentor_count": counts["mentor_count"],
        "session_count": counts["session_count"],
        "response_count": counts["response_count"],
        "filters": filters.describe(),
        "elements": elements,
        "perception_gap": {
            element: {
                "gap_pts": _plain(gap.at[element, "gap_pts"], 1),
                "ci_low": _plain(gap.at[element, "ci_low"], 1),
                "ci_high": _plain(gap.at[element, "ci_high"], 1),
                "pairs": int(gap.at[element, "pairs"]),
            }
            for element in ELEMENTS
        },
    }


def _count(value: SupportsInt | None) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def by_source(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Per element and source (mentees' ratings, session notes, self-assessments): the share with
    its mentor-clustered interval and the partially pooled coverage, each behind enough people."""
    levels = estimates.source_levels(
        queries.mentor_source_counts(store, filters, settings),
        queries.source_people(store, filters, settings),
        settings,
    )
    guard = protection(store, filters, settings)
    if guard.shown:
        return levels
    return estimates.withhold(levels, guard.reason, ("element", "label", "source", "source_label"))


def coverage_sensitivity(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    counts = queries.mentor_source_counts(store, filters, settings)
    levels = estimates.source_levels(
        counts, queries.source_people(store, filters, settings), settings, filters.level_sources()
    )
    if not protection(store, filters, settings).shown:
        return pd.DataFrame()
    return estimates.coverage_sensitivity(counts, levels)


def _plain(value: SupportsFloat | None, digits: int | None = None) -> float | None:
    """A number for JSON (None for missing), rounded where more digits would only carry noise."""
    if value is None or pd.isna(value):
        return None
    return float(value) if digits is None else round(float(value), digits)


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
    """Per mentor, element and source shown: the partially pooled rate with its interval. A
    mentor's mentees' ratings appear only when at least `anonymity_min` mentees answered (else a
    few mentees could be read off their mentor's figure)."""
    counts = queries.mentor_source_counts(store, filters, settings)
    rates = estimates.pooled_mentor_rates(counts, filters.level_sources())
    enough = (rates["source_kind"] != "mentee_rating") | (
        rates["respondent_count"] >= settings.anonymity_min
    )
    rates = rates[enough].reset_index(drop=True)
    names = queries.mentor_directory(store, filters).set_index("mentor_id")["display_name"]
    return rates.assign(mentor_name=rates["mentor_id"].map(names))


def perception_gap(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Self-assessment minus mentees' rating per element, paired by mentor and wave."""
    gap = estimates.paired_perception_gap(
        queries.perception_pairs(store, filters, settings), settings
    )
    guard = protection(store, filters, settings)
    if guard.shown:
        return gap
    return estimates.withhold(gap, guard.reason, ("element", "label")).assign(pairs=0, mentors=0)


@_per_version
def trend(
    store: Store, filters: Filters, grain: str, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Per period and element, one source (see Filters.trend_source): the share with its
    mentor-clustered interval and the change from the period before, all the view's changes
    corrected together."""
    behind = people(store)
    guard = privacy.protect(behind, filters, settings)

    def withheld(period: object) -> str | None:
        if not guard.shown:
            return guard.reason
        start: date = pd.Timestamp(period).date()
        end = start if grain == "month" else (pd.Timestamp(start) + pd.offsets.QuarterEnd(0)).date()
        cell = privacy.protect(behind, replace(filters, start=start, end=end), settings)
        return None if cell.shown else cell.reason

    return estimates.trend_by_source(
        queries.mentor_period_source_counts(store, filters, grain, settings),
        settings,
        (filters.trend_source(),),
        withheld=withheld,
    )


def waves(store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """Mentees' favourable answers per survey wave (a quarter) and element, with clustered
    intervals; a wave the privacy rule hides keeps its row, not its numbers."""
    found = estimates.wave_levels(queries.perception_pairs(store, filters, settings), settings)
    behind = people(store)
    for index, wave in found["wave"].items():
        year, quarter = str(wave).split(" Q")
        start = date(int(year), 3 * int(quarter) - 2, 1)
        end = (pd.Timestamp(start) + pd.offsets.QuarterEnd(0)).date()
        guard = privacy.protect(behind, replace(filters, start=start, end=end), settings)
        if not guard.shown:
            found.loc[index, ["pct", "ci_low", "ci_high", "observation_count"]] = None
            found.loc[index, "reason"] = guard.reason
    return found


def _only(filters: Filters, segment: str, value: str) -> Filters:
    """The view narrowed to one value of a mentor segment (department, cohort or location)."""
    return replace(
        filters,
        departments=(value,) if segment == "department" else filters.departments,
        cohorts=(value,) if segment == "cohort" else filters.cohorts,
        locations=(value,) if segment == "location" else filters.locations,
    )


def segment_heatmap(
    store: Store,
    filters: Filters,
    segment: str,
    settings: Settings = DEFAULT_SETTINGS,
    source: str | None = None,
) -> pd.DataFrame:
    """Per value of a mentor segment (department, cohort, location) or of a segment column mapped
    in a survey, and element, on one source: shares with clustered intervals, suppressed cells
    hidden with their reason."""
    if segment.startswith(queries.RESPONDENT_PREFIX):
        cells = queries.respondent_segment_cells(store, filters, segment, settings)
        return estimates.segment_levels(cells, "segment_value", "mentee_rating", settings)
    if segment not in queries.MENTOR_SEGMENTS:
        raise ValueError(f"unknown segment {segment!r}")
    counts = queries.mentor_source_counts(store, filters, settings)
    behind = people(store)
    withheld = {}
    for value in counts[segment].unique():
        cell = privacy.protect(behind, _only(filters, segment, value), settings)
        if not cell.shown:
            withheld[value] = cell.reason
    return estimates.segment_levels(
        counts, segment, source or segment_source(counts, filters), settings, withheld
    )


def segment_source(counts: pd.DataFrame, filters: Filters) -> str:
    """The source a segment comparison uses: the sidebar's choice, and with both, session notes
    when there are any in view (they cover every mentor), else mentees' ratings."""
    if filters.source != "both":
        return filters.trend_source()
    has_notes = bool((counts["source_kind"] == "session_note").any()) if len(counts) else False
    return "session_note" if has_notes else "mentee_rating"


def element_sources(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Which survey questions, notes and comments feed each element, with their counts; a row
    behind fewer than the anonymity minimum of mentors or respondents keeps its name, not its
    numbers."""
    rows = queries.element_sources(store, filters, settings)
    rows["segment_value"] = rows["source"] + "|" + rows["item_text"].fillna("")
    guard = protection(store, filters, settings)
    withheld = {} if guard.shown else dict.fromkeys(rows["segment_value"], guard.reason)
    rows = metrics.suppress_cells(rows, settings, withheld)
    rows["concern_count"] = rows["concern_count"].astype("Int64").mask(rows["suppressed"])
    rows["source"] = rows["source"].map(OBSERVATION_SOURCE_LABELS)
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


def coaching(store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """Mentors whose rate is below the like-for-like benchmark beyond what chance would produce
    (Benjamini-Hochberg over every test run; `attrs["tests_run"]` says how many)."""
    flagged = estimates.coaching(queries.mentor_source_counts(store, filters, settings), settings)
    names = queries.mentor_directory(store, filters).set_index("mentor_id")["display_name"]
    tests_run = flagged.attrs.get("tests_run", 0)
    flagged = flagged.assign(mentor_name=flagged["mentor_id"].map(names))
    flagged.attrs["tests_run"] = tests_run
    return flagged


@dataclass
class Impact:
    """A programme event's effect per element, with the series that shows the pre-trend."""

    event_date: date
    treated: Treated
    source: str
    effects: pd.DataFrame
    series: pd.DataFrame


@dataclass(frozen=True)
class ProgramEvent:
    day: date
    label: str
    treated: Treated


def latest_event(store: Store) -> ProgramEvent | None:
    """The most recent programme event that says whom it applied to."""
    events = queries.program_events(store)
    events = events[events["treated_json"].notna()]
    if events.empty:
        return None
    row = events.sort_values("event_date").iloc[-1]
    return ProgramEvent(
        pd.Timestamp(row["event_date"]).date(),
        str(row["label"]),
        Treated.from_json(row["treated_json"]),
    )


def impact(
    store: Store,
    filters: Filters,
    event_date: date,
    treated: Treated,
    source: str = "session_note",
    settings: Settings = DEFAULT_SETTINGS,
) -> Impact:
    """Difference-in-differences of the treated mentors against the others around `event_date`,
    per element, on one source, with mentor-clustered intervals; and the monthly series of both
    groups (the pre-trend a reader checks before believing the effect). Either group behind
    fewer than `anonymity_min` mentors, or a view the privacy rule hides, shows no effect."""
    cells = queries.event_cells(store, filters, event_date, settings)
    members = treated.members(cells.drop_duplicates("mentor_id"))
    effects = estimates.impact(cells, members, source)
    guard = protection(store, filters, settings)
    k = settings.anonymity_min
    small = (effects["treated_mentors"] < k) | (effects["control_mentors"] < k)
    if not guard.shown or small.any():
        columns = ["effect_pts", "ci_low", "ci_high", "p", "q"]
        effects.loc[small | (not guard.shown), columns] = None
        effects.loc[small | (not guard.shown), "called"] = False
    monthly = queries.mentor_period_source_counts(store, filters, "month", settings)
    monthly = monthly[monthly["source_kind"] == source]
    series = estimates.group_series(monthly, members, settings)
    return Impact(event_date, treated, source, effects, series)


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
    behind = queries.element_people(store, filters, settings).set_index("element")
    if (
        element not in behind.index
        or metrics.group_too_small(
            int(behind.at[element, "mentor_count"]),
            int(behind.at[element, "respondent_count"]),
            settings,
        )
        or not protection(store, filters, settings).shown
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
    """One mentor against the programme, source by source: their partially pooled rates (pooled
    over every mentor in view), their self-view against their mentees' view (the mentees' side
    only when at least `anonymity_min` of them answered), and the evidence behind each figure."""
    counts = queries.mentor_source_counts(store, filters, settings)
    pooled = estimates.pooled_mentor_rates(counts, LEVEL_AND_SELF)
    mine = pooled[pooled["mentor_id"] == mentor_id]
    respondents = mine.loc[mine["source_kind"] == "mentee_rating", "respondent_count"]
    hidden = bool(len(respondents)) and int(respondents.max()) < settings.anonymity_min
    visible = mine[(mine["source_kind"] != "mentee_rating") | (not hidden)]
    rates = visible[visible["source_kind"].isin(filters.level_sources())].reset_index(drop=True)
    population = by_source(store, filters, settings)
    rows = []
    for element in ELEMENTS:
        side = {
            source: mine[(mine["element"] == element) & (mine["source_kind"] == source)]
            for source in ("mentee_rating", "self_assessment")
        }
        mentee, self_view = side["mentee_rating"], side["self_assessment"]
        rows.append(
            {
                "element": element,
                "mentee_pct": None if hidden or mentee.empty else float(mentee["raw_pct"].iloc[0]),
                "mentee_n": None
                if hidden or mentee.empty
                else int(mentee["observation_count"].iloc[0]),
                "self_pct": None if self_view.empty else float(self_view["raw_pct"].iloc[0]),
                "self_n": 0 if self_view.empty else int(self_view["observation_count"].iloc[0]),
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


LEVEL_AND_SELF = ("mentee_rating", "session_note", "self_assessment")


@dataclass(frozen=True)
class Comparison:
    """The window a change is measured over and the one before it, in words."""

    now: Filters
    before: Filters
    label: str


def _months_between(first: date, last: date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1


def _month_words(first: date, last: date) -> str:
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%b %Y}"
    if first.year == last.year:
        return f"{first:%b}-{last:%b %Y}"
    return f"{first:%b %Y}-{last:%b %Y}"


def previous_period(store: Store, filters: Filters) -> Comparison | None:
    """The chosen period and the one of the same length just before it. With no period chosen,
    or one that reaches back to the first data (nothing before it), the latest three months of the
    period against the three before (said so in the label). None when there is no data, or no
    data before the window."""
    options = queries.filter_options(store)
    first_day, last_day = options["first_day"], options["last_day"]
    if first_day is None or last_day is None:
        return None
    end = filters.end or privacy.month_end(last_day)
    if filters.start is not None:
        start = filters.start
    else:
        start = privacy.month_start((pd.Timestamp(end) - pd.DateOffset(months=2)).date())
    months = _months_between(start, end)
    before_start = privacy.month_start((pd.Timestamp(start) - pd.DateOffset(months=months)).date())
    before_end = privacy.month_end((pd.Timestamp(start) - pd.DateOffset(days=1)).date())
    latest = filters.start is None
    if filters.start is not None and before_end < first_day:
        # a period reaching back to the first data (the sidebar's "All data") has nothing before
        # it: its latest three months against the three before, when the period holds both
        start = privacy.month_start((pd.Timestamp(end) - pd.DateOffset(months=2)).date())
        months = _months_between(start, end)
        before_start = privacy.month_start((pd.Timestamp(start) - pd.DateOffset(months=3)).date())
        before_end = privacy.month_end((pd.Timestamp(start) - pd.DateOffset(days=1)).date())
        if before_start < privacy.month_start(filters.start):
            return None
        latest = True
    if before_end < first_day:
        return None
    now = replace(filters, start=start, end=end)
    before = replace(filters, start=before_start, end=before_end)
    label = f"{_month_words(start, end)} against {_month_words(before_start, before_end)}"
    if latest:
        label = f"the latest {months} months, {label}"
    return Comparison(now, before, label)


def _quarter_of(wave: str) -> tuple[date, date]:
    year, quarter = str(wave).split(" Q")
    first = date(int(year), 3 * int(quarter) - 2, 1)
    return first, (pd.Timestamp(first) + pd.offsets.QuarterEnd(0)).date()


def _wave_changes(
    store: Store, filters: Filters, sources: tuple[str, ...], settings: Settings
) -> tuple[pd.DataFrame | None, str]:
    """Survey answers arrive in waves: the latest wave in view against the wave before it (the
    same mentors compared with themselves), when the privacy rule shows both."""
    pairs = queries.perception_pairs(store, replace(filters, start=None), settings)
    waves_seen = sorted(pairs["wave"].unique()) if len(pairs) else []
    in_view = [
        w
        for w in waves_seen
        if (filters.start is None or _quarter_of(w)[1] >= filters.start)
        and (filters.end is None or _quarter_of(w)[0] <= filters.end)
    ]
    if not in_view or waves_seen.index(in_view[-1]) == 0:
        return None, "no earlier survey round"
    latest = in_view[-1]
    earlier = waves_seen[waves_seen.index(latest) - 1]
    behind = people(store)
    for wave in (latest, earlier):
        first, last = _quarter_of(wave)
        if not privacy.protect(behind, replace(filters, start=first, end=last), settings).shown:
            return None, "a survey round hidden by the privacy rule"
    counts = pairs.rename(columns={"wave": "period"})
    return (
        estimates.period_changes(
            counts[counts["period"] == latest], counts[counts["period"] == earlier], sources
        ),
        f"the {latest} survey round against {earlier}",
    )


@_per_version
def overview_context(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Each element and source of the view against its target, and its change since the
    previous period with its interval, every test of the view corrected together. Session notes
    compare the chosen period with the one of the same length before it; survey answers, which
    come in rounds, the latest round in view with the one before. A change is measured only when
    the privacy rule shows both sides. Also returns, per source, what was compared (in words).
    The Overview's chart and its table both ask it of one version of the data: worked out once
    (each caller gets its own copy)."""
    sources = filters.level_sources()
    levels = by_source(store, filters, settings)
    levels = levels[levels["source"].isin(sources)]
    frame = estimates.against_targets(levels, queries.element_targets(store))
    parts, compared = [], {}
    note_sources = tuple(s for s in sources if s not in estimates.SURVEY_SOURCES)
    survey_sources = tuple(s for s in sources if s in estimates.SURVEY_SOURCES)
    if note_sources:
        comparison = previous_period(store, filters)
        if comparison is None:
            compared.update(dict.fromkeys(note_sources, "no earlier period"))
        elif not all(
            protection(store, f, settings).shown for f in (comparison.now, comparison.before)
        ):
            compared.update(dict.fromkeys(note_sources, "a period hidden by the privacy rule"))
        else:
            parts.append(
                estimates.period_changes(
                    queries.mentor_source_counts(store, comparison.now, settings),
                    queries.mentor_source_counts(store, comparison.before, settings),
                    note_sources,
                )
            )
            compared.update(dict.fromkeys(note_sources, comparison.label))
    if survey_sources:
        found, label = _wave_changes(store, filters, survey_sources, settings)
        compared.update(dict.fromkeys(survey_sources, label))
        if found is not None:
            parts.append(found)
    columns = ["element", "source", "change_pts", "change_low", "change_high", "p_value"]
    changes = (
        pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
    )
    # a level the view does not show has no change to show either
    hidden = set(
        zip(
            frame.loc[frame["pct"].isna(), "element"],
            frame.loc[frame["pct"].isna(), "source"],
            strict=True,
        )
    )
    for index, row in changes.iterrows():
        if (row["element"], row["source"]) in hidden:
            changes.loc[index, ["change_pts", "change_low", "change_high", "p_value"]] = None
    changes = (
        estimates.call_changes(changes)
        if len(changes)
        else changes.assign(q_value=None, change=None)
    )
    frame = frame.merge(changes, on=["element", "source"], how="left")
    frame["change"] = [c if isinstance(c, str) else "not enough data" for c in frame["change"]]
    untested = (
        ~frame["source"].isin(set(changes["source"])) if len(changes) else frame["pct"].notna()
    )
    frame.loc[untested, "change"] = frame.loc[untested, "source"].map(compared)
    frame.loc[frame["pct"].isna(), "change"] = "not shown"
    frame["compared"] = frame["source"].map(compared)
    return frame, compared


def _points(value: object) -> str:
    return f"{value:+.1f}" if value is not None and not pd.isna(value) else ""


def _verdicts_in_words(frame: pd.DataFrame, verdict: str, words: dict[str, str]) -> list[str]:
    """Each row's verdict (column `verdict`) in `words`, its gap and interval filled in from the
    columns `verdict`_pts, _low and _high; a verdict without words stays as it is."""
    return [
        words[said].format(gap=_points(gap), low=_points(low), high=_points(high))
        if said in words
        else said
        for said, gap, low, high in zip(
            frame[verdict],
            frame[f"{verdict}_pts"],
            frame[f"{verdict}_low"],
            frame[f"{verdict}_high"],
            strict=True,
        )
    ]


def standing(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> tuple[pd.DataFrame, dict[str, str], int]:
    """The Overview's table in words: per element and source, the level with its interval, the
    target and where the level stands against it, and the change since the previous period with
    its interval; what each source's change compares; and how many tests were corrected
    together."""
    frame, compared = overview_context(store, filters, settings)
    tests = int(frame["vs_target_q"].notna().sum() + frame["q_value"].notna().sum())
    # A source with no data at all in this view (no session log loaded, say) has no rows: a table
    # of "not shown" lines says nothing. A source hidden by the anonymity rule keeps its rows.
    empty = frame["pct"].isna() & (frame["reason"].isna() | (frame["reason"] == "no data"))
    frame = frame[~empty.groupby(frame["source"]).transform("all")].reset_index(drop=True)
    shown = frame["pct"].notna()
    table = pd.DataFrame(
        {
            "element": frame["label"],
            "source": frame["source_label"],
            "level": [
                f"{p:.0f}% ({lo:.0f}-{hi:.0f})" if ok else "not shown"
                for p, lo, hi, ok in zip(
                    frame["pct"], frame["ci_low"], frame["ci_high"], shown, strict=True
                )
            ],
            "target": [f"{t:.0f}%" if pd.notna(t) else "" for t in frame["target_pct"]],
            "against_target": _verdicts_in_words(
                frame,
                "vs_target",
                {
                    "above target": "above ({gap} points, {low} to {high})",
                    "below target": "below ({gap} points, {low} to {high})",
                    "not distinguishable from the target": "not distinguishable from it",
                    "no target": "no target set",
                },
            ),
            "change": _verdicts_in_words(
                frame,
                "change",
                {
                    "up": "up {gap} points ({low} to {high})",
                    "down": "down {gap} points ({low} to {high})",
                    "no change beyond chance": "no change beyond chance ({low} to {high})",
                },
            ),
            "why_hidden": [
                "" if ok else str(reason or "no data")
                for ok, reason in zip(shown, frame["reason"], strict=True)
            ],
        }
    )
    return table, compared, tests
