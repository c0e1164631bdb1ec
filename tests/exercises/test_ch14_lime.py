"""Checkers of chapter 14 (course_utils.exercises.ch14_lime): a right answer passes, typical wrong ones get "Not yet" without raising."""

import numpy as np

from course_utils import exercises


def _proximity(on, kernel_width):
    on = np.asarray(on, dtype=float)
    d = 1.0 - np.sqrt(on.sum(axis=1) / on.shape[1])
    return np.sqrt(np.exp(-(d**2) / kernel_width**2))


def _stub(*args):
    raise NotImplementedError


def test_right_answer_passes(capsys):
    assert exercises.check_lime_proximity(_proximity)
    assert capsys.readouterr().out.count("Correct:") == 1


def test_wrong_answers_say_not_yet(capsys):
    wrong = [
        (
            exercises.check_lime_proximity,
            lambda on, w: np.exp(-((1 - np.asarray(on).mean(1)) ** 2) / w**2),
        ),  # no sqrt anywhere
        (exercises.check_lime_proximity, _stub),
    ]
    for checker, answer in wrong:
        assert not checker(answer)
    out = capsys.readouterr().out
    assert out.count("Not yet:") == len(wrong) and out.count("Hint:") == len(wrong)
