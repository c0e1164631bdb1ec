"""Interactive widgets of the course: a function builds the widget, plain functions do the work.

Each builder returns an ``ipywidgets.VBox`` of controls, a status line and an
image of a matplotlib figure that is redrawn whenever a control changes. The
computation behind the picture lives in plain module-level functions
(:func:`neuron_surface`, :func:`neuron_accuracy`, :func:`gd_trajectory`, ...),
so the notebooks and the tests can call them directly, without a browser.

The returned box also carries, as attributes, what a test needs to look at:
``box.controls`` (name -> control widget), ``box.status`` (an HTML widget
with the numbers the picture shows), ``box.image`` (the PNG of the figure)
and ``box.state`` (a dict of the last computed values).
"""

from __future__ import annotations

import io
from collections.abc import Callable

import numpy as np

#: Activations the neuron playground offers; the formulas live in ``course_utils.numpy_nn``.
ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
#: Toy data sets of the playground (``course_utils.data``).
TOY_DATA = ("two blobs", "xor")


# --- the neuron: y = f(w1 x1 + w2 x2 + b) ------------------------------------------------------


def activation_function(name: str) -> Callable[[np.ndarray], np.ndarray]:
    """The activation ``f`` called ``name`` (one of :data:`ACTIVATIONS`), from ``numpy_nn``."""
    from course_utils import numpy_nn

    table = {
        "sigmoid": numpy_nn.sigmoid,
        "tanh": numpy_nn.tanh,
        "relu": numpy_nn.relu,
        "leaky_relu": numpy_nn.leaky_relu,
        "linear": lambda z: np.asarray(z, dtype=float),
    }
    if name not in table:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {name!r}")
    return table[name]


