"""Exercises and quiz of chapter 02 (course_utils.exercises.ch02_losses)."""

import numpy as np
import torch

from course_utils.exercises import ch02_losses as ch02
from course_utils.foundations import activations as nn
from course_utils.foundations.losses import cross_entropy
from tests.exercises.helpers import Exploding, assert_verdicts, raising, stub


def test_uniform_loss_prediction(capsys):
    assert_verdicts(
        ch02.check_uniform_loss_prediction,
        capsys,
        stub=...,
        wrongs=[1.0, 0.1, np.log10(10.0), 0.0],  # log10 instead of ln; 1/K; a perfect score
        raising=Exploding(),
        solution=2.30,
    )
    assert ch02.check_uniform_loss_prediction(np.log(10))


def _axis0(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)  # the planted bug


def _naive(z):
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _global_max(z):
    e = np.exp(z - z.max())
    return e / e.sum(axis=-1, keepdims=True)


def _right(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def test_stable_softmax(capsys):
    assert_verdicts(
        ch02.check_stable_softmax,
        capsys,
        stub=_axis0,  # the notebook's stub holds the planted bug
        wrongs=[_naive, _global_max, lambda z: np.exp(z) / np.exp(z).sum()],
        raising=raising,
        solution=_right,
    )


def test_stable_softmax_stubs_are_not_started(capsys):
    assert ch02.check_stable_softmax(stub).status == "not started"
    assert ch02.check_stable_softmax(ch02.buggy_softmax).status == "not started"


def test_stable_softmax_agrees_with_torch():
    z = np.random.default_rng(0).normal(size=(4, 6)) * 50
    np.testing.assert_allclose(
        _right(z), torch.softmax(torch.from_numpy(z), dim=-1).numpy(), rtol=1e-12
    )


def _ce_naive(z, y):
    return -np.mean(np.log(nn.softmax(z)[np.arange(len(y)), y] + 0.0))


def _ce_right(z, y):
    m = z.max(axis=1, keepdims=True)
    log_p = z - m - np.log(np.exp(z - m).sum(axis=1, keepdims=True))
    return -np.mean(log_p[np.arange(len(y)), y])


def test_cross_entropy(capsys):
    assert_verdicts(
        ch02.check_cross_entropy,
        capsys,
        stub=stub,
        wrongs=[
            _ce_naive,  # log of a probability that underflowed to 0
            lambda z, y: -np.sum(nn.log_softmax(z)[np.arange(len(y)), y]),  # a sum, not a mean
            lambda z, y: (
                -np.mean(nn.log_softmax(z)[:, y])
            ),  # picks every row's entries at every label
            lambda z, y: np.mean(nn.log_softmax(z)[np.arange(len(y)), y]),  # the sign
        ],
        raising=raising,
        solution=_ce_right,
    )
    assert ch02.check_cross_entropy(cross_entropy)


def test_cross_entropy_agrees_with_torch():
    rng = np.random.default_rng(1)
    z, y = rng.normal(size=(7, 5)) * 10, rng.integers(0, 5, size=7)
    expected = torch.nn.functional.cross_entropy(torch.from_numpy(z), torch.from_numpy(y)).item()
    assert np.isclose(_ce_right(z, y), expected, rtol=1e-12)
    assert np.isclose(cross_entropy(np.zeros((1, 10)), np.array([3])), np.log(10))  # 02.1's value


def test_steps_to_half(capsys):
    ce, se = ch02.steps_to_half("cross-entropy"), ch02.steps_to_half("squared error")
    assert ce < se < 10_000
    assert_verdicts(
        ch02.check_steps_to_half,
        capsys,
        stub=(..., ...),
        wrongs=[(se, ce), (ce + 1, se), (ce, se - 1)],
        raising=(Exploding(), se),
        solution=(ce, se),
    )


def _steps_by_autograd(loss_of_output, w0=-6.0, lr=2.0):
    w = torch.tensor(w0, dtype=torch.float64, requires_grad=True)
    for step in range(10_000):
        y = torch.sigmoid(w * 1.0)
        if y.item() > 0.5:
            return step
        loss_of_output(y).backward()
        with torch.no_grad():
            w -= lr * w.grad
        w.grad = None
    return 10_000


def test_steps_to_half_agrees_with_autograd():
    assert ch02.steps_to_half("cross-entropy") == _steps_by_autograd(lambda y: -torch.log(y))
    assert ch02.steps_to_half("squared error") == _steps_by_autograd(lambda y: (y - 1) ** 2)
