"""course_utils._checks, the one home of input validation: each check returns the clean value or says what was expected."""

import re

import numpy as np
import pytest

from course_utils import _checks as checks


def _exact(message: str) -> str:
    """A pattern that matches this message and nothing longer."""
    return "^" + re.escape(message) + "$"


# --- batches, targets, baselines ----------------------------------------------------------------


def test_as_batch_returns_float_batches_unchanged():
    x = np.zeros((3, 28, 28), np.float32)
    assert checks.as_batch(x) is x
    assert checks.as_batch([[1.0, 2.0]]).shape == (1, 2)


@pytest.mark.parametrize(
    "x, message",
    [
        (
            np.array(["a", "b"]).reshape(1, 2),
            "x must be a real-valued numeric array, got dtype <U1",
        ),
        (np.ones((1, 2), complex), "x must be a real-valued numeric array, got dtype complex128"),
        (
            np.zeros((2, 3), np.uint8),
            "x must hold floats (scaled images: data.scale_images gives float32 in [0, 1]), got dtype uint8",
        ),
        (
            np.zeros(784, np.float32),
            "x must be a batch, shape (N, ...) with the examples along axis 0; got shape (784,). For a single example use x[None].",
        ),
        (np.zeros((0, 3)), "x is an empty batch (shape (0, 3)); give at least one example"),
        (
            np.array([[1.0, np.nan, np.inf]]),
            "x must be finite, but it holds 2 NaN or infinite value(s)",
        ),
    ],
)
def test_as_batch_refusals(x, message):
    with pytest.raises(ValueError, match=_exact(message)):
        checks.as_batch(x)


def test_as_batch_names_the_argument_and_refuses_ragged_lists():
    with pytest.raises(ValueError, match=r"^images must be a batch"):
        checks.as_batch(np.zeros(3), name="images")
    with pytest.raises(ValueError, match=r"^x must be an array of numbers, got list: "):
        checks.as_batch([[1.0], [1.0, 2.0]])


def test_as_targets_from_an_int_a_sequence_or_integral_floats():
    np.testing.assert_array_equal(checks.as_targets(3, 4, 10), [3, 3, 3, 3])
    assert checks.as_targets(np.int64(2), 2, 3).dtype == np.int64
    np.testing.assert_array_equal(checks.as_targets(np.array(1), 2, 3), [1, 1])
    np.testing.assert_array_equal(checks.as_targets([0, 9, 4], 3, 10), [0, 9, 4])
    np.testing.assert_array_equal(checks.as_targets(np.array([1.0, 2.0]), 2, 3), [1, 2])


@pytest.mark.parametrize(
    "target, message",
    [
        (10, "target 10 is outside the model's outputs: expected a class index in 0..9"),
        (-1, "target -1 is outside the model's outputs: expected a class index in 0..9"),
        ([0, 12], "target 12 is outside the model's outputs: expected a class index in 0..9"),
        (True, "target must be an int class index or one per row, got the bool True"),
        ([1, 2, 3], "target must be one int, or one int per row: expected shape (2,), got (3,)"),
        (
            [0.5, 1.0],
            "target must be an int or a sequence of ints (class indices), got dtype float64: array([0.5, 1. ])",
        ),
        (
            "3",
            "target must be an int or a sequence of ints (class indices), got dtype <U1: array('3', dtype='<U1')",
        ),
    ],
)
def test_as_targets_refusals(target, message):
    with pytest.raises(ValueError, match=_exact(message)):
        checks.as_targets(target, 2, 10)


def test_as_targets_or_none_picks_the_top_output():
    outputs = np.array([[0.1, 0.9, 0.0], [2.0, 1.0, 3.0]])
    np.testing.assert_array_equal(checks.as_targets_or_none(None, 2, 3, outputs), [1, 2])
    np.testing.assert_array_equal(checks.as_targets_or_none(0, 2, 3, outputs), [0, 0])
    with pytest.raises(
        ValueError, match=_exact("target is None: give a class index (or one per row)")
    ):
        checks.as_targets_or_none(None, 2, 3)


def test_as_baseline_broadcasts_none_a_number_one_example_or_one_per_row():
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.testing.assert_array_equal(checks.as_baseline(None, x), np.zeros((2, 3)))
    np.testing.assert_array_equal(checks.as_baseline(0.5, x), np.full((2, 3), 0.5))
    np.testing.assert_array_equal(checks.as_baseline([1, 2, 3], x), [[1, 2, 3], [1, 2, 3]])
    per_row = checks.as_baseline(x + 1, x)
    np.testing.assert_array_equal(per_row, x + 1)
    assert per_row.dtype == np.float32 and per_row.flags.writeable
    with pytest.raises(
        ValueError,
        match=_exact(
            "baseline must be None (zeros), a number, one example of shape (3,), or one per row of shape (2, 3); got shape (4,)"
        ),
    ):
        checks.as_baseline(np.zeros(4), x)
    with pytest.raises(
        ValueError, match=_exact("baseline must be finite, but it holds NaN or infinite values")
    ):
        checks.as_baseline(np.inf, x)
    with pytest.raises(
        ValueError, match=r"^baseline must be None, a number or an array of numbers: "
    ):
        checks.as_baseline("grey", x)


