"""Checkers of chapter 00 (course_utils.exercises.ch00_welcome): the right answer passes, typical mistakes get one "Not yet", nothing raises."""

import numpy as np

from course_utils import exercises
from course_utils.exercises import ch00_welcome
from tests.exercises.helpers import assert_right_and_wrong, stub


def right(images):
    return images.astype(np.float32) / 255.0


def test_scale_pixels_checker(capsys):
    assert exercises.check_scale_pixels is ch00_welcome.check_scale_pixels
    wrongs = [
        lambda images: images.astype(np.float32) / 256.0,  # the wrong maximum
        lambda images: images / 255.0,  # float64: the values are right, the dtype is not
        lambda images: (images // 255).astype(
            np.float32
        ),  # integer division: everything but 255 becomes 0
        lambda images: images.astype(np.float32),  # not scaled
        stub,
    ]
    assert_right_and_wrong(exercises.check_scale_pixels, right, wrongs, capsys)
