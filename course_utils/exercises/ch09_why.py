"""Exercises and quiz of chapter 09 · Why interpretability?"""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import (
    exercise,
    function_problem,
    prediction_problem,
    still_buggy,
)
from course_utils.exercises.quizzes import Question, register
from course_utils.xai import wrap

__all__ = ["check_marker_prediction", "check_brightest_in_region", "check_linear_contributions"]


#: The answers 09.1 accepts: where the Clever Hans model's accuracy lands when the marker lies.
MARKER_BANDS = ("above 80%", "50% to 80%", "below 50%")


def marker_band(accuracy: float) -> str:
    """The band of :data:`MARKER_BANDS` that an accuracy (a fraction) falls in."""
    if accuracy > 0.8:
        return MARKER_BANDS[0]
    return MARKER_BANDS[1] if accuracy >= 0.5 else MARKER_BANDS[2]


@exercise(
    "09.1",
    "Predict the accuracy under a lying marker",
    "predict",
    hints=(
        "Ask what the model has learned to read: the strokes of the digit, or the white bar at the top.",
        "On the training digits the bar gives the label away every time, so the cheapest rule that "
        "fits them is 'read the bar'; a bar that names a wrong class then pulls the answer away from the digit.",
        "Accuracy = the share of test digits whose predicted class is the true label; a model that follows "
        "the lying bar on a share q of the digits is right on at most 1 − q of them.",
    ),
)
def check_marker_prediction(prediction, model, images, labels) -> str | None:
    """prediction: one of MARKER_BANDS, for the accuracy of ``model`` on ``images`` (stamped with wrong markers)."""
    if prediction is Ellipsis or prediction is None:
        return prediction_problem(..., None, name="prediction")
    if prediction not in MARKER_BANDS:
        return f"choose one of {', '.join(repr(b) for b in MARKER_BANDS)}, got {prediction!r}"
    predicted = wrap(model).predict(images).argmax(1)
    accuracy = float(np.mean(predicted == np.asarray(labels)))
    return prediction_problem(prediction, marker_band(accuracy), name="prediction")


def buggy_brightest_in_region(maps, region):
    """The planted bug of exercise 09.2 (the notebook's stub): the argmax runs over the maps, not the pixels."""
    flat = maps.reshape(len(maps), -1)
    return float(region.reshape(-1)[flat.argmax(axis=0)].mean())


@exercise(
    "09.2",
    "Debug the count of maps that look at the marker",
    "debug",
    hints=(
        "Try it on three tiny maps whose brightest pixels you place yourself, and print what argmax returns: "
        "how many numbers come back, and what do they index?",
        "The brightest pixel must be found within each map, one index per map, and each index must be a "
        "position in the flattened 28 × 28 grid, not the number of a map.",
        "For map n: iₙ = argmax over pixels i of sₙ,ᵢ; the answer is (1/N) Σₙ 𝟙[iₙ ∈ region].",
    ),
    points=2,
)
def check_brightest_in_region(brightest_in_region) -> str | None:
    """brightest_in_region(maps, region): the share of maps (N, H, W) whose brightest pixel lies in region (H, W)."""
    rng = np.random.default_rng(92)
    tiny = np.zeros((3, 4, 4))
    tiny[0, 0, 1], tiny[1, 3, 3], tiny[2, 0, 2] = (
        1.0,
        2.0,
        0.5,
    )  # two in the top row, one at the bottom
    top = np.zeros((4, 4), bool)
    top[0] = True
    maps = rng.random((5, 28, 28))
    band = np.zeros((28, 28), bool)
    band[0:3, 4:24] = True
    maps[[0, 3], 1, 10] = 2.0  # two of the five maps peak inside the band ...
    maps[[1, 2, 4], 20, 14] = 2.0  # ... and three below it
    cases = [((tiny, top), 2 / 3), ((maps, band), 0.4), ((maps[:1], ~band), 0.0)]
    still_buggy(
        brightest_in_region,
        buggy_brightest_in_region,
        [args for args, _ in cases],
        "brightest_in_region",
    )
    return function_problem(
        brightest_in_region, cases, name="brightest_in_region", keep_inputs=True
    )


