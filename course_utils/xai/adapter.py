"""One adapter for every model: ``wrap(model)`` gives ``predict(x)`` and ``gradient(x, target)`` in NumPy.

    m = wrap(model)            # a PyTorch nn.Module, a Keras model, or a NumPy function
    m.predict(x)               # f(x), the model's output for a batch, shape (N, K)
    m.gradient(x, target)      # d f(x)[n, target[n]] / d x[n], the shape of x

The explainers are written once on top of these two methods. The framework
is recognised from the model's class names (its MRO), so nothing is imported
until a model of that framework is wrapped, and then only that framework.
"""

from __future__ import annotations

import warnings

import numpy as np

from course_utils.xai._checks import as_batch, as_positive_int, as_targets, per_row_target


def _class_modules(obj) -> list[tuple[str, str]]:
    return [(cls.__module__ or "", cls.__name__) for cls in type(obj).__mro__]


def is_torch_model(obj) -> bool:
    """True for a ``torch.nn.Module`` (checked by class name, without importing torch)."""
    return any(mod.split(".")[0] == "torch" and name == "Module" for mod, name in _class_modules(obj))


def is_keras_model(obj) -> bool:
    """True for a Keras 3 (or tf.keras) model or layer (checked by class name, without importing keras)."""
    for mod, name in _class_modules(obj):
        top = mod.split(".")[0]
        if name in ("Model", "Layer", "Operation") and (top in ("keras", "tf_keras") or (top == "tensorflow" and "keras" in mod)):
            return True
    return False


def _chunks(n: int, batch_size: int | None):
    step = n if batch_size is None else as_positive_int(batch_size, "batch_size")
    for start in range(0, n, step):
        yield slice(start, min(n, start + step))


