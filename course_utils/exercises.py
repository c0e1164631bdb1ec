"""Checkers for the exercises: run what the learner wrote on cases, print a short verdict.

A checker never raises into the notebook. It prints either

    Correct: <what was checked>

or

    Not yet: <the first failing case>. Hint: <a nudge>

and returns a :class:`Verdict`, which is truthy when the answer is right, so a
solution cell can ``assert`` it. Each chapter's checkers are thin calls of
:func:`check_function` or :func:`check_value` with that chapter's cases.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Verdict:
    """The outcome of a checker: ``passed`` and the ``message`` that was printed."""

    passed: bool
    message: str

    def __bool__(self) -> bool:
        return self.passed

    def _ipython_display_(self) -> None:
        # the checker has already printed the message; show nothing twice
        pass


def _verdict(passed: bool, message: str) -> Verdict:
    text = ("Correct: " if passed else "Not yet: ") + message
    print(text)
    return Verdict(passed, text)


def _short(value: Any, limit: int = 120) -> str:
    text = np.array2string(value, precision=4, threshold=8) if isinstance(value, np.ndarray) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _compare(got: Any, expected: Any, rtol: float, atol: float) -> str | None:
    """None when ``got`` matches ``expected``; otherwise what is wrong, in words."""
    if isinstance(expected, (bool, str)) or expected is None:
        return None if got == expected else f"expected {expected!r}, got {_short(got)}"
    expected_arr = np.asarray(expected)
    try:
        got_arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return f"expected a number or an array, got {type(got).__name__} {_short(got)}"
    if got_arr.shape != expected_arr.shape:
        return f"expected shape {expected_arr.shape}, got shape {got_arr.shape}"
    if not np.all(np.isfinite(got_arr) == np.isfinite(expected_arr)):
        return f"expected {_short(expected_arr)}, got {_short(got_arr)} (check for overflow: inf or nan appeared)"
    if not np.allclose(got_arr, expected_arr, rtol=rtol, atol=atol, equal_nan=True):
        worst = np.unravel_index(np.nanargmax(np.abs(got_arr - expected_arr)), got_arr.shape) if got_arr.ndim else ()
        where = f" (largest difference at index {tuple(int(i) for i in worst)})" if worst else ""
        return f"expected {_short(expected_arr)}, got {_short(got_arr)}{where}"
    return None


def check_function(
    fn: Any,
    cases: Sequence[tuple[tuple, Any]],
    *,
    what: str,
    hint: str,
    rtol: float = 1e-6,
    atol: float = 1e-8,
    dtype: Any = None,
) -> Verdict:
    """Call ``fn(*args)`` for each ``(args, expected)`` case and compare with a tolerance.

    ``what`` names the task in the verdict ("sigmoid"); ``hint`` is shown
    with the first failing case. Anything the learner's code raises, returns
    or forgets becomes a "Not yet", never an exception. With ``dtype`` set,
    the result must also be an array of that dtype.
    """
    if not callable(fn):
        return _verdict(False, f"{what}: expected a function, got {type(fn).__name__}. Hint: {hint}")
    for args, expected in cases:
        shown = ", ".join(_short(a, 60) for a in args)
        try:
            got = fn(*args)
        except NotImplementedError:
            return _verdict(False, f"{what} still raises NotImplementedError: replace the stub with your code. Hint: {hint}")
        except Exception as err:  # the learner's code may raise anything
            return _verdict(False, f"{what}({shown}) raised {type(err).__name__}: {err}. Hint: {hint}")
        if got is None and expected is not None:
            return _verdict(False, f"{what}({shown}) returned None: did you forget `return`? Hint: {hint}")
        problem = _compare(got, expected, rtol, atol)
        if problem is None and dtype is not None and getattr(got, "dtype", None) != np.dtype(dtype):
            problem = f"the values are right but the dtype is {getattr(got, 'dtype', type(got).__name__)}, expected {np.dtype(dtype)}"
        if problem:
            return _verdict(False, f"{what}({shown}): {problem}. Hint: {hint}")
    return _verdict(True, f"{what} passes all {len(cases)} checks.")


def check_value(value: Any, expected: Any, *, what: str, hint: str, rtol: float = 1e-6, atol: float = 1e-8) -> Verdict:
    """Compare a value the learner computed with the expected one."""
    if value is Ellipsis or value is None:
        return _verdict(False, f"{what}: nothing computed yet (the cell still holds the placeholder). Hint: {hint}")
    problem = _compare(value, expected, rtol, atol)
    if problem:
        return _verdict(False, f"{what}: {problem}. Hint: {hint}")
    return _verdict(True, f"{what} is right.")


# --- 00 welcome ---------------------------------------------------------------


def check_scale_pixels(fn: Callable) -> Verdict:
    """Exercise 00: turn uint8 digits (0..255) into float32 values in [0, 1]."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
    cases = [
        ((np.array([[0, 255]], dtype=np.uint8),), np.array([[0.0, 1.0]])),
        ((np.array([51, 102, 204], dtype=np.uint8),), np.array([0.2, 0.4, 0.8])),
        ((images,), images / 255.0),
    ]
    hint = "convert to float32 first (uint8 arithmetic wraps around), then divide by 255"
    return check_function(fn, cases, what="scale_pixels", hint=hint, dtype=np.float32)


