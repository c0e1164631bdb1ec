"""course_utils.foundations.activations against central differences and SciPy, and their stability."""

import numpy as np
import pytest

from course_utils.foundations.activations import (
    leaky_relu,
    leaky_relu_grad,
    log_softmax,
    relu,
    relu_grad,
    sigmoid,
    sigmoid_grad,
    softmax,
    tanh,
    tanh_grad,
)
from tests.foundations.helpers import central_diff, numeric_grad

# points away from the kinks of relu / leaky relu (at 0 the derivative is not defined)
Z = np.array([-6.0, -2.5, -0.7, -0.1, 0.1, 0.4, 1.3, 3.0, 7.0])


@pytest.mark.parametrize(
    "f, df",
    [
        (sigmoid, sigmoid_grad),
        (tanh, tanh_grad),
        (relu, relu_grad),
        (leaky_relu, leaky_relu_grad),
        (lambda z: leaky_relu(z, slope=0.2), lambda z: leaky_relu_grad(z, slope=0.2)),
    ],
)
def test_activation_derivatives_match_central_differences(f, df):
    np.testing.assert_allclose(df(Z), central_diff(f, Z), rtol=1e-7, atol=1e-9)


def test_activation_values():
    np.testing.assert_allclose(sigmoid(Z), 1 / (1 + np.exp(-Z)), rtol=1e-12)
    np.testing.assert_allclose(tanh(Z), np.tanh(Z))
    np.testing.assert_array_equal(relu(Z), np.where(Z > 0, Z, 0))
    np.testing.assert_allclose(leaky_relu(Z, slope=0.1), np.where(Z > 0, Z, 0.1 * Z))
    assert relu_grad(np.array([0.0]))[0] == 0.0


def test_sigmoid_is_stable_for_huge_inputs():
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        out = sigmoid(np.array([-1000.0, 1000.0]))
    np.testing.assert_allclose(out, [0.0, 1.0])


def test_softmax_matches_scipy_and_is_stable():
    from scipy import special

    rng = np.random.default_rng(0)
    z = rng.normal(size=(5, 7)) * 3
    np.testing.assert_allclose(softmax(z), special.softmax(z, axis=-1), rtol=1e-12)
    np.testing.assert_allclose(softmax(z, axis=0), special.softmax(z, axis=0), rtol=1e-12)
    np.testing.assert_allclose(log_softmax(z), special.log_softmax(z, axis=-1), rtol=1e-12)
    big = np.array([[1000.0, 0.0, -1000.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        p = softmax(big)
        lp = log_softmax(big)
    np.testing.assert_allclose(p, [[1.0, 0.0, 0.0]])
    np.testing.assert_allclose(lp, [[0.0, -1000.0, -2000.0]])


def test_softmax_jacobian_matches_central_differences():
    # d softmax_i / d z_j = p_i (delta_ij - p_j)
    z = np.array([0.3, -1.2, 2.0, 0.5])
    p = softmax(z)
    analytic = np.diag(p) - np.outer(p, p)
    numeric = np.stack([numeric_grad(lambda v, i=i: softmax(v)[i], z) for i in range(4)])
    np.testing.assert_allclose(analytic, numeric, atol=1e-9)
