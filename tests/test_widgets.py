"""The widgets' callbacks against formulas worked out by hand, and the widgets reacting to `.value` changes."""

import numpy as np
import pytest

from course_utils import data, numpy_nn, widgets

# --- the neuron -------------------------------------------------------------------------------


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
    grid = widgets.make_grid(extent=2.0, resolution=7)
    xx, yy = grid
    got = widgets.neuron_surface(0.7, -1.3, 0.4, activation, grid)
    assert got.shape == xx.shape == (7, 7)
    np.testing.assert_allclose(got, f(0.7 * xx - 1.3 * yy + 0.4), rtol=1e-12, atol=1e-12)


def test_neuron_surface_on_its_boundary_is_f_of_zero():
    # points on the line w.x + b = 0: x2 = -(w1 x1 + b) / w2
    w1, w2, b = 2.0, -0.5, 1.0
    x1 = np.linspace(-2, 2, 9)
    x2 = -(w1 * x1 + b) / w2
    grid = (x1[None, :], x2[None, :])
    np.testing.assert_allclose(widgets.neuron_surface(w1, w2, b, "sigmoid", grid), 0.5, atol=1e-12)
    np.testing.assert_allclose(widgets.neuron_surface(w1, w2, b, "tanh", grid), 0.0, atol=1e-12)


def test_neuron_accuracy_counts_points_on_the_positive_side():
    x = np.array([[1.0, 1.0], [-1.0, -1.0], [2.0, -1.0], [-3.0, 0.5]])
    y = np.array([1, 0, 0, 0])
    # w = (1, 1), b = 0: z = 2, -2, 1, -2.5 -> predictions 1, 0, 1, 0 -> 3 of 4 right
    np.testing.assert_array_equal(widgets.neuron_predict(x, 1, 1, 0), [1, 0, 1, 0])
    assert widgets.neuron_accuracy(x, y, 1, 1, 0) == 0.75
    # flipping the sign of (w, b) flips every prediction (no point lies on the boundary)
    assert widgets.neuron_accuracy(x, y, -1, -1, 0) == 0.25


def test_one_neuron_separates_the_blobs_but_no_line_separates_xor():
    x, y = data.make_two_blobs(n=200, distance=6.0, seed=0)
    assert widgets.neuron_accuracy(x, y, 1.0, 1.0, 0.0) >= 0.99
    x, y = data.make_xor(n=200, seed=0)
    best = 0.0
    for angle in np.linspace(0, 2 * np.pi, 72, endpoint=False):
        for b in np.linspace(-2.5, 2.5, 51):
            best = max(best, widgets.neuron_accuracy(x, y, np.cos(angle), np.sin(angle), b))
    assert 0.70 <= best <= 0.80, (
        f"best single line on XOR got {best:.3f}; a line can get at most three corners right"
    )


def test_neuron_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match="activation must be one of"):
        widgets.neuron_surface(1, 1, 0, "softplus")
    with pytest.raises(ValueError, match=r"shape \(n, 2\)"):
        widgets.neuron_predict(np.zeros((5, 3)), 1, 1, 0)
    with pytest.raises(ValueError, match="one label per point"):
        widgets.neuron_accuracy(np.zeros((5, 2)), np.zeros(4), 1, 1, 0)
    with pytest.raises(ValueError, match="toy data set"):
        widgets.neuron_playground(data="moons")
    with pytest.raises(ValueError, match="activation"):
        widgets.neuron_playground(activation="softmax")
    with pytest.raises(ValueError, match="same shape"):
        widgets.neuron_surface(1, 1, 0, "tanh", (np.zeros((2, 3)), np.zeros((3, 2))))


def test_playground_sliders_have_descriptive_names():
    box = widgets.neuron_playground()
    descriptions = {name: control.description for name, control in box.controls.items()}
    assert "w1" in descriptions["w1"] and "w2" in descriptions["w2"] and "bias" in descriptions["b"]
    assert descriptions["activation"] == "activation"


def test_playground_redraws_when_a_slider_moves():
    box = widgets.neuron_playground(data="two blobs", w1=1.0, w2=1.0, b=0.0)
    x, y = widgets.toy_data("two blobs")
    assert box.state["accuracy"] == widgets.neuron_accuracy(x, y, 1.0, 1.0, 0.0)
    before_status, before_image = box.status.value, box.image.value
    assert before_image[:8] == b"\x89PNG\r\n\x1a\n"

    box.controls["w1"].value = -2.0
    assert box.state["w1"] == -2.0
    assert box.state["accuracy"] == widgets.neuron_accuracy(x, y, -2.0, 1.0, 0.0)
    assert f"{box.state['accuracy']:.1%}" in box.status.value
    assert box.status.value != before_status
    assert box.image.value != before_image

    # the activation changes the surface but not the boundary, so not the accuracy
    accuracy, image = box.state["accuracy"], box.image.value
    box.controls["activation"].value = "tanh"
    assert box.state["accuracy"] == accuracy and box.image.value != image
    assert "tanh(" in box.status.value

    box.controls["data"].value = "xor"
    xor_x, xor_y = widgets.toy_data("xor")
    assert box.state["accuracy"] == widgets.neuron_accuracy(xor_x, xor_y, -2.0, 1.0, 0.0)
    assert "xor points" in box.status.value


