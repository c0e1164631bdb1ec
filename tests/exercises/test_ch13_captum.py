"""Checkers of chapter 13 (course_utils.exercises.ch13_captum): the right answer passes, typical mistakes get one "Not yet", nothing raises."""

import numpy as np

from course_utils import exercises
from course_utils.exercises import ch13_captum
from tests.exercises.helpers import assert_right_and_wrong, stub


def ink_fraction(attributions, x, threshold=0.5):
    a = np.abs(attributions).reshape(len(attributions), -1)
    ink = (np.asarray(x) > threshold).reshape(len(x), -1)
    return (a * ink).sum(axis=1) / a.sum(axis=1)


def test_ink_fraction_checker(capsys):
    assert exercises.check_ink_fraction is ch13_captum.check_ink_fraction

    def signed(attributions, x, threshold=0.5):  # forgot the absolute value
        a = np.asarray(attributions).reshape(len(attributions), -1)
        return (a * (np.asarray(x).reshape(len(x), -1) > threshold)).sum(axis=1) / a.sum(axis=1)

    wrongs = [
        signed,
        lambda attributions, x, threshold=0.5: ink_fraction(
            attributions, attributions, threshold
        ),  # thresholds the map, not the digit
        lambda attributions, x, threshold=0.5: ink_fraction(
            attributions, x, threshold
        ).mean(),  # one number for the batch
        stub,
    ]
    assert_right_and_wrong(exercises.check_ink_fraction, ink_fraction, wrongs, capsys)
