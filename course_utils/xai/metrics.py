"""Is an explanation any good? Faithfulness (deletion / insertion, infidelity), robustness (max-sensitivity)
and the sanity check that an explanation depends on the model at all (parameter randomisation).

* ``deletion_curve``: remove pixels in the order of the attribution, most important first; a faithful
  map makes the target's score fall fast, so the area under the curve is small (Petsiuk et al., 2018).
* ``insertion_curve``: start from the baseline and add pixels in that order; a faithful map makes the
  score rise fast, so the area is large.
* ``randomization_test``: re-initialise the layers from the top down (Adebayo et al., 2018) and compare
  each explanation with the trained model's; an explanation that does not change is not explaining the model.
* ``infidelity`` (Yeh et al., 2019): E_I[(I . Phi(x) - (f(x) - f(x - I)))^2], how badly the attribution
  predicts the output change under random perturbations I. Lower is better. A map that already
  includes the input factor (gradient x input, IG, DeepLIFT, occlusion, LIME, KernelSHAP) is scored
  with ``multiply_by_inputs=True``: I / (x - baseline) in place of I, as Captum's convention.
* ``sensitivity_max`` (Yeh et al., 2019): max over small perturbations ||Phi(x + d) - Phi(x)||. Lower is
  more robust. Captum divides by ||Phi(x)||; ``relative=True`` does the same. ``method_seeds`` gives a
  stochastic method a fresh seed for every perturbed copy (with ``radius=0``: its noise floor).

Every metric takes ``(model, x, target, explanation_or_method, ...)``: ``explanation`` is either the
attributions of ``x`` (an array shaped like ``x``) or an explainer ``method(model, x, target)`` with the
signature every :mod:`course_utils.xai` method shares (``functools.partial`` sets its options).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field

import numpy as np

from course_utils._checks import (
    as_baseline,
    as_batch,
    as_positive_int,
    as_targets,
    check_attributions,
    check_number,
    per_row_target,
)
from course_utils.foundations.activations import softmax
from course_utils.xai.adapter import wrap


def _attributions(explanation, model, x, target) -> np.ndarray:
    """The attributions of ``x``: ``explanation`` itself, or ``explanation(model, x, target)`` for a method."""
    if callable(explanation):
        explanation = explanation(model, x, target)
    return check_attributions(explanation, x)


def _method_output(method, model, x, target) -> np.ndarray:
    if not callable(method):
        raise ValueError(
            f"method must be an explainer method(model, x, target) -> attributions, got {type(method).__name__}"
        )
    out = np.asarray(method(model, x, target), dtype=float)
    if out.shape != x.shape:
        raise ValueError(
            f"method must return attributions shaped like x {x.shape}, it returned {out.shape}"
        )
    return out


# --- deletion and insertion --------------------------------------------------------------------


@dataclass
class CurveResult:
    """A deletion or insertion curve per example.

    fractions : (n_steps + 1,) share of the features removed (deletion) or added (insertion), 0 to 1.
    scores : (N, n_steps + 1) the target's score at each step.
    area : (N,) area under each curve (trapezoid rule over fractions in [0, 1]).
    """

    fractions: np.ndarray
    scores: np.ndarray
    area: np.ndarray


def _curve(
    model, x, target, explanation, n_steps, baseline, score, batch_size, insert: bool
) -> CurveResult:
    m = wrap(model)
    x = as_batch(x)
    target = per_row_target(target, len(x))
    attributions = _attributions(explanation, model, x, target)
    baseline = as_baseline(baseline, x)
    n_steps = as_positive_int(n_steps, "n_steps")
    if score not in ("probability", "output"):
        raise ValueError(
            f"score must be 'probability' (softmax of the outputs) or 'output' (raw), got {score!r}"
        )
    n, d = len(x), int(np.prod(x.shape[1:]))
    fractions = np.linspace(0.0, 1.0, n_steps + 1)
    counts = np.round(fractions * d).astype(int)
    # rank[k, i] = position of feature i in example k's order (0 = most important)
    order = np.argsort(-attributions.reshape(n, d), axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(d)[None, :].repeat(n, 0), axis=1)
    flat_x, flat_b = x.reshape(n, d), baseline.reshape(n, d)
    first, second = (flat_b, flat_x) if insert else (flat_x, flat_b)
    rows = None
    scores = np.empty((n, n_steps + 1))
    per_chunk = max(1, batch_size // n)
    for start in range(0, n_steps + 1, per_chunk):
        step_counts = counts[start : start + per_chunk]
        switched = rank[:, None, :] < step_counts[None, :, None]  # (n, steps, d)
        batch = (
            np.where(switched, second[:, None, :], first[:, None, :])
            .reshape(-1, *x.shape[1:])
            .astype(x.dtype)
        )
        out = m.predict(batch)
        if rows is None:
            rows = as_targets(target, n, out.shape[1])
        if score == "probability":
            out = softmax(out, axis=1)
        scores[:, start : start + len(step_counts)] = out.reshape(n, len(step_counts), -1)[
            np.arange(n), :, rows
        ]
    return CurveResult(fractions, scores, np.trapezoid(scores, fractions, axis=1))


def deletion_curve(
    model,
    x,
    target,
    explanation,
    n_steps: int = 50,
    baseline=0.0,
    score: str = "probability",
    *,
    batch_size: int = 4096,
) -> CurveResult:
    """The target's score as features are replaced by ``baseline``, highest attribution first.

    At step k the round(k / n_steps * D) top-ranked of the D features of each example take the
    baseline's value (0.0: black pixels). ``score`` is 'probability' (softmax of the model's
    outputs, for models that return logits) or 'output' (the raw output). Lower area = more faithful.
    ``explanation``: attributions shaped like ``x``, or a method(model, x, target) that makes them.
    """
    return _curve(model, x, target, explanation, n_steps, baseline, score, batch_size, insert=False)


def insertion_curve(
    model,
    x,
    target,
    explanation,
    n_steps: int = 50,
    baseline=0.0,
    score: str = "probability",
    *,
    batch_size: int = 4096,
) -> CurveResult:
    """The target's score as features of x are put back onto ``baseline``, highest attribution first.

    At step k the round(k / n_steps * D) top-ranked features take x's value, the rest stay at the
    baseline. Higher area = more faithful. ``explanation`` as in :func:`deletion_curve`.
    """
    return _curve(model, x, target, explanation, n_steps, baseline, score, batch_size, insert=True)


# --- rank correlation and the randomisation test --------------------------------------------------


def rank_correlation(a, b, absolute: bool = True) -> np.ndarray:
    """Spearman rank correlation between two batches of explanations, one value per example.

    rho = Pearson correlation of the ranks (ties get their average rank); ``absolute`` compares
    |a| and |b| (which pixels matter, whatever the sign).
    """
    from scipy.stats import rankdata

    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if a.shape != b.shape or a.ndim < 2:
        raise ValueError(
            f"expected two batches of explanations of the same shape (N, ...), got {a.shape} and {b.shape}"
        )
    a, b = a.reshape(len(a), -1), b.reshape(len(b), -1)
    if absolute:
        a, b = np.abs(a), np.abs(b)
    ra = rankdata(a, axis=1) - (a.shape[1] + 1) / 2
    rb = rankdata(b, axis=1) - (b.shape[1] + 1) / 2
    denom = np.sqrt((ra**2).sum(axis=1) * (rb**2).sum(axis=1))
    return np.where(denom > 0, (ra * rb).sum(axis=1) / np.where(denom > 0, denom, 1.0), 0.0)


@dataclass
class RandomizationResult:
    """Explanations of a model whose layers are re-initialised one after another, top layer first.

    layers : names of the layers, in the order they were re-initialised.
    explanations : (n_layers + 1, N, ...); [0] is the trained model's, [k] after re-initialising layers[:k]
        (cascading) or layers[k-1] alone (independent).
    similarity : (n_layers, N) rank correlation of each randomised explanation with the trained model's.
    """

    layers: list[str]
    explanations: np.ndarray
    similarity: np.ndarray
    mode: str = field(default="cascading")


def randomization_test(
    model, x, target, method, *, mode: str = "cascading", absolute: bool = True, seed: int = 0
) -> RandomizationResult:
    """Model-parameter randomisation test (Adebayo et al., 2018), for a PyTorch or Keras model.

    method : an explainer, method(model, x, target) -> attributions shaped like x (e.g. ``xai.saliency``).
    mode : 'cascading' re-initialises the layers with parameters from the output down, one more
        at each step; 'independent' re-initialises one layer at a time in a fresh copy.
    Returns each step's explanations and their Spearman rank correlation with the trained
    model's (:func:`rank_correlation`). The model itself is never modified (copies are).
    """
    if mode not in ("cascading", "independent"):
        raise ValueError(f"mode must be 'cascading' or 'independent', got {mode!r}")
    wrapped = wrap(model)
    if wrapped.framework not in ("torch", "keras"):
        raise ValueError(
            f"randomization_test needs a PyTorch or Keras model whose layers it can re-initialise, got {type(model).__name__}"
        )
    x = as_batch(x)
    target = per_row_target(target, len(x))
    original = _method_output(method, model, x, target)
    names = [name for name, _ in wrapped.layers()][::-1]
    explanations, similarity = [original], []
    work = wrapped.copy()
    for step, name in enumerate(names):
        if mode == "independent":
            work = wrapped.copy()
        work.reinitialize(name, seed + step)
        attribution = _method_output(method, work.model, x, target)
        explanations.append(attribution)
        similarity.append(rank_correlation(original, attribution, absolute=absolute))
    return RandomizationResult(
        names, np.stack(explanations), np.array(similarity).reshape(len(names), len(x)), mode
    )


# --- infidelity and max-sensitivity --------------------------------------------------------------


def _perturbations(perturbations, x, n_samples, draw) -> np.ndarray:
    """(N, S, ...) perturbations: given (S, ...) shared or (N, S, ...) per example, or drawn."""
    if perturbations is None:
        n_samples = as_positive_int(n_samples, "n_samples")
        return draw((len(x), n_samples, *x.shape[1:])).astype(x.dtype)
    p = np.asarray(perturbations, dtype=x.dtype)
    if p.shape[1:] == x.shape[1:] and p.ndim == x.ndim:
        p = np.broadcast_to(p[None], (len(x), *p.shape))
    if p.ndim != x.ndim + 1 or p.shape[0] != len(x) or p.shape[2:] != x.shape[1:]:
        raise ValueError(
            f"perturbations must have shape (n_samples, {', '.join(map(str, x.shape[1:]))}) shared by all examples, "
            f"or (N={len(x)}, n_samples, ...) per example; got {p.shape}"
        )
    if not np.all(np.isfinite(p)):
        raise ValueError("perturbations must be finite")
    return p


def infidelity(
    model,
    x,
    target,
    explanation,
    perturbations=None,
    n_samples: int = 10,
    noise_scale: float = 0.1,
    normalize: bool = False,
    seed: int = 0,
    *,
    multiply_by_inputs: bool = False,
    baseline=0.0,
    batch_size: int = 4096,
) -> np.ndarray:
    """Explanation infidelity (Yeh et al., 2019), one value per example; lower is better.

    INFD = mean_j ( I~_j . Phi(x) - (f_t(x) - f_t(x - I_j)) )^2

    with perturbations I_j ~ N(0, noise_scale^2) per feature unless ``perturbations`` are given
    ((S, ...) shared or (N, S, ...)); x - I_j is the perturbed input. What the map is multiplied by
    depends on what kind of map it is:

    * ``multiply_by_inputs=False``: I~_j = I_j. For maps of *rates*, output change per unit of
      input (saliency, SmoothGrad): the first-order prediction of the change is I . grad f.
    * ``multiply_by_inputs=True``: I~_j = I_j / (x - baseline), elementwise, where x != baseline
      (elsewhere I_j itself: Captum's safe division by 1). For maps that already include the
      factor (x - baseline), i.e. *contributions* (gradient x input, Integrated Gradients, DeepLIFT,
      occlusion, LIME, KernelSHAP): for Phi = g * (x - baseline), I~ . Phi = I . g again. This is
      Captum's ``infidelity_perturb_func_decorator(multiply_by_inputs=True)``. With square-removal
      perturbations (I = x on a square, black baseline) I~ is 1 on the square's ink: the metric asks
      whether the square's attributions add up to the output drop when it is blacked out.

    ``normalize=True`` first rescales the attribution by the best factor
    beta = sum_j a_j b_j / sum_j a_j^2 (a_j = I~_j . Phi, b_j = the output change), as Captum's
    ``normalize=True`` does, so that maps of different scales can be compared.
    f is the model's raw output (logits for the course models), as in Captum.
    ``explanation``: attributions shaped like ``x``, or a method(model, x, target) that makes them.
    ``baseline`` (a number, one example, or one per row) is used only with ``multiply_by_inputs``.
    """
    m = wrap(model)
    x = as_batch(x)
    target = per_row_target(target, len(x))
    attributions = _attributions(explanation, model, x, target)
    if not isinstance(multiply_by_inputs, (bool, np.bool_)):
        raise ValueError(
            f"multiply_by_inputs must be True (maps that include x - baseline) or False (gradient maps), "
            f"got {multiply_by_inputs!r}"
        )
    rng = np.random.default_rng(seed)
    p = _perturbations(
        perturbations, x, n_samples, lambda shape: rng.normal(0.0, noise_scale, size=shape)
    )
    n, s = p.shape[:2]
    fx = m.predict(x)
    rows = as_targets(target, n, fx.shape[1])
    perturbed = (x[:, None] - p).reshape(n * s, *x.shape[1:])
    out = m.predict(perturbed, batch_size=batch_size).reshape(n, s, -1)[np.arange(n), :, rows]
    change = fx[np.arange(n), rows][:, None] - out  # b_j
    weights = p.reshape(n, s, -1).astype(float)  # I~_j
    if multiply_by_inputs:
        offset = (x - as_baseline(baseline, x)).reshape(n, 1, -1).astype(float)
        weights = weights / np.where(offset != 0, offset, 1.0)
    predicted = np.einsum("nsd,nd->ns", weights, attributions.reshape(n, -1))  # a_j
    if normalize:
        denom = (predicted**2).sum(axis=1)
        beta = np.where(
            denom > 0, (predicted * change).sum(axis=1) / np.where(denom > 0, denom, 1.0), 0.0
        )
        predicted = beta[:, None] * predicted
    return ((predicted - change) ** 2).mean(axis=1)


def _takes_seed(method) -> bool:
    try:
        parameters = inspect.signature(method).parameters.values()
    except (TypeError, ValueError):  # builtins without a signature: let the call decide
        return True
    return any(p.name == "seed" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)


def sensitivity_max(
    model,
    x,
    target,
    method,
    radius: float = 0.02,
    n_samples: int = 10,
    perturbations=None,
    relative: bool = False,
    seed: int = 0,
    *,
    method_seeds=None,
) -> np.ndarray:
    """Max-sensitivity of an explainer (Yeh et al., 2019), one value per example; lower is more robust.

    SENS_MAX = max_j || Phi(x + d_j) - Phi(x) ||            (the paper's definition, ``relative=False``)
    SENS_MAX = max_j || Phi(x + d_j) - Phi(x) || / ||Phi(x)||  (Captum's ``sensitivity_max``, ``relative=True``)

    with Phi = ``method(model, ., target)`` and d_j uniform in the L-infinity ball of ``radius``
    (Captum's default sampler) unless ``perturbations`` ((S, ...) or (N, S, ...)) are given;
    ||.|| is the Frobenius (L2) norm over each example's features.

    method_seeds : None, or S + 1 ints for a stochastic method (one that takes ``seed=``).
        None: the method is called as it is, so SmoothGrad, LIME or KernelSHAP draw the *same*
        noise for x and for every x + d_j (common random numbers): the score is the response to
        the input alone. With seeds: Phi(x) = method(..., seed=method_seeds[0]) and
        Phi(x + d_j) = method(..., seed=method_seeds[j + 1]), a fresh draw for every copy, as a
        user who reruns the method gets; the score then includes the method's own sampling noise.
        With ``radius=0`` (d_j = 0) it is exactly that noise: the *noise floor*
        max_j ||Phi_{seed j}(x) - Phi_{seed 0}(x)||, below which a change says nothing about the input.
    The method is called once on the original batch and once on all N * S perturbed copies
    (with ``method_seeds``: once per seed, on N examples each).
    """
    x = as_batch(x)
    target = per_row_target(target, len(x))
    radius = check_number(radius, "radius", low=0.0)
    rng = np.random.default_rng(seed)
    d = _perturbations(
        perturbations, x, n_samples, lambda shape: rng.uniform(-radius, radius, size=shape)
    )
    n, s = d.shape[:2]
    if method_seeds is None:
        base = _method_output(method, model, x, target)
        noisy = (x[:, None] + d).reshape(n * s, *x.shape[1:])
        noisy_target = target if np.ndim(target) == 0 else np.repeat(target, s)
        moved = np.asarray(method(model, noisy, noisy_target), dtype=float).reshape(n, s, -1)
    else:
        seeds = _method_seeds(method_seeds, s, method)
        base = _method_output(lambda *a: method(*a, seed=seeds[0]), model, x, target)
        moved = np.stack(
            [
                np.asarray(method(model, x + d[:, j], target, seed=seeds[j + 1]), dtype=float)
                for j in range(s)
            ],
            axis=1,
        ).reshape(n, s, -1)
    change = np.linalg.norm(moved - base.reshape(n, 1, -1), axis=2)
    if relative:
        norm = np.linalg.norm(base.reshape(n, -1), axis=1)
        change = change / np.where(norm > 0, norm, 1.0)[:, None]
    return change.max(axis=1)


def _method_seeds(method_seeds, n_perturbations: int, method) -> list[int]:
    seeds = list(np.atleast_1d(np.asarray(method_seeds)))
    if len(seeds) != n_perturbations + 1 or not all(
        isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)) for v in seeds
    ):
        raise ValueError(
            f"method_seeds must be {n_perturbations + 1} ints: one for Phi(x), then one per perturbation "
            f"({n_perturbations}); got {method_seeds!r}"
        )
    if not callable(method) or not _takes_seed(method):
        raise ValueError(
            "method_seeds needs a method that takes seed=..., e.g. functools.partial(xai.smoothgrad, "
            f"n_samples=25); got {getattr(method, '__name__', type(method).__name__)}"
        )
    return [int(v) for v in seeds]
