"""Exercises and quiz of chapter 04 · Backpropagation."""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import (
    exercise,
    function_problem,
    parts_problem,
    prediction_problem,
)
from course_utils.exercises.quizzes import Question, register
from course_utils.foundations.gradcheck import gradient_check

__all__ = ["check_linear_backward", "check_sigmoid_backward", "check_bug_error_prediction"]


@exercise(
    "04.1",
    "The backward of a linear layer",
    "implement",
    hints=(
        "A gradient has the shape of its variable: dx is (N, n_in), dW is (n_in, n_out) and db is (n_out,).",
        "out[n, k] = Σᵢ x[n, i] W[i, k] + b[k]: each variable's gradient sums upstream gradients over the outputs it feeds; W and b are shared by every example, so their sums run over the batch too.",
        "dx = dout Wᵀ, dW = xᵀ dout, db[k] = Σₙ dout[n, k] (a sum over the batch, not a mean).",
    ),
    points=2,
    hidden_test=(
        "_x, _W, _d = np.arange(6.0).reshape(2, 3), np.ones((3, 1)), np.array([[1.0], [-2.0]])\n"
        "_dx, _dW, _db = linear_backward(_x, _W, _d)\n"
        "assert np.allclose(_dx, [[1, 1, 1], [-2, -2, -2]]) and np.allclose(_dW, [[-6], [-7], [-8]]) and np.allclose(_db, [-1])"
    ),
)
def check_linear_backward(linear_backward) -> str | None:
    """linear_backward(x, W, dout) -> (dx, dW, db) of out = x @ W + b; x (N, n_in), W (n_in, n_out), dout (N, n_out)."""
    rng = np.random.default_rng(4)
    cases = []
    for n, n_in, n_out in [(1, 2, 3), (5, 4, 3), (7, 3, 6)]:
        x, W, dout = (
            rng.normal(size=(n, n_in)),
            rng.normal(size=(n_in, n_out)),
            rng.normal(size=(n, n_out)),
        )
        cases.append(((x, W, dout), (dout @ W.T, x.T @ dout, dout.sum(axis=0))))
    return parts_problem(linear_backward, cases, ("dx", "dW", "db"), name="linear_backward")


def _sigmoid_backward(x, upstream):
    s = 1 / (1 + np.exp(-np.asarray(x, dtype=float)))
    return upstream * s * (1 - s)


@exercise(
    "04.2",
    "A sigmoid node for the engine",
    "extend",
    hints=(
        "The chain rule at one node: ∂L/∂x = ∂L/∂s · ∂s/∂x, and the first factor is what arrives from above.",
        "Chapter 01 wrote the sigmoid's derivative with the sigmoid itself, the way tanh's local gradient is 1 − tanh².",
        "∂L/∂x = upstream · σ(x) (1 − σ(x)), with σ(x) = 1 / (1 + e⁻ˣ), element by element for arrays.",
    ),
)
def check_sigmoid_backward(sigmoid_backward) -> str | None:
    """sigmoid_backward(x, upstream) = upstream * s (1 - s) with s = sigmoid(x), for numbers and arrays."""
    cases = [
        ((x, up), _sigmoid_backward(x, up))
        for x, up in [(0.0, 1.0), (2.0, 0.5), (-1.0, -3.0), (0.3, 0.0)]
    ]
    x, up = np.array([-2.0, 0.0, 0.5, 3.0]), np.array([1.0, -1.0, 2.0, 0.25])
    cases.append(((x, up), _sigmoid_backward(x, up)))
    return function_problem(sigmoid_backward, cases, name="sigmoid_backward")


def missing_one_over_n_error(net, x, labels) -> float:
    """gradient_check's largest relative error for a backward pass that forgets to divide by the batch size."""

    def forgot_to_divide_by_n():
        loss, grads = net.loss_and_grads(x, labels)
        return loss, [g * len(x) for g in grads]

    return float(gradient_check(forgot_to_divide_by_n, net.params())[1])


@exercise(
    "04.3",
    "Predict the error of the missing-1/N bug",
    "predict",
    hints=(
        "The bug multiplies every analytic gradient by the same number; what does the relative error make of a gradient and a multiple of it?",
        "The numeric gradient is the true one, g; the buggy analytic one is N g. The norms factor out of the relative error, so g cancels.",
        "‖N g − g‖ / (‖N g‖ + ‖g‖) = (N − 1) / (N + 1); here the batch has N = 5 examples.",
    ),
)
def check_bug_error_prediction(prediction, net, x, labels) -> str | None:
    """The largest relative error gradient_check reports for the missing-1/N bug on (net, x, labels), to 0.01."""
    actual = missing_one_over_n_error(net, x, labels)
    return prediction_problem(prediction, actual, name="predicted relative error", atol=0.01)


QUIZ = register(
    "04",
    [
        Question(
            "A linear layer maps a batch x of shape (32, 784) to out of shape (32, 128). How many numbers does dW hold?",
            answer=100352,
            tolerance=0.5,
            feedback=(
                "dW has the shape of W, (784, 128): 784 × 128 = 100,352 numbers, whatever the batch size.",
                "A gradient has the shape of its variable; the batch size 32 is summed over inside xᵀ dout.",
            ),
        ),
        Question(
            "A ReLU unit had the pre-activation a = −0.07 in the forward pass and receives the upstream gradient 0.5. What gradient does it pass back to a?",
            answer=0,
            tolerance=1e-9,
            feedback=(
                "ReLU's local gradient is [a > 0], which is 0 here: the unit blocks the gradient, however large it is.",
                "Multiply the upstream gradient by the local gradient [a > 0], evaluated at the forward pass's a.",
            ),
        ),
        Question(
            "Why does an autograd node add to its inputs' .grad (+=) instead of setting it (=)?",
            options=(
                "a value used along several paths gets one gradient per path, and the chain rule sums them",
                "to accumulate the gradient over the epochs of training",
                "+= is faster than = in Python",
            ),
            answer=0,
            feedback=(
                "Like ∂L/∂h summing over every output that h feeds, e in e·e receives a gradient from each factor.",
                "Each backward pass starts from zero gradients; summing across epochs would give a wrong, growing gradient.",
                "Speed has nothing to do with it: with = the second path would overwrite the first and the gradient would be wrong.",
            ),
        ),
        Question(
            "Why do gradient checks run in float64 rather than float32?",
            options=(
                "the rounding error of f, divided by the small step ε, swamps the difference in float32",
                "the analytic gradient is only correct in float64",
                "float64 makes the central difference's ε² truncation error vanish",
            ),
            answer=0,
            feedback=(
                "float32 stores f to about 1e-7, and dividing that by ε = 1e-6 gives errors of order 0.1; float64's 1e-16 leaves 1e-10.",
                "The same backward pass is right in both precisions; only the numeric estimate fails in float32.",
                "Truncation depends on ε, not on the precision: the ε²/6 f‴ term is the same in float64.",
            ),
        ),
        Question(
            "A network has P parameters. About how many forward passes does one full gradient cost by backpropagation, and by central differences?",
            options=(
                "a small constant (two to three) by backpropagation, 2P by central differences",
                "about P each",
                "P by backpropagation, 2 by central differences",
            ),
            answer=0,
            feedback=(
                "Backpropagation reuses each upstream gradient for everything below it: two matrix products per layer where the forward has one. Finite differences need two loss evaluations per parameter.",
                "Only finite differences grow with P; the backward pass visits each layer once, however many weights it has.",
                "It is the other way round: each of the P parameters needs its own pair of nudged forward passes.",
            ),
        ),
    ],
)
