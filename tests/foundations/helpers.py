"""What the foundations tests share: numeric derivatives by central differences."""

import numpy as np


def central_diff(f, x, eps=1e-6):
    """Numeric derivative of an elementwise function f at every entry of x (float64)."""
    return (f(x + eps) - f(x - eps)) / (2 * eps)


def numeric_grad(f, x, eps=1e-6):
    """Numeric gradient of a scalar function f(x) with respect to every entry of x."""
    x = np.array(x, dtype=np.float64)
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + eps
        plus = f(x)
        x[i] = old - eps
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * eps)
    return grad
