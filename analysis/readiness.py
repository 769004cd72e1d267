"""Whether the data in view can answer a page's question, and the one plain sentence per cause
that says so when it cannot (the real cause first); and which answers count as favourable, in
the labels the surveys themselves used. Counts in, sentences out; no UI."""

from __future__ import annotations

import inspect
from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

from analysis import estimates, queries
from analysis.ingest import likert
from analysis.model import DEFAULT_SETTINGS, SOURCE_LABELS, Settings
from analysis.queries import Filters
from analysis.store import Store

# The coaching list tests a mentor's session notes only from this many notes on (its default).
COACHING_MIN_NOTES: int = inspect.signature(estimates.coaching).parameters["min_notes"].default


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def _either(words: Iterable[str]) -> str:
    """["Agree", "Strongly agree"] -> "Agree or Strongly agree"; three -> "A, B or C"."""
    items = list(words)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " or " + items[-1]


# -- Mentors ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MentorReadiness:
    """What the Mentors page can say about the mentors in view. `people` has one row per mentor
    inside the segment filters, by name: mentor_id, display_name, label (the name, with the email
    for namesakes, so each label names one mentor), respondent_count (most mentees answering
    about them on one element), rating_count (most mentees' answers on one element), note_count (session notes in view), observed (anything at all in
    view), shows (their scorecard has a figure: session notes, or ratings from enough mentees, in
    the sidebar's sources) and comparable (the coaching list can test them: enough mentees
    answering, or enough session notes)."""

    people: pd.DataFrame
    sources: tuple[str, ...]
    anonymity_min: int

    @property
    def mentors(self) -> int:
        return len(self.people)

    @property
    def comparable(self) -> int:
        return int(self.people["comparable"].sum())

    def message(self) -> str:
        """The sentence that says the data cannot compare mentors, or "" when it can."""
        if self.people.empty:
            return "No mentors match these filters."
        if self.comparable:
            return ""
        k = self.anonymity_min
        has_ratings = bool((self.people["rating_count"] > 0).any())
        has_notes = bool((self.people["note_count"] > 0).any())
        if has_notes and not has_ratings:
            enough = f"{COACHING_MIN_NOTES} or more session notes in view"
        elif has_ratings and not has_notes:
            enough = f"{k} or more mentees answering"
        else:
            enough = f"{k} or more mentees answering or {COACHING_MIN_NOTES} or more session notes"
        return (
            f"0 of {_plural(self.mentors, 'mentor')} {'has' if self.mentors == 1 else 'have'} "
            f"{enough}: this data cannot compare mentors with each other, so no one can be "
            "listed for coaching."
        )

    def labels(self) -> dict[str, str]:
        return dict(zip(self.people["mentor_id"], self.people["label"], strict=True))

    def default_mentor(self) -> str | None:
        """The mentor the page opens on: the first by name whose scorecard shows something, else
        the first with anything in view, else the first by name."""
        for column in ("shows", "observed"):
            found = self.people[self.people[column]]
            if len(found):
                return str(found["mentor_id"].iloc[0])
        return str(self.people["mentor_id"].iloc[0]) if len(self.people) else None

    def spread_message(self, source: str) -> str:
        """Why mentors' own rates on `source` (the one the spread and the mentor-by-element
        charts follow) cannot be shown, or "" when some can."""
        k = self.anonymity_min
        if source == "session_note":
            if (self.people["note_count"] > 0).any():
                return ""
            return (
                "No mentor has session notes in view, so how mentors differ cannot be shown: "
                "these charts follow session notes ('Evidence from: Surveys only' compares "
                "mentees' ratings instead)."
            )
        if (self.people["respondent_count"] >= k).any():
            return ""
        return (
            f"0 of {_plural(self.mentors, 'mentor')} {'has' if self.mentors == 1 else 'have'} "
            f"{k} or more mentees answering, so how mentors differ cannot be shown without "
            "pointing at the mentees who answered."
        )

    def gap(self, mentor_id: str) -> str:
        """Why one mentor's scorecard is empty, in one sentence ("" when it is not)."""
        row = self.people.set_index("mentor_id").loc[mentor_id]
        if bool(row["shows"]):
            return ""
        name, k = str(row["display_name"]), self.anonymity_min
        respondents, notes = int(row["respondent_count"]), int(row["note_count"])
        ratings = int(row["rating_count"])
        wants_ratings = "mentee_rating" in self.sources
        wants_notes = "session_note" in self.sources
        if wants_ratings and ratings and respondents < k and not (wants_notes and notes):
            notes_part = ", and none of their session notes are in view" if wants_notes else ""
            return (
                f"Fewer than {k} mentees answered about {name}{notes_part}: nothing about this "
                "mentor can be shown without pointing at the mentees who answered."
            )
        if (notes and not wants_notes) or (ratings and not wants_ratings):
            chosen = " and ".join(SOURCE_LABELS[s].lower() for s in self.sources)
            return (
                f"None of {name}'s {chosen} are in view; their other evidence is left out by the "
                "sidebar's 'Evidence from' choice."
            )
        if bool(row["observed"]):
            return (
                f"Only {name}'s own self-assessment or survey comments are in view: a scorecard "
                f"needs session notes or ratings from {k} or more mentees."
            )
        return (
            f"Nothing about {name} is in this view: no session notes or survey answers in this "
            "period and these filters."
        )


