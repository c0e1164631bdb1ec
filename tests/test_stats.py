"""course_utils.stats: the bootstrap against scipy.stats.bootstrap, the permutation test against scipy
and the classical tests, its level by simulation, and the tie-aware ranking on cases with a known answer."""

import numpy as np
import pytest
import scipy.stats as st

from course_utils import stats

# --- bootstrap intervals: scipy's, resample for resample ----------------------------------------------


def _scipy_interval(data, statistic, seed, **options):
    result = st.bootstrap(data, statistic, axis=-1, rng=np.random.default_rng(seed), **options)
    return result.confidence_interval, result.standard_error


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_bootstrap_ci_equals_scipy_on_one_sample(method):
    x = np.random.default_rng(1).exponential(size=40)  # skewed: BCa and percentile differ
    ours = stats.bootstrap_ci(x, np.mean, method=method, n_resamples=2000, seed=3)
    (low, high), se = _scipy_interval((x,), np.mean, 3, method=method, n_resamples=2000)
    np.testing.assert_allclose(
        [ours.low, ours.high, ours.standard_error], [low, high, se], rtol=1e-12
    )
    assert ours.estimate == pytest.approx(x.mean())
    assert ours.distribution.shape == (2000,)


def test_bca_corrects_the_percentile_interval_of_a_skewed_statistic():
    x = np.random.default_rng(1).exponential(size=40)
    percentile = stats.bootstrap_ci(x, np.mean, n_resamples=2000, seed=3)
    bca = stats.bootstrap_ci(x, np.mean, method="bca", n_resamples=2000, seed=3)
    # the mean of a right-skewed sample: BCa moves both ends up (towards the long tail)
    assert bca.low > percentile.low and bca.high > percentile.high


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_bootstrap_ci_equals_scipy_row_by_row_and_in_batches(method):
    table = np.random.default_rng(2).normal(size=(3, 30))  # e.g. 3 methods on 30 digits
    ours = stats.bootstrap_ci(table, np.median, method=method, n_resamples=500, seed=0, batch=64)
    (low, high), _ = _scipy_interval(
        (table,), np.median, 0, method=method, n_resamples=500, batch=64
    )
    np.testing.assert_allclose(ours.low, low, rtol=1e-12)
    np.testing.assert_allclose(ours.high, high, rtol=1e-12)
    assert ours.low.shape == (3,) and ours.distribution.shape == (3, 500)


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_bootstrap_ci_of_two_independent_samples_equals_scipy(method):
    rng = np.random.default_rng(4)
    x, y = rng.exponential(size=40), rng.normal(size=25)

    def statistic(a, b, axis=-1):
        return np.mean(a, axis=axis) - np.median(b, axis=axis)

    ours = stats.bootstrap_ci((x, y), statistic, method=method, n_resamples=1000, seed=5)
    (low, high), _ = _scipy_interval((x, y), statistic, 5, method=method, n_resamples=1000)
    np.testing.assert_allclose([ours.low, ours.high], [low, high], rtol=1e-12)


@pytest.mark.parametrize("method", ["percentile", "bca"])
def test_paired_difference_ci_equals_scipy_paired(method):
    rng = np.random.default_rng(6)
    a = rng.exponential(size=40)
    b = a + rng.normal(0.05, 0.1, size=40)
    ours = stats.paired_difference_ci(a, b, method=method, n_resamples=1000, seed=7)
    (low, high), _ = _scipy_interval(
        (a, b),
        lambda u, v, axis=-1: u.mean(axis) - v.mean(axis),
        7,
        paired=True,
        method=method,
        n_resamples=1000,
    )
    np.testing.assert_allclose([ours.low, ours.high], [low, high], rtol=1e-12)


def test_percentile_interval_of_a_mean_matches_the_normal_theory_interval():
    # a large normal sample: the bootstrap interval of the mean is xbar +- 1.96 s / sqrt(n)
    x = np.random.default_rng(8).normal(2.0, 3.0, size=2000)
    ours = stats.bootstrap_ci(x, np.mean, n_resamples=4000, seed=1)
    half = 1.959964 * x.std(ddof=1) / np.sqrt(len(x))
    assert ours.low == pytest.approx(x.mean() - half, abs=0.08 * half)
    assert ours.high == pytest.approx(x.mean() + half, abs=0.08 * half)
    assert ours.standard_error == pytest.approx(x.std(ddof=1) / np.sqrt(len(x)), rel=0.05)


