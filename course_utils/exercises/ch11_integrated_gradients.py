"""Exercises and quiz of chapter 11 · Integrated Gradients."""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import (
    exercise,
    function_problem,
    prediction_problem,
    still_buggy,
)
from course_utils.exercises.quizzes import Question, register
from course_utils.xai import integrated_gradients, wrap

__all__ = [
    "check_flat_top_prediction",
    "check_ig_midpoint",
    "check_average_digit_baseline",
    "check_ig_of_probability",
]

#: The raw digits exercise 11.3 averages at most (the first ones of what the check cell passes).
AVERAGE_OF = 500


@exercise(
    "11.1",
    "Predict IG where the gradient is zero",
    "predict",
    hints=(
        "There is one input, so one attribution; what must it add up to?",
        "Completeness: the attributions sum to f(x) − f(x'), and here that sum has a single term.",
        "IG(2) = f(2) − f(0) = min(2, 1) − min(0, 1).",
    ),
)
def check_flat_top_prediction(prediction, model) -> str | None:
    """prediction: the number IG gives the single input of f(x) = min(x, 1) at x = 2, baseline 0."""
    actual = integrated_gradients(model, np.array([[2.0]], np.float32), 0)[0, 0]
    return prediction_problem(prediction, float(actual), name="prediction", atol=0.01)


@exercise(
    "11.2",
    "IG with the midpoint rule",
    "implement",
    hints=(
        "Walk from the baseline to x in n_steps equal pieces and take the gradient in the middle of each piece.",
        "Average the n gradients taken at the points baseline + αₖ (x − baseline), then scale by how far each "
        "input travelled, x − baseline.",
        "IGᵢ ≈ (xᵢ − x'ᵢ) · (1/m) Σₖ ∂ᵢf(x' + αₖ (x − x')), with αₖ = (k + ½)/m for k = 0..m−1.",
    ),
    hidden_test=(
        "assert np.allclose(ig_midpoint(lambda z: 2 * z, np.array([[3.0]]), np.array([[1.0]]), 2), [[8.0]])"
    ),
)
def check_ig_midpoint(ig_midpoint) -> str | None:
    """ig_midpoint(gradient, x, baseline, n_steps) -> Integrated Gradients with the midpoint rule.

    alpha_k = (k + 1/2) / n for k = 0..n-1; IG = (x - baseline) * mean_k gradient(baseline + alpha_k (x - baseline)).
    """

    def gradient(z):  # the gradient of f(z) = sum(z**3)
        return 3 * z**2

    def expected(x, baseline, n):
        alphas = (np.arange(n) + 0.5) / n
        return (x - baseline) * np.mean(
            [gradient(baseline + a * (x - baseline)) for a in alphas], axis=0
        )

    rng = np.random.default_rng(11)
    x, baseline = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    cases = [
        ((gradient, x, np.zeros_like(x), 1), expected(x, np.zeros_like(x), 1)),
        ((gradient, x, baseline, 4), expected(x, baseline, 4)),
        ((gradient, x, baseline, 50), expected(x, baseline, 50)),
    ]
    return function_problem(ig_midpoint, cases, name="ig_midpoint", keep_inputs=True)


def average_digit(raw_images) -> np.ndarray:
    """The average of uint8 digits (n, 28, 28), on the models' scale: float32 in [0, 1]."""
    return (np.asarray(raw_images, dtype=np.float64).mean(axis=0) / 255).astype(np.float32)


def buggy_ig_from_average_digit(model, x, target, raw_images):
    """The planted bug of exercise 11.3 (the notebook's stub): the baseline keeps the raw 0..255 scale."""
    average = np.asarray(raw_images).astype(np.float32).mean(axis=0)
    return integrated_gradients(model, x, target, baseline=average.reshape(x.shape[1:]))


@exercise(
    "11.3",
    "Debug a baseline on the wrong scale",
    "debug",
    hints=(
        "Print the smallest and largest value of the baseline next to those of x: do they live on the same scale?",
        "load_mnist gives pixels from 0 to 255, but the model was trained on scale_images' output, and the "
        "path from the baseline to x must stay among inputs the model knows.",
        "x' = (1/n) Σⱼ rawⱼ / 255, so that 0 ≤ x' ≤ 1 like every scaled digit.",
    ),
    points=2,
)
def check_average_digit_baseline(ig_from_average_digit, model, x, target, raw_images) -> str | None:
    """ig_from_average_digit(model, x, target, raw_images): IG of x relative to the average raw digit, scaled to [0, 1]."""
    x, target = np.asarray(x)[:3], np.asarray(target)[:3]
    cases = []
    for raw in (np.asarray(raw_images)[:AVERAGE_OF], np.asarray(raw_images)[:AVERAGE_OF:7]):
        baseline = average_digit(raw).reshape(x.shape[1:])
        expected = integrated_gradients(model, x, target, baseline=baseline)
        cases.append(
            (
                (model, x, target, raw),
                expected,
                f"model, {len(x)} digits, target, {len(raw)} raw digits",
            )
        )
    still_buggy(
        ig_from_average_digit,
        buggy_ig_from_average_digit,
        [args for args, *_ in cases],
        "ig_from_average_digit",
    )
    return function_problem(
        ig_from_average_digit,
        cases,
        name="ig_from_average_digit",
        rtol=1e-3,
        atol=1e-5,
        keep_inputs=True,
    )


