"""course_utils.foundations.gradient_descent: trajectories on quadratic bowls against the closed form."""

import numpy as np
import pytest

from course_utils.foundations.gradient_descent import SURFACES, gd_regime, gd_trajectory, quadratic
from course_utils.foundations.optim import SGD


@pytest.mark.parametrize("lr", [0.1, 0.4, 0.5, 0.8, 1.0, 1.2])
def test_gd_on_a_1d_bowl_multiplies_w_by_one_minus_lr_a(lr):
    a, w0, steps = 2.0, 2.5, 15
    f, grad = quadratic([a])
    ws, losses = gd_trajectory(f, grad, np.array([w0]), lr, steps)
    expected = w0 * (1 - lr * a) ** np.arange(steps + 1)
    assert ws.shape == (steps + 1, 1) and losses.shape == (steps + 1,)
    np.testing.assert_allclose(ws[:, 0], expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(losses, a / 2 * expected**2, rtol=1e-12, atol=1e-300)


def test_gd_on_a_2d_bowl_moves_each_axis_by_its_own_factor():
    curvatures, centre = np.array([1.0, 5.0]), np.array([0.5, -1.0])
    f, grad = quadratic(curvatures, centre)
    w0, lr, steps = np.array([-2.5, 1.5]), 0.15, 12
    ws, _ = gd_trajectory(f, grad, w0, lr, steps)
    t = np.arange(steps + 1)[:, None]
    np.testing.assert_allclose(ws, centre + (w0 - centre) * (1 - lr * curvatures) ** t, rtol=1e-12)


def test_quadratic_gradient_matches_finite_differences():
    f, grad = quadratic([1.0, 5.0, 0.3], centre=[0.2, -0.4, 1.0])
    w, eps = np.array([0.7, 0.1, -2.0]), 1e-6
    numeric = [(f(w + eps * e) - f(w - eps * e)) / (2 * eps) for e in np.eye(3)]
    np.testing.assert_allclose(grad(w), numeric, rtol=1e-7)


@pytest.mark.parametrize(
    "lr, regime",
    [
        (0.1, "converges"),
        (0.5, "converges"),
        (0.7, "oscillates"),
        (1.0, "bounces"),
        (1.1, "diverges"),
    ],
)
def test_gd_regime_describes_what_the_trajectory_does(lr, regime):
    a = 2.0
    assert gd_regime(lr, a) == regime
    ws, _ = gd_trajectory(*quadratic([a]), np.array([1.0]), lr, 10)
    w = ws[:, 0]
    sizes, signs = np.abs(w), np.sign(w[:6])
    if regime == "converges":
        assert np.all(sizes[1:] <= sizes[:-1]) and np.all(signs >= 0)
    elif regime == "oscillates":
        assert np.all(sizes[1:] < sizes[:-1]) and np.all(signs[1:] == -signs[:-1])
    elif regime == "bounces":
        np.testing.assert_allclose(sizes, 1.0)
    else:
        assert np.all(sizes[1:] > sizes[:-1])


def test_gd_trajectory_agrees_with_the_packages_sgd():
    f, grad = quadratic([1.0, 5.0])
    ws, _ = gd_trajectory(f, grad, np.array([-2.5, 1.5]), 0.05, 8)
    w = np.array([-2.5, 1.5])
    opt = SGD([w], lr=0.05)
    for t in range(1, 9):
        opt.step([grad(w)])
        np.testing.assert_allclose(w, ws[t], rtol=1e-12)


def test_divergence_ends_in_inf_not_in_an_error():
    f, grad = quadratic([2.0])
    ws, losses = gd_trajectory(f, grad, np.array([1.0]), 50.0, 400)
    assert np.isfinite(ws[5, 0]) and np.isinf(ws[-1, 0]) and np.isinf(losses[-1])


@pytest.mark.parametrize("lr", [0.0, -0.1, np.nan, np.inf])
def test_a_learning_rate_that_is_not_positive_is_refused(lr):
    f, grad = quadratic([2.0])
    with pytest.raises(ValueError, match="learning rate must be a positive number"):
        gd_trajectory(f, grad, np.array([1.0]), lr, 5)
    with pytest.raises(ValueError, match="learning rate must be a positive number"):
        gd_regime(lr, 2.0)


def test_gd_other_bad_input():
    f, grad = quadratic([2.0])
    with pytest.raises(ValueError, match="steps"):
        gd_trajectory(f, grad, np.array([1.0]), 0.1, -1)
    with pytest.raises(ValueError, match="curvatures must be positive"):
        quadratic([1.0, -1.0])


def test_surfaces_start_away_from_their_minimum():
    for name, (curvatures, start) in SURFACES.items():
        f, _ = quadratic(curvatures)
        assert len(curvatures) == len(start), name
        assert f(np.array(start)) > 0 and f(np.zeros(len(start))) == 0
