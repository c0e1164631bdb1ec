r"""Integrated Gradients (Sundararajan, Taly and Yan, 2017): gradients summed along a straight path.

$$\mathrm{IG}_i(x) = (x_i - x'_i)\int_0^1 \frac{\partial f_t}{\partial x_i}\big(x' + \alpha (x - x')\big)\,d\alpha
\;\approx\; (x_i - x'_i)\sum_{k=1}^{m} w_k\,\frac{\partial f_t}{\partial x_i}\big(x' + \alpha_k (x - x')\big)$$

Completeness: $\sum_i \mathrm{IG}_i(x) = f_t(x) - f_t(x')$, exactly for the integral and
up to the quadrature error for the sum.
"""

from __future__ import annotations

import numpy as np

from course_utils._checks import (
    as_baseline,
    as_batch,
    as_positive_int,
    per_row_target,
    repeat_target,
)
from course_utils.xai.adapter import wrap

METHODS = ("gausslegendre", "riemann_trapezoid", "riemann_left", "riemann_right", "riemann_middle")


def integration_rule(
    method: str = "gausslegendre", n_steps: int = 50
) -> tuple[np.ndarray, np.ndarray]:
    r"""Nodes $\alpha_k$ in [0, 1] and weights $w_k$ (summing to 1) of a quadrature rule for $\int_0^1 g(\alpha)\,d\alpha$.

    - ``gausslegendre``: Legendre nodes $u_k$ and weights $v_k$ on [-1, 1] mapped to [0, 1],
      $\alpha_k = (1 + u_k)/2$, $w_k = v_k/2$; exact for polynomials of degree up to $2m - 1$.
    - ``riemann_trapezoid``: the textbook trapezoid rule, $\alpha_k = k/(m-1)$ for $k = 0..m-1$,
      $w_k = 1/(m-1)$ except $w_0 = w_{m-1} = 1/(2(m-1))$. (Captum 0.9 keeps these nodes but uses
      weights $1/m$ and $1/(2m)$, which sum to $(m-1)/m$: its result is ours times $(m-1)/m$.)
    - ``riemann_left`` / ``riemann_right`` / ``riemann_middle``: $\alpha_k = k/m$, $(k+1)/m$,
      $(k + 1/2)/m$ for $k = 0..m-1$, all with $w_k = 1/m$.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    n = as_positive_int(n_steps, "n_steps", minimum=2 if method == "riemann_trapezoid" else 1)
    k = np.arange(n, dtype=np.float64)
    if method == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(n)
        return 0.5 * (1.0 + nodes), 0.5 * weights
    if method == "riemann_trapezoid":
        weights = np.full(n, 1.0 / (n - 1))
        weights[[0, -1]] /= 2
        return k / (n - 1), weights
    offset = {"riemann_left": 0.0, "riemann_right": 1.0, "riemann_middle": 0.5}[method]
    return (k + offset) / n, np.full(n, 1.0 / n)


def integrated_gradients(
    model,
    x,
    target,
    baseline=None,
    n_steps: int = 50,
    method: str = "gausslegendre",
    batch_size: int | None = 1024,
    return_delta: bool = False,
):
    r"""Integrated Gradients of ``model``'s output ``target`` for the batch ``x``, shape of ``x``.

    $$\mathrm{IG}(x) = (x - x') \odot \sum_{k} w_k\, \nabla f_t\big(x' + \alpha_k (x - x')\big)$$

    with the nodes and weights of :func:`integration_rule`. ``baseline`` $x'$: None
    (zeros: a black image), a number, one example or one per row. The $m \times N$
    path points go through the model in chunks of ``batch_size`` rows (None: all in
    one pass, which for 100 digits and 50 steps takes hundreds of MB in a CNN).
    With ``return_delta=True`` also returns the completeness gap per row,
    $\delta = \sum_i \mathrm{IG}_i(x) - \big(f_t(x) - f_t(x')\big)$.
    """
    x = as_batch(x)
    base = as_baseline(baseline, x)
    target = per_row_target(target, len(x))
    alphas, weights = integration_rule(method, n_steps)
    m = wrap(model)
    diff = x - base
    shape = (len(alphas),) + (1,) * x.ndim
    points = (
        base[None] + alphas.astype(x.dtype).reshape(shape) * diff[None]
    )  # (m, N, ...), step-major
    grads = m.gradient(
        points.reshape(-1, *x.shape[1:]),
        repeat_target(target, len(x), len(alphas)),
        batch_size=batch_size,
    )
    mean_grad = np.tensordot(weights, grads.reshape(len(alphas), *x.shape), axes=1)
    attributions = (diff * mean_grad).astype(x.dtype, copy=False)
    if not return_delta:
        return attributions
    return attributions, completeness_gap(m, attributions, x, base, target)


def completeness_gap(model, attributions, x, baseline, target) -> np.ndarray:
    r"""Per row, $\sum_i A_i - \big(f_t(x) - f_t(x')\big)$: zero for an attribution that is complete.

    Computed in float64 from the model's outputs at ``x`` and at the baseline.
    """
    x = as_batch(x)
    base = as_baseline(baseline, x)
    m = wrap(model)
    out = m.predict(np.concatenate([x, base])).astype(np.float64)
    rows = np.arange(len(x))
    target = np.broadcast_to(np.asarray(per_row_target(target, len(x))), (len(x),))
    if np.any((target < 0) | (target >= out.shape[1])):
        raise ValueError(f"target must be a class index in 0..{out.shape[1] - 1}, got {target}")
    change = out[rows, target] - out[len(x) + rows, target]
    total = np.asarray(attributions, dtype=np.float64).reshape(len(x), -1).sum(axis=1)
    return total - change