class WrappedModel:
    """Base class: ``predict`` and ``gradient`` on NumPy batches; subclasses supply one batch at a time."""

    framework = "?"

    def __init__(self, model):
        self.model = model

    def __repr__(self) -> str:
        return f"{type(self).__name__}({type(self.model).__name__}, framework={self.framework!r})"

    def __call__(self, x):
        return self.predict(x)

    def predict(self, x, batch_size: int | None = None) -> np.ndarray:
        """The model's output for the batch ``x``, shape (N, K), as NumPy (float32 for float32 models)."""
        x = as_batch(x)
        outs = [self._as_2d(self._predict(x[s]), len(x[s])) for s in _chunks(len(x), batch_size)]
        return np.concatenate(outs)

    def gradient(self, x, target, batch_size: int | None = None) -> np.ndarray:
        r"""The gradient $\partial f_{t_n}(x_n) / \partial x_n$ for every row n, same shape as ``x``.

        ``target`` is one class index for all rows or one per row.
        ``batch_size`` splits a large batch into chunks (None: one pass).
        """
        x = as_batch(x)
        target = per_row_target(target, len(x))
        grads = []
        for s in _chunks(len(x), batch_size):
            rows = target if np.ndim(target) == 0 else target[s]
            grads.append(self._gradient(x[s], rows))
        return np.concatenate(grads).reshape(x.shape)

    @staticmethod
    def _as_2d(out: np.ndarray, n: int) -> np.ndarray:
        out = np.asarray(out)
        if out.ndim == 1 and out.shape[0] == n:
            return out[:, None]
        if out.ndim != 2 or out.shape[0] != n:
            raise ValueError(f"the model must return one row of outputs per input, shape ({n}, K); it returned shape {out.shape}")
        return out

    def _predict(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _gradient(self, x: np.ndarray, target) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError


class TorchModel(WrappedModel):
    """A PyTorch ``nn.Module``; the gradient comes from ``torch.autograd.grad``."""

    framework = "torch"

    def __init__(self, model):
        super().__init__(model)
        import torch

        self._torch = torch
        param = next(iter(model.parameters()), None)
        self.dtype = param.dtype if param is not None else torch.float32
        self.device = param.device if param is not None else torch.device("cpu")
        random_layers = [type(m).__name__ for m in model.modules() if m.training and type(m).__name__.startswith(("Dropout", "BatchNorm", "AlphaDropout"))]
        if random_layers:
            warnings.warn(
                f"{type(model).__name__} is in training mode, so its {random_layers[0]} layer changes the output from call to call. "
                "Call model.eval() before explaining it.",
                stacklevel=3,
            )

    def _tensor(self, x: np.ndarray):
        return self._torch.as_tensor(np.ascontiguousarray(x), dtype=self.dtype, device=self.device)

    def _forward(self, xt):
        try:
            return self.model(xt)
        except RuntimeError as err:
            raise ValueError(
                f"the model could not run on a batch of shape {tuple(xt.shape)} ({err}). "
                "Inputs are batch-first, (N, ...) with N examples; check the shape the model expects."
            ) from err

    def _predict(self, x):
        with self._torch.no_grad():
            return self._forward(self._tensor(x)).detach().cpu().numpy()

    def _gradient(self, x, target):
        torch = self._torch
        xt = self._tensor(x).requires_grad_(True)
        with torch.enable_grad():
            out = self._forward(xt)
            out2d = out.reshape(len(x), -1)
            rows = torch.as_tensor(as_targets(target, len(x), out2d.shape[1]), device=self.device)
            picked = out2d.gather(1, rows[:, None]).sum()
            (grad,) = torch.autograd.grad(picked, xt)
        return grad.detach().cpu().numpy()


class KerasModel(WrappedModel):
    """A Keras 3 model; the gradient comes from its backend (TensorFlow's GradientTape or torch autograd)."""

    framework = "keras"

    def __init__(self, model):
        super().__init__(model)
        import keras

        self._keras = keras
        self.backend = keras.backend.backend()
        if self.backend not in ("tensorflow", "torch"):
            raise ValueError(f"wrap supports Keras on the tensorflow or torch backend, not {self.backend!r}")
        self.dtype = getattr(model, "compute_dtype", None) or "float32"
        try:
            shape = model.input_shape if getattr(model, "built", False) else None
        except Exception:  # subclassed or unbuilt models have no fixed input shape
            shape = None
        self.input_shape = tuple(shape) if isinstance(shape, tuple) else None

    def _check_shape(self, x):
        expected = self.input_shape
        if expected is not None and (
            len(expected) != x.ndim or any(e is not None and e != s for e, s in zip(expected[1:], x.shape[1:], strict=False))
        ):
            raise ValueError(f"the Keras model expects inputs of shape {expected} (batch first), got {x.shape}")

    def _predict(self, x):
        self._check_shape(x)
        out = self.model(x.astype(self.dtype, copy=False), training=False)
        return self._keras.ops.convert_to_numpy(out)

    def _gradient(self, x, target):
        self._check_shape(x)
        x = np.ascontiguousarray(x, dtype=self.dtype)
        if self.backend == "tensorflow":
            import tensorflow as tf

            xt = tf.convert_to_tensor(x)
            with tf.GradientTape() as tape:
                tape.watch(xt)
                out = tf.reshape(self.model(xt, training=False), (len(x), -1))
                rows = as_targets(target, len(x), int(out.shape[1]))
                picked = tf.reduce_sum(tf.gather(out, rows, axis=1, batch_dims=1))
            return tape.gradient(picked, xt).numpy()
        import torch

        xt = torch.as_tensor(x).requires_grad_(True)
        with torch.enable_grad():
            out = self.model(xt, training=False).reshape(len(x), -1)
            rows = torch.as_tensor(as_targets(target, len(x), out.shape[1]))
            (grad,) = torch.autograd.grad(out.gather(1, rows[:, None]).sum(), xt)
        return grad.detach().cpu().numpy()


class NumpyFunction(WrappedModel):
    """A plain function from a NumPy batch to outputs. ``predict`` only, unless a ``gradient`` function is given."""

    framework = "numpy"

    def __init__(self, fn, gradient=None):
        super().__init__(fn)
        self._gradient_fn = gradient

    def _predict(self, x):
        return np.asarray(self.model(x))

    def _gradient(self, x, target):
        if self._gradient_fn is None:
            raise TypeError(
                "this model is a plain NumPy function, so it has predict() only. Gradient methods need a PyTorch "
                "or Keras model, or wrap(fn, gradient=grad_fn) with grad_fn(x, target) -> array shaped like x. "
                "Model-agnostic methods (occlusion, LIME, SHAP) need only predict()."
            )
        n_outputs = self._as_2d(self._predict(x), len(x)).shape[1]
        grad = np.asarray(self._gradient_fn(x, as_targets(target, len(x), n_outputs)))
        if grad.shape != x.shape:
            raise ValueError(f"the gradient function returned shape {grad.shape}; expected the input's shape {x.shape}")
        return grad


def wrap(model, gradient=None) -> WrappedModel:
    """Turn a PyTorch ``nn.Module``, a Keras model or a NumPy function into an object with
    ``predict(x)`` and ``gradient(x, target)``.

    Already-wrapped models are returned unchanged. For a NumPy function,
    ``gradient`` may supply ``grad_fn(x, target) -> array shaped like x``.
    PyTorch or TensorFlow is imported only when a model of theirs is wrapped.
    """
    if isinstance(model, WrappedModel):
        return model
    if is_torch_model(model):
        return TorchModel(model)
    if is_keras_model(model):
        return KerasModel(model)
    if callable(model):
        return NumpyFunction(model, gradient=gradient)
    raise TypeError(
        f"wrap expects a PyTorch nn.Module, a Keras model or a function from a NumPy batch to outputs; got {type(model).__name__}"
    )
