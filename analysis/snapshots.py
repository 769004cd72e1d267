"""The charts of the product: each builds its figure, the table behind it and its headline from
the store, so a page, a download, the leadership brief and `python -m analysis export` all show the
same thing. Pages call the builders by name in code; CHARTS names them for the command line's
--chart, the brief and file names."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Protocol, TypedDict

import pandas as pd
import plotly.graph_objects as go

from analysis import charts, metrics, queries, views
from analysis.errors import MentoringError
from analysis.model import DEFAULT_SETTINGS, SOURCE_LABELS, Settings
from analysis.queries import Filters
from analysis.store import Store


@dataclass
class Chart:
    """A figure with the numbers behind it and what it says."""

    name: str
    title: str
    figure: go.Figure
    table: pd.DataFrame
    n: int
    notes: list[str] = field(default_factory=list)

    @property
    def headline(self) -> str:
        """The title as plain text: the figure's title is HTML-escaped for Plotly, while briefs,
        decks and figure_html take plain text (figure_html escapes it itself)."""
        text = str(self.figure.layout.title.text or self.title)
        return html.unescape(text.replace("<br>", " "))


# The overview table's levels (the Elements page shows these), then each against its target and
# its change since the last period (the Overview's own table).
LEVEL_COLUMNS = (
    "label",
    "source_label",
    "pct",
    "ci_low",
    "ci_high",
    "shown_count",
    "observation_count",
    "mentors",
    "coverage_pct",
    "concern_count",
)
CONTEXT_COLUMNS = (
    "target_pct",
    "vs_target",
    "change_pts",
    "change_low",
    "change_high",
    "change",
    "compared",
)


def element_overview(
    store: Store,
    filters: Filters,
    settings: Settings = DEFAULT_SETTINGS,
    include_names: bool = False,
) -> Chart:
    levels, _compared = views.overview_context(store, filters, settings)
    shown = levels[levels["source"].isin(filters.level_sources())]
    table = shown[[*LEVEL_COLUMNS, *CONTEXT_COLUMNS, "reason"]]
    return Chart(
        "element-overview",
        "How often each element shows up, per source",
        charts.element_overview(levels, filters.level_sources()),
        table,
        int(shown["observation_count"].fillna(0).sum()),
    )


def rate_distribution(
    store: Store,
    filters: Filters,
    settings: Settings = DEFAULT_SETTINGS,
    include_names: bool = False,
) -> Chart:
    rates = views.mentor_rates(store, filters, settings)
    primary = filters.trend_source()
    mine = rates[rates["source_kind"] == primary] if len(rates) else rates
    table = mine[
        [
            "element",
            "source_kind",
            "rate_pct",
            "low_pct",
            "high_pct",
            "raw_pct",
            "observation_count",
        ]
    ]
    if include_names:
        table = mine[["mentor_name", *table.columns]]
    return Chart(
        "rate-distribution",
        "Spread of mentors' rates",
        charts.rate_distribution(mine),
        table,
        int(mine["observation_count"].sum()) if len(mine) else 0,
    )


def mentor_heatmap(
    store: Store,
    filters: Filters,
    settings: Settings = DEFAULT_SETTINGS,
    include_names: bool = False,
) -> Chart:
    rates = views.mentor_rates(store, filters, settings)
    rates = rates[rates["source_kind"] == filters.trend_source()] if len(rates) else rates
    table = (
        rates.pivot_table(
            index="mentor_name" if include_names else "mentor_id",
            columns="element",
            values="rate_pct",
        )
        .round(1)
        .reset_index()
        if len(rates)
        else rates
    )
    if not include_names and len(table):
        table = table.drop(columns=["mentor_id"]).reset_index(names="mentor")
    return Chart(
        "mentor-heatmap",
        "Mentor by element",
        charts.mentor_heatmap(rates, names=include_names),
        table,
        int(rates["observation_count"].sum()) if len(rates) else 0,
    )


def cooccurrence(
    store: Store,
    filters: Filters,
    settings: Settings = DEFAULT_SETTINGS,
    include_names: bool = False,
) -> Chart:
    pairs = queries.element_cooccurrence(store, filters, settings)
    lift = metrics.cooccurrence_lift(pairs) if len(pairs) else pairs
    n = int(pairs["text_count"].iloc[0]) if len(pairs) else 0
    return Chart(
        "cooccurrence", "Elements that appear together", charts.cooccurrence(lift), lift, n
    )


def perception_gap(
    store: Store,
    filters: Filters,
    settings: Settings = DEFAULT_SETTINGS,
    include_names: bool = False,
) -> Chart:
    gap = views.perception_gap(store, filters, settings)
    return Chart(
        "perception-gap",
        "Self-assessment vs mentees' view, paired",
        charts.perception_gap(gap),
        gap[["label", "gap_pts", "ci_low", "ci_high", "pairs", "mentors", "reason"]],
        int(gap["pairs"].sum()),
    )


def trend(
    store: Store,
    filters: Filters,
    grain: str,
    settings: Settings = DEFAULT_SETTINGS,
    include_names: bool = False,
) -> Chart:
    """By month or quarter (`grain`), on the view's trend source."""
    changes = views.trend(store, filters, grain, settings)
    goals = queries.element_targets(store)
    goals = goals[goals["source"] == filters.trend_source()]
    figure = charts.trend(
        changes,
        queries.survey_waves(store),
        queries.program_events(store),
        dict(zip(goals["element"], goals["target_pct"], strict=True)),
    )
    columns = [
        "period_start",
        "element",
        "pct",
        "ci_low",
        "ci_high",
        "observation_count",
        "mentor_count",
        "change_pts",
        "change_low",
        "change_high",
        "p_value",
        "q_value",
        "verdict",
    ]
    table = changes[columns].copy() if len(changes) else pd.DataFrame(columns=columns)
    if len(changes):
        table.loc[changes["hidden"].astype(bool), ["observation_count", "mentor_count"]] = None
    source = SOURCE_LABELS[filters.trend_source()].lower()
    return Chart(
        f"trend-{grain}",
        f"Trend by {grain} ({source})",
        figure,
        table,
        int(changes.loc[~changes["hidden"].astype(bool), "observation_count"].sum())
        if len(changes)
        else 0,
    )


