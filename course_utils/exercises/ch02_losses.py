"""Exercises and quiz of chapter 02 · Loss functions."""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import (
    exercise,
    function_problem,
    prediction_problem,
    still_buggy,
    value_problem,
)
from course_utils.exercises.quizzes import Question, register
from course_utils.foundations import activations, losses

__all__ = [
    "check_uniform_loss_prediction",
    "check_stable_softmax",
    "check_cross_entropy",
    "check_steps_to_half",
]

#: The saturated neuron of chapter 01, section 5: input x = 1, target 1, start w = -6, learning rate 2.
NEURON_START, NEURON_LR = -6.0, 2.0


@exercise(
    "02.1",
    "Predict the loss of a network that knows nothing",
    "predict",
    hints=(
        "If all 10 logits are equal, what probability does the softmax give each class, and so the true one?",
        "Equal logits give a uniform distribution, p_k = 1/K; the loss of one example is −log of the true class's probability.",
        "CE = −log(1/K) = log K, with K = 10 (the natural logarithm); two decimals are enough.",
    ),
)
def check_uniform_loss_prediction(prediction) -> str | None:
    """prediction: the cross-entropy of a 10-class network whose logits are all equal (to two decimals)."""
    actual = losses.cross_entropy(np.zeros((1, 10)), np.array([3]))
    if isinstance(prediction, (list, tuple, np.ndarray)):
        return f"expected one number, got {type(prediction).__name__}"
    return prediction_problem(prediction, actual, name="uniform_loss_prediction", atol=0.006)


def buggy_softmax(z):
    """The planted bug of exercise 02.2 (the notebook's stub): it divides by the sum over the wrong axis."""
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def _softmax_reference(z):
    return activations.softmax(np.asarray(z, dtype=float), axis=-1)


@exercise(
    "02.2",
    "Debug a softmax whose rows do not sum to 1",
    "debug",
    hints=(
        "Run the buggy softmax on a 2 × 3 array and print the sum of each row of what it returns.",
        "Shifting by the row maximum is right; look at which numbers each exponential is divided by: they must come from its own row.",
        "softmax(z)ᵢⱼ = exp(zᵢⱼ − mᵢ) / Σₖ exp(zᵢₖ − mᵢ), with mᵢ = maxₖ zᵢₖ: both the max and the sum run along the last axis.",
    ),
)
def check_stable_softmax(softmax) -> str | None:
    """softmax(z) over the last axis of a 1-D or 2-D array, stable for logits of +-1000."""
    z = np.array([1.0, 2.0, 3.0])
    rows = np.array([[0.0, 0.0], [1.0, -1.0]])
    three = np.random.default_rng(2).normal(size=(3, 4)) * 3
    cases = [
        ((z,), _softmax_reference(z)),
        ((rows,), _softmax_reference(rows)),
        ((three,), _softmax_reference(three)),
        (
            (np.array([[1000.0, 0.0, -1000.0], [-1000.0, -1000.0, -1000.0]]),),
            np.array([[1.0, 0.0, 0.0], [1 / 3, 1 / 3, 1 / 3]]),
        ),
    ]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        still_buggy(softmax, buggy_softmax, [args for args, _ in cases], "softmax")
        return function_problem(softmax, cases, name="softmax", keep_inputs=True)


@exercise(
    "02.3",
    "Cross-entropy from the logits, without overflow",
    "implement",
    hints=(
        "Never compute the probabilities and then their logarithm: take the logarithm on paper first, as section 5 does.",
        "Per example the loss is logsumexp(z) − z_y; compute logsumexp by shifting by the row maximum, then pick each row's true-class entry and average over the batch.",
        "CE = (1/N) Σₙ (mₙ + log Σₖ exp(zₙₖ − mₙ) − zₙ,yₙ), with mₙ = maxₖ zₙₖ.",
    ),
    points=2,
    hidden_test=(
        "assert np.isclose(cross_entropy(np.zeros((2, 3)), np.array([2, 0])), np.log(3))\n"
        "assert np.isclose(cross_entropy(np.array([[0.0, -800.0]]), np.array([1])), 800.0)"
    ),
)
def check_cross_entropy(cross_entropy) -> str | None:
    """cross_entropy(logits, labels): mean of -log softmax(z_n)[y_n] over the batch; logits (N, K), labels (N,)."""
    rng = np.random.default_rng(2)
    logits = rng.normal(size=(4, 5)) * 2
    labels = np.array([0, 3, 4, 1])
    cases = [
        ((np.array([[2.0, 1.0, 0.1]]), np.array([0])), np.log(np.exp([2.0, 1.0, 0.1]).sum()) - 2.0),
        ((logits, labels), losses.cross_entropy(logits, labels)),
        ((np.array([[1000.0, -1000.0], [0.0, 0.0]]), np.array([1, 0])), (2000.0 + np.log(2.0)) / 2),
    ]
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        return function_problem(cross_entropy, cases, name="cross_entropy", keep_inputs=True)


