"""Checkers of chapter 03 · Gradient descent."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function, check_parts


def check_gd_step(fn: Callable) -> Verdict:
    """Exercise 03: one gradient-descent step, gd_step(w, grad, lr) = w - lr * grad, as a new array."""
    rng = np.random.default_rng(3)
    w, g = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    cases = [
        ((np.array([1.0]), np.array([2.0]), 0.1), np.array([0.8])),
        ((np.array([0.5, -1.0]), np.array([-1.0, 4.0]), 0.25), np.array([0.75, -2.0])),
        ((w, g, 0.01), w - 0.01 * g),
    ]
    hint = "step against the gradient: return w - lr * grad (a minus sign, and the learning rate multiplies the gradient)"
    return check_function(fn, cases, what="gd_step", hint=hint)


def check_adam_bias_correction(fn: Callable) -> Verdict:
    """Exercise 03: Adam's bias correction, (m_hat, v_hat) = (m / (1 - beta1^t), v / (1 - beta2^t)), t from 1."""
    m, v = np.array([0.1, -0.2]), np.array([0.001, 0.004])
    cases = [
        ((m, v, 0.9, 0.999, 1), (m / 0.1, v / 0.001)),
        ((m, v, 0.9, 0.999, 10), (m / (1 - 0.9**10), v / (1 - 0.999**10))),
        (
            (np.array([0.3]), np.array([0.5]), 0.5, 0.75, 2),
            (np.array([0.4]), np.array([0.5 / (1 - 0.75**2)])),
        ),
    ]
    hint = "divide m by (1 - beta1 ** t) and v by (1 - beta2 ** t); t counts steps from 1, so at t = 1 m_hat is m / (1 - beta1)"
    return check_parts(fn, cases, ("m_hat", "v_hat"), what="bias_correction", hint=hint)