def wave_comparison(
    store: Store,
    filters: Filters,
    settings: Settings = DEFAULT_SETTINGS,
    include_names: bool = False,
) -> Chart:
    waves = views.waves(store, filters, settings)
    return Chart(
        "wave-comparison",
        "By survey wave (mentees' ratings)",
        charts.wave_comparison(waves),
        waves,
        int(waves["observation_count"].fillna(0).sum()) if len(waves) else 0,
    )


def impact(
    store: Store,
    filters: Filters,
    settings: Settings = DEFAULT_SETTINGS,
    include_names: bool = False,
) -> Chart:
    """The latest programme event that says whom it applied to."""
    event = views.latest_event(store)
    if event is None:
        return Chart(
            "impact",
            "Impact of a programme event",
            charts.empty_figure(
                "No programme event says whom it applied to: mark one on the Trends page."
            ),
            pd.DataFrame(),
            0,
        )
    result = views.impact(store, filters, event.day, event.treated, settings=settings)
    table = result.effects[
        ["label", "effect_pts", "ci_low", "ci_high", "p", "q", "treated_mentors", "control_mentors"]
    ]
    return Chart(
        "impact",
        f"Impact of {event.label}",
        charts.impact(result.effects, f"{event.label} ({event.day:%d %b %Y})"),
        table,
        int(result.effects["treated_mentors"].max() + result.effects["control_mentors"].max()),
    )


