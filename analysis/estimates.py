"""Each source reported as itself, with intervals that respect clustering: levels per element and
source, partially pooled mentor rates and coverage, changes between periods with the view's tests
corrected together, the paired perception gap, who to coach (like for like, FDR-controlled) and
the impact of a programme event. Per-mentor counts in, DataFrames out; no I/O."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from analysis import stats
from analysis.model import DEFAULT_SETTINGS, ELEMENT_LABELS, ELEMENTS, SOURCE_LABELS, Settings

LEVEL_SOURCES = ("mentee_rating", "session_note", "self_assessment")
SURVEY_SOURCES = frozenset({"mentee_rating", "self_assessment"})
COVERAGE_THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)
# Fewest observations in each period before a change is tested at all.
MIN_PERIOD_OBSERVATIONS = 30


def hidden_reason(source: str, mentors: int, respondents: int, settings: Settings) -> str | None:
    """Why a group's figure is not shown, in words, or None when it can be."""
    k = settings.anonymity_min
    if mentors < k:
        return f"fewer than {k} mentors"
    if source in SURVEY_SOURCES and respondents < k:
        return f"fewer than {k} people answered"
    return None


def _people(people: pd.DataFrame, element: str, source: str) -> tuple[int, int]:
    row = people[(people["element"] == element) & (people["source_kind"] == source)]
    if row.empty:
        return 0, 0
    return int(row["mentor_count"].iloc[0]), int(row["respondent_count"].iloc[0])


def source_levels(
    counts: pd.DataFrame,
    people: pd.DataFrame,
    settings: Settings = DEFAULT_SETTINGS,
    sources: Iterable[str] = LEVEL_SOURCES,
) -> pd.DataFrame:
    """Per element and source: the share of observations showing the element with its
    mentor-clustered 95% interval, and coverage, the estimated share of mentors whose partially
    pooled rate reaches `mentor_shown_share`. `counts`: mentor_source_counts; `people`: source_people.
    A group behind too few people keeps its row but not its numbers."""
    rows = []
    for element in ELEMENTS:
        for source in sources:
            mine = counts[(counts["element"] == element) & (counts["source_kind"] == source)]
            mentors, respondents = _people(people, element, source)
            reason = hidden_reason(source, mentors, respondents, settings) if len(mine) else None
            share = stats.clustered_share(mine["shown_count"], mine["observation_count"])
            prior = stats.fit_prior(mine["shown_count"], mine["observation_count"])
            coverage = stats.share_above(
                mine["shown_count"], mine["observation_count"], prior, settings.mentor_shown_share
            )
            shown = reason is None and share.pct is not None
            rows.append(
                {
                    "element": element,
                    "label": ELEMENT_LABELS[element],
                    "source": source,
                    "source_label": SOURCE_LABELS[source],
                    "pct": share.pct if shown else None,
                    "ci_low": share.ci_low if shown else None,
                    "ci_high": share.ci_high if shown else None,
                    "observation_count": share.n if shown else None,
                    "shown_count": int(mine["shown_count"].sum()) if shown else None,
                    "concern_count": int(mine["concern_count"].sum()) if shown else None,
                    "mentors": mentors if shown else None,
                    "respondents": respondents if shown and source in SURVEY_SOURCES else None,
                    "design_effect": round(share.design_effect, 2) if shown else None,
                    "coverage_pct": coverage if shown and len(mine) else None,
                    "suppressed": reason is not None,
                    "reason": reason or ("no data" if not len(mine) else ""),
                }
            )
    return pd.DataFrame(rows)


def coverage_sensitivity(
    counts: pd.DataFrame,
    levels: pd.DataFrame,
    thresholds: Iterable[float] = COVERAGE_THRESHOLDS,
) -> pd.DataFrame:
    """Coverage at several thresholds, per element and source shown in `levels`: how much the
    headline depends on where the line is drawn."""
    rows = []
    for row in levels[levels["pct"].notna()].itertuples():
        mine = counts[(counts["element"] == row.element) & (counts["source_kind"] == row.source)]
        prior = stats.fit_prior(mine["shown_count"], mine["observation_count"])
        entry = {"element": row.element, "source": row.source}
        for threshold in thresholds:
            entry[f"at_{round(threshold * 100)}"] = stats.share_above(
                mine["shown_count"], mine["observation_count"], prior, threshold
            )
        rows.append(entry)
    return pd.DataFrame(rows)


