"""Exercises and quiz of chapter 17 · Adversarial examples."""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import (
    NotStarted,
    exercise,
    function_problem,
    prediction_problem,
    unchanged_code,
    value_problem,
)
from course_utils.exercises.quizzes import Question, register
from course_utils.robustness import adversarial
from course_utils.xai.adapter import wrap

__all__ = [
    "check_fgsm_linf_prediction",
    "check_fgsm_step",
    "check_pgd_step_debugged",
    "check_fgsm_success",
]

#: The budgets of exercise 17.4, and how many correctly classified digits it attacks.
SUCCESS_EPSILONS = (0.02, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3)
SUCCESS_DIGITS = 20


@exercise(
    "17.1",
    "Predict FGSM's largest pixel change",
    "predict",
    hints=(
        "FGSM moves every pixel by the same amount, up or down; only the pixel range [0, 1] can stop a pixel early.",
        "A pixel moves by the full ε unless its gradient is exactly 0 or it is already at 0 or 1 on the side it would move. Among 392,000 pixels, is there one that can move freely?",
        "‖x′ − x‖∞ = maxᵢ |clip(xᵢ + ε sign(gᵢ), 0, 1) − xᵢ|: never more than ε, and equal to ε as soon as one pixel with gᵢ ≠ 0 has room to move.",
    ),
)
def check_fgsm_linf_prediction(prediction, model, x, y, eps) -> str | None:
    """prediction: the largest |x' - x| over every pixel of FGSM's images of (x, y) at budget eps (a number)."""
    if prediction is Ellipsis or prediction is None:
        return prediction_problem(..., None, name="prediction")
    x_adv = adversarial.fgsm(model, x, y, eps)
    actual = float(np.abs(x_adv.astype(np.float64) - np.asarray(x, dtype=np.float64)).max())
    return prediction_problem(
        prediction, actual, name="prediction of the largest pixel change", atol=1e-6
    )


@exercise(
    "17.2",
    "The FGSM step",
    "implement",
    hints=(
        "FGSM moves each pixel by the same amount ε; only the direction comes from the gradient.",
        "Take the sign of each gradient component (+1, −1 or 0), scale it by ε, add it to x as a new array, then keep every pixel inside the valid range.",
        "x′ = clip(x + ε · sign(g), 0, 1), element by element; a pixel whose gradient is 0 does not move.",
    ),
    hidden_test=(
        "assert np.allclose(fgsm_step(np.array([0.0, 1.0, 0.3, 0.3]), "
        "np.array([-1.0, 2.0, 0.0, -0.5]), 0.2), [0.0, 1.0, 0.3, 0.1])"
    ),
)
def check_fgsm_step(fgsm_step) -> str | None:
    """fgsm_step(x, grad, eps) = clip(x + eps * sign(grad), 0, 1), a new array; x and grad unchanged."""
    rng = np.random.default_rng(17)
    x = rng.random((2, 5, 5))
    grad = rng.normal(size=x.shape)
    grad[0, 0, :2] = 0.0
    cases = [
        ((np.array([0.5, 0.5, 0.5]), np.array([2.0, -0.001, 0.0]), 0.1), np.array([0.6, 0.4, 0.5])),
        ((np.array([0.95, 0.02]), np.array([1.0, -3.0]), 0.1), np.array([1.0, 0.0])),
        ((x, grad, 0.07), np.clip(x + 0.07 * np.sign(grad), 0, 1)),
    ]
    return function_problem(fgsm_step, cases, name="fgsm_step", keep_inputs=True)


def _pgd_step(x_adv, x, grad, alpha, eps):
    return np.clip(np.clip(x_adv + alpha * np.sign(grad), x - eps, x + eps), 0.0, 1.0)


def buggy_pgd_step(x_adv, x, grad, alpha, eps):
    stepped = x_adv + alpha * np.sign(grad)  # a sign step of size alpha, up the loss
    return np.clip(stepped, 0.0, 1.0)  # back into the allowed images


