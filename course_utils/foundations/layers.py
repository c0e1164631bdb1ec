"""Layers that know their backward pass, and an MLP made of them.

* ``Linear`` stores ``W`` with shape ``(n_in, n_out)`` like a Keras Dense kernel
  (PyTorch's ``nn.Linear.weight`` is ``W.T``) and ``b`` with shape ``(n_out,)``;
  it computes ``x @ W + b``.
* ``layer.backward(dout)`` takes dLoss/dOutput, stores the parameter gradients
  and returns dLoss/dInput.
* The MLP outputs **logits**; it accepts MNIST images ``(N, 28, 28)`` and flattens them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from course_utils.foundations.activations import softmax
from course_utils.foundations.losses import cross_entropy, softmax_cross_entropy_grad


class Linear:
    """A fully connected layer: out = x @ W + b, with W (n_in, n_out) and b (n_out,).

    Weights start He-normal (std sqrt(2 / n_in), suited to ReLU), biases at zero.
    ``backward(dout)`` stores dW = x^T dout and db = sum_n dout_n, and returns dx = dout W^T.
    """

    def __init__(self, n_in: int, n_out: int, seed: int = 0, dtype=np.float32):
        if int(n_in) < 1 or int(n_out) < 1:
            raise ValueError(
                f"Linear needs n_in >= 1 and n_out >= 1, got n_in={n_in}, n_out={n_out}"
            )
        rng = np.random.default_rng(seed)
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.W = (rng.standard_normal((self.n_in, self.n_out)) * np.sqrt(2.0 / self.n_in)).astype(
            dtype
        )
        self.b = np.zeros(self.n_out, dtype=dtype)
        self.dW = np.zeros_like(self.W)
        self.db = np.zeros_like(self.b)
        self._x = None

    def __repr__(self) -> str:
        return f"Linear({self.n_in}, {self.n_out}, dtype={self.W.dtype})"

    def forward(self, x):
        """x (N, n_in) -> x @ W + b, shape (N, n_out). Remembers x for the backward pass."""
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.n_in:
            raise ValueError(
                f"Linear({self.n_in}, {self.n_out}).forward expected input of shape (N, {self.n_in}), got {x.shape}"
            )
        x = x.astype(self.W.dtype, copy=False)
        self._x = x
        return x @ self.W + self.b

    def backward(self, dout, input_grad: bool = True):
        """dout = dL/d(out), shape (N, n_out). Sets .dW, .db; returns dL/dx (or None if ``input_grad`` is False)."""
        if self._x is None:
            raise ValueError("Linear.backward called before forward: run forward(x) first")
        dout = np.asarray(dout)
        if dout.shape != (self._x.shape[0], self.n_out):
            raise ValueError(
                f"Linear.backward expected dout of shape ({self._x.shape[0]}, {self.n_out}), got {dout.shape}"
            )
        dout = dout.astype(self.W.dtype, copy=False)
        self.dW = self._x.T @ dout
        self.db = dout.sum(axis=0)
        return dout @ self.W.T if input_grad else None

    def params(self):
        return [self.W, self.b]

    def grads(self):
        return [self.dW, self.db]


class ReLU:
    """The ReLU layer: forward max(z, 0); backward passes dout where z > 0 and blocks it elsewhere."""

    def __init__(self):
        self._mask = None

    def __repr__(self) -> str:
        return "ReLU()"

    def forward(self, z):
        z = np.asarray(z)
        self._mask = z > 0
        return np.where(self._mask, z, 0).astype(z.dtype, copy=False)

    def backward(self, dout, input_grad: bool = True):
        if self._mask is None:
            raise ValueError("ReLU.backward called before forward: run forward(z) first")
        dout = np.asarray(dout)
        if dout.shape != self._mask.shape:
            raise ValueError(
                f"ReLU.backward expected dout of shape {self._mask.shape}, got {dout.shape}"
            )
        return dout * self._mask

    def params(self):
        return []

    def grads(self):
        return []


class MLP:
    """A multi-layer perceptron: Linear, ReLU, Linear, ReLU, ..., Linear -> logits.

    ``sizes=(784, 128, 10)`` gives Linear(784, 128), ReLU, Linear(128, 10).
    Layer ``i`` is seeded with ``seed + i``, so the same seed gives the same network.
    """

    def __init__(self, sizes: Sequence[int] = (784, 128, 10), seed: int = 0, dtype=np.float32):
        sizes = tuple(int(s) for s in sizes)
        if len(sizes) < 2:
            raise ValueError(f"MLP needs at least an input and an output size, got sizes={sizes}")
        self.sizes, self.dtype = sizes, np.dtype(dtype)
        self.layers = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
            self.layers.append(Linear(n_in, n_out, seed=seed + i, dtype=dtype))
            if i < len(sizes) - 2:
                self.layers.append(ReLU())

    def __repr__(self) -> str:
        return "MLP(" + ", ".join(repr(layer) for layer in self.layers) + ")"

    def _flatten(self, x):
        x = np.asarray(x)
        if x.dtype == np.uint8:
            raise ValueError(
                "MLP expects scaled float pixels in [0, 1], got uint8: use data.scale_images(x) first"
            )
        if x.ndim > 2:
            x = x.reshape(len(x), -1)
        if x.ndim != 2 or x.shape[1] != self.sizes[0]:
            raise ValueError(
                f"MLP{self.sizes} expected input of shape (N, {self.sizes[0]}) (or images that flatten to it), got {np.shape(x)}"
            )
        return x

    def forward(self, x):
        """x (N, 784) or (N, 28, 28) -> logits (N, 10)."""
        out = self._flatten(x)
        for layer in self.layers:
            out = layer.forward(out)
        return out

    __call__ = forward

    def backward(self, dlogits, input_grad: bool = True):
        """Backpropagate dL/dlogits through every layer (last to first); fills each layer's grads.

        Returns dL/dx with the flattened input's shape (N, 784), or None when
        ``input_grad`` is False (training does not need it, and skipping it saves a matrix product).
        """
        grad = dlogits
        for i in range(len(self.layers) - 1, -1, -1):
            grad = self.layers[i].backward(grad, input_grad=input_grad or i > 0)
        return grad

    def params(self):
        """The parameter arrays [W1, b1, W2, b2, ...] (the arrays themselves, not copies)."""
        return [p for layer in self.layers for p in layer.params()]

    def grads(self):
        """The gradients [dW1, db1, dW2, db2, ...] from the last backward pass, in params() order."""
        return [g for layer in self.layers for g in layer.grads()]

    def loss_and_grads(self, x, labels):
        """Forward, mean softmax cross-entropy, backward. Returns (loss, grads) with grads in params() order."""
        logits = self.forward(x)
        loss = cross_entropy(logits, labels)
        self.backward(softmax_cross_entropy_grad(logits, labels), input_grad=False)
        return float(loss), self.grads()

    def predict_proba(self, x, batch_size: int = 2048):
        """Class probabilities softmax(logits), shape (N, classes)."""
        x = self._flatten(x)
        return np.concatenate(
            [softmax(self.forward(x[i : i + batch_size])) for i in range(0, len(x), batch_size)]
            or [np.zeros((0, self.sizes[-1]))]
        )

    def predict(self, x, batch_size: int = 2048):
        """Predicted class labels (N,), the argmax of the logits."""
        x = self._flatten(x)
        return np.concatenate(
            [
                self.forward(x[i : i + batch_size]).argmax(axis=1)
                for i in range(0, len(x), batch_size)
            ]
            or [np.zeros(0, dtype=np.int64)]
        )
