"""Checkers of chapters 14-16: a right answer passes, typical wrong ones get "Not yet" without raising."""

import itertools
import math

import numpy as np

from course_utils import exercises


def _proximity(on, kernel_width):
    on = np.asarray(on, dtype=float)
    d = 1.0 - np.sqrt(on.sum(axis=1) / on.shape[1])
    return np.sqrt(np.exp(-(d**2) / kernel_width**2))


def _shapley_by_orders(value_fn, n_players):
    phi = np.zeros(n_players)
    for order in itertools.permutations(range(n_players)):
        mask = np.zeros((1, n_players), dtype=bool)
        for player in order:
            before = value_fn(mask)[0]
            mask[0, player] = True
            phi[player] += value_fn(mask)[0] - before
    return phi / math.factorial(n_players)


def _stub(*args):
    raise NotImplementedError


def test_right_answers_pass(capsys):
    assert exercises.check_lime_proximity(_proximity)
    assert exercises.check_shapley_by_orders(_shapley_by_orders)
    assert exercises.check_rank_correlation(lambda a, b: np.corrcoef(np.argsort(np.argsort(a)), np.argsort(np.argsort(b)))[0, 1])
    assert capsys.readouterr().out.count("Correct:") == 3


def test_wrong_answers_say_not_yet(capsys):
    wrong = [
        (exercises.check_lime_proximity, lambda on, w: np.exp(-((1 - np.asarray(on).mean(1)) ** 2) / w**2)),  # no sqrt anywhere
        (exercises.check_lime_proximity, _stub),
        (exercises.check_shapley_by_orders, lambda v, n: np.full(n, 1.0 / n)),  # shares equally
        (exercises.check_shapley_by_orders, lambda v, n: None),
        (exercises.check_rank_correlation, lambda a, b: np.corrcoef(a, b)[0, 1]),  # Pearson, not Spearman
        (exercises.check_rank_correlation, 3),
    ]
    for checker, answer in wrong:
        assert not checker(answer)
    out = capsys.readouterr().out
    assert out.count("Not yet:") == len(wrong) and out.count("Hint:") == len(wrong)
