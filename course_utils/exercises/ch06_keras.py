"""Checkers of chapter 06 · MNIST in Keras."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function


def check_confusion_matrix(fn: Callable) -> Verdict:
    """Exercise 06.1: ``confusion_matrix(y_true, y_pred, n_classes)``, C[i, j] = #{n : y_true_n = i and y_pred_n = j}."""
    rng = np.random.default_rng(6)
    y_true, y_pred = rng.integers(0, 10, (2, 500))
    expected = np.zeros((10, 10), dtype=int)
    np.add.at(expected, (y_true, y_pred), 1)
    cases = [
        (
            (np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), 3),
            np.array([[1, 0, 0], [0, 1, 1], [0, 0, 1]]),
        ),
        ((np.array([1, 1, 1]), np.array([0, 0, 0]), 2), np.array([[0, 0], [3, 0]])),
        ((y_true, y_pred, 10), expected),
    ]
    hint = (
        "rows are the true class, columns the predicted one: for each pair (t, p) add 1 to C[t, p]"
    )
    return check_function(fn, cases, what="confusion_matrix", hint=hint)
