"""Checkers of chapter 15 (course_utils.exercises.ch15_shap): a right answer passes, typical wrong ones get "Not yet" without raising."""

import itertools
import math

import numpy as np

from course_utils import exercises


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


def test_right_answer_passes(capsys):
    assert exercises.check_shapley_by_orders(_shapley_by_orders)
    assert capsys.readouterr().out.count("Correct:") == 1


def test_wrong_answers_say_not_yet(capsys):
    wrong = [
        (exercises.check_shapley_by_orders, lambda v, n: np.full(n, 1.0 / n)),  # shares equally
        (exercises.check_shapley_by_orders, lambda v, n: None),
        (exercises.check_shapley_by_orders, _stub),
    ]
    for checker, answer in wrong:
        assert not checker(answer)
    out = capsys.readouterr().out
    assert out.count("Not yet:") == len(wrong) and out.count("Hint:") == len(wrong)
