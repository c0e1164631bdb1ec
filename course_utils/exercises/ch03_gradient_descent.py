"""Exercises and quiz of chapter 03 · Gradient descent."""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import (
    NotStarted,
    exercise,
    function_problem,
    prediction_problem,
    value_problem,
)
from course_utils.exercises.quizzes import Question, register
from course_utils.foundations.gradient_descent import gd_regime, gd_trajectory, quadratic

__all__ = [
    "check_regime_prediction",
    "check_gd_step",
    "check_adam_debugged",
    "check_steps_to_converge",
]

#: The step sizes of section 3, on L(w) = a/2 w^2 with a = 2.
REGIME_RATES = (0.2, 0.8, 1.05)
#: The ravine of section 2 and its start; exercise 03.4 counts steps on it.
RAVINE, RAVINE_START = (0.5, 20.0), (-3.5, -0.5)


@exercise(
    "03.1",
    "Predict the regime of each learning rate",
    "predict",
    hints=(
        "One step multiplies w by the same factor r every time; the sign and size of r decide everything.",
        "For L = a/2 w^2 the step is w - alpha * a * w, so r = 1 - alpha * a; here a = 2.",
        "0 ≤ r < 1: converges; −1 < r < 0: oscillates (the sign flips, the size shrinks); r = −1: bounces; r < −1: diverges.",
    ),
)
def check_regime_prediction(prediction) -> str | None:
    """prediction: a dict {0.2: ..., 0.8: ..., 1.05: ...} of "converges", "oscillates", "bounces" or "diverges"."""
    if prediction is Ellipsis or prediction is None:
        return prediction_problem(..., None, name="prediction")
    if not hasattr(prediction, "keys"):
        return f"expected a dict with the keys {REGIME_RATES}, got {type(prediction).__name__}"
    prediction = dict(prediction)  # any mapping; one that breaks when read is reported as raising
    if all(v is Ellipsis for v in prediction.values()):
        return prediction_problem(..., None, name="prediction")
    if set(prediction) != set(REGIME_RATES):
        return f"expected a dict with the keys {REGIME_RATES}, got {prediction!r}"
    actual = {lr: gd_regime(lr, 2.0) for lr in REGIME_RATES}
    wrong = [lr for lr in REGIME_RATES if prediction[lr] != actual[lr]]
    if wrong:
        return prediction_problem(
            {lr: prediction[lr] for lr in wrong}, None, name="prediction for these rates"
        )
    return None


@exercise(
    "03.2",
    "One gradient-descent step, as a new array",
    "implement",
    hints=(
        "The gradient points uphill; a step goes the other way, scaled by the learning rate.",
        "Build the result from w, grad and lr without writing into w: an expression, not w -= ...",
        "w_new = w − α ∇L(w), element by element.",
    ),
    hidden_test="assert np.allclose(gd_step(np.full(3, 2.0), np.array([1.0, 0.0, -1.0]), 0.5), [1.5, 2.0, 2.5])",
)
def check_gd_step(gd_step) -> str | None:
    """gd_step(w, grad, lr) = w - lr * grad, returned as a new array; w and grad unchanged."""
    rng = np.random.default_rng(3)
    w, g = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    cases = [
        ((np.array([1.0]), np.array([2.0]), 0.1), np.array([0.8])),
        ((np.array([0.5, -1.0]), np.array([-1.0, 4.0]), 0.25), np.array([0.75, -2.0])),
        ((w, g, 0.01), w - 0.01 * g),
    ]
    return function_problem(gd_step, cases, name="gd_step", keep_inputs=True)


