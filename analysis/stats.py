"""The statistics behind every interval and test: shares whose observations cluster in mentors
(many notes per mentor), changes between periods, Benjamini-Hochberg control of several tests,
partial pooling of mentor rates (beta-binomial empirical Bayes), difference-in-differences with
mentor fixed effects, and the paired perception gap. Arrays in, numbers out; no I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special
from scipy import stats as sps

ALPHA = 0.05


@dataclass(frozen=True)
class Share:
    """A share in percent with its 95% interval, the observations and the mentors behind it.
    `design_effect` says how much clustering widened the interval against independent answers."""

    pct: float | None
    ci_low: float | None
    ci_high: float | None
    n: int
    mentors: int
    design_effect: float = 1.0


@dataclass(frozen=True)
class Test:
    """A difference (in percentage points) with its interval and two-sided p-value."""

    diff_pts: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None
    df: int


def _critical(df: float) -> float:
    """Student's t quantile for a 95% interval; few mentors make a wide interval."""
    return float(sps.t.ppf(1 - ALPHA / 2, df)) if df >= 1 else math.inf


def wilson(p: float, n: float, z: float = 1.959963984540054) -> tuple[float, float]:
    """Wilson's score interval for a proportion (sound at small n and at 0 or 1)."""
    if n <= 0:
        return 0.0, 1.0
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    return max(0.0, centre - half), min(1.0, centre + half)


def clustered_share(shown: np.ndarray, total: np.ndarray) -> Share:
    """The share sum(shown) / sum(total) over mentors (one entry per mentor), with a 95% interval
    that respects clustering: Wilson's interval at the effective sample size n / design effect,
    the design effect being the mentor-clustered (linearised) variance of the ratio against the
    variance of as many independent answers, never below 1; with Student's t over mentors - 1
    degrees of freedom, so an interval over few mentors is honest about it."""
    shown = np.asarray(shown, dtype="float64")
    total = np.asarray(total, dtype="float64")
    n = float(total.sum())
    mentors = int((total > 0).sum())
    if n <= 0:
        return Share(None, None, None, 0, 0)
    p = float(shown.sum()) / n
    deff = 1.0
    independent = p * (1 - p) / n
    if mentors >= 2 and independent > 0:
        residual = shown - p * total
        clustered = mentors / (mentors - 1) * float((residual**2).sum()) / (n * n)
        deff = max(1.0, clustered / independent)
    low, high = wilson(p, n / deff, _critical(mentors - 1) if mentors >= 2 else 1.959963984540054)
    return Share(100.0 * p, 100.0 * low, 100.0 * high, int(n), mentors, deff)


def clustered_difference(
    shown_before: np.ndarray,
    total_before: np.ndarray,
    shown_after: np.ndarray,
    total_after: np.ndarray,
) -> Test:
    """After minus before, in points, for shares over the same list of mentors (a mentor absent
    from a period has zeros there). Mentor-clustered variance of the difference of two ratios:
    a mentor seen in both periods contributes to both, so what is stable about them cancels."""
    y1, n1 = np.asarray(shown_before, float), np.asarray(total_before, float)
    y2, n2 = np.asarray(shown_after, float), np.asarray(total_after, float)
    big_n1, big_n2 = n1.sum(), n2.sum()
    mentors = int(((n1 + n2) > 0).sum())
    if big_n1 <= 0 or big_n2 <= 0 or mentors < 2:
        return Test(None, None, None, None, 0)
    p1, p2 = y1.sum() / big_n1, y2.sum() / big_n2
    contribution = (y2 - p2 * n2) / big_n2 - (y1 - p1 * n1) / big_n1
    variance = mentors / (mentors - 1) * float((contribution**2).sum())
    diff = p2 - p1
    df = mentors - 1
    if variance <= 0:
        return Test(100.0 * diff, 100.0 * diff, 100.0 * diff, 1.0 if diff == 0 else 0.0, df)
    se = math.sqrt(variance)
    half = _critical(df) * se
    p_value = float(2 * sps.t.sf(abs(diff) / se, df))
    return Test(100.0 * diff, 100.0 * (diff - half), 100.0 * (diff + half), p_value, df)


