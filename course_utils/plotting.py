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
