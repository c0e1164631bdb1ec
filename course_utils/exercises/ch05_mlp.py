"""Checkers of chapter 05 · An MLP from scratch."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.exercises.core import Verdict, check_parts


def check_precision_recall(fn: Callable) -> Verdict:
    """Exercise 05: per-class precision and recall from a confusion matrix (rows = true class, columns = predicted)."""
    small = np.array([[5, 1], [2, 8]])
    three = np.array([[50, 3, 2], [4, 40, 6], [1, 9, 30]])
    cases = [
        ((cm,), (np.diag(cm) / cm.sum(axis=0), np.diag(cm) / cm.sum(axis=1)))
        for cm in (small, three)
    ]
    hint = "precision of class k: cm[k, k] / (everything predicted as k, a column sum); recall: cm[k, k] / (everything truly k, a row sum); np.diag gives the cm[k, k]"
    return check_parts(fn, cases, ("precision", "recall"), what="precision_recall", hint=hint)