@exercise(
    "17.3",
    "Debug a PGD step that is too strong",
    "debug",
    hints=(
        "Run ten steps from a clean image with α = 0.025 and ε = 0.1, and print the largest |x_adv − x| after each step: what should it never exceed?",
        "The allowed set has two constraints, the valid pixel range and the ε-ball around the clean image x; a projection must enforce both, and the ball is centred on x, not on the current x_adv.",
        "Π(v)ᵢ = clip(clip(vᵢ, xᵢ − ε, xᵢ + ε), 0, 1): the closest point of the box [max(0, xᵢ − ε), min(1, xᵢ + ε)].",
    ),
    points=2,
    hidden_test=(
        "assert np.allclose(pgd_step(np.array([0.5, 0.05]), np.array([0.45, 0.0]), "
        "np.array([1.0, -1.0]), 0.2, 0.1), [0.55, 0.0])"
    ),
)
def check_pgd_step_debugged(pgd_step) -> str | None:
    """pgd_step(x_adv, x, grad, alpha, eps): x_adv + alpha * sign(grad), projected onto the eps-ball around x and [0, 1]."""
    if pgd_step is Ellipsis or pgd_step is None:
        return prediction_problem(..., None, name="pgd_step")
    if not callable(pgd_step):
        return f"expected a function pgd_step, got {type(pgd_step).__name__}"
    if unchanged_code(pgd_step, buggy_pgd_step):
        raise NotStarted(
            "pgd_step is still the buggy step of the cell: find the one bug and fix it"
        )
    rng = np.random.default_rng(173)
    x = rng.random((2, 6, 6))
    x[0, 0, :3] = (0.0, 1.0, 0.03)
    grad = rng.normal(size=x.shape)
    grad[0, 0, :3] = (-1.0, 1.0, -1.0)
    eps, alpha = 0.1, 0.025
    x_adv = x.copy()
    for t in range(1, 11):  # ten steps along a fixed gradient, as PGD on a linear loss
        try:
            x_adv = np.asarray(pgd_step(x_adv, x, grad, alpha, eps), dtype=np.float64)
        except NotImplementedError as err:
            raise NotStarted("pgd_step still raises NotImplementedError") from err
        except Exception as err:  # the learner's code may raise anything
            return f"pgd_step at step {t} raised {type(err).__name__}: {err}"
        if x_adv.shape != x.shape:
            return f"pgd_step returned shape {x_adv.shape} for images of shape {x.shape}"
        far = float(np.abs(x_adv - x).max())
        if far > eps + 1e-9:
            return (
                f"after {t} steps of α = {alpha} with ε = {eps}, a pixel is {far:.3f} away from "
                "the clean image: more than ε"
            )
        if x_adv.min() < 0 or x_adv.max() > 1:
            return f"after {t} steps a pixel is at {x_adv.min() if x_adv.min() < 0 else x_adv.max():.3f}, outside [0, 1]"
    x2, g2 = rng.random((3, 4, 4)), rng.normal(size=(3, 4, 4))
    start = np.clip(x2 + rng.uniform(-0.05, 0.05, x2.shape), 0, 1)
    cases = [
        (
            (np.array([0.5, 0.5]), np.array([0.5, 0.5]), np.array([1.0, -2.0]), 0.03, 0.1),
            np.array([0.53, 0.47]),
        ),
        ((start, x2, g2, 0.02, 0.05), _pgd_step(start, x2, g2, 0.02, 0.05)),
    ]
    return function_problem(pgd_step, cases, name="pgd_step", keep_inputs=True)


def fgsm_success_rates(model, x, y, epsilons=SUCCESS_EPSILONS, n=SUCCESS_DIGITS) -> np.ndarray:
    """FGSM's success rate at each eps: the share of the first ``n`` digits of (x, y) that the
    model classifies correctly whose FGSM version it no longer classifies correctly.

    FGSM's gradient does not depend on eps, so it is computed once: the images are exactly
    ``adversarial.fgsm(model, xs, ys, eps)`` for each eps, and they are classified in one batch.
    """
    wrapped = wrap(model)
    y = np.asarray(y)
    right = np.flatnonzero(wrapped.predict(x).argmax(1) == y)[:n]
    xs, ys = np.asarray(x)[right], y[right]
    sign = np.sign(adversarial.loss_gradient(wrapped, xs, ys))
    attacked = np.concatenate(
        [adversarial.project(xs.astype(np.float64) + e * sign, xs, e) for e in epsilons]
    )
    fooled = wrapped.predict(attacked).argmax(1) != np.tile(ys, len(epsilons))
    return fooled.reshape(len(epsilons), len(ys)).mean(axis=1)


