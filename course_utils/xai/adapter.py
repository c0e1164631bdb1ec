"""One adapter for every model, and the only code that knows a framework.

    m = wrap(model)            # a PyTorch nn.Module, a Keras model, or a NumPy function
    m.predict(x)               # f(x), the model's output for a batch, shape (N, K)
    m.gradient(x, target)      # d f(x)[n, target[n]] / d x[n], the shape of x
    m.output_and_vjp(x)        # f(x) and w -> sum_k w[:, k] d f_k / d x (one backward pass)
    m.layers()                 # (name, layer) of the layers with parameters, input to output
    m.copy(); m.reinitialize(name, seed)   # for the parameter-randomisation test
    m.module_chain(example)    # a PyTorch model's modules in forward order (DeepLIFT)

The explainers, attacks and metrics are written once on top of these methods.
The framework is recognised from the model's class names (its MRO), so nothing
is imported until a model of that framework is wrapped, and then only that framework.
"""

from __future__ import annotations

import copy
import warnings

import numpy as np

from course_utils._checks import (
    as_batch,
    as_positive_int,
    as_targets,
    check_outputs,
    per_row_target,
)


def _class_modules(obj) -> list[tuple[str, str]]:
    return [(cls.__module__ or "", cls.__name__) for cls in type(obj).__mro__]


def is_torch_model(obj) -> bool:
    """True for a ``torch.nn.Module`` (checked by class name, without importing torch)."""
    return any(
        mod.split(".")[0] == "torch" and name == "Module" for mod, name in _class_modules(obj)
    )


