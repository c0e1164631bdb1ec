"""A neural network in NumPy: activations, losses, layers, an MLP, optimisers, gradient checking.

Everything Part I of the course derives by hand, written once so later
chapters can use it. Conventions:

* a batch is a 2-D array ``(N, features)``; the MLP also accepts MNIST
  images ``(N, 28, 28)`` and flattens them;
* ``Linear`` stores ``W`` with shape ``(n_in, n_out)`` like a Keras Dense
  kernel (PyTorch's ``nn.Linear.weight`` is ``W.T``) and ``b`` with shape
  ``(n_out,)``; the layer computes ``x @ W + b``;
* the network outputs **logits**; :func:`softmax` turns them into
  probabilities, :func:`cross_entropy` takes logits and integer labels;
* ``*_grad(z)`` is the derivative of the activation at ``z`` (elementwise);
  ``layer.backward(dout)`` takes dLoss/dOutput and returns dLoss/dInput;
* optimisers update the parameter arrays **in place**, so a model and its
  optimiser share the same arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

# --- activations ---------------------------------------------------------------


def sigmoid(z):
    """sigma(z) = 1 / (1 + exp(-z)), computed without overflow for large |z|."""
    z = np.asarray(z)
    e = np.exp(-np.abs(z))  # in (0, 1]: never overflows
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def sigmoid_grad(z):
    """d sigma / dz = sigma(z) (1 - sigma(z))."""
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    """tanh(z) = (exp(z) - exp(-z)) / (exp(z) + exp(-z))."""
    return np.tanh(z)


def tanh_grad(z):
    """d tanh / dz = 1 - tanh(z)^2."""
    t = np.tanh(z)
    return 1 - t * t


def relu(z):
    """relu(z) = max(z, 0)."""
    return np.maximum(z, 0)


def relu_grad(z):
    """d relu / dz = 1 where z > 0, else 0 (we take 0 at the kink z = 0)."""
    z = np.asarray(z)
    return (z > 0).astype(z.dtype if np.issubdtype(z.dtype, np.floating) else float)


def leaky_relu(z, slope: float = 0.01):
    """leaky_relu(z) = z where z > 0, else slope * z."""
    z = np.asarray(z)
    return np.where(z > 0, z, slope * z)


def leaky_relu_grad(z, slope: float = 0.01):
    """d leaky_relu / dz = 1 where z > 0, else slope."""
    z = np.asarray(z)
    dtype = z.dtype if np.issubdtype(z.dtype, np.floating) else float
    return np.where(z > 0, 1, slope).astype(dtype)


def softmax(z, axis: int = -1):
    """softmax(z)_i = exp(z_i - max z) / sum_j exp(z_j - max z).

    Subtracting the maximum leaves the result unchanged (it cancels between
    numerator and denominator) and keeps every exponent <= 0, so nothing overflows.
    """
    z = np.asarray(z)
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(z, axis: int = -1):
    """log softmax(z)_i = z_i - logsumexp(z), with logsumexp(z) = m + log sum_j exp(z_j - m), m = max z."""
    z = np.asarray(z)
    shifted = z - np.max(z, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


# --- losses --------------------------------------------------------------------


def _same_shape(pred, target, name: str):
    pred, target = np.asarray(pred), np.asarray(target)
    if pred.shape != target.shape:
        raise ValueError(
            f"{name}: predictions and targets must have the same shape, got {pred.shape} and {target.shape} "
            "(a (N,) against (N, 1) mismatch would silently broadcast to (N, N))"
        )
    return pred, target


def mse(pred, target):
    """Mean squared error: MSE = 1/n sum_i (pred_i - target_i)^2, averaged over every entry."""
    pred, target = _same_shape(pred, target, "mse")
    return np.mean((pred - target) ** 2)


def mse_grad(pred, target):
    """d MSE / d pred = 2 (pred - target) / n, with n the number of entries."""
    pred, target = _same_shape(pred, target, "mse_grad")
    return 2 * (pred - target) / pred.size


def binary_cross_entropy(p, y):
    """BCE = -1/n sum_i [y_i log p_i + (1 - y_i) log(1 - p_i)], mean over entries.

    ``p`` are probabilities (e.g. a sigmoid's output), ``y`` targets in [0, 1].
    ``p`` is clipped to [eps, 1 - eps] so a confident mistake costs a large,
    finite loss instead of infinity.
    """
    p, y = _same_shape(p, y, "binary_cross_entropy")
    if np.any((p < 0) | (p > 1)) or np.any(np.isnan(p)):
        raise ValueError("binary_cross_entropy: p must be probabilities in [0, 1] (apply sigmoid to logits first)")
    if np.any((y < 0) | (y > 1)):
        raise ValueError(f"binary_cross_entropy: targets y must lie in [0, 1], got values from {y.min()} to {y.max()}")
    dtype = p.dtype if np.issubdtype(p.dtype, np.floating) else np.float64
    eps = np.finfo(dtype).eps
    p = np.clip(p.astype(dtype), eps, 1 - eps)
    return -np.mean(y * np.log(p) + (1 - y) * np.log(1 - p))


def _check_logits_labels(logits, labels, name: str):
    logits, labels = np.asarray(logits), np.asarray(labels)
    if logits.ndim != 2:
        raise ValueError(f"{name}: expected logits of shape (N, classes), got shape {logits.shape}")
    if labels.ndim != 1 or labels.shape[0] != logits.shape[0]:
        raise ValueError(f"{name}: expected integer labels of shape ({logits.shape[0]},), got shape {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise ValueError(f"{name}: expected integer class labels, got dtype {labels.dtype} (one-hot or float labels?)")
    n_classes = logits.shape[1]
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(
            f"{name}: labels must lie in 0..{n_classes - 1} for {n_classes} classes, "
            f"got values from {labels.min()} to {labels.max()}"
        )
    return logits, labels


def cross_entropy(logits, labels):
    """Mean cross-entropy of integer labels under softmax(logits).

    CE = -1/N sum_n log softmax(z_n)[y_n] = 1/N sum_n (logsumexp(z_n) - z_n[y_n]),
    computed with :func:`log_softmax`, so logits of +-1000 give finite numbers.
    """
    logits, labels = _check_logits_labels(logits, labels, "cross_entropy")
    logp = log_softmax(logits, axis=1)
    return -np.mean(logp[np.arange(len(labels)), labels])


def one_hot(labels, n_classes: int, dtype=np.float64):
    """Integer labels (N,) -> one-hot rows (N, n_classes)."""
    labels = np.asarray(labels)
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        raise ValueError(f"one_hot: labels must lie in 0..{n_classes - 1}, got {labels.min()} to {labels.max()}")
    out = np.zeros((labels.size, n_classes), dtype=dtype)
    out[np.arange(labels.size), labels.ravel()] = 1
    return out


def softmax_cross_entropy_grad(logits, labels):
    """d CE / d logits = (softmax(logits) - onehot(labels)) / N: the famous "p - y", averaged over the batch."""
    logits, labels = _check_logits_labels(logits, labels, "softmax_cross_entropy_grad")
    grad = softmax(logits, axis=1)
    grad[np.arange(len(labels)), labels] -= 1
    return grad / len(labels)


# --- layers --------------------------------------------------------------------


class Linear:
    """A fully connected layer: out = x @ W + b, with W (n_in, n_out) and b (n_out,).

    Weights start He-normal (std sqrt(2 / n_in), suited to ReLU), biases at zero.
    ``backward(dout)`` stores dW = x^T dout and db = sum_n dout_n, and returns dx = dout W^T.
    """

    def __init__(self, n_in: int, n_out: int, seed: int = 0, dtype=np.float32):
        if int(n_in) < 1 or int(n_out) < 1:
            raise ValueError(f"Linear needs n_in >= 1 and n_out >= 1, got n_in={n_in}, n_out={n_out}")
        rng = np.random.default_rng(seed)
        self.n_in, self.n_out = int(n_in), int(n_out)
        self.W = (rng.standard_normal((self.n_in, self.n_out)) * np.sqrt(2.0 / self.n_in)).astype(dtype)
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
            raise ValueError(f"Linear({self.n_in}, {self.n_out}).forward expected input of shape (N, {self.n_in}), got {x.shape}")
        x = x.astype(self.W.dtype, copy=False)
        self._x = x
        return x @ self.W + self.b

    def backward(self, dout, input_grad: bool = True):
        """dout = dL/d(out), shape (N, n_out). Sets .dW, .db; returns dL/dx (or None if ``input_grad`` is False)."""
        if self._x is None:
            raise ValueError("Linear.backward called before forward: run forward(x) first")
        dout = np.asarray(dout)
        if dout.shape != (self._x.shape[0], self.n_out):
            raise ValueError(f"Linear.backward expected dout of shape ({self._x.shape[0]}, {self.n_out}), got {dout.shape}")
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
            raise ValueError(f"ReLU.backward expected dout of shape {self._mask.shape}, got {dout.shape}")
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
            raise ValueError("MLP expects scaled float pixels in [0, 1], got uint8: use data.scale_images(x) first")
        if x.ndim > 2:
            x = x.reshape(len(x), -1)
        if x.ndim != 2 or x.shape[1] != self.sizes[0]:
            raise ValueError(f"MLP{self.sizes} expected input of shape (N, {self.sizes[0]}) (or images that flatten to it), got {np.shape(x)}")
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
        return np.concatenate([softmax(self.forward(x[i : i + batch_size])) for i in range(0, len(x), batch_size)] or [np.zeros((0, self.sizes[-1]))])

    def predict(self, x, batch_size: int = 2048):
        """Predicted class labels (N,), the argmax of the logits."""
        x = self._flatten(x)
        return np.concatenate([self.forward(x[i : i + batch_size]).argmax(axis=1) for i in range(0, len(x), batch_size)] or [np.zeros(0, dtype=np.int64)])


# --- optimisers ----------------------------------------------------------------


def _check_lr(lr) -> float:
    if not np.isfinite(lr) or lr <= 0:
        raise ValueError(f"the learning rate must be a positive number, got {lr}")
    return float(lr)


class _Optimiser:
    def __init__(self, params, lr):
        self.params = list(params)
        self.lr = _check_lr(lr)
        for p in self.params:
            if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
                raise ValueError("optimisers update float NumPy arrays in place; got " + type(p).__name__)

    def _check(self, grads):
        grads = list(grads)
        if len(grads) != len(self.params):
            raise ValueError(f"step expected {len(self.params)} gradients (one per parameter), got {len(grads)}")
        for i, (p, g) in enumerate(zip(self.params, grads, strict=True)):
            if np.shape(g) != p.shape:
                raise ValueError(f"gradient {i} has shape {np.shape(g)}, its parameter has shape {p.shape}")
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

    def __init__(self, params, lr: float = 1e-3, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8):
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


# --- gradient checking ---------------------------------------------------------


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
        raise ValueError(f"gradient_check: got {len(analytic)} analytic gradients for {len(params)} parameters")

    numeric = []
    for p in params:
        if not isinstance(p, np.ndarray) or not np.issubdtype(p.dtype, np.floating):
            raise ValueError("gradient_check needs float NumPy arrays that f reads (they are nudged in place)")
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
            raise ValueError(f"gradient_check: analytic gradient of shape {a.shape} for a parameter of shape {n.shape}")
        denom = np.linalg.norm(a) + np.linalg.norm(n)
        errors.append(0.0 if denom == 0 else float(np.linalg.norm(a - n) / denom))
    return numeric, max(errors) if errors else 0.0


# --- training ------------------------------------------------------------------


def accuracy(model, x, y) -> float:
    """Fraction of samples whose predicted class equals the label."""
    return float(np.mean(model.predict(x) == np.asarray(y)))


def train(
    model,
    x,
    y,
    epochs: int,
    batch_size: int = 64,
    lr: float = 1e-3,
    x_val=None,
    y_val=None,
    seed: int = 0,
    progress: bool = True,
    optimizer=None,
    blas_threads: int | None = 1,
):
    """Mini-batch training with Adam (or ``optimizer``) on the mean softmax cross-entropy.

    Each epoch shuffles the training set (seeded), then for every batch:
    forward, loss, backward, one optimiser step. Returns a history dict, one
    entry per epoch: ``loss`` and ``accuracy`` (means over the epoch's
    batches, as Keras reports them) and, when validation data is given,
    ``val_loss`` and ``val_accuracy`` measured after the epoch; also
    ``batch_loss``, every batch's loss.

    ``blas_threads=1`` runs the matrix products on one thread while training:
    for batches this small, threads gain little, and on a busy machine (or a
    shared Binder CPU) waiting threads make an epoch several times slower.
    ``None`` leaves the BLAS library's own setting.
    """
    x = model._flatten(x) if hasattr(model, "_flatten") else np.asarray(x)
    y = np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"train: x has {len(x)} samples but y has {len(y)} labels")
    if int(epochs) < 1 or int(batch_size) < 1:
        raise ValueError(f"train: epochs and batch_size must be >= 1, got epochs={epochs}, batch_size={batch_size}")
    _check_lr(lr)
    if blas_threads is not None and int(blas_threads) < 1:
        raise ValueError(f"train: blas_threads must be None or >= 1, got {blas_threads}")
    x = x.astype(model.dtype, copy=False) if hasattr(model, "dtype") else x
    opt = optimizer if optimizer is not None else Adam(model.params(), lr=lr)
    has_val = x_val is not None and y_val is not None
    if has_val:
        x_val, y_val = model._flatten(x_val), np.asarray(y_val)
    with _blas_limited(blas_threads):
        return _train_loop(model, x, y, int(epochs), int(batch_size), opt, x_val, y_val, has_val, seed, progress)


def _blas_limited(threads):
    """A context that limits the BLAS library to ``threads`` threads (does nothing for None, or without threadpoolctl)."""
    import contextlib

    if threads is None:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # threadpoolctl comes with scikit-learn; without it, train with the default threads
        return contextlib.nullcontext()
    return threadpool_limits(limits=int(threads), user_api="blas")


def _train_loop(model, x, y, epochs, batch_size, opt, x_val, y_val, has_val, seed, progress):
    history = {"loss": [], "accuracy": [], "batch_loss": []}
    if has_val:
        history.update(val_loss=[], val_accuracy=[])
    rng = np.random.default_rng(seed)
    epoch_iter = range(epochs)
    if progress:
        from tqdm.auto import tqdm

        epoch_iter = tqdm(epoch_iter, desc="training", unit="epoch")
    for _ in epoch_iter:
        order = rng.permutation(len(x))
        total_loss, correct = 0.0, 0
        for start in range(0, len(x), batch_size):
            idx = order[start : start + batch_size]
            xb, yb = x[idx], y[idx]
            logits = model.forward(xb)
            loss = float(cross_entropy(logits, yb))
            history["batch_loss"].append(loss)
            total_loss += loss * len(idx)
            correct += int(np.sum(logits.argmax(axis=1) == yb))
            model.backward(softmax_cross_entropy_grad(logits, yb), input_grad=False)
            opt.step(model.grads())
        history["loss"].append(total_loss / len(x))
        history["accuracy"].append(correct / len(x))
        if has_val:
            val_logits = np.concatenate([model.forward(x_val[i : i + 2048]) for i in range(0, len(x_val), 2048)])
            history["val_loss"].append(float(cross_entropy(val_logits, y_val)))
            history["val_accuracy"].append(float(np.mean(val_logits.argmax(axis=1) == y_val)))
        if progress:
            shown = {"loss": f"{history['loss'][-1]:.4f}", "acc": f"{history['accuracy'][-1]:.3f}"}
            if has_val:
                shown["val_acc"] = f"{history['val_accuracy'][-1]:.3f}"
            epoch_iter.set_postfix(shown)
    return history