def pooled_mentor_rates(
    counts: pd.DataFrame, sources: Iterable[str] = LEVEL_SOURCES
) -> pd.DataFrame:
    """Each mentor's partially pooled rate per element and source (beta-binomial empirical Bayes
    fitted over the mentors in `counts`), with its 95% interval and the raw rate beside it."""
    parts = []
    for (_, source), mine in counts.groupby(["element", "source_kind"], sort=True):
        if source not in sources or mine.empty:
            continue
        prior = stats.fit_prior(mine["shown_count"], mine["observation_count"])
        mean, low, high = stats.posterior_rates(
            mine["shown_count"], mine["observation_count"], prior
        )
        parts.append(
            mine.assign(
                raw_pct=100.0 * mine["shown_count"] / mine["observation_count"],
                rate_pct=mean,
                low_pct=low,
                high_pct=high,
                programme_pct=100.0 * prior.mean,
            )
        )
    if not parts:
        return counts.assign(
            raw_pct=[], rate_pct=[], low_pct=[], high_pct=[], programme_pct=[]
        ).iloc[0:0]
    return pd.concat(parts, ignore_index=True)


def trend_by_source(
    period_counts: pd.DataFrame,
    settings: Settings = DEFAULT_SETTINGS,
    sources: Iterable[str] = ("session_note",),
    alpha: float = stats.ALPHA,
    withheld: Callable[[object], str | None] = lambda period: None,
) -> pd.DataFrame:
    """Per element, source and period: the share with its clustered interval, and the change from
    the previous period (same mentors compared with themselves where they appear in both) with
    its p-value; then every change test in the view is corrected together (Benjamini-Hochberg) and
    a change is called up or down only when its q-value is below `alpha`."""
    rows = []
    # plain arrays, mentors as integer codes: the loop below visits every element and period
    mentor_code = pd.factorize(period_counts["mentor_id"])[0]
    source_of = period_counts["source_kind"].to_numpy()
    element_of = period_counts["element"].to_numpy()
    period_of = period_counts["period_start"].to_numpy()
    shown_of = period_counts["shown_count"].to_numpy(dtype="float64")
    total_of = period_counts["observation_count"].to_numpy(dtype="float64")
    respondents_of = period_counts["respondent_count"].fillna(0).to_numpy(dtype="float64")
    for source in sources:
        for element in ELEMENTS:
            mine = np.flatnonzero((source_of == source) & (element_of == element))
            periods = sorted(pd.unique(period_of[mine]))
            previous: np.ndarray | None = None
            previous_hidden = True
            for period in periods:
                now = mine[period_of[mine] == period]
                respondents = int(respondents_of[now].sum())
                reason = hidden_reason(
                    source, len(np.unique(mentor_code[now])), respondents, settings
                ) or withheld(period)
                share = stats.clustered_share(shown_of[now], total_of[now])
                row = {
                    "period_start": period,
                    "element": element,
                    "source": source,
                    "pct": None if reason else share.pct,
                    "ci_low": None if reason else share.ci_low,
                    "ci_high": None if reason else share.ci_high,
                    "observation_count": share.n,
                    "mentor_count": share.mentors,
                    "hidden": reason is not None,
                    "reason": reason or "",
                    "change_pts": None,
                    "change_low": None,
                    "change_high": None,
                    "p_value": None,
                    "verdict": "first period" if previous is None else "not enough data",
                }
                if (
                    previous is not None
                    and not reason
                    and not previous_hidden
                    and share.n >= MIN_PERIOD_OBSERVATIONS
                    and total_of[previous].sum() >= MIN_PERIOD_OBSERVATIONS
                ):
                    # each mentor's counts before and after, 0 where they have none
                    mentors, where = np.unique(
                        mentor_code[np.concatenate([previous, now])], return_inverse=True
                    )
                    before_at, after_at = where[: len(previous)], where[len(previous) :]
                    counts = np.zeros((4, len(mentors)))
                    np.add.at(counts[0], before_at, shown_of[previous])
                    np.add.at(counts[1], before_at, total_of[previous])
                    np.add.at(counts[2], after_at, shown_of[now])
                    np.add.at(counts[3], after_at, total_of[now])
                    test = stats.clustered_difference(counts[0], counts[1], counts[2], counts[3])
                    if test.p is not None:
                        row.update(
                            change_pts=test.diff_pts,
                            change_low=test.ci_low,
                            change_high=test.ci_high,
                            p_value=test.p,
                            verdict="tested",
                        )
                rows.append(row)
                previous, previous_hidden = now, reason is not None
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    frame["q_value"] = stats.bh_qvalues(frame["p_value"].astype("float64").to_numpy())
    tested = frame["verdict"] == "tested"
    called = tested & (frame["q_value"] < alpha)
    frame.loc[tested, "verdict"] = "no clear change"
    frame.loc[called & (frame["change_pts"] > 0), "verdict"] = "up"
    frame.loc[called & (frame["change_pts"] < 0), "verdict"] = "down"
    return frame