@exercise(
    "09.3",
    "Contributions of a linear model",
    "implement",
    hints=(
        "Only one row of the weights matters for the score of class c.",
        "Each input's share of the score is its weight for class c times its value; keep them apart, one per input.",
        "Contribution of input i to class c: w_{c,i} · x_i (no sum: Σᵢ w_{c,i} x_i + b_c is the score itself).",
    ),
    hidden_test=(
        "assert np.allclose(linear_contributions(np.arange(6.0).reshape(2, 3), np.array([1.0, -1.0, 2.0]), 1), "
        "[3.0, -4.0, 10.0])"
    ),
)
def check_linear_contributions(linear_contributions) -> str | None:
    """linear_contributions(weights, x, c) -> w[c, i] * x[i] for every input i, shape (inputs,); inputs unchanged.

    ``weights`` has shape (classes, inputs), like a PyTorch ``nn.Linear`` weight.
    """
    rng = np.random.default_rng(9)
    weights, x = rng.normal(size=(10, 784)), rng.random(784)
    cases = [
        ((np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -1.0]), 1), np.array([1.5, -4.0])),
        ((weights, x, 3), weights[3] * x),
        ((weights, x, 0), weights[0] * x),
    ]
    return function_problem(
        linear_contributions, cases, name="linear_contributions", keep_inputs=True
    )


QUIZ = register(
    "09",
    [
        Question(
            "Why did the test accuracy not expose the Clever Hans model?",
            options=(
                "the test digits carried the same shortcut as the training digits",
                "the test set was too small to measure accuracy",
                "accuracy cannot be computed for an MLP",
            ),
            answer=0,
            feedback=(
                "A shortcut present in both sets is rewarded in both: only data without it, or an explanation, shows it.",
                "The test set is large enough to measure accuracy; the problem is what its digits contain, not how many there are.",
                "Accuracy is computed for any classifier from its predicted classes.",
            ),
        ),
        Question(
            "A linear model has weights w = (2, −1, 0.5) for class c. For the input x = (1, 3, 2), what is the contribution of the second input to the score of class c?",
            answer=-3,
            tolerance=1e-9,
            feedback=(
                "w₂ · x₂ = −1 × 3 = −3: that input pulls the score down.",
                "Multiply the input's value by its own weight; do not sum over the inputs and do not add the bias.",
            ),
        ),
        Question(
            "The ten weight images of the linear model explain ...",
            options=(
                "one prediction: a local explanation",
                "the model's behaviour on every input: a global explanation",
                "the model without needing its parameters: a model-agnostic explanation",
            ),
            answer=1,
            feedback=(
                "The weights do not depend on the input; the local explanation is w_{c,i} x_i, which does.",
                "The same weights apply to every input, so they describe the whole model.",
                "Reading the weights needs the parameters: that is as model-specific as it gets.",
            ),
        ),
        Question(
            "Where does a saliency map sit in the taxonomy?",
            options=(
                "post-hoc, local, model-specific",
                "intrinsic, global, model-agnostic",
                "post-hoc, global, model-agnostic",
            ),
            answer=0,
            feedback=(
                "It explains a trained model after the fact, one input at a time, and needs the model's gradients.",
                "The network is not its own explanation, the map is for one input, and gradients need the model's inside.",
                "One map explains one input, and computing it needs gradients, which a model-agnostic method never asks for.",
            ),
        ),
        Question(
            "A decision tree with ten rules that a person can read in full is above all ...",
            options=(
                "understandable: the whole model can be grasped",
                "a post-hoc explanation",
                "uninterpretable, because it has no gradients",
            ),
            answer=0,
            feedback=(
                "Understandability asks how the whole model works; ten readable rules answer that.",
                "Post-hoc methods explain a model after training; a small tree is its own explanation (intrinsic).",
                "Interpretability needs an answer to 'why this output?', which a tree's path gives without any gradient.",
            ),
        ),
    ],
)
