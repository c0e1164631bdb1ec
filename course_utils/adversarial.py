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

:math:`\Pi` clips every pixel to :math:`[\max(0, x - \varepsilon), \min(1, x + \varepsilon)]`.
The clipping is exact in the returned dtype: ``abs(x_adv - x) <= eps`` holds for every
pixel when computed in float64, and ``0 <= x_adv <= 1``.

The loss gradient from the logit gradients (chain rule)
--------------------------------------------------------
``xai.wrap(model).gradient(x, k)`` gives :math:`\partial z_k / \partial x`, one class at a
time. The loss needs all of them, weighted by :math:`\partial L / \partial z_k`:

.. math::  \nabla_x L = \sum_k \frac{\partial L}{\partial z_k} \nabla_x z_k
           = \sum_k (p_k - [k = y])\, \nabla_x z_k, \qquad p = \operatorname{softmax}(z).

This weighted sum of output gradients is a vector-Jacobian product. For PyTorch
and Keras models :func:`loss_gradient` asks the framework's autograd for it in one
backward pass (``grad_outputs`` / ``output_gradients`` set to the weights); for
any other wrapped model (a NumPy function with a gradient) it sums the K
``wrap.gradient`` calls above. Both give the same numbers (see the tests);
the first needs one backward pass instead of K (``tests/benchmarks/bench_adversarial.py``
times both), which is what makes PGD affordable on a CPU.
For a model that outputs probabilities (``outputs="probabilities"``), L = -log p_y
and the weights are :math:`\partial L / \partial p_k = -[k = y] / p_y`.
"""

from __future__ import annotations

import numbers

import numpy as np

OUTPUT_KINDS = ("logits", "probabilities")


# --- checks --------------------------------------------------------------------------


def _check_images(x) -> np.ndarray:
    from course_utils.xai._checks import as_batch

    x = as_batch(x)
    low, high = float(x.min()), float(x.max())
    if low < 0.0 or high > 1.0:
        raise ValueError(
            f"x must hold images scaled to [0, 1] (data.scale_images), got values from {low:g} to {high:g}"
        )
    return x


def _check_eps(eps, name: str = "eps", strictly_positive: bool = False) -> float:
    if isinstance(eps, (bool, np.bool_)) or not isinstance(eps, numbers.Real) or not np.isfinite(eps):
        raise ValueError(f"{name} must be a finite number, got {eps!r}")
    if eps < 0 or (strictly_positive and eps == 0):
        bound = "> 0" if strictly_positive else ">= 0"
        raise ValueError(f"{name} must be {bound} (it is a size in pixel units, 0..1), got {eps}")
    return float(eps)


def _check_labels(y, n: int, n_classes: int) -> np.ndarray:
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n:
        raise ValueError(f"y must be a 1-D array with one label per image ({n}), got shape {y.shape}")
    if not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must hold integer class labels, got dtype {y.dtype}")
    if y.min() < 0 or y.max() >= n_classes:
        raise ValueError(
            f"labels must be class indices 0..{n_classes - 1} (the model has {n_classes} outputs), "
            f"got values from {y.min()} to {y.max()}"
        )
    return y.astype(np.int64)


def _check_outputs(outputs: str) -> str:
    if outputs not in OUTPUT_KINDS:
        raise ValueError(f"outputs must be one of {OUTPUT_KINDS}, got {outputs!r}")
    return outputs


# --- the loss gradient ---------------------------------------------------------------------


def _forward_with_vjp(wrapped, x: np.ndarray):
    """The model's outputs (N, K) as NumPy, and a function ``vjp(w) = sum_k w[:, k] * d out[:, k] / dx``."""
    if wrapped.framework == "torch" or (wrapped.framework == "keras" and wrapped.backend == "torch"):
        import torch

        model = wrapped.model
        param = next(iter(model.parameters()), None) if wrapped.framework == "torch" else None
        dtype = param.dtype if param is not None else torch.float32
        xt = torch.as_tensor(np.ascontiguousarray(x), dtype=dtype).requires_grad_(True)
        with torch.enable_grad():
            try:
                out = model(xt) if wrapped.framework == "torch" else model(xt, training=False)
            except RuntimeError as err:
                raise ValueError(
                    f"the model could not run on a batch of shape {x.shape} ({err}); "
                    "check the shape the model expects, e.g. (N, 1, 28, 28) for the course CNN"
                ) from err
            out = out.reshape(len(x), -1)

        def vjp(weights):
            (grad,) = torch.autograd.grad(out, xt, grad_outputs=torch.as_tensor(weights, dtype=out.dtype))
            return grad.detach().cpu().numpy()

        return out.detach().cpu().numpy(), vjp
    if wrapped.framework == "keras":  # TensorFlow backend
        import tensorflow as tf

        xt = tf.convert_to_tensor(np.ascontiguousarray(x, dtype=wrapped.dtype))
        with tf.GradientTape() as tape:
            tape.watch(xt)
            out = tf.reshape(wrapped.model(xt, training=False), (len(x), -1))

        def vjp(weights):
            return tape.gradient(out, xt, output_gradients=tf.cast(weights, out.dtype)).numpy()

        return out.numpy(), vjp

    out = wrapped.predict(x)

    def vjp(weights):  # any other wrapped model: the chain rule, one wrap.gradient call per class used
        total = np.zeros(x.shape, dtype=np.float64)
        for k in np.flatnonzero(np.any(weights != 0, axis=0)):
            column = weights[:, k].reshape((-1,) + (1,) * (x.ndim - 1))
            total += column * wrapped.gradient(x, int(k))
        return total

    return out, vjp


