"""Checkers of chapter 08 · CNNs, and choosing a framework."""

from __future__ import annotations

from collections.abc import Callable

from course_utils.exercises.core import Verdict, check_function


def check_conv_output_size(fn: Callable) -> Verdict:
    """Exercise 08.1: ``conv_output_size(n, k, padding, stride)`` = (n + 2 padding - k) // stride + 1."""
    cases = [
        ((28, 3, 1, 1), 28),
        ((28, 3, 0, 1), 26),
        ((28, 2, 0, 2), 14),
        ((7, 3, 0, 2), 3),
        ((28, 3, 0, 2), 13),
        ((5, 2, 0, 2), 2),
        ((11, 3, 2, 2), 7),
    ]
    hint = "pad both sides (n + 2 * padding), count the positions a k-wide window fits, and step by stride: use // for the floor"
    return check_function(fn, cases, what="conv_output_size", hint=hint)
