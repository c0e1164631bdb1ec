"""Checkers of chapter 16 · Evaluating explanations."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function


def check_rank_correlation(fn: Callable) -> Verdict:
    """Exercise 16: fn(a, b) -> Spearman's rank correlation of two 1-D arrays without ties.

    rho = Pearson correlation of the ranks (0..n-1) of a and of b.
    """
    rng = np.random.default_rng(16)
    a, b = rng.normal(size=50), rng.normal(size=50)

    def spearman(u, v):
        ru, rv = np.argsort(np.argsort(u)).astype(float), np.argsort(np.argsort(v)).astype(float)
        return float(np.corrcoef(ru, rv)[0, 1])

    cases = [
        ((np.array([1.0, 2.0, 3.0, 4.0]), np.array([10.0, 20.0, 30.0, 40.0])), 1.0),
        ((np.array([1.0, 2.0, 3.0, 4.0]), np.array([4.0, 3.0, 2.0, 1.0])), -1.0),
        ((np.array([0.1, 5.0, 2.0]), np.array([1.0, 100.0, 3.0])), 1.0),
        ((a, b), spearman(a, b)),
        ((a, a**3 + b * 0.1), spearman(a, a**3 + b * 0.1)),
    ]
    hint = "rank each array with np.argsort(np.argsort(x)), then take np.corrcoef of the two rank vectors"
    return check_function(fn, cases, what="rank_correlation", hint=hint)
