"""Exercises and quiz of chapter 12 · DeepLIFT."""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import (
    NotStarted,
    exercise,
    function_problem,
    prediction_problem,
)
from course_utils.exercises.quizzes import Question, register

__all__ = ["check_deeplift_total", "check_rescale_debugged", "check_deeplift_tanh"]


@exercise(
    "12.1",
    "Predict the total of DeepLIFT's contributions",
    "predict",
    hints=(
        "You need no multiplier at all: section 1 says what the contributions of all inputs add up to.",
        "Summation-to-delta: the contributions sum to the change of the output from the reference to x. Run the network by hand twice, once on x and once on the reference.",
        "Σᵢ Cᵢ = f(x) − f(x′); each hidden unit is relu(w · x + b), and the output is w₂ · a + b₂ (evaluate both at x and at x′: the output bias cancels in the difference, the hidden biases do not).",
    ),
)
def check_deeplift_total(prediction, model, x, reference) -> str | None:
    """prediction: one number, the sum of xai.deeplift(model, x, 0, baseline=reference) over the inputs."""
    from course_utils import xai

    if prediction is Ellipsis or prediction is None:
        return prediction_problem(prediction, None, name="prediction")
    total = float(np.sum(xai.deeplift(model, x, 0, baseline=reference)))
    return prediction_problem(prediction, total, name="predicted total", atol=0.01)


def _rescale(a, a_ref, m_out):
    change = a - a_ref
    same = np.abs(change) < 1e-10
    ratio = (np.maximum(a, 0) - np.maximum(a_ref, 0)) / np.where(same, 1.0, change)
    return m_out * np.where(same, a > 0, ratio)


def _planted_bug(a, a_ref, m_out):
    # the stub's bug: divides by a (the change from a reference of 0) instead of a - a_ref
    same = np.abs(a - a_ref) < 1e-10
    ratio = (np.maximum(a, 0) - np.maximum(a_ref, 0)) / np.where(same, 1.0, a)
    return m_out * np.where(same, a > 0, ratio)


@exercise(
    "12.2",
    "Debug a rescale multiplier that fails away from a zero reference",
    "debug",
    hints=(
        "Try it on a single unit whose reference input is not 0, say a = 3 and a′ = 1, with m_out = 1: what should the slope of the secant be, and what do you get?",
        "The rescale rule is a ratio of two changes: the change of the ReLU's output over the change of its input, both measured from the reference. One of the two is not measured from the reference.",
        "m_in = m_out · (relu(a) − relu(a′)) / (a − a′), and m_out · [a > 0] where a = a′; with a′ = 0 the denominator a − a′ happens to equal a, which is why the bug hid there.",
    ),
    points=2,
    hidden_test="assert np.allclose(rescale_multiplier(np.array([3.0, -2.0]), np.array([1.0, -1.0]), np.array([2.0, 5.0])), [2.0, 0.0])",
)
def check_rescale_debugged(rescale_multiplier) -> str | None:
    """rescale_multiplier(a, a_ref, m_out) -> the ReLU's input multipliers, a new array of a's shape."""
    rng = np.random.default_rng(12)
    a = np.array([2.0, -1.0, 3.0, 0.5, -2.0, -0.5, 4.0])
    a_ref = np.array([0.0, 0.0, 1.0, 0.5, 1.0, -0.5, 2.0])
    m_out = np.array([1.0, 2.0, -1.0, 3.0, 1.0, 4.0, 0.5])
    big, big_ref = rng.normal(size=(3, 5)), rng.normal(size=(3, 5))
    big_m = rng.normal(size=(3, 5))
    cases = [
        ((a, a_ref, m_out), _rescale(a, a_ref, m_out)),
        (
            (np.array([[1.0, 4.0]]), np.array([[-1.0, 2.0]]), np.array([[2.0, 2.0]])),
            np.array([[1.0, 2.0]]),
        ),
        ((big, big_ref, big_m), _rescale(big, big_ref, big_m)),
    ]
    if (
        rescale_multiplier is not Ellipsis
        and rescale_multiplier is not None
        and callable(rescale_multiplier)
    ):
        with np.errstate(all="ignore"):
            try:
                got = rescale_multiplier(a.copy(), a_ref.copy(), m_out.copy())
                unchanged = np.allclose(got, _planted_bug(a, a_ref, m_out), equal_nan=True)
            except Exception:  # the learner's code may raise anything: function_problem reports it
                unchanged = False
        if unchanged:
            raise NotStarted(
                "rescale_multiplier still gives the planted bug's numbers: find the bug and fix it"
            )
    with np.errstate(all="ignore"):
        return function_problem(
            rescale_multiplier, cases, name="rescale_multiplier", keep_inputs=True
        )


def tanh_contributions(W1, b1, W2, b2, x, x_ref, t):
    """DeepLIFT (rescale rule) for Linear -> tanh -> Linear, output t: contributions of shape x's (N, d)."""
    z, z_ref = x @ W1.T + b1, np.asarray(x_ref) @ W1.T + b1
    dz = z - z_ref
    same = np.abs(dz) < 1e-10
    slope = np.where(
        same, 1.0 - np.tanh(z) ** 2, (np.tanh(z) - np.tanh(z_ref)) / np.where(same, 1.0, dz)
    )
    return (x - x_ref) * ((W2[t] * slope) @ W1)


