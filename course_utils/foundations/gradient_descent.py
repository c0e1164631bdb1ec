"""Gradient descent on a quadratic bowl: the update rule, its trajectory, and when it converges.

``L(w) = 1/2 sum_i a_i (w_i - c_i)^2`` has gradient ``a (w - c)``; one step
``w <- w - lr * grad(w)`` multiplies the distance to the minimum by ``1 - lr a_i``
along each axis, which decides between converging, oscillating and diverging.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from course_utils._checks import check_learning_rate


def gd_trajectory(
    f: Callable, grad: Callable, w0, lr: float, steps: int
) -> tuple[np.ndarray, np.ndarray]:
    """Run gradient descent ``w <- w - lr * grad(w)`` for ``steps`` steps from ``w0``.

    Returns ``(ws, losses)``: the ``steps + 1`` iterates (``ws[0] = w0``; shape
    ``(steps + 1,) + w0.shape``) and ``f`` at each of them. Once an iterate
    overflows (divergence), the rest of the trajectory is ``inf``.
    """
    lr = check_learning_rate(lr)
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
    lr = check_learning_rate(lr)
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
