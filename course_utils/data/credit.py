"""A synthetic credit-scoring set whose historical labels are biased against one group (chapter 18)."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

#: Column order of ``make_credit_data().x``.
CREDIT_FEATURES = (
    "income",
    "debt_ratio",
    "years_of_history",
    "late_payments",
    "neighbourhood",
    "group",
)


class CreditData(NamedTuple):
    """A synthetic credit-scoring set (see :func:`make_credit_data`).

    x : float64 (n, 6), columns named by ``feature_names`` (the last one is ``group``)
    y : int64 (n,), the historical decision, 1 = "repaid / approved"; biased against group 1
    group : int64 (n,), the protected attribute (1 = the group the past decisions disadvantaged)
    y_unbiased : int64 (n,), what the labels would have been without the historical bias
    feature_names : the column names, ``CREDIT_FEATURES``
    """

    x: np.ndarray
    y: np.ndarray
    group: np.ndarray
    y_unbiased: np.ndarray
    feature_names: tuple

    def columns(self, names) -> np.ndarray:
        """The columns of ``x`` with these names, in that order: ``data.columns(["income", "debt_ratio"])``."""
        unknown = [name for name in names if name not in self.feature_names]
        if unknown:
            raise ValueError(
                f"unknown feature(s) {unknown}; the columns are {list(self.feature_names)}"
            )
        return self.x[:, [self.feature_names.index(name) for name in names]]


def make_credit_data(
    n: int = 5000,
    *,
    bias: float = 0.5,
    proxy_strength: float = 1.0,
    group_share: float = 0.4,
    seed: int = 0,
) -> CreditData:
    """A synthetic credit-scoring set whose historical labels are biased against one group.

    Generating process, one applicant at a time (all draws independent unless written):

    * ``group`` ~ Bernoulli(``group_share``): the protected attribute.
    * ``income``, ``debt_ratio``, ``years_of_history`` ~ N(0, 1), standardised;
      ``late_payments`` ~ Poisson(1). None of them depends on the group.
    * ``neighbourhood`` = ``proxy_strength`` * (2 * group - 1) + N(0, 1): a proxy.
      It has NO effect on repayment; it only carries information about the group
      (correlation with the group ~0.7 for strength 1, 0 for strength 0).
    * Merit (log-odds of repaying):
      m = 1.5 tanh(income) - debt_ratio + 0.5 years_of_history - 0.7 late_payments + 0.7,
      and ``y_unbiased`` = 1[m + 0.5 * Logistic(0, 1) > 0]: who would repay. It is
      independent of the group, so both groups have the same base rate.
    * Historical bias: the recorded label ``y`` equals ``y_unbiased``, except that each
      group-1 applicant who would have repaid is recorded as 0 with probability ``bias``
      (past decisions turned them down, so their repayment was never observed).

    A model trained on ``y`` learns the bias, through ``group`` if it sees it and
    through ``neighbourhood`` if it does not. Same ``seed``, same data.
    """
    if n < 10:
        raise ValueError(f"n must be at least 10, got {n}")
    if not 0.0 <= bias <= 1.0:
        raise ValueError(
            f"bias is a probability of flipping a label, expected a value in [0, 1], got {bias}"
        )
    if not 0.0 < group_share < 1.0:
        raise ValueError(f"group_share must be strictly between 0 and 1, got {group_share}")
    if proxy_strength < 0:
        raise ValueError(f"proxy_strength must be non-negative, got {proxy_strength}")
    rng = np.random.default_rng(seed)
    group = (rng.random(n) < group_share).astype(np.int64)
    income, debt_ratio, history = rng.standard_normal((3, n))
    late = rng.poisson(1.0, n).astype(float)
    neighbourhood = proxy_strength * (2 * group - 1) + rng.standard_normal(n)
    merit = 1.5 * np.tanh(income) - debt_ratio + 0.5 * history - 0.7 * late + 0.7
    y_unbiased = (merit + 0.5 * rng.logistic(size=n) > 0).astype(np.int64)
    flipped = (group == 1) & (y_unbiased == 1) & (rng.random(n) < bias)
    y = np.where(flipped, 0, y_unbiased).astype(np.int64)
    x = np.column_stack([income, debt_ratio, history, late, neighbourhood, group.astype(float)])
    return CreditData(x, y, group, y_unbiased, CREDIT_FEATURES)
