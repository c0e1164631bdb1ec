"""Exercises and quiz of chapter 14 · Occlusion and LIME."""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import exercise, function_problem, value_problem
from course_utils.exercises.quizzes import Question, register

__all__ = ["check_occlusion_clipped", "check_lime_proximity", "check_effective_samples"]

#: The windows and strides 14.1 tests: none of them tiles a 28-pixel side exactly.
CLIPPED_SETTINGS = ((5, 3), (6, 4))


def _occlusion_reference(logits_fn, image, target, window, stride):
    from course_utils import xai

    return xai.occlusion(logits_fn, image[None], int(target), window=window, stride=stride)[0]


@exercise(
    "14.1",
    "Occlusion with windows that do not tile the image",
    "extend",
    hints=(
        "Try occlusion_from_scratch with window 5 and stride 3 and look at the last rows and columns of the map: which pixels does no window cover?",
        "Keep moving the window by the stride until its far edge reaches or passes the border; the last windows stick out and are cut off there, so every pixel is covered at least once.",
        "Starts 0, s, 2s, ..., ⌈(28 − w) / s⌉ · s along each axis; a window covers rows r .. min(r + w, 28) − 1; Aᵢ = mean over the windows P ∋ i of f_t(x) − f_t(x_P).",
    ),
    points=2,
    hidden_test=(
        "from course_utils import xai\n"
        "_f = lambda im: np.stack([np.asarray(im).reshape(len(im), -1).sum(1), np.asarray(im).reshape(len(im), -1)[:, ::3].sum(1)], 1)\n"
        "_im = np.random.default_rng(4).random((28, 28))\n"
        "assert np.allclose(occlusion_clipped(_f, _im, 1, 9, 5), xai.occlusion(_f, _im[None], 1, window=9, stride=5)[0])"
    ),
)
def check_occlusion_clipped(occlusion_clipped, logits_fn, image, target) -> str | None:
    """occlusion_clipped(logits_fn, image, target, window, stride) -> (28, 28) map, as xai.occlusion for any window and stride."""
    rng = np.random.default_rng(14)
    weights = rng.normal(size=(784, 3))

    def linear(images):
        return np.asarray(images, dtype=float).reshape(len(images), -1) @ weights

    noise = rng.random((28, 28))
    cases = [
        ((logits_fn, image, target, w, s), _occlusion_reference(logits_fn, image, target, w, s))
        for w, s in CLIPPED_SETTINGS
    ]
    cases.append(((linear, noise, 2, 5, 3), _occlusion_reference(linear, noise, 2, 5, 3)))
    cases.append(((linear, noise, 0, 4, 2), _occlusion_reference(linear, noise, 0, 4, 2)))
    with np.errstate(all="ignore"):
        return function_problem(
            occlusion_clipped,
            cases,
            name="occlusion_clipped",
            rtol=1e-4,
            atol=1e-5,
            keep_inputs=True,
        )


@exercise(
    "14.2",
    "LIME's proximity weights for images",
    "implement",
    hints=(
        "A sample is a row of switches; the image itself is the row of all ones. How far is a row from it, as an angle?",
        "For 0/1 rows the cosine similarity with the all-ones row is √(number of ones / S); the distance is one minus that. Then apply the kernel to the distance, one weight per row.",
        "d = 1 − √(|z′| / S), π = √(exp(−d² / σ²)) with σ the kernel width; |z′| counts the ones of the row.",
    ),
    hidden_test="assert np.allclose(proximity(np.array([[1, 1, 1, 1], [1, 0, 0, 0]]), 0.5), [1.0, np.exp(-0.5)])",
)
def check_lime_proximity(proximity) -> str | None:
    """proximity(on, kernel_width) -> LIME's weight of each on/off sample (rows of ``on``, shape (k, S))."""
    from course_utils.xai.lime_surrogate import lime_kernel

    def expected(on, width):
        on = np.asarray(on, dtype=float)
        return lime_kernel(1.0 - np.sqrt(on.sum(axis=1) / on.shape[1]), width)

    rng = np.random.default_rng(14)
    on = rng.integers(0, 2, size=(6, 49))
    small = np.array([[1, 1, 1, 1], [1, 0, 1, 0], [0, 0, 0, 0]])
    cases = [
        ((small, 0.25), expected(small, 0.25)),
        ((on, 0.25), expected(on, 0.25)),
        ((on, 1.0), expected(on, 1.0)),
    ]
    return function_problem(proximity, cases, name="proximity", keep_inputs=True)