# --- 02 loss functions --------------------------------------------------------


def check_stable_softmax(fn: Callable) -> Verdict:
    """Exercise 02: softmax over the last axis that survives logits of +-1000."""
    z = np.array([1.0, 2.0, 3.0])
    rows = np.array([[0.0, 0.0], [1.0, -1.0]])
    cases = [
        ((z,), np.exp(z) / np.exp(z).sum()),
        ((rows,), np.exp(rows) / np.exp(rows).sum(axis=1, keepdims=True)),
        ((np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0]]),), np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]])),
    ]
    hint = "subtract each row's maximum before exp: np.max(z, axis=-1, keepdims=True); then divide by the row sum (also keepdims=True)"
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        return check_function(fn, cases, what="softmax", hint=hint)


def check_cross_entropy(fn: Callable) -> Verdict:
    """Exercise 02: mean cross-entropy of integer labels under softmax(logits), stable for huge logits."""
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(4, 5)) * 2
    labels = np.array([0, 3, 4, 1])
    shifted = logits - logits.max(axis=1, keepdims=True)
    logp = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    cases = [
        ((np.array([[2.0, 1.0, 0.1]]), np.array([0])), np.log(np.exp([2.0, 1.0, 0.1]).sum()) - 2.0),
        ((logits, labels), -logp[np.arange(4), labels].mean()),
        ((np.array([[1000.0, -1000.0], [0.0, 0.0]]), np.array([1, 0])), (2000.0 + np.log(2.0)) / 2),
    ]
    hint = "per row, loss = logsumexp(z) - z[label] with logsumexp(z) = m + log(sum(exp(z - m))), m the row max; pick z[label] with z[np.arange(N), labels]; return the mean"
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        return check_function(fn, cases, what="cross_entropy", hint=hint)


def _check_parts(fn: Any, cases, names: Sequence[str], *, what: str, hint: str, rtol: float = 1e-6, atol: float = 1e-8) -> Verdict:
    """Like :func:`check_function` for a function that returns several arrays, compared one by one."""
    if not callable(fn):
        return _verdict(False, f"{what}: expected a function, got {type(fn).__name__}. Hint: {hint}")
    for args, expected in cases:
        try:
            got = fn(*args)
        except NotImplementedError:
            return _verdict(False, f"{what} still raises NotImplementedError: replace the stub with your code. Hint: {hint}")
        except Exception as err:  # the learner's code may raise anything
            return _verdict(False, f"{what} raised {type(err).__name__}: {err}. Hint: {hint}")
        if not isinstance(got, (tuple, list)) or len(got) != len(names):
            return _verdict(False, f"{what} should return {len(names)} values ({', '.join(names)}), got {_short(got)}. Hint: {hint}")
        for name, part, exp in zip(names, got, expected, strict=True):
            problem = _compare(part, exp, rtol, atol)
            if problem:
                return _verdict(False, f"{what}: {name}: {problem}. Hint: {hint}")
    return _verdict(True, f"{what} passes all {len(cases)} checks ({', '.join(names)}).")


