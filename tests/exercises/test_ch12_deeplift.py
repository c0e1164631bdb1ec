"""Checkers of chapter 12 (course_utils.exercises.ch12_deeplift): the right answer passes, typical mistakes get one "Not yet", nothing raises."""

import numpy as np

from course_utils import exercises
from course_utils.exercises import ch12_deeplift
from tests.exercises.helpers import assert_right_and_wrong, stub


def rescale(a, a_ref, m_out):
    change = a - a_ref
    same = change == 0
    ratio = (np.maximum(a, 0) - np.maximum(a_ref, 0)) / np.where(same, 1.0, change)
    return np.where(same, m_out * (a > 0), m_out * ratio)


def test_rescale_multiplier_checker(capsys):
    assert exercises.check_rescale_multiplier is ch12_deeplift.check_rescale_multiplier

    def divides_by_zero(a, a_ref, m_out):
        with np.errstate(divide="ignore", invalid="ignore"):
            return (
                m_out * (np.maximum(a, 0) - np.maximum(a_ref, 0)) / (a - a_ref)
            )  # nan where a == a_ref

    wrongs = [
        lambda a, a_ref, m_out: m_out * (a > 0),  # the gradient rule
        lambda a, a_ref, m_out: rescale(
            a, a_ref, np.ones_like(m_out)
        ),  # forgot the upstream multiplier
        divides_by_zero,
        stub,
    ]
    assert_right_and_wrong(exercises.check_rescale_multiplier, rescale, wrongs, capsys)
