"""Checkers of chapter 18 (course_utils.exercises.ch18_fairness): the right answer passes, typical mistakes get one "Not yet", nothing raises."""

import numpy as np

from course_utils import exercises
from course_utils.exercises import ch18_fairness
from tests.exercises.helpers import assert_right_and_wrong, stub


def rate(y_pred, mask):
    return np.asarray(y_pred)[mask].mean()


def test_demographic_parity_difference_checker(capsys):
    assert (
        exercises.check_demographic_parity_difference
        is ch18_fairness.check_demographic_parity_difference
    )
    wrongs = [
        lambda y_pred, group: rate(y_pred, group == 1) - rate(y_pred, group == 0),  # signed
        lambda y_pred, group: rate(y_pred, group == 1) / rate(y_pred, group == 0),  # a ratio
        lambda y_pred, group: np.mean(y_pred),  # the overall selection rate
        stub,
    ]
    right = lambda y_pred, group: abs(rate(y_pred, group == 1) - rate(y_pred, group == 0))  # noqa: E731
    assert_right_and_wrong(exercises.check_demographic_parity_difference, right, wrongs, capsys)


def test_equal_opportunity_difference_checker(capsys):
    assert (
        exercises.check_equal_opportunity_difference
        is ch18_fairness.check_equal_opportunity_difference
    )

    def right(y_true, y_pred, group):
        return abs(
            rate(y_pred, (group == 1) & (y_true == 1)) - rate(y_pred, (group == 0) & (y_true == 1))
        )

    wrongs = [
        lambda y_true, y_pred, group: abs(
            rate(y_pred, group == 1) - rate(y_pred, group == 0)
        ),  # demographic parity: ignores y_true
        lambda y_true, y_pred, group: abs(
            rate(y_pred == y_true, group == 1) - rate(y_pred == y_true, group == 0)
        ),  # accuracy gap
        lambda y_true, y_pred, group: (
            rate(y_pred, (group == 1) & (y_true == 1)) - rate(y_pred, (group == 0) & (y_true == 1))
        ),  # signed
        stub,
    ]
    assert_right_and_wrong(exercises.check_equal_opportunity_difference, right, wrongs, capsys)