def mentor_readiness(
    counts: pd.DataFrame,
    directory: pd.DataFrame,
    sources: tuple[str, ...],
    settings: Settings = DEFAULT_SETTINGS,
) -> MentorReadiness:
    """`counts`: mentor_source_counts (per mentor, element and source); `directory`: the mentors
    in view (mentor_id, display_name, email); `sources`: the sidebar's level sources."""
    k = settings.anonymity_min
    ratings = counts[counts["source_kind"] == "mentee_rating"]
    notes = counts[counts["source_kind"] == "session_note"]
    respondents = ratings.groupby("mentor_id")["respondent_count"].max()
    rating_count = ratings.groupby("mentor_id")["observation_count"].max()
    # every note is an observation of all four elements, so one element's count is the notes'
    note_count = notes.groupby("mentor_id")["observation_count"].max()
    observed = set(counts["mentor_id"])
    people = directory[["mentor_id", "display_name", "email"]].reset_index(drop=True)
    people = people.assign(
        respondent_count=people["mentor_id"].map(respondents).fillna(0).astype(int),
        rating_count=people["mentor_id"].map(rating_count).fillna(0).astype(int),
        note_count=people["mentor_id"].map(note_count).fillna(0).astype(int),
        observed=people["mentor_id"].isin(observed),
    )
    people["shows"] = (("session_note" in sources) & (people["note_count"] > 0)) | (
        ("mentee_rating" in sources) & (people["respondent_count"] >= k)
    )
    people["comparable"] = (people["respondent_count"] >= k) | (
        people["note_count"] >= COACHING_MIN_NOTES
    )
    shared = people["display_name"].duplicated(keep=False)
    people["label"] = people["display_name"].where(
        ~shared, people["display_name"] + " (" + people["email"].fillna(people["mentor_id"]) + ")"
    )
    return MentorReadiness(people, tuple(sources), k)


def mentors(
    store: Store, filters: Filters, settings: Settings = DEFAULT_SETTINGS
) -> MentorReadiness:
    """The Mentors page's readiness for the mentors inside `filters`."""
    return mentor_readiness(
        queries.mentor_source_counts(store, filters, settings),
        queries.mentors_in_view(store, filters),
        filters.level_sources(),
        settings,
    )


# -- Trends and survey waves ------------------------------------------------------------------


def _period_name(period: object, grain: str) -> str:
    start = pd.Timestamp(period)
    return f"{start:%B %Y}" if grain == "month" else f"{start.year} Q{start.quarter}"


