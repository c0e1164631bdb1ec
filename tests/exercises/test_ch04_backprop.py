"""Exercises of chapter 04 (course_utils.exercises.ch04_backprop)."""

import numpy as np
import pytest

from course_utils.exercises import ch04_backprop as ch04
from course_utils.foundations import activations
from course_utils.foundations.autograd import Value
from course_utils.foundations.layers import MLP, Linear
from tests.exercises.helpers import Exploding, assert_verdicts, raising, stub


def test_linear_backward(capsys):
    assert_verdicts(
        ch04.check_linear_backward,
        capsys,
        stub=stub,
        wrongs=[
            lambda x, W, d: (d @ W.T, x.T @ d, d.mean(axis=0)),  # a mean over the batch
            lambda x, W, d: (d @ W.T, x.T @ d),  # db forgotten
            lambda x, W, d: (d @ W.T, (x.T @ d).T, d.sum(axis=0)),  # dW transposed
            lambda x, W, d: (d @ W, x.T @ d, d.sum(axis=0)),  # no transpose: the shapes do not fit
        ],
        raising=raising,
        solution=lambda x, W, d: (d @ W.T, x.T @ d, d.sum(axis=0)),
    )


def test_the_packages_linear_layer_passes_the_linear_backward_checker(capsys):
    def linear_backward(x, W, dout):
        layer = Linear(*W.shape, dtype=np.float64)
        layer.W[...] = W
        layer.forward(x)
        dx = layer.backward(dout)
        return dx, layer.dW, layer.db

    assert ch04.check_linear_backward(linear_backward)


def test_the_linear_hidden_test_holds_for_the_solution():
    namespace = {"np": np, "linear_backward": lambda x, W, d: (d @ W.T, x.T @ d, d.sum(axis=0))}
    exec(ch04.check_linear_backward.exercise.hidden_test, namespace)
    namespace["linear_backward"] = lambda x, W, d: (d @ W.T, x.T @ d, d.mean(axis=0))
    with pytest.raises(AssertionError):
        exec(ch04.check_linear_backward.exercise.hidden_test, namespace)


def test_sigmoid_backward(capsys):
    assert_verdicts(
        ch04.check_sigmoid_backward,
        capsys,
        stub=stub,
        wrongs=[
            lambda x, up: activations.sigmoid_grad(x),  # the upstream gradient forgotten
            lambda x, up: up * x * (1 - x),  # s (1 - s) with s = x, the sigmoid never applied
            lambda x, up: up * activations.sigmoid(x),  # the forward value, not its derivative
        ],
        raising=raising,
        solution=lambda x, up: up * activations.sigmoid_grad(x),
    )


@pytest.mark.parametrize("x", [-3.0, -0.5, 0.0, 1.2, 4.0])
def test_sigmoid_backward_agrees_with_autograd(x):
    vx = Value(x)
    s = 1 / (1 + (-vx).exp())
    (s * 2.5).backward()
    assert np.isclose(ch04._sigmoid_backward(x, 2.5), vx.grad, rtol=1e-12)


def _small_problem():
    rng = np.random.default_rng(0)
    net = MLP(sizes=(10, 8, 6, 3), seed=0, dtype=np.float64)
    return net, rng.normal(size=(5, 10)), rng.integers(0, 3, size=5)


def test_bug_error_prediction(capsys):
    net, x, labels = _small_problem()
    assert_verdicts(
        ch04.check_bug_error_prediction,
        capsys,
        stub=(..., net, x, labels),
        wrongs=[
            (0.8, net, x, labels),
            (4, net, x, labels),
            (0.0, net, x, labels),
        ],  # (N-1)/N, N-1, none
        raising=(Exploding(), net, x, labels),
        solution=(4 / 6, net, x, labels),
    )


@pytest.mark.parametrize("n", [2, 5, 9])
def test_the_bugs_error_is_the_analytic_n_minus_1_over_n_plus_1(n):
    net, _, _ = _small_problem()
    rng = np.random.default_rng(n)
    x, labels = rng.normal(size=(n, 10)), rng.integers(0, 3, size=n)
    before = [p.copy() for p in net.params()]
    assert np.isclose(ch04.missing_one_over_n_error(net, x, labels), (n - 1) / (n + 1), atol=1e-6)
    assert all(np.array_equal(a, b) for a, b in zip(before, net.params(), strict=True))
