"""Exercises and quiz of chapter 10 · Saliency and gradients."""

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
from course_utils.xai import saliency, smoothgrad, wrap

__all__ = [
    "check_saliency_shape",
    "check_saliency_debugged",
    "check_smoothgrad",
    "check_smoothgrad_stability",
]

#: The noise levels and sample count of exercise 10.4.
STABILITY_LEVELS, STABILITY_SAMPLES = (0.05, 0.3), 20


@exercise(
    "10.1",
    "Predict the shape of a saliency map",
    "predict",
    hints=(
        "A saliency map answers 'how much does the score move if this input number moves?' for every number the model reads.",
        "One target per digit means one score per digit, and each score has one partial derivative per input value, "
        "channel axis included.",
        "For a batch x of shape (N, C, H, W) and one target per row, ∂f_{tₙ}(xₙ)/∂xₙ has the shape of xₙ, so the batch of maps has the shape of x.",
    ),
)
def check_saliency_shape(prediction, model, x, target) -> str | None:
    """prediction: the shape (a tuple) of ``xai.saliency(model, x, target)``."""
    if prediction is Ellipsis or prediction is None:
        return prediction_problem(..., None, name="prediction")
    shape = None if isinstance(prediction, (str, bytes, dict)) else tuple(prediction)
    if shape is None or not all(isinstance(n, (int, np.integer)) for n in shape):
        return f"write the shape as a tuple of ints, such as (2, 3), got {prediction!r}"
    actual = saliency(model, x, target).shape
    return prediction_problem(tuple(int(n) for n in shape), tuple(actual), name="shape")


def _distinct_targets(model, x) -> np.ndarray:
    """One class per row, different for neighbouring rows, so that picking the wrong rows' classes shows."""
    n_classes = wrap(model).predict(x[:1]).shape[1]
    return (np.arange(len(x)) * 3 + 1) % n_classes


def buggy_saliency_of(model, images, t):
    """The planted bug of exercise 10.2 (the notebook's stub): every row gets the scores of every listed class."""
    import torch

    inputs = torch.from_numpy(images).requires_grad_(True)
    model(inputs)[:, torch.as_tensor(t)].sum().backward()
    return inputs.grad.abs().numpy()


@exercise(
    "10.2",
    "Debug a saliency map taken for the wrong classes",
    "debug",
    hints=(
        "Run it on two digits with two different targets and print the shape of the scores before they are summed.",
        "Each digit's score must be its own class's logit: one number per row, picked by pairing row n with tₙ, "
        "not every listed class for every row.",
        "The quantity to differentiate is Σₙ f_{tₙ}(xₙ): row n, column tₙ, for n = 0..N−1.",
    ),
    points=2,
)
def check_saliency_debugged(saliency_of, model, x) -> str | None:
    """saliency_of(model, images, t) = |∂ f_{t_n}(x_n) / ∂ x_n| for a PyTorch model, t one class per row."""
    x = np.asarray(x)[:4]
    t = _distinct_targets(model, x)
    swapped = t[:2][::-1].copy()
    cases = [
        ((model, x, t), saliency(model, x, t), f"model, {len(x)} digits, t = {t.tolist()}"),
        (
            (model, x[:2], swapped),
            saliency(model, x[:2], swapped),
            f"model, 2 digits, t = {swapped.tolist()}",
        ),
    ]
    still_buggy(saliency_of, buggy_saliency_of, [args for args, *_ in cases], "saliency_of")
    return function_problem(saliency_of, cases, name="saliency_of", rtol=1e-4, atol=1e-6)