def segments(
    store: Store,
    filters: Filters,
    segment: str,
    settings: Settings = DEFAULT_SETTINGS,
    include_names: bool = False,
) -> Chart:
    """By a mentor segment (department, cohort, location) or a segment column of a survey."""
    label = queries.segment_label(segment)
    cells = views.segment_heatmap(store, filters, segment, settings)
    table = cells[
        [
            "segment_value",
            "element",
            "frequency_pct",
            "ci_low",
            "ci_high",
            "shown_count",
            "observation_count",
            "reason",
        ]
    ].rename(columns={"segment_value": label})
    return Chart(
        f"segments-{segment}",
        f"By {label}",
        charts.segment_heatmap(cells, label, settings.anonymity_min),
        table,
        int(cells["observation_count"].fillna(0).sum()),
    )


def pairs_at_risk(
    store: Store,
    filters: Filters,
    settings: Settings = DEFAULT_SETTINGS,
    include_names: bool = False,
) -> Chart:
    health = views.program_health(store, filters, settings)
    at_risk = health.at_risk
    figure = charts.pair_silence(
        at_risk, int(health.numbers.get("pair_count") or 0), settings.at_risk_days
    )
    columns = ["mentor_name", "last_session_on", "days_since_last_session", "session_count"]
    table = (
        at_risk[columns]
        if include_names and len(at_risk)
        else at_risk.drop(
            columns=[
                c
                for c in ("mentor_name", "mentee_name", "mentor_id", "mentee_id", "pair_id")
                if c in at_risk
            ]
        )
    )
    return Chart(
        "pairs-at-risk", "Pairs at risk", figure, table, int(health.numbers.get("pair_count") or 0)
    )


class Builder(Protocol):
    def __call__(
        self, store: Store, filters: Filters, *, settings: Settings, include_names: bool
    ) -> Chart: ...


# Each chart by the name the command line's --chart, the brief and file names use, with what it
# shows in words.
CHARTS: dict[str, tuple[str, Builder]] = {
    "element-overview": (
        "How often each element shows up (frequency and coverage)",
        element_overview,
    ),
    "rate-distribution": ("Spread of mentors' rates per element", rate_distribution),
    "mentor-heatmap": ("Mentor-by-element heatmap", mentor_heatmap),
    "cooccurrence": ("Which elements appear together", cooccurrence),
    "perception-gap": ("Mentees' view vs mentors' self-assessment", perception_gap),
    "trend-month": ("Trend by month", partial(trend, grain="month")),
    "trend-quarter": ("Trend by quarter", partial(trend, grain="quarter")),
    "wave-comparison": ("By survey wave", wave_comparison),
    "impact": ("Impact of the latest programme event", impact),
    "segments-department": ("By department", partial(segments, segment="department")),
    "segments-cohort": ("By cohort", partial(segments, segment="cohort")),
    "segments-location": ("By location", partial(segments, segment="location")),
    "pairs-at-risk": ("Pairs at risk", pairs_at_risk),
}


def build(
    name: str,
    store: Store,
    filters: Filters,
    settings: Settings = DEFAULT_SETTINGS,
    include_names: bool = False,
) -> Chart:
    """Build the chart called `name` (a key of CHARTS, or segments-respondent:COLUMN). Mentor
    names appear only when `include_names` is True."""
    if name.startswith("segments-" + queries.RESPONDENT_PREFIX):
        segment = name.removeprefix("segments-")
        if segment not in queries.segment_choices(store):
            raise MentoringError(
                f"No loaded survey has a segment column called "
                f"'{segment.removeprefix(queries.RESPONDENT_PREFIX)}'."
            )
        return segments(store, filters, segment, settings, include_names)
    if name not in CHARTS:
        raise MentoringError(
            f"There is no chart called '{name}'. Choose one of: {', '.join(CHARTS)}."
        )
    return CHARTS[name][1](store, filters, settings=settings, include_names=include_names)


