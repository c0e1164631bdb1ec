"""Gradient explanations: saliency, gradient x input, SmoothGrad. Each is a few lines on top of ``wrap``."""

from __future__ import annotations

import numbers

import numpy as np

from course_utils._checks import as_batch, as_positive_int, repeat_target
from course_utils.xai.adapter import wrap


def saliency(model, x, target, absolute: bool = True) -> np.ndarray:
    r"""Vanilla gradient (Simonyan et al., 2014): how much each input moves the target output.

    $$S(x)_i = \left|\frac{\partial f_t(x)}{\partial x_i}\right|$$

    (without the absolute value when ``absolute=False``). Shape of ``x``.
    """
    grad = wrap(model).gradient(as_batch(x), target)
    return np.abs(grad) if absolute else grad


def gradient_x_input(model, x, target) -> np.ndarray:
    r"""Gradient times input (Shrikumar et al., 2016): the first-order Taylor term of each input.

    $$A(x)_i = x_i\,\frac{\partial f_t(x)}{\partial x_i}$$

    For a linear model $f(x) = w^\top x + b$ it is $w_i x_i$, and its sum is $f(x) - b$.
    """
    x = as_batch(x)
    return x * wrap(model).gradient(x, target)


def smoothgrad(
    model,
    x,
    target,
    n_samples: int = 50,
    noise_level: float = 0.15,
    seed: int = 0,
    *,
    batch_size: int = 1024,
) -> np.ndarray:
    r"""SmoothGrad (Smilkov et al., 2017): the gradient averaged over noisy copies of the input.

    $$\hat S(x) = \frac{1}{n}\sum_{k=1}^{n} \frac{\partial f_t}{\partial x}\big(x + \varepsilon_k\big),
    \qquad \varepsilon_k \sim \mathcal N(0, \sigma^2),\quad \sigma = \text{noise\_level}\,(\max x - \min x)$$

    with $\max x - \min x$ taken per example. Every example gets the same standard-normal
    draws, ``np.random.default_rng(seed).normal(size=(n_samples,) + x.shape[1:])``, times its
    own sigma: an example's map depends only on the example and the seed, never on the batch
    it sits in. Returns the signed mean gradient (take ``np.abs`` for a map of magnitudes).
    ``batch_size`` rows of noisy copies go through the model at a time.
    """
    x = as_batch(x)
    n_samples = as_positive_int(n_samples, "n_samples")
    if not isinstance(noise_level, numbers.Real) or not np.isfinite(noise_level) or noise_level < 0:
        raise ValueError(
            f"noise_level must be a finite number >= 0 (a fraction of each input's range), got {noise_level!r}"
        )
    m = wrap(model)
    axes = tuple(range(1, x.ndim))
    sigma = noise_level * (x.max(axis=axes, keepdims=True) - x.min(axis=axes, keepdims=True))
    draws = np.random.default_rng(seed).normal(size=(n_samples, 1, *x.shape[1:])).astype(x.dtype)
    noisy = (x[None] + draws * sigma).reshape(n_samples * len(x), *x.shape[1:])
    grads = m.gradient(noisy, repeat_target(target, len(x), n_samples), batch_size=batch_size)
    return grads.reshape(n_samples, *x.shape).mean(axis=0)
