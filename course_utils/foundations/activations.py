"""Activation functions and their derivatives, elementwise, NumPy in and out.

``f(z)`` is the activation, ``f_grad(z)`` its derivative at ``z``; :func:`softmax` and
:func:`log_softmax` turn a row of logits into (log-)probabilities without overflow.
"""

from __future__ import annotations

import numpy as np


def sigmoid(z):
    """sigma(z) = 1 / (1 + exp(-z)), computed without overflow for large |z|."""
    z = np.asarray(z)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(z):
    """d sigma / dz = sigma(z) (1 - sigma(z))."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    """tanh(z) = (exp(z) - exp(-z)) / (exp(z) + exp(-z))."""
    return np.tanh(z)


def tanh_grad(z):
    """d tanh / dz = 1 - tanh(z)^2."""
    t = np.tanh(z)
    return 1 - t * t


def relu(z):
    """relu(z) = max(z, 0)."""
    return np.maximum(z, 0)


def relu_grad(z):
    """d relu / dz = 1 where z > 0, else 0 (we take 0 at the kink z = 0)."""
    z = np.asarray(z)
    return (z > 0).astype(z.dtype if np.issubdtype(z.dtype, np.floating) else float)


def leaky_relu(z, slope: float = 0.01):
    """leaky_relu(z) = z where z > 0, else slope * z."""
    z = np.asarray(z)
    return np.where(z > 0, z, slope * z)


def leaky_relu_grad(z, slope: float = 0.01):
    """d leaky_relu / dz = 1 where z > 0, else slope."""
    z = np.asarray(z)
    dtype = z.dtype if np.issubdtype(z.dtype, np.floating) else float
    return np.where(z > 0, 1, slope).astype(dtype)


def softmax(z, axis: int = -1):
    """softmax(z)_i = exp(z_i - max z) / sum_j exp(z_j - max z).

    Subtracting the maximum leaves the result unchanged (it cancels between
    numerator and denominator) and keeps every exponent <= 0, so nothing overflows.
    """
    z = np.asarray(z)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis: int = -1):
    """log softmax(z)_i = z_i - logsumexp(z), with logsumexp(z) = m + log sum_j exp(z_j - m), m = max z."""
    z = np.asarray(z)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))
