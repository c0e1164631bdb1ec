"""Checkers of chapter 12 · DeepLIFT."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function


def check_rescale_multiplier(fn: Callable) -> Verdict:
    """Exercise 12: fn(a, a_ref, m_out) -> the ReLU's input multiplier under DeepLIFT's rescale rule.

    m_out * (relu(a) - relu(a_ref)) / (a - a_ref), and the gradient m_out * (a > 0) where a == a_ref.
    """
    a = np.array([2.0, -1.0, 3.0, 0.5, -2.0, -0.5])
    a_ref = np.array([0.0, 0.0, 1.0, 0.5, 1.0, -0.5])
    m_out = np.array([1.0, 2.0, -1.0, 3.0, 1.0, 4.0])
    cases = [
        ((a, a_ref, m_out), np.array([1.0, 0.0, -1.0, 3.0, 1.0 / 3.0, 0.0])),
        (
            (np.array([[1.0, 4.0]]), np.array([[-1.0, 2.0]]), np.array([[2.0, 2.0]])),
            np.array([[1.0, 2.0]]),
        ),
    ]
    hint = "divide the change of the ReLU's output by the change of its input; where the input did not change (a == a_ref) use the gradient m_out * (a > 0) instead of dividing by zero (np.where)"
    return check_function(fn, cases, what="rescale_multiplier", hint=hint)
