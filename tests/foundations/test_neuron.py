"""course_utils.foundations.neuron: the maths of chapter 01's playground against formulas worked out by hand."""

import numpy as np
import pytest

from course_utils.data import make_two_blobs, make_xor
from course_utils.foundations.neuron import (
    ACTIVATIONS,
    activation_function,
    affine_text,
    make_grid,
    neuron_accuracy,
    neuron_predict,
    neuron_surface,
)


@pytest.mark.parametrize(
    "activation, f",
    [
        ("sigmoid", lambda z: 1 / (1 + np.exp(-z))),
        ("tanh", np.tanh),
        ("relu", lambda z: np.maximum(z, 0)),
        ("leaky_relu", lambda z: np.where(z > 0, z, 0.01 * z)),
        ("linear", lambda z: z),
    ],
)
def test_neuron_surface_is_f_of_the_weighted_sum(activation, f):
    grid = make_grid(extent=2.0, resolution=7)
    xx, yy = grid
    got = neuron_surface(0.7, -1.3, 0.4, activation, grid)
    assert got.shape == xx.shape == (7, 7)
    np.testing.assert_allclose(got, f(0.7 * xx - 1.3 * yy + 0.4), rtol=1e-12, atol=1e-12)


def test_neuron_surface_on_its_boundary_is_f_of_zero():
    # points on the line w.x + b = 0: x2 = -(w1 x1 + b) / w2
    w1, w2, b = 2.0, -0.5, 1.0
    x1 = np.linspace(-2, 2, 9)
    x2 = -(w1 * x1 + b) / w2
    grid = (x1[None, :], x2[None, :])
    np.testing.assert_allclose(neuron_surface(w1, w2, b, "sigmoid", grid), 0.5, atol=1e-12)
    np.testing.assert_allclose(neuron_surface(w1, w2, b, "tanh", grid), 0.0, atol=1e-12)


def test_neuron_accuracy_counts_points_on_the_positive_side():
    x = np.array([[1.0, 1.0], [-1.0, -1.0], [2.0, -1.0], [-3.0, 0.5]])
    y = np.array([1, 0, 0, 0])
    # w = (1, 1), b = 0: z = 2, -2, 1, -2.5 -> predictions 1, 0, 1, 0 -> 3 of 4 right
    np.testing.assert_array_equal(neuron_predict(x, 1, 1, 0), [1, 0, 1, 0])
    assert neuron_accuracy(x, y, 1, 1, 0) == 0.75
    # flipping the sign of (w, b) flips every prediction (no point lies on the boundary)
    assert neuron_accuracy(x, y, -1, -1, 0) == 0.25


def test_one_neuron_separates_the_blobs_but_no_line_separates_xor():
    x, y = make_two_blobs(n=200, distance=6.0, seed=0)
    assert neuron_accuracy(x, y, 1.0, 1.0, 0.0) >= 0.99
    x, y = make_xor(n=200, seed=0)
    best = 0.0
    for angle in np.linspace(0, 2 * np.pi, 72, endpoint=False):
        for b in np.linspace(-2.5, 2.5, 51):
            best = max(best, neuron_accuracy(x, y, np.cos(angle), np.sin(angle), b))
    assert 0.70 <= best <= 0.80, (
        f"best single line on XOR got {best:.3f}; a line can get at most three corners right"
    )


def test_neuron_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match="activation must be one of"):
        neuron_surface(1, 1, 0, "softplus")
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        neuron_predict(np.zeros((5, 3)), 1, 1, 0)
    with pytest.raises(ValueError, match="one label per point"):
        neuron_accuracy(np.zeros((5, 2)), np.zeros(4), 1, 1, 0)
    with pytest.raises(ValueError, match="same shape"):
        neuron_surface(1, 1, 0, "tanh", (np.zeros((2, 3)), np.zeros((3, 2))))


def test_activation_function_by_name_and_affine_text():
    z = np.array([-2.0, -0.5, 0.0, 1.5])
    assert ACTIVATIONS == ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
    np.testing.assert_allclose(activation_function("linear")(z), z)
    np.testing.assert_allclose(activation_function("leaky_relu")(z), np.where(z > 0, z, 0.01 * z))
    with pytest.raises(
        ValueError,
        match=r"activation must be one of \('sigmoid', 'tanh', 'relu', 'leaky_relu', 'linear'\), got 'softplus'",
    ):
        activation_function("softplus")
    assert affine_text(1.0, -2.0, 0.5) == "1.0·x1 − 2.0·x2 + 0.5"
    assert affine_text(-0.25, 3.0, -1.0, digits=2) == "−0.25·x1 + 3.00·x2 − 1.00"
