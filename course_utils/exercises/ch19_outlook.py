"""Checkers of chapter 19 · Summary and outlook."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function


def check_magnitude_prune(fn: Callable) -> Verdict:
    """Exercise 19.1: a copy of ``weights`` with the ``fraction`` of smallest-|w| entries set to 0."""
    rng = np.random.default_rng(19)
    w = rng.normal(size=(6, 5))
    k = int(round(0.4 * w.size))
    expected = w.copy()
    expected.flat[np.argsort(np.abs(w), axis=None)[:k]] = 0.0
    cases = [
        (
            (np.array([0.5, -0.1, 2.0, -3.0]), 0.5),
            np.array([0.5, 0.0, 2.0, -3.0]) * np.array([0, 0, 1, 1]),
        ),
        ((np.array([0.3, -0.2, 0.1]), 0.0), np.array([0.3, -0.2, 0.1])),
        ((w, 0.4), expected),
    ]
    hint = "rank by np.abs(weights) (not by the signed value); zero the int(round(fraction * weights.size)) smallest; return a copy"
    return check_function(fn, cases, what="magnitude_prune", hint=hint)
