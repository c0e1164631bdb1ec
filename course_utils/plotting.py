"""Figures the notebooks share: digit grids, heat-map overlays, training curves."""

from __future__ import annotations

import numpy as np


def show_digits(images, labels=None, predictions=None, ncols: int = 10, size: float = 1.1, title: str | None = None):
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
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows * 1.15), squeeze=False)
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


# --- 04 backpropagation ---


def draw_computation_graph(root, figsize=(8, 3), show_grad: bool = True):
    """Draw the graph behind an ``autograd.Value``: inputs on the left, ``root`` on the right.

    Each node stands as far right as the nodes that use it allow.

    Each box shows the node's label (or the operation that made it), its
    value and, after ``root.backward()``, its gradient d root / d node (in red).
    Returns the figure.
    """
    import matplotlib.pyplot as plt

    order = root.topological_order()
    to_root = {id(root): 0}  # longest path from each node to root; each node sits as far right as it can
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
            ax.annotate("", xy=(x1 - 0.28, y1), xytext=(x0 + 0.28, y0), arrowprops=dict(arrowstyle="->", color="0.5"))
    for node in order:
        x, y = pos[id(node)]
        name = node.label or node._op  # an unlabelled input (a constant) shows only its value
        text = f"{name}\n{node.data:.4g}" if name else f"{node.data:.4g}"
        ax.text(x, y, text, ha="center", va="center", fontsize=9, bbox=dict(boxstyle="round", fc="aliceblue", ec="steelblue"))
        if show_grad:
            ax.text(x, y - 0.5, f"grad {node.grad:.4g}", ha="center", va="center", fontsize=8, color="crimson")
    ax.set_xlim(-0.6, max(columns) + 0.6)
    half = 1.3 * (max(len(n) for n in columns.values()) - 1) / 2
    ax.set_ylim(-half - 0.8, half + 0.4)
    ax.axis("off")
    fig.tight_layout()
    return fig
