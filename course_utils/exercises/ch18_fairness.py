"""Exercises and quiz of chapter 18 · Fairness and bias."""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import NotStarted, exercise, function_problem, value_problem
from course_utils.exercises.quizzes import Question, register
from course_utils.robustness import fairness

__all__ = [
    "check_demographic_parity_difference",
    "check_equal_opportunity_any_groups",
    "check_threshold_experiment",
]

#: The group-1 approval thresholds exercise 18.3 tries (group 0 keeps 0.5).
THRESHOLDS = (0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5)


@exercise(
    "18.1",
    "Demographic parity difference",
    "implement",
    hints=(
        "A group's selection rate is the share of its members the model approves: the mean of the 0/1 decisions inside the group.",
        "Compute the selection rate of group 0 and of group 1 (select the members with a boolean mask), then compare them; the order of the groups must not matter.",
        "DPD = |s₁ − s₀| with s_g = P(ŷ = 1 | G = g), the mean of ŷ over the people with G = g.",
    ),
    hidden_test=(
        "assert np.isclose(demographic_parity_difference(np.array([1, 0, 0, 0, 1]), "
        "np.array([1, 1, 0, 0, 0])), 1 / 6)"
    ),
)
def check_demographic_parity_difference(demographic_parity_difference) -> str | None:
    """demographic_parity_difference(y_pred, group) = |P(yhat = 1 | group 1) - P(yhat = 1 | group 0)|, groups coded 0 and 1."""
    rng = np.random.default_rng(18)
    y_pred, group = rng.integers(0, 2, 200), rng.integers(0, 2, 200)
    expected = abs(y_pred[group == 1].mean() - y_pred[group == 0].mean())
    cases = [
        ((np.array([1, 1, 0, 1, 0, 0]), np.array([0, 0, 0, 1, 1, 1])), 1 / 3),
        ((np.array([0, 1, 1, 1]), np.array([0, 0, 1, 1])), 0.5),
        ((y_pred, group), expected),
    ]
    return function_problem(
        demographic_parity_difference, cases, name="demographic_parity_difference", keep_inputs=True
    )


@exercise(
    "18.2",
    "Equal opportunity difference for any number of groups",
    "extend",
    hints=(
        "Do not assume the groups are 0 and 1: find the labels that occur in the group array, whatever they are (numbers or names).",
        "For each group keep its deserving members (y_true = 1) and compute the share the model selected: one true-positive rate per group. Then compare the extremes.",
        "EOD = max_g TPR_g − min_g TPR_g over every group g that occurs, with TPR_g = P(ŷ = 1 | y = 1, G = g).",
    ),
    points=2,
    hidden_test=(
        "assert np.isclose(equal_opportunity_difference(np.array([1, 1, 1, 1, 1, 1, 0, 1]), "
        "np.array([1, 0, 1, 1, 0, 0, 1, 1]), np.array([5, 5, 7, 7, 9, 9, 2, 2])), 1.0)"
    ),
)
def check_equal_opportunity_any_groups(equal_opportunity_difference) -> str | None:
    """equal_opportunity_difference(y_true, y_pred, group): max minus min true-positive rate over all groups."""
    rng = np.random.default_rng(181)
    y_true, y_pred = rng.integers(0, 2, (2, 300))
    group3 = rng.choice(np.array(["north", "south", "west"]), 300)
    group4 = rng.integers(0, 4, 300) * 3 + 1  # labels 1, 4, 7, 10
    cases = [
        (
            (
                np.array([1, 1, 0, 1, 1, 0]),
                np.array([1, 1, 1, 1, 0, 0]),
                np.array([0, 0, 0, 1, 1, 1]),
            ),
            0.5,
        ),
        (
            (
                np.array([1, 1, 1, 1, 1, 1, 0]),
                np.array([1, 0, 1, 1, 0, 1, 1]),
                np.array(["a", "a", "b", "b", "c", "c", "c"]),
            ),
            0.5,
        ),
        ((y_true, y_pred, group3), fairness.equal_opportunity_difference(y_true, y_pred, group3)),
        ((y_true, y_pred, group4), fairness.equal_opportunity_difference(y_true, y_pred, group4)),
    ]
    return function_problem(
        equal_opportunity_difference, cases, name="equal_opportunity_difference", keep_inputs=True
    )


def threshold_dpds(model, x, group, thresholds=THRESHOLDS) -> np.ndarray:
    """DPD of the decisions p >= 0.5 for group 0 and p >= t for group 1, for each t of ``thresholds``."""
    p = model.predict_proba(x)[:, 1]
    group = np.asarray(group)
    return np.array(
        [
            fairness.demographic_parity_difference(p >= np.where(group == 1, t, 0.5), group)
            for t in thresholds
        ]
    )