def bh_qvalues(p_values: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) for tests run together; NaN stays NaN."""
    p = np.asarray(p_values, dtype="float64")
    q = np.full_like(p, np.nan)
    valid = ~np.isnan(p)
    m = int(valid.sum())
    if not m:
        return q
    order = np.argsort(p[valid])
    ranked = p[valid][order] * m / np.arange(1, m + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    adjusted = np.empty(m)
    adjusted[order] = np.minimum(ranked, 1.0)
    q[valid] = adjusted
    return q


@dataclass(frozen=True)
class Prior:
    """The spread of mentors' true rates, as a beta distribution fitted to all of them.
    A large `strength` (alpha + beta) means mentors barely differ beyond chance."""

    alpha: float
    beta: float

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @property
    def strength(self) -> float:
        return self.alpha + self.beta


def _beta_binomial_loglik(
    mean: float, strength: float, shown: np.ndarray, total: np.ndarray
) -> float:
    a, b = mean * strength, (1 - mean) * strength
    return float((special.betaln(shown + a, total - shown + b) - special.betaln(a, b)).sum())


def fit_prior(shown: np.ndarray, total: np.ndarray, max_strength: float = 1e6) -> Prior:
    """The beta-binomial prior over mentors (empirical Bayes): its mean is the programme's share,
    its strength the maximum-likelihood value given that mean (a one-dimensional search, fast at
    any number of mentors). With no spread beyond chance the strength runs to `max_strength`:
    every mentor is then shrunk to the mean."""
    shown = np.asarray(shown, float)
    total = np.asarray(total, float)
    keep = total > 0
    shown, total = shown[keep], total[keep]
    if not len(total):
        return Prior(1.0, 1.0)
    mean = float(np.clip(shown.sum() / total.sum(), 1e-4, 1 - 1e-4))
    if len(total) < 3:
        return Prior(mean * max_strength, (1 - mean) * max_strength)
    found = optimize.minimize_scalar(
        lambda log_strength: -_beta_binomial_loglik(mean, math.exp(log_strength), shown, total),
        bounds=(math.log(0.5), math.log(max_strength)),
        method="bounded",
        options={"xatol": 1e-3},
    )
    strength = float(math.exp(found.x))
    return Prior(mean * strength, (1 - mean) * strength)


def posterior_rates(
    shown: np.ndarray, total: np.ndarray, prior: Prior
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each mentor's partially pooled rate (posterior mean) and 95% interval, in percent: a mentor
    with 4 observations is pulled towards the programme's rate, one with 80 barely moves."""
    a = prior.alpha + np.asarray(shown, float)
    b = prior.beta + np.asarray(total, float) - np.asarray(shown, float)
    if not len(a):
        return a, a.copy(), a.copy()
    low, high = special.betaincinv(a, b, 0.025), special.betaincinv(a, b, 0.975)
    return 100.0 * a / (a + b), 100.0 * low, 100.0 * high


def share_above(shown: np.ndarray, total: np.ndarray, prior: Prior, threshold: float) -> float:
    """The estimated share of mentors whose rate is at least `threshold`: the mean over mentors of
    the posterior probability that their rate clears it (counting posterior means would undercount,
    since partial pooling pulls every mentor towards the middle)."""
    a = prior.alpha + np.asarray(shown, float)
    b = prior.beta + np.asarray(total, float) - np.asarray(shown, float)
    if not len(a):
        return float("nan")
    # P(rate >= threshold) under Beta(a, b) is I_{1-threshold}(b, a): the special function is
    # the same number as sps.beta.sf, without its argument checks (9 times faster).
    return 100.0 * float(special.betainc(b, a, 1.0 - threshold).mean())


@dataclass(frozen=True)
class Effect:
    """A difference-in-differences in percentage points, with its 95% interval and p-value."""

    effect_pts: float | None
    ci_low: float | None
    ci_high: float | None
    p: float | None
    treated_mentors: int
    control_mentors: int


