"""Checkers of chapter 10 (course_utils.exercises.ch10_saliency): the right answer passes, typical mistakes get one "Not yet", nothing raises."""

import numpy as np

from course_utils import exercises
from course_utils.exercises import ch10_saliency
from tests.exercises.helpers import assert_right_and_wrong, stub


def right(gradient, x, noise):
    return np.mean([gradient(x + e) for e in noise], axis=0)


def test_smoothgrad_checker(capsys):
    assert exercises.check_smoothgrad is ch10_saliency.check_smoothgrad
    wrongs = [
        lambda gradient, x, noise: gradient(x),  # no noise at all
        lambda gradient, x, noise: gradient(
            x + noise.mean(axis=0)
        ),  # averages the noise, not the gradients
        lambda gradient, x, noise: np.mean(
            [gradient(x + e) for e in noise]
        ),  # one number: the mean over every axis
        lambda gradient, x, noise: np.sum(
            [gradient(x + e) for e in noise], axis=0
        ),  # a sum, not a mean
        stub,
    ]
    assert_right_and_wrong(exercises.check_smoothgrad, right, wrongs, capsys)
