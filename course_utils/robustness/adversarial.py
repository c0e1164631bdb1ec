r"""Adversarial examples: FGSM and PGD, for any model ``xai.wrap`` understands. NumPy in, NumPy out.

An attack looks for a small change :math:`\delta` of an input :math:`x` (true
class :math:`y`) that raises the model's loss, within an L-infinity ball and
the valid pixel range:

.. math::  \max_{\|\delta\|_\infty \le \varepsilon,\; 0 \le x + \delta \le 1} L(f(x + \delta), y),
           \qquad L = -\log \operatorname{softmax}(z)_y \ \text{(cross-entropy of the logits } z = f(x)).

* FGSM (Goodfellow et al., 2015), one step from a linear approximation of L:
  :math:`x' = \Pi(x + \varepsilon\,\operatorname{sign} \nabla_x L)`.
* PGD (Madry et al., 2018), many small steps, each projected back:
  :math:`x^{t+1} = \Pi(x^t + \alpha\,\operatorname{sign} \nabla_x L(x^t))`, from a random
  start :math:`x^0 = \Pi(x + U(-\varepsilon, \varepsilon))` or from :math:`x^0 = x`.
  With ``restarts=R`` it runs R times from R random starts and keeps, per image, the most
  damaging result (see :func:`pgd`), the usual way to check that a robust accuracy is not an
  artefact of one unlucky start (Madry et al. evaluate with restarts too).

:math:`\Pi` clips every pixel to :math:`[\max(0, x - \varepsilon), \min(1, x + \varepsilon)]`.
The clipping is exact in the returned dtype: ``abs(x_adv - x) <= eps`` holds for every
pixel when computed in float64, and ``0 <= x_adv <= 1``.

The loss gradient from the logit gradients (chain rule)
--------------------------------------------------------
``xai.wrap(model).gradient(x, k)`` gives :math:`\partial z_k / \partial x`, one class at a
time. The loss needs all of them, weighted by :math:`\partial L / \partial z_k`:

.. math::  \nabla_x L = \sum_k \frac{\partial L}{\partial z_k} \nabla_x z_k
           = \sum_k (p_k - [k = y])\, \nabla_x z_k, \qquad p = \operatorname{softmax}(z).

This weighted sum of output gradients is a vector-Jacobian product, the adapter's
``wrap(model).output_and_vjp(x)``: for PyTorch and Keras models the framework's
autograd computes it in one backward pass (``grad_outputs`` / ``output_gradients``
set to the weights); for any other wrapped model (a NumPy function with a gradient)
it sums the K ``wrap.gradient`` calls above. Both give the same numbers (see the
tests); the first needs one backward pass instead of K (``benchmarks/bench_adversarial.py``
times both), which is what makes PGD affordable on a CPU.
For a model that outputs probabilities (``outputs="probabilities"``), L = -log p_y
and the weights are :math:`\partial L / \partial p_k = -[k = y] / p_y`.
"""

from __future__ import annotations

import numpy as np

from course_utils._checks import as_batch, as_positive_int, check_labels, check_number
from course_utils.foundations.activations import softmax
from course_utils.xai.adapter import wrap

OUTPUT_KINDS = ("logits", "probabilities")


# --- checks --------------------------------------------------------------------------


def _check_images(x) -> np.ndarray:
    x = as_batch(x)
    low, high = float(x.min()), float(x.max())
    if low < 0.0 or high > 1.0:
        raise ValueError(
            f"x must hold images scaled to [0, 1] (data.scale_images), got values from {low:g} to {high:g}"
        )
    return x


def _check_eps(eps, name: str = "eps", strictly_positive: bool = False) -> float:
    try:
        return check_number(eps, name, low=0.0, strict_low=strictly_positive)
    except ValueError as err:
        if "finite number" in str(err):
            raise
        raise ValueError(f"{err} (it is a size in pixel units, 0..1)") from None


def _check_outputs(outputs: str) -> str:
    if outputs not in OUTPUT_KINDS:
        raise ValueError(f"outputs must be one of {OUTPUT_KINDS}, got {outputs!r}")
    return outputs


# --- the loss gradient ---------------------------------------------------------------------


