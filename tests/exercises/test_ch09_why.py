"""Checkers of chapter 09 (course_utils.exercises.ch09_why): the right answer passes, typical mistakes get one "Not yet", nothing raises."""

from course_utils import exercises
from course_utils.exercises import ch09_why
from tests.exercises.helpers import assert_right_and_wrong, stub


def test_linear_contributions_checker(capsys):
    assert exercises.check_linear_contributions is ch09_why.check_linear_contributions
    wrongs = [
        lambda w, x, c: (w[c] * x).sum(),  # summed: that is the logit minus the bias
        lambda w, x, c: w[:, c] * x,  # a column, not the row of class c
        lambda w, x, c: w[c],  # forgot the input
        stub,
    ]
    assert_right_and_wrong(
        exercises.check_linear_contributions, lambda w, x, c: w[c] * x, wrongs, capsys
    )