def trend_messages(changes: pd.DataFrame, grain: str, source: str) -> list[str]:
    """Why the trend (views.trend: per period and element, one source) cannot show a change."""
    what = SOURCE_LABELS[source].lower()
    if changes.empty:
        return [f"No {what} are in view, so there is no trend to draw."]
    shown = sorted(changes.loc[changes["pct"].notna(), "period_start"].unique())
    if not shown:
        reasons = [r for r in changes["reason"].unique() if r]
        why = f" ({reasons[0]})" if reasons else ""
        return [f"Every {grain} in view is hidden{why}, so there is no trend to show."]
    if len(shown) == 1:
        return [
            f"Only one {grain} ({_period_name(shown[0], grain)}) has {what} in view: a trend "
            f"needs at least two {grain}s."
        ]
    if int(changes["p_value"].notna().sum()) == 0:
        return [
            f"No two {grain}s in a row have {estimates.MIN_PERIOD_OBSERVATIONS} or more "
            f"{what} each, so no change from one {grain} to the next can be tested: the lines "
            "show levels only."
        ]
    return []


def wave_messages(waves: pd.DataFrame) -> list[str]:
    """Why survey waves (views.waves) cannot be compared."""
    if waves.empty:
        return ["No mentees' survey answers are in view, so there are no waves to compare."]
    shown = sorted(waves.loc[waves["pct"].notna(), "wave"].unique())
    if not shown:
        reasons = [r for r in waves.get("reason", pd.Series(dtype=str)).dropna().unique() if r]
        why = f" ({reasons[0]})" if reasons else ""
        return [f"Every survey wave in view is hidden{why}."]
    if len(shown) == 1:
        return [f"Only one survey wave ({shown[0]}) is in view: waves cannot be compared yet."]
    return []


# -- Segments ---------------------------------------------------------------------------------


def segment_messages(table: pd.DataFrame, label: str, filtered: tuple[str, ...] = ()) -> list[str]:
    """Why a segment heatmap's table (one row per group and element, `label` naming the group,
    frequency_pct None and a reason where hidden) cannot compare groups. `filtered`: the values
    the sidebar's filter on this same segment keeps (empty: no such filter); groups it leaves
    out are outside the filter, not hidden."""
    groups = sorted(str(g) for g in table[label].unique()) if len(table) else []
    if not groups:
        return [f"No observations for any {label} are in view."]
    shown_mask = table["frequency_pct"].notna()
    shown = sorted(str(g) for g in table.loc[shown_mask, label].unique())
    hidden = [g for g in groups if g not in shown]
    reasons = [str(r) for r in table.loc[~shown_mask, "reason"].dropna().unique() if str(r)]
    why = (
        reasons[0] if len(reasons) == 1 else "too few people, or a small group could be worked out"
    )
    if len(groups) == 1:
        messages = [
            f"Only {groups[0]} is in view: the {label} filter leaves out every other {label}, "
            f"so there is nothing to compare it with. Clear that filter to compare {label}s."
            if filtered
            else f"Only {groups[0]} is in view: the data holds no other {label} to compare it with."
        ]
        if hidden:
            messages.append(f"{groups[0]} is hidden to protect anonymity ({why}).")
        return messages
    if not shown:
        return [
            f"Every {label} in view is under the anonymity minimum ({why}): this view cannot "
            f"compare {label}s."
        ]
    if len(shown) == 1:
        return [
            f"Only {shown[0]} is large enough to show; the other "
            f"{_plural(len(hidden), label)} in view {'is' if len(hidden) == 1 else 'are'} hidden "
            f"({why}), so {label}s cannot be compared."
        ]
    return []


# -- Program health ---------------------------------------------------------------------------


def health_messages(numbers: dict[str, float | int | None]) -> list[str]:
    """Why pair activity (metrics.program_health's numbers) cannot be measured: no mentors in
    view, or not one session logged for them (then every pair would read as 'at risk')."""
    mentors = int(numbers.get("mentor_count") or 0)
    if not mentors:
        return ["No mentors match these filters, so there is no pair activity to measure."]
    if int(numbers.get("mentors_without_sessions") or 0) == mentors:
        return [
            f"No session is logged for any of the {_plural(mentors, 'mentor')} in view: pair "
            "activity cannot be measured until a session log is loaded."
        ]
    return []


# -- Elements ---------------------------------------------------------------------------------


