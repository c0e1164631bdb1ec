"""Exercises and quiz of chapter 10 (course_utils.exercises.ch10_saliency)."""

import numpy as np
import pytest
import torch
from torch import nn

from course_utils import exercises, xai
from course_utils.exercises import ch10_saliency as ch10
from tests.exercises.helpers import Exploding, assert_verdicts, raising, stub


@pytest.fixture(scope="module")
def small():
    """A small random CNN-like model on (N, 1, 6, 6) inputs with 4 classes, and a batch."""
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 8, 3), nn.ReLU(), nn.Flatten(), nn.Linear(128, 32), nn.ReLU(), nn.Linear(32, 4)
    ).eval()
    x = np.random.default_rng(0).random((8, 1, 6, 6)).astype(np.float32)
    target = xai.wrap(model).predict(x).argmax(1)
    return model, x, target


def test_saliency_shape(capsys, small):
    model, x, target = small
    args = (model, x, target)
    assert_verdicts(
        exercises.check_saliency_shape,
        capsys,
        stub=(..., *args),
        wrongs=[
            ((6, 6), *args),
            ((8, 6, 6), *args),
            ((8, 4, 1, 6, 6), *args),
            ("(8, 1, 6, 6)", *args),
        ],
        raising=(Exploding(), *args),
        solution=((8, 1, 6, 6), *args),
    )


def test_saliency_has_the_shape_of_autograds_input_gradient(small):
    model, x, target = small
    inputs = torch.from_numpy(x).requires_grad_(True)
    model(inputs)[torch.arange(len(x)), torch.from_numpy(target)].sum().backward()
    assert xai.saliency(model, x, target).shape == inputs.grad.shape


def _saliency(model, images, t, rows=True, absolute=True):
    inputs = torch.from_numpy(images).requires_grad_(True)
    out = model(inputs)
    scores = (
        out[torch.arange(len(images)), torch.as_tensor(t)] if rows else out[:, torch.as_tensor(t)]
    )
    scores.sum().backward()
    return inputs.grad.abs().numpy() if absolute else inputs.grad.numpy()


def _saliency_of_the_top_class(model, images, t):
    inputs = torch.from_numpy(images).requires_grad_(True)
    model(inputs).max(dim=1).values.sum().backward()
    return inputs.grad.abs().numpy()


def test_saliency_debugged(capsys, small):
    model, x, _ = small
    assert_verdicts(
        exercises.check_saliency_debugged,
        capsys,
        stub=(
            lambda m, i, t: _saliency(m, i, t, rows=False),
            model,
            x,
        ),  # the planted bug, untouched
        wrongs=[
            (_saliency_of_the_top_class, model, x),  # the predicted class, not t
            (lambda m, i, t: _saliency(m, i, t, absolute=False), model, x),  # signed
        ],
        raising=(raising, model, x),
        solution=(_saliency, model, x),
    )


def test_saliency_debugged_stub_that_raises_is_not_started(small):
    model, x, _ = small
    assert exercises.check_saliency_debugged(stub, model, x).status == "not started"


def test_the_debugged_saliency_equals_captums(small):
    from captum.attr import Saliency

    model, x, _ = small
    t = ch10._distinct_targets(model, x)
    assert len(set(t[:4].tolist())) == 4, "the checker's targets must differ from row to row"
    captum = (
        Saliency(model).attribute(torch.from_numpy(x), target=torch.from_numpy(t), abs=True).numpy()
    )
    np.testing.assert_allclose(_saliency(model, x, t), captum, rtol=1e-5, atol=1e-7)


def test_smoothgrad(capsys):
    def in_place(gradient, x, noise):
        noise += x
        return np.mean([gradient(z) for z in noise], axis=0)

    assert_verdicts(
        exercises.check_smoothgrad,
        capsys,
        stub=stub,
        wrongs=[
            lambda gradient, x, noise: gradient(x),  # no noise at all
            lambda gradient, x, noise: gradient(
                x + noise.mean(axis=0)
            ),  # averages the noise, not the gradients
            lambda gradient, x, noise: np.mean(
                [gradient(x + e) for e in noise]
            ),  # one number: every axis
            lambda gradient, x, noise: np.sum([gradient(x + e) for e in noise], axis=0),  # a sum
            in_place,
        ],
        raising=raising,
        solution=lambda gradient, x, noise: np.mean([gradient(x + e) for e in noise], axis=0),
    )


def test_smoothgrad_from_any_gradient_equals_the_packages_with_its_noise(small):
    model, x, target = small
    sigma = 0.15 * (x.max(axis=(1, 2, 3), keepdims=True) - x.min(axis=(1, 2, 3), keepdims=True))
    noise = np.random.default_rng(0).normal(size=(10, 1, *x.shape[1:])).astype(np.float32) * sigma
    mine = np.mean([xai.wrap(model).gradient(x + e, target) for e in noise], axis=0)
    np.testing.assert_allclose(
        mine, xai.smoothgrad(model, x, target, n_samples=10, seed=0), rtol=1e-4, atol=1e-6
    )


def test_smoothgrad_stability(capsys, small):
    model, x, target = small
    nudged = x + np.random.default_rng(5).normal(0, 0.1, size=x.shape).astype(np.float32)
    args = (model, x, nudged, target)
    low = ch10.smoothgrad_stability(model, x, nudged, target, 0.05)
    high = ch10.smoothgrad_stability(model, x, nudged, target, 0.3)
    vanilla = ch10.map_correlation(
        xai.saliency(model, x, target, absolute=False),
        xai.saliency(model, nudged, target, absolute=False),
    ).mean()
    default = ch10.smoothgrad_stability(model, x, nudged, target, 0.15)
    assert min(abs(default - low), abs(default - high)) > 0.005
    assert_verdicts(
        exercises.check_smoothgrad_stability,
        capsys,
        stub=(..., ..., *args),
        wrongs=[
            (high, low, *args),
            (vanilla, high, *args),
            (low, default, *args),
        ],  # swapped, plain saliency, the default level
        raising=(Exploding(), high, *args),
        solution=(low, high, *args),
    )


def test_map_correlation_is_numpys_pearson():
    rng = np.random.default_rng(1)
    a, b = rng.normal(size=(3, 5, 5)), rng.normal(size=(3, 5, 5))
    expected = [np.corrcoef(a[i].ravel(), b[i].ravel())[0, 1] for i in range(3)]
    np.testing.assert_allclose(ch10.map_correlation(a, b), expected, rtol=1e-12)
