"""Exercises and quiz of chapter 00 · Welcome."""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import (
    NotStarted,
    exercise,
    function_problem,
    prediction_problem,
    still_buggy,
    value_problem,
)
from course_utils.exercises.quizzes import Question, register

__all__ = ["check_means_prediction", "check_scale_pixels", "check_nearest_mean"]


def class_means(images: np.ndarray, labels: np.ndarray, per_class: int | None = None) -> np.ndarray:
    """The average image of each digit 0..9 (float64), from the first ``per_class`` images of each (all if None)."""
    images = np.asarray(images)
    return np.stack([images[labels == digit][:per_class].mean(axis=0) for digit in range(10)])


def nearest_mean_accuracy(x_train, y_train, x_test, y_test, per_class: int | None = None) -> float:
    """Test accuracy of "the class whose average image is nearest" (squared distance on pixels in [0, 1])."""
    means = class_means(x_train, y_train, per_class).reshape(10, -1) / 255.0
    flat = np.asarray(x_test).reshape(len(x_test), -1) / 255.0
    # |x - m|^2 = |x|^2 - 2 x.m + |m|^2; |x|^2 is the same for every class, so it can be left out
    distances = (means**2).sum(axis=1) - 2 * flat @ means.T
    return float(np.mean(distances.argmin(axis=1) == np.asarray(y_test)))


@exercise(
    "00.1",
    "Predict the shape and dtype of the average images",
    "predict",
    hints=(
        "Look at what one call x_train[y_train == digit].mean(axis=0) averages over, and at what np.stack does to ten such arrays.",
        "Averaging over axis 0 removes the image axis and keeps the 28 × 28 pixels; np.stack puts a new axis of length 10 in front. A mean of integers is rarely an integer.",
        "Shape: (number of digits, 28, 28). NumPy computes the mean of uint8 values in float64 unless told otherwise.",
    ),
)
def check_means_prediction(predicted_shape, predicted_dtype, images, labels) -> str | None:
    """predicted_shape: a tuple; predicted_dtype: a dtype name such as "int64" (or a NumPy dtype)."""
    if any(p is Ellipsis or p is None for p in (predicted_shape, predicted_dtype)):
        raise NotStarted(
            "predicted_shape or predicted_dtype still holds the placeholder: commit to a prediction first"
        )
    means = class_means(images, labels)
    problem = prediction_problem(
        tuple(predicted_shape) if isinstance(predicted_shape, list) else predicted_shape,
        tuple(int(n) for n in means.shape),
        name="shape",
    )
    if problem:
        return problem
    try:
        dtype = np.dtype(predicted_dtype)
    except TypeError:
        return f"predicted_dtype should name a NumPy dtype such as 'uint8' or 'float32', got {predicted_dtype!r}"
    return prediction_problem(dtype.name, means.dtype.name, name="dtype")


def buggy_scale_pixels(images):
    """The planted bug of exercise 00.2 (the notebook's stub): it divides by the number of grey levels."""
    scaled = images.astype(np.float32)
    return scaled / 256


@exercise(
    "00.2",
    "Debug a pixel scaling that never reaches 1",
    "debug",
    hints=(
        "Run the function on np.array([0, 255], dtype=np.uint8) and print what comes back: what should the brightest pixel become?",
        "The largest pixel value is 255, not the number of grey levels; the scaling must map 0 to 0 and the largest value to exactly 1.",
        "x_scaled = x / 255, computed in float32 (convert first: uint8 arithmetic wraps around).",
    ),
    hidden_test=(
        "assert np.allclose(scale_pixels(np.full((2, 2), 255, dtype=np.uint8)), 1.0)\n"
        "assert scale_pixels(np.zeros((1, 28, 28), dtype=np.uint8)).dtype == np.float32"
    ),
)
def check_scale_pixels(scale_pixels) -> str | None:
    """scale_pixels(images): uint8 0..255 -> float32 in [0, 1], same shape; the input unchanged."""
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
    with np.errstate(all="ignore"):
        still_buggy(
            scale_pixels,
            buggy_scale_pixels,
            [(images,), (np.array([0, 255], dtype=np.uint8),)],
            "scale_pixels",
        )
    cases = [
        ((np.array([[0, 255]], dtype=np.uint8),), np.array([[0.0, 1.0]])),
        ((np.array([51, 102, 204], dtype=np.uint8),), np.array([0.2, 0.4, 0.8])),
        ((images,), images / 255.0),
    ]
    return function_problem(
        scale_pixels,
        cases,
        name="scale_pixels",
        dtype=np.float32,
        keep_inputs=True,
        rtol=1e-6,
        atol=1e-7,
    )


