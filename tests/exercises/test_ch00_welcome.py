"""Exercises and quiz of chapter 00 (course_utils.exercises.ch00_welcome)."""

import numpy as np
import pytest
from sklearn.neighbors import NearestCentroid

from course_utils.data import load_mnist, scale_images
from course_utils.exercises import ch00_welcome as ch00
from tests.exercises.helpers import Exploding, assert_verdicts, raising, stub


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


def test_means_prediction(capsys, mnist):
    (x, y), _ = mnist
    assert_verdicts(
        ch00.check_means_prediction,
        capsys,
        stub=(..., ..., x, y),
        wrongs=[
            ((10, 28, 28), "uint8", x, y),  # the mean keeps the pixels' dtype: it does not
            ((10, 784), "float64", x, y),  # the images are not flattened
            ((28, 28), "float64", x, y),  # forgets the stacked axis of digits
        ],
        raising=(Exploding(), "float64", x, y),
        solution=((10, 28, 28), "float64", x, y),
    )


def test_means_prediction_takes_a_dtype_too(capsys, mnist):
    (x, y), _ = mnist
    assert ch00.check_means_prediction([10, 28, 28], np.float64, x, y)
    assert not ch00.check_means_prediction((10, 28, 28), "no such dtype", x, y)


def _in_place(images):
    images //= 255  # writes into the learner's data (and is integer division)
    return images.astype(np.float32)


def test_scale_pixels(capsys):
    assert_verdicts(
        ch00.check_scale_pixels,
        capsys,
        stub=ch00.buggy_scale_pixels,  # the notebook's stub holds the planted bug
        wrongs=[
            lambda images: images / 255.0,  # float64: the values are right, the dtype is not
            lambda images: images.astype(np.float32) / 255 / 255,  # scaled twice
            lambda images: (images // 255).astype(np.float32),  # integer division
            _in_place,
        ],
        raising=raising,
        solution=lambda images: images.astype(np.float32) / 255,
    )


def test_scale_pixels_stub_that_raises_is_not_started(capsys):
    assert ch00.check_scale_pixels(stub).status == "not started"


def test_the_packages_scale_images_passes_where_it_applies():
    images = np.random.default_rng(0).integers(0, 256, size=(2, 28, 28), dtype=np.uint8)
    np.testing.assert_array_equal(scale_images(images), images.astype(np.float32) / np.float32(255))


def test_nearest_mean(capsys, mnist):
    (x, y), (xt, yt) = mnist
    one = ch00.nearest_mean_accuracy(x, y, xt, yt, per_class=1)
    every = ch00.nearest_mean_accuracy(x, y, xt, yt, per_class=None)
    assert 0.1 < one < every < 1
    data = (x, y, xt, yt)
    assert_verdicts(
        ch00.check_nearest_mean,
        capsys,
        stub=(..., ..., *data),
        wrongs=[
            (every, one, *data),  # swapped
            (one, 100 * every, *data),  # in percent
            (
                one,
                ch00.nearest_mean_accuracy(x, y, xt, yt, per_class=10),
                *data,
            ),  # another knob setting
        ],
        raising=(Exploding(), every, *data),
        solution=(one, every, *data),
    )


@pytest.mark.filterwarnings("ignore:self.within_class_std_dev_")
def test_nearest_mean_agrees_with_scikit_learn(mnist):
    (x, y), (xt, yt) = mnist
    flat, flat_test = x.reshape(len(x), -1) / 255.0, xt.reshape(len(xt), -1) / 255.0
    reference = NearestCentroid().fit(flat, y).score(flat_test, yt)
    assert ch00.nearest_mean_accuracy(x, y, xt, yt) == pytest.approx(reference, abs=1e-12)


def test_class_means_are_the_per_digit_averages(mnist):
    (x, y), _ = mnist
    means = ch00.class_means(x, y)
    assert means.shape == (10, 28, 28) and means.dtype == np.float64
    np.testing.assert_allclose(means[3], x[y == 3].astype(float).mean(axis=0))
    np.testing.assert_array_equal(
        ch00.class_means(x, y, per_class=1)[7], x[np.flatnonzero(y == 7)[0]]
    )