@exercise(
    "12.3",
    "DeepLIFT for a tanh network",
    "extend",
    hints=(
        "Section 3's deeplift_mlp is the pattern: the linear rule twice, and one rule for the nonlinearity in between. Only that middle rule changes.",
        "The rescale rule is not about ReLUs: for any elementwise activation it is the slope of the secant between the reference's and x's pre-activations; where they coincide, the slope of the tangent.",
        "m_hidden = W₂[t] ⊙ (tanh z − tanh z′) / (z − z′), with 1 − tanh² z where z = z′; m_x = m_hidden W₁; contributions (x − x′) ⊙ m_x, summing to f_t(x) − f_t(x′).",
    ),
    points=3,
    hidden_test=(
        "_r = np.random.default_rng(121)\n"
        "_W1, _b1, _W2, _b2 = _r.normal(size=(6, 4)), _r.normal(size=6), _r.normal(size=(3, 6)), _r.normal(size=3)\n"
        "_x, _ref = _r.normal(size=(2, 4)), _r.normal(size=4)\n"
        "_f = lambda v: np.tanh(v @ _W1.T + _b1) @ _W2.T + _b2\n"
        "assert np.allclose(deeplift_tanh(_W1, _b1, _W2, _b2, _x, _ref, 1).sum(axis=1), _f(_x)[:, 1] - _f(_ref[None])[0, 1])"
    ),
)
def check_deeplift_tanh(deeplift_tanh) -> str | None:
    """deeplift_tanh(W1, b1, W2, b2, x, x_ref, t) -> (N, d) contributions for f = W2 tanh(W1 x + b1) + b2."""
    rng = np.random.default_rng(1212)
    W1, b1 = rng.normal(size=(5, 4)), rng.normal(size=5)
    W2, b2 = rng.normal(size=(3, 5)), rng.normal(size=3)
    W1[2] = 0.0  # a hidden unit that does not see the input: z = z' there
    x, x_ref = rng.normal(size=(3, 4)), np.zeros((3, 4))
    other_ref = rng.normal(size=(3, 4))
    cases = [
        ((W1, b1, W2, b2, x, x_ref, 0), tanh_contributions(W1, b1, W2, b2, x, x_ref, 0)),
        ((W1, b1, W2, b2, x, other_ref, 2), tanh_contributions(W1, b1, W2, b2, x, other_ref, 2)),
    ]
    with np.errstate(all="ignore"):
        return function_problem(deeplift_tanh, cases, name="deeplift_tanh", keep_inputs=True)


QUIZ = register(
    "12",
    [
        Question(
            "A ReLU's input goes from z′ = −1 on the reference to z = 3 on x. What is its rescale multiplier (with m_out = 1)?",
            answer=0.75,
            tolerance=1e-9,
            feedback=(
                "The output goes from relu(−1) = 0 to relu(3) = 3 while the input changes by 4: the secant's slope is 3 / 4.",
                "Divide the change of the output, relu(3) − relu(−1), by the change of the input, 3 − (−1); the gradient at z = 3 would say 1.",
            ),
        ),
        Question(
            "With the rescale rule on a network of Linear, Conv2d and ReLU layers, DeepLIFT's contributions of all inputs add up to ...",
            options=(
                "f_t(x) − f_t(x′), the change of the output from the reference",
                "f_t(x), the output itself",
                "the sum of gradient × input",
            ),
            answer=0,
            feedback=(
                "Summation-to-delta: every rule keeps Σ m Δ the same from layer to layer, and at the output it is Δt.",
                "The reference's output f_t(x′) is subtracted: DeepLIFT explains a difference, and x′ = x gives zero contributions whatever f_t(x) is.",
                "Gradient × input uses tangent slopes and misses Δt wherever a unit bends between x′ and x (the saturated unit of section 2 gets 0).",
            ),
        ),
        Question(
            "In a max-pool window, when do the gradient rule and the exact rule give the same multipliers?",
            options=(
                "when the window's argmax is the same position for x and for the reference",
                "always, because max-pooling is piecewise linear",
                "only when the reference is the black image",
            ),
            answer=0,
            feedback=(
                "Then both parts go to the same input, whose change is exactly the window's change, so its multiplier is m: the gradient's.",
                "Piecewise linear is not linear: when the maximum moves to another position, x's argmax alone does not carry the window's change.",
                "A black reference makes many windows tie and hides the difference, but any reference whose argmax stays put gives the same multipliers.",
            ),
        ),
        Question(
            "Captum's DeepLift on a model that calls F.relu inside forward returns ...",
            options=(
                "gradient × input, without a warning, because a function is not a module it can hook",
                "an error saying F.relu is not supported",
                "the rescale rule, because F.relu and nn.ReLU compute the same function",
            ),
            answer=0,
            feedback=(
                "Its rules are hooked on modules; a functional call gets the plain gradient, and only the convergence delta gives it away.",
                "Captum raises nothing here; xai.deeplift is the one that refuses such a model.",
                "The function is the same, but DeepLIFT's rule lives on the module, so the hook never sees the functional call.",
            ),
        ),
        Question(
            "For a network with one hidden ReLU layer (like the course MLP), DeepLIFT's rescale rule equals ...",
            options=(
                "Integrated Gradients computed exactly, without quadrature error",
                "gradient × input",
                "saliency, the absolute gradient",
            ),
            answer=0,
            feedback=(
                "Along IG's straight path each hidden pre-activation is linear in α, so the path average of relu′ is the secant slope Δa / Δz.",
                "Gradient × input uses the slope at x only; it agrees with DeepLIFT only where no hidden unit changes its state between x′ and x.",
                "Saliency is a sensitivity, not a contribution: it does not even multiply by x − x′, so it cannot sum to Δt.",
            ),
        ),
    ],
)
