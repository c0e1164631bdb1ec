"""Checkers of chapter 17 · Adversarial examples."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function


def check_fgsm_step(fn: Callable) -> Verdict:
    """Exercise 17.1: x' = clip(x + eps * sign(grad), 0, 1), elementwise."""
    rng = np.random.default_rng(17)
    x = rng.random((2, 5, 5))
    grad = rng.normal(size=x.shape)
    grad[0, 0, :2] = 0.0
    cases = [
        ((np.array([0.5, 0.5, 0.5]), np.array([2.0, -0.001, 0.0]), 0.1), np.array([0.6, 0.4, 0.5])),
        ((np.array([0.95, 0.02]), np.array([1.0, -3.0]), 0.1), np.array([1.0, 0.0])),
        ((x, grad, 0.07), np.clip(x + 0.07 * np.sign(grad), 0, 1)),
    ]
    hint = "step eps in the direction of np.sign(grad) (not grad itself), then np.clip the result to [0, 1]"
    return check_function(fn, cases, what="fgsm_step", hint=hint)


def check_linf_projection(fn: Callable) -> Verdict:
    """Exercise 17.2: clip x_adv into [max(0, x - eps), min(1, x + eps)], elementwise."""
    rng = np.random.default_rng(171)
    x = rng.random((3, 4, 4))
    x_adv = x + rng.uniform(-0.5, 0.5, x.shape)
    cases = [
        ((np.array([0.9, 0.1, 0.5]), np.array([0.5, 0.5, 0.5]), 0.2), np.array([0.7, 0.3, 0.5])),
        ((np.array([1.3, -0.2]), np.array([0.95, 0.05]), 0.1), np.array([1.0, 0.0])),
        ((x_adv, x, 0.1), np.clip(np.clip(x_adv, x - 0.1, x + 0.1), 0, 1)),
    ]
    hint = "two clips: first into [x - eps, x + eps], then into [0, 1] (np.clip accepts arrays as bounds)"
    return check_function(fn, cases, what="project_linf", hint=hint)
