"""Checkers of chapter 13 · A tour of Captum."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function


def check_ink_fraction(fn: Callable) -> Verdict:
    """Exercise 13: fn(attributions, x, threshold=0.5) -> per row, the share of sum |attribution| on pixels with x > threshold."""
    rng = np.random.default_rng(13)
    x = rng.random((3, 1, 4, 4))
    attr = rng.normal(size=(3, 1, 4, 4))
    ink = x > 0.5
    expected = (np.abs(attr) * ink).reshape(3, -1).sum(1) / np.abs(attr).reshape(3, -1).sum(1)
    cases = [
        (
            (np.array([[1.0, -3.0, 0.0, 4.0]]), np.array([[0.9, 0.1, 0.7, 0.6]])),
            np.array([5.0 / 8.0]),
        ),
        ((attr, x), expected),
    ]
    hint = "take np.abs of the attributions, sum it over the pixels where x > threshold, and divide by the sum over all pixels, one number per row"
    return check_function(fn, cases, what="ink_fraction", hint=hint)
