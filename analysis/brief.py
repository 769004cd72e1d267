"""The leadership brief: what a lead forwards as is. Scope stated once (period, who is covered,
who answered and how many of those invited), a short executive summary computed from the data
(what stands out, where targets stand, what changed, what the data cannot tell yet), each
element against its target and the previous period, then the chosen charts with their headlines
in words. A chart with nothing to show is left out and named in one line. The PDF and the deck
are drawn from this one object (analysis/export.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import plotly.graph_objects as go

from analysis import queries, snapshots, views
from analysis.errors import MentoringError
from analysis.model import DEFAULT_SETTINGS, SOURCE_LABELS, Settings
from analysis.queries import Filters
from analysis.store import Store

DEFAULT_CHARTS = ("element-overview", "trend-quarter", "wave-comparison", "segments-department")


@dataclass(frozen=True)
class Section:
    """One chart of the brief: its headline in words, the figure, and the observations behind it."""

    name: str
    title: str
    headline: str
    figure: go.Figure
    n: int


@dataclass(frozen=True)
class Brief:
    title: str
    period: str
    scope: str
    facts: list[tuple[str, str]]
    summary: list[str]
    standing: pd.DataFrame
    sections: list[Section]
    left_out: str
    footnote: str
    notes: list[str] = field(default_factory=list)


_INTERVAL = re.compile(r"(\d+(?:\.\d+)?)% \[(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)\]")
_CHANGE = re.compile(r"\[([+-]\d+(?:\.\d+)?), ([+-]\d+(?:\.\d+)?)\]")


def in_words(headline: str) -> str:
    """A chart headline with its intervals said in words: "18% [17-20]" becomes "18% (17-20%
    with 95% confidence)", "[+1, +8]" becomes "(+1 to +8 points with 95% confidence)"."""
    text = _INTERVAL.sub(r"\1% (\2-\3% with 95% confidence)", headline)
    return _CHANGE.sub(r"(\1 to \2 points with 95% confidence)", text)


def _day(value: date | None) -> str:
    return f"{value.day} {value:%b %Y}" if value else ""


def _period_words(filters: Filters, first: date | None, last: date | None) -> str:
    start, end = filters.start or first, filters.end or last
    if last is not None and end is not None and end > last:
        end = last
    if first is not None and start is not None and start < first:
        start = first
    return f"{_day(start)} to {_day(end)}" if start and end else "no data yet"


def _scope_words(filters: Filters, found: dict[str, int]) -> str:
    parts = []
    for label, values in (
        ("department", filters.departments),
        ("cohort", filters.cohorts),
        ("location", filters.locations),
    ):
        if values:
            parts.append(f"{label} {', '.join(values)}")
    who = "; ".join(parts) if parts else "the whole program"
    sources = [SOURCE_LABELS[s].lower() for s in filters.level_sources()]
    if len(sources) > 1 and not found["notes"] and found["respondents"]:
        return f"{who}; {SOURCE_LABELS['mentee_rating'].lower()} (no session notes in this view)"
    if len(sources) > 1 and found["notes"] and not found["respondents"]:
        return f"{who}; {SOURCE_LABELS['session_note'].lower()} (no survey answers in this view)"
    return f"{who}; {' and '.join(sources) if len(sources) > 1 else sources[0] + ' only'}"


def _number(value: float) -> str:
    return f"{value:.0f}"


def _facts(
    store: Store, filters: Filters, settings: Settings
) -> tuple[list[tuple[str, str]], str, dict[str, int]]:
    found = queries.brief_facts(store, filters, settings)
    invited = queries.brief_invitations(store, filters)
    facts = [("Mentors covered", f"{found['mentors']:,}")]
    rate_words = ""
    if filters.source != "sessions":
        facts.append(("Mentees who answered", f"{found['respondents']:,}"))
        if len(invited):
            total_invited = int(invited["invited_count"].sum())
            total_responses = int(invited["response_count"].sum())
            rate = 100.0 * total_responses / total_invited if total_invited else 0.0
            rounds = ", ".join(str(w) for w in invited["wave"])
            facts.append(("Response rate", f"{rate:.0f}%"))
            rate_words = (
                f"{total_responses:,} of the {total_invited:,} mentees invited answered "
                f"({rate:.0f}%, survey {'rounds' if len(invited) > 1 else 'round'} {rounds})"
            )
        else:
            facts.append(("Response rate", "not known"))
            rate_words = (
                "the number invited was not given at upload, so the response rate is unknown"
            )
    if filters.source != "surveys":
        facts.append(("Session notes read", f"{found['notes']:,}"))
    return facts, rate_words, found