@exercise(
    "10.3",
    "SmoothGrad from any gradient",
    "implement",
    hints=(
        "Each noise sample gives one noisy copy of x; the gradient at every copy is one vote.",
        "Take the gradient at each of the n noisy copies and average the n results, so the answer keeps the shape of x.",
        "SmoothGrad(x) = (1/n) Σₖ ∇f(x + εₖ), with εₖ the k-th noise sample.",
    ),
    hidden_test=(
        "assert np.allclose(my_smoothgrad(lambda z: 3 * z**2, np.array([1.0]), "
        "np.array([[0.5], [-0.5]])), [3.75])"
    ),
)
def check_smoothgrad(my_smoothgrad) -> str | None:
    """my_smoothgrad(gradient, x, noise) -> the mean over k of gradient(x + noise[k]), shape of x.

    ``gradient`` maps an array to its gradient (same shape); ``noise`` has shape (n_samples, *x.shape).
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
    return function_problem(my_smoothgrad, cases, name="my_smoothgrad", keep_inputs=True)


def map_correlation(a, b) -> np.ndarray:
    """Pearson correlation of two batches of maps, one value per row (as the notebook's ``correlation``)."""
    a = np.asarray(a, dtype=np.float64).reshape(len(a), -1)
    b = np.asarray(b, dtype=np.float64).reshape(len(b), -1)
    a, b = a - a.mean(1, keepdims=True), b - b.mean(1, keepdims=True)
    return (a * b).sum(1) / np.sqrt((a * a).sum(1) * (b * b).sum(1))


def smoothgrad_stability(model, x, nudged, target, noise_level: float) -> float:
    """The mean correlation of SmoothGrad maps (20 samples, seed 0) before and after the nudge."""
    before = smoothgrad(
        model, x, target, n_samples=STABILITY_SAMPLES, noise_level=noise_level, seed=0
    )
    after = smoothgrad(
        model, nudged, target, n_samples=STABILITY_SAMPLES, noise_level=noise_level, seed=0
    )
    return float(map_correlation(before, after).mean())


@exercise(
    "10.4",
    "How much noise makes SmoothGrad stable?",
    "experiment",
    hints=(
        "Compute SmoothGrad for the digits and for their nudged copies at one noise level, then correlate the two batches of maps.",
        "Keep everything but noise_level fixed (20 samples, seed 0, the same targets); average the 8 correlations into one number per level.",
        "stability(σ) = mean over the digits of corr(SmoothGrad_σ(x), SmoothGrad_σ(x + nudge)), the Pearson correlation of the flattened maps.",
    ),
    points=2,
)
def check_smoothgrad_stability(
    stability_low, stability_high, model, x, nudged, target
) -> str | None:
    """The mean before/after correlation of SmoothGrad at noise_level 0.05 and at 0.3 (20 samples, seed 0)."""
    for answer, level in zip((stability_low, stability_high), STABILITY_LEVELS, strict=True):
        if answer is Ellipsis or answer is None:  # before any SmoothGrad runs
            return value_problem(answer, None, name=f"the stability at noise_level = {level}")
        expected = smoothgrad_stability(model, x, nudged, target, level)
        problem = value_problem(
            answer, expected, name=f"the stability at noise_level = {level}", rtol=0, atol=2e-3
        )
        if problem:
            return problem
    return None


QUIZ = register(
    "10",
    [
        Question(
            "For f(x) = 3x₁ − 2x₂ at x = (2, 5), what is gradient × input for x₂?",
            answer=-10,
            tolerance=1e-9,
            feedback=(
                "∂f/∂x₂ = −2, times x₂ = 5, gives −10; the two terms, 6 and −10, add up to f(x) = −4.",
                "Multiply the partial derivative with respect to x₂ (the coefficient −2) by the value of x₂.",
            ),
        ),
        Question(
            "Summing the target scores of a batch before one backward pass gives each row its own gradient because ...",
            options=(
                "row n's score depends only on row n's input (in eval mode, without batch statistics)",
                "the sum of the gradients is the gradient of the sum, averaged over the batch",
                "autograd treats each row as a separate graph whatever the model does",
            ),
            answer=0,
            feedback=(
                "The other rows' scores do not depend on xₙ, so their derivatives with respect to xₙ are zero and only row n's is left.",
                "Nothing is averaged: every row keeps its full gradient, and the trick needs rows that do not interact.",
                "A layer that mixes rows (BatchNorm in training mode) would leak gradients between them; autograd follows the graph as it is.",
            ),
        ),
        Question(
            "For which model does gradient × input add up exactly to the score (Euler's identity)?",
            options=(
                "a ReLU network without biases",
                "any ReLU network, biases included",
                "any network with smooth activations",
            ),
            answer=0,
            feedback=(
                "Without biases a ReLU network is positively homogeneous, f(λx) = λ f(x), and Euler's identity follows.",
                "The biases add a part of the score that no input owns, so the sum falls short of it.",
                "Smooth activations such as tanh or the sigmoid are not homogeneous, so the identity fails.",
            ),
        ),
        Question(
            "Why is a SmoothGrad map calmer than a saliency map?",
            options=(
                "it averages gradients over noisy copies, which estimates the gradient of a blurred score",
                "it takes the absolute value of the gradient",
                "it uses a smaller learning rate",
            ),
            answer=0,
            feedback=(
                "Averaging over noisy copies smooths the jumps between the ReLU network's linear pieces.",
                "Saliency takes the absolute value too; SmoothGrad averages signed gradients.",
                "No training happens when a map is computed, so there is no learning rate.",
            ),
        ),
        Question(
            "At a digit the model classifies with probability 0.9999, the gradient of that probability is almost zero. What does that say about the pixels?",
            options=(
                "nothing about their total effect: the probability is saturated, so small changes barely move it",
                "they do not matter for the decision",
                "the model ignores the digit and looks at the background",
            ),
            answer=0,
            feedback=(
                "Together the pixels moved the probability from the black image's value to nearly 1; the gradient only sees the flat top.",
                "Removing the ink would change the probability a lot; the gradient measures only tiny changes.",
                "A small gradient everywhere says nothing about where the model looks; it is a property of the saturated output.",
            ),
        ),
    ],
)