def test_pairing_removes_what_the_examples_share():
    # two methods whose scores differ by 0.01 on every digit, while the digits themselves vary by 1:
    # their own intervals overlap, the paired difference is resolved
    rng = np.random.default_rng(9)
    digit = rng.normal(size=100)
    a, b = digit, digit + 0.01 + rng.normal(0, 0.001, size=100)
    own_a, own_b = stats.bootstrap_ci(a, seed=0), stats.bootstrap_ci(b, seed=0)
    assert own_a.high > own_b.low  # overlapping
    difference = stats.paired_difference_ci(a, b, seed=0)
    assert difference.high < 0 and difference.low == pytest.approx(-0.01, abs=0.001)


def test_interval_text():
    result = stats.bootstrap_ci(np.arange(10.0), seed=0, n_resamples=200)
    assert result.text(1) == f"4.5 [{result.low:.1f}, {result.high:.1f}]"


# --- the permutation test ------------------------------------------------------------------------------


def test_permutation_test_agrees_with_scipy_and_the_t_test():
    rng = np.random.default_rng(1)
    x, y = rng.normal(0.3, 1, size=30), rng.normal(0, 1, size=40)
    ours = stats.permutation_test(x, y)
    theirs = st.permutation_test(
        (x, y), stats.mean_difference, n_resamples=9999, rng=np.random.default_rng(0)
    )
    se = np.sqrt(theirs.pvalue * (1 - theirs.pvalue) / 9999)
    assert ours.pvalue == pytest.approx(theirs.pvalue, abs=5 * se)
    assert ours.pvalue == pytest.approx(st.ttest_ind(x, y).pvalue, abs=0.02)
    assert ours.statistic == pytest.approx(x.mean() - y.mean())


def test_paired_permutation_test_agrees_with_the_paired_t_test():
    rng = np.random.default_rng(2)
    a = rng.normal(size=40)
    b = a - rng.normal(0.3, 1, size=40)
    ours = stats.permutation_test(a, b, paired=True)
    theirs = st.permutation_test(
        (a, b),
        stats.mean_difference,
        permutation_type="samples",
        n_resamples=9999,
        rng=np.random.default_rng(0),
    )
    assert ours.pvalue == pytest.approx(theirs.pvalue, abs=0.02)
    assert ours.pvalue == pytest.approx(st.ttest_rel(a, b).pvalue, abs=0.02)
    # the unpaired test ignores what a[i] and b[i] share and is far less sure
    assert stats.permutation_test(a, b).pvalue > ours.pvalue


def test_permutation_test_of_an_auc_agrees_with_mann_whitney():
    # the AUC of "lower score = member" is the Mann-Whitney U over n1 n2; with the pooled ranks fixed,
    # relabelling the examples is permuting their ranks
    rng = np.random.default_rng(3)
    members, others = rng.normal(-0.08, 1, 800), rng.normal(0, 1, 400)
    ranks = st.rankdata(np.concatenate([members, others]))

    def auc(r1, r2, axis=-1):
        n1, n2 = r1.shape[axis], r2.shape[axis]
        return 1 - (r1.sum(axis=axis) - n1 * (n1 + 1) / 2) / (n1 * n2)

    ours = stats.permutation_test(ranks[:800], ranks[800:], auc, alternative="greater")
    u_test = st.mannwhitneyu(others, members, alternative="greater")
    assert ours.statistic == pytest.approx(u_test.statistic / (800 * 400))
    assert ours.pvalue == pytest.approx(u_test.pvalue, abs=0.01)


@pytest.mark.parametrize("paired", [False, True])
def test_permutation_test_keeps_its_level(paired):
    # under the null hypothesis P(p <= 0.1) <= 0.1: a test without the +1 or with the wrong tail fails this
    rng = np.random.default_rng(4)
    pvalues = [
        stats.permutation_test(
            rng.normal(size=12), rng.normal(size=12), paired=paired, n_resamples=99, seed=k
        ).pvalue
        for k in range(400)
    ]
    rejected = np.mean(np.array(pvalues) <= 0.1)
    assert rejected <= 0.1 + 3 * np.sqrt(0.1 * 0.9 / 400)
    assert rejected >= 0.1 - 3 * np.sqrt(0.1 * 0.9 / 400)  # and it is not far too cautious either
    assert min(pvalues) >= 1 / 100


def test_permutation_test_one_sided_p_values():
    x, y = np.array([5.0, 6, 7, 8]), np.array([1.0, 2, 3, 4])
    greater = stats.permutation_test(x, y, alternative="greater", n_resamples=2000)
    less = stats.permutation_test(x, y, alternative="less", n_resamples=2000)
    # only 1 of the 70 splits of 8 values into 4 + 4 is as extreme as the data: p about 1/70
    assert greater.pvalue == pytest.approx(1 / 70, abs=0.01)
    assert less.pvalue > 0.95


