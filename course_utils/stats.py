r"""How sure is a comparison? Bootstrap confidence intervals, a paired bootstrap of a difference, a
permutation test, and a ranking that calls ties ties. NumPy in, NumPy out.

The course compares explanation methods, models and attacks on a finite sample (100 test digits,
1,000 test images, ...). A mean over that sample is an estimate; these functions say how far it
could move with another sample of the same size.

* :func:`bootstrap_ci`: resample the observations with replacement B times, recompute the
  statistic on each resample, and read a confidence interval off the B values (Efron and
  Tibshirani, *An Introduction to the Bootstrap*, 1993, ch. 13-14). Percentile or BCa.
* :func:`paired_difference_ci`: the same for statistic(a) - statistic(b) when a[i] and b[i] are
  measured on the same example i (two methods on the same digits): one set of resampled indices
  for both, so what the examples share cancels.
* :func:`permutation_test`: is the difference between two samples larger than relabelling at
  random would give? A p-value (Good, *Permutation Tests*, 2005).
* :func:`rank_with_ties`: order several methods by their mean score; method i is *better* than j
  only when the interval of their difference excludes 0. Each method's rank is 1 + the number of
  methods that are better than it, so methods that cannot be told apart share a rank.

Every random choice comes from ``np.random.default_rng(seed)``: the same call gives the same
numbers. The resampling is the one ``scipy.stats.bootstrap`` makes with the same generator, so with
the same seed (and ``batch``) :func:`bootstrap_ci` returns scipy's interval (tested).
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from course_utils._checks import as_positive_int, check_number

_METHODS = ("percentile", "bca")
_ALTERNATIVES = ("two-sided", "greater", "less")
_MAX_ELEMENTS = (
    2**22
)  # resampled values held at once when ``batch`` is None (about 32 MB of float64)


# --- input checks -------------------------------------------------------------------------------


def _sample(values, name: str, minimum: int = 2) -> np.ndarray:
    """A finite float array (..., n) with n >= minimum observations on its last axis."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise ValueError(
            f"{name} must be an array of numbers, got {type(values).__name__}"
        ) from err
    if arr.ndim == 0 or arr.shape[-1] < minimum:
        raise ValueError(
            f"{name} must hold at least {minimum} observations along its last axis, got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite (no NaN or inf)")
    return arr


def _samples(data, paired: bool) -> list[np.ndarray]:
    """``data`` as a list of samples: a tuple holds one array per sample, anything else is one sample."""
    if isinstance(data, tuple):
        if not data:
            raise ValueError(
                "data must be an array or a non-empty tuple of arrays (one per sample)"
            )
        samples = [_sample(d, f"data[{k}]") for k, d in enumerate(data)]
    else:
        samples = [_sample(data, "data")]
    if paired and len({s.shape[-1] for s in samples}) > 1:
        raise ValueError(
            "paired=True needs samples of the same length (observation i of each sample is one pair), "
            f"got lengths {[s.shape[-1] for s in samples]}"
        )
    return samples


def _check_confidence(confidence) -> float:
    value = check_number(confidence, "confidence", low=0.0, strict_low=True)
    if value >= 1.0:
        raise ValueError(
            f"confidence must be between 0 and 1 (0.95 for a 95% interval), got {confidence!r}"
        )
    return value


def _check_statistic(statistic) -> Callable:
    if not callable(statistic):
        raise ValueError(
            "statistic must be a function statistic(*samples, axis=-1) that reduces the last axis "
            f"(np.mean, np.median, ...), got {type(statistic).__name__}"
        )
    return statistic


def _check_seed(seed) -> int:
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be an int >= 0, got {seed!r}")
    return int(seed)