# --- 04 backpropagation -------------------------------------------------------


def check_linear_backward(fn: Callable) -> Verdict:
    """Exercise 04: (dx, dW, db) of out = x @ W + b, given x (N, n_in), W (n_in, n_out) and dout (N, n_out)."""
    rng = np.random.default_rng(4)
    cases = []
    for n, n_in, n_out in [(1, 2, 3), (5, 4, 3), (7, 3, 6)]:
        x, W, dout = rng.normal(size=(n, n_in)), rng.normal(size=(n_in, n_out)), rng.normal(size=(n, n_out))
        cases.append(((x, W, dout), (dout @ W.T, x.T @ dout, dout.sum(axis=0))))
    hint = "each gradient has the shape of its variable: dx = dout @ W.T (N, n_in), dW = x.T @ dout (n_in, n_out), db sums dout over the batch (n_out,)"
    return _check_parts(fn, cases, ("dx", "dW", "db"), what="linear_backward", hint=hint)


def check_local_gradient(fn: Callable) -> Verdict:
    """Exercise 04: the backward of a sigmoid node, d L / d x = upstream * s (1 - s) with s = sigmoid(x)."""
    cases = []
    for x, upstream in [(0.0, 1.0), (2.0, 0.5), (-1.0, -3.0), (0.3, 0.0)]:
        s = 1 / (1 + np.exp(-x))
        cases.append(((x, upstream), upstream * s * (1 - s)))
    hint = "the local gradient of sigmoid is s * (1 - s) with s = 1 / (1 + exp(-x)); the chain rule multiplies it by the upstream gradient"
    return check_function(fn, cases, what="sigmoid_backward", hint=hint)


# --- 05 MLP from scratch ------------------------------------------------------


def check_precision_recall(fn: Callable) -> Verdict:
    """Exercise 05: per-class precision and recall from a confusion matrix (rows = true class, columns = predicted)."""
    small = np.array([[5, 1], [2, 8]])
    three = np.array([[50, 3, 2], [4, 40, 6], [1, 9, 30]])
    cases = [((cm,), (np.diag(cm) / cm.sum(axis=0), np.diag(cm) / cm.sum(axis=1))) for cm in (small, three)]
    hint = "precision of class k: cm[k, k] / (everything predicted as k, a column sum); recall: cm[k, k] / (everything truly k, a row sum); np.diag gives the cm[k, k]"
    return _check_parts(fn, cases, ("precision", "recall"), what="precision_recall", hint=hint)


# --- 17 adversarial examples ---------------------------------------------------


def check_fgsm_step(fn: Callable) -> Verdict:
    """Exercise 17.1: x' = clip(x + eps * sign(grad), 0, 1), elementwise."""
    rng = np.random.default_rng(17)
    x = rng.random((2, 5, 5))
    grad = rng.normal(size=x.shape)
    grad[0, 0, :2] = 0.0
    cases = [
        ((np.array([0.5, 0.5, 0.5]), np.array([2.0, -0.001, 0.0]), 0.1), np.array([0.6, 0.4, 0.5])),
        ((np.array([0.95, 0.02]), np.array([1.0, -3.0]), 0.1), np.array([1.0, 0.0])),
        ((x, grad, 0.07), np.clip(x + 0.07 * np.sign(grad), 0, 1)),
    ]
    hint = "step eps in the direction of np.sign(grad) (not grad itself), then np.clip the result to [0, 1]"
    return check_function(fn, cases, what="fgsm_step", hint=hint)


