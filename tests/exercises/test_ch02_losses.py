"""Checkers of chapter 02 (course_utils.exercises.ch02_losses): right answers pass, typical mistakes get a 'Not yet', nothing raises."""

import numpy as np

from course_utils import exercises
from course_utils.foundations import activations as nn
from course_utils.foundations.losses import cross_entropy


def stub(*args):
    raise NotImplementedError


def test_stable_softmax_checker(capsys):
    assert exercises.check_stable_softmax(lambda z: nn.softmax(np.asarray(z, dtype=float)))

    def naive(z):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)

    verdict = exercises.check_stable_softmax(naive)
    assert not verdict and "overflow" in verdict.message
    assert not exercises.check_stable_softmax(
        lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum()
    )  # sums over every row at once
    assert not exercises.check_stable_softmax(stub)
    assert "Not yet" in capsys.readouterr().out


def test_cross_entropy_checker():
    assert exercises.check_cross_entropy(cross_entropy)
    assert not exercises.check_cross_entropy(
        lambda z, y: (
            -np.mean(np.log(nn.softmax(z)[np.arange(len(y)), y]))
            if np.abs(z).max() < 100
            else np.inf
        )
    )
    assert not exercises.check_cross_entropy(
        lambda z, y: np.sum(nn.log_softmax(z)[np.arange(len(y)), y]) * -1
    )  # a sum, not a mean
    assert not exercises.check_cross_entropy(stub)
