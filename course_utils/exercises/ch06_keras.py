"""Exercises and quiz of chapter 06 · MNIST in Keras.

The checkers import nothing heavy at module level (every notebook imports this package); the one
that needs Keras imports it when it runs, in chapter 06, where Keras is already loaded.
"""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import (
    NotStarted,
    compare,
    exercise,
    function_problem,
    prediction_problem,
    unchanged_code,
)
from course_utils.exercises.quizzes import Question, register

__all__ = [
    "check_param_count_prediction",
    "check_confusion_matrix",
    "check_confident_accuracy",
    "check_predict_labels_debugged",
]

#: The reference model of section 2: 28x28 inputs, Dense(128), Dropout, Dense(10).
N_IN, N_HIDDEN, N_OUT = 28 * 28, 128, 10
#: The confidence threshold of exercise 06.3.
CONFIDENCE = 0.9


def dense_params(n_in: int, n_out: int) -> int:
    """Parameters of a Dense layer: a kernel of n_in x n_out weights and n_out biases."""
    return n_in * n_out + n_out


@exercise(
    "06.1",
    "Predict the parameter count",
    "predict",
    hints=(
        "Only the two Dense layers learn anything; Flatten and Dropout have no parameters.",
        "A Dense layer holds one weight per (input, unit) pair, plus one bias per unit.",
        "A Dense layer from n_in inputs to n_out units has n_in · n_out + n_out parameters; the first one has n_in = 28 · 28.",
    ),
)
def check_param_count_prediction(hidden_params, total_params) -> str | None:
    """hidden_params: the parameters of the layer "hidden"; total_params: the whole model's."""
    hidden = dense_params(N_IN, N_HIDDEN)
    total = hidden + dense_params(N_HIDDEN, N_OUT)
    for answer, actual, name in (
        (hidden_params, hidden, "prediction for the hidden layer"),
        (total_params, total, "prediction for the whole model"),
    ):
        problem = prediction_problem(answer, actual, name=name)
        if problem:
            return problem
    return None


def confusion_reference(y_true, y_pred, n_classes: int) -> np.ndarray:
    """C[i, j] = the number of n with y_true[n] = i and y_pred[n] = j, as int64."""
    counts = np.zeros((n_classes, n_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(y_true), np.asarray(y_pred)), 1)
    return counts


@exercise(
    "06.2",
    "A confusion matrix from scratch",
    "implement",
    hints=(
        "Rows are the true class, columns the predicted one; start from a square table of zeros.",
        "Each image adds one to exactly one cell, the one in its true class's row and its predicted class's column; a class nobody predicts keeps a column of zeros.",
        "C[i, j] = #{n : yₙ = i and ŷₙ = j} = Σₙ 𝟙[yₙ = i] · 𝟙[ŷₙ = j], for i, j = 0 … n_classes − 1.",
    ),
    points=2,
    hidden_test=(
        "assert np.array_equal(confusion_matrix(np.array([2, 0, 2]), np.array([0, 2, 2]), 4), "
        "[[0, 0, 1, 0], [0, 0, 0, 0], [1, 0, 1, 0], [0, 0, 0, 0]])"
    ),
)
def check_confusion_matrix(confusion_matrix) -> str | None:
    """confusion_matrix(y_true, y_pred, n_classes): an integer (n_classes, n_classes) array; inputs unchanged."""
    rng = np.random.default_rng(6)
    y_true, y_pred = rng.integers(0, 10, (2, 500))
    cases = [
        ((np.array([0, 1, 1, 2]), np.array([0, 1, 2, 2]), 3), None),
        ((np.array([1, 1, 1]), np.array([0, 0, 0]), 2), None),  # every answer wrong
        ((np.array([0, 0]), np.array([0, 0]), 3), None),  # classes that never occur
        ((y_true, y_pred, 10), None),
    ]
    cases = [(args, confusion_reference(*args)) for args, _ in cases]
    problem = function_problem(confusion_matrix, cases, name="confusion_matrix", keep_inputs=True)
    if problem:
        return problem
    got = np.asarray(confusion_matrix(*cases[0][0]))
    if not np.issubdtype(got.dtype, np.integer):
        return f"the counts are right but their dtype is {got.dtype}; counts are whole numbers: an integer dtype"
    return None


def confident_accuracy(probabilities, labels, threshold: float = CONFIDENCE) -> tuple[float, float]:
    """(coverage, accuracy): the share of images whose top probability is >= threshold, and the accuracy on them."""
    probabilities, labels = np.asarray(probabilities), np.asarray(labels)
    kept = probabilities.max(axis=1) >= threshold
    accuracy = (
        float((probabilities[kept].argmax(axis=1) == labels[kept]).mean())
        if kept.any()
        else float("nan")
    )
    return float(kept.mean()), accuracy


@exercise(
    "06.3",
    "Accuracy where the model is sure",
    "experiment",
    hints=(
        "The model's confidence in an image is its largest predicted probability, the one argmax picks.",
        "Make a mask of the test images whose confidence is at least 0.9; the coverage is the share of True in it, the accuracy is measured on the masked images only.",
        "coverage = (1/N) Σₙ 𝟙[maxₖ pₙₖ ≥ 0.9]; accuracy = Σₙ 𝟙[maxₖ pₙₖ ≥ 0.9] 𝟙[argmaxₖ pₙₖ = yₙ] / Σₙ 𝟙[maxₖ pₙₖ ≥ 0.9].",
    ),
    points=2,
)
def check_confident_accuracy(coverage, accuracy, probabilities, labels) -> str | None:
    """coverage and accuracy at the threshold 0.9, recomputed from the probabilities and labels the check passes."""
    expected_coverage, expected_accuracy = confident_accuracy(probabilities, labels)
    for answer, expected, name in (
        (coverage, expected_coverage, "coverage (a share between 0 and 1)"),
        (accuracy, expected_accuracy, "accuracy on the kept images"),
    ):
        if answer is Ellipsis or answer is None:
            raise NotStarted("coverage and accuracy still hold the placeholder")
        if compare(answer, expected, rtol=1e-4, atol=1e-6) is not None:
            return (
                f"your {name}, {str(answer)[:40]}, is not what the check measures from the same "
                f"probabilities and labels at the threshold {CONFIDENCE}"
            )
    return None