def toy_data(name: str = "two blobs", n: int = 200, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A 2-D toy set by name: "two blobs" (:func:`data.make_two_blobs`) or "xor" (:func:`data.make_xor`)."""
    from course_utils import data

    if name == "two blobs":
        return data.make_two_blobs(n=n, seed=seed)
    if name == "xor":
        return data.make_xor(n=n, seed=seed)
    raise ValueError(f"toy data set must be one of {TOY_DATA}, got {name!r}")


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


def plot_neuron(w1, w2, b, activation="sigmoid", x=None, y=None, *, extent=3.0, fig=None):
    """Draw the neuron's output surface, its decision boundary and the toy points.

    Left: ``f(w.x + b)`` as a colour map over the plane, the line ``w.x + b = 0``
    and the points coloured by class. Right: the activation ``f(z)`` with each
    point's pre-activation ``z`` marked, so saturated and dead regions show.
    Returns the figure (a new ``matplotlib.figure.Figure`` unless ``fig`` is given).
    """
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 3.3)) if fig is None else fig
    fig.clear()
    ax_map, ax_f = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.15, 1]})
    xx, yy = make_grid(extent, 101)
    zz = neuron_surface(w1, w2, b, activation, (xx, yy))
    low, high = float(zz.min()), float(zz.max())
    if high - low < 1e-9:  # a flat surface (w = 0, or a dead ReLU): one band
        low, high = low - 0.5, high + 0.5
    bands = ax_map.contourf(xx, yy, zz, levels=np.linspace(low, high, 21), cmap="RdBu_r")
    fig.colorbar(bands, ax=ax_map, fraction=0.046, pad=0.04, label="neuron output", format="%.2g")
    if w1 != 0 or w2 != 0:
        ax_map.contour(xx, yy, w1 * xx + w2 * yy + b, levels=[0.0], colors="black", linewidths=2)
    ax_map.set_aspect("equal")
    title = f"{activation}({affine_text(w1, w2, b, 2)})"
    if x is not None and y is not None:
        x, y = np.asarray(x, dtype=float), np.asarray(y)
        for label, marker in ((0, "o"), (1, "^")):
            pts = x[y == label]
            ax_map.scatter(
                pts[:, 0],
                pts[:, 1],
                s=14,
                marker=marker,
                c="white" if label == 0 else "gold",
                edgecolors="black",
                linewidths=0.5,
                label=f"class {label}",
            )
        title += f"\naccuracy {neuron_accuracy(x, y, w1, w2, b):.1%}"
    ax_map.set(xlim=(-extent, extent), ylim=(-extent, extent), xlabel="x1", ylabel="x2")
    ax_map.set_title(title, fontsize=9)

    z_line = np.linspace(-8, 8, 401)
    ax_f.plot(z_line, activation_function(activation)(z_line), color="tab:blue")
    if x is not None and y is not None:
        z_points = x @ np.array([w1, w2]) + b
        z_points = z_points[np.abs(z_points) <= 8]
        ax_f.plot(
            z_points,
            activation_function(activation)(z_points),
            "|",
            color="black",
            alpha=0.5,
            markersize=10,
        )
    ax_f.axvline(0, color="grey", linewidth=0.8)
    ax_f.set(
        xlabel="pre-activation z = w·x + b",
        ylabel="f(z)",
        title=f"{activation}: where the points land",
        xlim=(-8, 8),
    )
    ax_f.title.set_fontsize(9)
    fig.tight_layout()
    return fig


def affine_text(w1: float, w2: float, b: float, digits: int = 1) -> str:
    """``w1·x1 + w2·x2 + b`` as text, with the signs written as a person would: "1.0·x1 − 2.0·x2 + 0.5"."""

    def term(value, name, first=False):
        sign = "−" if value < 0 else ("" if first else "+")
        text = f"{abs(value):.{digits}f}{name}"
        return f"{sign}{text}" if first else f" {sign} {text}"

    return term(w1, "·x1", first=True) + term(w2, "·x2") + term(b, "")


def figure_png(fig, dpi: int = 80) -> bytes:
    """The figure as PNG bytes (rendered with Agg, no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def neuron_playground(
    data: str = "two blobs",
    w1: float = 1.0,
    w2: float = 1.0,
    b: float = 0.0,
    activation: str = "sigmoid",
):
    """Sliders for w1, w2 and the bias, and menus for the activation and the data set.

    Every change redraws :func:`plot_neuron` and rewrites the status line with
    the accuracy of the neuron's decision (class 1 where ``w.x + b > 0``) on the
    200 toy points. Returns an ``ipywidgets.VBox``.
    """
    import ipywidgets as W

    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {ACTIVATIONS}, got {activation!r}")
    if data not in TOY_DATA:
        raise ValueError(f"toy data set must be one of {TOY_DATA}, got {data!r}")
    style, layout = {"description_width": "initial"}, W.Layout(width="340px")

    def slider(description, value):
        return W.FloatSlider(
            value=value,
            min=-5.0,
            max=5.0,
            step=0.1,
            description=description,
            continuous_update=False,
            readout_format=".1f",
            style=style,
            layout=layout,
        )

    controls = {
        "w1": slider("weight w1", w1),
        "w2": slider("weight w2", w2),
        "b": slider("bias b", b),
        "activation": W.Dropdown(
            options=ACTIVATIONS, value=activation, description="activation", style=style
        ),
        "data": W.Dropdown(options=TOY_DATA, value=data, description="toy data", style=style),
    }
    status = W.HTML()
    image = W.Image(format="png")
    state: dict = {}
    points: dict = {}

    def redraw(_change=None):
        name = controls["data"].value
        if points.get("name") != name:
            points.update(name=name, xy=toy_data(name))
        x, y = points["xy"]
        w1_, w2_, b_ = (controls[k].value for k in ("w1", "w2", "b"))
        act = controls["activation"].value
        accuracy = neuron_accuracy(x, y, w1_, w2_, b_)
        state.update(w1=w1_, w2=w2_, b=b_, activation=act, data=name, accuracy=accuracy)
        status.value = (
            f"<b>accuracy on the {len(y)} {name} points: {accuracy:.1%}</b> · "
            f"output = {act}({affine_text(w1_, w2_, b_)}); boundary where {affine_text(w1_, w2_, b_)} = 0"
        )
        image.value = figure_png(plot_neuron(w1_, w2_, b_, act, x, y))

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    box = W.VBox(
        [
            W.HBox(
                [
                    W.VBox([controls["w1"], controls["w2"], controls["b"]]),
                    W.VBox([controls["activation"], controls["data"]]),
                ]
            ),
            status,
            image,
        ]
    )
    box.controls, box.status, box.image, box.state = controls, status, image, state
    return box


# --- gradient descent on a quadratic ------------------------------------------------------------


def _check_learning_rate(lr) -> float:
    lr = float(lr)
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"the learning rate must be a positive number, got {lr}")
    return lr


def gd_trajectory(
    f: Callable, grad: Callable, w0, lr: float, steps: int
) -> tuple[np.ndarray, np.ndarray]:
    """Run gradient descent ``w <- w - lr * grad(w)`` for ``steps`` steps from ``w0``.

    Returns ``(ws, losses)``: the ``steps + 1`` iterates (``ws[0] = w0``; shape
    ``(steps + 1,) + w0.shape``) and ``f`` at each of them. Once an iterate
    overflows (divergence), the rest of the trajectory is ``inf``.
    """
    lr = _check_learning_rate(lr)
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps}")
    w = np.array(w0, dtype=float)
    ws = np.full((int(steps) + 1,) + w.shape, np.inf)
    losses = np.full(int(steps) + 1, np.inf)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(int(steps) + 1):
            if not np.all(np.isfinite(w)):
                break
            ws[t], losses[t] = w, float(f(w))
            w = w - lr * np.asarray(grad(w), dtype=float)
    return ws, losses


