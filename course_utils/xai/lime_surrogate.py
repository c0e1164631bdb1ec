"""LIME from scratch: explain one prediction by a weighted linear surrogate fitted around it.

LIME (Ribeiro, Singh & Guestrin, 2016) picks the explanation

    g* = argmin_{g linear}  L(f, g, pi_x) + Omega(g),
    L = sum_k pi_x(z_k) (f(z_k) - g(z'_k))^2,

where z_k are perturbations of x, z'_k their interpretable representation
(which segments are kept, or the feature values), pi_x a proximity kernel
and Omega a complexity penalty. Here, as in the ``lime`` library:

* the kernel is pi(d) = sqrt(exp(-d^2 / kernel_width^2)) = exp(-d^2 / (2 kernel_width^2));
* Omega is a ridge penalty alpha ||w||^2 with alpha = 1 (``sklearn.linear_model.Ridge(alpha=1)``);
* ``score`` is the surrogate's weighted R^2 on the samples (1 is a perfect local fit).

Images: z' in {0, 1}^S switches segments on or off (off = ``hide_value``), the
distance is the cosine distance between z' and the all-ones vector, and the
default segmentation of a 28x28 digit is a 7x7 grid of 4x4-pixel cells (see
:func:`grid_segments` for why). Tabular data: z = x + scale * N(0, 1) per
feature (scale = the training data's standard deviation), the distance is
Euclidean in those standardised units, and the weights are given back per
unit of each input feature, so a linear model's coefficients are recovered.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_utils.xai.adapter import WrappedModel, is_keras_model, is_torch_model, wrap


@dataclass
class LimeResult:
    """A LIME explanation.

    weights : (n_segments,) or (n_features,) -- the surrogate's coefficients: the change of the target
        output when a segment is switched on, or per unit of a tabular feature.
    intercept : the surrogate's value with every segment off (images) or at x itself (tabular).
    score : weighted R^2 of the surrogate on its samples.
    target : the explained output.
    prediction : the model's target output at x.
    segments : (H, W) integer segment map with labels 0..n_segments-1 (images only).
    """

    weights: np.ndarray
    intercept: float
    score: float
    target: int | None
    prediction: float
    segments: np.ndarray | None = None

    def attribution_map(self) -> np.ndarray:
        """Each pixel gets its segment's weight: an (H, W) heat map (images only)."""
        if self.segments is None:
            raise ValueError("attribution_map is for lime_image results, which have segments")
        return self.weights[self.segments]


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


# --- prediction functions ----------------------------------------------------------------------


def _predict_function(predict_fn):
    """A PyTorch / Keras model or a wrapped model becomes its ``predict``; a plain function stays as it is."""
    if isinstance(predict_fn, WrappedModel) or is_torch_model(predict_fn) or is_keras_model(predict_fn):
        return wrap(predict_fn).predict
    if not callable(predict_fn):
        raise ValueError(f"predict_fn must be a function of a batch (or a model wrap accepts), got {type(predict_fn).__name__}")
    return predict_fn


def _outputs(predict, batch, what: str = "predict_fn") -> np.ndarray:
    out = np.asarray(predict(batch), dtype=float)
    returned = out.shape
    if out.ndim == 1:
        out = out[:, None]
    if out.ndim != 2 or out.shape[0] != len(batch):
        raise ValueError(f"{what} must return shape ({len(batch)},) or ({len(batch)}, n_outputs) for a batch of {len(batch)}; it returned shape {returned}")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{what} returned non-finite values (nan or inf)")
    return out


def _pick_target(target, outputs_at_x: np.ndarray) -> int:
    n_outputs = outputs_at_x.shape[-1]
    if target is None:
        return int(np.argmax(outputs_at_x))
    if not isinstance(target, (int, np.integer)) or not 0 <= int(target) < n_outputs:
        raise ValueError(f"target must be an integer in [0, {n_outputs}) (the model has {n_outputs} outputs), got {target!r}")
    return int(target)


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


def _spatial_shape(image: np.ndarray) -> tuple[tuple[int, int], str]:
    """(H, W) and the layout of an image: 'hw', 'chw' (channels first) or 'hwc' (channels last)."""
    if image.ndim == 2:
        return image.shape, "hw"
    if image.ndim == 3 and image.shape[0] <= 4 < image.shape[-1]:
        return image.shape[1:], "chw"
    if image.ndim == 3 and image.shape[-1] <= 4:
        return image.shape[:2], "hwc"
    raise ValueError(f"image must be one image (H, W), (C, H, W) or (H, W, C) with C <= 4, not a batch; got shape {image.shape}")


def segment_masks(segments: np.ndarray, on: np.ndarray) -> np.ndarray:
    """Pixel masks (k, H, W) from segment switches ``on`` (k, n_segments): pixel kept where its segment is on."""
    return np.asarray(on, dtype=bool)[:, segments]


def perturb_image(image: np.ndarray, segments: np.ndarray, on: np.ndarray, hide_value=0.0) -> np.ndarray:
    """The images (k, *image.shape) with segments switched off (set to ``hide_value``) where ``on`` is 0."""
    _, layout = _spatial_shape(image)
    keep = segment_masks(segments, on)
    if layout == "chw":
        keep = keep[:, None, :, :]
    elif layout == "hwc":
        keep = keep[:, :, :, None]
    return np.where(keep, image[None], np.asarray(hide_value, dtype=image.dtype)).astype(image.dtype)


def _check_segments(segments, spatial) -> np.ndarray:
    segments = np.asarray(segments)
    if segments.shape != tuple(spatial):
        raise ValueError(f"segments must be an integer map of the image's spatial shape {tuple(spatial)}, got shape {segments.shape}")
    if not np.issubdtype(segments.dtype, np.integer):
        raise ValueError(f"segments must hold integer labels, got dtype {segments.dtype}")
    _, relabelled = np.unique(segments, return_inverse=True)
    return relabelled.reshape(segments.shape)


