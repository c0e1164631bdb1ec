"""Occlusion (Zeiler & Fergus, 2014): cover a patch, see how much the target output drops.

For each window position P (a patch of ``window`` x ``window`` pixels, moved by
``stride``), x with the patch set to ``baseline`` is x_P, and the drop
f_t(x) - f_t(x_P) is shared by every pixel of the patch. A pixel's attribution
is the mean drop over the windows that cover it:

    A_i = sum_{P contains i} (f_t(x) - f_t(x_P)) / #{P : P contains i}

Windows start at 0, stride, 2 stride, ... up to ceil((size - window) / stride)
strides and are clipped at the border, so every pixel is covered (the layout
of Captum's ``Occlusion``, which gives the same numbers). Large windows see
whole strokes but blur the map; small ones are sharp but a single pixel rarely
changes a CNN's mind.
"""

from __future__ import annotations

import itertools

import numpy as np

from course_utils._checks import as_baseline, as_batch, as_positive_int, as_targets, spatial_axes
from course_utils.xai.adapter import wrap


def _spatial_axes(shape: tuple[int, ...]) -> tuple[int, ...]:
    """The axes (of one example) a square window slides over; a channel axis (size <= 4) is covered whole."""
    try:
        return spatial_axes(shape)
    except ValueError:
        raise ValueError(
            f"occlusion takes batches of vectors (N, F), images (N, H, W), (N, C, H, W) or (N, H, W, C) with C <= 4; "
            f"got examples of shape {shape}. Pass window and stride as tuples of length {len(shape)} for other layouts."
        ) from None


def _per_axis(value, shape, axes, name: str, whole: bool) -> tuple[int, ...]:
    """An int -> that size along the sliding axes (the whole axis elsewhere, or 1 for strides); a tuple as given."""
    if np.ndim(value) == 0:
        size = as_positive_int(value, name)
        return tuple(size if a in axes else (n if whole else 1) for a, n in enumerate(shape))
    sizes = tuple(as_positive_int(v, name) for v in value)
    if len(sizes) != len(shape):
        raise ValueError(
            f"{name} must be an int or a tuple with one entry per axis of an example {shape}; got {value!r}"
        )
    return sizes


def occlusion_windows(shape, window=4, stride=2) -> np.ndarray:
    """Boolean masks (n_windows, *shape), True inside each window position (clipped at the border)."""
    shape = tuple(shape)
    axes = _spatial_axes(shape) if np.ndim(window) == 0 else tuple(range(len(shape)))
    window = _per_axis(window, shape, axes, "window", whole=True)
    stride = _per_axis(stride, shape, axes, "stride", whole=False)
    for n, w, s in zip(shape, window, stride, strict=True):
        if w > n:
            raise ValueError(f"window {window} is larger than the input {shape}")
        if s > w and w < n:
            raise ValueError(
                f"stride {stride} must not exceed window {window}: pixels between windows would never be covered"
            )
    starts = [
        np.arange(int(np.ceil((n - w) / s)) + 1) * s
        for n, w, s in zip(shape, window, stride, strict=True)
    ]
    positions = list(itertools.product(*starts))
    masks = np.zeros((len(positions), *shape), dtype=bool)
    for k, corner in enumerate(positions):
        masks[(k, *(slice(c, c + w) for c, w in zip(corner, window, strict=True)))] = True
    return masks


def occlusion(
    model, x, target, window=4, stride=2, baseline=0.0, *, batch_size: int = 4096
) -> np.ndarray:
    """Occlusion attribution, the shape of ``x``: each pixel's mean output drop when a window covering it is hidden.

    model : anything :func:`course_utils.xai.wrap` accepts (only ``predict`` is used).
    x : a batch (N, ...) of examples; target : one class index, or one per row.
    window, stride : ints (a square window over the spatial axes; channels are covered whole)
        or tuples with one entry per axis of an example.
    baseline : what covers a patch: a number (0.0 is a black patch for [0, 1] images), one example, or one per row.
    The model sees N * n_windows occluded inputs, in batches of ``batch_size`` rows.
    """
    m = wrap(model)
    x = as_batch(x)
    fill = as_baseline(baseline, x)
    masks = occlusion_windows(x.shape[1:], window, stride)
    reference = m.predict(x)
    rows = as_targets(target, len(x), reference.shape[1])
    f_x = reference[np.arange(len(x)), rows]

    n_win = len(masks)
    drops = np.empty((len(x), n_win))
    per_chunk = max(1, batch_size // len(x))
    for start in range(0, n_win, per_chunk):
        chunk = masks[start : start + per_chunk]
        occluded = np.where(chunk[None], fill[:, None], x[:, None]).reshape(-1, *x.shape[1:])
        out = m.predict(occluded).reshape(len(x), len(chunk), -1)
        drops[:, start : start + len(chunk)] = f_x[:, None] - out[np.arange(len(x)), :, rows]
    flat = masks.reshape(n_win, -1).astype(float)
    counts = flat.sum(axis=0)
    attribution = drops @ flat / np.where(counts > 0, counts, 1.0)
    return attribution.reshape(x.shape).astype(x.dtype, copy=False)
