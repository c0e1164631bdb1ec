"""Checkers of chapter 14 · Occlusion and LIME."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function


def check_lime_proximity(fn: Callable) -> Verdict:
    """Exercise 14: fn(on, kernel_width) -> LIME's weight of each on/off sample (rows of ``on``, shape (k, S)).

    d = cosine distance between the row and the all-ones row = 1 - sqrt(|z| / S);
    weight = sqrt(exp(-d^2 / kernel_width^2)).
    """
    from course_utils.xai.lime_surrogate import lime_kernel

    def expected(on, width):
        on = np.asarray(on, dtype=float)
        return lime_kernel(1.0 - np.sqrt(on.sum(axis=1) / on.shape[1]), width)

    rng = np.random.default_rng(14)
    on = rng.integers(0, 2, size=(6, 49))
    cases = [
        (
            (np.array([[1, 1, 1, 1], [1, 0, 1, 0], [0, 0, 0, 0]]), 0.25),
            expected([[1, 1, 1, 1], [1, 0, 1, 0], [0, 0, 0, 0]], 0.25),
        ),
        ((on, 0.25), expected(on, 0.25)),
        ((on, 1.0), expected(on, 1.0)),
    ]
    hint = "the cosine distance to the all-ones vector is 1 - sqrt(number of ones / S); then np.sqrt(np.exp(-d**2 / kernel_width**2)), one weight per row"
    return check_function(fn, cases, what="lime_proximity", hint=hint)
