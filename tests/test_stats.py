"""The statistics, each checked against an independent computation on data small enough to follow
by hand: clustered intervals, changes, Benjamini-Hochberg, partial pooling, difference-in-
differences (against a full least-squares fit with mentor dummies), the paired gap."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as sps

from analysis import stats


def _wilson(p: float, n: float, z: float) -> tuple[float, float]:
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_a_share_over_mentors_has_a_clustered_interval_worked_out_by_hand():
    # The small fixture's trust answers: Ana 3 of 3, Ben 1/1, Chen 0/1, Dara 1/1, Eve 0/1, Femi 2/3.
    shown, total = np.array([3, 1, 0, 1, 0, 2]), np.array([3, 1, 1, 1, 1, 3])
    p = 7 / 10
    # residuals y - p n: 0.9, 0.3, -0.7, 0.3, -0.7, -0.1 -> squares sum to 1.98
    clustered = 6 / 5 * 1.98 / 10**2
    deff = clustered / (p * (1 - p) / 10)
    low, high = _wilson(p, 10 / deff, sps.t.ppf(0.975, 5))
    found = stats.clustered_share(shown, total)
    assert found.pct == pytest.approx(70.0)
    assert found.design_effect == pytest.approx(deff)
    assert (found.ci_low, found.ci_high) == pytest.approx((100 * low, 100 * high))
    assert (found.n, found.mentors) == (10, 6)
    assert found.ci_low == pytest.approx(30.27, abs=0.01) and found.ci_high == pytest.approx(
        92.62, abs=0.01
    )


def test_clustering_widens_the_interval_when_mentors_differ_and_never_narrows_it():
    alike = stats.clustered_share(np.array([10, 10, 10, 10]), np.array([20, 20, 20, 20]))
    apart = stats.clustered_share(np.array([2, 18, 3, 17]), np.array([20, 20, 20, 20]))
    independent = _wilson(0.5, 80, sps.t.ppf(0.975, 3))
    assert alike.design_effect == 1.0  # identical mentors: no wider than independent answers
    assert (alike.ci_low, alike.ci_high) == pytest.approx(
        (100 * independent[0], 100 * independent[1])
    )
    assert apart.design_effect > 5
    assert apart.ci_high - apart.ci_low > 2 * (alike.ci_high - alike.ci_low)


def test_a_change_between_periods_compares_mentors_with_themselves():
    # Three mentors, 10 observations in each period: before 2, 5, 8 shown; after 4, 7, 10.
    before_y, after_y = np.array([2, 5, 8]), np.array([4, 7, 10])
    n = np.array([10, 10, 10])
    # every mentor rose by exactly 20 points: the clustered variance of the difference is 0
    found = stats.clustered_difference(before_y, n, after_y, n)
    assert found.diff_pts == pytest.approx(20.0)
    assert found.ci_low == pytest.approx(20.0) and found.p == 0.0
    # mixed changes: +2, 0, +4 -> mean +20 points; contributions z_i = dy_i/30 - 0.2 * 10/30
    after_y = np.array([4, 5, 10])
    z = np.array(
        [
            (4 - 0.633333 * 10) / 30 - (2 - 0.5 * 10) / 30,
            (5 - 0.633333 * 10) / 30 - (5 - 0.5 * 10) / 30,
            (10 - 0.633333 * 10) / 30 - (8 - 0.5 * 10) / 30,
        ]
    )
    se = math.sqrt(3 / 2 * float((z**2).sum()))
    found = stats.clustered_difference(before_y, n, after_y, n)
    assert found.diff_pts == pytest.approx(13.3333, abs=1e-3)
    assert found.p == pytest.approx(2 * sps.t.sf(0.133333 / se, 2), rel=1e-3)


def test_benjamini_hochberg_q_values_by_hand():
    # sorted p 0.01, 0.03, 0.04, 0.5 -> p*4/rank 0.04, 0.06, 0.0533, 0.5 -> running minimum from
    # the top: 0.04, 0.0533, 0.0533, 0.5
    q = stats.bh_qvalues(np.array([0.01, 0.04, 0.03, 0.5, np.nan]))
    assert q[:4] == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])
    assert np.isnan(q[4])


def test_partial_pooling_recovers_a_known_spread_and_shrinks_small_mentors():
    rng = np.random.default_rng(7)
    rates = rng.beta(2, 8, size=400)  # mean 0.2, strength 10
    total = np.full(400, 60)
    shown = rng.binomial(total, rates)
    prior = stats.fit_prior(shown, total)
    assert prior.mean == pytest.approx(0.2, abs=0.02)
    assert 6 < prior.strength < 16
    mean, low, high = stats.posterior_rates(np.array([0, 4]), np.array([4, 4]), prior)
    # Beta(alpha + s, beta + n - s): a mentor with 0 of 4 is not 0%, one with 4 of 4 not 100%
    assert mean[0] == pytest.approx(100 * prior.alpha / (prior.strength + 4))
    assert mean[1] == pytest.approx(100 * (prior.alpha + 4) / (prior.strength + 4))
    assert 5 < mean[0] < 20 and 20 < mean[1] < 60
    assert low[1] < mean[1] < high[1]


def test_when_mentors_do_not_differ_the_pooling_shrinks_everyone_to_the_mean():
    rng = np.random.default_rng(3)
    total = np.full(300, 50)
    shown = rng.binomial(total, 0.3)
    assert stats.fit_prior(shown, total).strength > 500


def test_the_share_above_a_threshold_counts_probabilities_not_shrunken_means():
    prior = stats.Prior(2.0, 2.0)
    # two mentors: 9 of 10 and 1 of 10 -> posteriors Beta(11, 3) and Beta(3, 11)
    expected = 100 * (sps.beta.sf(0.5, 11, 3) + sps.beta.sf(0.5, 3, 11)) / 2
    assert stats.share_above(np.array([9, 1]), np.array([10, 10]), prior, 0.5) == pytest.approx(
        expected
    )


def _did_by_least_squares(treated, before, after):
    """The same model fitted the long way: one row per observation, a dummy per mentor."""
    rows = []
    for mentor, (is_treated, (y0, n0), (y1, n1)) in enumerate(
        zip(treated, before, after, strict=True)
    ):
        for period, (y, n) in ((0, (y0, n0)), (1, (y1, n1))):
            rows += [(mentor, period, is_treated, 1.0)] * y + [
                (mentor, period, is_treated, 0.0)
            ] * (n - y)
    data = np.array(rows)
    mentors = int(data[:, 0].max()) + 1
    dummies = np.eye(mentors)[data[:, 0].astype(int)]
    x = np.column_stack([data[:, 1], data[:, 1] * data[:, 2], dummies])
    y = data[:, 3]
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    residual = y - x @ beta
    bread = np.linalg.pinv(x.T @ x)
    meat = np.zeros((x.shape[1], x.shape[1]))
    for g in range(mentors):
        score = x[data[:, 0] == g].T @ residual[data[:, 0] == g]
        meat += np.outer(score, score)
    n = len(y)
    covariance = mentors / (mentors - 1) * (n - 1) / (n - 2) * bread @ meat @ bread
    return 100 * beta[1], 100 * math.sqrt(covariance[1, 1])


def test_difference_in_differences_matches_a_full_fit_with_mentor_dummies():
    treated = [True, True, True, False, False, False]
    before = [(3, 10), (2, 8), (5, 12), (4, 10), (3, 9), (6, 15)]
    after = [(7, 10), (6, 10), (8, 12), (4, 11), (5, 10), (7, 14)]
    effect, se = _did_by_least_squares(treated, before, after)
    found = stats.difference_in_differences(
        np.array(treated),
        np.array([b[0] for b in before]),
        np.array([b[1] for b in before]),
        np.array([a[0] for a in after]),
        np.array([a[1] for a in after]),
    )
    assert found.effect_pts == pytest.approx(effect)
    half = sps.t.ppf(0.975, 5) * se
    assert (found.ci_low, found.ci_high) == pytest.approx((effect - half, effect + half))
    assert (found.treated_mentors, found.control_mentors) == (3, 3)


def test_a_mentor_seen_only_after_the_event_does_not_inform_the_effect():
    found = stats.difference_in_differences(
        np.array([True, True, False, False, True]),
        np.array([3, 2, 4, 3, 0]),
        np.array([10, 8, 10, 9, 0]),
        np.array([7, 6, 4, 5, 9]),
        np.array([10, 10, 11, 10, 10]),
    )
    assert (found.treated_mentors, found.control_mentors) == (2, 2)


def test_the_paired_gap_averages_pairs_and_clusters_by_mentor():
    mentor = np.array(["a", "a", "b", "c"])
    self_pct = np.array([80.0, 70.0, 60.0, 90.0])
    mentee_pct = np.array([60.0, 60.0, 50.0, 50.0])
    # gaps 20, 10, 10, 40 -> mean 20; residuals 0, -10 | -10 | 20 -> sums -10, -10, 20
    variance = 3 / 2 * (100 + 100 + 400) / 16
    half = sps.t.ppf(0.975, 2) * math.sqrt(variance)
    found = stats.paired_gap(mentor, self_pct, mentee_pct)
    assert found.gap_pts == pytest.approx(20.0)
    assert (found.ci_low, found.ci_high) == pytest.approx((20 - half, 20 + half))
    assert (found.pairs, found.mentors) == (4, 3)


def test_the_one_sided_test_is_the_binomial_tail():
    got = stats.one_sided_below(
        np.array([2, 10, 5]), np.array([20, 20, 5]), np.array([0.3, 0.3, 0.5])
    )
    assert got[0] == pytest.approx(sps.binom.cdf(2, 20, 0.3))
    assert got[1] == pytest.approx(sps.binom.cdf(10, 20, 0.3))
    assert got[2] == 1.0
