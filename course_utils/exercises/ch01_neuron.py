"""Checkers of chapter 01 · The neuron."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function


def check_sigmoid(fn: Callable) -> Verdict:
    """Exercise 01: sigmoid(z) = 1 / (1 + exp(-z)), elementwise, for scalars and arrays."""
    z = np.array([-3.0, -1.0, 0.0, 0.5, 2.0])
    grid = np.linspace(-6, 6, 12).reshape(3, 4)
    cases = [
        ((0.0,), 0.5),
        ((z,), 1 / (1 + np.exp(-z))),
        ((grid,), 1 / (1 + np.exp(-grid))),
        ((np.array([-40.0, 40.0]),), np.array([1 / (1 + np.exp(40.0)), 1 / (1 + np.exp(-40.0))])),
    ]
    hint = "use np.exp so it works elementwise on arrays: 1 / (1 + np.exp(-z)); sigmoid(0) is exactly 0.5"
    with np.errstate(over="ignore"):
        return check_function(fn, cases, what="sigmoid", hint=hint, rtol=1e-6, atol=1e-12)


def check_sigmoid_grad(fn: Callable) -> Verdict:
    """Exercise 01: the derivative sigmoid'(z) = sigmoid(z) (1 - sigmoid(z)), elementwise."""

    def reference(z):
        s = 1 / (1 + np.exp(-np.asarray(z, dtype=float)))
        return s * (1 - s)

    z = np.array([-3.0, -1.0, 0.0, 0.5, 2.0])
    grid = np.linspace(-6, 6, 12).reshape(3, 4)
    cases = [
        ((0.0,), 0.25),
        ((z,), reference(z)),
        ((grid,), reference(grid)),
        ((np.array([-20.0, 20.0]),), reference([-20.0, 20.0])),
    ]
    hint = "write it with the sigmoid itself: s = sigmoid(z); return s * (1 - s). Its largest value, at z = 0, is 0.25"
    with np.errstate(over="ignore"):
        return check_function(fn, cases, what="sigmoid_grad", hint=hint, rtol=1e-6, atol=1e-12)


def check_relu(fn: Callable) -> Verdict:
    """Exercise 01: relu(z) = max(z, 0), elementwise, keeping the input's shape."""
    z = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    grid = np.linspace(-3, 3, 12).reshape(3, 4)
    cases = [
        ((z,), np.maximum(z, 0)),
        ((grid,), np.maximum(grid, 0)),
        ((np.array([[-1e9, 1e9]]),), np.array([[0.0, 1e9]])),
    ]
    hint = "np.maximum(z, 0) compares elementwise (np.max(z) would return a single number, the largest entry)"
    return check_function(fn, cases, what="relu", hint=hint)
