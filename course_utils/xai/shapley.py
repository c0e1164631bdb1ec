"""Shapley values: exact enumeration for small games, and KernelSHAP (a weighted regression) for models.

A cooperative game gives every coalition S of the n players a value v(S).
The Shapley value of player i is its marginal contribution averaged over
every order in which the players could join:

    phi_i = sum_{S subset of N \\ {i}} |S|! (n - |S| - 1)! / n!  *  (v(S u {i}) - v(S))

It is the only attribution that is efficient (sum_i phi_i = v(N) - v({})),
symmetric, gives dummies zero and is additive over games.

For a model f and one input x, the players are the features (or the segments
of an image) and v(S) = E_b[ f(x_S, b_rest) ]: players in S take x's value, the
others a background row b, averaged over the background (what
``shap.KernelExplainer`` computes; a single ``baseline`` is a background of one row). KernelSHAP (Lundberg & Lee, 2017) finds the same values as the
solution of a weighted least-squares problem over coalitions z in {0, 1}^n:

    min_phi  sum_z pi(z) (v(z) - phi_0 - z . phi)^2   subject to  sum_i phi_i = f(x) - phi_0,

with the Shapley kernel pi(z) = (n - 1) / (C(n, |z|) |z| (n - |z|)).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb, factorial

import numpy as np

from course_utils._checks import (
    as_baseline,
    as_batch,
    as_positive_int,
    as_targets,
    check_outputs,
    image_layout,
)
from course_utils.xai.adapter import wrap

#: shapley_exact refuses games with more players than this (2^20 coalitions is about a million).
MAX_EXACT_PLAYERS = 20


@dataclass
class ShapleyResult:
    """Shapley values and what they add up from.

    values : for :func:`shapley_exact`, (n,) or (n, n_outputs), one value per player (and output);
        for :func:`kernel_shap`, (N, n_players), one row per example.
    base_value : v(empty coalition); for a model, the mean target output over the background
        (scalar or (n_outputs,) for a game, (N,) for :func:`kernel_shap`).
    n_evaluations : how many coalitions were evaluated (per example for :func:`kernel_shap`).
    exact : True when every coalition was enumerated (for every example).

    Efficiency: ``values.sum(axis=-1 or 0) + base_value`` is v(all players), i.e. f(x).
    """

    values: np.ndarray
    base_value: np.ndarray | float
    n_evaluations: int
    exact: bool


# --- exact Shapley values ---------------------------------------------------------------------


def all_coalitions(n_players: int) -> np.ndarray:
    """Every coalition of ``n_players`` as a boolean mask (2^n, n); row k is the binary expansion of k.

    Bit i of the row index says whether player i is in the coalition, so
    ``row | (1 << i)`` is the same coalition with player i added.
    """
    codes = np.arange(2**n_players, dtype=np.int64)
    return ((codes[:, None] >> np.arange(n_players)) & 1).astype(bool)


def _check_values(values: np.ndarray, k: int, what: str) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    check_outputs(values, k, what)
    return values


def shapley_exact(value_fn, n_players: int) -> ShapleyResult:
    """Exact Shapley values by enumerating all 2^n coalitions (one call of ``value_fn``).

    value_fn : takes a boolean coalition mask of shape (k, n_players) and returns k values
        (shape (k,) or (k, n_outputs)).
    n_players : at most :data:`MAX_EXACT_PLAYERS` (the cost doubles with each player).

    phi_i = sum over S without i of  |S|! (n-|S|-1)! / n!  (v(S u {i}) - v(S)).
    """
    if not isinstance(n_players, (int, np.integer)) or n_players < 1:
        raise ValueError(f"n_players must be a positive integer, got {n_players!r}")
    n = int(n_players)
    if n > MAX_EXACT_PLAYERS:
        raise ValueError(
            f"shapley_exact enumerates 2^n coalitions; n_players={n} would need {2**n:,} evaluations. "
            f"It accepts at most {MAX_EXACT_PLAYERS} players: use kernel_shap (sampling) for more."
        )
    masks = all_coalitions(n)
    values = _check_values(value_fn(masks), len(masks), "value_fn")
    sizes = masks.sum(axis=1)
    # weight of a coalition S of size s that does not contain i: s! (n - s - 1)! / n!
    weight_by_size = np.array(
        [factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)]
    )
    codes = np.arange(2**n)
    phi = np.zeros((n,) + values.shape[1:])
    for i in range(n):
        without_i = codes[(codes >> i) & 1 == 0]
        gains = values[without_i | (1 << i)] - values[without_i]
        phi[i] = np.tensordot(weight_by_size[sizes[without_i]], gains, axes=1)
    return ShapleyResult(values=phi, base_value=values[0], n_evaluations=len(masks), exact=True)


# --- KernelSHAP -------------------------------------------------------------------------------


def shapley_kernel_weight(n_features: int, size) -> np.ndarray:
    """The Shapley kernel pi(z) = (n - 1) / (C(n, |z|) |z| (n - |z|)) for 0 < |z| < n."""
    size = np.asarray(size)
    binom = np.array([comb(n_features, int(s)) for s in np.ravel(size)], dtype=float).reshape(
        size.shape
    )
    return (n_features - 1) / (binom * size * (n_features - size))


def _size_weights(m: int) -> np.ndarray:
    """Kernel mass of each subset size 1..m-1 (all subsets of that size together), normalised to sum 1."""
    sizes = np.arange(1, m)
    mass = (m - 1) / (sizes * (m - sizes))
    return mass / mass.sum()


def _sample_coalitions(m: int, nsamples: int, rng: np.random.Generator):
    """Coalitions (k, m) and their regression weights, as KernelSHAP chooses them.

    With ``nsamples >= 2^m - 2`` every coalition (except the empty and the full
    one) is listed with its exact kernel weight. Otherwise, like
    ``shap.KernelExplainer``: subset sizes are taken from the outside in
    (1 and m-1, then 2 and m-2, ...) and enumerated completely while the budget
    covers their share of the kernel mass; the remaining sizes are sampled
    (size from the kernel, members uniformly, each with its complement), and the
    sampled coalitions share the remaining mass equally per draw.
    """
    total = 2**m - 2
    if nsamples >= total:
        masks = all_coalitions(m)[1:-1]
        return masks, shapley_kernel_weight(m, masks.sum(axis=1)), True
    mass = _size_weights(m)  # index s-1 for size s
    blocks, weights = [], []
    left, remaining = nsamples, 1.0
    full_sizes = set()
    for s in range(1, m // 2 + 1):
        pair = m - s != s
        sizes = (s, m - s) if pair else (s,)
        count = comb(m, s) * len(sizes)
        share = sum(mass[t - 1] for t in sizes) / remaining
        if left * share < count - 1e-8:
            break
        for t in sizes:
            block = _combinations_mask(m, t)
            blocks.append(block)
            weights.append(np.full(len(block), mass[t - 1] / len(block)))
            full_sizes.add(t)
        left -= count
        remaining -= share * remaining
    sampled_sizes = np.array([t for t in range(1, m) if t not in full_sizes])
    if left > 0 and len(sampled_sizes):
        p = mass[sampled_sizes - 1] / mass[sampled_sizes - 1].sum()
        n_draws = (left + 1) // 2
        sizes = rng.choice(sampled_sizes, size=n_draws, p=p)
        keys = rng.random((n_draws, m))
        ranks = np.argsort(np.argsort(keys, axis=1), axis=1)
        drawn = ranks < sizes[:, None]
        drawn = np.concatenate([drawn, ~drawn])[:left]  # each draw with its complement
        unique, counts = np.unique(drawn, axis=0, return_counts=True)
        blocks.append(unique)
        weights.append(counts / counts.sum() * mass[sampled_sizes - 1].sum())
    masks = np.concatenate(blocks) if blocks else np.zeros((0, m), bool)
    return masks, np.concatenate(weights) if weights else np.zeros(0), False


def _combinations_mask(m: int, size: int) -> np.ndarray:
    from itertools import combinations

    rows = np.array(list(combinations(range(m), size)), dtype=np.int64)
    mask = np.zeros((len(rows), m), dtype=bool)
    np.put_along_axis(mask, rows, True, axis=1)
    return mask


def constrained_weighted_least_squares(masks, targets, weights, total) -> np.ndarray:
    """Solve min_phi sum_k w_k (y_k - z_k . phi)^2 subject to sum(phi) = total, for each output column.

    Eliminates the last coordinate with the constraint (phi_m = total - sum of the others),
    as in the KernelSHAP paper, then solves the normal equations.
    masks (k, m), targets (k, d), weights (k,), total (d,) -> phi (m, d).
    """
    z = masks.astype(float)
    x = z[:, :-1] - z[:, -1:]
    y = targets - z[:, -1:] * total[None, :]
    wx = weights[:, None] * x
    lhs, rhs = x.T @ wx, wx.T @ y
    try:
        head = np.linalg.solve(lhs, rhs)
    except np.linalg.LinAlgError:
        root = np.sqrt(weights)[:, None]
        head = np.linalg.lstsq(root * x, root * y, rcond=None)[0]
    return np.vstack([head, total[None, :] - head.sum(axis=0, keepdims=True)])


def kernel_shap(
    model,
    x,
    target,
    baseline=None,
    *,
    background=None,
    segments=None,
    n_samples: int = 2048,
    seed: int = 0,
    batch_size: int = 20000,
    return_shapley: bool = False,
):
    """KernelSHAP of output ``target`` for every example of the batch ``x``, an array shaped like ``x``.

    Players: the features of each example, or with ``segments`` ((H, W) integer map) the segments of
    each image. v(z) = mean over reference rows b of f(x where z = 1, b where z = 0)[target];
    phi = argmin sum_z pi(z) (v(z) - phi_0 - z . phi)^2 with sum(phi) = f(x) - phi_0 enforced exactly,
    phi_0 = mean_b f(b). The reference rows: ``background`` (m, *x.shape[1:]) if given (shap's
    "background data"), else the single ``baseline`` (None: zeros, a number, or one example).
    Players that cannot change the input (x equals every reference row there) get exactly 0
    (the dummy axiom); the others play.

    n_samples : coalition budget per example. At least 2^n - 2 (n = number of playing players)
        enumerates every coalition and the result is the exact Shapley value; otherwise coalitions
        are sampled as ``shap.KernelExplainer`` does, with ``np.random.default_rng(seed)`` for every
        example. It must be at least n + 1.
    Returns phi shaped like ``x``: a feature's value, or with segments a segment's value shared among
    its pixels (value / pixel count, so each map sums to f(x) - phi_0). ``return_shapley=True`` also
    returns a :class:`ShapleyResult` with the per-player values (N, n_players) and phi_0 (N,).
    The model is called in batches of ``batch_size`` rows (each coalition times each reference row).
    """
    from course_utils.xai.lime_surrogate import image_batch_segments, segment_map

    m = wrap(model)
    x = as_batch(x)
    references = _references(baseline, background, x)
    n_samples = as_positive_int(n_samples, "n_samples")
    batch_size = as_positive_int(batch_size, "batch_size")
    if segments is not None:
        segments, _ = image_batch_segments(x, segments, "kernel_shap with segments")
        layout = image_layout(x.shape[1:])
        members = (
            segments
            if layout == "hw"
            else (segments[None] if layout == "chw" else segments[..., None])
        )
        members = np.broadcast_to(members, x.shape[1:]).reshape(-1)
    else:
        members = np.arange(int(np.prod(x.shape[1:])))
    n_players = int(members.max()) + 1
    player_masks = members[None, :] == np.arange(n_players)[:, None]  # (players, features)
    base_outputs = m.predict(references, batch_size=batch_size).astype(float)
    targets = as_targets(target, len(x), base_outputs.shape[1])
    fx = m.predict(x).astype(float)[np.arange(len(x)), targets]
    flat_refs = references.reshape(len(references), -1)
    phi = np.zeros((len(x), n_players))
    base = base_outputs[:, targets].mean(axis=0)
    n_eval, exact = 0, True
    for row, (xi, t) in enumerate(zip(x.reshape(len(x), -1), targets, strict=True)):
        playing = np.flatnonzero([np.any(flat_refs[:, mask] != xi[mask]) for mask in player_masks])
        k = len(playing)
        if k == 1:
            phi[row, playing[0]] = fx[row] - base[row]
        elif k > 1:
            minimum = min(2**k - 2, k + 1)
            if n_samples < minimum:
                raise ValueError(
                    f"n_samples={n_samples} is too small for {k} varying features: the weighted least squares has "
                    f"{k - 1} unknowns once the efficiency constraint is enforced, so it needs at least {minimum} coalitions"
                )
            masks, weights, row_exact = _sample_coalitions(
                k, n_samples, np.random.default_rng(seed)
            )
            on = (
                masks.astype(float) @ player_masks[playing].astype(float) > 0
            )  # (coalitions, features)
            values = _coalition_values(m, xi, flat_refs, on, int(t), x.shape[1:], batch_size)
            phi[row, playing] = constrained_weighted_least_squares(
                masks, (values - base[row])[:, None], weights, np.array([fx[row] - base[row]])
            )[:, 0]
            n_eval, exact = max(n_eval, len(masks)), exact and row_exact
    if segments is not None:
        out = segment_map(phi, segments, x.shape[1:])
    else:
        out = phi.reshape(x.shape)
    out = out.astype(x.dtype)
    if not return_shapley:
        return out
    return out, ShapleyResult(values=phi, base_value=base, n_evaluations=n_eval, exact=exact)


def _references(baseline, background, x: np.ndarray) -> np.ndarray:
    """The reference rows (m, *x.shape[1:]): the background, or the one baseline."""
    if background is None:
        return as_baseline(baseline, x[:1])
    if baseline is not None:
        raise ValueError(
            "give either baseline (one reference input) or background (a set of rows), not both"
        )
    try:
        rows = np.asarray(background, dtype=x.dtype)
    except (TypeError, ValueError) as err:
        raise ValueError(f"background must be an array of numbers: {err}") from err
    if rows.ndim == x.ndim - 1 and rows.shape == x.shape[1:]:
        rows = rows[None]
    if rows.ndim != x.ndim or rows.shape[1:] != x.shape[1:]:
        shape = ", ".join(map(str, x.shape[1:]))
        raise ValueError(
            f"background must have shape (m, {shape}) to match x's examples {x.shape[1:]}; got shape {rows.shape}"
        )
    if len(rows) == 0:
        raise ValueError("background is empty: pass at least one row")
    if not np.all(np.isfinite(rows)):
        raise ValueError("background must be finite (no nan or inf)")
    return rows


def _coalition_values(m, xi, refs, on, target, example_shape, batch_size: int) -> np.ndarray:
    """v(z) = mean_b f(x on z, b elsewhere)[target] for every coalition, in batches of whole coalitions."""
    n_ref = len(refs)
    per_batch = max(1, batch_size // n_ref)
    out = []
    for start in range(0, len(on), per_batch):
        chunk = on[start : start + per_batch]
        rows = np.where(chunk[:, None, :], xi[None, None, :], refs[None, :, :]).reshape(
            -1, *example_shape
        )
        pred = m.predict(rows.astype(refs.dtype, copy=False))
        out.append(pred[:, target].reshape(len(chunk), n_ref).mean(axis=1))
    return np.concatenate(out)