def check_linf_projection(fn: Callable) -> Verdict:
    """Exercise 17.2: clip x_adv into [max(0, x - eps), min(1, x + eps)], elementwise."""
    rng = np.random.default_rng(171)
    x = rng.random((3, 4, 4))
    x_adv = x + rng.uniform(-0.5, 0.5, x.shape)
    cases = [
        ((np.array([0.9, 0.1, 0.5]), np.array([0.5, 0.5, 0.5]), 0.2), np.array([0.7, 0.3, 0.5])),
        ((np.array([1.3, -0.2]), np.array([0.95, 0.05]), 0.1), np.array([1.0, 0.0])),
        ((x_adv, x, 0.1), np.clip(np.clip(x_adv, x - 0.1, x + 0.1), 0, 1)),
    ]
    hint = "two clips: first into [x - eps, x + eps], then into [0, 1] (np.clip accepts arrays as bounds)"
    return check_function(fn, cases, what="project_linf", hint=hint)


# --- 18 fairness and bias ------------------------------------------------------


def check_demographic_parity_difference(fn: Callable) -> Verdict:
    """Exercise 18.1: |P(yhat = 1 | group 1) - P(yhat = 1 | group 0)| for groups coded 0 and 1."""
    rng = np.random.default_rng(18)
    y_pred, group = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    expected = abs(y_pred[group == 1].mean() - y_pred[group == 0].mean())
    cases = [
        ((np.array([1, 1, 0, 1, 0, 0]), np.array([0, 0, 0, 1, 1, 1])), 1 / 3),
        ((np.array([0, 1, 1, 1]), np.array([0, 0, 1, 1])), 0.5),
        ((y_pred, group), expected),
    ]
    hint = "the selection rate of a group is y_pred[group == g].mean(); return the absolute difference of the two rates"
    return check_function(fn, cases, what="demographic_parity_difference", hint=hint)


def check_equal_opportunity_difference(fn: Callable) -> Verdict:
    """Exercise 18.2: |TPR of group 1 - TPR of group 0|, TPR_g = P(yhat = 1 | y = 1, group = g)."""
    rng = np.random.default_rng(181)
    y_true, y_pred, group = rng.integers(0, 2, (3, 300))
    tpr = [y_pred[(group == g) & (y_true == 1)].mean() for g in (0, 1)]
    cases = [
        ((np.array([1, 1, 0, 1, 1, 0]), np.array([1, 1, 1, 1, 0, 0]), np.array([0, 0, 0, 1, 1, 1])), 0.5),
        ((np.array([1, 0, 1, 0]), np.array([1, 1, 1, 0]), np.array([0, 0, 1, 1])), 0.0),
        ((y_true, y_pred, group), abs(tpr[1] - tpr[0])),
    ]
    hint = "keep only the people with y_true == 1 in each group, then compare how often the model selected them"
    return check_function(fn, cases, what="equal_opportunity_difference", hint=hint)


# --- 19 summary and outlook ----------------------------------------------------


def check_magnitude_prune(fn: Callable) -> Verdict:
    """Exercise 19.1: a copy of ``weights`` with the ``fraction`` of smallest-|w| entries set to 0."""
    rng = np.random.default_rng(19)
    w = rng.normal(size=(6, 5))
    k = int(round(0.4 * w.size))
    expected = w.copy()
    expected.flat[np.argsort(np.abs(w), axis=None)[:k]] = 0.0
    cases = [
        ((np.array([0.5, -0.1, 2.0, -3.0]), 0.5), np.array([0.5, 0.0, 2.0, -3.0]) * np.array([0, 0, 1, 1])),
        ((np.array([0.3, -0.2, 0.1]), 0.0), np.array([0.3, -0.2, 0.1])),
        ((w, 0.4), expected),
    ]
    hint = "rank by np.abs(weights) (not by the signed value); zero the int(round(fraction * weights.size)) smallest; return a copy"
    return check_function(fn, cases, what="magnitude_prune", hint=hint)


# --- 06-08 frameworks -----------------------------------------------------------


