"""Shapley values: exact enumeration for small games, and KernelSHAP (a weighted regression) for models.

A cooperative game gives every coalition S of the n players a value v(S).
The Shapley value of player i is its marginal contribution averaged over
every order in which the players could join:

    phi_i = sum_{S subset of N \\ {i}} |S|! (n - |S| - 1)! / n!  *  (v(S u {i}) - v(S))

It is the only attribution that is efficient (sum_i phi_i = v(N) - v({})),
symmetric, gives dummies zero and is additive over games.

For a model f and one input x, the players are the features and
v(S) = E_b[ f(x_S, b_rest) ]: features in S take x's value, the others a
background row b, averaged over the background (what ``shap.KernelExplainer``
computes). KernelSHAP (Lundberg & Lee, 2017) finds the same values as the
solution of a weighted least-squares problem over coalitions z in {0, 1}^n:

    min_phi  sum_z pi(z) (v(z) - phi_0 - z . phi)^2   subject to  sum_i phi_i = f(x) - phi_0,

with the Shapley kernel pi(z) = (n - 1) / (C(n, |z|) |z| (n - |z|)).
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb, factorial

import numpy as np

#: shapley_exact refuses games with more players than this (2^20 coalitions is about a million).
MAX_EXACT_PLAYERS = 20


@dataclass
class ShapleyResult:
    """Shapley values and what they add up from.

    values : (n,) or (n, n_outputs) -- one value per player / feature (and output).
    base_value : scalar or (n_outputs,) -- v(empty coalition); for a model, the mean prediction over the background.
    n_evaluations : how many coalitions were evaluated.
    exact : True when every coalition was enumerated.

    Efficiency: ``values.sum(axis=0) + base_value`` is v(all players), i.e. f(x).
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
    if values.ndim not in (1, 2) or values.shape[0] != k:
        raise ValueError(f"{what} must return {k} values, shape ({k},) or ({k}, n_outputs), one per row it was given; it returned shape {values.shape}")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"{what} returned non-finite values (nan or inf)")
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
    weight_by_size = np.array([factorial(s) * factorial(n - s - 1) / factorial(n) for s in range(n)])
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
    binom = np.array([comb(n_features, int(s)) for s in np.ravel(size)], dtype=float).reshape(size.shape)
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


def _as_rows(out, k: int, what: str) -> np.ndarray:
    out = np.asarray(out, dtype=float)
    returned = out.shape
    if out.ndim == 1:
        out = out[:, None]
    if out.ndim != 2 or out.shape[0] != k:
        raise ValueError(f"{what} must return shape ({k},) or ({k}, n_outputs) for {k} rows; it returned shape {returned}")
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{what} returned non-finite values (nan or inf)")
    return out


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


def kernel_shap(predict_fn, x, background, nsamples: int = 2048, seed: int = 0, *, batch_size: int = 20000) -> ShapleyResult:
    """KernelSHAP for one instance ``x`` (n_features,) against a ``background`` (m, n_features).

    v(z) = mean over background rows b of f(x where z = 1, b where z = 0);
    phi = argmin sum_z pi(z) (v(z) - phi_0 - z . phi)^2 with sum(phi) = f(x) - phi_0 enforced exactly,
    phi_0 = mean_b f(b) (``base_value``). Features whose value in x equals every background row
    cannot change v and get exactly 0 (the dummy axiom); the others are the players.

    nsamples : coalition budget. At least 2^n - 2 (n = number of varying features) enumerates
        every coalition and the result is the exact Shapley value; otherwise coalitions are
        sampled as ``shap.KernelExplainer`` does. It must be at least n + 1.
    predict_fn : rows (k, n_features) -> (k,) or (k, n_outputs). Called in batches of
        ``batch_size`` rows (each coalition times each background row), never once per sample.
    """
    x = np.asarray(x, dtype=float)
    background = np.asarray(background, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"x must be one instance, a 1-D feature vector; got shape {x.shape} (pass x[i] for row i)")
    if background.ndim == 1:
        background = background[None, :]
    if background.ndim != 2 or background.shape[1] != x.shape[0]:
        raise ValueError(f"background must have shape (m, {x.shape[0]}) to match x's {x.shape[0]} features; got shape {background.shape}")
    if len(background) == 0:
        raise ValueError("background is empty: pass at least one row")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(background))):
        raise ValueError("x and background must be finite (no nan or inf)")
    nsamples = int(nsamples)

    raw_fx = np.asarray(predict_fn(x[None, :]))
    squeeze = raw_fx.ndim == 1
    fx_row = _as_rows(raw_fx, 1, "predict_fn")
    base_rows = _as_rows(predict_fn(background), len(background), "predict_fn")
    if fx_row.shape[1] != base_rows.shape[1]:
        raise ValueError(f"predict_fn returned {base_rows.shape[1]} outputs per row on the background but {fx_row.shape[1]} on x")
    base, fx = base_rows.mean(axis=0), fx_row[0]

    varying = np.flatnonzero(np.any(background != x[None, :], axis=0))
    m = len(varying)
    phi = np.zeros((x.shape[0], base.shape[0]))
    n_eval, exact = 0, True
    if m == 1:
        phi[varying[0]] = fx - base
    elif m > 1:
        minimum = min(2**m - 2, m + 1)
        if nsamples < minimum:
            raise ValueError(
                f"nsamples={nsamples} is too small for {m} varying features: the weighted least squares has "
                f"{m - 1} unknowns once the efficiency constraint is enforced, so it needs at least {minimum} coalitions"
            )
        rng = np.random.default_rng(seed)
        masks, weights, exact = _sample_coalitions(m, nsamples, rng)
        values = _coalition_values(predict_fn, x, background, varying, masks, batch_size)
        phi[varying] = constrained_weighted_least_squares(masks, values - base, weights, fx - base)
        n_eval = len(masks)
    if squeeze:
        return ShapleyResult(values=phi[:, 0], base_value=float(base[0]), n_evaluations=n_eval, exact=exact)
    return ShapleyResult(values=phi, base_value=base, n_evaluations=n_eval, exact=exact)


def _coalition_values(predict_fn, x, background, varying, masks, batch_size: int) -> np.ndarray:
    """v(z) = mean_b f(x on z, b elsewhere) for every coalition, in batches of whole coalitions."""
    n_bg = len(background)
    per_batch = max(1, batch_size // n_bg)
    out = []
    for start in range(0, len(masks), per_batch):
        chunk = masks[start : start + per_batch]
        rows = np.repeat(background[None, :, :], len(chunk), axis=0)  # (c, m_bg, n)
        on = np.zeros((len(chunk), x.shape[0]), dtype=bool)
        on[:, varying] = chunk
        rows = np.where(on[:, None, :], x[None, None, :], rows).reshape(-1, x.shape[0])
        pred = _as_rows(predict_fn(rows), len(rows), "predict_fn")
        out.append(pred.reshape(len(chunk), n_bg, -1).mean(axis=1))
    return np.concatenate(out)