def difference_in_differences(
    treated: np.ndarray,
    shown_before: np.ndarray,
    total_before: np.ndarray,
    shown_after: np.ndarray,
    total_after: np.ndarray,
) -> Effect:
    """The change after an event among treated mentors beyond the change among the others: the
    observation-level linear model y = mentor + after + effect * (treated x after), with mentor
    fixed effects and mentor-clustered (CR1) standard errors, t over mentors - 1 degrees of
    freedom. Computed from per-mentor counts (one entry per mentor): within a mentor every
    regressor is constant in each period, so the sums are exact. Only mentors seen both before
    and after inform the effect; they are the ones counted."""
    t = np.asarray(treated, bool)
    y0, n0 = np.asarray(shown_before, float), np.asarray(total_before, float)
    y1, n1 = np.asarray(shown_after, float), np.asarray(total_after, float)
    both = (n0 > 0) & (n1 > 0)
    t, y0, n0, y1, n1 = t[both], y0[both], n0[both], y1[both], n1[both]
    treated_count, control_count = int(t.sum()), int((~t).sum())
    if treated_count < 2 or control_count < 2:
        return Effect(None, None, None, None, treated_count, control_count)
    n = n0 + n1
    w = n1 / n  # each mentor's share of observations after the event
    # Within each mentor the demeaned "after" regressor is -w before and 1 - w after.
    sxx_after = n * w * (1 - w)  # sum of squares of the demeaned regressor, per mentor
    sxy = -w * y0 + (1 - w) * y1  # its cross-product with y, per mentor
    x = np.stack([np.ones_like(w), t.astype(float)], axis=1)  # regressors: after, treated x after
    xtx = np.einsum("i,ij,ik->jk", sxx_after, x, x)
    xty = np.einsum("i,ij->j", sxy, x)
    beta = np.linalg.solve(xtx, xty)
    # Each mentor's score: demeaned regressors times residuals, summed over their observations.
    scores = x * (sxy - sxx_after * (x @ beta))[:, None]
    clusters = len(w)
    observations = float(n.sum())
    # CR1 with the fixed effects left out of the count (they are nested in the clusters).
    correction = clusters / (clusters - 1) * (observations - 1) / (observations - 2)
    bread = np.linalg.inv(xtx)
    covariance = correction * bread @ (scores.T @ scores) @ bread
    effect, se = float(beta[1]), math.sqrt(max(float(covariance[1, 1]), 0.0))
    df = clusters - 1
    if se == 0:
        return Effect(100 * effect, 100 * effect, 100 * effect, None, treated_count, control_count)
    half = _critical(df) * se
    p_value = float(2 * sps.t.sf(abs(effect) / se, df))
    return Effect(
        100 * effect,
        100 * (effect - half),
        100 * (effect + half),
        p_value,
        treated_count,
        control_count,
    )


@dataclass(frozen=True)
class Gap:
    """Self-assessment minus mentees' rating, in points, averaged over mentor-wave pairs."""

    gap_pts: float | None
    ci_low: float | None
    ci_high: float | None
    pairs: int
    mentors: int


def paired_gap(mentor: np.ndarray, self_pct: np.ndarray, mentee_pct: np.ndarray) -> Gap:
    """The mean of (self - mentees) over mentor-wave pairs, with a 95% interval clustered by
    mentor (the same mentor's waves are not independent)."""
    gaps = np.asarray(self_pct, float) - np.asarray(mentee_pct, float)
    mentor = np.asarray(mentor)
    pairs = len(gaps)
    groups = np.unique(mentor)
    if pairs == 0:
        return Gap(None, None, None, 0, 0)
    mean = float(gaps.mean())
    if len(groups) < 2:
        return Gap(mean, None, None, pairs, len(groups))
    residual = gaps - mean
    sums = np.bincount(np.unique(mentor, return_inverse=True)[1].reshape(-1), weights=residual)
    variance = len(groups) / (len(groups) - 1) * float((sums**2).sum()) / pairs**2
    half = _critical(len(groups) - 1) * math.sqrt(variance)
    return Gap(mean, mean - half, mean + half, pairs, len(groups))


def one_sided_below(
    shown: np.ndarray, total: np.ndarray, benchmark: np.ndarray, design_effect: float = 1.0
) -> np.ndarray:
    """P-values for "this mentor's rate is below the benchmark": the exact binomial tail at the
    effective sample size (observations / design effect, for answers that cluster within a
    mentor's mentees or pairs)."""
    deff = max(1.0, design_effect)
    n = np.asarray(total, float) / deff
    k = np.asarray(shown, float) / deff
    # The binomial tail at non-integer counts: the regularised incomplete beta function.
    return np.where(
        k >= n,
        1.0,
        special.betainc(n - k, k + 1, 1 - np.clip(np.asarray(benchmark, float), 1e-9, 1 - 1e-9)),
    )


def share_vs_target(
    pct: float, n: int, design_effect: float, mentors: int, target_pct: float
) -> float:
    """Two-sided p-value for "this share differs from the target": the share's standard error
    at its effective sample size (n / design effect, as its interval), t over mentors - 1. At a
    share of 0 or 100% the error is taken at the target's share, so a target of 50% against 0
    of 200 is not a division by zero."""
    p, t = pct / 100.0, target_pct / 100.0
    effective = n / max(1.0, design_effect)
    spread = p * (1 - p) if 0 < p < 1 else t * (1 - t)
    if effective <= 0 or spread <= 0:
        return 1.0 if p == t else 0.0
    z = (p - t) / math.sqrt(spread / effective)
    df = mentors - 1
    return float(2 * sps.t.sf(abs(z), df)) if df >= 1 else float(2 * sps.norm.sf(abs(z)))
