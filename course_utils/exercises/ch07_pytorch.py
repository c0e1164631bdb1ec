"""Checkers of chapter 07 · MNIST in PyTorch."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function


def check_inverted_dropout(fn: Callable) -> Verdict:
    """Exercise 07.1: ``inverted_dropout(x, keep, p)`` = x * keep / (1 - p), keep a 0/1 mask."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(4, 6))
    keep = (rng.random((4, 6)) > 0.3).astype(float)
    cases = [
        (
            (np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 0.0, 1.0, 0.0]), 0.5),
            np.array([2.0, 0.0, 6.0, 0.0]),
        ),
        ((np.array([1.0, -1.0]), np.array([1.0, 1.0]), 0.2), np.array([1.25, -1.25])),
        ((x, keep, 0.3), x * keep / 0.7),
    ]
    hint = (
        "zero the dropped entries (multiply by the mask), then divide by the keep probability 1 - p"
    )
    return check_function(fn, cases, what="inverted_dropout", hint=hint)
