"""Checkers of chapter 04 (course_utils.exercises.ch04_backprop): right answers pass, typical mistakes get a 'Not yet'."""

import numpy as np

from course_utils import exercises
from course_utils.foundations import activations as nn
from course_utils.foundations.layers import Linear


def stub(*args):
    raise NotImplementedError


def test_linear_backward_checker():
    assert exercises.check_linear_backward(lambda x, W, d: (d @ W.T, x.T @ d, d.sum(axis=0)))
    assert not exercises.check_linear_backward(lambda x, W, d: (d @ W.T, x.T @ d, d.mean(axis=0)))
    assert not exercises.check_linear_backward(lambda x, W, d: (d @ W.T, x.T @ d))
    verdict = exercises.check_linear_backward(
        lambda x, W, d: (d @ W, x.T @ d, d.sum(axis=0))
    )  # shapes do not fit: raises inside
    assert not verdict and "raised" in verdict.message
    assert not exercises.check_linear_backward(stub)


def test_sigmoid_backward_checker():
    assert exercises.check_sigmoid_backward(lambda x, up: up * nn.sigmoid_grad(x))
    assert not exercises.check_sigmoid_backward(
        lambda x, up: nn.sigmoid_grad(x)
    )  # forgot the upstream gradient
    assert not exercises.check_sigmoid_backward(stub)


def test_the_packages_linear_layer_passes_the_linear_backward_checker():
    def linear_backward(x, W, dout):
        layer = Linear(*W.shape, dtype=np.float64)
        layer.W[...] = W
        layer.forward(x)
        dx = layer.backward(dout)
        return dx, layer.dW, layer.db

    assert exercises.check_linear_backward(linear_backward)


def test_check_local_gradient_is_now_check_sigmoid_backward():
    assert not hasattr(exercises, "check_local_gradient")