def _stands_out(levels: pd.DataFrame) -> str | None:
    """The lowest element of the first source with four figures, claimed only when its interval
    clears every other; otherwise what the intervals cannot tell apart."""
    for source in ("session_note", "mentee_rating"):
        shown = levels[levels["source"] == source].dropna(subset=["pct"])
        if len(shown) < 2:
            continue
        ordered = shown.sort_values("pct")
        low, high = ordered.iloc[0], ordered.iloc[-1]
        where = SOURCE_LABELS[source].lower()
        clear = all(low["ci_high"] < other["ci_low"] for _, other in ordered.iloc[1:].iterrows())
        if clear:
            return (
                f"{low['label']} is the least common element in {where}: "
                f"{_number(low['pct'])}% ({_number(low['ci_low'])}-{_number(low['ci_high'])}% "
                f"with 95% confidence), clearly below the other three; {high['label'].lower()} is "
                f"the most common at {_number(high['pct'])}%."
            )
        return (
            f"In {where}, the elements range from {_number(low['pct'])}% "
            f"({low['label'].lower()}) to {_number(high['pct'])}% ({high['label'].lower()}), "
            "but the lowest cannot be told apart from the next with this much data."
        )
    return None


def _against_targets(levels: pd.DataFrame) -> str | None:
    with_target = levels[levels["target_pct"].notna() & levels["pct"].notna()]
    if with_target.empty:
        return None
    said = []
    for row in with_target.itertuples():
        where = SOURCE_LABELS[row.source].lower()
        if row.vs_target in ("above target", "below target"):
            side = "above" if row.vs_target == "above target" else "below"
            said.append(
                f"{row.label} in {where} is {side} its {_number(row.target_pct)}% target "
                f"({_number(row.pct)}%, {_number(row.ci_low)}-{_number(row.ci_high)}%)"
            )
    if not said:
        return (
            f"Every figure with a target ({len(with_target)}) is within chance of it: the data "
            "cannot yet say whether it is met."
        )
    rest = len(with_target) - len(said)
    tail = (
        f"; {rest} other{'s are' if rest != 1 else ' is'} within chance of {'their' if rest != 1 else 'its'} target"
        if rest
        else ""
    )
    return "; ".join(said) + tail + "."


def _changes(levels: pd.DataFrame, compared: dict[str, str]) -> str | None:
    """What moved beyond chance, per source with what was compared said once."""
    tested = levels[levels["q_value"].notna()]
    if tested.empty:
        return None
    said = []
    for source in tested["source"].unique():
        moved = tested[(tested["source"] == source) & tested["change"].isin(["up", "down"])]
        where = SOURCE_LABELS[source].lower()
        if moved.empty:
            said.append(f"{where}: no element changed beyond chance ({compared.get(source, '')})")
            continue
        items = [
            f"{row.label.lower()} {'up' if row.change == 'up' else 'down'} "
            f"{abs(row.change_pts):.0f} points ({row.change_low:+.0f} to {row.change_high:+.0f})"
            for row in moved.itertuples()
        ]
        still = len(tested[tested["source"] == source]) - len(moved)
        said.append(
            f"{where}, {compared.get(source, '')}: {', '.join(items)}"
            + (f"; the other {still} within chance" if still else "")
        )
    text = "; ".join(said) + "."
    return text[0].upper() + text[1:]


