"""Exercises of chapter 12 (course_utils.exercises.ch12_deeplift)."""

from collections import OrderedDict

import numpy as np
import pytest
import torch
from torch import nn

from course_utils import xai
from course_utils.exercises import ch12_deeplift as ch12
from tests.exercises.helpers import Exploding, assert_verdicts, raising, stub


def _tiny():
    """The notebook's tiny network: relu(2 x1 - x2 + 0.5) - relu(x1 + x2 - 1) + 0.25."""
    net = nn.Sequential(
        OrderedDict(hidden=nn.Linear(2, 2), relu=nn.ReLU(), output=nn.Linear(2, 1))
    ).eval()
    with torch.no_grad():
        net.hidden.weight.copy_(torch.tensor([[2.0, -1.0], [1.0, 1.0]]))
        net.hidden.bias.copy_(torch.tensor([0.5, -1.0]))
        net.output.weight.copy_(torch.tensor([[1.0, -1.0]]))
        net.output.bias.fill_(0.25)
    return net


X, REF = np.array([[1.0, 2.0]], np.float32), np.zeros((1, 2), np.float32)


def test_deeplift_total(capsys):
    net = _tiny()
    assert_verdicts(
        ch12.check_deeplift_total,
        capsys,
        stub=(..., net, X, REF),
        wrongs=[
            (-1.25, net, X, REF),  # f(x), forgetting the reference
            (-3.0, net, X, REF),  # the sum of gradient x input
            (2.0, net, X, REF),  # the sign of the difference the other way
        ],
        raising=(Exploding(), net, X, REF),
        solution=(-2.0, net, X, REF),
    )


def test_deeplift_total_is_the_output_change_by_hand_and_by_autograd():
    net = _tiny()
    with torch.no_grad():
        change = (net(torch.from_numpy(X)) - net(torch.from_numpy(REF))).item()
    assert change == pytest.approx(-2.0)  # (0.5 - 2 + 0.25) - (0.5 - 0 + 0.25)
    assert float(xai.deeplift(net, X, 0, baseline=REF).sum()) == pytest.approx(change, abs=1e-6)


def _rescale_no_fallback(a, a_ref, m_out):
    return m_out * (np.maximum(a, 0) - np.maximum(a_ref, 0)) / (a - a_ref)  # nan where a == a_ref


def _rescale_in_place(a, a_ref, m_out):
    out = ch12._rescale(a, a_ref, m_out)
    m_out *= 0  # writes into an argument
    return out


def test_rescale_debugged(capsys):
    assert_verdicts(
        ch12.check_rescale_debugged,
        capsys,
        stub=ch12._planted_bug,
        wrongs=[
            lambda a, a_ref, m_out: m_out * (a > 0),  # the gradient rule instead
            lambda a, a_ref, m_out: ch12._rescale(a, a_ref, np.ones_like(m_out)),  # no m_out
            _rescale_no_fallback,
            _rescale_in_place,
        ],
        raising=raising,
        solution=ch12._rescale,
    )
    assert_verdicts(  # the placeholder of nbgrader's answer cell is "not started" too
        ch12.check_rescale_debugged,
        capsys,
        stub=stub,
        wrongs=[
            lambda a, a_ref, m_out: m_out * (a > 0),
            _rescale_no_fallback,
        ],
        raising=raising,
        solution=ch12._rescale,
    )


def test_rescale_multiplier_is_the_packages_relu_rule():
    rng = np.random.default_rng(0)
    a, a_ref, m_out = rng.normal(size=(3, 2, 6))
    a[0, :2] = a_ref[0, :2]  # units whose input did not change
    got = ch12._rescale(a, a_ref, m_out)
    from course_utils.xai.deeplift import _relu_rule

    expected = _relu_rule(None, *(torch.from_numpy(v) for v in (m_out, a, a_ref))).numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def _tanh_gradient_x_input(W1, b1, W2, b2, x, x_ref, t):
    z = x @ W1.T + b1
    return (x - x_ref) * ((W2[t] * (1 - np.tanh(z) ** 2)) @ W1)


def _tanh_no_fallback(W1, b1, W2, b2, x, x_ref, t):
    z, z_ref = x @ W1.T + b1, x_ref @ W1.T + b1
    return (x - x_ref) * ((W2[t] * (np.tanh(z) - np.tanh(z_ref)) / (z - z_ref)) @ W1)


def test_deeplift_tanh(capsys):
    assert_verdicts(
        ch12.check_deeplift_tanh,
        capsys,
        stub=stub,
        wrongs=[
            _tanh_gradient_x_input,
            _tanh_no_fallback,
            lambda W1, b1, W2, b2, x, x_ref, t: (
                ch12.tanh_contributions(W1, b1, W2, b2, x, x_ref, t) / (x - x_ref + (x == x_ref))
            ),  # the multipliers, not the contributions
        ],
        raising=raising,
        solution=ch12.tanh_contributions,
    )


def test_tanh_contributions_agree_with_captum_and_sum_to_delta():
    from captum.attr import DeepLift

    rng = np.random.default_rng(3)
    W1, b1, W2, b2 = (
        rng.normal(size=(5, 4)),
        rng.normal(size=5),
        rng.normal(size=(3, 5)),
        rng.normal(size=3),
    )
    x, x_ref = rng.normal(size=(4, 4)), rng.normal(size=(4, 4))
    net = nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3)).double().eval()
    with torch.no_grad():
        for layer, (w, b) in zip((net[0], net[2]), ((W1, b1), (W2, b2)), strict=True):
            layer.weight.copy_(torch.from_numpy(w)), layer.bias.copy_(torch.from_numpy(b))
    captum = DeepLift(net).attribute(
        torch.from_numpy(x), baselines=torch.from_numpy(x_ref), target=1
    )
    ours = ch12.tanh_contributions(W1, b1, W2, b2, x, x_ref, 1)
    np.testing.assert_allclose(ours, captum.detach().numpy(), rtol=1e-8, atol=1e-10)
    with torch.no_grad():
        change = (net(torch.from_numpy(x)) - net(torch.from_numpy(x_ref)))[:, 1].numpy()
    np.testing.assert_allclose(ours.sum(axis=1), change, rtol=1e-10)
