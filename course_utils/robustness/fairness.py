r"""Group fairness, from scratch: who gets selected, who is recognised, who is right.

All functions take plain 1-D arrays: ``y_pred`` (0/1 decisions), ``y_true``
(0/1 outcomes) and ``group`` (any labels, one per person; at least two
distinct values). With ``G`` the set of groups and ``g`` one of them:

* selection rate        s_g   = P(yhat = 1 | group = g)
* true-positive rate    tpr_g = P(yhat = 1 | y = 1, group = g)
* accuracy              acc_g = P(yhat = y | group = g)
* demographic parity difference  DPD = max_g s_g - min_g s_g
* equal opportunity difference   EOD = max_g tpr_g - min_g tpr_g

Both differences are 0 for a model that treats the groups alike by that
measure, and at most 1. They ask different questions (selected as often?
recognised as often when deserving?), and both can be 0 at once even when the
groups' base rates :math:`p_g = P(y = 1 \mid G = g)` differ: select the same
share of each group's deserving people and fill the rest of an equal quota with
others (the tests build such a classifier).

What base rates that differ do rule out (except for degenerate classifiers):

* demographic parity together with **equalized odds**, equal true-positive
  *and* false-positive rates (Hardt et al., 2016). A group's selection rate is
  :math:`s_g = \mathrm{fpr}_g + (\mathrm{tpr}_g - \mathrm{fpr}_g)\, p_g`, so
  equal rates at two different :math:`p_g` force :math:`\mathrm{tpr} = \mathrm{fpr}`:
  a decision that carries no information about the outcome.
* **calibration** against **equal error rates** (Kleinberg, Mullainathan and
  Raghavan, 2017; Chouldechova, 2017). With the positive predictive value
  :math:`\mathrm{ppv}_g = P(y = 1 \mid \hat y = 1, G = g)` and
  :math:`\mathrm{fnr}_g = 1 - \mathrm{tpr}_g`,
  :math:`\mathrm{fpr}_g = \frac{p_g}{1 - p_g} \cdot \frac{1 - \mathrm{ppv}_g}{\mathrm{ppv}_g} \cdot (1 - \mathrm{fnr}_g)`,
  so equal ppv and equal fnr at different base rates give different fpr, unless
  the classifier makes no false positives (ppv = 1) or selects nobody deserving (fnr = 1).

:func:`reweighing_weights` (Kamiran & Calders, 2012) is a mitigation: sample
weights that make the label independent of the group in the weighted data.

The synthetic credit-scoring set the course audits is
:func:`course_utils.data.make_credit_data`.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "selection_rates",
    "true_positive_rates",
    "group_accuracy",
    "demographic_parity_difference",
    "equal_opportunity_difference",
    "reweighing_weights",
    "fairness_report",
]


def _binary(values, name: str) -> np.ndarray:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} is empty")
    if not np.isin(array, (0, 1)).all():
        found = np.unique(array)[:5]
        raise ValueError(
            f"{name} must hold 0/1 decisions or outcomes, found values such as {found.tolist()}"
        )
    return array.astype(np.int64)


def _groups(group, n: int) -> np.ndarray:
    array = np.asarray(group)
    if array.ndim != 1 or len(array) != n:
        raise ValueError(
            f"group must be a 1-D array with one entry per person ({n}), got shape {array.shape}"
        )
    if len(np.unique(array)) < 2:
        raise ValueError("group holds a single value: group metrics need at least two groups")
    return array


def _key(g):
    return g.item() if isinstance(g, np.generic) else g


def selection_rates(y_pred, group) -> dict:
    """``{g: P(yhat = 1 | group = g)}``, the share of each group that the model selects."""
    y_pred = _binary(y_pred, "y_pred")
    group = _groups(group, len(y_pred))
    return {_key(g): float(y_pred[group == g].mean()) for g in np.unique(group)}


def true_positive_rates(y_true, y_pred, group) -> dict:
    """``{g: P(yhat = 1 | y = 1, group = g)}``: of the deserving people in each group, the share selected.

    Raises ValueError if a group has no positive outcome (its rate is undefined).
    """
    y_true, y_pred = _binary(y_true, "y_true"), _binary(y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}"
        )
    group = _groups(group, len(y_pred))
    rates = {}
    for g in np.unique(group):
        deserving = (group == g) & (y_true == 1)
        if not deserving.any():
            raise ValueError(
                f"group {_key(g)!r} has no person with y_true = 1: its true-positive rate is undefined"
            )
        rates[_key(g)] = float(y_pred[deserving].mean())
    return rates


def group_accuracy(y_true, y_pred, group) -> dict:
    """``{g: P(yhat = y | group = g)}``, the accuracy inside each group."""
    y_true, y_pred = _binary(y_true, "y_true"), _binary(y_pred, "y_pred")
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true and y_pred must have the same length, got {len(y_true)} and {len(y_pred)}"
        )
    group = _groups(group, len(y_pred))
    return {
        _key(g): float((y_true[group == g] == y_pred[group == g]).mean()) for g in np.unique(group)
    }


def demographic_parity_difference(y_pred, group) -> float:
    """DPD = max_g s_g - min_g s_g, with s_g = P(yhat = 1 | group = g). 0 = every group selected equally often."""
    rates = selection_rates(y_pred, group).values()
    return float(max(rates) - min(rates))


def equal_opportunity_difference(y_true, y_pred, group) -> float:
    """EOD = max_g tpr_g - min_g tpr_g, with tpr_g = P(yhat = 1 | y = 1, group = g) (Hardt et al., 2016)."""
    rates = true_positive_rates(y_true, y_pred, group).values()
    return float(max(rates) - min(rates))


def reweighing_weights(y, group) -> np.ndarray:
    """Kamiran-Calders weights w_i = P(G = g_i) P(Y = y_i) / P(G = g_i, Y = y_i), float64 (n,).

    In the weighted data the label is independent of the group:
    sum_i w_i 1[g_i = g, y_i = y] / n = P(G = g) P(Y = y). Cells the data under-represents
    (e.g. positive labels in a disadvantaged group) get weights above 1. The weights average to 1.
    """
    y = _binary(y, "y")
    group = _groups(group, len(y))
    weights = np.empty(len(y), dtype=np.float64)
    for g in np.unique(group):
        in_group = group == g
        for label in (0, 1):
            cell = in_group & (y == label)
            if cell.any():
                weights[cell] = in_group.mean() * (y == label).mean() / cell.mean()
    return weights


def fairness_report(y_true, y_pred, group) -> dict:
    """Accuracy, DPD, EOD and the per-group rates in one dict (one row of a comparison table)."""
    y_true, y_pred = _binary(y_true, "y_true"), _binary(y_pred, "y_pred")
    return {
        "accuracy": float((y_true == y_pred).mean()),
        "demographic_parity_difference": demographic_parity_difference(y_pred, group),
        "equal_opportunity_difference": equal_opportunity_difference(y_true, y_pred, group),
        "selection_rates": selection_rates(y_pred, group),
        "true_positive_rates": true_positive_rates(y_true, y_pred, group),
        "group_accuracy": group_accuracy(y_true, y_pred, group),
    }
