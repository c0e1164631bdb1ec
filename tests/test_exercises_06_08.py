"""Checkers of chapters 06-08: a right answer passes, typical wrong answers get "Not yet" without raising."""

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
        [lambda t, p, n: confusion_right(t, p, n).T, lambda t, p, n: np.bincount(t, minlength=n), stub],  # transposed, 1-D
    ),
    exercises.check_inverted_dropout: (
        lambda x, keep, p: x * keep / (1 - p),
        [lambda x, keep, p: x * keep, lambda x, keep, p: x * keep / p, lambda x, keep, p: x / (1 - p), stub],  # no rescale, wrong rescale, no mask
    ),
    exercises.check_conv_output_size: (
        lambda n, k, p, s: (n + 2 * p - k) // s + 1,
        [lambda n, k, p, s: (n + 2 * p - k) / s + 1, lambda n, k, p, s: (n + p - k) // s + 1, lambda n, k, p, s: n - k + 1, stub],
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
