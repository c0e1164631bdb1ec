"""Small 2-D data sets for Part I: two Gaussian blobs (one line separates them) and XOR (no line does)."""

from __future__ import annotations

import numpy as np

#: The toy sets by name, for :func:`toy_data` and the neuron playground.
TOY_DATA = ("two blobs", "xor")


def make_xor(n: int = 200, noise: float = 0.15, seed: int = 0):
    """The XOR problem in 2-D: points near the four corners of [-1, 1]^2.

    Label 1 when the signs of the two coordinates differ, 0 otherwise. No
    single line separates the classes; two layers of neurons can.
    Returns ``x`` float64 (n, 2) and ``y`` int64 (n,).
    """
    if n < 4:
        raise ValueError(f"n must be at least 4 (one point per corner), got {n}")
    rng = np.random.default_rng(seed)
    corners = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=float)
    which = np.arange(n) % 4
    x = corners[which] + noise * rng.standard_normal((n, 2))
    y = (np.sign(corners[which, 0]) != np.sign(corners[which, 1])).astype(np.int64)
    order = rng.permutation(n)
    return x[order], y[order]


def make_two_blobs(n: int = 200, distance: float = 2.0, seed: int = 0):
    """Two Gaussian blobs in 2-D, linearly separable when ``distance`` is large.

    Class 0 is centred at (-distance/2, -distance/2), class 1 at
    (+distance/2, +distance/2), each with unit variance.
    Returns ``x`` float64 (n, 2) and ``y`` int64 (n,).
    """
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    centres = np.where(y[:, None] == 1, distance / 2, -distance / 2)
    x = centres + rng.standard_normal((n, 2))
    order = rng.permutation(n)
    return x[order], y[order].astype(np.int64)


def toy_data(name: str = "two blobs", n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D toy set by name: "two blobs" (:func:`make_two_blobs`) or "xor" (:func:`make_xor`)."""
    if name == "two blobs":
        return make_two_blobs(n=n, seed=seed)
    if name == "xor":
        return make_xor(n=n, seed=seed)
    raise ValueError(f"toy data set must be one of {TOY_DATA}, got {name!r}")
