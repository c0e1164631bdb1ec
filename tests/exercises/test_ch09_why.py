"""Exercises and quiz of chapter 09 (course_utils.exercises.ch09_why)."""

import numpy as np
import pytest

from course_utils import exercises
from course_utils.exercises import ch09_why as ch09
from tests.exercises.helpers import Exploding, assert_verdicts, raising, stub


def _model_with_accuracy(labels, accuracy):
    """A NumPy 'model' that gets the first share `accuracy` of the images right, the rest wrong."""
    labels = np.asarray(labels)
    n_right = round(accuracy * len(labels))

    def model(images):
        predicted = labels.copy()
        predicted[n_right:] = (predicted[n_right:] + 1) % 10
        return np.eye(10)[predicted[: len(images)]]

    return model


@pytest.mark.parametrize(
    ("accuracy", "band"), [(0.95, "above 80%"), (0.6, "50% to 80%"), (0.3, "below 50%")]
)
def test_marker_prediction(capsys, accuracy, band):
    labels = np.arange(100) % 10
    images = np.zeros((100, 28, 28), np.float32)
    model = _model_with_accuracy(labels, accuracy)
    others = [b for b in ch09.MARKER_BANDS if b != band]
    args = (model, images, labels)
    assert_verdicts(
        exercises.check_marker_prediction,
        capsys,
        stub=(..., *args),
        wrongs=[
            (others[0], *args),
            (others[1], *args),
            ("about 90%", *args),
        ],  # the other bands, no band
        raising=(Exploding(), *args),
        solution=(band, *args),
    )


def test_marker_band_edges():
    assert ch09.marker_band(0.81) == "above 80%" and ch09.marker_band(0.8) == "50% to 80%"
    assert ch09.marker_band(0.5) == "50% to 80%" and ch09.marker_band(0.49) == "below 50%"


def _brightest(maps, region):
    flat = maps.reshape(len(maps), -1)
    return float(region.reshape(-1)[flat.argmax(axis=1)].mean())


def _brightest_buggy(maps, region):
    flat = maps.reshape(len(maps), -1)
    return float(region.reshape(-1)[flat.argmax(axis=0)].mean())


def _brightest_in_place(maps, region):
    maps /= maps.max()  # normalises the caller's maps
    return _brightest(maps, region)


def test_brightest_in_region(capsys):
    assert_verdicts(
        exercises.check_brightest_in_region,
        capsys,
        stub=_brightest_buggy,  # the planted bug, untouched: argmax over the maps, not the pixels
        wrongs=[
            lambda maps, region: float(
                region.reshape(-1)[maps.reshape(len(maps), -1).argmin(1)].mean()
            ),
            lambda maps, region: float(region.mean()),  # the region's size, not the maps
            _brightest_in_place,
        ],
        raising=raising,
        solution=_brightest,
    )


def test_brightest_in_region_stub_that_raises_is_not_started(capsys):
    verdict = exercises.check_brightest_in_region(stub)
    assert verdict.status == "not started"


def test_the_planted_bug_is_the_modules(capsys):
    rng = np.random.default_rng(3)
    maps, region = rng.random((4, 5, 5)), rng.random((5, 5)) > 0.5
    assert _brightest_buggy(maps, region) == ch09.buggy_brightest_in_region(maps, region)


def test_brightest_in_region_agrees_with_the_notebooks_count_on_saliency_like_maps():
    rng = np.random.default_rng(0)
    maps = rng.random((50, 28, 28))
    band = np.zeros((28, 28), bool)
    band[0:3, 4:24] = True
    rows, cols = np.nonzero(maps == maps.max(axis=(1, 2), keepdims=True))[1:]
    assert _brightest(maps, band) == pytest.approx(np.mean(band[rows, cols]))


def test_linear_contributions(capsys):
    def right(w, x, c):
        return w[c] * x

    def in_place(w, x, c):
        x *= w[c]
        return x

    assert_verdicts(
        exercises.check_linear_contributions,
        capsys,
        stub=stub,
        wrongs=[
            lambda w, x, c: (w[c] * x).sum(),  # summed: that is the score minus the bias
            lambda w, x, c: w[:, c] * x[: len(w)],  # a column, not the row of class c
            lambda w, x, c: w[c],  # forgot the input
            in_place,
        ],
        raising=raising,
        solution=right,
    )


def test_linear_contributions_add_up_to_a_torch_linear_layers_score():
    import torch
    from torch import nn

    torch.manual_seed(0)
    layer = nn.Linear(784, 10)
    x = torch.rand(784)
    w, b = layer.weight.detach().numpy(), layer.bias.detach().numpy()
    contributions = w[3] * x.numpy()
    assert contributions.sum() + b[3] == pytest.approx(layer(x)[3].item(), abs=1e-4)
