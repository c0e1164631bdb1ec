"""Input checks shared by every explainer: each bad input gets a ValueError that says what was expected."""

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
        raise ValueError(f"{name} must be an array of numbers, got {type(x).__name__}: {err}") from err
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number) or np.issubdtype(arr.dtype, np.complexfloating):
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
        raise ValueError(f"target must be an int class index or one per row, got the bool {target!r}")
    if isinstance(target, numbers.Integral):
        targets = np.full(n_rows, int(target), dtype=np.int64)
    else:
        try:
            arr = np.asarray(target)
        except Exception as err:
            raise ValueError(f"target must be an int or a sequence of ints, got {type(target).__name__}") from err
        if arr.ndim == 0 and np.issubdtype(arr.dtype, np.integer):
            return as_targets(int(arr), n_rows, n_outputs)
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
            if arr.size and np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)):
                arr = arr.astype(np.int64)
            else:
                raise ValueError(f"target must be an int or a sequence of ints (class indices), got dtype {arr.dtype}: {arr!r}")
        if arr.shape != (n_rows,):
            raise ValueError(f"target must be one int, or one int per row: expected shape ({n_rows},), got {arr.shape}")
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
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an int >= {minimum}, got {value!r}")
    return int(value)


def per_row_target(target, n_rows: int):
    """``target`` as given when it is one int, else as an int array of length ``n_rows`` (range checked later)."""
    if np.ndim(target) == 0:
        return target
    arr = np.asarray(target)
    if arr.shape != (n_rows,):
        raise ValueError(f"target must be one int, or one int per row: expected shape ({n_rows},), got {arr.shape}")
    return arr


def repeat_target(target, n_rows: int, n_repeats: int):
    """The targets of ``n_repeats`` stacked copies of a batch of ``n_rows`` (copy-major order)."""
    target = per_row_target(target, n_rows)
    return target if np.ndim(target) == 0 else np.tile(target, n_repeats)
