"""course_utils.foundations.convolution: the NumPy conv2d and max-pool equal PyTorch's and Keras's on random inputs."""

import numpy as np
import pytest

from course_utils.foundations.convolution import conv2d, max_pool2d

CASES = [  # (N, C, H, W), (F, kh, kw), padding, stride
    ((2, 1, 28, 28), (8, 3, 3), 1, 1),
    ((3, 3, 9, 8), (4, 3, 2), 0, 1),
    ((2, 2, 11, 11), (5, 3, 3), 2, 2),
    ((1, 4, 7, 7), (2, 1, 1), 0, 1),
]


def _random_case(shape, filters, seed):
    rng = np.random.default_rng(seed)
    f, kh, kw = filters
    x = rng.standard_normal(shape).astype(np.float32)
    w = rng.standard_normal((f, shape[1], kh, kw)).astype(np.float32)
    b = rng.standard_normal(f).astype(np.float32)
    return x, w, b


def test_conv2d_by_hand_on_a_tiny_example():
    x = np.arange(16, dtype=float).reshape(1, 1, 4, 4)
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])  # x[i, j] - x[i+1, j+1]
    assert np.array_equal(conv2d(x, w), np.full((1, 1, 3, 3), -5.0))
    assert np.array_equal(conv2d(x, w, bias=np.array([2.0]), stride=2), np.full((1, 1, 2, 2), -3.0))
    padded = conv2d(x, w, padding=1)
    assert (
        padded.shape == (1, 1, 5, 5)
        and padded[0, 0, 0, 0] == -x[0, 0, 0, 0]
        and padded[0, 0, 4, 4] == x[0, 0, 3, 3]
    )


def test_max_pool_by_hand():
    x = np.array([[1, 2, 5, 0], [3, 4, 1, 1], [0, 0, 9, 8], [7, 0, 6, 2]], dtype=float)[None, None]
    assert np.array_equal(max_pool2d(x), [[[[4, 5], [7, 9]]]])
    assert np.array_equal(max_pool2d(x, size=3, stride=1), [[[[9, 9], [9, 9]]]])


@pytest.mark.parametrize(("shape", "filters", "padding", "stride"), CASES)
def test_conv2d_equals_torch(shape, filters, padding, stride):
    torch = pytest.importorskip("torch")
    x, w, b = _random_case(shape, filters, seed=sum(shape))
    ours = conv2d(x, w, b, padding=padding, stride=stride)
    theirs = torch.nn.functional.conv2d(
        torch.from_numpy(x),
        torch.from_numpy(w),
        torch.from_numpy(b),
        stride=stride,
        padding=padding,
    ).numpy()
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(
    ("shape", "filters", "padding", "stride"), [c for c in CASES if c[2] in (0, c[1][1] // 2)]
)
def test_conv2d_equals_keras(shape, filters, padding, stride):
    keras = pytest.importorskip("keras")
    x, w, b = _random_case(shape, filters, seed=sum(shape))
    f, kh, kw = filters
    layer = keras.layers.Conv2D(
        f, (kh, kw), strides=stride, padding="valid" if padding == 0 else "same"
    )
    layer.build((None, shape[2], shape[3], shape[1]))
    layer.set_weights([w.transpose(2, 3, 1, 0), b])  # (F, C, kh, kw) -> (kh, kw, C, F)
    theirs = np.asarray(layer(x.transpose(0, 2, 3, 1))).transpose(
        0, 3, 1, 2
    )  # channels last and back
    ours = conv2d(x, w, b, padding=padding, stride=stride)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize(("size", "stride"), [(2, None), (3, 1), (3, 2)])
def test_max_pool_equals_torch_and_keras(size, stride):
    torch = pytest.importorskip("torch")
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(size).standard_normal((2, 3, 9, 8)).astype(np.float32)
    ours = max_pool2d(x, size, stride)
    np.testing.assert_array_equal(
        ours, torch.nn.functional.max_pool2d(torch.from_numpy(x), size, stride).numpy()
    )
    keras_pool = keras.layers.MaxPooling2D(size, strides=stride)
    np.testing.assert_array_equal(
        ours, np.asarray(keras_pool(x.transpose(0, 2, 3, 1))).transpose(0, 3, 1, 2)
    )


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: conv2d(np.zeros((28, 28)), np.zeros((1, 1, 3, 3))), r"\(N, C, H, W\)"),
        (lambda: conv2d(np.zeros((1, 1, 28, 28)), np.zeros((3, 3))), r"\(F, C, kh, kw\)"),
        (lambda: conv2d(np.zeros((1, 2, 28, 28)), np.zeros((1, 1, 3, 3))), "channels"),
        (lambda: conv2d(np.zeros((1, 1, 2, 2)), np.zeros((1, 1, 3, 3))), "does not fit"),
        (
            lambda: conv2d(np.zeros((1, 1, 5, 5)), np.zeros((2, 1, 3, 3)), bias=np.zeros(3)),
            "one bias per filter",
        ),
        (lambda: conv2d(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)), stride=0), "stride"),
        (lambda: max_pool2d(np.zeros((5, 5))), r"\(N, C, H, W\)"),
        (lambda: max_pool2d(np.zeros((1, 1, 2, 2)), size=3), "size"),
    ],
)
def test_bad_input_raises_a_clear_error(call, message):
    with pytest.raises(ValueError, match=message):
        call()