def paired_perception_gap(
    pairs: pd.DataFrame, settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Per element: mentors' self-assessment minus their mentees' rating, in points, paired by
    mentor and wave (survey items only, each side favourable by its own scale's top quarter),
    averaged over pairs with a 95% interval clustered by mentor, and the number of pairs."""
    rows = []
    for element in ELEMENTS:
        mine = pairs[pairs["element"] == element]
        wide = mine.pivot_table(
            index=["mentor_id", "wave"],
            columns="source_kind",
            values=["shown_count", "observation_count", "respondent_count"],
            aggfunc="sum",
        )
        both = (
            wide.dropna()
            if {"mentee_rating", "self_assessment"} <= set(mine["source_kind"])
            else wide.iloc[0:0]
        )
        if len(both):
            self_pct = (
                100.0
                * both[("shown_count", "self_assessment")]
                / both[("observation_count", "self_assessment")]
            )
            mentee_pct = (
                100.0
                * both[("shown_count", "mentee_rating")]
                / both[("observation_count", "mentee_rating")]
            )
            gap = stats.paired_gap(
                both.index.get_level_values("mentor_id"), self_pct.to_numpy(), mentee_pct.to_numpy()
            )
            respondents = int(both[("respondent_count", "mentee_rating")].sum())
        else:
            gap, respondents = stats.Gap(None, None, None, 0, 0), 0
        reason = (
            hidden_reason("mentee_rating", gap.mentors, respondents, settings)
            if gap.pairs
            else ("no mentor has both a self-assessment and mentees' ratings in the same wave")
        )
        shown = reason is None
        rows.append(
            {
                "element": element,
                "label": ELEMENT_LABELS[element],
                "gap_pts": gap.gap_pts if shown else None,
                "ci_low": gap.ci_low if shown else None,
                "ci_high": gap.ci_high if shown else None,
                "pairs": gap.pairs,
                "mentors": gap.mentors,
                "reason": reason or "",
            }
        )
    return pd.DataFrame(rows)


def coaching(
    counts: pd.DataFrame,
    settings: Settings = DEFAULT_SETTINGS,
    sources: Iterable[str] = ("session_note", "mentee_rating"),
    fdr: float = stats.ALPHA,
    min_notes: int = 10,
) -> pd.DataFrame:
    """Who to coach on what, without naming people on evidence chance alone would produce. Each
    mentor is compared like for like: their session notes with everyone else's session notes,
    their mentees' ratings with everyone else's mentees' ratings. The test is one-sided (below the
    benchmark); for ratings each respondent counts once (a mentee's answers to one element's items
    move together), and a mentor's ratings are tested only when at least `anonymity_min` mentees
    answered. Every test run is corrected together (Benjamini-Hochberg); a row is listed only when
    its q-value is below `fdr`. Rates shown are partially pooled."""
    pooled = pooled_mentor_rates(counts, sources)
    rows = []
    for (_, source), mine in pooled.groupby(["element", "source_kind"], sort=True):
        total_n, total_s = mine["observation_count"].sum(), mine["shown_count"].sum()
        others_n = total_n - mine["observation_count"]
        benchmark = (total_s - mine["shown_count"]) / others_n.where(others_n > 0)
        if source in SURVEY_SOURCES:
            eligible = mine["respondent_count"] >= settings.anonymity_min
            trials = mine["respondent_count"].astype(float)
        else:
            eligible = mine["observation_count"] >= min_notes
            trials = mine["observation_count"].astype(float)
        raw = mine["shown_count"] / mine["observation_count"]
        p_values = stats.one_sided_below(raw * trials, trials, benchmark.fillna(0.5))
        rows.append(
            mine.assign(
                benchmark_pct=100.0 * benchmark,
                p_value=np.where(eligible & benchmark.notna(), p_values, np.nan),
            )
        )
    if not rows:
        return pooled.assign(benchmark_pct=[], p_value=[], q_value=[]).iloc[0:0]
    tested = pd.concat(rows, ignore_index=True)
    tested["q_value"] = stats.bh_qvalues(tested["p_value"].to_numpy())
    flagged = tested[tested["q_value"] < fdr].copy()
    flagged["label"] = flagged["element"].map(ELEMENT_LABELS)
    flagged["source_label"] = flagged["source_kind"].map(SOURCE_LABELS)
    flagged.attrs["tests_run"] = int(tested["p_value"].notna().sum())
    return flagged.sort_values(["q_value", "rate_pct"]).reset_index(drop=True)


def impact(
    cells: pd.DataFrame,
    treated: set[str],
    source: str = "session_note",
    fdr: float = stats.ALPHA,
) -> pd.DataFrame:
    """Per element: the difference-in-differences of the treated mentors' change after the event
    against the other mentors' change, on one source, with a mentor-clustered 95% interval, the
    p-value and the q-value over the four elements tested together."""
    rows = []
    for element in ELEMENTS:
        mine = cells[(cells["element"] == element) & (cells["source_kind"] == source)]
        wide = mine.pivot_table(
            index="mentor_id",
            columns="after",
            values=["shown_count", "observation_count"],
            aggfunc="sum",
            fill_value=0,
        )
        for column in (
            ("shown_count", False),
            ("shown_count", True),
            ("observation_count", False),
            ("observation_count", True),
        ):
            if column not in wide.columns:
                wide[column] = 0
        effect = stats.difference_in_differences(
            wide.index.isin(list(treated)),
            wide[("shown_count", False)].to_numpy(),
            wide[("observation_count", False)].to_numpy(),
            wide[("shown_count", True)].to_numpy(),
            wide[("observation_count", True)].to_numpy(),
        )
        rows.append(
            {
                "element": element,
                "label": ELEMENT_LABELS[element],
                "source": source,
                "effect_pts": effect.effect_pts,
                "ci_low": effect.ci_low,
                "ci_high": effect.ci_high,
                "p": effect.p,
                "treated_mentors": effect.treated_mentors,
                "control_mentors": effect.control_mentors,
            }
        )
    frame = pd.DataFrame(rows)
    frame["q"] = stats.bh_qvalues(frame["p"].astype("float64").to_numpy())
    frame["called"] = frame["q"] < fdr
    return frame


def group_series(
    period_counts: pd.DataFrame, members: set[str], settings: Settings = DEFAULT_SETTINGS
) -> pd.DataFrame:
    """Per period, element and group (treated or the others): the share with its clustered
    interval; a period behind fewer than `anonymity_min` mentors in a group is left blank."""
    rows = []
    frame = period_counts.assign(treated=period_counts["mentor_id"].isin(members))
    for (period, element, treated), mine in frame.groupby(
        ["period_start", "element", "treated"], sort=True
    ):
        share = stats.clustered_share(mine["shown_count"], mine["observation_count"])
        shown = share.mentors >= settings.anonymity_min
        rows.append(
            {
                "period_start": period,
                "element": element,
                "group": "treated" if treated else "others",
                "pct": share.pct if shown else None,
                "ci_low": share.ci_low if shown else None,
                "ci_high": share.ci_high if shown else None,
                "mentors": share.mentors,
            }
        )
    return pd.DataFrame(
        rows, columns=["period_start", "element", "group", "pct", "ci_low", "ci_high", "mentors"]
    )


def wave_levels(pairs: pd.DataFrame, settings: Settings = DEFAULT_SETTINGS) -> pd.DataFrame:
    """Mentees' favourable share per survey wave and element with its mentor-clustered interval
    (`pairs`: perception_pairs); a wave behind too few people is left blank."""
    rows = []
    ratings = pairs[pairs["source_kind"] == "mentee_rating"]
    for (wave, element), mine in ratings.groupby(["wave", "element"], sort=True):
        share = stats.clustered_share(mine["shown_count"], mine["observation_count"])
        reason = hidden_reason(
            "mentee_rating", share.mentors, int(mine["respondent_count"].sum()), settings
        )
        rows.append(
            {
                "wave": wave,
                "element": element,
                "pct": None if reason else share.pct,
                "ci_low": None if reason else share.ci_low,
                "ci_high": None if reason else share.ci_high,
                "observation_count": None if reason else share.n,
                "mentors": share.mentors,
                "reason": reason or "",
            }
        )
    return pd.DataFrame(
        rows,
        columns=[
            "wave",
            "element",
            "pct",
            "ci_low",
            "ci_high",
            "observation_count",
            "mentors",
            "reason",
        ],
    )


def segment_levels(
    counts: pd.DataFrame,
    segment_column: str,
    source: str,
    settings: Settings = DEFAULT_SETTINGS,
    withheld: dict[str, str] | None = None,
) -> pd.DataFrame:
    """Per segment value and element, one source: the share with its mentor-clustered interval.
    `counts` has one row per mentor (or mentor and segment value), element and source with a
    `segment_column`. Cells behind too few people are hidden, and so are enough others that a
    hidden cell cannot be worked out from the shown cells and the total."""
    from analysis import metrics

    mine = counts[counts["source_kind"] == source] if "source_kind" in counts else counts
    rows = []
    for (value, element), cell in mine.groupby([segment_column, "element"], sort=True):
        share = stats.clustered_share(cell["shown_count"], cell["observation_count"])
        rows.append(
            {
                "segment_value": value,
                "element": element,
                "observation_count": share.n,
                "shown_count": int(cell["shown_count"].sum()),
                "mentor_count": share.mentors,
                "respondent_count": int(cell["respondent_count"].sum())
                if source in SURVEY_SOURCES
                else 0,
                "pct": share.pct,
                "ci_low": share.ci_low,
                "ci_high": share.ci_high,
            }
        )
    columns = [
        "segment_value",
        "element",
        "observation_count",
        "shown_count",
        "mentor_count",
        "respondent_count",
        "pct",
        "ci_low",
        "ci_high",
    ]
    cells = pd.DataFrame(rows, columns=columns)
    if cells.empty:
        return cells.assign(suppressed=[], reason=[], frequency_pct=[])
    cells = metrics.suppress_cells(cells, settings, withheld)
    for column in ("pct", "ci_low", "ci_high", "mentor_count", "respondent_count"):
        cells[column] = cells[column].astype("float64").mask(cells["suppressed"])
    cells["frequency_pct"] = cells["pct"]
    return cells


def withhold(frame: pd.DataFrame, reason: str, keep: Iterable[str]) -> pd.DataFrame:
    """Every figure of a view the privacy rule hides: numbers (counts too) blanked, the reason
    given; only the columns in `keep` (labels) stay."""
    hidden = frame.copy()
    for column in hidden.columns:
        if column not in keep:
            hidden[column] = None
    hidden["suppressed"] = True
    hidden["reason"] = reason
    return hidden


def against_targets(
    levels: pd.DataFrame, targets: pd.DataFrame, alpha: float = stats.ALPHA
) -> pd.DataFrame:
    """Each shown level against the admin's target for its element and source: the distance in
    points with the level's own interval moved by the target, and a two-sided test at the
    level's effective sample size (clustering counted through the design effect, t over mentors
    - 1); the view's tests are corrected together (Benjamini-Hochberg). A level is called above
    or below target only when its q-value is under `alpha`; otherwise it is "not distinguishable
    from the target"."""
    frame = levels.merge(
        targets[["element", "source", "target_pct"]]
        if len(targets)
        else pd.DataFrame(columns=["element", "source", "target_pct"]),
        on=["element", "source"],
        how="left",
    )
    frame["target_pct"] = pd.to_numeric(frame["target_pct"], errors="coerce")
    p_values: list[float] = []
    gaps: list[float | None] = []
    lows: list[float | None] = []
    highs: list[float | None] = []
    for row in frame.itertuples():
        if pd.isna(row.target_pct) or row.pct is None or pd.isna(row.pct):
            p_values.append(np.nan)
            gaps.append(None)
            lows.append(None)
            highs.append(None)
            continue
        gaps.append(row.pct - row.target_pct)
        lows.append(row.ci_low - row.target_pct)
        highs.append(row.ci_high - row.target_pct)
        p_values.append(
            stats.share_vs_target(
                row.pct,
                int(row.observation_count),
                float(row.design_effect or 1.0),
                int(row.mentors),
                float(row.target_pct),
            )
        )
    q = stats.bh_qvalues(np.array(p_values, dtype="float64"))
    frame["vs_target_pts"] = gaps
    frame["vs_target_low"] = lows
    frame["vs_target_high"] = highs
    frame["vs_target_q"] = [None if np.isnan(v) else float(v) for v in q]
    frame["vs_target"] = [
        ("no target" if pd.isna(target) else "not shown")
        if gap is None
        else (
            "not distinguishable from the target"
            if not (qv < alpha)
            else ("above target" if gap > 0 else "below target")
        )
        for gap, qv, target in zip(gaps, q, frame["target_pct"], strict=True)
    ]
    return frame