def check_confusion_matrix(fn: Callable) -> Verdict:
    """Exercise 06.1: ``confusion_matrix(y_true, y_pred, n_classes)``, C[i, j] = #{n : y_true_n = i and y_pred_n = j}."""
    rng = np.random.default_rng(6)
    y_true, y_pred = rng.integers(0, 10, (2, 500))
    expected = np.zeros((10, 10), dtype=int)
    np.add.at(expected, (y_true, y_pred), 1)
    cases = [
        ((np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), 3), np.array([[1, 0, 0], [0, 1, 1], [0, 0, 1]])),
        ((np.array([1, 1, 1]), np.array([0, 0, 0]), 2), np.array([[0, 0], [3, 0]])),
        ((y_true, y_pred, 10), expected),
    ]
    hint = "rows are the true class, columns the predicted one: for each pair (t, p) add 1 to C[t, p]"
    return check_function(fn, cases, what="confusion_matrix", hint=hint)


def check_inverted_dropout(fn: Callable) -> Verdict:
    """Exercise 07.1: ``inverted_dropout(x, keep, p)`` = x * keep / (1 - p), keep a 0/1 mask."""
    rng = np.random.default_rng(7)
    x = rng.normal(size=(4, 6))
    keep = (rng.random((4, 6)) > 0.3).astype(float)
    cases = [
        ((np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 0.0, 1.0, 0.0]), 0.5), np.array([2.0, 0.0, 6.0, 0.0])),
        ((np.array([1.0, -1.0]), np.array([1.0, 1.0]), 0.2), np.array([1.25, -1.25])),
        ((x, keep, 0.3), x * keep / 0.7),
    ]
    hint = "zero the dropped entries (multiply by the mask), then divide by the keep probability 1 - p"
    return check_function(fn, cases, what="inverted_dropout", hint=hint)


def check_conv_output_size(fn: Callable) -> Verdict:
    """Exercise 08.1: ``conv_output_size(n, k, padding, stride)`` = (n + 2 padding - k) // stride + 1."""
    cases = [
        ((28, 3, 1, 1), 28),
        ((28, 3, 0, 1), 26),
        ((28, 2, 0, 2), 14),
        ((7, 3, 0, 2), 3),
        ((28, 3, 0, 2), 13),
        ((5, 2, 0, 2), 2),
        ((11, 3, 2, 2), 7),
    ]
    hint = "pad both sides (n + 2 * padding), count the positions a k-wide window fits, and step by stride: use // for the floor"
    return check_function(fn, cases, what="conv_output_size", hint=hint)


# --- 09-13 gradient explanations ------------------------------------------------


def check_linear_contributions(fn: Callable) -> Verdict:
    """Exercise 09: fn(weights, x, c) -> the contribution w[c, i] * x[i] of every input to a linear model's logit c.

    ``weights`` has shape (classes, inputs), like a PyTorch ``nn.Linear`` weight.
    """
    rng = np.random.default_rng(9)
    weights, x = rng.normal(size=(10, 784)), rng.random(784)
    cases = [
        ((np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -1.0]), 1), np.array([1.5, -4.0])),
        ((weights, x, 3), weights[3] * x),
        ((weights, x, 0), weights[0] * x),
    ]
    hint = "take row c of the weights and multiply it by x elementwise; do not sum (the sum plus the bias is the logit)"
    return check_function(fn, cases, what="linear_contributions", hint=hint)


def check_smoothgrad(fn: Callable) -> Verdict:
    """Exercise 10: fn(gradient, x, noise) -> the mean over k of gradient(x + noise[k]).

    ``gradient`` maps a batch to its gradient (same shape); ``noise`` has shape (n_samples, *x.shape).
    """
    rng = np.random.default_rng(10)

    def gradient(z):  # the gradient of f(z) = 2 sum(sin z)
        return 2 * np.cos(z)

    x = rng.normal(size=(2, 3))
    noise = 0.3 * rng.normal(size=(5, 2, 3))
    cases = [
        ((gradient, x, np.zeros((1, 2, 3))), gradient(x)),
        ((gradient, x, noise), np.mean([gradient(x + e) for e in noise], axis=0)),
    ]
    hint = "add each noise sample to x, take the gradient there, and average the n gradients (axis 0)"
    return check_function(fn, cases, what="smoothgrad", hint=hint)


