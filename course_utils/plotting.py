"""Figures the notebooks share, so that a cell shows the idea and not the plotting.

digits          :func:`show_digits` (a grid of digits with labels and predictions)
heat maps       :func:`heatmap` (one map on an axis), :func:`attribution_grid` (digits and their maps)
training        :func:`plot_training_curves` (loss and accuracy per epoch)
Part I          :func:`plot_neuron`, :func:`plot_gd`, :func:`draw_computation_graph`

One colour convention for every heat map: a signed map (contributions that can be negative)
uses ``RdBu_r`` with limits symmetric about 0 (red: pushes the output up, blue: down, white: 0);
a magnitude map (``|gradient|``, saliency) uses ``hot`` from 0.
"""

from __future__ import annotations

import io

import numpy as np

from course_utils.foundations.gradient_descent import SURFACES, gd_regime, gd_trajectory, quadratic
from course_utils.foundations.neuron import (
    activation_function,
    affine_text,
    make_grid,
    neuron_accuracy,
    neuron_surface,
)

#: The colormaps of :func:`heatmap`: signed maps and magnitude maps.
SIGNED_CMAP, MAGNITUDE_CMAP = "RdBu_r", "hot"


def show_digits(
    images,
    labels=None,
    predictions=None,
    ncols: int = 10,
    size: float = 1.1,
    title: str | None = None,
):
    """Draw digits in a grid, with their labels (and predictions, red when wrong) as titles.

    ``images``: (N, 28, 28) uint8 or float, or (N, 784). Returns the figure.
    """
    import matplotlib.pyplot as plt

    images = np.asarray(images)
    if images.ndim == 2 and images.shape[1] == 784:
        images = images.reshape(-1, 28, 28)
    if images.ndim != 3:
        raise ValueError(f"expected images of shape (N, 28, 28) or (N, 784), got {images.shape}")
    n = len(images)
    if n == 0:
        raise ValueError("no images to show")
    ncols = max(1, min(ncols, n))
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(size * ncols, size * nrows * 1.15), squeeze=False
    )
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i >= n:
            continue
        ax.imshow(images[i], cmap="gray_r")
        caption, colour = "", "black"
        if labels is not None:
            caption = f"{int(labels[i])}"
        if predictions is not None:
            caption = f"{caption}→{int(predictions[i])}" if caption else f"{int(predictions[i])}"
            if labels is not None and int(predictions[i]) != int(labels[i]):
                colour = "crimson"
        if caption:
            ax.set_title(caption, fontsize=9, color=colour, pad=2)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# --- heat maps ---------------------------------------------------------------------------------


def _as_image(values) -> np.ndarray:
    """One 2-D map from (H, W), (1, H, W) or (H, W, 1)."""
    values = np.asarray(values, dtype=float)
    if values.ndim == 3 and 1 in (values.shape[0], values.shape[-1]):
        values = values.reshape(values.shape[1:] if values.shape[0] == 1 else values.shape[:2])
    if values.ndim != 2:
        raise ValueError(
            f"a heat map is one 2-D map (H, W), (1, H, W) or (H, W, 1); got shape {values.shape}"
        )
    return values


def heatmap(
    ax,
    values,
    *,
    signed: bool = True,
    limit: float | None = None,
    title: str | None = None,
    colorbar: bool = False,
):
    """Draw one map on ``ax`` in the course's convention; returns the image.

    ``signed=True``: ``RdBu_r`` from -limit to +limit (limit default: the map's largest |value|),
    so 0 is white. ``signed=False``: ``hot`` from 0 to limit (default: the map's maximum).
    """
    values = _as_image(values)
    top = float(np.abs(values).max()) if limit is None else float(limit)
    top = top if top > 0 else 1.0
    if signed:
        image = ax.imshow(values, cmap=SIGNED_CMAP, vmin=-top, vmax=top)
    else:
        image = ax.imshow(values, cmap=MAGNITUDE_CMAP, vmin=0.0, vmax=top)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=8)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return image


def attribution_grid(
    maps: dict,
    images=None,
    *,
    signed=True,
    titles=None,
    size: float = 1.5,
    shared_limit: bool = False,
):
    """One column per example: the digit on top (if ``images`` is given), then one row per method.

    ``maps``: {row name: array (N, H, W) or (N, 1, H, W)}; ``signed``: one bool, or {row name: bool};
    ``titles``: one caption per column (e.g. "label 7"), over the digits or, without them, over the
    first row of maps; ``shared_limit``: one colour scale per row
    instead of one per map. Returns the figure.
    """
    import matplotlib.pyplot as plt

    if not maps:
        raise ValueError("maps is empty: give {method name: attributions}")
    n = len(next(iter(maps.values())))
    rows = (1 if images is not None else 0) + len(maps)
    fig, axes = plt.subplots(rows, n, figsize=(size * n, size * rows * 1.05), squeeze=False)
    if images is not None:
        for j in range(n):
            axes[0, j].imshow(_as_image(images[j]), cmap="gray_r")
            axes[0, j].axis("off")
            if titles is not None:
                axes[0, j].set_title(titles[j], fontsize=8)
    for r, (name, batch) in enumerate(maps.items(), start=1 if images is not None else 0):
        is_signed = signed[name] if isinstance(signed, dict) else signed
        limit = float(np.abs(np.asarray(batch)).max()) if shared_limit else None
        for j in range(n):
            heatmap(axes[r, j], batch[j], signed=is_signed, limit=limit)
            if images is None and r == 0 and titles is not None:
                axes[r, j].set_title(titles[j], fontsize=8)
        axes[r, 0].text(
            -0.08, 0.5, name, transform=axes[r, 0].transAxes, ha="right", va="center", fontsize=8
        )
    fig.tight_layout()
    return fig