@exercise(
    "00.3",
    "How many examples does an average image need?",
    "experiment",
    hints=(
        "Call nearest_mean_accuracy twice with the same data, changing only per_class.",
        "per_class=1 makes each digit's 'average' a single training image; per_class=None averages every training image of that digit.",
        "accuracy = (1/N) Σₙ [argminₖ ‖xₙ − μₖ‖² = yₙ], with μₖ the mean of the chosen training images of digit k.",
    ),
    points=2,
)
def check_nearest_mean(accuracy_one, accuracy_all, x_train, y_train, x_test, y_test) -> str | None:
    """The nearest-mean classifier's test accuracy with one training image per digit, and with all of them."""
    for answer, per_class, what in (
        (accuracy_one, 1, "accuracy_one (per_class=1)"),
        (accuracy_all, None, "accuracy_all (per_class=None)"),
    ):
        expected = nearest_mean_accuracy(x_train, y_train, x_test, y_test, per_class)
        if (
            isinstance(answer, (int, float, np.floating))
            and not isinstance(answer, bool)
            and 1 < answer <= 100
        ):
            return f"{what}: give the accuracy as a fraction between 0 and 1, not in percent (got {answer!r})"
        problem = value_problem(answer, expected, name=what, rtol=0, atol=5e-4)
        if problem:
            return problem
    return None


QUIZ = register(
    "00",
    [
        Question(
            "You ran the cells of a notebook in a different order and now get a confusing error. What is the surest way back to a known state?",
            options=(
                "Kernel → Restart Kernel and Run All Cells",
                "run the failing cell again",
                "save the notebook and reopen it",
            ),
            answer=0,
            feedback=(
                "A restart forgets every name the old runs defined, and running all cells rebuilds them from the top, in order.",
                "The cell sees the same stale names as before, so it usually fails the same way.",
                "Saving and reopening keeps the same kernel with the same leftover state; only a restart clears it.",
            ),
        ),
        Question(
            "What is np.uint8(200) + np.uint8(100)?",
            answer=44,
            tolerance=0,
            feedback=(
                "uint8 holds 0 to 255 and wraps around: 300 − 256 = 44. Convert to a float type before doing arithmetic on pixels.",
                "300 does not fit in a uint8, which counts modulo 256.",
            ),
        ),
        Question(
            "load_mnist() gives x_train of shape (N, 28, 28). What is x_train[:20].shape?",
            options=("(20, 28, 28)", "(20,)", "(28, 28)", "(N, 20)"),
            answer=0,
            feedback=(
                "Slicing the first axis keeps the first 20 images and leaves each image's 28 × 28 pixels as they are.",
                "The pixel axes are not dropped by slicing; x_train[:20] is 20 whole images.",
                "(28, 28) is one image, x_train[0]; a slice keeps the first axis.",
                "The slice acts on the first axis, the images, not on a new axis.",
            ),
        ),
        Question(
            "A test set holds the same number of images of each of the ten digits. What accuracy does always answering the same digit score on it?",
            answer=0.1,
            tolerance=1e-9,
            feedback=(
                "With ten equally common classes, one fixed answer is right for a tenth of the images: 0.1, the bar any model must clear.",
                "Count how often a single digit occurs when all ten occur equally often.",
            ),
        ),
        Question(
            "Why are the pixels scaled from 0..255 to [0, 1] before training?",
            options=(
                "networks train best on small numbers, and float32 avoids uint8's wrap-around",
                "it makes the images sharper",
                "it removes the need for labels",
            ),
            answer=0,
            feedback=(
                "Small inputs keep pre-activations in a range where learning works (chapter 01 shows why), and float arithmetic does not wrap.",
                "Dividing every pixel by the same number changes no contrast: the picture looks the same.",
                "Scaling changes the inputs only; the labels are still what the model learns from.",
            ),
        ),
    ],
)