def period_changes(now: pd.DataFrame, before: pd.DataFrame, sources: Iterable[str]) -> pd.DataFrame:
    """Per element and source, the change in share from the previous period (`before`) to this
    one (`now`), both mentor_source_counts: the same mentors compared with themselves where they
    appear in both (mentor-clustered difference). Too few
    observations in either period (fewer than MIN_PERIOD_OBSERVATIONS) is no test at all. The
    p-values are raw: correct the view's tests together with call_changes."""
    columns = ["mentor_id", "shown_count", "observation_count"]
    rows = []
    for source in sources:
        for element in ELEMENTS:
            a, b = (
                f[(f["element"] == element) & (f["source_kind"] == source)][columns]
                for f in (before, now)
            )
            before_n = int(a["observation_count"].sum())
            now_n = int(b["observation_count"].sum())
            row: dict[str, object] = {
                "element": element,
                "source": source,
                "change_pts": None,
                "change_low": None,
                "change_high": None,
                "p_value": np.nan,
                "before_n": before_n,
                "now_n": now_n,
            }
            if min(before_n, now_n) >= MIN_PERIOD_OBSERVATIONS:
                aligned = a.merge(b, on="mentor_id", how="outer", suffixes=("_a", "_b")).fillna(0)
                test = stats.clustered_difference(
                    aligned["shown_count_a"],
                    aligned["observation_count_a"],
                    aligned["shown_count_b"],
                    aligned["observation_count_b"],
                )
                if test.diff_pts is not None:
                    row.update(
                        change_pts=test.diff_pts,
                        change_low=test.ci_low,
                        change_high=test.ci_high,
                        p_value=test.p if test.p is not None else np.nan,
                    )
            rows.append(row)
    return pd.DataFrame(rows)


def call_changes(frame: pd.DataFrame, alpha: float = stats.ALPHA) -> pd.DataFrame:
    """Correct a view's change tests together (Benjamini-Hochberg over `p_value`) and call each
    up or down only when its q-value is under `alpha`."""
    frame = frame.copy()
    p = pd.to_numeric(frame["p_value"], errors="coerce").to_numpy(dtype="float64")
    q = stats.bh_qvalues(p)
    frame["q_value"] = [None if np.isnan(v) else float(v) for v in q]
    frame["change"] = [
        "not enough data"
        if np.isnan(qv)
        else ("no change beyond chance" if not qv < alpha else ("up" if c > 0 else "down"))
        for c, qv in zip(frame["change_pts"], q, strict=True)
    ]
    frame["p_value"] = [None if np.isnan(v) else float(v) for v in p]
    return frame
