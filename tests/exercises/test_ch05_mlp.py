"""Checkers of chapter 05 (course_utils.exercises.ch05_mlp): right answers pass, typical mistakes get a 'Not yet'."""

import numpy as np

from course_utils import exercises


def stub(*args):
    raise NotImplementedError


def test_precision_recall_checker():
    def right(cm):
        cm = np.asarray(cm, dtype=float)
        return np.diag(cm) / cm.sum(axis=0), np.diag(cm) / cm.sum(axis=1)

    assert exercises.check_precision_recall(right)
    assert not exercises.check_precision_recall(lambda cm: right(cm)[::-1])  # swapped
    assert not exercises.check_precision_recall(stub)
