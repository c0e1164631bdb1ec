"""Optimisers that update NumPy parameter arrays in place: SGD, momentum, Adam.

A model and its optimiser share the same arrays, so ``opt.step(grads)``
changes the model. Each step checks one gradient per parameter, of its shape.
"""

from __future__ import annotations

import numpy as np

from course_utils._checks import check_learning_rate


class _Optimiser:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = check_learning_rate(lr)
        for p in self.params:
            if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
                raise ValueError(
                    "optimisers update float NumPy arrays in place; got " + type(p).__name__
                )

    def _check(self, grads):
        grads = list(grads)
        if len(grads) != len(self.params):
            raise ValueError(
                f"step expected {len(self.params)} gradients (one per parameter), got {len(grads)}"
            )
        for i, (p, g) in enumerate(zip(self.params, grads, strict=True)):
            if np.shape(g) != p.shape:
                raise ValueError(
                    f"gradient {i} has shape {np.shape(g)}, its parameter has shape {p.shape}"
                )
        return grads


class SGD(_Optimiser):
    """Plain gradient descent: p <- p - lr * g."""

    def step(self, grads):
        for p, g in zip(self.params, self._check(grads), strict=True):
            p -= self.lr * g


class Momentum(_Optimiser):
    """Gradient descent with momentum (PyTorch's convention): v <- beta v + g; p <- p - lr v."""

    def __init__(self, params, lr, beta: float = 0.9):
        super().__init__(params, lr)
        if not 0 <= beta < 1:
            raise ValueError(f"momentum beta must lie in [0, 1), got {beta}")
        self.beta = beta
        self.velocity = [np.zeros_like(p) for p in self.params]

    def step(self, grads):
        for p, g, v in zip(self.params, self._check(grads), self.velocity, strict=True):
            v *= self.beta
            v += g
            p -= self.lr * v


class Adam(_Optimiser):
    """Adam (Kingma & Ba, 2015), step t = 1, 2, ...:

    m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2
    m_hat = m / (1 - beta1^t);     v_hat = v / (1 - beta2^t)
    p <- p - lr m_hat / (sqrt(v_hat) + eps)
    """

    def __init__(
        self, params, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8
    ):
        super().__init__(params, lr)
        if not (0 <= beta1 < 1 and 0 <= beta2 < 1):
            raise ValueError(f"Adam's betas must lie in [0, 1), got beta1={beta1}, beta2={beta2}")
        self.beta1, self.beta2, self.eps = beta1, beta2, eps
        self.m = [np.zeros_like(p) for p in self.params]
        self.v = [np.zeros_like(p) for p in self.params]
        self._scratch = [np.empty_like(p) for p in self.params]
        self.t = 0

    def step(self, grads):
        grads = self._check(grads)
        self.t += 1
        correction1 = 1 - self.beta1**self.t
        correction2 = 1 - self.beta2**self.t
        for p, g, m, v, tmp in zip(self.params, grads, self.m, self.v, self._scratch, strict=True):
            # the formulas above, written with in-place operations so no temporary arrays are allocated
            m *= self.beta1
            m += np.multiply(g, 1 - self.beta1, out=tmp)  # m = beta1 m + (1 - beta1) g
            v *= self.beta2
            np.multiply(g, g, out=tmp)
            tmp *= 1 - self.beta2
            v += tmp  # v = beta2 v + (1 - beta2) g^2
            np.divide(v, correction2, out=tmp)
            np.sqrt(tmp, out=tmp)
            tmp += self.eps  # sqrt(v_hat) + eps
            np.divide(m, tmp, out=tmp)
            tmp *= self.lr / correction1  # lr m_hat / (sqrt(v_hat) + eps)
            p -= tmp