def is_keras_model(obj) -> bool:
    """True for a Keras 3 (or tf.keras) model or layer (checked by class name, without importing keras)."""
    for mod, name in _class_modules(obj):
        top = mod.split(".")[0]
        if name in ("Model", "Layer", "Operation") and (
            top in ("keras", "tf_keras") or (top == "tensorflow" and "keras" in mod)
        ):
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
        return check_outputs(out, n, what="the model")

    def output_and_vjp(self, x):
        r"""The outputs f(x) (N, K) and ``vjp(w)`` $= \sum_k w_{:,k}\, \partial f_k / \partial x$, shaped like ``x``.

        A vector-Jacobian product: what a loss gradient needs (w = dL/df). The frameworks
        compute it in one backward pass (so call ``vjp`` once per forward pass); this generic
        version sums one ``gradient`` call per class that has a non-zero weight.
        """
        return self._output_and_vjp(as_batch(x))

    def _output_and_vjp(self, x):
        out = self.predict(x)

        def vjp(weights):
            weights = np.asarray(weights)
            total = np.zeros(x.shape, dtype=np.float64)
            for k in np.flatnonzero(np.any(weights != 0, axis=0)):
                column = weights[:, k].reshape((-1,) + (1,) * (x.ndim - 1))
                total += column * self.gradient(x, int(k))
            return total

        return out, vjp

    def layers(self) -> list[tuple[str, object]]:
        """(name, layer) of every layer that owns parameters, from the input to the output."""
        raise ValueError(
            f"a {self.framework} model has no layers the course can reach; "
            "layer access (the randomisation test, Grad-CAM) needs a PyTorch or Keras model"
        )

    def copy(self) -> WrappedModel:
        """A wrapped deep copy of the model (in eval mode), so that changing it leaves the original alone."""
        raise ValueError(
            f"a {self.framework} model cannot be copied here; the randomisation test needs a PyTorch or Keras model"
        )

    def reinitialize(self, name: str, seed: int) -> None:
        """Draw fresh random parameters for the layer called ``name`` (see :meth:`layers`), in place."""
        raise ValueError(
            f"a {self.framework} model's layers cannot be re-initialised here; use a PyTorch or Keras model"
        )

    def module_chain(self, example=None, supported=None, method: str = "this method") -> list:
        """A PyTorch model's modules in the order ``forward`` calls them (for rule-based methods such as DeepLIFT).

        ``supported``: the ``torch.nn`` class names the method has rules for (None: any);
        ``method`` names the method in error messages. See :func:`torch_module_chain`.
        """
        kind = "a Keras model" if self.framework == "keras" else f"a {type(self.model).__name__}"
        raise ValueError(
            f"{method} needs the layers of a PyTorch nn.Module, got {kind}. For Keras or NumPy models use "
            "integrated_gradients or gradient_x_input, which need only gradients."
        )

    def _layer(self, name: str):
        found = dict(self.layers())
        if name not in found:
            raise ValueError(
                f"no layer called {name!r}; the layers with parameters are {list(found)}"
            )
        return found[name]

    def _predict(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _gradient(self, x: np.ndarray, target) -> np.ndarray:
        """One backward pass: the vector-Jacobian product with the one-hot rows of the targets."""
        out, vjp = self._output_and_vjp(x)
        rows = as_targets(target, len(x), out.reshape(len(x), -1).shape[1])
        weights = np.zeros((len(x), out.reshape(len(x), -1).shape[1]), dtype=out.dtype)
        weights[np.arange(len(x)), rows] = 1
        return vjp(weights)


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
        random_layers = [
            type(m).__name__
            for m in model.modules()
            if m.training and type(m).__name__.startswith(("Dropout", "BatchNorm", "AlphaDropout"))
        ]
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

    def _output_and_vjp(self, x):
        torch = self._torch
        xt = self._tensor(x).requires_grad_(True)
        with torch.enable_grad():
            out = self._forward(xt).reshape(len(x), -1)
        return _torch_output_and_vjp(out, xt)

    def layers(self):
        """(name, module) of every module that owns parameters, in registration order; names like 'Linear 7'."""
        return [
            (f"{type(mod).__name__} {name}", mod)
            for name, mod in self.model.named_modules()
            if any(True for _ in mod.parameters(recurse=False))
        ]

    def copy(self):
        return TorchModel(copy.deepcopy(self.model).eval())

    def reinitialize(self, name, seed):
        torch = self._torch
        layer = self._layer(name)
        if not hasattr(layer, "reset_parameters"):
            raise ValueError(
                f"cannot re-initialise layer {type(layer).__name__}: it has no reset_parameters()"
            )
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            layer.reset_parameters()

    def module_chain(self, example=None, supported=None, method: str = "this method"):
        return torch_module_chain(self.model, example, supported, method)


def _torch_output_and_vjp(out, xt):
    """The outputs of a torch graph from ``xt`` to ``out`` (N, K) as NumPy, and its vector-Jacobian product."""
    import torch

    def vjp(weights):
        grad_outputs = torch.as_tensor(np.asarray(weights), dtype=out.dtype)
        (grad,) = torch.autograd.grad(out, xt, grad_outputs=grad_outputs)
        return grad.detach().cpu().numpy()

    return out.detach().cpu().numpy(), vjp


# --- a PyTorch model as a chain of modules (rule-based methods) -----------------------------


def torch_module_chain(model, example=None, supported=None, method: str = "deeplift") -> list:
    """The model's layers in the order ``forward`` calls them, after checking that nothing else happens.

    The order comes from a ``torch.fx`` trace: every step of ``forward`` must be a call of
    one of the model's modules on the previous step's result. When the model cannot be traced,
    its leaf modules in registration order are used. Either way every layer must be one of
    ``supported`` (names of ``torch.nn`` classes; None: any), and (given an ``example`` batch)
    running the layers one after another must reproduce the model's own output.
    """
    layers = _traced_chain(model, method)
    if layers is None:
        children = [m for m in model.modules() if not list(m.children())]
        layers = children or [model]
    names = {id(m): n for n, m in model.named_modules()}
    for layer in layers:
        kind = type(layer).__name__
        if supported is not None and (
            kind not in supported or type(layer).__module__.split(".")[0] != "torch"
        ):
            where = names.get(id(layer)) or "the model itself"
            raise ValueError(
                f"{method} has no rule for layer {where!r} of type {kind}; it supports only "
                f"{', '.join(supported)} (built as torch.nn modules)"
            )
        if kind == "Dropout" and layer.training:
            raise ValueError(
                f"{method} needs Dropout in eval mode (dropout is random while training): call model.eval() first"
            )
        if kind == "Conv2d" and layer.padding_mode != "zeros":
            raise ValueError(
                f"{method} supports Conv2d with padding_mode='zeros' only, got {layer.padding_mode!r}"
            )
    if example is not None:
        _check_chain_reproduces(model, layers, example, method)
    return layers


def _traced_chain(model, method):
    """Modules called by ``forward`` in order, from a torch.fx trace; None if the model cannot be traced."""
    if not list(model.children()):
        return [model]
    import torch.fx

    try:
        graph = torch.fx.symbolic_trace(model).graph
    except Exception:
        return None
    modules = dict(model.named_modules())
    layers, previous = [], None
    for node in graph.nodes:
        if node.op == "placeholder":
            previous = node
        elif (
            node.op == "call_module"
            and node.args
            and node.args[0] is previous
            and len(node.args) == 1
            and not node.kwargs
        ):
            layers.append(modules[node.target])
            previous = node
        elif node.op == "output":
            if node.args[0] is not previous:
                raise _not_a_chain(
                    model,
                    method,
                    "its forward returns something other than the last module's output",
                )
        else:
            what = getattr(node.target, "__name__", str(node.target))
            kind = {"call_function": "the function", "call_method": "the tensor method"}.get(
                node.op, node.op
            )
            raise _not_a_chain(
                model, method, f"its forward calls {kind} {what!r} outside any module"
            )
    return layers


def _not_a_chain(model, method: str, reason: str) -> ValueError:
    return ValueError(
        f"{method} refuses {type(model).__name__}: {reason}. Its rules live on modules, so an operation "
        "written in forward (F.relu, F.max_pool2d, torch.flatten, x.view, +, ...) would silently get the plain "
        "gradient instead (this is what makes Captum's DeepLift and LRP return wrong attributions on such models). "
        "Write the model as a chain of modules, e.g. nn.Sequential(..., nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), ...)."
    )


def _check_chain_reproduces(model, layers, example, method):
    import torch

    param = next(iter(model.parameters()), None)
    xt = torch.as_tensor(
        np.asarray(example), dtype=param.dtype if param is not None else torch.float32
    )
    with torch.no_grad():
        expected = model(xt)
        try:
            got = xt
            for layer in layers:
                got = layer(got)
            ok = got.shape == expected.shape and torch.allclose(got, expected, rtol=1e-5, atol=1e-6)
        except RuntimeError:
            ok = False
    if not ok:
        raise _not_a_chain(
            model, method, "running its modules one after another does not reproduce its output"
        )


class KerasModel(WrappedModel):
    """A Keras 3 model; the gradient comes from its backend (TensorFlow's GradientTape or torch autograd)."""

    framework = "keras"

    def __init__(self, model):
        super().__init__(model)
        import keras

        self._keras = keras
        self.backend = keras.backend.backend()
        if self.backend not in ("tensorflow", "torch"):
            raise ValueError(
                f"wrap supports Keras on the tensorflow or torch backend, not {self.backend!r}"
            )
        self.dtype = getattr(model, "compute_dtype", None) or "float32"
        try:
            shape = model.input_shape if getattr(model, "built", False) else None
        except Exception:  # subclassed or unbuilt models have no fixed input shape
            shape = None
        self.input_shape = tuple(shape) if isinstance(shape, tuple) else None

    def _check_shape(self, x):
        expected = self.input_shape
        if expected is not None and (
            len(expected) != x.ndim
            or any(
                e is not None and e != s for e, s in zip(expected[1:], x.shape[1:], strict=False)
            )
        ):
            raise ValueError(
                f"the Keras model expects inputs of shape {expected} (batch first), got {x.shape}"
            )

    def _predict(self, x):
        self._check_shape(x)
        out = self.model(x.astype(self.dtype, copy=False), training=False)
        return self._keras.ops.convert_to_numpy(out)

    def _output_and_vjp(self, x):
        self._check_shape(x)
        x = np.ascontiguousarray(x, dtype=self.dtype)
        if self.backend == "tensorflow":
            import tensorflow as tf

            xt = tf.convert_to_tensor(x)
            with tf.GradientTape() as tape:
                tape.watch(xt)
                out = tf.reshape(self.model(xt, training=False), (len(x), -1))

            def vjp(weights):
                return tape.gradient(out, xt, output_gradients=tf.cast(weights, out.dtype)).numpy()

            return out.numpy(), vjp
        import torch

        xt = torch.as_tensor(x).requires_grad_(True)
        with torch.enable_grad():
            out = self.model(xt, training=False).reshape(len(x), -1)
        return _torch_output_and_vjp(out, xt)

    def layers(self):
        """(name, layer) of every layer with weights, in the model's order; names like 'Dense dense_1'."""
        return [
            (f"{type(layer).__name__} {layer.name}", layer)
            for layer in self.model.layers
            if layer.weights
        ]

    def copy(self):
        clone = self._keras.models.clone_model(self.model)
        clone.set_weights(self.model.get_weights())
        return KerasModel(clone)

    def reinitialize(self, name, seed):
        keras = self._keras
        layer = self._layer(name)
        for i, weight in enumerate(layer.weights):
            kind = (
                "kernel" if "kernel" in weight.path else ("bias" if "bias" in weight.path else None)
            )
            initializer = getattr(layer, f"{kind}_initializer", None) if kind else None
            if initializer is None:
                initializer = (
                    keras.initializers.GlorotUniform()
                    if weight.ndim > 1
                    else keras.initializers.Zeros()
                )
            config = initializer.get_config()
            if "seed" in config:
                config["seed"] = seed * 100 + i
            weight.assign(type(initializer).from_config(config)(weight.shape, dtype=weight.dtype))


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
            raise ValueError(
                f"the gradient function returned shape {grad.shape}; expected the input's shape {x.shape}"
            )
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