def lime_sample_weights(
    kernel_width: float, n_samples: int = 1000, n_segments: int = 49, seed: int = 0
) -> np.ndarray:
    """The proximity weights of the samples ``xai.lime_image`` draws for one digit (its first row: all segments on)."""
    from course_utils.xai.lime_surrogate import lime_kernel

    on = (
        np.random.RandomState(seed)
        .randint(0, 2, n_samples * n_segments)
        .reshape(n_samples, n_segments)
    )
    on[0] = 1
    return lime_kernel(1.0 - np.sqrt(on.sum(axis=1) / n_segments), kernel_width)


def effective_samples(
    kernel_width: float, n_samples: int = 1000, n_segments: int = 49, seed: int = 0
) -> float:
    """Kish's effective sample size (Σπ)² / Σπ² of LIME's samples for one digit at ``kernel_width``."""
    pi = lime_sample_weights(kernel_width, n_samples, n_segments, seed)
    return float(pi.sum() ** 2 / (pi**2).sum())


@exercise(
    "14.3",
    "How many samples does LIME's fit really use?",
    "experiment",
    hints=(
        "Draw the switches exactly as xai.lime_image does for one digit (seed 0, 1,000 samples, 49 cells, the first row all ones), compute each row's proximity weight, then the formula.",
        "You already have the pieces: section 5's draws of the switches (set the first row to ones), the cosine distance, and your proximity function from exercise 14.2, once per width.",
        "n_eff = (Σₖ πₖ)² / Σₖ πₖ²: 1,000 for equal weights, 1 when a single sample carries all the weight.",
    ),
    points=2,
)
def check_effective_samples(n_eff_narrow, n_eff_default) -> str | None:
    """The effective sample sizes of LIME's 1,000 samples (seed 0, 49 cells) at kernel widths 0.1 and 0.25."""
    for answer, width in ((n_eff_narrow, 0.1), (n_eff_default, 0.25)):
        problem = value_problem(
            answer, effective_samples(width), name=f"n_eff at kernel width {width}", rtol=2e-3
        )
        if problem:
            return problem
    return None


QUIZ = register(
    "14",
    [
        Question(
            "Occlusion on a 28 × 28 digit with a 4 × 4 window and stride 4: how many occluded copies does the model see?",
            answer=49,
            tolerance=1e-9,
            feedback=(
                "The windows tile the image: 28 / 4 = 7 positions per side, 7 × 7 = 49 copies (plus one pass of the untouched digit for its score).",
                "Count the positions along one side, (28 − 4) / 4 + 1 = 7, then square it; a stride of 4 means the windows do not overlap.",
            ),
        ),
        Question(
            "A LIME image sample keeps 25 of 100 segments. What is its cosine distance to the full image (all ones)?",
            answer=0.5,
            tolerance=1e-9,
            feedback=(
                "The cosine similarity of a 0/1 row with the all-ones row is √(25 / 100) = 0.5, so the distance is 1 − 0.5 = 0.5.",
                "Use d = 1 − √(|z′| / S); 0.75 is the share of segments switched off, not the cosine distance.",
            ),
        ),
        Question(
            "On digits, why do kernel widths from 0.25 up give nearly the same LIME weights?",
            options=(
                "every random sample switches off about half the cells, so all samples sit at about the same distance and get about the same weight",
                "the ridge penalty cancels the kernel",
                "the CNN's output does not depend on the hidden cells",
            ),
            answer=0,
            feedback=(
                "The distances bunch around 1 − √½ ≈ 0.29; a wide kernel weighs them almost equally, so the locality comes from the sampling, not from the kernel.",
                "The ridge penalty shrinks the weights by a fixed amount; it does not undo the kernel's weighting of the samples.",
                "It does depend on them: switching cells off changes the probabilities, which is what the surrogate fits.",
            ),
        ),
        Question(
            "What does LIME's surrogate score (a weighted R²) near 0 tell you?",
            options=(
                "the linear surrogate explains little of how the model's output varies over the samples, so its weights are a poor local story",
                "the model is wrong about this digit",
                "the explanation is stable across seeds",
            ),
            answer=0,
            feedback=(
                "R² measures the fit of g to f on the weighted samples: near 1 the linear story holds locally, near 0 it does not.",
                "The score says nothing about whether the prediction is right, only about how well the surrogate imitates the model.",
                "Stability needs several runs (seeds); one run's R² does not measure it.",
            ),
        ),
        Question(
            "Which kind of evidence can occlusion with one window miss?",
            options=(
                "features that matter only together, each of which can be hidden alone without changing the score",
                "any feature inside the window",
                "features of a model it has no gradients for",
            ),
            answer=0,
            feedback=(
                "If two strokes each suffice for the class, hiding one at a time changes little; LIME and Shapley values test combinations.",
                "A single important patch is exactly what occlusion finds: hiding it drops the score.",
                "Occlusion needs no gradients at all; it only queries the model's outputs.",
            ),
        ),
    ],
)
