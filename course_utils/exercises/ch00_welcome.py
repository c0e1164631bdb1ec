"""Checkers of chapter 00 · Welcome."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function


def check_scale_pixels(fn: Callable) -> Verdict:
    """Exercise 00: turn uint8 digits (0..255) into float32 values in [0, 1]."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
    cases = [
        ((np.array([[0, 255]], dtype=np.uint8),), np.array([[0.0, 1.0]])),
        ((np.array([51, 102, 204], dtype=np.uint8),), np.array([0.2, 0.4, 0.8])),
        ((images,), images / 255.0),
    ]
    hint = "convert to float32 first (uint8 arithmetic wraps around), then divide by 255"
    return check_function(fn, cases, what="scale_pixels", hint=hint, dtype=np.float32)
