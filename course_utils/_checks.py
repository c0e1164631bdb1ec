"""The one home of input validation: every module of the package checks its inputs here.

Each check returns the cleaned value or raises a ``ValueError`` that says what was
expected (shape, dtype, range, class index), so a learner never sees a stack trace
from deep inside NumPy or a framework. Imports nothing but NumPy.
"""

from __future__ import annotations

import numbers

import numpy as np


def as_batch(x, name: str = "x") -> np.ndarray:
    """A finite, floating, batch-first array (N, ...) with N >= 1, or a ValueError.

    Integer arrays (such as uint8 digits) are refused rather than silently
    cast: explainers expect the scaled float32 images of ``data.scale_images``.
    """
    try:
        arr = np.asarray(x)
    except Exception as err:  # ragged lists and other oddities
        raise ValueError(
            f"{name} must be an array of numbers, got {type(x).__name__}: {err}"
        ) from err
    if (
        arr.dtype == object
        or not np.issubdtype(arr.dtype, np.number)
        or np.issubdtype(arr.dtype, np.complexfloating)
    ):
        raise ValueError(f"{name} must be a real-valued numeric array, got dtype {arr.dtype}")
    if not np.issubdtype(arr.dtype, np.floating):
        raise ValueError(
            f"{name} must hold floats (scaled images: data.scale_images gives float32 in [0, 1]), got dtype {arr.dtype}"
        )
    if arr.ndim < 2:
        raise ValueError(
            f"{name} must be a batch, shape (N, ...) with the examples along axis 0; got shape {arr.shape}. "
            f"For a single example use {name}[None]."
        )
    if arr.shape[0] == 0:
        raise ValueError(f"{name} is an empty batch (shape {arr.shape}); give at least one example")
    if not np.all(np.isfinite(arr)):
        bad = int(np.size(arr) - np.count_nonzero(np.isfinite(arr)))
        raise ValueError(f"{name} must be finite, but it holds {bad} NaN or infinite value(s)")
    return arr


def as_targets(target, n_rows: int, n_outputs: int) -> np.ndarray:
    """One int64 class index per row, each in [0, n_outputs), from an int or a sequence of ints."""
    if isinstance(target, (bool, np.bool_)):
        raise ValueError(
            f"target must be an int class index or one per row, got the bool {target!r}"
        )
    if isinstance(target, numbers.Integral):
        targets = np.full(n_rows, int(target), dtype=np.int64)
    else:
        try:
            arr = np.asarray(target)
        except Exception as err:
            raise ValueError(
                f"target must be an int or a sequence of ints, got {type(target).__name__}"
            ) from err
        if arr.ndim == 0 and np.issubdtype(arr.dtype, np.integer):
            return as_targets(int(arr), n_rows, n_outputs)
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
            if arr.size and np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)):
                arr = arr.astype(np.int64)
            else:
                raise ValueError(
                    f"target must be an int or a sequence of ints (class indices), got dtype {arr.dtype}: {arr!r}"
                )
        if arr.shape != (n_rows,):
            raise ValueError(
                f"target must be one int, or one int per row: expected shape ({n_rows},), got {arr.shape}"
            )
        targets = arr.astype(np.int64)
    bad = (targets < 0) | (targets >= n_outputs)
    if np.any(bad):
        raise ValueError(
            f"target {int(targets[bad][0])} is outside the model's outputs: expected a class index in 0..{n_outputs - 1}"
        )
    return targets