def steps_to_half(
    loss: str, w0: float = NEURON_START, lr: float = NEURON_LR, max_steps: int = 10_000
) -> int:
    """Gradient-descent steps until the neuron y = sigmoid(w), trained towards 1, first outputs more than 0.5.

    ``loss`` is "squared error", L = (y - 1)^2, or "cross-entropy", L = -log y; the count starts at 0
    (the start itself) and stops at ``max_steps``.
    """
    w = w0
    for step in range(max_steps):
        y = float(activations.sigmoid(w))
        if y > 0.5:
            return step
        if loss == "cross-entropy":
            grad = y - 1.0
        elif loss == "squared error":
            grad = 2 * (y - 1.0) * float(activations.sigmoid_grad(w))
        else:
            raise ValueError(f"loss must be 'cross-entropy' or 'squared error', got {loss!r}")
        w -= lr * grad
    return max_steps


@exercise(
    "02.4",
    "Which loss rescues the saturated neuron?",
    "experiment",
    hints=(
        "Start from chapter 01's neuron (x = 1, w = −6, learning rate 2) and write a loop that takes one gradient step at a time and stops once the output passes 0.5.",
        "Only the gradient changes between the two runs: differentiate each loss with respect to w through y = σ(w x), using σ′ = σ(1 − σ).",
        "Squared error: ∂L/∂w = 2(y − 1) σ′(z) x; cross-entropy: ∂L/∂w = (y − 1) x; then w ← w − α ∂L/∂w. Count the steps before the first output above 0.5.",
    ),
    points=2,
)
def check_steps_to_half(steps_cross_entropy, steps_squared_error) -> str | None:
    """The number of steps each loss needs before the neuron's output first exceeds 0.5."""
    for answer, loss, what in (
        (steps_cross_entropy, "cross-entropy", "steps_cross_entropy"),
        (steps_squared_error, "squared error", "steps_squared_error"),
    ):
        problem = value_problem(answer, steps_to_half(loss), name=what)
        if problem:
            return problem
    return None


QUIZ = register(
    "02",
    [
        Question(
            "Minimising mean squared error is maximum likelihood under which noise model?",
            options=("Gaussian noise", "Laplace noise", "a categorical distribution"),
            answer=0,
            feedback=(
                "The negative log of a Gaussian density is a constant plus (y − ŷ)² / 2σ², so the NLL is a rising straight-line function of the MSE.",
                "Laplace noise, p ∝ e^(−|y − ŷ|/b), gives the mean absolute error instead.",
                "A categorical distribution over classes gives cross-entropy, the classification loss.",
            ),
        ),
        Question(
            "A 4-class classifier gives the true class of an example the probability 0.25. What is its cross-entropy (natural log)?",
            answer=1.386,
            tolerance=0.002,
            feedback=(
                "−log 0.25 = log 4 ≈ 1.386: the loss of a classifier that knows nothing about 4 classes.",
                "Take −log of the probability given to the true class; the natural logarithm, not log₁₀.",
            ),
        ),
        Question(
            "What is the gradient of the mean cross-entropy of softmax(z) over a batch of N with respect to the logits?",
            options=("(P − Y) / N", "P − Y, not divided by N", "P (1 − P)", "−Y / P"),
            answer=0,
            feedback=(
                "The softmax Jacobian and the log's 1/p cancel to p − y per example, and the batch mean divides by N.",
                "That is the gradient of the sum over the batch; the mean carries the factor 1/N.",
                "p(1 − p) is the diagonal of the softmax's Jacobian, not the loss's gradient.",
                "That is the gradient with respect to the probabilities, before the softmax's Jacobian is applied.",
            ),
        ),
        Question(
            "Why does a naive softmax return nan for the logits [1000, 0, −1000] in float64?",
            options=(
                "e^1000 overflows to inf, and inf / inf is nan",
                "e^−1000 is negative",
                "float64 cannot store 1000",
            ),
            answer=0,
            feedback=(
                "float64 stops near 1.8 × 10³⁰⁸, about e^709.8; subtracting the row maximum keeps every exponent at most 0.",
                "e^x is positive for every x; e^−1000 only underflows to 0.",
                "1000 is stored exactly; it is e^1000 that does not fit.",
            ),
        ),
        Question(
            "A sigmoid classifier is confidently wrong (p → 0 for the true class). Which loss still gives the logit a strong gradient?",
            options=(
                "cross-entropy, whose gradient tends to −1",
                "squared error on the probability, whose gradient tends to −1",
                "both fade to zero",
            ),
            answer=0,
            feedback=(
                "d(−log σ(z))/dz = p − 1 → −1: the more wrong, the harder the push.",
                "Squared error's gradient is −2p(1 − p)²: it fades to 0 with p, because the sigmoid has saturated.",
                "Cross-entropy's p − 1 does not fade; only squared error's does.",
            ),
        ),
    ],
)
