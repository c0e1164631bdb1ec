"""Exercises and quiz of chapter 08 · CNNs, and choosing a framework.

Every check here runs in milliseconds (the chapter's time budget is nearly spent on training):
formulas, small arrays, and one forward pass of an untrained CNN on one blank image. PyTorch is
imported only when a check needs it, and its random numbers are forked so that a check never
changes what the notebook computes after it.
"""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import (
    NotStarted,
    exercise,
    function_problem,
    prediction_problem,
    unchanged_code,
)
from course_utils.exercises.quizzes import Question, register
from course_utils.foundations.convolution import max_pool2d

__all__ = ["check_conv_output_size", "check_max_pool", "check_cnn_shape_prediction"]


def conv_output_size_reference(n: int, k: int, padding: int, stride: int) -> int:
    """⌊(n + 2 padding − k) / stride⌋ + 1: the side of a k x k convolution's (or pooling's) output."""
    return (n + 2 * padding - k) // stride + 1


def buggy_conv_output_size(n, k, padding, stride):
    positions = n + 2 * padding - k + 1  # where the window fits
    return positions // stride  # every stride-th of them


#: (n, k, padding, stride) cases; several with a stride where the bug shows.
CONV_CASES = (
    (28, 3, 1, 1),
    (28, 3, 0, 1),
    (28, 2, 0, 2),
    (7, 3, 0, 2),
    (28, 3, 0, 2),
    (5, 2, 0, 2),
    (11, 3, 2, 2),
    (28, 5, 2, 3),
)


@exercise(
    "08.1",
    "Debug the output size of a strided convolution",
    "debug",
    hints=(
        "Try a tiny case by hand: a 2-wide window on a row of 4 pixels with stride 2 fits at positions 0 and 2; what does the function say?",
        "Counting the positions where the window fits is right; the step goes wrong when only every stride-th of them is kept, if their number is not a multiple of the stride.",
        "The kept positions are 0, s, 2s, … up to n + 2p − k, so there are ⌊(n + 2p − k) / s⌋ + 1 of them (equivalently, the number of positions divided by s, rounded up).",
    ),
    hidden_test="assert conv_output_size(32, 5, 2, 3) == 11 and conv_output_size(9, 3, 0, 3) == 3",
)
def check_conv_output_size(conv_output_size) -> str | None:
    """conv_output_size(n, k, padding, stride) -> an int, ⌊(n + 2 padding − k) / stride⌋ + 1."""
    if unchanged_code(conv_output_size, buggy_conv_output_size):
        raise NotStarted(
            "conv_output_size is still the buggy version of the task: find the bug and fix it"
        )
    cases = [(args, conv_output_size_reference(*args)) for args in CONV_CASES]
    problem = function_problem(conv_output_size, cases, name="conv_output_size")
    if problem:
        return problem
    got = conv_output_size(*CONV_CASES[0])
    if not isinstance(got, (int, np.integer)):
        return f"the sizes are right but come as {type(got).__name__}; a side length is an int (use floor division)"
    return None


def max_pool_reference(image, k: int) -> np.ndarray:
    """The max of each k x k window, moving by k, of a 2-D image; a leftover edge is dropped."""
    return max_pool2d(np.asarray(image)[None, None], k)[0, 0]


@exercise(
    "08.2",
    "Max pooling with any window",
    "extend",
    hints=(
        "max_pool_2x2 above is the case k = 2: find each place where the 2 stands for the window's size.",
        "Cut the image to a multiple of k rows and columns first (that drops a leftover edge, as PyTorch does), then split each side into blocks of k and take the max inside each block.",
        "out[i, j] = max over 0 ≤ u, v < k of x[k i + u, k j + v], for i < ⌊H / k⌋ and j < ⌊W / k⌋.",
    ),
    points=2,
)
def check_max_pool(max_pool) -> str | None:
    """max_pool(image, k): (H, W) -> (H // k, W // k), the max of each non-overlapping k x k window; image unchanged."""
    rng = np.random.default_rng(8)
    small = np.array([[1, 2, 5, 0], [3, 4, 1, 1], [0, 0, 9, 8], [7, 0, 6, 2]], dtype=float)
    images = [
        (small, 2),
        (rng.standard_normal((6, 9)), 3),  # not square
        (
            rng.standard_normal((28, 28)),
            3,
        ),  # 28 is not a multiple of 3: the last row and column drop
        (rng.standard_normal((7, 5)), 1),  # k = 1 changes nothing
        (-rng.random((8, 8)), 4),  # all negative: a max that starts at 0 is wrong
    ]
    cases = [((image, k), max_pool_reference(image, k)) for image, k in images]
    return function_problem(max_pool, cases, name="max_pool", keep_inputs=True)


