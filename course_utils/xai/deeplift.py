r"""DeepLIFT with the rescale rule (Shrikumar, Greenside and Kundaje, 2017), from scratch, layer by layer.

DeepLIFT explains the difference from a reference input $x'$: every layer
gets *multipliers* $m = \partial^{\Delta} f_t / \partial^{\Delta} a$ that obey a chain rule
like gradients, and the attribution of input $i$ is $(x_i - x'_i)\, m_i$.
Going backwards from $m = e_t$ (one-hot on the target) at the output:

- Linear, Conv2d (affine $a \mapsto Wa + b$): $m_{in} = W^\top m_{out}$, exactly the gradient rule.
- Flatten, Dropout (eval mode): reshape / pass through.
- ReLU, the rescale rule: $m_{in} = m_{out}\,\dfrac{\mathrm{relu}(a) - \mathrm{relu}(a')}{a - a'}$,
  and the ordinary gradient $m_{out}\,[a > 0]$ where $|a - a'| < \varepsilon = 10^{-10}$.
- MaxPool2d, ``maxpool_rule="exact"`` (the default): see below.
- MaxPool2d, ``maxpool_rule="gradient"``: $m_{in} = m_{out}$ at the argmax $p$ of $x$'s window,
  0 elsewhere (summed where windows overlap).

Summation-to-delta
------------------
Every rule above but the gradient max-pool rule is *locally exact*: for each layer
$\sum_i m_{in,i}\,\Delta a_i = \sum_j m_{out,j}\,\Delta y_j$ (for an affine layer because
$\Delta y = W \Delta a$; for the ReLU because $m_{in}\Delta a = m_{out}\Delta y$ unit by unit, the
$\varepsilon$ fallback only where $|\Delta a| < \varepsilon$ and so $|\Delta y| < \varepsilon$).
Chaining the layers from the output, where $\sum_j m_{out,j}\Delta y_j = \Delta f_t$, down to the
input gives $\sum_i (x_i - x'_i)\, m_i = f_t(x) - f_t(x')$ for any chain of these layers.

The exact max-pool rule
-----------------------
One window $W$ with inputs $a$ on $x$ and $a'$ on the reference, outputs $y = \max_W a$ (at $p$)
and $y' = \max_W a'$ (at $q$), multiplier $m$ at the output. With $\hat y = \max(y, y')$ split
the output change $\Delta y = y - y'$ into two parts and send each to one argmax:

$$c_p = m\,(\hat y - y') \text{ to } p, \qquad c_q = m\,(y - \hat y) \text{ to } q,
\qquad c_p + c_q = m\,(y - y') = m\,\Delta y .$$

Every input position $i$ collects the parts of all windows that send to it, $C_i$, and gets
$m_{in,i} = C_i / \Delta a_i$ (and the gradient rule's multiplier where $|\Delta a_i| < \varepsilon$).
This is the rule that Captum's ``maxpool`` handler and shap's ``DeepExplainer`` implement
(both unpool with ``max_unpool2d``, which keeps one window's part where overlapping windows send
to the same position, so they are exact only for non-overlapping pools; here the parts are summed).

*Why it is exact.* $\sum_i m_{in,i}\Delta a_i = \sum_i C_i = \sum_W m\,\Delta y$, provided no part
lands on a position whose $\Delta a_i$ vanishes. It never does: if $y \ge y'$ then $c_q = 0$ and
$0 \le \hat y - y' = y - y' \le y - a'_p = \Delta a_p$ (because $y' \ge a'_p$); if $y < y'$ then
$c_p = 0$ and $0 > y - y' \ge a_q - y' = \Delta a_q$ (because $y \ge a_q$). So each part is a
fraction $w \in [0, 1]$ of $m\,\Delta a$ at the position it goes to: where $\Delta a_i = 0$ the
parts are 0 (nothing is lost by the gradient fallback, and below $\varepsilon$ at most
$\varepsilon\,|m|$ per window), and $m_{in,i} = \sum_W w_W\, m_W$ is bounded, with no
catastrophic division. Overlapping windows, strides other than the kernel size, padding and
dilation change nothing in the argument: the parts are summed per position before dividing.

*When it equals the gradient rule.* If $p = q$, both parts go to $p$, $C_p = m\,(y - y') = m\,\Delta a_p$
and $m_{in,p} = m$: the gradient rule. So the two rules give the same multipliers wherever every
window's argmax is the same for $x$ and the reference; they differ, and the gradient rule leaves
$m\big[(a_p - a'_p) - (y - y')\big]$ per window in the summation gap, only where the reference's
maximum sits elsewhere.

*Captum's pitfall.* Captum 0.9's ``DeepLift`` has the exact rule in its source, but on a
``ReLU -> MaxPool2d`` network it computes the gradient rule: the ReLU's forward hook registers a
gradient hook on the ReLU's output tensor (to record its output multiplier) *before* the
pool's forward pre-hook registers, on the same tensor, the hook that rewrites the gradient with
the pool's multipliers. Tensor hooks run in registration order, so the ReLU records the pool's
plain gradient, and its rescale rule multiplies that. ``maxpool_rule="gradient"`` reproduces it.

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


def deeplift(
    model, x, target, baseline=None, return_delta: bool = False, maxpool_rule: str = "exact"
):
    r"""DeepLIFT (rescale rule) attributions of output ``target`` for the batch ``x``, shape of ``x``.

    $$\mathrm{DL}_i(x) = (x_i - x'_i)\, m_i, \qquad \sum_i \mathrm{DL}_i(x) = f_t(x) - f_t(x')$$

    ``model``: a PyTorch ``nn.Module`` (or ``wrap`` of one) built from Linear, Conv2d,
    ReLU, Flatten, MaxPool2d and Dropout modules called in order. ``baseline`` $x'$: None
    (zeros), a number, one example or one per row. Computed in float64.
    ``maxpool_rule``: ``"exact"`` (default) splits each pooling window's change between the
    argmax of $x$ and of the reference so that summation-to-delta holds exactly;
    ``"gradient"`` sends it to $x$'s argmax only, which is what Captum's ``DeepLift`` computes
    when a pool follows an ``nn.ReLU`` (see the module docstring). With ``return_delta=True``
    also returns, per row, $\sum_i \mathrm{DL}_i - (f_t(x) - f_t(x'))$: rounding only with the
    exact rule, the max-pool windows' terms with the gradient rule.
    """
    x = as_batch(x)
    trace = deeplift_layers(model, x, target, baseline, maxpool_rule=maxpool_rule)
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


def deeplift_layers(
    model, x, target, baseline=None, maxpool_rule: str = "exact"
) -> list[LayerTrace]:
    """Every layer of the DeepLIFT pass, first to last, as :class:`LayerTrace` records (for teaching and checks).

    The input multipliers of the first layer times ``x - baseline`` are :func:`deeplift`'s attributions;
    ``LayerTrace.gap()`` shows which layer adds to the summation gap (rounding only, except for
    max-pools under ``maxpool_rule="gradient"``).
    """
    if not isinstance(maxpool_rule, str) or maxpool_rule not in MAXPOOL_RULES:
        raise ValueError(
            f"maxpool_rule must be one of {', '.join(map(repr, MAXPOOL_RULES))}, got {maxpool_rule!r}"
        )
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
            kind = type(layer).__name__
            rule = MAXPOOL_RULES[maxpool_rule] if kind == "MaxPool2d" else _RULES[kind]
            multipliers.insert(0, rule(layer, multipliers[0], a_x, a_r))
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


def _maxpool_gradient_rule(layer, m_out, a_x, a_r):
    """Gradient rule: each window's multiplier goes to the argmax of x's window (what autograd does)."""
    return _scatter_to_inputs(m_out, _maxpool(layer, a_x)[1], a_x)


def _maxpool_exact_rule(layer, m_out, a_x, a_r):
    r"""Exact rule: with $\hat y = \max(y, y')$, $m(\hat y - y')$ goes to x's argmax and
    $m(y - \hat y)$ to the reference's; each position divides what it received by its $\Delta a$."""
    import torch

    y, at_x = _maxpool(layer, a_x)
    y_ref, at_ref = _maxpool(layer, a_r)
    top = torch.maximum(y, y_ref)
    received = _scatter_to_inputs(m_out * (top - y_ref), at_x, a_x) + _scatter_to_inputs(
        m_out * (y - top), at_ref, a_x
    )
    d_in = a_x - a_r
    small = d_in.abs() < EPS
    safe = torch.where(small, torch.ones_like(d_in), d_in)
    return torch.where(small, _maxpool_gradient_rule(layer, m_out, a_x, a_r), received / safe)


#: The max-pool rules :func:`deeplift` offers (``maxpool_rule=``).
MAXPOOL_RULES = {"exact": _maxpool_exact_rule, "gradient": _maxpool_gradient_rule}

_RULES = {
    "Linear": _linear_rule,
    "Conv2d": _conv_rule,
    "ReLU": _relu_rule,
    "Flatten": lambda layer, m, a_x, a_r: m.reshape(a_x.shape),
    "Dropout": lambda layer, m, a_x, a_r: m,
}