def as_baseline(baseline, x: np.ndarray) -> np.ndarray:
    """The reference input, broadcast to ``x.shape``: None (zeros), a number, one example, or one per row."""
    if baseline is None:
        return np.zeros_like(x)
    try:
        arr = np.asarray(baseline, dtype=x.dtype)
    except (TypeError, ValueError) as err:
        raise ValueError(f"baseline must be None, a number or an array of numbers: {err}") from err
    if arr.shape not in ((), x.shape[1:], x.shape):
        raise ValueError(
            f"baseline must be None (zeros), a number, one example of shape {x.shape[1:]}, "
            f"or one per row of shape {x.shape}; got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError("baseline must be finite, but it holds NaN or infinite values")
    return np.broadcast_to(arr, x.shape).copy()


def as_positive_int(value, name: str, minimum: int = 1) -> int:
    """An int >= minimum, or a ValueError naming the argument."""
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, numbers.Integral)
        or value < minimum
    ):
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def per_row_target(target, n_rows: int):
    """``target`` as given when it is one int, else as an int array of length ``n_rows`` (range checked later)."""
    if np.ndim(target) == 0:
        return target
    arr = np.asarray(target)
    if arr.shape != (n_rows,):
        raise ValueError(
            f"target must be one int, or one int per row: expected shape ({n_rows},), got {arr.shape}"
        )
    return arr


def repeat_target(target, n_rows: int, n_repeats: int):
    """The targets of ``n_repeats`` stacked copies of a batch of ``n_rows`` (copy-major order)."""
    target = per_row_target(target, n_rows)
    return target if np.ndim(target) == 0 else np.tile(target, n_repeats)


def as_targets_or_none(target, n_rows: int, n_outputs: int, outputs_at_x=None) -> np.ndarray:
    """Like :func:`as_targets`, but ``None`` picks each row's top output from ``outputs_at_x`` (N, K)."""
    if target is None:
        if outputs_at_x is None:
            raise ValueError("target is None: give a class index (or one per row)")
        return np.asarray(outputs_at_x).reshape(n_rows, -1).argmax(axis=1).astype(np.int64)
    return as_targets(target, n_rows, n_outputs)


def check_labels(
    labels, n: int | None = None, n_classes: int = 10, name: str = "labels"
) -> np.ndarray:
    """Integer class labels 0..n_classes-1, one per example, as int64 (N,); ValueError for anything else.

    Floats (even 3.0), booleans, one-hot rows and out-of-range classes are refused.
    """
    array = np.asarray(labels)
    if array.ndim != 1:
        hint = " (one-hot rows? pass labels.argmax(axis=1))" if array.ndim == 2 else ""
        raise ValueError(
            f"{name} must be a 1-D array with one label per image, got shape {array.shape}{hint}"
        )
    if n is not None and len(array) != n:
        raise ValueError(f"{name}: expected {n} labels (one label per image), got {len(array)}")
    if array.dtype == bool or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(
            f"{name} must be integer class labels 0..{n_classes - 1}, got dtype {array.dtype} (one-hot or float labels?)"
        )
    if array.size and (array.min() < 0 or array.max() >= n_classes):
        raise ValueError(
            f"{name} must lie in 0..{n_classes - 1}: expected class indices 0..{n_classes - 1} for {n_classes} classes, "
            f"got values from {array.min()} to {array.max()}"
        )
    return array.astype(np.int64)


def check_outputs(out, n_rows: int, what: str = "the model") -> np.ndarray:
    """A model's outputs for ``n_rows`` inputs as a finite float array (n_rows, K); a 1-D (n_rows,) output becomes one column."""
    out = np.asarray(out)
    returned = out.shape
    if out.ndim == 1 and out.shape[0] == n_rows:
        out = out[:, None]
    if out.ndim != 2 or out.shape[0] != n_rows:
        raise ValueError(
            f"{what} must return one row of outputs per input, shape ({n_rows},) or ({n_rows}, K); it returned shape {returned}"
        )
    if np.issubdtype(out.dtype, np.number) and not np.all(np.isfinite(out)):
        raise ValueError(f"{what} returned non-finite values (nan or inf)")
    return out


def image_layout(shape: tuple[int, ...]) -> str:
    """The layout of one image's shape: 'hw', 'chw' (channels first) or 'hwc' (channels last), channels <= 4."""
    shape = tuple(shape)
    if len(shape) == 2:
        return "hw"
    if len(shape) == 3 and shape[0] <= 4 < shape[-1]:
        return "chw"
    if len(shape) == 3 and shape[-1] <= 4:
        return "hwc"
    raise ValueError(
        f"expected one image of shape (H, W), (C, H, W) or (H, W, C) with at most 4 channels C; got shape {shape}"
    )


