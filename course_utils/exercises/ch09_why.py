"""Checkers of chapter 09 · Why interpretability?."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function


def check_linear_contributions(fn: Callable) -> Verdict:
    """Exercise 09: fn(weights, x, c) -> the contribution w[c, i] * x[i] of every input to a linear model's logit c.

    ``weights`` has shape (classes, inputs), like a PyTorch ``nn.Linear`` weight.
    """
    rng = np.random.default_rng(9)
    weights, x = rng.normal(size=(10, 784)), rng.random(784)
    cases = [
        ((np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -1.0]), 1), np.array([1.5, -4.0])),
        ((weights, x, 3), weights[3] * x),
        ((weights, x, 0), weights[0] * x),
    ]
    hint = "take row c of the weights and multiply it by x elementwise; do not sum (the sum plus the bias is the logit)"
    return check_function(fn, cases, what="linear_contributions", hint=hint)