def _loss_weights(out: np.ndarray, y: np.ndarray, outputs: str) -> np.ndarray:
    """dL_n / d out_nk for the cross-entropy, shape (N, K), float64."""
    out = out.astype(np.float64)
    onehot = np.eye(out.shape[1])[y]
    if outputs == "logits":
        return softmax(out, axis=1) - onehot
    p_true = np.maximum(out[np.arange(len(y)), y], 1e-12)
    return -onehot / p_true[:, None]


def _loss_and_gradient(wrapped, x, y, outputs):
    out, vjp = wrapped.output_and_vjp(x)
    if out.ndim != 2:
        raise ValueError(
            f"the model must return one row of class scores per image, got shape {out.shape}"
        )
    y = check_labels(y, len(x), out.shape[1], name="y")
    weights = _loss_weights(out, y, outputs)
    return out, np.asarray(vjp(weights)).reshape(x.shape)


def loss_gradient(model, x, y, *, outputs: str = "logits") -> np.ndarray:
    r"""Per-image gradient of the cross-entropy, :math:`\partial L(f(x_n), y_n) / \partial x_n`, shaped like ``x``.

    ``model``: anything ``xai.wrap`` accepts (or an already wrapped model).
    ``outputs``: "logits" (the course's models) or "probabilities" (a softmax output).
    See the module docstring for how it is computed.
    """
    x = _check_images(x)
    _, grad = _loss_and_gradient(wrap(model), x, y, _check_outputs(outputs))
    return grad


# --- the attacks ---------------------------------------------------------------------------


def project(x_adv, x, eps: float) -> np.ndarray:
    r"""Clip ``x_adv`` into :math:`\{x' : \|x' - x\|_\infty \le \varepsilon,\ 0 \le x' \le 1\}`, in ``x``'s dtype.

    The bounds are computed in float64; a value that rounding to float32
    pushes half a unit past a bound is moved one float back inside, so the
    bound holds exactly.
    """
    x = np.asarray(x)
    eps = _check_eps(eps)
    x64 = x.astype(np.float64)
    low, high = np.maximum(x64 - eps, 0.0), np.minimum(x64 + eps, 1.0)
    out = np.clip(np.asarray(x_adv, dtype=np.float64), low, high).astype(x.dtype)
    above, below = out.astype(np.float64) > high, out.astype(np.float64) < low
    out[above] = np.nextafter(out[above], np.array(-np.inf, dtype=x.dtype))
    out[below] = np.nextafter(out[below], np.array(np.inf, dtype=x.dtype))
    return out


def fgsm(model, x, y, eps: float, *, outputs: str = "logits") -> np.ndarray:
    r"""Fast Gradient Sign Method: :math:`x' = \Pi_{x,\varepsilon}(x + \varepsilon\,\operatorname{sign} \nabla_x L(f(x), y))`.

    ``x``: a batch of images in [0, 1] (any shape the model takes, batch first);
    ``y``: the true labels (N,); ``eps`` >= 0 in pixel units. Returns the
    adversarial batch, same shape and dtype as ``x``. Pixels whose gradient
    is exactly 0 do not move.
    """
    x = _check_images(x)
    eps = _check_eps(eps)
    _, grad = _loss_and_gradient(wrap(model), x, y, _check_outputs(outputs))
    return project(x.astype(np.float64) + eps * np.sign(grad), x, eps)