def _limits(
    store: Store,
    filters: Filters,
    levels: pd.DataFrame,
    compared: dict[str, str],
    found: dict[str, int],
    settings: Settings,
) -> list[str]:
    """What the data cannot tell yet, most important first."""
    said = []
    k = settings.anonymity_min
    if filters.source != "sessions":
        counts = queries.mentor_source_counts(store, filters, settings)
        ratings = counts[counts["source_kind"] == "mentee_rating"]
        mentors = ratings["mentor_id"].nunique()
        enough = (
            ratings.groupby("mentor_id")["respondent_count"].max().ge(k).sum() if mentors else 0
        )
        if mentors and enough < mentors:
            said.append(
                f"{enough} of {mentors} mentors have {k} or more mentee answers: mentees' "
                "ratings describe the program, not individual mentors."
            )
        shown = levels[(levels["source"] == "mentee_rating")].dropna(subset=["pct"])
        if len(shown) >= 2:
            ordered = shown.sort_values("pct")
            if ordered.iloc[0]["ci_high"] >= ordered.iloc[-1]["ci_low"]:
                said.append(
                    f"With {found['responses']:,} survey answers, mentees' ratings cannot tell "
                    "the four elements apart: the lowest and the highest intervals overlap."
                )
        if compared.get("mentee_rating") == "no earlier survey round":
            said.append("With one survey round, mentees' ratings cannot show change yet.")
    hidden = int(levels["pct"].isna().sum())
    if hidden:
        said.append(
            f"{hidden} of {len(levels)} figures are withheld: too few people stand behind them to "
            "keep answers anonymous."
        )
    return said


def summary_sentences(
    store: Store,
    filters: Filters,
    levels: pd.DataFrame,
    compared: dict[str, str],
    found: dict[str, int],
    rate_words: str,
    settings: Settings = DEFAULT_SETTINGS,
) -> list[str]:
    """Three to five sentences, from the data: scope, what stands out, targets, change, limits."""
    scope = f"{found['mentors']:,} mentors are covered"
    parts = []
    if filters.source != "surveys":
        parts.append(f"{found['notes']:,} session notes")
    if filters.source != "sessions":
        parts.append(f"{found['responses']:,} survey answers from {found['respondents']:,} mentees")
    scope += ": " + " and ".join(parts) if parts else ""
    scope += f"; {rate_words}." if rate_words else "."
    sentences = [scope]
    for sentence in (
        _stands_out(levels),
        _against_targets(levels),
        _changes(levels, compared),
    ):
        if sentence:
            sentences.append(sentence)
    limits = _limits(store, filters, levels, compared, found, settings)
    room = max(1, 5 - len(sentences))
    sentences.extend(limits[:room])
    return sentences[:5]


def _empty(chart: snapshots.Chart) -> bool:
    title = str(chart.figure.layout.title.text or "")
    return chart.n == 0 or not chart.figure.data or title.startswith("Nothing to show")


def build(
    store: Store,
    filters: Filters,
    chart_names: list[str] | tuple[str, ...] = DEFAULT_CHARTS,
    title: str = "Mentoring program health",
    settings: Settings = DEFAULT_SETTINGS,
    include_names: bool = False,
) -> Brief:
    """The brief for the view `filters` selects. A view the privacy rule hides has no brief."""
    if not chart_names:
        raise MentoringError("Choose at least one chart for the brief.")
    guard = views.protection(store, filters, settings)
    if not guard.shown:
        raise MentoringError(
            f"This view cannot be briefed: {guard.reason}. Widen the period or clear a filter."
        )
    options = queries.filter_options(store)
    first, last = options["first_day"], options["last_day"]
    facts, rate_words, found = _facts(store, filters, settings)
    levels, compared = views.overview_context(store, filters, settings)
    table, _compared, _tests = views.standing(store, filters, settings)
    sections, left = [], []
    for name in chart_names:
        chart = snapshots.build(name, store, filters, settings, include_names)
        label = snapshots.CHARTS[name][0]
        if _empty(chart):
            left.append(label.lower())
            continue
        sections.append(Section(name, label, in_words(chart.headline), chart.figure, chart.n))
    left_out = (
        f"Left out, as they have nothing to show for this view: {', '.join(left)}." if left else ""
    )
    return Brief(
        title=title.strip() or "Mentoring program health",
        period=_period_words(filters, first, last),
        scope=_scope_words(filters, found),
        facts=facts,
        summary=summary_sentences(store, filters, levels, compared, found, rate_words, settings),
        standing=table,
        sections=sections,
        left_out=left_out,
        footnote=footnote(settings),
    )


def footnote(settings: Settings = DEFAULT_SETTINGS) -> str:
    return (
        f"Groups behind fewer than {settings.anonymity_min} people are not shown, nor any figure "
        "that would let one be worked out. A survey answer counts as favourable when it is Agree "
        "or Strongly agree (Often or Always on a frequency scale; the disagreeing answers for a "
        "question worded negatively). Intervals are 95% and count many observations of one "
        "mentor as one mentor; a change or gap is called only beyond chance, with the view's "
        "comparisons corrected together."
    )
