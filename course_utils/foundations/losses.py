"""Loss functions and their gradients: MSE, binary and softmax cross-entropy.

Losses are means over the batch (and over entries for MSE); the ``*_grad``
functions return d loss / d prediction with the same shape as the prediction.
"""

from __future__ import annotations

import numpy as np

from course_utils._checks import check_labels
from course_utils.foundations.activations import log_softmax, softmax


def _same_shape(pred, target, name: str):
    pred, target = np.asarray(pred), np.asarray(target)
    if pred.shape != target.shape:
        raise ValueError(
            f"{name}: predictions and targets must have the same shape, got {pred.shape} and {target.shape} "
            "(a (N,) against (N, 1) mismatch would silently broadcast to (N, N))"
        )
    return pred, target


def mse(pred, target):
    """Mean squared error: MSE = 1/n sum_i (pred_i - target_i)^2, averaged over every entry."""
    pred, target = _same_shape(pred, target, "mse")
    return np.mean((pred - target) ** 2)


def mse_grad(pred, target):
    """d MSE / d pred = 2 (pred - target) / n, with n the number of entries."""
    pred, target = _same_shape(pred, target, "mse_grad")
    return 2 * (pred - target) / pred.size


def binary_cross_entropy(p, y):
    """BCE = -1/n sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)], mean over entries.

    ``p`` are probabilities (e.g. a sigmoid's output), ``y`` targets in [0, 1].
    ``p`` is clipped to [eps, 1 - eps] so a confident mistake costs a large,
    finite loss instead of infinity.
    """
    p, y = _same_shape(p, y, "binary_cross_entropy")
    if np.any((p < 0) | (p > 1)) or np.any(np.isnan(p)):
        raise ValueError(
            "binary_cross_entropy: p must be probabilities in [0, 1] (apply sigmoid to logits first)"
        )
    if np.any((y < 0) | (y > 1)):
        raise ValueError(
            f"binary_cross_entropy: targets y must lie in [0, 1], got values from {y.min()} to {y.max()}"
        )
    dtype = p.dtype if np.issubdtype(p.dtype, np.floating) else np.float64
    eps = np.finfo(dtype).eps
    p = np.clip(p.astype(dtype), eps, 1 - eps)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def _check_logits_labels(logits, labels, name: str):
    logits = np.asarray(logits)
    if logits.ndim != 2:
        raise ValueError(f"{name}: expected logits of shape (N, classes), got shape {logits.shape}")
    try:
        labels = check_labels(labels, n=len(logits), n_classes=logits.shape[1])
    except ValueError as err:
        raise ValueError(f"{name}: {err}") from err
    return logits, labels


def cross_entropy(logits, labels):
    """Mean cross-entropy of integer labels under softmax(logits).

    CE = -1/N sum_n log softmax(z_n)[y_n] = 1/N sum_n (logsumexp(z_n) - z_n[y_n]),
    computed with :func:`log_softmax`, so logits of +-1000 give finite numbers.
    """
    logits, labels = _check_logits_labels(logits, labels, "cross_entropy")
    logp = log_softmax(logits, axis=1)
    return -np.mean(logp[np.arange(len(labels)), labels])


def one_hot(labels, n_classes: int, dtype=np.float64):
    """Integer labels (N,) -> one-hot rows (N, n_classes)."""
    try:
        labels = check_labels(np.ravel(labels), n_classes=n_classes)
    except ValueError as err:
        raise ValueError(f"one_hot: {err}") from err
    out = np.zeros((labels.size, n_classes), dtype=dtype)
    out[np.arange(labels.size), labels.ravel()] = 1
    return out


def softmax_cross_entropy_grad(logits, labels):
    """d CE / d logits = (softmax(logits) - onehot(labels)) / N: the famous "p - y", averaged over the batch."""
    logits, labels = _check_logits_labels(logits, labels, "softmax_cross_entropy_grad")
    grad = softmax(logits, axis=1)
    grad[np.arange(len(labels)), labels] -= 1
    return grad / len(labels)