def _adam_reference(grads, lr, beta1=0.9, beta2=0.999, eps=1e-8, shift=0):
    # shift=1 is the bug planted in the notebook's stub: the correction counts t from 0
    w, m, v = np.zeros_like(grads[0]), np.zeros_like(grads[0]), np.zeros_like(grads[0])
    for t, g in enumerate(grads, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        k = t + shift
        w = w - lr * (m / (1 - beta1**k)) / (np.sqrt(v / (1 - beta2**k)) + eps)
    return w


def _runs_adam(adam_step, grads, lr) -> tuple[list, str | None]:
    """The learner's w after each step of ``grads`` (from zeros), or the problem in words."""
    w, m, v = np.zeros_like(grads[0]), np.zeros_like(grads[0]), np.zeros_like(grads[0])
    ws = []
    for t, g in enumerate(grads, start=1):
        try:
            w, m, v = adam_step(w, g, m, v, t, lr)
        except NotImplementedError as err:
            raise NotStarted("adam_step still raises NotImplementedError") from err
        except Exception as err:  # the learner's code may raise anything
            return ws, f"adam_step at t = {t} raised {type(err).__name__}: {err}"
        ws.append(np.array(w, dtype=float, copy=True))
    return ws, None


@exercise(
    "03.3",
    "Debug an Adam step that stalls at the start",
    "debug",
    hints=(
        "Run the buggy step for t = 1, 2, 3 on a constant gradient and print the update: which step is wrong?",
        "Both running averages start at 0, so early on they are too small; something must undo that, and it depends on the step number.",
        "m̂ = m / (1 − β₁ᵗ) and v̂ = v / (1 − β₂ᵗ), with t counted from 1 at the first step.",
    ),
    points=2,
)
def check_adam_debugged(adam_step) -> str | None:
    """adam_step(w, g, m, v, t, lr) -> (w, m, v): one Adam step at step t (from 1), default betas.

    The untouched stub (the planted bug: bias correction with t counted from 0) is "not started".
    """
    if adam_step is Ellipsis or adam_step is None:
        raise NotStarted("there is no adam_step yet")
    if not callable(adam_step):
        return f"expected a function adam_step, got {type(adam_step).__name__}"
    rng = np.random.default_rng(33)
    cases = (([np.array([0.5, -2.0])] * 3, 0.1), (list(rng.normal(size=(5, 4))), 0.01))
    for number, (grads, lr) in enumerate(cases):
        ws, problem = _runs_adam(adam_step, grads, lr)
        if number == 0 and len(ws) == len(grads):
            planted = [_adam_reference(grads[:t], lr, shift=1) for t in range(1, len(grads) + 1)]
            if all(np.allclose(a, b, rtol=1e-9, atol=0) for a, b in zip(ws, planted, strict=True)):
                raise NotStarted("adam_step still behaves exactly like the buggy step in the cell")
        if problem:
            return problem
        for t, w in enumerate(ws, start=1):
            expected = _adam_reference(grads[:t], lr)
            problem = value_problem(w, expected, name=f"w after step {t} (lr = {lr})", rtol=1e-6)
            if problem:
                return problem
    return None


def steps_to_converge(lr: float, tolerance: float = 1e-3, max_steps: int = 1000) -> int:
    """Steps of gradient descent on the ravine until its loss first falls below ``tolerance``."""
    loss, grad = quadratic(RAVINE)
    _, losses = gd_trajectory(loss, grad, np.array(RAVINE_START), lr=lr, steps=max_steps)
    below = np.flatnonzero(np.asarray(losses) < tolerance)
    return int(below[0]) if below.size else max_steps


@exercise(
    "03.4",
    "How many steps does the ravine take?",
    "experiment",
    hints=(
        "Run gd_trajectory on the ravine of section 2 and look at the list of losses it returns.",
        "The answer is the index of the first loss below 0.001 (the start is step 0).",
        "The answer is the smallest k with L(w_k) < 10⁻³; along w₁ each step multiplies the distance by |1 − 0.5 α|, so the smaller α needs many more steps.",
    ),
    points=2,
)
def check_steps_to_converge(steps_at_009, steps_at_002) -> str | None:
    """The number of steps to a loss below 1e-3 on the ravine at lr = 0.09 and at lr = 0.02."""
    for answer, lr in ((steps_at_009, 0.09), (steps_at_002, 0.02)):
        problem = value_problem(answer, steps_to_converge(lr), name=f"the steps at lr = {lr}")
        if problem:
            return problem
    return None


QUIZ = register(
    "03",
    [
        Question(
            "For L(w) = ½ a w², one step multiplies w by r = 1 − α a. What is r for a = 4, α = 0.3?",
            answer=-0.2,
            tolerance=1e-9,
            feedback=(
                "1 − 0.3 × 4 = −0.2: the sign flips each step and the size shrinks by 5, so w oscillates and converges.",
                "Use r = 1 − α a with the curvature a = 4 (the second derivative of ½ a w²).",
            ),
        ),
        Question(
            "On a ravine with curvatures 0.5 and 20, what limits plain gradient descent's learning rate?",
            options=("the flat direction", "the steep direction", "the starting point"),
            answer=1,
            feedback=(
                "The flat direction would tolerate α up to 2 / 0.5 = 4; it is the one that crawls, not the one that limits.",
                "Stability needs α < 2 / a in every direction, so the largest curvature, 20, sets α < 0.1.",
                "The start changes how far there is to go, not whether a step size is stable.",
            ),
        ),
        Question(
            "Why is a random mini-batch gradient an unbiased estimate of the full gradient?",
            options=(
                "its expectation over the random batch equals the full-batch gradient",
                "it equals the full gradient on every batch",
                "its variance shrinks as the batch grows",
            ),
            answer=0,
            feedback=(
                "The average of the per-example gradients over a uniformly drawn batch has the full average as its expected value.",
                "A single batch's gradient differs from the full one: that noise is what makes SGD wander.",
                "True, but that is about its noise, not its bias: an estimate can be noisy and still unbiased.",
            ),
        ),
        Question(
            "At Adam's first step (t = 1, β₁ = 0.9), how much larger is m̂ than m?",
            answer=10,
            tolerance=1e-9,
            feedback=(
                "m̂ = m / (1 − 0.9¹) = 10 m, which undoes m's start at zero: m₁ = 0.1 g, so m̂₁ = g.",
                "Divide by 1 − β₁ᵗ with t = 1.",
            ),
        ),
        Question(
            "Momentum helps in a ravine mainly because ...",
            options=(
                "the velocity averages away the zig-zag across the valley and builds up speed along it",
                "it makes every step smaller",
                "it rescales each parameter by its gradient's size, as Adam does",
            ),
            answer=0,
            feedback=(
                "Across the valley the gradients alternate in sign and cancel in the velocity; along it they agree and add up.",
                "With β = 0.9 the steps along a consistent slope grow up to ten-fold; momentum is not a smaller step.",
                "That per-parameter rescaling is Adam's second moment (and RMSProp's); momentum keeps one step size.",
            ),
        ),
    ],
)
