"""LIME from scratch: explain each prediction by a weighted linear surrogate fitted around it.

LIME (Ribeiro, Singh & Guestrin, 2016) picks the explanation

    g* = argmin_{g linear}  L(f, g, pi_x) + Omega(g),
    L = sum_k pi_x(z_k) (f(z_k) - g(z'_k))^2,

where z_k are perturbations of x, z'_k their interpretable representation
(which segments are kept, or the feature values), pi_x a proximity kernel
and Omega a complexity penalty. Here, as in the ``lime`` library:

* the kernel is pi(d) = sqrt(exp(-d^2 / kernel_width^2)) = exp(-d^2 / (2 kernel_width^2));
* Omega is a ridge penalty alpha ||w||^2 with alpha = 1 (``sklearn.linear_model.Ridge(alpha=1)``);
* ``score`` is the surrogate's weighted R^2 on the samples (1 is a perfect local fit).

Images: z' in {0, 1}^S switches segments on or off (off = ``baseline``), the
distance is the cosine distance between z' and the all-ones vector, and the
default segmentation of a 28x28 digit is a 7x7 grid of 4x4-pixel cells (see
:func:`grid_segments` for why). Tabular data: z = x + scale * N(0, 1) per
feature (scale = the training data's standard deviation), the distance is
Euclidean in those standardised units, and the weights are given back per
unit of each input feature, so a linear model's coefficients are recovered.

Both functions take a batch and return an array of its shape, like every
explainer of the course: ``lime_image(model, x, target)`` gives each pixel its
segment's weight shared among the segment's pixels (weight / pixel count, so a
map sums to the sum of the weights); ``lime_tabular(model, x, target, training_data)``
gives each row's per-unit weights. Every example is explained with the same
``seed``, so its explanation does not depend on the batch it sits in.
``return_surrogate=True`` also returns the fitted surrogates (:class:`LimeResult`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_utils._checks import (
    as_baseline,
    as_batch,
    as_positive_int,
    as_targets,
    check_number,
    image_layout,
)
from course_utils.xai.adapter import wrap


@dataclass
class LimeResult:
    """The fitted surrogates of a LIME explanation, one per example of the batch.

    weights : (N, n_segments) or (N, n_features) -- the surrogate's coefficients: the change of the target
        output when a segment is switched on, or per unit of a tabular feature.
    intercept : (N,) the surrogate's value with every segment off (images) or at x itself (tabular).
    score : (N,) weighted R^2 of each surrogate on its samples (1 is a perfect local fit).
    target : (N,) the explained output of each example.
    prediction : (N,) the model's target output at each x.
    segments : (H, W) integer segment map with labels 0..n_segments-1 (images only).
    """

    weights: np.ndarray
    intercept: np.ndarray
    score: np.ndarray
    target: np.ndarray
    prediction: np.ndarray
    segments: np.ndarray | None = None


def lime_kernel(distances, kernel_width: float) -> np.ndarray:
    """The ``lime`` library's proximity kernel: sqrt(exp(-d^2 / width^2))."""
    return np.sqrt(np.exp(-(np.asarray(distances, dtype=float) ** 2) / kernel_width**2))


def weighted_ridge(features, targets, sample_weight, alpha: float = 1.0):
    """Ridge regression with an intercept and sample weights, as ``sklearn.linear_model.Ridge``.

    Centre X and y at their weighted means, solve (Xc' W Xc + alpha I) w = Xc' W yc,
    intercept = mean_w(y) - mean_w(X) . w. Returns (coef, intercept, weighted R^2).
    """
    X = np.asarray(features, dtype=float)
    y = np.asarray(targets, dtype=float)
    sw = np.asarray(sample_weight, dtype=float)
    mean_x = sw @ X / sw.sum()
    mean_y = sw @ y / sw.sum()
    xc, yc = X - mean_x, y - mean_y
    coef = np.linalg.solve(xc.T @ (sw[:, None] * xc) + alpha * np.eye(X.shape[1]), xc.T @ (sw * yc))
    intercept = float(mean_y - mean_x @ coef)
    residual = y - (X @ coef + intercept)
    total = sw @ (y - mean_y) ** 2
    score = float(1.0 - (sw @ residual**2) / total) if total > 0 else 1.0
    return coef, intercept, score


# --- images -------------------------------------------------------------------------------------


def grid_segments(height: int = 28, width: int = 28, cell: int = 4) -> np.ndarray:
    """A grid segmentation: square cells of ``cell`` pixels, labelled row by row (28x28, cell 4 -> 49 cells).

    The default for digits. A superpixel method (quickshift, slic) follows edges
    of colour regions; a 28x28 grayscale digit has almost none, so quickshift
    finds one to three segments and slic unequal blobs. A grid gives equal-sized,
    comparable features that cover the stroke and the background alike.
    """
    rows = np.arange(height) // cell
    cols = np.arange(width) // cell
    return rows[:, None] * int(np.ceil(width / cell)) + cols[None, :]


