"""Exercises and quiz of chapter 16 (course_utils.exercises.ch16_evaluation)."""

import numpy as np
import pytest
import scipy.stats
import torch

from course_utils.exercises import ch16_evaluation as ch16
from course_utils.stats import bootstrap_ci, paired_difference_ci
from course_utils.xai.metrics import deletion_curve
from tests.exercises.helpers import Exploding, assert_verdicts, raising, stub


def _bootstrap(values, n_resamples=2000, level=0.95, seed=0, replace=True, tails=2, size=None):
    rng = np.random.default_rng(seed)
    means = np.empty(n_resamples)
    for b in range(n_resamples):
        means[b] = rng.choice(values, size=size or len(values), replace=replace).mean()
    alpha = (1 - level) / tails
    return np.quantile(means, alpha), np.quantile(means, 1 - alpha)


def _bootstrap_in_place(values, n_resamples=2000, level=0.95, seed=0):
    np.random.default_rng(seed).shuffle(values)  # writes into the caller's array
    return _bootstrap(values, n_resamples, level, seed)


def test_bootstrap_debugged(capsys):
    assert_verdicts(
        ch16.check_bootstrap_debugged,
        capsys,
        stub=ch16.buggy_bootstrap_interval,
        wrongs=[
            lambda v, n, c, s: _bootstrap(v, n, c, s, tails=1),  # a 90% interval for 95%
            lambda v, n, c, s: _bootstrap(v, n, c, s, size=len(v) // 2),  # resamples too small
            lambda v, n, c, s: np.quantile(
                v, [0.025, 0.975]
            ),  # the spread of the values, not of the mean
            _bootstrap_in_place,
        ],
        raising=raising,
        solution=_bootstrap,
    )


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_bootstrap_checker_accepts_the_fixed_function_with_other_seeds(seed, capsys):
    assert ch16.check_bootstrap_debugged(lambda v, n, c, s: _bootstrap(v, n, c, seed))


def test_bootstrap_stub_and_planted_bug_say_not_started(capsys):
    assert ch16.check_bootstrap_debugged(stub).status == "not started"
    lo, hi = ch16.buggy_bootstrap_interval(np.arange(10.0))
    assert np.isclose(lo, 4.5) and np.isclose(hi, 4.5)  # without replacement: always the same mean
    assert (
        ch16.check_bootstrap_debugged(
            lambda v, n, c, s: _bootstrap(v, n, c, s, replace=False)
        ).status
        == "not started"
    )


def test_the_reference_interval_is_scipys():
    values = np.random.default_rng(16).exponential(size=100)
    ours = bootstrap_ci(values, np.mean, seed=0)
    theirs = scipy.stats.bootstrap(
        (values,), np.mean, method="percentile", rng=np.random.default_rng(0)
    ).confidence_interval
    np.testing.assert_allclose([ours.low, ours.high], [theirs.low, theirs.high], rtol=1e-10)


def _rank_correlation(a, b):
    return np.corrcoef(np.argsort(np.argsort(a)), np.argsort(np.argsort(b)))[0, 1]


def _rank_correlation_in_place(a, b):
    a.sort()
    return _rank_correlation(a, b)


def test_rank_correlation(capsys):
    assert_verdicts(
        ch16.check_rank_correlation,
        capsys,
        stub=stub,
        wrongs=[
            lambda a, b: np.corrcoef(a, b)[0, 1],  # Pearson, not Spearman
            lambda a, b: np.corrcoef(np.argsort(a), np.argsort(b))[
                0, 1
            ],  # argsort once: the order, not the ranks
            lambda a, b: None,
            _rank_correlation_in_place,
        ],
        raising=raising,
        solution=_rank_correlation,
    )


def test_rank_correlation_is_scipys_spearman():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=40), rng.normal(size=40)
    assert np.isclose(_rank_correlation(a, b), scipy.stats.spearmanr(a, b).statistic)
    assert np.isclose(ch16._spearman(a, b), scipy.stats.spearmanr(a, b).statistic)


class _Linear(torch.nn.Module):
    """A tiny model on 4 x 4 images: cheap enough for the checker to recompute every curve."""

    def __init__(self):
        super().__init__()
        torch.manual_seed(0)
        self.layer = torch.nn.Linear(16, 3)

    def forward(self, x):
        return self.layer(x.reshape(len(x), -1))


def _fill_case():
    rng = np.random.default_rng(3)
    model = _Linear().eval()
    x = rng.random((12, 1, 4, 4)).astype(np.float32)
    target = np.arange(12) % 3
    fill_maps = {name: rng.normal(size=x.shape) for name in ch16.FILL_METHODS}
    x_train_raw = rng.integers(0, 256, size=(30, 4, 4)).astype(np.uint8)
    return model, x, target, fill_maps, x_train_raw


def _winner(areas):
    gap = paired_difference_ci(*(areas[n] for n in ch16.FILL_METHODS), seed=0)
    return "black baseline" if gap.high < 0 else "blurred baseline" if gap.low > 0 else "tie"


def test_mean_fill(capsys):
    case = _fill_case()
    model, x, target, fill_maps, x_train_raw = case
    fill = (x_train_raw.mean(axis=0) / 255.0)[None]
    right = {
        n: deletion_curve(model, x, target, fill_maps[n], n_steps=20, baseline=fill).area
        for n in ch16.FILL_METHODS
    }
    black = {
        n: deletion_curve(model, x, target, fill_maps[n], n_steps=20).area
        for n in ch16.FILL_METHODS
    }
    first, second = ch16.FILL_METHODS
    swapped = {first: right[second], second: right[first]}
    winner = _winner(right)
    other = next(w for w in ch16.WINNERS if w != winner)
    assert_verdicts(
        ch16.check_mean_fill,
        capsys,
        stub=(*case, ..., ...),
        wrongs=[
            (*case, black, _winner(black)),  # still the black fill
            (*case, swapped, winner),  # the two methods swapped
            (*case, right, other),  # the right areas, the wrong conclusion
            (*case, {"Integrated Gradients": right["Integrated Gradients"]}, winner),
        ],
        raising=(*case, dict.fromkeys(ch16.FILL_METHODS, Exploding()), winner),
        solution=(*case, right, winner),
    )


def test_mean_digit_is_the_mean_of_the_scaled_digits():
    x_train_raw = np.random.default_rng(1).integers(0, 256, size=(50, 28, 28)).astype(np.uint8)
    scaled = x_train_raw.astype(np.float32) / 255.0
    np.testing.assert_allclose(ch16.mean_digit(x_train_raw), scaled.mean(axis=0), rtol=1e-6)
