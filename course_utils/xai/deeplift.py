r"""DeepLIFT with the rescale rule (Shrikumar, Greenside and Kundaje, 2017), from scratch, layer by layer.

DeepLIFT explains the difference from a reference input $x'$: every layer
gets *multipliers* $m = \partial^{\Delta} f_t / \partial^{\Delta} a$ that obey a chain rule
like gradients, and the attribution of input $i$ is $(x_i - x'_i)\, m_i$.
Going backwards from $m = e_t$ (one-hot on the target) at the output:

- Linear, Conv2d (affine $a \mapsto Wa + b$): $m_{in} = W^\top m_{out}$, exactly the gradient rule.
- Flatten, Dropout (eval mode): reshape / pass through.
- ReLU, the rescale rule: $m_{in} = m_{out}\,\dfrac{\mathrm{relu}(a) - \mathrm{relu}(a')}{a - a'}$,
  and the ordinary gradient $m_{out}\,[a > 0]$ where $|a - a'| < \varepsilon = 10^{-10}$.
- MaxPool2d: the gradient rule, $m_{in} = m_{out}$ at the argmax of $x$'s window, 0 elsewhere.
  This is the default of the authors' own DeepLIFT code and what Captum 0.9's ``DeepLift``
  computes on the course CNN. (Captum's source has a max-pool rule that also routes part of the
  change to the reference's argmax, but where the pool follows an ``nn.ReLU`` its hooks hand the
  ReLU the pool's plain gradient instead, so on ReLU -> MaxPool networks the effective rule is
  this one.) It is not exact: a window adds
  $m_{out}\big[(a_p - a'_p) - (\max a - \max a')\big]$ to the summation gap, where $p$ is $x$'s
  argmax, whenever the reference's maximum sits elsewhere than $a'_p$.

Summation-to-delta: $\sum_i (x_i - x'_i)\, m_i = f_t(x) - f_t(x')$, up to rounding, for chains of
Linear, Conv2d, ReLU, Flatten and Dropout; each max-pool window adds the term above.

Only PyTorch models whose ``forward`` is a plain chain of these modules are accepted:
a functional ``F.relu`` or ``F.max_pool2d`` inside ``forward`` is invisible to any
module-based DeepLIFT (Captum's falls back to the plain gradient there and returns
wrong numbers without a word), so such models are refused with an error.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from course_utils._checks import as_baseline, as_batch, as_targets
from course_utils.xai.adapter import wrap

#: The layers this DeepLIFT knows a rule for.
SUPPORTED_LAYERS = ("Linear", "Conv2d", "ReLU", "Flatten", "MaxPool2d", "Dropout")
EPS = 1e-10


def deeplift(model, x, target, baseline=None, return_delta: bool = False):
    r"""DeepLIFT (rescale rule) attributions of output ``target`` for the batch ``x``, shape of ``x``.

    $$\mathrm{DL}_i(x) = (x_i - x'_i)\, m_i, \qquad \sum_i \mathrm{DL}_i(x) = f_t(x) - f_t(x')$$

    ``model``: a PyTorch ``nn.Module`` (or ``wrap`` of one) built from Linear, Conv2d,
    ReLU, Flatten, MaxPool2d and Dropout modules called in order. ``baseline`` $x'$: None
    (zeros), a number, one example or one per row. Computed in float64. With
    ``return_delta=True`` also returns, per row, $\sum_i \mathrm{DL}_i - (f_t(x) - f_t(x'))$
    (rounding only, unless the model has max-pools: see the module docstring).
    """
    x = as_batch(x)
    trace = deeplift_layers(model, x, target, baseline)
    first, last = trace[0], trace[-1]
    attributions = (first.x_in - first.ref_in) * first.m_in
    if not return_delta:
        return attributions.astype(x.dtype)
    rows, n = np.arange(len(x)), len(x)
    targets = np.argmax(last.m_out.reshape(n, -1), axis=1)
    out_x, out_r = last.x_out.reshape(n, -1), last.ref_out.reshape(n, -1)
    delta = attributions.reshape(n, -1).sum(axis=1) - (out_x[rows, targets] - out_r[rows, targets])
    return attributions.astype(x.dtype), delta


class LayerTrace(NamedTuple):
    """One layer of a DeepLIFT pass, in float64 NumPy: inputs and outputs for x and the reference, and multipliers."""

    name: str
    layer: object
    x_in: np.ndarray
    ref_in: np.ndarray
    m_in: np.ndarray
    x_out: np.ndarray
    ref_out: np.ndarray
    m_out: np.ndarray

    def gap(self) -> np.ndarray:
        r"""Per row, what this layer adds to the summation gap: $\sum m_{in}\Delta_{in} - \sum m_{out}\Delta_{out}$."""
        n = len(self.x_in)
        into = (self.m_in * (self.x_in - self.ref_in)).reshape(n, -1).sum(axis=1)
        out = (self.m_out * (self.x_out - self.ref_out)).reshape(n, -1).sum(axis=1)
        return into - out


def deeplift_layers(model, x, target, baseline=None) -> list[LayerTrace]:
    """Every layer of the DeepLIFT pass, first to last, as :class:`LayerTrace` records (for teaching and checks).

    The input multipliers of the first layer times ``x - baseline`` are :func:`deeplift`'s attributions;
    ``LayerTrace.gap()`` shows which layer adds to the summation gap (only max-pools do).
    """
    x = as_batch(x)
    base = as_baseline(baseline, x)
    wrapped = wrap(model)
    layers = wrapped.module_chain(x[:1], supported=SUPPORTED_LAYERS, method="deeplift")
    net = wrapped.model
    import torch

    with torch.no_grad():
        acts_x, acts_r = _forward(
            layers,
            torch.from_numpy(np.asarray(x, np.float64)),
            torch.from_numpy(np.asarray(base, np.float64)),
        )
        out_x = acts_x[-1].reshape(len(x), -1)
        targets = torch.from_numpy(as_targets(target, len(x), out_x.shape[1]))
        multipliers = [
            torch.zeros_like(out_x).scatter_(1, targets[:, None], 1.0).reshape(acts_x[-1].shape)
        ]
        for layer, a_x, a_r in zip(
            reversed(layers), reversed(acts_x[:-1]), reversed(acts_r[:-1]), strict=True
        ):
            multipliers.insert(0, _RULES[type(layer).__name__](layer, multipliers[0], a_x, a_r))
    names = {id(m): n for n, m in net.named_modules()}
    return [
        LayerTrace(
            names.get(id(layer)) or type(layer).__name__,
            layer,
            *(
                t.numpy()
                for t in (
                    acts_x[i],
                    acts_r[i],
                    multipliers[i],
                    acts_x[i + 1],
                    acts_r[i + 1],
                    multipliers[i + 1],
                )
            ),
        )
        for i, layer in enumerate(layers)
    ]


# --- forward pass and the rules ---------------------------------------------------


def _forward(layers, a_x, a_r):
    """Run x and the reference through the layers in float64; return every layer's input and the output."""
    acts_x, acts_r = [a_x], [a_r]
    for layer in layers:
        acts_x.append(_FORWARD[type(layer).__name__](layer, acts_x[-1]))
        acts_r.append(_FORWARD[type(layer).__name__](layer, acts_r[-1]))
    return acts_x, acts_r


def _linear_forward(layer, a):
    return a @ layer.weight.double().T + (layer.bias.double() if layer.bias is not None else 0.0)


def _conv_forward(layer, a):
    import torch.nn.functional as F

    bias = layer.bias.double() if layer.bias is not None else None
    return F.conv2d(
        a, layer.weight.double(), bias, layer.stride, layer.padding, layer.dilation, layer.groups
    )


def _maxpool(layer, a):
    import torch.nn.functional as F

    return F.max_pool2d(
        a,
        layer.kernel_size,
        layer.stride,
        layer.padding,
        layer.dilation,
        layer.ceil_mode,
        return_indices=True,
    )


_FORWARD = {
    "Linear": _linear_forward,
    "Conv2d": _conv_forward,
    "ReLU": lambda layer, a: a.clamp_min(0.0),
    "Flatten": lambda layer, a: a.flatten(layer.start_dim, layer.end_dim),
    "MaxPool2d": lambda layer, a: _maxpool(layer, a)[0],
    "Dropout": lambda layer, a: a,
}


def _linear_rule(layer, m_out, a_x, a_r):
    """Affine layer: the multipliers go back through the transposed weights, m_in = m_out W."""
    return m_out @ layer.weight.double()


def _conv_rule(layer, m_out, a_x, a_r):
    """Convolution (affine): m_in = W^T m_out, the transposed convolution of the multipliers."""
    import torch
    import torch.nn.functional as F

    weight = layer.weight.double()
    if not isinstance(layer.padding, str):
        return torch.nn.grad.conv2d_input(
            a_x.shape, weight, m_out, layer.stride, layer.padding, layer.dilation, layer.groups
        )
    with torch.enable_grad():  # padding="same"/"valid": the transpose as the vjp of the linear map
        probe = torch.zeros_like(a_x, requires_grad=True)
        out = F.conv2d(
            probe, weight, None, layer.stride, layer.padding, layer.dilation, layer.groups
        )
        (m_in,) = torch.autograd.grad(out, probe, m_out)
    return m_in


def _relu_rule(layer, m_out, a_x, a_r):
    """Rescale: m_in = m_out (relu(a) - relu(a')) / (a - a'); the gradient m_out [a > 0] where a == a'."""
    import torch

    d_in = a_x - a_r
    d_out = a_x.clamp_min(0.0) - a_r.clamp_min(0.0)
    safe = torch.where(d_in.abs() < EPS, torch.ones_like(d_in), d_in)
    return torch.where(d_in.abs() < EPS, m_out * (a_x > 0), m_out * d_out / safe)


def _scatter_to_inputs(values, indices, like):
    """Send each pooled value to the input position ``indices`` points at (summing collisions)."""
    n, c = like.shape[:2]
    flat = like.new_zeros(n, c, like[0, 0].numel())
    flat.scatter_add_(2, indices.reshape(n, c, -1), values.reshape(n, c, -1))
    return flat.reshape(like.shape)


def _maxpool_rule(layer, m_out, a_x, a_r):
    """Gradient rule: each window's multiplier goes to the argmax of x's window (DeepLIFT's default for max-pooling)."""
    return _scatter_to_inputs(m_out, _maxpool(layer, a_x)[1], a_x)


_RULES = {
    "Linear": _linear_rule,
    "Conv2d": _conv_rule,
    "ReLU": _relu_rule,
    "Flatten": lambda layer, m, a_x, a_r: m.reshape(a_x.shape),
    "MaxPool2d": _maxpool_rule,
    "Dropout": lambda layer, m, a_x, a_r: m,
}