def element_messages(levels: pd.DataFrame, filters_described: str) -> list[str]:
    """Why the element levels (views.by_source rows of the sources in view: source_label, pct,
    reason) show no figure at all: nothing in view, or a view the privacy rule hides (its reason
    kept)."""
    if levels["pct"].notna().any():
        return []
    reasons = [str(r) for r in levels["reason"].dropna().unique() if str(r) and r != "no data"]
    if not reasons:
        sources = " or ".join(str(s).lower() for s in levels["source_label"].unique())
        return [
            f"No {sources or 'observations'} match these filters ({filters_described}). Widen "
            "the period or clear a filter."
        ]
    return [f"This view is hidden to protect anonymity: {reasons[0]}."]


# -- Favourable answers, in the surveys' own words --------------------------------------------


@dataclass(frozen=True)
class FavourableWording:
    """The answers that count as favourable, as the surveys labelled them: `plain` for questions
    worded positively, `reversed` for those worded negatively (most answered first)."""

    plain: tuple[str, ...]
    reversed: tuple[str, ...] = ()

    def short(self) -> str:
        """ "Agree or Strongly agree; Often or Always" (the plain questions only)."""
        return "; ".join(self.plain) if self.plain else "the positive end of each scale"

    def sentence(self) -> str:
        if not self.plain and not self.reversed:
            return (
                "A survey answer counts as favourable at the positive end of its scale (for "
                "example Agree or Strongly agree, or 4 or 5 on a 1-5 scale)."
            )
        said = "A survey answer counts as favourable when it is " + ", or ".join(
            self.plain or self.reversed
        )
        if self.plain and self.reversed:
            said += f" ({', or '.join(self.reversed)} on questions worded negatively)"
        elif self.reversed:
            said += " (every question is worded negatively)"
        return said + "."


def _item_phrase(item: pd.DataFrame, threshold: float) -> tuple[str, bool] | None:
    """The favourable answers of one question in words, and whether it is worded negatively."""
    scale = likert.detect_scale(item["answer_raw"], str(item["item_text"].iloc[0]))
    if scale is None:
        given = item.loc[item["score_01"] >= threshold - 1e-9, "answer_raw"]
        spelled = list(dict.fromkeys(str(a).strip() for a in given))
        return (_either(spelled), False) if spelled else None
    expected, _ = likert.score(item["answer_raw"], scale)
    stored = item["score_01"].astype(float)
    turned = bool((stored - (1.0 - expected)).abs().sum() < (stored - expected).abs().sum())
    low, high = likert.SCALE_RANGE[scale]
    steps = high - low

    def favourable(value: int) -> bool:
        rescaled = (value - low) / steps
        return (1.0 - rescaled if turned else rescaled) >= threshold - 1e-9

    labels = likert.scale_labels(scale)
    if not labels:
        numbers = [str(v) for v in range(low, high + 1) if favourable(v)]
        return f"{_either(numbers)} on a {low}-{high} scale", turned
    # the survey's own spelling where it gave one ("Strongly Agree"), else the scale's
    spelling = {
        str(norm): str(raw).strip()
        for norm, raw in zip(likert.normalise(item["answer_raw"]), item["answer_raw"], strict=True)
    }
    chosen = [
        spelling.get(label.casefold(), label)
        for value, label in enumerate(labels, start=low)
        if favourable(value)
    ]
    # read from the middle outwards: "Disagree or Strongly disagree", "Agree or Strongly agree"
    return _either(chosen[::-1] if turned else chosen), turned


def favourable_wording(
    answers: pd.DataFrame, settings: Settings = DEFAULT_SETTINGS
) -> FavourableWording:
    """`answers`: queries.answer_labels (item_id, item_text, answer_raw, score_01, answer_count)."""
    weight: dict[tuple[str, bool], int] = {}
    for _, item in answers.groupby("item_id", sort=True):
        found = _item_phrase(item, settings.favourable_threshold)
        if found:
            weight[found] = weight.get(found, 0) + int(item["answer_count"].sum())
    ordered = sorted(weight, key=lambda key: (-weight[key], key[0]))
    return FavourableWording(
        plain=tuple(phrase for phrase, turned in ordered if not turned),
        reversed=tuple(phrase for phrase, turned in ordered if turned),
    )


def favourable(store: Store, settings: Settings = DEFAULT_SETTINGS) -> FavourableWording:
    """Which answers count as favourable in the surveys loaded."""
    return favourable_wording(queries.answer_labels(store), settings)