def spatial_axes(shape: tuple[int, ...]) -> tuple[int, ...]:
    """The image axes (of one example of ``shape``) that hold height and width; a vector's one axis."""
    if len(shape) == 1:
        return (0,)
    return {"hw": (0, 1), "chw": (1, 2), "hwc": (0, 1)}[image_layout(shape)]


def mnist_images(images, layout: str) -> np.ndarray:
    """Scaled digits as float32 in ``layout`` 'nchw' (N, 1, 28, 28), 'nhwc' (N, 28, 28, 1) or 'nhw' (N, 28, 28).

    Accepts (N, 28, 28) and the requested 4-D layout; refuses uint8 pixels (scale them first)
    and the other framework's layout with a message that names both.
    """
    array = np.asarray(images)
    if array.dtype == np.uint8:
        raise ValueError(
            "expected images scaled to [0, 1] (float32); got uint8 pixels: use data.scale_images(x) first"
        )
    other = {
        "nchw": (
            (28, 28, 1),
            "channels-last (N, 28, 28, 1), the Keras layout; PyTorch wants (N, 1, 28, 28) or (N, 28, 28)",
        ),
        "nhwc": (
            (1, 28, 28),
            "channels-first (N, 1, 28, 28), the PyTorch layout; Keras wants (N, 28, 28, 1) or (N, 28, 28)",
        ),
    }
    if layout in other and array.ndim == 4 and array.shape[1:] == other[layout][0]:
        raise ValueError(f"got {other[layout][1]}")
    if array.ndim == 4 and array.shape[1:] in ((1, 28, 28), (28, 28, 1)):
        array = array.reshape(len(array), 28, 28)
    if array.ndim != 3 or array.shape[1:] != (28, 28):
        accepted = {
            "nchw": "(N, 28, 28) or (N, 1, 28, 28)",
            "nhwc": "(N, 28, 28) or (N, 28, 28, 1)",
            "nhw": "(N, 28, 28)",
        }
        raise ValueError(f"expected images of shape {accepted[layout]}, got {array.shape}")
    array = np.ascontiguousarray(array, dtype=np.float32)
    return {"nchw": array[:, None], "nhwc": array[..., None], "nhw": array}[layout]


def check_learning_rate(lr) -> float:
    """A finite learning rate > 0 as a float, or a ValueError."""
    if (
        isinstance(lr, (bool, np.bool_))
        or not isinstance(lr, numbers.Real)
        or not np.isfinite(lr)
        or lr <= 0
    ):
        raise ValueError(f"the learning rate must be a positive number, got {lr!r}")
    return float(lr)


def check_number(
    value,
    name: str,
    *,
    low: float | None = None,
    high: float | None = None,
    strict_low: bool = False,
) -> float:
    """A finite real number within [low, high] (``strict_low``: > low), as a float, or a ValueError naming it."""
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, numbers.Real)
        or not np.isfinite(value)
    ):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    if low is not None and (value <= low if strict_low else value < low):
        raise ValueError(f"{name} must be {'>' if strict_low else '>='} {low:g}, got {value!r}")
    if high is not None and value > high:
        raise ValueError(f"{name} must be <= {high:g}, got {value!r}")
    return float(value)


def check_attributions(attributions, x: np.ndarray) -> np.ndarray:
    """An explanation of the batch ``x``: finite, float64, exactly ``x``'s shape."""
    attributions = np.asarray(attributions, dtype=float)
    if attributions.shape != x.shape:
        raise ValueError(
            f"attributions must have the shape of x {x.shape}, got {attributions.shape}"
        )
    if not np.all(np.isfinite(attributions)):
        raise ValueError("attributions must be finite (no nan or inf)")
    return attributions
