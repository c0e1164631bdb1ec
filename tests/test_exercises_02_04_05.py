"""The checkers of chapters 02, 04 and 05: right answers pass, typical mistakes get a 'Not yet', nothing raises."""

import numpy as np

from course_utils import exercises
from course_utils import numpy_nn as nn


def stub(*args):
    raise NotImplementedError


def test_stable_softmax_checker(capsys):
    assert exercises.check_stable_softmax(lambda z: nn.softmax(np.asarray(z, dtype=float)))

    def naive(z):
        e = np.exp(z)
        return e / e.sum(axis=-1, keepdims=True)

    verdict = exercises.check_stable_softmax(naive)
    assert not verdict and "overflow" in verdict.message
    assert not exercises.check_stable_softmax(lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum())  # sums over every row at once
    assert not exercises.check_stable_softmax(stub)
    assert "Not yet" in capsys.readouterr().out


def test_cross_entropy_checker():
    assert exercises.check_cross_entropy(nn.cross_entropy)
    assert not exercises.check_cross_entropy(lambda z, y: -np.mean(np.log(nn.softmax(z)[np.arange(len(y)), y])) if np.abs(z).max() < 100 else np.inf)
    assert not exercises.check_cross_entropy(lambda z, y: np.sum(nn.log_softmax(z)[np.arange(len(y)), y]) * -1)  # a sum, not a mean
    assert not exercises.check_cross_entropy(stub)


def test_linear_backward_checker():
    assert exercises.check_linear_backward(lambda x, W, d: (d @ W.T, x.T @ d, d.sum(axis=0)))
    assert not exercises.check_linear_backward(lambda x, W, d: (d @ W.T, x.T @ d, d.mean(axis=0)))
    assert not exercises.check_linear_backward(lambda x, W, d: (d @ W.T, x.T @ d))
    verdict = exercises.check_linear_backward(lambda x, W, d: (d @ W, x.T @ d, d.sum(axis=0)))  # shapes do not fit: raises inside
    assert not verdict and "raised" in verdict.message
    assert not exercises.check_linear_backward(stub)


def test_local_gradient_checker():
    assert exercises.check_local_gradient(lambda x, up: up * nn.sigmoid_grad(x))
    assert not exercises.check_local_gradient(lambda x, up: nn.sigmoid_grad(x))  # forgot the upstream gradient
    assert not exercises.check_local_gradient(stub)


def test_precision_recall_checker():
    def right(cm):
        cm = np.asarray(cm, dtype=float)
        return np.diag(cm) / cm.sum(axis=0), np.diag(cm) / cm.sum(axis=1)

    assert exercises.check_precision_recall(right)
    assert not exercises.check_precision_recall(lambda cm: right(cm)[::-1])  # swapped
    assert not exercises.check_precision_recall(stub)
