"""One neuron on the plane: y = f(w1 x1 + w2 x2 + b), its output surface and its decision.

The maths behind chapter 01's playground (:func:`course_utils.widgets.neuron_playground`
draws it); plain NumPy, so the notebooks and tests call it without a browser.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils.foundations import activations

#: Activations the neuron playground offers.
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")


def activation_function(name: str) -> Callable[[np.ndarray], np.ndarray]:
    """The activation ``f`` called ``name`` (one of :data:`ACTIVATIONS`), from :mod:`.activations`."""
    table = {
        "sigmoid": activations.sigmoid,
        "tanh": activations.tanh,
        "relu": activations.relu,
        "leaky_relu": activations.leaky_relu,
        "linear": lambda z: np.asarray(z, dtype=float),
    }
    if name not in table:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}")
    return table[name]


def make_grid(extent: float = 3.0, resolution: int = 101) -> tuple[np.ndarray, np.ndarray]:
    """A square grid ``(xx, yy)`` over [-extent, extent]^2 with ``resolution`` points a side."""
    if not extent > 0:
        raise ValueError(f"extent must be positive, got {extent}")
    if int(resolution) < 2:
        raise ValueError(f"resolution must be at least 2, got {resolution}")
    axis = np.linspace(-extent, extent, int(resolution))
    return np.meshgrid(axis, axis)


def neuron_surface(
    w1: float, w2: float, b: float, activation: str = "sigmoid", grid=None
) -> np.ndarray:
    """The neuron's output ``f(w1*x1 + w2*x2 + b)`` at every point of ``grid = (xx, yy)``.

    ``grid`` defaults to :func:`make_grid`; the result has the shape of ``xx``.
    """
    xx, yy = make_grid() if grid is None else grid
    xx, yy = np.asarray(xx, dtype=float), np.asarray(yy, dtype=float)
    if xx.shape != yy.shape:
        raise ValueError(
            f"grid must be two arrays of the same shape, got {xx.shape} and {yy.shape}"
        )
    return activation_function(activation)(w1 * xx + w2 * yy + b)


def neuron_predict(x: np.ndarray, w1: float, w2: float, b: float) -> np.ndarray:
    """Class 1 where the pre-activation ``z = w1*x1 + w2*x2 + b`` is positive, else 0.

    Every activation of the playground is increasing, so the decision boundary
    is the same line ``z = 0`` whatever ``f`` is: the activation bends the
    surface, never the boundary of one neuron.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 2 or x.shape[1] != 2:
        raise ValueError(f"expected 2-D points of shape (n, 2), got {x.shape}")
    return (x @ np.array([w1, w2], dtype=float) + b > 0).astype(np.int64)


def neuron_accuracy(x: np.ndarray, y: np.ndarray, w1: float, w2: float, b: float) -> float:
    """Fraction of points whose label ``y`` (0 or 1) equals :func:`neuron_predict`."""
    y = np.asarray(y)
    prediction = neuron_predict(x, w1, w2, b)
    if y.shape != prediction.shape:
        raise ValueError(f"expected one label per point, shape {prediction.shape}, got {y.shape}")
    return float(np.mean(prediction == y))


def affine_text(w1: float, w2: float, b: float, digits: int = 1) -> str:
    """``w1·x1 + w2·x2 + b`` as text, with the signs written as a person would: "1.0·x1 − 2.0·x2 + 0.5"."""

    def term(value, name, first=False):
        sign = "−" if value < 0 else ("" if first else "+")
        text = f"{abs(value):.{digits}f}{name}"
        return f"{sign}{text}" if first else f" {sign} {text}"

    return term(w1, "·x1", first=True) + term(w2, "·x2") + term(b, "")
