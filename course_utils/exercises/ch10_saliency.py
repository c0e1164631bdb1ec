"""Checkers of chapter 10 · Saliency and gradients."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function


def check_smoothgrad(fn: Callable) -> Verdict:
    """Exercise 10: fn(gradient, x, noise) -> the mean over k of gradient(x + noise[k]).

    ``gradient`` maps a batch to its gradient (same shape); ``noise`` has shape (n_samples, *x.shape).
    """
    rng = np.random.default_rng(10)

    def gradient(z):  # the gradient of f(z) = 2 sum(sin z)
        return 2 * np.cos(z)

    x = rng.normal(size=(2, 3))
    noise = 0.3 * rng.normal(size=(5, 2, 3))
    cases = [
        ((gradient, x, np.zeros((1, 2, 3))), gradient(x)),
        ((gradient, x, noise), np.mean([gradient(x + e) for e in noise], axis=0)),
    ]
    hint = (
        "add each noise sample to x, take the gradient there, and average the n gradients (axis 0)"
    )
    return check_function(fn, cases, what="smoothgrad", hint=hint)