def check_ig_midpoint(fn: Callable) -> Verdict:
    """Exercise 11: fn(gradient, x, baseline, n_steps) -> Integrated Gradients with the midpoint rule.

    alpha_k = (k + 1/2) / n for k = 0..n-1; IG = (x - baseline) * mean_k gradient(baseline + alpha_k (x - baseline)).
    """

    def gradient(z):  # the gradient of f(z) = sum(z**3)
        return 3 * z**2

    def expected(x, baseline, n):
        alphas = (np.arange(n) + 0.5) / n
        return (x - baseline) * np.mean([gradient(baseline + a * (x - baseline)) for a in alphas], axis=0)

    rng = np.random.default_rng(11)
    x, baseline = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    cases = [
        ((gradient, x, np.zeros_like(x), 1), expected(x, np.zeros_like(x), 1)),
        ((gradient, x, baseline, 4), expected(x, baseline, 4)),
        ((gradient, x, baseline, 50), expected(x, baseline, 50)),
    ]
    hint = "alphas = (np.arange(n_steps) + 0.5) / n_steps; average the gradients at the path points, then multiply by (x - baseline)"
    return check_function(fn, cases, what="ig_midpoint", hint=hint)


def check_rescale_multiplier(fn: Callable) -> Verdict:
    """Exercise 12: fn(a, a_ref, m_out) -> the ReLU's input multiplier under DeepLIFT's rescale rule.

    m_out * (relu(a) - relu(a_ref)) / (a - a_ref), and the gradient m_out * (a > 0) where a == a_ref.
    """
    a = np.array([2.0, -1.0, 3.0, 0.5, -2.0, -0.5])
    a_ref = np.array([0.0, 0.0, 1.0, 0.5, 1.0, -0.5])
    m_out = np.array([1.0, 2.0, -1.0, 3.0, 1.0, 4.0])
    cases = [
        ((a, a_ref, m_out), np.array([1.0, 0.0, -1.0, 3.0, 1.0 / 3.0, 0.0])),
        ((np.array([[1.0, 4.0]]), np.array([[-1.0, 2.0]]), np.array([[2.0, 2.0]])), np.array([[1.0, 2.0]])),
    ]
    hint = "divide the change of the ReLU's output by the change of its input; where the input did not change (a == a_ref) use the gradient m_out * (a > 0) instead of dividing by zero (np.where)"
    return check_function(fn, cases, what="rescale_multiplier", hint=hint)


def check_ink_fraction(fn: Callable) -> Verdict:
    """Exercise 13: fn(attributions, x, threshold=0.5) -> per row, the share of sum |attribution| on pixels with x > threshold."""
    rng = np.random.default_rng(13)
    x = rng.random((3, 1, 4, 4))
    attr = rng.normal(size=(3, 1, 4, 4))
    ink = x > 0.5
    expected = (np.abs(attr) * ink).reshape(3, -1).sum(1) / np.abs(attr).reshape(3, -1).sum(1)
    cases = [
        ((np.array([[1.0, -3.0, 0.0, 4.0]]), np.array([[0.9, 0.1, 0.7, 0.6]])), np.array([5.0 / 8.0])),
        ((attr, x), expected),
    ]
    hint = "take np.abs of the attributions, sum it over the pixels where x > threshold, and divide by the sum over all pixels, one number per row"
    return check_function(fn, cases, what="ink_fraction", hint=hint)


# --- 01 the neuron -------------------------------------------------------------