def cnn_shapes() -> tuple[tuple[int, ...], int]:
    """The course CNN's output shape after pool2 for one image, and conv2's parameter count."""
    import torch

    from course_utils.frameworks import torch_models

    with torch.random.fork_rng(devices=[]), torch.no_grad():
        cnn = torch_models.build_cnn()
        x = torch.zeros(1, 1, 28, 28)
        for name, layer in cnn.named_children():
            x = layer(x)
            if name == "pool2":
                break
    return tuple(x.shape), sum(p.numel() for p in cnn.conv2.parameters())


@exercise(
    "08.3",
    "Predict the shapes through the CNN",
    "predict",
    hints=(
        "Follow one image layer by layer: a padded 3×3 convolution keeps the side, a 2×2 max-pool halves it, and the number of channels is the number of filters.",
        "conv2 has 16 filters, each spanning all 8 channels of conv1's maps with a 3×3 window, and one bias per filter.",
        "n_out = ⌊(n + 2p − k) / s⌋ + 1 for each convolution (k = 3, p = 1, s = 1) and each pool (k = 2, p = 0, s = 2); a convolution with F filters over C channels has F · C · k² + F parameters.",
    ),
)
def check_cnn_shape_prediction(shape_after_pool2, conv2_params) -> str | None:
    """The shape (N, C, H, W) after pool2 for one image, and the parameters of conv2."""
    shape, params = cnn_shapes()
    for answer, actual, name in (
        (shape_after_pool2, shape, "prediction of the shape after pool2"),
        (conv2_params, params, "prediction of conv2's parameter count"),
    ):
        problem = prediction_problem(answer, actual, name=name)
        if problem:
            return problem
    return None


QUIZ = register(
    "08",
    [
        Question(
            "A 5×5 convolution with no padding and stride 1 runs over a 32×32 image. How many pixels wide is its output?",
            answer=28,
            tolerance=1e-9,
            feedback=(
                "The window fits at 32 − 5 + 1 = 28 positions: ⌊(32 + 0 − 5)/1⌋ + 1.",
                "27 forgets the + 1 (the first position counts); 32 assumes padding that keeps the size.",
            ),
        ),
        Question(
            "How many parameters does `nn.Conv2d(3, 16, kernel_size=3)` have?",
            answer=448,
            tolerance=1e-9,
            feedback=(
                "16 filters of 3 channels × 3 × 3 weights, 432, plus one bias per filter: 432 + 16 = 448.",
                "Each filter spans every input channel (3 here) and has one bias; 144 forgets the channels, 432 the biases.",
            ),
        ),
        Question(
            "Where does the course CNN keep most of its 9,098 parameters?",
            options=("in conv1", "in conv2", "in the linear head"),
            answer=2,
            feedback=(
                "conv1 has 8 filters of 1 × 3 × 3 weights plus 8 biases: 80 parameters.",
                "conv2 has 16 · 8 · 9 + 16 = 1,168, about an eighth of the total.",
                "The head maps 16 · 7 · 7 = 784 features to 10 logits: 7,850 parameters, 86% of the model.",
            ),
        ),
        Question(
            "What does a 2×2 max-pool with stride 2 learn?",
            options=(
                "nothing: it has no parameters, it keeps the largest value of each window",
                "4 weights per channel, like a 2×2 convolution",
                "one scale per channel",
            ),
            answer=0,
            feedback=(
                "It is a fixed operation; it halves each side and makes the maps tolerant to one-pixel shifts.",
                "A 2×2 convolution would learn weights; the max has none to learn.",
                "Nothing is scaled: the max passes one of the four values through unchanged.",
            ),
        ),
        Question(
            "How should the number of training epochs be chosen?",
            options=(
                "by the accuracy on a validation split held out from the training data",
                "by the accuracy on the test set",
                "the epoch with the lowest training loss",
            ),
            answer=0,
            feedback=(
                "The validation split is data the model does not train on, and the test set stays untouched for one final measurement.",
                "Then the test set has tuned the model, and its accuracy is an optimistic estimate.",
                "The training loss keeps falling with every epoch, so it would always pick the last one, overfitting or not.",
            ),
        ),
        Question(
            "A batch of 32 grey 28×28 images goes into a PyTorch `nn.Conv2d`. What shape must it have?",
            options=("(32, 1, 28, 28)", "(32, 28, 28, 1)", "(1, 32, 28, 28)"),
            answer=0,
            feedback=(
                "PyTorch is channels-first: (N, C, H, W).",
                "That is Keras's channels-last layout (N, H, W, C); PyTorch would take the second 28 as the channels and stop with an error.",
                "The batch comes first; this is one image of 32 channels.",
            ),
        ),
    ],
)