def test_as_positive_int():
    assert checks.as_positive_int(np.int32(3), "n_steps") == 3
    assert checks.as_positive_int(2, "n_steps", minimum=2) == 2
    for bad in (0, 2.0, True, "3"):
        with pytest.raises(ValueError, match=_exact(f"n_steps must be an int >= 1, got {bad!r}")):
            checks.as_positive_int(bad, "n_steps")
    with pytest.raises(ValueError, match=_exact("n_samples must be an int >= 2, got 1")):
        checks.as_positive_int(1, "n_samples", minimum=2)


def test_per_row_and_repeated_targets():
    assert checks.per_row_target(4, 3) == 4
    np.testing.assert_array_equal(checks.per_row_target([1, 2, 3], 3), [1, 2, 3])
    with pytest.raises(
        ValueError,
        match=_exact("target must be one int, or one int per row: expected shape (3,), got (2,)"),
    ):
        checks.per_row_target([1, 2], 3)
    assert checks.repeat_target(4, 3, 2) == 4
    np.testing.assert_array_equal(
        checks.repeat_target([1, 2, 3], 3, 2), [1, 2, 3, 1, 2, 3]
    )  # copy-major


# --- labels and outputs ----------------------------------------------------------------------------


def test_check_labels_accepts_integer_classes():
    labels = checks.check_labels(np.array([0, 9, 3], np.uint8), n=3)
    assert labels.dtype == np.int64 and labels.tolist() == [0, 9, 3]
    assert checks.check_labels([1, 0, 2], n_classes=3).tolist() == [1, 0, 2]


@pytest.mark.parametrize(
    "labels, kwargs, message",
    [
        (
            np.array([0.0, 3.0]),
            {},
            "labels must be integer class labels 0..9, got dtype float64 (one-hot or float labels?)",
        ),
        (
            np.array([True, False]),
            {},
            "labels must be integer class labels 0..9, got dtype bool (one-hot or float labels?)",
        ),
        (
            np.eye(3, dtype=np.int64),
            {},
            "labels must be a 1-D array with one label per image, got shape (3, 3) (one-hot rows? pass labels.argmax(axis=1))",
        ),
        (
            np.zeros((2, 2, 2), np.int64),
            {},
            "labels must be a 1-D array with one label per image, got shape (2, 2, 2)",
        ),
        (
            np.array([0, 10, 3]),
            {},
            "labels must lie in 0..9: expected class indices 0..9 for 10 classes, got values from 0 to 10",
        ),
        (
            np.array([-1, 1]),
            {"n_classes": 3},
            "labels must lie in 0..2: expected class indices 0..2 for 3 classes, got values from -1 to 1",
        ),
        (np.array([0, 1]), {"n": 3}, "labels: expected 3 labels (one label per image), got 2"),
        (
            np.array([0.5]),
            {"name": "y"},
            "y must be integer class labels 0..9, got dtype float64 (one-hot or float labels?)",
        ),
    ],
)
def test_check_labels_refusals(labels, kwargs, message):
    with pytest.raises(ValueError, match=_exact(message)):
        checks.check_labels(labels, **kwargs)


def test_check_outputs():
    out = np.ones((3, 2))
    assert checks.check_outputs(out, 3) is out
    assert checks.check_outputs(np.ones(3), 3).shape == (3, 1)  # one output column
    with pytest.raises(
        ValueError,
        match=_exact(
            "the model must return one row of outputs per input, shape (3,) or (3, K); it returned shape (3, 2, 2)"
        ),
    ):
        checks.check_outputs(np.ones((3, 2, 2)), 3)
    with pytest.raises(
        ValueError,
        match=_exact(
            "value_fn must return one row of outputs per input, shape (8,) or (8, K); it returned shape (3,)"
        ),
    ):
        checks.check_outputs(np.ones(3), 8, what="value_fn")
    with pytest.raises(
        ValueError, match=_exact("the model returned non-finite values (nan or inf)")
    ):
        checks.check_outputs(np.array([[1.0], [np.nan]]), 2)


def test_check_attributions():
    x = np.zeros((2, 3), np.float32)
    assert checks.check_attributions(np.ones((2, 3), np.float32), x).dtype == np.float64
    with pytest.raises(
        ValueError, match=_exact("attributions must have the shape of x (2, 3), got (3, 2)")
    ):
        checks.check_attributions(np.ones((3, 2)), x)
    with pytest.raises(ValueError, match=_exact("attributions must be finite (no nan or inf)")):
        checks.check_attributions(np.full((2, 3), np.nan), x)


