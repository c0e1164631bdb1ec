"""Exercises and quiz of chapter 01 · The neuron."""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import exercise, function_problem, prediction_problem, still_buggy
from course_utils.exercises.quizzes import Question, register
from course_utils.foundations.activations import sigmoid

__all__ = ["check_dense_forward", "check_xor_prediction", "check_softplus"]

#: The accuracies the learner chooses from in exercise 01.2.
XOR_OPTIONS = (0.5, 0.75, 1.0)


def buggy_dense_forward(X, W, b):
    """The planted bug of exercise 01.1 (the notebook's stub): W is used as if it were (n_in, n_out)."""
    return sigmoid(X @ W + b)


def _dense_reference(X, W, b):
    return sigmoid(np.asarray(X, dtype=float) @ np.asarray(W, dtype=float).T + b)


@exercise(
    "01.1",
    "Debug a layer that reads PyTorch's weights",
    "debug",
    hints=(
        "Call the buggy function with 2 examples of 3 inputs and a weight matrix of shape (4, 3), and read the error; then try a square W.",
        "Section 3 stores neuron j's weights in column j, W of shape (n_in, n_out); PyTorch stores them in row j, shape (n_out, n_in). The product must pair each input with its own weight.",
        "Z = X Wᵀ + b when W has shape (n_out, n_in); then Y = σ(Z), of shape (N, n_out).",
    ),
    hidden_test=(
        "assert np.allclose(dense_forward(np.ones((2, 3)), np.zeros((4, 3)), np.zeros(4)), 0.5)\n"
        "assert dense_forward(np.ones((1, 2)), np.array([[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]), np.zeros(3)).shape == (1, 3)"
    ),
)
def check_dense_forward(dense_forward) -> str | None:
    """dense_forward(X, W, b) = sigmoid(X @ W.T + b) with W of shape (n_out, n_in), b of shape (n_out,)."""
    rng = np.random.default_rng(1)
    cases = []
    for n, n_in, n_out in ((5, 3, 4), (4, 2, 2), (1, 6, 1)):
        X, W, b = rng.normal(size=(n, n_in)), rng.normal(size=(n_out, n_in)), rng.normal(size=n_out)
        cases.append(((X, W, b), _dense_reference(X, W, b)))
    still_buggy(dense_forward, buggy_dense_forward, [args for args, _ in cases], "dense_forward")
    return function_problem(dense_forward, cases, name="dense_forward", keep_inputs=True)


def best_line_accuracy(
    x: np.ndarray, y: np.ndarray, n_angles: int = 360, n_offsets: int = 101
) -> float:
    """The best accuracy of one neuron (one straight line, class 1 where z > 0) on 2-D points, over the grid
    of section 7: ``n_angles`` directions times ``n_offsets`` offsets in [-2.5, 2.5]."""
    angles = np.linspace(0, 2 * np.pi, n_angles, endpoint=False)
    directions = np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (angles, 2)
    offsets = np.linspace(-2.5, 2.5, n_offsets)
    projections = np.asarray(x, dtype=float) @ directions.T  # (points, angles)
    best = 0.0
    for offset in offsets:
        predictions = projections + offset > 0
        best = max(
            best, float(np.max(np.mean(predictions == (np.asarray(y)[:, None] == 1), axis=0)))
        )
    return best


@exercise(
    "01.2",
    "Predict the best one-line accuracy on XOR",
    "predict",
    hints=(
        "Draw the four corners on paper, two of each class on opposite corners, and try to put one straight line between the classes.",
        "A line can put one corner alone on its side, or two neighbouring corners; count how many corners are then on the right side.",
        "Each corner holds a quarter of the points; the best line gets three corners right: choose among 0.5, 0.75 and 1.0 accordingly.",
    ),
)
def check_xor_prediction(prediction, x, y) -> str | None:
    """prediction: the best accuracy one straight line reaches on the XOR points, one of 0.5, 0.75, 1.0."""
    if prediction is Ellipsis or prediction is None:
        return prediction_problem(prediction, None, name="xor_prediction")
    if isinstance(prediction, (bool, str, list, tuple, dict, np.ndarray)):
        return f"choose one number among {XOR_OPTIONS}, got {prediction!r}"
    value = float(prediction)
    if 1 < value <= 100:
        return f"give the accuracy as a fraction (one of {XOR_OPTIONS}), not in percent"
    if not any(np.isclose(value, option) for option in XOR_OPTIONS):
        return f"choose one of {XOR_OPTIONS}, got {prediction!r}"
    actual = best_line_accuracy(x, y)
    nearest = min(XOR_OPTIONS, key=lambda option: abs(option - actual))
    return prediction_problem(value, nearest, name="xor_prediction", atol=1e-9)


