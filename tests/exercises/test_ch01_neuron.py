"""Exercises and quiz of chapter 01 (course_utils.exercises.ch01_neuron)."""

import numpy as np
import torch

from course_utils import data
from course_utils.exercises import ch01_neuron as ch01
from course_utils.foundations import neuron
from course_utils.foundations.activations import relu, relu_grad, sigmoid, sigmoid_grad
from tests.exercises.helpers import Exploding, assert_verdicts, raising, stub


def _buggy_dense(X, W, b):
    return sigmoid(X @ W + b)  # the planted bug: W is (n_out, n_in)


def test_dense_forward(capsys):
    assert_verdicts(
        ch01.check_dense_forward,
        capsys,
        stub=_buggy_dense,  # the notebook's stub holds the planted bug
        wrongs=[
            lambda X, W, b: sigmoid(X @ W.T) + b,  # the bias added after the activation
            lambda X, W, b: sigmoid(X @ W.T),  # bias left out
            lambda X, W, b: X @ W.T + b,  # activation left out
            lambda X, W, b: sigmoid(W @ X.T + b[:, None]),  # the transpose of the answer
        ],
        raising=raising,
        solution=lambda X, W, b: sigmoid(X @ W.T + b),
    )


def test_dense_forward_stubs_are_not_started(capsys):
    assert ch01.check_dense_forward(stub).status == "not started"
    assert ch01.check_dense_forward(ch01.buggy_dense_forward).status == "not started"


def test_dense_forward_reference_is_pytorchs_linear():
    rng = np.random.default_rng(0)
    X, W, b = rng.normal(size=(6, 3)), rng.normal(size=(2, 3)), rng.normal(size=2)
    layer = torch.nn.Linear(3, 2, dtype=torch.float64)
    with torch.no_grad():
        layer.weight.copy_(torch.from_numpy(W))
        layer.bias.copy_(torch.from_numpy(b))
        expected = torch.sigmoid(layer(torch.from_numpy(X))).numpy()
    np.testing.assert_allclose(ch01._dense_reference(X, W, b), expected, rtol=1e-12)


def test_xor_prediction(capsys):
    x, y = data.make_xor(n=200, seed=0)
    assert_verdicts(
        ch01.check_xor_prediction,
        capsys,
        stub=(..., x, y),
        wrongs=[(0.5, x, y), (1.0, x, y), (75, x, y), (0.7, x, y)],
        raising=(Exploding(), x, y),
        solution=(0.75, x, y),
    )


def test_best_line_accuracy_is_the_notebooks_search():
    x, y = data.make_xor(n=40, seed=3)
    best = 0.0
    for angle in np.linspace(0, 2 * np.pi, 36, endpoint=False):
        for offset in np.linspace(-2.5, 2.5, 11):
            best = max(best, neuron.neuron_accuracy(x, y, np.cos(angle), np.sin(angle), offset))
    assert ch01.best_line_accuracy(x, y, n_angles=36, n_offsets=11) == best
    blobs_x, blobs_y = data.make_two_blobs(n=100, distance=6.0, seed=0)
    assert ch01.best_line_accuracy(blobs_x, blobs_y) == 1.0  # separable: one line is enough


def _naive_softplus(z):
    return np.log(1 + np.exp(z))


def _stable_softplus(z):
    return np.logaddexp(0.0, z)


def test_softplus(capsys):
    assert_verdicts(
        ch01.check_softplus,
        capsys,
        stub=(stub, stub),
        wrongs=[
            (_naive_softplus, sigmoid),  # overflows at z = 1000
            (lambda z: np.log1p(np.exp(z)), sigmoid),  # log1p does not help with exp's overflow
            (_stable_softplus, relu_grad),  # the derivative of the ReLU it smooths
            (_stable_softplus, sigmoid_grad),  # the sigmoid's derivative, one level too deep
            (relu, sigmoid),  # ReLU itself
        ],
        raising=(raising, sigmoid),
        solution=(_stable_softplus, sigmoid),
    )


def test_softplus_derivative_is_the_sigmoid_by_autograd():
    z = torch.linspace(-8, 8, 33, dtype=torch.float64, requires_grad=True)
    torch.nn.functional.softplus(z).sum().backward()
    np.testing.assert_allclose(z.grad.numpy(), sigmoid(z.detach().numpy()), rtol=1e-12)
    np.testing.assert_allclose(
        _stable_softplus(z.detach().numpy()),
        torch.nn.functional.softplus(z).detach().numpy(),
        rtol=1e-12,
    )
