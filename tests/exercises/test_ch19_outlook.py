"""Checkers of chapter 19 (course_utils.exercises.ch19_outlook): the right answer passes, typical mistakes get one "Not yet", nothing raises."""

import numpy as np

from course_utils import exercises
from course_utils.exercises import ch19_outlook
from tests.exercises.helpers import assert_right_and_wrong, stub


def prune(weights, fraction, key=np.abs):
    out = np.array(weights, dtype=float, copy=True)
    k = int(round(fraction * out.size))
    out.flat[np.argsort(key(out), axis=None)[:k]] = 0.0
    return out


def test_magnitude_prune_checker(capsys):
    assert exercises.check_magnitude_prune is ch19_outlook.check_magnitude_prune
    wrongs = [
        lambda w, fraction: prune(
            w, fraction, key=lambda v: v
        ),  # ranks the signed values: prunes the most negative
        lambda w, fraction: prune(w, fraction, key=lambda v: -np.abs(v)),  # prunes the largest
        lambda w, fraction: prune(w, 1 - fraction),  # keeps the fraction instead of pruning it
        stub,
    ]
    assert_right_and_wrong(exercises.check_magnitude_prune, prune, wrongs, capsys)