# --- training curves ------------------------------------------------------------------------------


def plot_training_curves(history: dict, *, title: str | None = None, axes=None):
    """Loss (and accuracy, when recorded) per epoch from a history dict (``loss``, ``accuracy``, ``val_*``).

    Works with the histories of the NumPy, PyTorch and Keras training loops of the course: one
    panel per metric, training and (when present) validation curves in each. Returns the figure.
    """
    import matplotlib.pyplot as plt

    if "loss" not in history:
        raise ValueError(f"history must hold at least 'loss' per epoch, got keys {sorted(history)}")
    metrics = [m for m in ("loss", "accuracy") if m in history]
    if axes is None:
        fig, axes = plt.subplots(1, len(metrics), figsize=(4 * len(metrics), 2.8), squeeze=False)
        axes = axes[0]
    axes = np.atleast_1d(axes)
    if len(axes) != len(metrics):
        raise ValueError(f"axes must have one panel per metric {metrics}, got {len(axes)}")
    fig = axes[0].figure
    epochs = np.arange(1, len(history["loss"]) + 1)
    for ax, metric in zip(axes, metrics, strict=True):
        for key, style in ((metric, "o-"), (f"val_{metric}", "s--")):
            if key in history:
                ax.plot(
                    epochs,
                    history[key],
                    style,
                    label="validation" if key.startswith("val_") else "training",
                )
        ax.set(xlabel="epoch", ylabel=metric)
        ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


# --- Part I: the neuron, gradient descent, a computation graph --------------------------------------


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


def figure_png(fig, dpi: int = 80) -> bytes:
    """The figure as PNG bytes (rendered with Agg, no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


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


def draw_computation_graph(root, figsize=(8, 3), show_grad: bool = True):
    """Draw the graph behind an ``autograd.Value``: inputs on the left, ``root`` on the right.

    Each node stands as far right as the nodes that use it allow.

    Each box shows the node's label (or the operation that made it), its
    value and, after ``root.backward()``, its gradient d root / d node (in red).
    Returns the figure.
    """
    import matplotlib.pyplot as plt

    order = root.topological_order()
    to_root = {
        id(root): 0
    }  # longest path from each node to root; each node sits as far right as it can
    for node in reversed(order):
        for child in node._prev:
            to_root[id(child)] = max(to_root.get(id(child), 0), to_root[id(node)] + 1)
    last = max(to_root.values())
    depth = {key: last - steps for key, steps in to_root.items()}
    columns = {}
    for node in order:
        columns.setdefault(depth[id(node)], []).append(node)
    pos = {}
    for d, nodes in columns.items():
        for i, node in enumerate(nodes):
            pos[id(node)] = (d, 1.3 * ((len(nodes) - 1) / 2 - i))
    fig, ax = plt.subplots(figsize=figsize)
    for node in order:
        x1, y1 = pos[id(node)]
        for child in node._prev:
            x0, y0 = pos[id(child)]
            ax.annotate(
                "",
                xy=(x1 - 0.28, y1),
                xytext=(x0 + 0.28, y0),
                arrowprops=dict(arrowstyle="->", color="0.5"),
            )
    for node in order:
        x, y = pos[id(node)]
        name = node.label or node._op  # an unlabelled input (a constant) shows only its value
        text = f"{name}\n{node.data:.4g}" if name else f"{node.data:.4g}"
        ax.text(
            x,
            y,
            text,
            ha="center",
            va="center",
            fontsize=9,
            bbox=dict(boxstyle="round", fc="aliceblue", ec="steelblue"),
        )
        if show_grad:
            ax.text(
                x,
                y - 0.5,
                f"grad {node.grad:.4g}",
                ha="center",
                va="center",
                fontsize=8,
                color="crimson",
            )
    ax.set_xlim(-0.6, max(columns) + 0.6)
    half = 1.3 * (max(len(n) for n in columns.values()) - 1) / 2
    ax.set_ylim(-half - 0.8, half + 0.4)
    ax.axis("off")
    fig.tight_layout()
    return fig
