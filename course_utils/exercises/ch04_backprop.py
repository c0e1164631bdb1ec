"""Checkers of chapter 04 · Backpropagation."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function, check_parts


def check_linear_backward(fn: Callable) -> Verdict:
    """Exercise 04: (dx, dW, db) of out = x @ W + b, given x (N, n_in), W (n_in, n_out) and dout (N, n_out)."""
    rng = np.random.default_rng(4)
    cases = []
    for n, n_in, n_out in [(1, 2, 3), (5, 4, 3), (7, 3, 6)]:
        x, W, dout = (
            rng.normal(size=(n, n_in)),
            rng.normal(size=(n_in, n_out)),
            rng.normal(size=(n, n_out)),
        )
        cases.append(((x, W, dout), (dout @ W.T, x.T @ dout, dout.sum(axis=0))))
    hint = "each gradient has the shape of its variable: dx = dout @ W.T (N, n_in), dW = x.T @ dout (n_in, n_out), db sums dout over the batch (n_out,)"
    return check_parts(fn, cases, ("dx", "dW", "db"), what="linear_backward", hint=hint)


def check_sigmoid_backward(fn: Callable) -> Verdict:
    """Exercise 04: the backward of a sigmoid node, d L / d x = upstream * s (1 - s) with s = sigmoid(x)."""
    cases = []
    for x, upstream in [(0.0, 1.0), (2.0, 0.5), (-1.0, -3.0), (0.3, 0.0)]:
        s = 1 / (1 + np.exp(-x))
        cases.append(((x, upstream), upstream * s * (1 - s)))
    hint = "the local gradient of sigmoid is s * (1 - s) with s = 1 / (1 + exp(-x)); the chain rule multiplies it by the upstream gradient"
    return check_function(fn, cases, what="sigmoid_backward", hint=hint)
