"""Exercises and quiz of chapter 15 (course_utils.exercises.ch15_shap)."""

import itertools
import json
import math

import numpy as np

from course_utils.exercises import ch15_shap as ch15
from course_utils.xai.shapley import shapley_exact
from tests.exercises.helpers import NOTEBOOKS, Exploding, assert_verdicts, raising, stub


def _notebook_cells(prefix):
    path = next(NOTEBOOKS.glob(f"{prefix}*.ipynb"))
    return json.loads(path.read_text())["cells"]


def test_max_game_prediction(capsys):
    assert_verdicts(
        ch15.check_max_game_prediction,
        capsys,
        stub=...,
        wrongs=[
            [1.0, 2.0, 4.0],  # each player its own skill: sums to 7, not v(N) = 4
            [4 / 3, 4 / 3, 4 / 3],  # an equal share
            [0.0, 0.0, 4.0],  # everything to the best member
            [1 / 3, 5 / 6],  # a player missing
        ],
        raising=Exploding(),
        solution=[0.33, 0.83, 2.83],
    )


def test_max_game_values_are_the_analytic_ones_and_the_mean_over_orders():
    values = shapley_exact(ch15.best_member_game(), 3).values
    np.testing.assert_allclose(values, [1 / 3, 5 / 6, 17 / 6])
    skills = np.array(ch15.SKILLS)
    by_orders = np.zeros(3)
    for order in itertools.permutations(range(3)):
        best = 0.0
        for player in order:
            by_orders[player] += max(best, skills[player]) - best
            best = max(best, skills[player])
    np.testing.assert_allclose(by_orders / 6, values)


def _orders(value_fn, n, empty_is_zero=False, weight=math.factorial):
    phi = np.zeros(n)
    for order in itertools.permutations(range(n)):
        coalition = np.zeros((1, n), dtype=bool)
        before = 0.0 if empty_is_zero else value_fn(coalition)[0]
        for player in order:
            coalition[0, player] = True
            after = value_fn(coalition)[0]
            phi[player] += after - before
            before = after
    return phi / weight(n)


def test_shapley_by_orders(capsys):
    assert_verdicts(
        ch15.check_shapley_by_orders,
        capsys,
        stub=ch15.buggy_shapley_by_orders,
        wrongs=[
            lambda v, n: _orders(v, n, weight=lambda k: k),  # divides by n, not n!
            lambda v, n: np.full(n, 1.0 / n),  # an equal share
            lambda v, n: None,
        ],
        raising=raising,
        solution=_orders,
    )


def test_shapley_by_orders_says_not_started_for_the_stub_only(capsys):
    assert ch15.check_shapley_by_orders(stub).status == "not started"
    for game, n in [(lambda m: 2.0 + m.sum(axis=1), 3), (lambda m: m.sum(axis=1) ** 2, 4)]:
        np.testing.assert_allclose(
            ch15.buggy_shapley_by_orders(game, n), _orders(game, n, empty_is_zero=True)
        )


def test_the_stub_in_the_notebook_is_the_planted_bug():
    stub_source = next(
        c
        for c in _notebook_cells("15_")
        if c["metadata"].get("course") == {"exercise": "15.2", "role": "stub"}
    )
    assert "before = 0.0" in "".join(stub_source["source"])


def test_shapley_by_orders_on_an_additive_game_gives_the_weights():
    weights = np.array([1.0, -2.0, 0.5, 3.0])
    np.testing.assert_allclose(_orders(lambda m: 7.0 + m @ weights, 4), weights)


def _table_game9():
    table = np.random.default_rng(9).normal(size=2**9)
    index = 1 << np.arange(9)
    return lambda masks: table[np.asarray(masks, dtype=np.int64) @ index]


def test_kernel_shap_budget(capsys):
    game = _table_game9()
    e50, e200 = (ch15.kernel_shap_error(game, n) for n in ch15.BUDGETS)
    assert e50 > 0 and e200 > 0
    mean_error = (
        ch15.kernel_shap_error(game, 50) / 9
    )  # a plausible slip: not the largest difference
    assert_verdicts(
        ch15.check_kernel_shap_budget,
        capsys,
        stub=(game, ..., ...),
        wrongs=[
            (game, e200, e50),  # swapped
            (game, ch15.kernel_shap_error(game, 50, seed=1), e200),  # another seed
            (game, mean_error, e200),
        ],
        raising=(game, Exploding(), e200),
        solution=(game, e50, e200),
    )


def test_kernel_shap_error_vanishes_once_every_coalition_is_listed():
    assert ch15.kernel_shap_error(_table_game9(), 2**9 - 2) < 1e-9