@exercise(
    "18.3",
    "A lower threshold for group 1",
    "experiment",
    hints=(
        "Take the network's approval probability for every test applicant once; a decision is then a comparison with a threshold, one per group.",
        "For each group-1 threshold of the list, approve group 0 at p ≥ 0.5 and group 1 at p ≥ t, compute the DPD of those decisions, and keep the threshold with the smallest DPD (the first one on a tie).",
        "ŷᵢ = [pᵢ ≥ t_{gᵢ}] with t₀ = 0.5, t₁ = t; DPD(t) = |P(ŷ = 1 | G = 1) − P(ŷ = 1 | G = 0)|; report argmin_t DPD(t) and its minimum.",
    ),
    points=2,
)
def check_threshold_experiment(best_threshold, its_dpd, model, x, group) -> str | None:
    """The group-1 threshold of THRESHOLDS with the smallest DPD (group 0 at 0.5), and that DPD."""
    if best_threshold is Ellipsis or best_threshold is None:
        raise NotStarted("best_threshold still holds the placeholder")
    dpds = threshold_dpds(model, x, group)
    best = int(np.argmin(dpds))
    problem = value_problem(best_threshold, THRESHOLDS[best], name="the best group-1 threshold")
    if problem:
        return problem
    return value_problem(its_dpd, dpds[best], name=f"the DPD at threshold {THRESHOLDS[best]}")


QUIZ = register(
    "18",
    [
        Question(
            "A model approves 50% of group 0 and 30% of group 1. What is its demographic parity difference?",
            answer=0.2,
            tolerance=1e-9,
            feedback=(
                "DPD = max_g s_g − min_g s_g = 0.5 − 0.3 = 0.2.",
                "Subtract the smaller selection rate from the larger one; a ratio (0.6) is another measure, the disparate-impact ratio.",
            ),
        ),
        Question(
            "The network never saw `group`, yet it approved group 1 far less often. Why?",
            options=(
                "a proxy feature (neighbourhood) correlated with the group carried it into the model",
                "the network was too small to learn the repayment rule",
                "the test set held more group-1 applicants",
            ),
            answer=0,
            feedback=(
                "Neighbourhood has no effect on repayment but is correlated with the group (0.70), so fitting the biased labels taught the network to use it; SHAP and LIME showed it.",
                "The same network trained on the unbiased labels all but ignored the proxy: its size is not what made it biased.",
                "Selection rates are shares within each group, so the groups' sizes do not change them.",
            ),
        ),
        Question(
            "With P(G = 1) = 0.4, P(Y = 1) = 0.4 and P(G = 1, Y = 1) = 0.1, what reweighing weight does an example of the cell (group 1, label 1) get?",
            answer=1.6,
            tolerance=1e-9,
            feedback=(
                "w = P(G = 1) P(Y = 1) / P(G = 1, Y = 1) = 0.4 × 0.4 / 0.1 = 1.6: a cell that history made rare counts more.",
                "Divide the probability the cell would have if label and group were independent, P(G) P(Y), by its observed probability P(G, Y).",
            ),
        ),
        Question(
            "When the groups' base rates differ, which pair of criteria cannot both hold, except for a classifier whose decision carries no information about the outcome?",
            options=(
                "demographic parity and equalized odds (equal TPR and equal FPR)",
                "demographic parity and equal opportunity (equal TPR)",
                "equal opportunity and an accuracy above chance",
            ),
            answer=0,
            feedback=(
                "s_g = FPR_g + (TPR_g − FPR_g) p_g, so equal selection rates at two base rates with equal TPR and FPR force TPR = FPR.",
                "They can hold together: the chapter's toy case of twenty people has DPD = 0 and EOD = 0 at base rates 0.6 and 0.3.",
                "Equal TPRs say nothing against accuracy: a good classifier can recognise the same share of deserving people in each group.",
            ),
        ),
        Question(
            "Against the recorded labels, the network that uses `group` directly is as accurate as any other. Why is that no evidence that it is fair?",
            options=(
                "the recorded labels hold the historical bias, so reproducing the bias scores well",
                "accuracy never says anything about a model",
                "the test set is too small to measure accuracy",
            ),
            answer=0,
            feedback=(
                "Accuracy on biased labels rewards bias: against who would actually repay, the same network was the worst of all.",
                "Accuracy measures agreement with the labels; it is informative, but only about labels, and these labels are biased.",
                "2,000 test applicants measure accuracy to about a point; the problem is what it is measured against, not the sample size.",
            ),
        ),
    ],
)