def _loss_weights(out: np.ndarray, y: np.ndarray, outputs: str) -> np.ndarray:
    """dL_n / d out_nk for the cross-entropy, shape (N, K), float64."""
    out = out.astype(np.float64)
    onehot = np.eye(out.shape[1])[y]
    if outputs == "logits":
        shifted = out - out.max(axis=1, keepdims=True)
        p = np.exp(shifted)
        p /= p.sum(axis=1, keepdims=True)
        return p - onehot
    p_true = np.maximum(out[np.arange(len(y)), y], 1e-12)
    return -onehot / p_true[:, None]


def _loss_and_gradient(wrapped, x, y, outputs):
    out, vjp = _forward_with_vjp(wrapped, x)
    if out.ndim != 2:
        raise ValueError(f"the model must return one row of class scores per image, got shape {out.shape}")
    y = _check_labels(y, len(x), out.shape[1])
    weights = _loss_weights(out, y, outputs)
    return out, np.asarray(vjp(weights)).reshape(x.shape)


def loss_gradient(model, x, y, *, outputs: str = "logits") -> np.ndarray:
    r"""Per-image gradient of the cross-entropy, :math:`\partial L(f(x_n), y_n) / \partial x_n`, shaped like ``x``.

    ``model``: anything ``xai.wrap`` accepts (or an already wrapped model).
    ``outputs``: "logits" (the course's models) or "probabilities" (a softmax output).
    See the module docstring for how it is computed.
    """
    from course_utils.xai.adapter import wrap

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
    from course_utils.xai.adapter import wrap

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
    outputs: str = "logits",
) -> np.ndarray:
    r"""Projected Gradient Descent (on the loss, so: ascent) in the L-infinity ball.

    :math:`x^0 = \Pi(x + U(-\varepsilon, \varepsilon))` (or :math:`x^0 = x` without random start),
    then ``steps`` times :math:`x^{t+1} = \Pi(x^t + \alpha\,\operatorname{sign} \nabla_x L(f(x^t), y))`.
    ``alpha`` is the step size; a common choice is ``2.5 * eps / steps``.
    With ``steps=1``, ``random_start=False`` and ``alpha >= eps`` it is exactly :func:`fgsm`.
    ``seed`` fixes the random start. Returns an array shaped like ``x``.
    """
    from course_utils.xai._checks import as_positive_int
    from course_utils.xai.adapter import wrap

    x = _check_images(x)
    eps = _check_eps(eps)
    alpha = _check_eps(alpha, "alpha", strictly_positive=True)
    steps = as_positive_int(steps, "steps")
    outputs = _check_outputs(outputs)
    wrapped = wrap(model)
    x_adv = x.copy()
    if random_start:
        rng = np.random.default_rng(seed)
        x_adv = project(x.astype(np.float64) + rng.uniform(-eps, eps, size=x.shape), x, eps)
    for _ in range(steps):
        _, grad = _loss_and_gradient(wrapped, x_adv, y, outputs)
        x_adv = project(x_adv.astype(np.float64) + alpha * np.sign(grad), x, eps)
    return x_adv


def accuracy_under_attack(model, x, y, epsilons, attack: str = "fgsm", **attack_kwargs) -> np.ndarray:
    """Accuracy on ``attack(model, x, y, eps, ...)`` for each eps, float64 (len(epsilons),).

    ``attack`` is "fgsm" or "pgd"; extra keyword arguments go to the attack
    (for "pgd": ``alpha`` (default 2.5 eps / steps), ``steps`` (default 10), ``random_start``, ``seed``).
    eps = 0 gives the clean accuracy.
    """
    from course_utils.xai.adapter import wrap

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
                x_adv = pgd(wrapped, x, y, eps, alpha if alpha is not None else 2.5 * eps / steps, steps, **kwargs)
        scores.append(float(np.mean(wrapped.predict(x_adv).argmax(axis=1) == y)))
    return np.array(scores)
