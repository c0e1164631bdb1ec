"""Checkers of chapter 06 (course_utils.exercises.ch06_keras): a right answer passes, typical wrong answers get "Not yet" without raising."""

import numpy as np
import pytest

from course_utils import exercises


def stub(*args):
    raise NotImplementedError


def confusion_right(y_true, y_pred, n):
    counts = np.zeros((n, n), dtype=int)
    for t, p in zip(y_true, y_pred, strict=True):
        counts[t, p] += 1
    return counts


CASES = {
    exercises.check_confusion_matrix: (
        confusion_right,
        [
            lambda t, p, n: confusion_right(t, p, n).T,
            lambda t, p, n: np.bincount(t, minlength=n),
            stub,
        ],  # transposed, 1-D
    ),
}


@pytest.mark.parametrize("checker", CASES, ids=lambda c: c.__name__)
def test_right_answer_passes_and_wrong_ones_do_not(checker, capsys):
    right, wrongs = CASES[checker]
    assert checker(right)
    assert capsys.readouterr().out.startswith("Correct:")
    for wrong in wrongs:
        assert not checker(wrong)
        out = capsys.readouterr().out
        assert out.startswith("Not yet:") and "Hint:" in out