def pgd(
    model,
    x,
    y,
    eps: float,
    alpha: float,
    steps: int,
    random_start: bool = True,
    seed: int = 0,
    *,
    restarts: int = 1,
    outputs: str = "logits",
) -> np.ndarray:
    r"""Projected Gradient Descent (on the loss, so: ascent) in the L-infinity ball.

    :math:`x^0 = \Pi(x + U(-\varepsilon, \varepsilon))` (or :math:`x^0 = x` without random start),
    then ``steps`` times :math:`x^{t+1} = \Pi(x^t + \alpha\,\operatorname{sign} \nabla_x L(f(x^t), y))`.
    ``alpha`` is the step size; a common choice is ``2.5 * eps / steps``.
    With ``steps=1``, ``random_start=False`` and ``alpha >= eps`` it is exactly :func:`fgsm`.
    ``seed`` fixes the random start. Returns an array shaped like ``x``.

    ``restarts=R`` (needs ``random_start=True``) runs the attack from R random starts, the r-th
    drawn as the r-th uniform draw of ``np.random.default_rng(seed)`` (so ``restarts=1`` is the
    single run above, and the first R starts of ``restarts=R + 1`` are those of ``restarts=R``).
    Each image keeps its worst case over the restarts: a result the model misclassifies if any
    restart found one (the one with the highest loss among them), otherwise the one with the
    highest loss :math:`L(f(x^T), y)`. So accuracy on the result never rises with more restarts.
    """
    x = _check_images(x)
    eps = _check_eps(eps)
    alpha = _check_eps(alpha, "alpha", strictly_positive=True)
    steps = as_positive_int(steps, "steps")
    restarts = as_positive_int(restarts, "restarts")
    if restarts > 1 and not random_start:
        raise ValueError(
            f"restarts={restarts} needs random_start=True: without a random start every restart "
            "is the same deterministic run"
        )
    outputs = _check_outputs(outputs)
    wrapped = wrap(model)
    rng = np.random.default_rng(seed)
    best = best_wrong = best_loss = None
    for _ in range(restarts):
        x_adv = x.copy()
        if random_start:
            x_adv = project(x.astype(np.float64) + rng.uniform(-eps, eps, size=x.shape), x, eps)
        for _ in range(steps):
            _, grad = _loss_and_gradient(wrapped, x_adv, y, outputs)
            x_adv = project(x_adv.astype(np.float64) + alpha * np.sign(grad), x, eps)
        if restarts == 1:
            return x_adv
        wrong, loss = _outcome(wrapped, x_adv, y, outputs)
        if best is None:
            best, best_wrong, best_loss = x_adv, wrong, loss
            continue
        better = (wrong & ~best_wrong) | ((wrong == best_wrong) & (loss > best_loss))
        best[better] = x_adv[better]
        best_wrong, best_loss = best_wrong | wrong, np.where(better, loss, best_loss)
    return best


def _outcome(wrapped, x_adv, y, outputs):
    """Per image: is it misclassified, and its cross-entropy loss (float64)."""
    out = wrapped.predict(x_adv).astype(np.float64)
    y = check_labels(y, len(x_adv), out.shape[1], name="y")
    rows = np.arange(len(y))
    if outputs == "logits":
        shifted = out - out.max(axis=1, keepdims=True)
        loss = np.log(np.exp(shifted).sum(axis=1)) - shifted[rows, y]
    else:
        loss = -np.log(np.maximum(out[rows, y], 1e-12))
    return out.argmax(axis=1) != y, loss


def accuracy_under_attack(
    model, x, y, epsilons, attack: str = "fgsm", **attack_kwargs
) -> np.ndarray:
    """Accuracy on ``attack(model, x, y, eps, ...)`` for each eps, float64 (len(epsilons),).

    ``attack`` is "fgsm" or "pgd"; extra keyword arguments go to the attack
    (for "pgd": ``alpha`` (default 2.5 eps / steps), ``steps`` (default 10), ``random_start``, ``seed``,
    ``restarts``).
    eps = 0 gives the clean accuracy.
    """
    if attack not in ("fgsm", "pgd"):
        raise ValueError(f"attack must be 'fgsm' or 'pgd', got {attack!r}")
    wrapped = wrap(model)
    y = np.asarray(y)
    scores = []
    for eps in epsilons:
        if attack == "fgsm":
            x_adv = fgsm(wrapped, x, y, eps, **attack_kwargs)
        else:
            kwargs = dict(attack_kwargs)
            steps = kwargs.pop("steps", 10)
            alpha = kwargs.pop("alpha", None)
            if eps == 0:  # nothing to search: the ball is a point
                x_adv = _check_images(x)
            else:
                x_adv = pgd(
                    wrapped,
                    x,
                    y,
                    eps,
                    alpha if alpha is not None else 2.5 * eps / steps,
                    steps,
                    **kwargs,
                )
        scores.append(float(np.mean(wrapped.predict(x_adv).argmax(axis=1) == y)))
    return np.array(scores)