def check_sigmoid(fn: Callable) -> Verdict:
    """Exercise 01: sigmoid(z) = 1 / (1 + exp(-z)), elementwise, for scalars and arrays."""
    z = np.array([-3.0, -1.0, 0.0, 0.5, 2.0])
    grid = np.linspace(-6, 6, 12).reshape(3, 4)
    cases = [
        ((0.0,), 0.5),
        ((z,), 1 / (1 + np.exp(-z))),
        ((grid,), 1 / (1 + np.exp(-grid))),
        ((np.array([-40.0, 40.0]),), np.array([1 / (1 + np.exp(40.0)), 1 / (1 + np.exp(-40.0))])),
    ]
    hint = "use np.exp so it works elementwise on arrays: 1 / (1 + np.exp(-z)); sigmoid(0) is exactly 0.5"
    with np.errstate(over="ignore"):
        return check_function(fn, cases, what="sigmoid", hint=hint, rtol=1e-6, atol=1e-12)


def check_sigmoid_grad(fn: Callable) -> Verdict:
    """Exercise 01: the derivative sigmoid'(z) = sigmoid(z) (1 - sigmoid(z)), elementwise."""

    def reference(z):
        s = 1 / (1 + np.exp(-np.asarray(z, dtype=float)))
        return s * (1 - s)

    z = np.array([-3.0, -1.0, 0.0, 0.5, 2.0])
    grid = np.linspace(-6, 6, 12).reshape(3, 4)
    cases = [((0.0,), 0.25), ((z,), reference(z)), ((grid,), reference(grid)), ((np.array([-20.0, 20.0]),), reference([-20.0, 20.0]))]
    hint = "write it with the sigmoid itself: s = sigmoid(z); return s * (1 - s). Its largest value, at z = 0, is 0.25"
    with np.errstate(over="ignore"):
        return check_function(fn, cases, what="sigmoid_grad", hint=hint, rtol=1e-6, atol=1e-12)


def check_relu(fn: Callable) -> Verdict:
    """Exercise 01: relu(z) = max(z, 0), elementwise, keeping the input's shape."""
    z = np.array([-2.0, -0.5, 0.0, 0.5, 3.0])
    grid = np.linspace(-3, 3, 12).reshape(3, 4)
    cases = [((z,), np.maximum(z, 0)), ((grid,), np.maximum(grid, 0)), ((np.array([[-1e9, 1e9]]),), np.array([[0.0, 1e9]]))]
    hint = "np.maximum(z, 0) compares elementwise (np.max(z) would return a single number, the largest entry)"
    return check_function(fn, cases, what="relu", hint=hint)


# --- 03 gradient descent -------------------------------------------------------


def check_gd_step(fn: Callable) -> Verdict:
    """Exercise 03: one gradient-descent step, gd_step(w, grad, lr) = w - lr * grad, as a new array."""
    rng = np.random.default_rng(3)
    w, g = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    cases = [
        ((np.array([1.0]), np.array([2.0]), 0.1), np.array([0.8])),
        ((np.array([0.5, -1.0]), np.array([-1.0, 4.0]), 0.25), np.array([0.75, -2.0])),
        ((w, g, 0.01), w - 0.01 * g),
    ]
    hint = "step against the gradient: return w - lr * grad (a minus sign, and the learning rate multiplies the gradient)"
    return check_function(fn, cases, what="gd_step", hint=hint)


def check_adam_bias_correction(fn: Callable) -> Verdict:
    """Exercise 03: Adam's bias correction, (m_hat, v_hat) = (m / (1 - beta1^t), v / (1 - beta2^t)), t from 1."""
    m, v = np.array([0.1, -0.2]), np.array([0.001, 0.004])
    cases = [
        ((m, v, 0.9, 0.999, 1), (m / 0.1, v / 0.001)),
        ((m, v, 0.9, 0.999, 10), (m / (1 - 0.9**10), v / (1 - 0.999**10))),
        ((np.array([0.3]), np.array([0.5]), 0.5, 0.75, 2), (np.array([0.4]), np.array([0.5 / (1 - 0.75**2)]))),
    ]
    hint = "divide m by (1 - beta1 ** t) and v by (1 - beta2 ** t); t counts steps from 1, so at t = 1 m_hat is m / (1 - beta1)"
    return _check_parts(fn, cases, ("m_hat", "v_hat"), what="bias_correction", hint=hint)