def quadratic(curvatures, centre=None) -> tuple[Callable, Callable]:
    """The bowl ``L(w) = 1/2 * sum_i a_i (w_i - c_i)^2`` and its gradient ``a * (w - c)``.

    ``curvatures`` are the ``a_i`` (positive); ``centre`` (the minimum) defaults to 0.
    """
    a = np.atleast_1d(np.asarray(curvatures, dtype=float))
    if a.ndim != 1 or np.any(a <= 0):
        raise ValueError(f"curvatures must be positive numbers, got {curvatures}")
    c = (
        np.zeros_like(a)
        if centre is None
        else np.broadcast_to(np.asarray(centre, dtype=float), a.shape)
    )

    def loss(w):
        return 0.5 * float(np.sum(a * (np.asarray(w, dtype=float) - c) ** 2))

    def gradient(w):
        return a * (np.asarray(w, dtype=float) - c)

    return loss, gradient


def gd_regime(lr: float, curvature: float) -> str:
    """What gradient descent does on ``a/2 * w^2``: each step multiplies ``w`` by ``1 - lr*a``.

    "converges" when ``0 < lr*a <= 1`` (no sign change; at exactly 1 the first
    step lands on the minimum), "oscillates" when ``1 < lr*a < 2`` (the sign
    flips, the size still shrinks), "bounces" at ``lr*a = 2`` (``w`` flips
    between ``+w0`` and ``-w0`` forever), "diverges" when ``lr*a > 2``.
    """
    lr = _check_learning_rate(lr)
    if not curvature > 0:
        raise ValueError(f"curvature must be positive, got {curvature}")
    factor = lr * curvature
    if np.isclose(factor, 2.0, rtol=1e-12, atol=0):
        return "bounces"
    if factor <= 1:
        return "converges"
    if factor < 2:
        return "oscillates"
    return "diverges"


#: The surfaces of the learning-rate explorer: name -> (curvatures, start point).
SURFACES = {
    "1-D bowl: L(w) = w²": ((2.0,), (2.5,)),
    "2-D bowl: L(w) = ½·w1² + 2.5·w2²": ((1.0, 5.0), (-2.5, 1.5)),
}