def _batch_size(batch, per_resample: int, n_resamples: int) -> int:
    if batch is None:
        return int(max(1, min(n_resamples, _MAX_ELEMENTS // max(1, per_resample))))
    return as_positive_int(batch, "batch")


# --- quantiles --------------------------------------------------------------------------------------


def _quantile_last_axis(values: np.ndarray, q) -> np.ndarray:
    """Quantile ``q`` (a number, or one per leading position) of ``values`` along its last axis.

    The 'linear' rule of ``np.quantile`` (Hyndman and Fan's type 7): sort the B values, take
    position h = (B - 1) q and interpolate between the values at floor(h) and ceil(h).
    """
    ordered = np.sort(values, axis=-1)
    b = ordered.shape[-1]
    q = np.broadcast_to(np.asarray(q, dtype=float), ordered.shape[:-1])
    h = (b - 1) * q
    lo = np.clip(np.floor(h), 0, b - 1).astype(int)
    hi = np.clip(np.ceil(h), 0, b - 1).astype(int)
    v_lo = np.take_along_axis(ordered, lo[..., None], axis=-1)[..., 0]
    v_hi = np.take_along_axis(ordered, hi[..., None], axis=-1)[..., 0]
    return v_lo + (h - lo) * (v_hi - v_lo)


# --- the bootstrap ------------------------------------------------------------------------------------


@dataclass
class BootstrapResult:
    """A bootstrap confidence interval.

    estimate : the statistic on the data itself.
    low, high : the interval's ends (arrays of the statistic's shape, or floats).
    standard_error : the standard deviation of the bootstrap distribution (ddof = 1).
    distribution : (..., n_resamples) the statistic on each resample.
    confidence, method : as requested.
    """

    estimate: np.ndarray
    low: np.ndarray
    high: np.ndarray
    standard_error: np.ndarray
    distribution: np.ndarray
    confidence: float
    method: str

    def text(self, digits: int = 3) -> str:
        """'estimate [low, high]' for a scalar statistic, e.g. '0.046 [0.041, 0.052]'."""
        if np.ndim(self.estimate) != 0:
            raise ValueError(
                "text() formats one interval; index the arrays for a statistic with several values"
            )
        return f"{self.estimate:.{digits}f} [{self.low:.{digits}f}, {self.high:.{digits}f}]"


def _scalar(a):
    a = np.asarray(a)
    return a[()] if a.ndim == 0 else a


def bootstrap_ci(
    data,
    statistic: Callable = np.mean,
    *,
    confidence: float = 0.95,
    n_resamples: int = 9999,
    method: str = "percentile",
    paired: bool = False,
    seed: int = 0,
    batch: int | None = None,
) -> BootstrapResult:
    r"""Bootstrap confidence interval of ``statistic`` over the last axis of the data.

    data : one array (..., n): n observations on the last axis, any leading axes (e.g. one row
        per method; every row is resampled with the same indices); or a tuple of arrays, one per
        sample, for a statistic of several samples (``statistic(a, b, axis=-1)``).
    statistic : a function that reduces the last axis, called as ``statistic(*samples, axis=-1)``
        (``np.mean``, ``np.median``, or your own).
    paired : with several samples, resample the *pairs* (the same indices for every sample)
        instead of each sample on its own.

    The bootstrap: draw B = ``n_resamples`` resamples :math:`x^{*b}` of the n observations with
    replacement, each the same size as the data, and compute :math:`\hat\theta^{*b} = s(x^{*b})`.
    With :math:`\alpha = 1 - \text{confidence}`:

    * ``method='percentile'``: the interval is
      :math:`[\hat\theta^*_{(\alpha/2)},\ \hat\theta^*_{(1-\alpha/2)}]`, the quantiles of the B values.
    * ``method='bca'`` (bias-corrected and accelerated, Efron 1987): the same two quantiles taken at
      shifted levels

      .. math::
          \alpha_{1,2} = \Phi\!\Big(z_0 + \frac{z_0 + z_{\alpha/2,\,1-\alpha/2}}
                                          {1 - a\,(z_0 + z_{\alpha/2,\,1-\alpha/2})}\Big),

      with the bias correction :math:`z_0 = \Phi^{-1}\big(\#\{\hat\theta^{*b} < \hat\theta\} +
      \tfrac12\#\{\hat\theta^{*b} = \hat\theta\}\big) / B` and the acceleration from the jackknife
      (leave one observation out, :math:`\hat\theta_{(i)}`, :math:`U_i = (n-1)(\bar\theta_{(\cdot)} -
      \hat\theta_{(i)})`): :math:`a = \sum_i U_i^3 / \big(6\, (\sum_i U_i^2)^{3/2}\big)` (summed over
      the samples as :math:`\sum_j \sum_i U_{ji}^3/n_j^3` and :math:`\sum_j\sum_i U_{ji}^2/n_j^2`).
      It corrects the percentile interval for a skewed or biased statistic; when the jackknife
      values are all equal (a = 0/0) a = 0 is used.

    The resamples are drawn as ``scipy.stats.bootstrap`` draws them with
    ``rng=np.random.default_rng(seed)`` and the same ``batch`` (resamples per vectorised call;
    None: as many as fit in about 4 million values), so both give the same interval.
    """
    statistic = _check_statistic(statistic)
    confidence = _check_confidence(confidence)
    n_resamples = as_positive_int(n_resamples, "n_resamples", minimum=2)
    seed = _check_seed(seed)
    if method not in _METHODS:
        raise ValueError(f"method must be one of {_METHODS}, got {method!r}")
    samples = _samples(data, paired)
    rng = np.random.default_rng(seed)
    estimate = np.asarray(statistic(*samples, axis=-1), dtype=float)

    if paired:
        n = samples[0].shape[-1]
        per_resample = sum(int(np.prod(s.shape)) for s in samples)
        size = _batch_size(batch, per_resample, n_resamples)
        chunks = []
        for start in range(0, n_resamples, size):
            idx = rng.integers(0, n, (min(size, n_resamples - start), n))
            chunks.append(
                np.asarray(statistic(*(s[..., idx] for s in samples), axis=-1), dtype=float)
            )
    else:
        per_resample = sum(int(np.prod(s.shape)) for s in samples)
        size = _batch_size(batch, per_resample, n_resamples)
        chunks = []
        for start in range(0, n_resamples, size):
            b = min(size, n_resamples - start)
            resampled = [s[..., rng.integers(0, s.shape[-1], (b, s.shape[-1]))] for s in samples]
            chunks.append(np.asarray(statistic(*resampled, axis=-1), dtype=float))
    distribution = np.concatenate(chunks, axis=-1)

    alpha = (1.0 - confidence) / 2
    if method == "percentile":
        low_q, high_q = alpha, 1.0 - alpha
    else:
        low_q, high_q = _bca_levels(
            samples, statistic, estimate, distribution, alpha, paired, batch
        )
    low = _quantile_last_axis(distribution, low_q)
    high = _quantile_last_axis(distribution, high_q)
    return BootstrapResult(
        estimate=_scalar(estimate),
        low=_scalar(low),
        high=_scalar(high),
        standard_error=_scalar(np.std(distribution, axis=-1, ddof=1)),
        distribution=distribution,
        confidence=confidence,
        method=method,
    )


def _jackknife(samples, statistic, which: int | None, batch) -> np.ndarray:
    """Leave-one-out values of the statistic, (..., n), leaving out observation i of sample ``which``
    (or of every sample at once, for pairs: ``which=None``)."""
    n = samples[0 if which is None else which].shape[-1]
    per_row = sum(int(np.prod(s.shape)) for s in samples)
    size = _batch_size(batch, per_row, n)
    out = []
    for start in range(0, n, size):
        stop = min(n, start + size)
        keep = np.ones((stop - start, n), dtype=bool)
        keep[np.arange(stop - start), np.arange(start, stop)] = False
        idx = np.broadcast_to(np.arange(n), keep.shape)[keep].reshape(stop - start, n - 1)
        if which is None:
            args = [s[..., idx] for s in samples]
        else:
            args = [s[..., idx] if k == which else s[..., None, :] for k, s in enumerate(samples)]
        out.append(np.asarray(statistic(*args, axis=-1), dtype=float))
    return np.concatenate(out, axis=-1)


def _bca_levels(samples, statistic, estimate, distribution, alpha, paired, batch):
    from scipy.special import ndtr, ndtri

    b = distribution.shape[-1]
    theta = estimate[..., None]
    share_below = (
        np.sum(distribution < theta, axis=-1) + np.sum(distribution <= theta, axis=-1)
    ) / (2 * b)
    if np.any((share_below == 0) | (share_below == 1)):
        raise ValueError(
            "the BCa interval is undefined here: every resampled statistic lies on one side of the estimate "
            "(a degenerate bootstrap distribution); use method='percentile'"
        )
    z0 = ndtri(share_below)
    groups = [None] if paired else list(range(len(samples)))
    num = den = 0.0
    for which in groups:
        values = _jackknife(samples, statistic, which, batch)
        n = values.shape[-1]
        u = (n - 1) * (values.mean(axis=-1, keepdims=True) - values)
        num = num + np.sum(u**3, axis=-1) / n**3
        den = den + np.sum(u**2, axis=-1) / n**2
    den = np.asarray(den, dtype=float)
    a = np.where(den > 0, np.asarray(num) / np.where(den > 0, den, 1.0) ** 1.5 / 6.0, 0.0)
    levels = []
    for z in (ndtri(alpha), ndtri(1.0 - alpha)):
        shifted = z0 + z
        levels.append(ndtr(z0 + shifted / (1.0 - a * shifted)))
    return levels[0], levels[1]


def paired_difference_ci(
    a,
    b,
    statistic: Callable = np.mean,
    *,
    confidence: float = 0.95,
    n_resamples: int = 9999,
    method: str = "percentile",
    seed: int = 0,
    batch: int | None = None,
) -> BootstrapResult:
    r"""Bootstrap interval of :math:`s(a) - s(b)` when a[..., i] and b[..., i] belong to the same example i.

    a, b : arrays of the same shape (..., n); s = ``statistic`` over the last axis (the mean).
    Each resample draws n example indices :math:`i_1..i_n` with replacement and uses them for *both*
    arrays: :math:`\hat\Delta^{*} = s(a_{i_1..i_n}) - s(b_{i_1..i_n})`. What the two measurements of
    an example share (an easy digit is easy for every method) cancels in the difference, so the
    interval is usually much narrower than the two separate intervals suggest. An interval that
    contains 0 means: with this many examples, the two cannot be told apart.
    Options as in :func:`bootstrap_ci` (it is ``bootstrap_ci((a, b), s(a) - s(b), paired=True)``).
    """
    statistic = _check_statistic(statistic)
    a = _sample(a, "a")
    b = _sample(b, "b")
    if a.shape != b.shape:
        raise ValueError(
            f"a and b must have the same shape (one value per example each), got {a.shape} and {b.shape}"
        )

    def difference(first, second, axis=-1):
        return statistic(first, axis=axis) - statistic(second, axis=axis)

    return bootstrap_ci(
        (a, b),
        difference,
        confidence=confidence,
        n_resamples=n_resamples,
        method=method,
        paired=True,
        seed=seed,
        batch=batch,
    )


# --- the permutation test -------------------------------------------------------------------------------


@dataclass
class PermutationResult:
    """A permutation test.

    statistic : the statistic on the data as labelled.
    pvalue : the share of relabellings (counting the data's own) at least as extreme.
    null_distribution : (n_resamples,) the statistic on each random relabelling.
    alternative : 'two-sided', 'greater' or 'less'.
    """

    statistic: float
    pvalue: float
    null_distribution: np.ndarray
    alternative: str


def mean_difference(x, y, axis=-1):
    """mean(x) - mean(y) along ``axis``: the default statistic of :func:`permutation_test`."""
    return np.mean(x, axis=axis) - np.mean(y, axis=axis)


def permutation_test(
    x,
    y,
    statistic: Callable = mean_difference,
    *,
    paired: bool = False,
    alternative: str = "two-sided",
    n_resamples: int = 9999,
    seed: int = 0,
    batch: int | None = None,
) -> PermutationResult:
    r"""Randomised permutation test of "x and y come from the same distribution".

    x, y : 1-D samples. statistic(x, y, axis=-1): the effect to test (default mean(x) - mean(y)).
    paired=False (independent samples): under the null hypothesis the labels "x" and "y" are
        exchangeable, so each resample shuffles the pooled n_x + n_y values and splits them again.
    paired=True (x[i], y[i] measured on the same example): each resample swaps x[i] and y[i] with
        probability 1/2, independently for each i.

    With T the statistic on the data and T*_1..T*_B on B = ``n_resamples`` relabellings,

    .. math::
        p_{\text{greater}} = \frac{1 + \#\{b: T^*_b \ge T\}}{B + 1},\quad
        p_{\text{less}} = \frac{1 + \#\{b: T^*_b \le T\}}{B + 1},\quad
        p_{\text{two-sided}} = \min(1,\ 2\min(p_{\text{greater}}, p_{\text{less}}))

    (the +1 counts the data's own labelling, so p is never 0 and the test keeps its level;
    comparisons allow a relative tolerance of 100 machine epsilons, as ``scipy.stats.permutation_test``
    does, so that ties are not lost to rounding). p is at least 1 / (B + 1).
    """
    statistic = _check_statistic(statistic)
    if alternative not in _ALTERNATIVES:
        raise ValueError(f"alternative must be one of {_ALTERNATIVES}, got {alternative!r}")
    n_resamples = as_positive_int(n_resamples, "n_resamples")
    seed = _check_seed(seed)
    x, y = _sample(x, "x", minimum=1), _sample(y, "y", minimum=1)
    if x.ndim != 1 or y.ndim != 1:
        raise ValueError(f"x and y must be 1-D samples, got shapes {x.shape} and {y.shape}")
    if paired and len(x) != len(y):
        raise ValueError(f"paired=True needs x and y of the same length, got {len(x)} and {len(y)}")
    rng = np.random.default_rng(seed)
    observed = float(statistic(x, y, axis=-1))
    size = _batch_size(batch, len(x) + len(y), n_resamples)
    null = []
    for start in range(0, n_resamples, size):
        b = min(size, n_resamples - start)
        if paired:
            swap = rng.random((b, len(x))) < 0.5
            xs, ys = np.where(swap, y, x), np.where(swap, x, y)
        else:
            pooled = np.concatenate([x, y])
            order = rng.permuted(np.broadcast_to(np.arange(len(pooled)), (b, len(pooled))), axis=-1)
            xs, ys = pooled[order[:, : len(x)]], pooled[order[:, len(x) :]]
        null.append(np.asarray(statistic(xs, ys, axis=-1), dtype=float).reshape(b))
    null = np.concatenate(null)
    gamma = abs(observed) * 100 * np.finfo(float).eps
    greater = (1 + np.sum(null >= observed - gamma)) / (n_resamples + 1)
    less = (1 + np.sum(null <= observed + gamma)) / (n_resamples + 1)
    pvalue = {"greater": greater, "less": less, "two-sided": min(1.0, 2 * min(greater, less))}[
        alternative
    ]
    return PermutationResult(observed, float(pvalue), null, alternative)


# --- ranking with ties --------------------------------------------------------------------------------


@dataclass
class Ranking:
    """Methods ordered by their mean score, with ties where the data cannot separate them.

    mean, low, high : (k,) each method's mean score and its bootstrap interval.
    better : (k, k) bool; better[i, j] is True when method i is better than method j with the
        requested confidence (see :func:`rank_with_ties`).
    rank : (k,) int; 1 + the number of methods better than this one (rank 1: nothing beats it).
    order : (k,) indices of the methods by mean, best first.
    paired, confidence, higher_is_better : as requested.
    """

    mean: np.ndarray
    low: np.ndarray
    high: np.ndarray
    better: np.ndarray
    rank: np.ndarray
    order: np.ndarray
    paired: bool
    confidence: float
    higher_is_better: bool

    @property
    def tied(self) -> np.ndarray:
        """(k, k) bool: neither method is better than the other (the diagonal is True)."""
        return ~self.better & ~self.better.T

    def labels(self) -> list[str]:
        """Each method's rank as text, with '=' when another method has the same rank ('1=', '3')."""
        counts = np.bincount(self.rank)
        return [f"{r}=" if counts[r] > 1 else f"{r}" for r in self.rank]


def rank_with_ties(
    scores,
    *,
    higher_is_better: bool = False,
    paired: bool = True,
    confidence: float = 0.95,
    n_resamples: int = 9999,
    seed: int = 0,
) -> Ranking:
    r"""Rank k methods by mean score; call two methods tied when their difference is not resolved.

    scores : with ``paired=True`` an array (k, n): row i holds method i's score on each of the same
        n examples. With ``paired=False`` a sequence of k 1-D arrays (the lengths may differ).
    higher_is_better : False for scores where lower is better (deletion area, infidelity).

    * ``paired=True``: for each pair (i, j) the bootstrap interval of
      :math:`\bar s_i - \bar s_j` with the same resampled examples for every method
      (:func:`paired_difference_ci`, percentile). i is better than j when the whole interval is on
      i's side of 0; if it contains 0 they are tied.
    * ``paired=False``: each method's own percentile interval; i is better than j when the two
      intervals do not overlap (a conservative rule: overlapping intervals can still hide a
      difference that a paired comparison would resolve).

    rank_i = 1 + #{j : j better than i}, so the best methods share rank 1 and a method is ranked
    below only the methods that beat it (the rule of statistical leaderboards such as Chatbot Arena).
    Each pair is judged at ``confidence`` on its own: with many pairs, a few separations near the
    edge can be chance.
    """
    confidence = _check_confidence(confidence)
    n_resamples = as_positive_int(n_resamples, "n_resamples", minimum=2)
    seed = _check_seed(seed)
    alpha = (1.0 - confidence) / 2
    if paired:
        table = _sample(scores, "scores")
        if table.ndim != 2 or len(table) < 2:
            raise ValueError(
                f"with paired=True scores must be an array (k methods >= 2, n examples), got shape {table.shape}"
            )
        result = bootstrap_ci(
            table, np.mean, confidence=confidence, n_resamples=n_resamples, seed=seed
        )
        means = result.distribution  # (k, B), the same resampled examples in every row
        diff = means[:, None, :] - means[None, :, :]  # (k, k, B)
        d_low = _quantile_last_axis(diff, alpha)
        d_high = _quantile_last_axis(diff, 1.0 - alpha)
        better = d_low > 0 if higher_is_better else d_high < 0
        mean, low, high = result.estimate, result.low, result.high
    else:
        if isinstance(scores, np.ndarray) and scores.ndim == 2:
            rows = list(scores)
        elif isinstance(scores, Sequence) and not isinstance(scores, str):
            rows = list(scores)
        else:
            raise ValueError(
                "with paired=False scores must be a sequence of 1-D arrays, one per method"
            )
        if len(rows) < 2:
            raise ValueError(f"rank_with_ties needs at least 2 methods, got {len(rows)}")
        results = []
        for k, row in enumerate(rows):
            row = _sample(row, f"scores[{k}]")
            if row.ndim != 1:
                raise ValueError(
                    f"scores[{k}] must be 1-D (one score per example), got shape {row.shape}"
                )
            results.append(
                bootstrap_ci(
                    row, np.mean, confidence=confidence, n_resamples=n_resamples, seed=seed + k
                )
            )
        mean = np.array([r.estimate for r in results], dtype=float)
        low = np.array([r.low for r in results], dtype=float)
        high = np.array([r.high for r in results], dtype=float)
        if higher_is_better:
            better = low[:, None] > high[None, :]
        else:
            better = high[:, None] < low[None, :]
    better = np.asarray(better, dtype=bool)
    np.fill_diagonal(better, False)
    rank = 1 + better.sum(axis=0)
    order = np.argsort(-mean if higher_is_better else mean, kind="stable")
    return Ranking(
        mean=np.asarray(mean, dtype=float),
        low=np.asarray(low, dtype=float),
        high=np.asarray(high, dtype=float),
        better=better,
        rank=rank.astype(int),
        order=order,
        paired=paired,
        confidence=confidence,
        higher_is_better=higher_is_better,
    )