# --- 14-16 occlusion, LIME, Shapley values, evaluating explanations ---------------


def check_lime_proximity(fn: Callable) -> Verdict:
    """Exercise 14: fn(on, kernel_width) -> LIME's weight of each on/off sample (rows of ``on``, shape (k, S)).

    d = cosine distance between the row and the all-ones row = 1 - sqrt(|z| / S);
    weight = sqrt(exp(-d^2 / kernel_width^2)).
    """
    from course_utils.xai.lime_surrogate import lime_kernel

    def expected(on, width):
        on = np.asarray(on, dtype=float)
        return lime_kernel(1.0 - np.sqrt(on.sum(axis=1) / on.shape[1]), width)

    rng = np.random.default_rng(14)
    on = rng.integers(0, 2, size=(6, 49))
    cases = [
        ((np.array([[1, 1, 1, 1], [1, 0, 1, 0], [0, 0, 0, 0]]), 0.25), expected([[1, 1, 1, 1], [1, 0, 1, 0], [0, 0, 0, 0]], 0.25)),
        ((on, 0.25), expected(on, 0.25)),
        ((on, 1.0), expected(on, 1.0)),
    ]
    hint = "the cosine distance to the all-ones vector is 1 - sqrt(number of ones / S); then np.sqrt(np.exp(-d**2 / kernel_width**2)), one weight per row"
    return check_function(fn, cases, what="lime_proximity", hint=hint)


def check_shapley_by_orders(fn: Callable) -> Verdict:
    """Exercise 15: fn(value_fn, n_players) -> Shapley values as the mean marginal contribution over all n! orders.

    ``value_fn`` takes boolean coalition masks (k, n) and returns k values.
    """
    from course_utils.xai.shapley import shapley_exact

    def glove(masks):
        masks = np.asarray(masks, dtype=bool)
        return np.minimum(masks[:, :1].sum(1), masks[:, 1:].sum(1)).astype(float)

    def voting(masks):
        return (np.asarray(masks, dtype=float) @ np.array([50.0, 30.0, 20.0]) >= 51).astype(float)

    table = np.random.default_rng(15).normal(size=16)

    def random_game(masks):
        return table[np.asarray(masks, dtype=np.int64) @ (1 << np.arange(4))]

    cases = [((game, n), shapley_exact(game, n).values) for game, n in ((glove, 3), (voting, 3), (random_game, 4))]
    hint = (
        "for each order in itertools.permutations(range(n)), add the players one by one to an empty mask and credit "
        "each with value(after) - value(before); divide the totals by the number of orders (n!)"
    )
    return check_function(fn, cases, what="shapley_by_orders", hint=hint)


def check_rank_correlation(fn: Callable) -> Verdict:
    """Exercise 16: fn(a, b) -> Spearman's rank correlation of two 1-D arrays without ties.

    rho = Pearson correlation of the ranks (0..n-1) of a and of b.
    """
    rng = np.random.default_rng(16)
    a, b = rng.normal(size=50), rng.normal(size=50)

    def spearman(u, v):
        ru, rv = np.argsort(np.argsort(u)).astype(float), np.argsort(np.argsort(v)).astype(float)
        return float(np.corrcoef(ru, rv)[0, 1])

    cases = [
        ((np.array([1.0, 2.0, 3.0, 4.0]), np.array([10.0, 20.0, 30.0, 40.0])), 1.0),
        ((np.array([1.0, 2.0, 3.0, 4.0]), np.array([4.0, 3.0, 2.0, 1.0])), -1.0),
        ((np.array([0.1, 5.0, 2.0]), np.array([1.0, 100.0, 3.0])), 1.0),
        ((a, b), spearman(a, b)),
        ((a, a**3 + b * 0.1), spearman(a, a**3 + b * 0.1)),
    ]
    hint = "rank each array with np.argsort(np.argsort(x)), then take np.corrcoef of the two rank vectors"
    return check_function(fn, cases, what="rank_correlation", hint=hint)