def parse_period(text: str | None) -> tuple[date | None, date | None]:
    """'2026-01-01..2026-06-30', '2026', '2026-Q2' or '2026-05' -> (start, end)."""
    if not text:
        return None, None
    text = text.strip()
    try:
        if ".." in text:
            left, right = text.split("..", 1)
            return (
                date.fromisoformat(left) if left else None,
                date.fromisoformat(right) if right else None,
            )
        if re.fullmatch(r"\d{4}", text):
            return date(int(text), 1, 1), date(int(text), 12, 31)
        quarter = re.fullmatch(r"(\d{4})-Q([1-4])", text, flags=re.IGNORECASE)
        if quarter:
            start = pd.Timestamp(year=int(quarter[1]), month=3 * int(quarter[2]) - 2, day=1)
            return start.date(), (start + pd.offsets.QuarterEnd(0)).date()
        month = re.fullmatch(r"(\d{4})-(\d{2})", text)
        if month:
            start = pd.Timestamp(year=int(month[1]), month=int(month[2]), day=1)
            return start.date(), (start + pd.offsets.MonthEnd(0)).date()
    except ValueError:
        pass
    raise MentoringError(
        f"Could not read the period '{text}'. Use 2026, 2026-Q2, 2026-05 or 2026-01-01..2026-06-30."
    )


class SegmentChoice(TypedDict):
    """Filters' segment fields, as the command line's department=NAME options chose them."""

    departments: tuple[str, ...]
    cohorts: tuple[str, ...]
    locations: tuple[str, ...]


def parse_segments(items: list[str]) -> SegmentChoice:
    """['department=Sales', 'cohort=2025 Autumn'] -> {'departments': ('Sales',), ...}."""
    found: dict[str, list[str]] = {"departments": [], "cohorts": [], "locations": []}
    plural = {"department": "departments", "cohort": "cohorts", "location": "locations"}
    for item in items:
        key, _, value = item.partition("=")
        if key.strip().lower() not in plural or not value.strip():
            raise MentoringError(
                f"Could not read the segment '{item}'. Use department=NAME, cohort=NAME or location=NAME."
            )
        found[plural[key.strip().lower()]].append(value.strip())
    return SegmentChoice(
        departments=tuple(found["departments"]),
        cohorts=tuple(found["cohorts"]),
        locations=tuple(found["locations"]),
    )


def footnote(settings: Settings = DEFAULT_SETTINGS) -> str:
    return (
        f"Groups behind fewer than {settings.anonymity_min} people are not shown, nor cells that "
        "would let them be worked out. Favourable = answer in the top quarter of its scale."
    )


def export_to_file(
    store: Store,
    fmt: str,
    charts: list[str],
    out: Path,
    period: str | None = None,
    segments: list[str] | None = None,
    include_names: bool = False,
    settings: Settings = DEFAULT_SETTINGS,
) -> Path:
    """Write one chart (png, svg, html, csv) or a brief of several (pdf, pptx) to `out`."""
    from analysis import export

    start, end = parse_period(period)
    filters = replace(Filters(start=start, end=end), **parse_segments(segments or []))
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("pdf", "pptx"):
        from analysis import brief

        made = brief.build(store, filters, charts, settings=settings, include_names=include_names)
        out.write_bytes(export.brief_pdf(made) if fmt == "pdf" else export.brief_pptx(made))
        return out
    built = [build(name, store, filters, settings, include_names) for name in charts]
    if fmt in ("png", "svg", "html", "csv") and len(built) != 1:
        raise MentoringError(
            f"A {fmt} file holds one chart; give one --chart, or use pdf or pptx for several."
        )
    if fmt == "png":
        out.write_bytes(export.figure_png(built[0].figure))
    elif fmt == "svg":
        out.write_bytes(export.figure_svg(built[0].figure))
    elif fmt == "html":
        out.write_text(export.figure_html(built[0].figure, built[0].headline), encoding="utf-8")
    elif fmt == "csv":
        out.write_bytes(export.safe_csv(built[0].table))
    return out
