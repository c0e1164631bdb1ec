"""course_utils.plotting: the one colour convention of the heat maps, the grids and curves, the Part I figures."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_utils import plotting  # noqa: E402
from course_utils.data import toy_data  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


# --- heat maps -----------------------------------------------------------------------------------


def test_signed_heatmap_is_rdbu_r_symmetric_about_zero():
    values = np.array([[0.5, -2.0], [1.0, 0.25]])
    fig, ax = plt.subplots()
    image = plotting.heatmap(ax, values)
    assert image.get_cmap().name == "RdBu_r" == plotting.SIGNED_CMAP
    assert image.get_clim() == (-2.0, 2.0)  # the largest |value|, on both sides, so 0 is white
    np.testing.assert_array_equal(image.get_array(), values)
    image = plotting.heatmap(
        ax, np.array([[0.1, 0.3], [0.2, 0.0]]), limit=0.5, title="IG", colorbar=True
    )
    assert image.get_clim() == (-0.5, 0.5) and ax.get_title() == "IG"
    assert len(fig.axes) == 2  # the colour bar
    assert plotting.heatmap(ax, np.zeros((2, 2))).get_clim() == (
        -1.0,
        1.0,
    )  # an all-zero map still gets a scale


def test_unsigned_heatmap_is_hot_from_zero():
    values = np.array([[0.0, 3.0], [1.5, 0.5]])
    _, ax = plt.subplots()
    image = plotting.heatmap(ax, values, signed=False)
    assert image.get_cmap().name == "hot" == plotting.MAGNITUDE_CMAP
    assert image.get_clim() == (0.0, 3.0)
    assert plotting.heatmap(ax, values, signed=False, limit=6.0).get_clim() == (0.0, 6.0)


def test_heatmap_takes_one_map_with_or_without_a_channel_axis():
    values = np.random.default_rng(0).normal(size=(28, 28))
    _, ax = plt.subplots()
    for shaped in (values, values[None], values[..., None]):
        np.testing.assert_array_equal(plotting.heatmap(ax, shaped).get_array(), values)


@pytest.mark.parametrize("shape", [(784,), (3, 28, 28), (28, 28, 3), (2, 1, 28, 28)])
def test_heatmap_refuses_anything_but_one_map(shape):
    _, ax = plt.subplots()
    with pytest.raises(
        ValueError,
        match=r"a heat map is one 2-D map \(H, W\), \(1, H, W\) or \(H, W, 1\); got shape",
    ):
        plotting.heatmap(ax, np.zeros(shape))


def test_attribution_grid_has_one_column_per_example_and_one_row_per_method():
    rng = np.random.default_rng(1)
    images = rng.random((4, 1, 28, 28))
    maps = {"saliency": np.abs(rng.normal(size=(4, 28, 28))), "IG": rng.normal(size=(4, 1, 28, 28))}
    fig = plotting.attribution_grid(
        maps, images, signed={"saliency": False, "IG": True}, titles=list("abcd")
    )
    assert len(fig.axes) == (1 + len(maps)) * 4
    grid = np.array(fig.axes).reshape(3, 4)
    assert [ax.get_title() for ax in grid[0]] == list("abcd")
    assert {ax.images[0].get_cmap().name for ax in grid[1]} == {"hot"}
    assert {ax.images[0].get_cmap().name for ax in grid[2]} == {"RdBu_r"}
    # one scale per map by default, one per row with shared_limit
    assert len({ax.images[0].get_clim() for ax in grid[2]}) == 4
    shared = np.array(plotting.attribution_grid(maps, shared_limit=True).axes).reshape(2, 4)
    top = float(np.abs(maps["IG"]).max())
    assert {ax.images[0].get_clim() for ax in shared[1]} == {(-top, top)}
    assert len(plotting.attribution_grid({"IG": maps["IG"][:2]}).axes) == 2


def test_attribution_grid_refuses_no_maps_and_bad_shapes():
    with pytest.raises(ValueError, match="maps is empty"):
        plotting.attribution_grid({})
    with pytest.raises(ValueError, match="a heat map is one 2-D map"):
        plotting.attribution_grid({"IG": np.zeros((2, 3, 28, 28))})


# --- training curves and digits --------------------------------------------------------------------


def test_training_curves_draw_validation_when_present():
    history = {
        "loss": [1.0, 0.6, 0.4],
        "accuracy": [0.6, 0.8, 0.9],
        "val_loss": [0.9, 0.7, 0.6],
        "val_accuracy": [0.7, 0.8, 0.85],
    }
    fig = plotting.plot_training_curves(history, title="MLP")
    loss_ax, acc_ax = fig.axes
    assert [line.get_label() for line in loss_ax.lines] == ["training", "validation"]
    np.testing.assert_array_equal(loss_ax.lines[1].get_ydata(), history["val_loss"])
    np.testing.assert_array_equal(acc_ax.lines[0].get_xdata(), [1, 2, 3])
    assert loss_ax.get_ylabel() == "loss" and acc_ax.get_ylabel() == "accuracy"
    assert fig._suptitle.get_text() == "MLP"
    train_only = plotting.plot_training_curves({"loss": [1.0, 0.5], "accuracy": [0.5, 0.7]})
    assert [[line.get_label() for line in ax.lines] for ax in train_only.axes] == [
        ["training"],
        ["training"],
    ]
    _, axes = plt.subplots(1, 2)
    assert plotting.plot_training_curves(history, axes=axes) is axes[0].figure
    with pytest.raises(
        ValueError, match=r"history must hold at least 'loss' per epoch, got keys \['accuracy'\]"
    ):
        plotting.plot_training_curves({"accuracy": [0.5]})


def test_show_digits_draws_one_axis_per_digit_and_flags_mistakes():
    images = np.zeros((12, 784), np.uint8)
    fig = plotting.show_digits(
        images, labels=np.arange(12) % 10, predictions=np.zeros(12, int), ncols=5
    )
    assert len(fig.axes) == 15  # three rows of five
    titles = [ax.title for ax in fig.axes[:12]]
    assert titles[0].get_text() == "0→0" and titles[1].get_text() == "1→0"
    assert titles[1].get_color() == "crimson" and titles[0].get_color() == "black"
    with pytest.raises(
        ValueError, match=r"expected images of shape \(N, 28, 28\) or \(N, 784\), got \(5, 10\)"
    ):
        plotting.show_digits(np.zeros((5, 10)))
    with pytest.raises(ValueError, match="no images to show"):
        plotting.show_digits(np.zeros((0, 28, 28)))


# --- Part I ---------------------------------------------------------------------------------------


def test_plot_neuron_returns_a_figure_with_two_panels():
    x, y = toy_data("xor")
    fig = plotting.plot_neuron(1, -1, 0.5, "relu", x, y)
    assert len(fig.axes) == 3  # surface, its colour bar, the activation
    assert "accuracy" in fig.axes[0].get_title()


def test_plot_gd_and_figure_png():
    fig = plotting.plot_gd("1-D bowl: L(w) = w²", 0.8, steps=10)
    assert len(fig.axes) == 2 and "oscillates" in fig.axes[0].get_title()
    assert "after 10 steps" in fig.axes[1].get_title()
    assert plotting.figure_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="surface must be one of"):
        plotting.plot_gd("Rosenbrock", 0.1)
