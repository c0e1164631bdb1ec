"""Checkers of chapter 11 (course_utils.exercises.ch11_integrated_gradients): the right answer passes, typical mistakes get one "Not yet", nothing raises."""

import numpy as np

from course_utils import exercises
from course_utils.exercises import ch11_integrated_gradients
from tests.exercises.helpers import assert_right_and_wrong, stub


def ig(gradient, x, baseline, n_steps, offset=0.5, times_difference=True):
    alphas = (np.arange(n_steps) + offset) / n_steps
    mean = np.mean([gradient(baseline + a * (x - baseline)) for a in alphas], axis=0)
    return (x - baseline) * mean if times_difference else mean


def test_ig_midpoint_checker(capsys):
    assert exercises.check_ig_midpoint is ch11_integrated_gradients.check_ig_midpoint
    wrongs = [
        lambda g, x, b, n: ig(g, x, b, n, offset=0.0),  # left Riemann sum
        lambda g, x, b, n: ig(g, x, b, n, offset=1.0),  # right Riemann sum
        lambda g, x, b, n: ig(g, x, b, n, times_difference=False),  # the mean gradient only
        lambda g, x, b, n: x * ig(g, x, b, n, times_difference=False),  # x instead of x - baseline
        stub,
    ]
    assert_right_and_wrong(exercises.check_ig_midpoint, ig, wrongs, capsys)
