"""course_utils.foundations.losses against PyTorch and central differences, and their errors."""

import numpy as np
import pytest

from course_utils.foundations.activations import softmax
from course_utils.foundations.losses import (
    binary_cross_entropy,
    cross_entropy,
    mse,
    mse_grad,
    one_hot,
    softmax_cross_entropy_grad,
)
from tests.foundations.helpers import numeric_grad


def test_mse_and_its_gradient():
    rng = np.random.default_rng(1)
    pred, target = rng.normal(size=(6, 3)), rng.normal(size=(6, 3))
    assert np.isclose(mse(pred, target), np.mean((pred - target) ** 2))
    np.testing.assert_allclose(
        mse_grad(pred, target), numeric_grad(lambda p: mse(p, target), pred), atol=1e-8
    )


def test_binary_cross_entropy_matches_torch_and_its_gradient():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(2)
    p, y = rng.uniform(0.05, 0.95, size=8), rng.integers(0, 2, size=8).astype(float)
    expected = torch.nn.functional.binary_cross_entropy(torch.tensor(p), torch.tensor(y)).item()
    assert np.isclose(binary_cross_entropy(p, y), expected, rtol=1e-10)
    # dBCE/dp = (p - y) / (p (1 - p)) / n
    numeric = numeric_grad(lambda q: binary_cross_entropy(q, y), p)
    np.testing.assert_allclose(numeric, (p - y) / (p * (1 - p)) / len(p), rtol=1e-6)
    # a confident mistake is expensive but finite
    assert np.isfinite(binary_cross_entropy(np.array([0.0, 1.0]), np.array([1.0, 0.0])))


def test_cross_entropy_matches_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(3)
    logits, labels = rng.normal(size=(16, 10)) * 4, rng.integers(0, 10, size=16)
    expected = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(labels)).item()
    assert np.isclose(cross_entropy(logits, labels), expected, rtol=1e-12)


def test_softmax_cross_entropy_grad_is_p_minus_y_over_n():
    rng = np.random.default_rng(4)
    logits, labels = rng.normal(size=(5, 4)), rng.integers(0, 4, size=5)
    numeric = numeric_grad(lambda z: cross_entropy(z, labels), logits)
    np.testing.assert_allclose(softmax_cross_entropy_grad(logits, labels), numeric, atol=1e-9)
    onehot = np.eye(4)[labels]
    np.testing.assert_allclose(
        softmax_cross_entropy_grad(logits, labels), (softmax(logits) - onehot) / 5
    )


def test_softmax_cross_entropy_stable_at_plus_minus_1000():
    torch = pytest.importorskip("torch")
    logits = np.array([[1000.0, -1000.0, 0.0], [-1000.0, 1000.0, 999.0], [0.0, 0.0, 1000.0]])
    labels = np.array([1, 2, 2])
    with np.errstate(
        over="raise", divide="raise", invalid="raise"
    ):  # no overflow, no nan, no log(0) (underflow to 0 is harmless)
        loss = cross_entropy(logits, labels)
        grad = softmax_cross_entropy_grad(logits, labels)
    expected = torch.nn.functional.cross_entropy(torch.tensor(logits), torch.tensor(labels)).item()
    assert np.isfinite(loss) and np.isclose(loss, expected, rtol=1e-12)
    assert np.isclose(loss, (2000 + 1 + np.log1p(np.exp(-1)) + 0) / 3)
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-12)  # rows of p - y sum to zero


@pytest.mark.parametrize("labels", [np.array([0, 3]), np.array([-1, 0])])
def test_losses_reject_labels_out_of_range(labels):
    logits = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2"):
        cross_entropy(logits, labels)
    with pytest.raises(ValueError, match=r"labels must lie in 0\.\.2"):
        softmax_cross_entropy_grad(logits, labels)


def test_losses_reject_bad_inputs():
    with pytest.raises(ValueError, match="integer class labels"):
        cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0]))
    with pytest.raises(
        ValueError, match=r"cross_entropy: labels: expected 2 labels \(one label per image\), got 3"
    ):
        cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2]))
    with pytest.raises(ValueError, match="same shape"):
        mse(np.zeros(4), np.zeros((4, 1)))
    with pytest.raises(ValueError, match=r"targets y must lie in \[0, 1\]"):
        binary_cross_entropy(np.array([0.5]), np.array([2.0]))
    with pytest.raises(ValueError, match="probabilities"):
        binary_cross_entropy(np.array([1.5]), np.array([1.0]))


def test_one_hot_rows_and_its_checks():
    np.testing.assert_array_equal(
        one_hot(np.array([2, 0, 1]), 3), [[0, 0, 1], [1, 0, 0], [0, 1, 0]]
    )
    assert one_hot([1], 4, dtype=np.float32).dtype == np.float32
    with pytest.raises(
        ValueError,
        match=r"one_hot: labels must lie in 0\.\.2: expected class indices 0\.\.2 for 3 classes, got values from 0 to 3",
    ):
        one_hot(np.array([0, 3]), 3)
    with pytest.raises(
        ValueError, match=r"one_hot: labels must be integer class labels 0\.\.2, got dtype float64"
    ):
        one_hot(np.array([0.0, 1.0]), 3)