def lime_image(
    predict_fn,
    image,
    target=None,
    num_samples: int = 1000,
    segments=None,
    kernel_width: float = 0.25,
    seed: int = 0,
    *,
    hide_value: float = 0.0,
    alpha: float = 1.0,
    batch_size: int = 1000,
) -> LimeResult:
    """LIME for one image: switch segments off at random, weight by proximity, fit a ridge surrogate.

    1. z'_k ~ Bernoulli(1/2)^S for k = 2..num_samples; z'_1 = all ones (the image itself).
       (Drawn with ``np.random.RandomState(seed).randint``, the draws ``lime`` makes with the same seed.)
    2. images with the off segments set to ``hide_value``; y_k = f(image_k)[target].
    3. d_k = cosine distance(z'_k, 1) = 1 - sqrt(|z'_k| / S); pi_k = sqrt(exp(-d_k^2 / kernel_width^2)).
    4. weights, intercept = argmin sum_k pi_k (y_k - w . z'_k - b)^2 + alpha ||w||^2.

    image : (H, W), (C, H, W) or (H, W, C); ``predict_fn`` receives batches (k, *image.shape).
    segments : (H, W) integer map; default a 7 x 7 :func:`grid_segments` (4-pixel cells, 49 segments on a
        28 x 28 digit; why a grid and not superpixels: see :func:`grid_segments`).
    target : which output to explain; default the top output at the image.
    """
    predict = _predict_function(predict_fn)
    image = np.asarray(image)
    spatial, _ = _spatial_shape(image)
    if not np.all(np.isfinite(image)):
        raise ValueError("image must be finite (no nan or inf)")
    if int(num_samples) < 2:
        raise ValueError(f"num_samples must be at least 2 (the image and one perturbation), got {num_samples}")
    if kernel_width <= 0:
        raise ValueError(f"kernel_width must be positive, got {kernel_width}")
    default_cell = max(1, int(np.ceil(min(spatial) / 7)))  # a 7 x 7 grid: 4-pixel cells on a 28 x 28 digit
    segments = grid_segments(*spatial, cell=default_cell) if segments is None else _check_segments(segments, spatial)
    n_segments = int(segments.max()) + 1

    on = np.random.RandomState(seed).randint(0, 2, int(num_samples) * n_segments).reshape(int(num_samples), n_segments)
    on[0, :] = 1
    outputs = np.concatenate(
        [_outputs(predict, perturb_image(image, segments, on[i : i + batch_size], hide_value)) for i in range(0, len(on), batch_size)]
    )
    target = _pick_target(target, outputs[0])
    distances = 1.0 - np.sqrt(on.sum(axis=1) / n_segments)
    coef, intercept, score = weighted_ridge(on, outputs[:, target], lime_kernel(distances, kernel_width), alpha)
    return LimeResult(coef, intercept, score, target, float(outputs[0, target]), segments)


# --- tabular ------------------------------------------------------------------------------------


def lime_tabular(
    predict_fn,
    x,
    training_data,
    target=None,
    num_samples: int = 5000,
    kernel_width=None,
    seed: int = 0,
    *,
    alpha: float = 1.0,
) -> LimeResult:
    """LIME for one row of tabular data: Gaussian perturbations around x, a ridge surrogate in input units.

    1. z_k = x + s * e_k, e_k ~ N(0, I), s = per-feature standard deviation of ``training_data``
       (1 where it is 0); z_1 = x. (Drawn with ``np.random.RandomState(seed).normal``, the draws
       ``lime``'s ``LimeTabularExplainer(sample_around_instance=True)`` makes with the same seed.)
    2. d_k = ||e_k|| (standardised units); pi_k = sqrt(exp(-d_k^2 / kernel_width^2)),
       kernel_width default 0.75 sqrt(n_features) (the ``lime`` default).
    3. ridge (alpha) of y_k = f(z_k)[target] on e_k; ``weights`` = coefficients / s, the change of the
       output per unit of each feature; ``intercept`` = the surrogate's value at x.

    x : (n_features,); training_data : (m, n_features); ``predict_fn`` gets rows (k, n_features).
    """
    predict = _predict_function(predict_fn)
    x = np.asarray(x, dtype=float)
    training_data = np.asarray(training_data, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x must be one row, a 1-D feature vector; got shape {x.shape}")
    if training_data.ndim != 2 or training_data.shape[1] != x.shape[0]:
        raise ValueError(f"training_data must have shape (m, {x.shape[0]}) to match x; got shape {training_data.shape}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(training_data))):
        raise ValueError("x and training_data must be finite (no nan or inf)")
    if int(num_samples) < 2:
        raise ValueError(f"num_samples must be at least 2, got {num_samples}")
    n = x.shape[0]
    width = 0.75 * np.sqrt(n) if kernel_width is None else float(kernel_width)
    if width <= 0:
        raise ValueError(f"kernel_width must be positive, got {kernel_width}")
    scale = training_data.std(axis=0)
    scale = np.where(scale > 0, scale, 1.0)

    noise = np.random.RandomState(seed).normal(0.0, 1.0, int(num_samples) * n).reshape(int(num_samples), n)
    noise[0] = 0.0
    outputs = _outputs(predict, x[None, :] + noise * scale)
    target = _pick_target(target, outputs[0])
    coef, intercept, score = weighted_ridge(noise, outputs[:, target], lime_kernel(np.linalg.norm(noise, axis=1), width), alpha)
    return LimeResult(coef / scale, intercept, score, target, float(outputs[0, target]), None)
