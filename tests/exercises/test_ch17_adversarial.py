"""Checkers of chapter 17 (course_utils.exercises.ch17_adversarial): the right answer passes, typical mistakes get one "Not yet", nothing raises."""

import numpy as np

from course_utils import exercises
from course_utils.exercises import ch17_adversarial
from tests.exercises.helpers import assert_right_and_wrong, stub


def test_fgsm_step_checker(capsys):
    assert exercises.check_fgsm_step is ch17_adversarial.check_fgsm_step
    wrongs = [
        lambda x, grad, eps: np.clip(x + eps * grad, 0, 1),  # the gradient, not its sign
        lambda x, grad, eps: x + eps * np.sign(grad),  # no clipping to [0, 1]
        lambda x, grad, eps: np.clip(x - eps * np.sign(grad), 0, 1),  # descends the loss
        stub,
    ]
    assert_right_and_wrong(
        exercises.check_fgsm_step,
        lambda x, grad, eps: np.clip(x + eps * np.sign(grad), 0, 1),
        wrongs,
        capsys,
    )


def test_linf_projection_checker(capsys):
    assert exercises.check_linf_projection is ch17_adversarial.check_linf_projection
    wrongs = [
        lambda x_adv, x, eps: np.clip(x_adv, 0, 1),  # the pixel range only
        lambda x_adv, x, eps: np.clip(x_adv, x - eps, x + eps),  # the ball only
        lambda x_adv, x, eps: np.clip(
            x_adv - x, -eps, eps
        ),  # returns the perturbation, not the image
        stub,
    ]
    right = lambda x_adv, x, eps: np.clip(np.clip(x_adv, x - eps, x + eps), 0, 1)  # noqa: E731
    assert_right_and_wrong(exercises.check_linf_projection, right, wrongs, capsys)
