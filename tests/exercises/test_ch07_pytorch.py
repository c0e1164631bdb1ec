"""Checkers of chapter 07 (course_utils.exercises.ch07_pytorch): a right answer passes, typical wrong answers get "Not yet" without raising."""

import pytest

from course_utils import exercises


def stub(*args):
    raise NotImplementedError


CASES = {
    exercises.check_inverted_dropout: (
        lambda x, keep, p: x * keep / (1 - p),
        [
            lambda x, keep, p: x * keep,
            lambda x, keep, p: x * keep / p,
            lambda x, keep, p: x / (1 - p),
            stub,
        ],  # no rescale, wrong rescale, no mask
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