# --- ranking with ties -------------------------------------------------------------------------------------


def test_rank_with_ties_separates_only_what_the_data_separate():
    rng = np.random.default_rng(5)
    digit = rng.normal(0, 1, size=100)  # what every method shares: some digits are hard
    scores = np.stack(
        [
            digit + rng.normal(0, 0.05, 100),  # A
            digit + rng.normal(0, 0.05, 100) + 0.002,  # B: the same as A within noise
            digit + rng.normal(0, 0.05, 100) + 0.3,  # C: clearly worse
            digit + rng.normal(0, 0.05, 100) + 0.6,  # D: worse still
        ]
    )
    ranking = stats.rank_with_ties(scores)  # lower is better
    assert list(ranking.rank) == [1, 1, 3, 4]
    assert ranking.labels() == ["1=", "1=", "3", "4"]
    assert ranking.tied[0, 1] and not ranking.tied[0, 2]
    assert list(ranking.order[2:]) == [2, 3]
    # the same scores with higher = better: the order reverses, the tie stays
    reverse = stats.rank_with_ties(scores, higher_is_better=True)
    assert list(reverse.rank) == [3, 3, 2, 1]
    # paired differences agree with paired_difference_ci, pair by pair
    difference = stats.paired_difference_ci(scores[0], scores[2], seed=0)
    assert ranking.better[0, 2] == (difference.high < 0)


def test_unpaired_ranking_calls_overlapping_intervals_ties():
    rng = np.random.default_rng(6)
    digit = rng.normal(0, 1, size=100)
    scores = np.stack([digit, digit + 0.05])  # a constant gap, far inside the spread of digits
    assert list(stats.rank_with_ties(scores).rank) == [1, 2]  # paired: resolved
    unpaired = stats.rank_with_ties(list(scores), paired=False)
    assert list(unpaired.rank) == [1, 1]  # separate intervals: they overlap
    # samples of different sizes are allowed unpaired
    sizes = stats.rank_with_ties([digit, digit[:20] + 10], paired=False)
    assert list(sizes.rank) == [1, 2]


def test_bad_input_says_what_was_expected():
    with pytest.raises(ValueError, match="method must be one of"):
        stats.bootstrap_ci(np.arange(5.0), method="basic")
    with pytest.raises(ValueError, match="at least 2 observations"):
        stats.bootstrap_ci(np.array([1.0]))
    with pytest.raises(ValueError, match="must be finite"):
        stats.bootstrap_ci(np.array([1.0, np.nan, 2.0]))
    with pytest.raises(ValueError, match="confidence must be between 0 and 1"):
        stats.bootstrap_ci(np.arange(5.0), confidence=95)
    with pytest.raises(ValueError, match="statistic must be a function"):
        stats.bootstrap_ci(np.arange(5.0), statistic="mean")
    with pytest.raises(ValueError, match="paired=True needs samples of the same length"):
        stats.bootstrap_ci((np.arange(5.0), np.arange(6.0)), stats.mean_difference, paired=True)
    with pytest.raises(ValueError, match="the same shape"):
        stats.paired_difference_ci(np.arange(5.0), np.arange(6.0))
    with pytest.raises(ValueError, match="seed must be an int"):
        stats.bootstrap_ci(np.arange(5.0), seed=-1)

    def distinct(a, axis=-1):  # a resample of 10 distinct values almost never has all 10
        return (np.diff(np.sort(a, axis=axis), axis=axis) != 0).sum(axis=axis) + 1

    with pytest.raises(ValueError, match="BCa interval is undefined"):
        stats.bootstrap_ci(np.arange(10.0), distinct, method="bca", n_resamples=200)
    with pytest.raises(ValueError, match="alternative must be one of"):
        stats.permutation_test(np.arange(3.0), np.arange(3.0), alternative="bigger")
    with pytest.raises(ValueError, match="1-D samples"):
        stats.permutation_test(np.ones((2, 3)), np.ones(3))
    with pytest.raises(ValueError, match="paired=True needs x and y of the same length"):
        stats.permutation_test(np.arange(3.0), np.arange(4.0), paired=True)
    with pytest.raises(ValueError, match=r"scores must be an array \(k methods >= 2"):
        stats.rank_with_ties(np.arange(5.0))
    with pytest.raises(ValueError, match="a sequence of 1-D arrays"):
        stats.rank_with_ties(3.0, paired=False)