@exercise(
    "17.4",
    "How large must ε be to fool half of twenty digits?",
    "experiment",
    hints=(
        "Keep only the digits the CNN reads correctly, take the first 20 of them, then attack them with adversarial.fgsm at each budget of the list.",
        "The success rate at a budget is the share of those 20 digits whose attacked version the model no longer classifies as their label; scan the budgets from small to large.",
        "success(ε) = (1/20) Σₙ [argmax f(x′ₙ) ≠ yₙ]; the answer is the first ε of the list with success(ε) ≥ 0.5, and success at that ε.",
    ),
    points=2,
)
def check_fgsm_success(smallest_eps, success_rate, model, x, y) -> str | None:
    """The smallest eps of SUCCESS_EPSILONS at which FGSM fools at least half of the first 20
    correctly classified digits of (x, y), and the success rate there."""
    if smallest_eps is Ellipsis or smallest_eps is None:
        raise NotStarted("smallest_eps still holds the placeholder")
    rates = fgsm_success_rates(model, x, y)
    reached = np.flatnonzero(rates >= 0.5)
    if not reached.size:
        return "FGSM fools fewer than half of these digits at every budget of the list: none is the answer"
    first = int(reached[0])
    problem = value_problem(smallest_eps, SUCCESS_EPSILONS[first], name="the smallest eps")
    if problem:
        return problem
    return value_problem(
        success_rate, rates[first], name=f"the success rate at eps = {SUCCESS_EPSILONS[first]}"
    )


QUIZ = register(
    "17",
    [
        Question(
            "A pixel of value 0.5 has loss gradient −0.003. What is its value after FGSM with ε = 0.1?",
            answer=0.4,
            tolerance=1e-9,
            feedback=(
                "FGSM uses only the gradient's sign: 0.5 + 0.1 × sign(−0.003) = 0.5 − 0.1 = 0.4, and 0.4 is inside [0, 1].",
                "The size of the gradient does not matter, only its sign: the pixel moves by the full ε against a negative gradient.",
            ),
        ),
        Question(
            "Why does FGSM step along the sign of the gradient rather than the gradient itself?",
            options=(
                "under |δᵢ| ≤ ε, δ = ε sign(g) maximises the first-order gain δᵀg",
                "the sign makes the change invisible to a person",
                "the gradient of a network's loss is always ±1",
            ),
            answer=0,
            feedback=(
                "Each term δᵢgᵢ is largest at δᵢ = ε sign(gᵢ), so the sign step is the steepest step in the L∞ ball, with gain ε‖g‖₁.",
                "Invisibility comes from the small budget ε, not from the sign; the gradient step scaled to the same ε would be just as small.",
                "Loss gradients take all kinds of values (many are near 0); the sign is a choice, made because of the L∞ budget.",
            ),
        ),
        Question(
            "Each of 784 pixels has |gᵢ| = 0.01. By how much does FGSM with ε = 0.1 raise the loss, to first order?",
            answer=0.784,
            tolerance=1e-6,
            feedback=(
                "The gain is ε‖g‖₁ = 0.1 × 784 × 0.01 = 0.784: tiny changes add up over many pixels.",
                "Use ε Σᵢ |gᵢ|: every pixel contributes ε |gᵢ|, whatever the sign of its gradient.",
            ),
        ),
        Question(
            "PGD with one step, α ≥ ε and no random start is ...",
            options=("FGSM", "the clean image", "a random perturbation in the ball"),
            answer=0,
            feedback=(
                "One sign step of at least ε, projected back onto the ball and [0, 1], is exactly FGSM (the chapter checks it bit for bit).",
                "The step moves every pixel with a non-zero gradient; only pixels with gradient 0 stay where they were.",
                "Without a random start nothing in it is random: the step follows the sign of the gradient.",
            ),
        ),
        Question(
            "A defended model resists its own white-box PGD better than digits transferred from another model. What does that suggest?",
            options=(
                "the white-box attack is failing, a sign of gradient masking",
                "the defence works especially well",
                "transfer attacks are always the strongest",
            ),
            answer=0,
            feedback=(
                "A transferred attack uses no gradient of the defended model; if it does better, the model's own gradients are probably misleading the attack.",
                "A white-box attacker knows everything a transfer attacker knows and more; doing worse means the attack broke, not that the model is robust.",
                "Transfer attacks are usually weaker than white-box ones; that is why the opposite is a warning sign.",
            ),
        ),
    ],
)