def test_plot_neuron_returns_a_figure_with_two_panels():
    x, y = widgets.toy_data("xor")
    fig = widgets.plot_neuron(1, -1, 0.5, "relu", x, y)
    assert len(fig.axes) == 3  # surface, its colour bar, the activation
    assert "accuracy" in fig.axes[0].get_title()


# --- gradient descent -------------------------------------------------------------------------


@pytest.mark.parametrize("lr", [0.1, 0.4, 0.5, 0.8, 1.0, 1.2])
def test_gd_on_a_1d_bowl_multiplies_w_by_one_minus_lr_a(lr):
    a, w0, steps = 2.0, 2.5, 15
    f, grad = widgets.quadratic([a])
    ws, losses = widgets.gd_trajectory(f, grad, np.array([w0]), lr, steps)
    expected = w0 * (1 - lr * a) ** np.arange(steps + 1)
    assert ws.shape == (steps + 1, 1) and losses.shape == (steps + 1,)
    np.testing.assert_allclose(ws[:, 0], expected, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(losses, a / 2 * expected**2, rtol=1e-12, atol=1e-300)


def test_gd_on_a_2d_bowl_moves_each_axis_by_its_own_factor():
    curvatures, centre = np.array([1.0, 5.0]), np.array([0.5, -1.0])
    f, grad = widgets.quadratic(curvatures, centre)
    w0, lr, steps = np.array([-2.5, 1.5]), 0.15, 12
    ws, _ = widgets.gd_trajectory(f, grad, w0, lr, steps)
    t = np.arange(steps + 1)[:, None]
    np.testing.assert_allclose(ws, centre + (w0 - centre) * (1 - lr * curvatures) ** t, rtol=1e-12)


def test_quadratic_gradient_matches_finite_differences():
    f, grad = widgets.quadratic([1.0, 5.0, 0.3], centre=[0.2, -0.4, 1.0])
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
    assert widgets.gd_regime(lr, a) == regime
    ws, _ = widgets.gd_trajectory(*widgets.quadratic([a]), np.array([1.0]), lr, 10)
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
    f, grad = widgets.quadratic([1.0, 5.0])
    ws, _ = widgets.gd_trajectory(f, grad, np.array([-2.5, 1.5]), 0.05, 8)
    w = np.array([-2.5, 1.5])
    opt = numpy_nn.SGD([w], lr=0.05)
    for t in range(1, 9):
        opt.step([grad(w)])
        np.testing.assert_allclose(w, ws[t], rtol=1e-12)


def test_divergence_ends_in_inf_not_in_an_error():
    f, grad = widgets.quadratic([2.0])
    ws, losses = widgets.gd_trajectory(f, grad, np.array([1.0]), 50.0, 400)
    assert np.isfinite(ws[5, 0]) and np.isinf(ws[-1, 0]) and np.isinf(losses[-1])


@pytest.mark.parametrize("lr", [0.0, -0.1, np.nan, np.inf])
def test_a_learning_rate_that_is_not_positive_is_refused(lr):
    f, grad = widgets.quadratic([2.0])
    with pytest.raises(ValueError, match="learning rate must be a positive number"):
        widgets.gd_trajectory(f, grad, np.array([1.0]), lr, 5)
    with pytest.raises(ValueError, match="learning rate must be a positive number"):
        widgets.learning_rate_explorer(lr=lr)
    with pytest.raises(ValueError, match="learning rate must be a positive number"):
        widgets.gd_regime(lr, 2.0)


def test_gd_other_bad_input():
    f, grad = widgets.quadratic([2.0])
    with pytest.raises(ValueError, match="steps"):
        widgets.gd_trajectory(f, grad, np.array([1.0]), 0.1, -1)
    with pytest.raises(ValueError, match="curvatures must be positive"):
        widgets.quadratic([1.0, -1.0])
    with pytest.raises(ValueError, match="surface must be one of"):
        widgets.learning_rate_explorer(surface="Rosenbrock")


def test_explorer_reacts_to_the_learning_rate_slider():
    surface = "1-D bowl: L(w) = w²"
    box = widgets.learning_rate_explorer(lr=0.1, steps=20, surface=surface)
    assert box.controls["lr"].description.startswith("learning rate")
    assert box.state["regime"] == "converges" and "converges" in box.status.value
    image = box.image.value

    box.controls["lr"].value = 0.8
    assert box.state["regime"] == "oscillates" and "oscillates" in box.status.value
    assert box.image.value != image
    curvatures, start = widgets.SURFACES[surface]
    ws, losses = widgets.gd_trajectory(
        *widgets.quadratic(curvatures), np.array(start), box.controls["lr"].value, 20
    )
    np.testing.assert_allclose(box.state["trajectory"], ws)
    assert box.state["final_loss"] == pytest.approx(losses[-1])

    box.controls["lr"].value = 1.1
    assert box.state["regime"] == "diverges" and box.state["final_loss"] > 1.0

    box.controls["surface"].value = "2-D bowl: L(w) = ½·w1² + 2.5·w2²"
    assert box.state["trajectory"].shape == (21, 2)
    box.controls["steps"].value = 5
    assert box.state["trajectory"].shape == (6, 2) and "after 5 steps" in box.status.value
