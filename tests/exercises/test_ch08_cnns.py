"""Checkers of chapter 08 (course_utils.exercises.ch08_cnns): a right answer passes, typical wrong answers get "Not yet" without raising."""

import pytest

from course_utils import exercises


def stub(*args):
    raise NotImplementedError


CASES = {
    exercises.check_conv_output_size: (
        lambda n, k, p, s: (n + 2 * p - k) // s + 1,
        [
            lambda n, k, p, s: (n + 2 * p - k) / s + 1,
            lambda n, k, p, s: (n + p - k) // s + 1,
            lambda n, k, p, s: n - k + 1,
            stub,
        ],
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