@exercise(
    "11.4",
    "Extend IG to the probability",
    "extend",
    hints=(
        "Chapter 10's saturation section built a model whose output is the probability; IG needs nothing else.",
        "Put a softmax over the classes after the network, in eval mode, and hand that model to the course's "
        "integrated_gradients with its defaults (black baseline, 50 Gauss-Legendre steps).",
        "IGᵢ = xᵢ ∫₀¹ ∂p_t(αx)/∂xᵢ dα with p = softmax(f), so that Σᵢ IGᵢ ≈ p_t(x) − p_t(0).",
    ),
    points=2,
)
def check_ig_of_probability(ig_of_probability, model, x, target) -> str | None:
    """ig_of_probability(model, x, target): IG of the softmax probability of class target, black baseline, 50 GL steps."""
    from torch import nn

    probability = nn.Sequential(model, nn.Softmax(dim=1)).eval()
    x, target = np.asarray(x)[:3], np.asarray(target)[:3]
    n_classes = wrap(model).predict(x[:1]).shape[1]
    other = (target + 1) % n_classes
    cases = [
        (
            (model, x, target),
            integrated_gradients(probability, x, target),
            f"model, {len(x)} digits, target {target.tolist()}",
        ),
        (
            (model, x[:2], other[:2]),
            integrated_gradients(probability, x[:2], other[:2]),
            f"model, 2 digits, target {other[:2].tolist()}",
        ),
    ]
    return function_problem(
        ig_of_probability, cases, name="ig_of_probability", rtol=1e-3, atol=1e-6
    )


QUIZ = register(
    "11",
    [
        Question(
            "For f(x₁, x₂) = x₁ x₂, baseline (0, 0) and x = (2, 3), what is IG₁, the attribution of x₁?",
            answer=3,
            tolerance=1e-9,
            feedback=(
                "On the path αx, ∂f/∂x₁ = αx₂ = 3α, so IG₁ = 2 ∫₀¹ 3α dα = 3; IG₂ = 3 too, and 3 + 3 = f(x) − f(0) = 6.",
                "Integrate the gradient along the path, ∂f/∂x₁ = x₂ evaluated at αx, then multiply by x₁ − 0; the gradient at x alone (3) times x₁ gives 6.",
            ),
        ),
        Question(
            "Completeness says that the Integrated Gradients of an input add up to ...",
            options=(
                "f_t(x) − f_t(x'), the change of the output from the baseline to the input",
                "f_t(x), the output itself",
                "1, like probabilities",
            ),
            answer=0,
            feedback=(
                "The fundamental theorem of calculus along the path gives exactly the change from x' to x.",
                "Only when f_t(x') = 0; in general the baseline's own output is subtracted.",
                "Attributions are in the units of the output explained, a logit here, and need not sum to 1.",
            ),
        ),
        Question(
            "With a black baseline, which pixels always get exactly zero attribution?",
            options=(
                "the pixels that are black in x",
                "the pixels where the gradient at x is zero",
                "the pixels outside the digit's bounding box",
            ),
            answer=0,
            feedback=(
                "Every attribution carries the factor xᵢ − x'ᵢ, which is 0 where x is black too.",
                "IG integrates the gradient along the whole path, so a zero gradient at x alone does not make it zero (the flat-top example).",
                "Only the factor xᵢ − x'ᵢ forces a zero; an inked pixel anywhere can carry attribution.",
            ),
        ),
        Question(
            "How many Gauss-Legendre nodes are needed, at least, to integrate every polynomial of degree 7 exactly?",
            answer=4,
            tolerance=1e-9,
            feedback=(
                "m nodes are exact up to degree 2m − 1, and 2 × 4 − 1 = 7.",
                "Use the rule 'exact up to degree 2m − 1' and solve 2m − 1 ≥ 7.",
            ),
        ),
        Question(
            "Why does IG pass the sensitivity test that gradient × input fails on f(x) = min(x, 1) at x = 2?",
            options=(
                "it integrates the gradient along the path, where the function still rises for x < 1",
                "it uses a larger step when the gradient is zero",
                "it takes the absolute value of the gradient",
            ),
            answer=0,
            feedback=(
                "On the first half of the path the gradient is 1, so IG collects the whole rise f(2) − f(0) = 1.",
                "IG has no step size that adapts; it is a fixed integral from the baseline to the input.",
                "The absolute value of 0 is still 0; what helps is looking at more points than x.",
            ),
        ),
    ],
)