def _softplus_reference(z):
    return np.logaddexp(0.0, np.asarray(z, dtype=float))


@exercise(
    "01.3",
    "Softplus, a smooth ReLU, and its derivative",
    "extend",
    hints=(
        "Try your softplus on z = 1000 and z = −1000: the first answer should be about 1000, the second about 0, and neither inf nor nan.",
        "For large positive z, e^z overflows although log(1 + e^z) is close to z; take z out of the logarithm where z > 0, so that the exponent is never positive. Then differentiate log(1 + e^z) with the chain rule.",
        "softplus(z) = max(z, 0) + log(1 + e^(−|z|)), and softplus′(z) = e^z / (1 + e^z) = σ(z).",
    ),
    points=2,
)
def check_softplus(softplus, softplus_grad) -> str | None:
    """softplus(z) = log(1 + e^z) and softplus_grad(z) = sigmoid(z), elementwise, finite for |z| = 1000."""
    z = np.array([-3.0, -1.0, 0.0, 0.5, 2.0])
    grid = np.linspace(-6, 6, 12).reshape(3, 4)
    huge = np.array([-1000.0, 1000.0])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        problem = function_problem(
            softplus,
            [
                ((0.0,), np.log(2.0)),
                ((z,), _softplus_reference(z)),
                ((grid,), _softplus_reference(grid)),
                ((huge,), np.array([0.0, 1000.0])),
            ],
            name="softplus",
            atol=1e-12,
        )
        if problem:
            return problem
        return function_problem(
            softplus_grad,
            [
                ((0.0,), 0.5),
                ((z,), sigmoid(z)),
                ((grid,), sigmoid(grid)),
                ((huge,), np.array([0.0, 1.0])),
            ],
            name="softplus_grad",
            atol=1e-12,
        )


QUIZ = register(
    "01",
    [
        Question(
            "A layer reads N = 32 examples with 784 inputs each and has 100 neurons, in the layout of section 3. What is the shape of W?",
            options=("(784, 100)", "(100, 784)", "(32, 100)", "(32, 784)"),
            answer=0,
            feedback=(
                "Column j holds neuron j's 784 weights, so X (32, 784) @ W (784, 100) gives Z of shape (32, 100).",
                "That is PyTorch's nn.Linear.weight, the transpose; with it the product needs Wᵀ.",
                "(32, 100) is the shape of the output Z = XW + b, not of the weights.",
                "(32, 784) is the shape of the input X.",
            ),
        ),
        Question(
            "What is the largest value the sigmoid's derivative σ′(z) ever takes?",
            answer=0.25,
            tolerance=1e-9,
            feedback=(
                "σ′(z) = σ(z)(1 − σ(z)) is largest where σ(z) = ½, at z = 0: ½ · ½ = 0.25.",
                "Maximise p(1 − p) over p = σ(z) in (0, 1).",
            ),
        ),
        Question(
            "A ReLU unit's pre-activation is negative for every training example. What happens to its incoming weights during training?",
            options=(
                "they never change: every gradient through the unit is multiplied by 0",
                "they grow until the unit switches on again",
                "they change slowly, as for a saturated sigmoid",
            ),
            answer=0,
            feedback=(
                "ReLU's slope is exactly 0 for z < 0, so the unit is dead: nothing flows back and its weights stay where they are.",
                "Nothing pushes them: the gradient that would push is exactly zero.",
                "A saturated sigmoid has a tiny but nonzero slope; ReLU's is exactly zero, so the weights do not move at all.",
            ),
        ),
        Question(
            "Why can two layers with no activation function between them not solve XOR?",
            options=(
                "two linear layers are one linear layer, which draws one straight boundary",
                "two layers need more training data than XOR has",
                "XOR needs more than two hidden units",
            ),
            answer=0,
            feedback=(
                "(XW₁ + b₁)W₂ + b₂ = X(W₁W₂) + (b₁W₂ + b₂): the stack is still one line, and no line separates XOR.",
                "It is not a matter of data: no setting of the weights can work, however many examples there are.",
                "Section 7 solves XOR with two hidden ReLU units; it is the nonlinearity that matters.",
            ),
        ),
        Question(
            "Adding the same constant c to every logit z changes softmax(z) how?",
            options=("not at all", "every probability grows", "the largest probability grows"),
            answer=0,
            feedback=(
                "e^(zᵢ + c) / Σⱼ e^(zⱼ + c): the factor e^c cancels, which is why implementations may subtract max z.",
                "The probabilities always sum to 1, so they cannot all grow.",
                "Only the differences between logits matter, and a common shift leaves them the same.",
            ),
        ),
    ],
)