def buggy_predict_labels(model, images):
    logits = model(images, training=True)
    return np.argmax(logits, axis=1)


@exercise(
    "06.4",
    "Debug predictions that change from call to call",
    "debug",
    hints=(
        "Call predict_labels twice on the same images and compare: a trained model should not disagree with itself.",
        "Which layer of the model behaves randomly, and when is it meant to? Look at how the model is called.",
        "Dropout zeroes each hidden unit with probability p only while training; at prediction time every unit must pass, so the model must run in inference mode.",
    ),
    points=2,
)
def check_predict_labels_debugged(predict_labels, model, images) -> str | None:
    """predict_labels(model, images) -> (N,) integer labels: the argmax of the logits in inference mode."""
    from course_utils.frameworks import keras_models

    if unchanged_code(predict_labels, buggy_predict_labels):
        raise NotStarted(
            "predict_labels is still the buggy version of the task: find the bug and fix it"
        )
    if predict_labels is Ellipsis or predict_labels is None:
        raise NotStarted("there is no predict_labels yet")
    images = np.asarray(images)[:2000]
    # the same weights behind a Dropout of 0.9: predictions made in training mode would be far off
    heavy = keras_models.build_mlp(dropout=0.9)
    heavy.set_weights(model.get_weights())
    expected = np.asarray(model(images, training=False)).argmax(axis=1)
    for net, name in ((model, "the model"), (heavy, "the same weights with Dropout(0.9)")):
        for call in (1, 2):
            try:
                got = predict_labels(net, images)
            except NotImplementedError as err:
                raise NotStarted("predict_labels still raises NotImplementedError") from err
            problem = compare(got, expected)
            if problem and np.shape(got) == expected.shape:
                wrong = int(np.sum(np.asarray(got) != expected))
                problem = (
                    f"{wrong} of the {len(images)} labels differ from the model's own predictions"
                )
            if problem:
                return f"call {call} on {name}: {problem}"
            if not np.issubdtype(np.asarray(got).dtype, np.integer):
                return f"the labels are right but their dtype is {np.asarray(got).dtype}: return integer labels"
    return None


QUIZ = register(
    "06",
    [
        Question(
            "How many parameters does a Dense layer from 64 inputs to 32 units have?",
            answer=2080,
            tolerance=0.5,
            feedback=(
                "64 · 32 = 2,048 weights in the kernel plus 32 biases, one per unit: 2,080.",
                "Count the kernel (n_in · n_out) and then the biases (one per unit, n_out); 2,048 means the biases were left out.",
            ),
        ),
        Question(
            "The course's models end in Dense(10) without a softmax and are trained with `from_logits=True`. What does that setting do?",
            options=(
                "the loss applies the softmax itself, to the logits the model returns",
                "it tells Keras that the model's last layer already applied a softmax",
                "it makes the loss take one-hot labels instead of integers",
            ),
            answer=0,
            feedback=(
                "The loss computes log Σₖ e^{zₖ} − z_y from the logits z directly, which stays finite where log of a rounded-to-0 probability would not.",
                "That is the opposite: with a softmax already in the model, use from_logits=False, or the softmax is applied twice.",
                "Integer versus one-hot labels is what 'Sparse' in SparseCategoricalCrossentropy is about, not from_logits.",
            ),
        ),
        Question(
            "In the first epoch the validation accuracy can be above the training accuracy. Why?",
            options=(
                "the training number is averaged over an epoch during which the model improved, with Dropout on",
                "the validation images are easier than the training images",
                "validation uses the test set, on which the model was tuned",
            ),
            answer=0,
            feedback=(
                "Early batches of the epoch came from a worse model, and Dropout removes units while training but not during validation.",
                "The validation split is the last 10% of the same training data, not an easier set.",
                "validation_split holds out part of the training data; the test set is not touched by fit.",
            ),
        ),
        Question(
            "For the class 4, what is the precision in a classification report?",
            options=(
                "of the images predicted as 4, the share that really are 4",
                "of the images that really are 4, the share predicted as 4",
                "the share of all test images that are 4",
            ),
            answer=0,
            feedback=(
                "Precision reads the confusion matrix by column: correct 4s over all predicted 4s.",
                "That is the recall, which reads the matrix by row: correct 4s over all true 4s.",
                "That is the class's share of the data (its support divided by N), not a measure of the model.",
            ),
        ),
        Question(
            "What does `tf.GradientTape` do in a custom training loop?",
            options=(
                "it records the forward pass's operations so that tape.gradient can apply the chain rule through them",
                "it estimates the gradients by finite differences",
                "it holds the optimizer's state, such as Adam's running averages",
            ),
            answer=0,
            feedback=(
                "Reverse-mode automatic differentiation over the recorded operations: the backpropagation of Part I, exact to rounding.",
                "Finite differences would need one extra forward pass per weight and be approximate; the tape is exact and needs one backward pass.",
                "The optimizer object keeps its own state; apply_gradients uses it, the tape only computes gradients.",
            ),
        ),
    ],
)
