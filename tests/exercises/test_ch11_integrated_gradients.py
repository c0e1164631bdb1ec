"""Exercises and quiz of chapter 11 (course_utils.exercises.ch11_integrated_gradients)."""

from collections import OrderedDict

import numpy as np
import pytest
import torch
from torch import nn

from course_utils import exercises, xai
from course_utils.data import scale_images
from course_utils.exercises import ch11_integrated_gradients as ch11
from tests.exercises.helpers import Exploding, assert_verdicts, raising, stub


@pytest.fixture(scope="module")
def flat_top():
    """f(x) = 1 - relu(1 - x) = min(x, 1), as in the notebook."""
    model = nn.Sequential(
        OrderedDict(hidden=nn.Linear(1, 1), relu=nn.ReLU(), output=nn.Linear(1, 1))
    ).eval()
    with torch.no_grad():
        model.hidden.weight.fill_(-1.0), model.hidden.bias.fill_(1.0)
        model.output.weight.fill_(-1.0), model.output.bias.fill_(1.0)
    return model


@pytest.fixture(scope="module")
def digits():
    """A small random classifier of (N, 1, 28, 28) digits, a batch, its classes and raw uint8 digits."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(784, 16), nn.ReLU(), nn.Linear(16, 10)).eval()
    rng = np.random.default_rng(0)
    raw = rng.integers(0, 256, size=(600, 28, 28), dtype=np.uint8)
    x = scale_images(raw[:4])[:, None]
    target = xai.wrap(model).predict(x).argmax(1)
    return model, x, target, raw


def test_flat_top_prediction(capsys, flat_top):
    assert_verdicts(
        exercises.check_flat_top_prediction,
        capsys,
        stub=(..., flat_top),
        wrongs=[
            (0.0, flat_top),
            (2.0, flat_top),
            (0.5, flat_top),
        ],  # gradient x input, x - x', a half
        raising=(Exploding(), flat_top),
        solution=(1.0, flat_top),
    )


def test_flat_top_ig_is_the_analytic_change(flat_top):
    from captum.attr import IntegratedGradients

    two = torch.tensor([[2.0]])
    captum = IntegratedGradients(flat_top).attribute(two, target=0, n_steps=50).item()
    assert captum == pytest.approx(1.0, abs=1e-6)  # min(2, 1) - min(0, 1)
    assert xai.integrated_gradients(flat_top, two.numpy(), 0)[0, 0] == pytest.approx(1.0, abs=1e-6)


def ig(gradient, x, baseline, n_steps, offset=0.5, times_difference=True):
    alphas = (np.arange(n_steps) + offset) / n_steps
    mean = np.mean([gradient(baseline + a * (x - baseline)) for a in alphas], axis=0)
    return (x - baseline) * mean if times_difference else mean


def test_ig_midpoint(capsys):
    assert_verdicts(
        exercises.check_ig_midpoint,
        capsys,
        stub=stub,
        wrongs=[
            lambda g, x, b, n: ig(g, x, b, n, offset=0.0),  # left Riemann sum
            lambda g, x, b, n: ig(g, x, b, n, offset=1.0),  # right Riemann sum
            lambda g, x, b, n: ig(g, x, b, n, times_difference=False),  # the mean gradient only
            lambda g, x, b, n: (
                x * ig(g, x, b, n, times_difference=False)
            ),  # x instead of x - baseline
        ],
        raising=raising,
        solution=ig,
    )


def test_ig_midpoint_equals_the_packages_riemann_middle(digits):
    model, x, target, _ = digits
    wrapped = xai.wrap(model)
    mine = ig(lambda z: wrapped.gradient(z.astype(np.float32), target), x, np.zeros_like(x), 16)
    package = xai.integrated_gradients(model, x, target, n_steps=16, method="riemann_middle")
    np.testing.assert_allclose(mine, package, rtol=1e-4, atol=1e-7)


def _ig_from_average(model, x, target, raw, scale=255.0, use_raw=True):
    average = (raw.astype(np.float32) if use_raw else x[:, 0]).mean(axis=0) / scale
    return xai.integrated_gradients(model, x, target, baseline=average.reshape(x.shape[1:]))


def test_average_digit_baseline(capsys, digits):
    model, x, target, raw = digits
    args = (model, x, target, raw)
    assert_verdicts(
        exercises.check_average_digit_baseline,
        capsys,
        stub=(ch11.buggy_ig_from_average_digit, *args),  # the planted bug, untouched: 0..255
        wrongs=[
            (
                lambda m, x, t, r: _ig_from_average(m, x, t, r, scale=256.0),
                *args,
            ),  # 256 grey levels
            (lambda m, x, t, r: xai.integrated_gradients(m, x, t), *args),  # black, not the average
            (
                lambda m, x, t, r: _ig_from_average(m, x, t, r, use_raw=False, scale=1.0),
                *args,
            ),  # x's average
        ],
        raising=(raising, *args),
        solution=(_ig_from_average, *args),
    )


def test_average_digit_baseline_stub_variants_are_not_started(capsys, digits):
    model, x, target, raw = digits
    untouched = lambda m, x, t, r: _ig_from_average(m, x, t, r, scale=1.0)  # noqa: E731  the stub's code
    for fn in (stub, untouched):
        assert (
            exercises.check_average_digit_baseline(fn, model, x, target, raw).status
            == "not started"
        )


def test_average_digit_is_the_mean_of_the_scaled_digits(digits):
    *_, raw = digits
    np.testing.assert_allclose(
        ch11.average_digit(raw), scale_images(raw).mean(axis=0), rtol=1e-5, atol=1e-6
    )


def _ig_of_probability(model, x, target):
    return xai.integrated_gradients(nn.Sequential(model, nn.Softmax(dim=1)).eval(), x, target)


def test_ig_of_probability(capsys, digits):
    model, x, target, _ = digits
    args = (model, x, target)

    def log_softmax(m, x, t):
        return xai.integrated_gradients(nn.Sequential(m, nn.LogSoftmax(dim=1)).eval(), x, t)

    assert_verdicts(
        exercises.check_ig_of_probability,
        capsys,
        stub=(stub, *args),
        wrongs=[
            (
                lambda m, x, t: xai.integrated_gradients(m, x, t),
                *args,
            ),  # the logit, not the probability
            (
                lambda m, x, t: xai.gradient_x_input(
                    nn.Sequential(m, nn.Softmax(dim=1)).eval(), x, t
                ),
                *args,
            ),
            (log_softmax, *args),
        ],
        raising=(raising, *args),
        solution=(_ig_of_probability, *args),
    )


def test_ig_of_probability_equals_captums_and_is_complete(digits):
    from captum.attr import IntegratedGradients

    model, x, target, _ = digits
    probability = nn.Sequential(model, nn.Softmax(dim=1)).eval()
    ours = _ig_of_probability(model, x, target)
    captum = IntegratedGradients(probability).attribute(
        torch.from_numpy(x), target=torch.from_numpy(target), n_steps=50, method="gausslegendre"
    )
    np.testing.assert_allclose(ours, captum.detach().numpy(), rtol=1e-4, atol=1e-7)
    p = xai.wrap(probability).predict(np.concatenate([x, 0 * x]))[:, target]
    change = np.diag(p[: len(x)]) - np.diag(p[len(x) :])
    np.testing.assert_allclose(ours.reshape(len(x), -1).sum(1), change, atol=1e-3)
