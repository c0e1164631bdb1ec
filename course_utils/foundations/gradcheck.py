"""Gradient checking: compare an analytic gradient with central finite differences."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np


def gradient_check(f: Callable, params, eps: float = 1e-6, grads=None):
    """Central differences for every entry of every parameter: dL/dp ~ (L(p + eps) - L(p - eps)) / (2 eps).

    ``f()`` takes no arguments and computes the loss from the current values
    of ``params`` (which are nudged in place and restored). It returns the
    loss, or ``(loss, analytic_grads)`` like ``MLP.loss_and_grads``; the
    analytic gradients can also be passed as ``grads``.

    Returns ``(numeric_grads, max_rel_error)`` where, per parameter,
    rel_error = ||analytic - numeric|| / (||analytic|| + ||numeric||)
    (0 when both are zero), and ``max_rel_error`` is the largest over the
    parameters (None when no analytic gradients were given). Use float64
    parameters: in float32 the differences drown in rounding error.
    """
    params = list(params)

    def loss_of(value):
        return float(value[0] if isinstance(value, tuple) else value)

    first = f()
    if grads is None and isinstance(first, tuple):
        grads = first[1]
    analytic = None if grads is None else [np.array(g, dtype=np.float64, copy=True) for g in grads]
    if analytic is not None and len(analytic) != len(params):
        raise ValueError(
            f"gradient_check: got {len(analytic)} analytic gradients for {len(params)} parameters"
        )

    numeric = []
    for p in params:
        if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
            raise ValueError(
                "gradient_check needs float NumPy arrays that f reads (they are nudged in place)"
            )
        g = np.zeros(p.shape, dtype=np.float64)
        flat, gflat = p.reshape(-1), g.reshape(-1)  # views of p and g
        for i in range(flat.size):
            old = flat[i]
            flat[i] = old + eps
            plus = loss_of(f())
            flat[i] = old - eps
            minus = loss_of(f())
            flat[i] = old
            gflat[i] = (plus - minus) / (2 * eps)
        numeric.append(g)

    if analytic is None:
        return numeric, None
    errors = []
    for a, n in zip(analytic, numeric, strict=True):
        if a.shape != n.shape:
            raise ValueError(
                f"gradient_check: analytic gradient of shape {a.shape} for a parameter of shape {n.shape}"
            )
        denom = np.linalg.norm(a) + np.linalg.norm(n)
        errors.append(0.0 if denom == 0 else float(np.linalg.norm(a - n) / denom))
    return numeric, max(errors) if errors else 0.0
