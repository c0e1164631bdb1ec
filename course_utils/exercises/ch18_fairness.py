"""Checkers of chapter 18 · Fairness and bias."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function


def check_demographic_parity_difference(fn: Callable) -> Verdict:
    """Exercise 18.1: |P(yhat = 1 | group 1) - P(yhat = 1 | group 0)| for groups coded 0 and 1."""
    rng = np.random.default_rng(18)
    y_pred, group = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    expected = abs(y_pred[group == 1].mean() - y_pred[group == 0].mean())
    cases = [
        ((np.array([1, 1, 0, 1, 0, 0]), np.array([0, 0, 0, 1, 1, 1])), 1 / 3),
        ((np.array([0, 1, 1, 1]), np.array([0, 0, 1, 1])), 0.5),
        ((y_pred, group), expected),
    ]
    hint = "the selection rate of a group is y_pred[group == g].mean(); return the absolute difference of the two rates"
    return check_function(fn, cases, what="demographic_parity_difference", hint=hint)


def check_equal_opportunity_difference(fn: Callable) -> Verdict:
    """Exercise 18.2: |TPR of group 1 - TPR of group 0|, TPR_g = P(yhat = 1 | y = 1, group = g)."""
    rng = np.random.default_rng(181)
    y_true, y_pred, group = rng.integers(0, 2, (3, 300))
    tpr = [y_pred[(group == g) & (y_true == 1)].mean() for g in (0, 1)]
    cases = [
        (
            (
                np.array([1, 1, 0, 1, 1, 0]),
                np.array([1, 1, 1, 1, 0, 0]),
                np.array([0, 0, 0, 1, 1, 1]),
            ),
            0.5,
        ),
        ((np.array([1, 0, 1, 0]), np.array([1, 1, 1, 0]), np.array([0, 0, 1, 1])), 0.0),
        ((y_true, y_pred, group), abs(tpr[1] - tpr[0])),
    ]
    hint = "keep only the people with y_true == 1 in each group, then compare how often the model selected them"
    return check_function(fn, cases, what="equal_opportunity_difference", hint=hint)
