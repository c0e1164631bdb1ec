"""Checkers of chapter 02 · Loss functions."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_function


def check_stable_softmax(fn: Callable) -> Verdict:
    """Exercise 02: softmax over the last axis that survives logits of +-1000."""
    z = np.array([1.0, 2.0, 3.0])
    rows = np.array([[0.0, 0.0], [1.0, -1.0]])
    cases = [
        ((z,), np.exp(z) / np.exp(z).sum()),
        ((rows,), np.exp(rows) / np.exp(rows).sum(axis=1, keepdims=True)),
        (
            (np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0]]),),
            np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]]),
        ),
    ]
    hint = "subtract each row's maximum before exp: np.max(z, axis=-1, keepdims=True); then divide by the row sum (also keepdims=True)"
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        return check_function(fn, cases, what="softmax", hint=hint)


def check_cross_entropy(fn: Callable) -> Verdict:
    """Exercise 02: mean cross-entropy of integer labels under softmax(logits), stable for huge logits."""
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(4, 5)) * 2
    labels = np.array([0, 3, 4, 1])
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    cases = [
        ((np.array([[2.0, 1.0, 0.1]]), np.array([0])), np.log(np.exp([2.0, 1.0, 0.1]).sum()) - 2.0),
        ((logits, labels), -logp[np.arange(4), labels].mean()),
        ((np.array([[1000.0, -1000.0], [0.0, 0.0]]), np.array([1, 0])), (2000.0 + np.log(2.0)) / 2),
    ]
    hint = "per row, loss = logsumexp(z) - z[label] with logsumexp(z) = m + log(sum(exp(z - m))), m the row max; pick z[label] with z[np.arange(N), labels]; return the mean"
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        return check_function(fn, cases, what="cross_entropy", hint=hint)
