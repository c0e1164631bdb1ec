"""Checkers of chapter 16 (course_utils.exercises.ch16_evaluation): a right answer passes, typical wrong ones get "Not yet" without raising."""

import numpy as np

from course_utils import exercises


def _stub(*args):
    raise NotImplementedError


def test_right_answer_passes(capsys):
    assert exercises.check_rank_correlation(
        lambda a, b: np.corrcoef(np.argsort(np.argsort(a)), np.argsort(np.argsort(b)))[0, 1]
    )
    assert capsys.readouterr().out.count("Correct:") == 1


def test_wrong_answers_say_not_yet(capsys):
    wrong = [
        (
            exercises.check_rank_correlation,
            lambda a, b: np.corrcoef(a, b)[0, 1],
        ),  # Pearson, not Spearman
        (exercises.check_rank_correlation, 3),
        (exercises.check_rank_correlation, _stub),
    ]
    for checker, answer in wrong:
        assert not checker(answer)
    out = capsys.readouterr().out
    assert out.count("Not yet:") == len(wrong) and out.count("Hint:") == len(wrong)
