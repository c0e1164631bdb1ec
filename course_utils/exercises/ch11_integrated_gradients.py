"""Checkers of chapter 11 · Integrated Gradients."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function


def check_ig_midpoint(fn: Callable) -> Verdict:
    """Exercise 11: fn(gradient, x, baseline, n_steps) -> Integrated Gradients with the midpoint rule.

    alpha_k = (k + 1/2) / n for k = 0..n-1; IG = (x - baseline) * mean_k gradient(baseline + alpha_k (x - baseline)).
    """

    def gradient(z):  # the gradient of f(z) = sum(z**3)
        return 3 * z**2

    def expected(x, baseline, n):
        alphas = (np.arange(n) + 0.5) / n
        return (x - baseline) * np.mean(
            [gradient(baseline + a * (x - baseline)) for a in alphas], axis=0
        )

    rng = np.random.default_rng(11)
    x, baseline = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    cases = [
        ((gradient, x, np.zeros_like(x), 1), expected(x, np.zeros_like(x), 1)),
        ((gradient, x, baseline, 4), expected(x, baseline, 4)),
        ((gradient, x, baseline, 50), expected(x, baseline, 50)),
    ]
    hint = "alphas = (np.arange(n_steps) + 0.5) / n_steps; average the gradients at the path points, then multiply by (x - baseline)"
    return check_function(fn, cases, what="ig_midpoint", hint=hint)