def segment_map(values, segments: np.ndarray, example_shape: tuple[int, ...]) -> np.ndarray:
    """Per-segment values (N, S) -> maps (N, *example_shape): each pixel gets its segment's value / pixel count.

    A channel axis (channels first or last) gets the same value in every channel, divided by
    the channel count too, so each map sums to the sum of its segment values.
    """
    values = np.asarray(values, dtype=float)
    sizes = np.bincount(segments.ravel(), minlength=values.shape[1]).astype(float)
    layout = image_layout(example_shape)
    channels = 1 if layout == "hw" else example_shape[0 if layout == "chw" else -1]
    per_pixel = (values / (sizes * channels))[:, segments]  # (N, H, W)
    if layout == "chw":
        per_pixel = np.repeat(per_pixel[:, None], channels, axis=1)
    elif layout == "hwc":
        per_pixel = np.repeat(per_pixel[..., None], channels, axis=-1)
    return per_pixel


def segment_masks(segments: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Pixel masks (k, H, W) from segment switches ``on`` (k, n_segments): pixel kept where its segment is on."""
    return np.asarray(on, dtype=bool)[:, segments]


def perturb_image(
    image: np.ndarray, segments: np.ndarray, on: np.ndarray, baseline=0.0
) -> np.ndarray:
    """The images (k, *image.shape) with segments switched off (set to ``baseline``) where ``on`` is 0.

    ``baseline``: a number or one image of ``image``'s shape.
    """
    layout = image_layout(image.shape)
    keep = segment_masks(segments, on)
    if layout == "chw":
        keep = keep[:, None, :, :]
    elif layout == "hwc":
        keep = keep[:, :, :, None]
    return np.where(keep, image[None], np.asarray(baseline, dtype=image.dtype)).astype(image.dtype)


def _check_segments(segments, spatial) -> np.ndarray:
    segments = np.asarray(segments)
    if segments.shape != tuple(spatial):
        raise ValueError(
            f"segments must be an integer map of the image's spatial shape {tuple(spatial)}, got shape {segments.shape}"
        )
    if not np.issubdtype(segments.dtype, np.integer):
        raise ValueError(f"segments must hold integer labels, got dtype {segments.dtype}")
    _, relabelled = np.unique(segments, return_inverse=True)
    return relabelled.reshape(segments.shape)


def image_batch_segments(
    x: np.ndarray, segments, method: str
) -> tuple[np.ndarray, tuple[int, int]]:
    """Check that ``x`` is a batch of images and return its segment map (default: a 7 x 7 grid) and (H, W)."""
    if x.ndim not in (3, 4):
        raise ValueError(
            f"{method} takes a batch of images (N, H, W), (N, C, H, W) or (N, H, W, C); got shape {x.shape}. "
            "For one image use image[None]."
        )
    layout = image_layout(x.shape[1:])
    spatial = {"hw": x.shape[1:3], "chw": x.shape[2:4], "hwc": x.shape[1:3]}[layout]
    if segments is None:
        cell = max(
            1, int(np.ceil(min(spatial) / 7))
        )  # a 7 x 7 grid: 4-pixel cells on a 28 x 28 digit
        return grid_segments(*spatial, cell=cell), tuple(spatial)
    return _check_segments(segments, spatial), tuple(spatial)


def lime_image(
    model,
    x,
    target,
    n_samples: int = 1000,
    segments=None,
    kernel_width: float = 0.25,
    seed: int = 0,
    *,
    baseline=0.0,
    alpha: float = 1.0,
    batch_size: int = 1000,
    return_surrogate: bool = False,
):
    """LIME for a batch of images: switch segments off at random, weight by proximity, fit a ridge surrogate.

    For each image (with the same ``seed`` for every image):

    1. z'_k ~ Bernoulli(1/2)^S for k = 2..n_samples; z'_1 = all ones (the image itself).
       (Drawn with ``np.random.RandomState(seed).randint``, the draws ``lime`` makes with the same seed.)
    2. images with the off segments set to ``baseline`` (0.0: black); y_k = f(image_k)[target].
    3. d_k = cosine distance(z'_k, 1) = 1 - sqrt(|z'_k| / S); pi_k = sqrt(exp(-d_k^2 / kernel_width^2)).
    4. weights, intercept = argmin sum_k pi_k (y_k - w . z'_k - b)^2 + alpha ||w||^2.

    model : anything :func:`~course_utils.xai.wrap` accepts (only its outputs are used).
    x : images (N, H, W), (N, C, H, W) or (N, H, W, C); target : one class index, or one per image.
    segments : (H, W) integer map; default a 7 x 7 :func:`grid_segments` (4-pixel cells, 49 segments on a
        28 x 28 digit; why a grid and not superpixels: see :func:`grid_segments`).
    Returns maps shaped like ``x`` (:func:`segment_map` of the weights), and with
    ``return_surrogate=True`` also the :class:`LimeResult`.
    """
    m = wrap(model)
    x = as_batch(x)
    segments, _ = image_batch_segments(x, segments, "lime_image")
    n_samples = as_positive_int(n_samples, "n_samples", minimum=2)
    kernel_width = check_number(kernel_width, "kernel_width", low=0.0, strict_low=True)
    batch_size = as_positive_int(batch_size, "batch_size")
    n_segments = int(segments.max()) + 1
    base = as_baseline(baseline, x)
    targets = as_targets(target, len(x), m.predict(x[:1]).shape[1])
    # the same seed for every image: the switches, and so the proximity weights, are drawn once
    on = (
        np.random.RandomState(seed)
        .randint(0, 2, n_samples * n_segments)
        .reshape(n_samples, n_segments)
    )
    on[0, :] = 1
    proximity = lime_kernel(1.0 - np.sqrt(on.sum(axis=1) / n_segments), kernel_width)
    fits = []
    for image, t, reference in zip(x, targets, base, strict=True):
        outputs = np.concatenate(
            [
                m.predict(perturb_image(image, segments, chunk, reference))
                for chunk in _chunks(on, batch_size)
            ]
        ).astype(float)
        fits.append((*weighted_ridge(on, outputs[:, t], proximity, alpha), outputs[0, t]))
    weights, intercept, score, prediction = (np.array(column) for column in zip(*fits, strict=True))
    maps = segment_map(weights, segments, x.shape[1:]).astype(x.dtype)
    if not return_surrogate:
        return maps
    return maps, LimeResult(weights, intercept, score, targets, prediction, segments)


def _chunks(rows: np.ndarray, size: int):
    return (rows[i : i + size] for i in range(0, len(rows), size))


# --- tabular ------------------------------------------------------------------------------------


def lime_tabular(
    model,
    x,
    target,
    training_data,
    n_samples: int = 5000,
    kernel_width=None,
    seed: int = 0,
    *,
    alpha: float = 1.0,
    return_surrogate: bool = False,
):
    """LIME for rows of tabular data: Gaussian perturbations around each row, a ridge surrogate in input units.

    For each row x (with the same ``seed`` for every row):

    1. z_k = x + s * e_k, e_k ~ N(0, I), s = per-feature standard deviation of ``training_data``
       (1 where it is 0); z_1 = x. (Drawn with ``np.random.RandomState(seed).normal``, the draws
       ``lime``'s ``LimeTabularExplainer(sample_around_instance=True)`` makes with the same seed.)
    2. d_k = ||e_k|| (standardised units); pi_k = sqrt(exp(-d_k^2 / kernel_width^2)),
       kernel_width default 0.75 sqrt(n_features) (the ``lime`` default).
    3. ridge (alpha) of y_k = f(z_k)[target] on e_k; the weights are the coefficients / s, the change
       of the output per unit of each feature; the intercept is the surrogate's value at x.

    x : rows (N, n_features); training_data : (m, n_features); target : one output index or one per row.
    Returns the weights (N, n_features), and with ``return_surrogate=True`` also the :class:`LimeResult`.
    """
    m = wrap(model)
    x = as_batch(x)
    training_data = np.asarray(training_data, dtype=float)
    if x.ndim != 2:
        raise ValueError(f"x must be rows of features, shape (N, n_features); got shape {x.shape}")
    if training_data.ndim != 2 or training_data.shape[1] != x.shape[1]:
        raise ValueError(
            f"training_data must have shape (m, {x.shape[1]}) to match x; got shape {training_data.shape}"
        )
    if not np.all(np.isfinite(training_data)):
        raise ValueError("training_data must be finite (no nan or inf)")
    n_samples = as_positive_int(n_samples, "n_samples", minimum=2)
    n = x.shape[1]
    width = (
        0.75 * np.sqrt(n)
        if kernel_width is None
        else check_number(kernel_width, "kernel_width", low=0.0, strict_low=True)
    )
    scale = training_data.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)
    targets = as_targets(target, len(x), m.predict(x[:1]).shape[1])
    # the same seed for every row: the standardised noise, and so the proximity weights, are drawn once
    noise = np.random.RandomState(seed).normal(0.0, 1.0, n_samples * n).reshape(n_samples, n)
    noise[0] = 0.0
    proximity = lime_kernel(np.linalg.norm(noise, axis=1), width)
    fits = []
    for row, t in zip(x.astype(float), targets, strict=True):
        outputs = m.predict(row[None, :] + noise * scale).astype(float)
        coef, intercept, score = weighted_ridge(noise, outputs[:, t], proximity, alpha)
        fits.append((coef / scale, intercept, score, outputs[0, t]))
    weights, intercept, score, prediction = (np.array(column) for column in zip(*fits, strict=True))
    if not return_surrogate:
        return weights
    return weights, LimeResult(weights, intercept, score, targets, prediction, None)