# --- images ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, layout, axes",
    [
        ((28, 28), "hw", (0, 1)),
        ((1, 28, 28), "chw", (1, 2)),
        ((3, 32, 32), "chw", (1, 2)),
        ((28, 28, 1), "hwc", (0, 1)),
        ((28, 28, 3), "hwc", (0, 1)),
    ],
)
def test_image_layout_and_spatial_axes(shape, layout, axes):
    assert checks.image_layout(shape) == layout
    assert checks.spatial_axes(shape) == axes


@pytest.mark.parametrize("shape", [(784,), (5, 28, 28), (28, 28, 5), (1, 2, 28, 28)])
def test_image_layout_refuses_other_shapes(shape):
    message = f"expected one image of shape (H, W), (C, H, W) or (H, W, C) with at most 4 channels C; got shape {shape}"
    with pytest.raises(ValueError, match=_exact(message)):
        checks.image_layout(shape)


def test_spatial_axes_of_a_vector_is_its_one_axis():
    assert checks.spatial_axes((784,)) == (0,)


def test_mnist_images_in_each_layout():
    x = np.random.default_rng(0).random((3, 28, 28))
    for layout, shape in (("nchw", (3, 1, 28, 28)), ("nhwc", (3, 28, 28, 1)), ("nhw", (3, 28, 28))):
        out = checks.mnist_images(x, layout)
        assert out.shape == shape and out.dtype == np.float32
        np.testing.assert_array_equal(out.reshape(3, 28, 28), x.astype(np.float32))
    np.testing.assert_array_equal(
        checks.mnist_images(x[:, None], "nhw"), x.astype(np.float32)
    )  # either 4-D layout flattens to (N, 28, 28)


def test_mnist_images_refuses_the_other_frameworks_layout_both_ways():
    with pytest.raises(
        ValueError,
        match=_exact(
            "got channels-last (N, 28, 28, 1), the Keras layout; PyTorch wants (N, 1, 28, 28) or (N, 28, 28)"
        ),
    ):
        checks.mnist_images(np.zeros((2, 28, 28, 1), np.float32), "nchw")
    with pytest.raises(
        ValueError,
        match=_exact(
            "got channels-first (N, 1, 28, 28), the PyTorch layout; Keras wants (N, 28, 28, 1) or (N, 28, 28)"
        ),
    ):
        checks.mnist_images(np.zeros((2, 1, 28, 28), np.float32), "nhwc")


@pytest.mark.parametrize(
    "images, layout, message",
    [
        (
            np.zeros((2, 28, 28), np.uint8),
            "nchw",
            "expected images scaled to [0, 1] (float32); got uint8 pixels: use data.scale_images(x) first",
        ),
        (
            np.zeros((2, 784), np.float32),
            "nchw",
            "expected images of shape (N, 28, 28) or (N, 1, 28, 28), got (2, 784)",
        ),
        (
            np.zeros((2, 28, 28, 3), np.float32),
            "nhwc",
            "expected images of shape (N, 28, 28) or (N, 28, 28, 1), got (2, 28, 28, 3)",
        ),
        (
            np.zeros((2, 32, 32), np.float32),
            "nhw",
            "expected images of shape (N, 28, 28), got (2, 32, 32)",
        ),
    ],
)
def test_mnist_images_refusals(images, layout, message):
    with pytest.raises(ValueError, match=_exact(message)):
        checks.mnist_images(images, layout)


# --- numbers -------------------------------------------------------------------------------------------


def test_check_learning_rate():
    assert checks.check_learning_rate(np.float32(0.5)) == 0.5
    assert isinstance(checks.check_learning_rate(1), float)
    for bad in (0, -0.1, float("nan"), float("inf"), True, "0.1"):
        with pytest.raises(
            ValueError, match=_exact(f"the learning rate must be a positive number, got {bad!r}")
        ):
            checks.check_learning_rate(bad)


def test_check_number():
    assert checks.check_number(0, "eps", low=0.0) == 0.0
    assert checks.check_number(1.0, "p", low=0.0, high=1.0) == 1.0
    for bad in (float("nan"), float("inf"), None, True):
        with pytest.raises(ValueError, match=_exact(f"eps must be a finite number, got {bad!r}")):
            checks.check_number(bad, "eps", low=0.0)
    with pytest.raises(ValueError, match=_exact("eps must be >= 0, got -0.1")):
        checks.check_number(-0.1, "eps", low=0.0)
    with pytest.raises(ValueError, match=_exact("alpha must be > 0, got 0.0")):
        checks.check_number(0.0, "alpha", low=0.0, strict_low=True)
    with pytest.raises(ValueError, match=_exact("p must be <= 1, got 1.5")):
        checks.check_number(1.5, "p", low=0.0, high=1.0)