def plot_gd(surface: str, lr: float, steps: int = 20, *, fig=None):
    """Draw a gradient descent run on one of :data:`SURFACES`: path on the surface, loss per step."""
    from matplotlib.figure import Figure

    if surface not in SURFACES:
        raise ValueError(f"surface must be one of {tuple(SURFACES)}, got {surface!r}")
    curvatures, start = SURFACES[surface]
    f, grad = quadratic(curvatures)
    ws, losses = gd_trajectory(f, grad, np.array(start), lr, steps)
    fig = Figure(figsize=(8, 3.2)) if fig is None else fig
    fig.clear()
    ax_path, ax_loss = fig.subplots(1, 2)
    shown = np.all(np.abs(ws) < 1e3, axis=tuple(range(1, ws.ndim)))
    if len(curvatures) == 1:
        w_line = np.linspace(-4, 4, 200)
        ax_path.plot(w_line, curvatures[0] / 2 * w_line**2, color="grey")
        ax_path.plot(ws[shown, 0], losses[shown], "o-", color="tab:red", markersize=4, linewidth=1)
        ax_path.set(xlim=(-4, 4), ylim=(-0.5, 17), xlabel="w", ylabel="L(w)")
    else:
        axis = np.linspace(-4, 4, 121)
        xx, yy = np.meshgrid(axis, axis)
        zz = 0.5 * (curvatures[0] * xx**2 + curvatures[1] * yy**2)
        ax_path.contour(
            xx, yy, zz, levels=np.geomspace(0.05, 60, 12), colors="grey", linewidths=0.7
        )
        ax_path.plot(ws[shown, 0], ws[shown, 1], "o-", color="tab:red", markersize=4, linewidth=1)
        ax_path.set(xlim=(-4, 4), ylim=(-4, 4), xlabel="w1", ylabel="w2", aspect="equal")
    ax_path.plot(0, 0, "k*", markersize=10)  # the minimum: w = 0 (and L = 0 in 1-D)
    regime = gd_regime(lr, max(curvatures))
    ax_path.set_title(f"learning rate {lr:.3g}: {regime}", fontsize=9)
    finite = np.isfinite(losses) & (losses > 0)
    ax_loss.semilogy(
        np.arange(len(losses))[finite], losses[finite], "o-", color="tab:red", markersize=3
    )
    ax_loss.set(xlabel="step", ylabel="loss (log scale)", xlim=(-0.5, steps + 0.5))
    ax_loss.set_title(f"loss after {steps} steps: {losses[-1]:.3g}", fontsize=9)
    fig.tight_layout()
    return fig


def learning_rate_explorer(lr: float = 0.1, steps: int = 20, surface: str = "1-D bowl: L(w) = w²"):
    """A log-scale learning-rate slider, a step count and a choice of bowl; redraws :func:`plot_gd`.

    The status line says what the run does (converges, oscillates, diverges),
    the thresholds ``1/a`` and ``2/a`` of the steepest direction and the final loss.
    Returns an ``ipywidgets.VBox``.
    """
    import ipywidgets as W

    lr = _check_learning_rate(lr)
    if surface not in SURFACES:
        raise ValueError(f"surface must be one of {tuple(SURFACES)}, got {surface!r}")
    style = {"description_width": "initial"}
    controls = {
        "lr": W.FloatLogSlider(
            value=lr,
            base=10,
            min=-2,
            max=np.log10(1.2),
            step=0.02,
            description="learning rate α",
            continuous_update=False,
            readout_format=".3f",
            style=style,
            layout=W.Layout(width="420px"),
        ),
        "steps": W.IntSlider(
            value=steps, min=1, max=60, description="steps", continuous_update=False, style=style
        ),
        "surface": W.Dropdown(
            options=tuple(SURFACES),
            value=surface,
            description="loss surface",
            style=style,
            layout=W.Layout(width="420px"),
        ),
    }
    status = W.HTML()
    image = W.Image(format="png")
    state: dict = {}

    def redraw(_change=None):
        lr_, steps_, surface_ = (
            controls["lr"].value,
            controls["steps"].value,
            controls["surface"].value,
        )
        curvatures, start = SURFACES[surface_]
        ws, losses = gd_trajectory(*quadratic(curvatures), np.array(start), lr_, steps_)
        a = max(curvatures)
        regime = gd_regime(lr_, a)
        state.update(
            lr=lr_,
            steps=steps_,
            surface=surface_,
            regime=regime,
            final_loss=float(losses[-1]),
            trajectory=ws,
        )
        status.value = (
            f"<b>α = {lr_:.3f}: {regime}</b> · steepest curvature a = {a:g}, so α &lt; {1 / a:.2f} converges smoothly, "
            f"α &lt; {2 / a:.2f} still converges · loss after {steps_} steps: {losses[-1]:.3g}"
        )
        image.value = figure_png(plot_gd(surface_, lr_, steps_))

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    box = W.VBox([controls["lr"], W.HBox([controls["steps"], controls["surface"]]), status, image])
    box.controls, box.status, box.image, box.state = controls, status, image, state
    return box
