"""Exercises and quiz of chapter 05 · An MLP from scratch."""

from __future__ import annotations

import numpy as np

from course_utils.exercises.core import (
    NotStarted,
    compare,
    exercise,
    parts_problem,
    prediction_problem,
    value_problem,
)
from course_utils.exercises.quizzes import Question, register
from course_utils.foundations.layers import MLP

__all__ = [
    "check_parameter_count_prediction",
    "check_precision_recall",
    "check_confidence_threshold",
]

#: The network of the chapter; exercise 05.1 asks for its number of parameters.
SIZES = (784, 128, 10)
#: The confidence threshold of exercise 05.3.
THRESHOLD = 0.99


@exercise(
    "05.1",
    "Predict the number of parameters",
    "predict",
    hints=(
        "Count layer by layer: only the two Linear layers have parameters; ReLU has none.",
        "A Linear(n_in, n_out) holds a weight matrix W of shape (n_in, n_out) and a bias b of shape (n_out,).",
        "P = 784 · 128 + 128 + 128 · 10 + 10.",
    ),
)
def check_parameter_count_prediction(prediction) -> str | None:
    """The number of parameters (weights and biases) of MLP(sizes=(784, 128, 10)), exactly."""
    actual = sum(p.size for p in MLP(sizes=SIZES, seed=0).params())
    return prediction_problem(prediction, actual, name="predicted number of parameters")


def _precision_recall(cm):
    cm = np.asarray(cm, dtype=float)
    return np.diag(cm) / cm.sum(axis=0), np.diag(cm) / cm.sum(axis=1)


#: Confusion matrices of exercise 05.2 (rows: true class, columns: predicted class).
CONFUSIONS = (
    np.array([[5, 1], [2, 8]]),
    np.array([[50, 3, 2], [4, 40, 6], [1, 9, 30]]),
    np.array([[7, 0, 3], [2, 9, 1], [0, 4, 12]]),
)


@exercise(
    "05.2",
    "Debug precision and recall",
    "debug",
    hints=(
        "Print precision_recall on a 2 × 2 matrix you can check by hand: why are the two arrays equal?",
        "Rows are the true class and columns the prediction. Precision asks 'of what was predicted k', recall 'of what truly is k': the same diagonal count divided by two different totals.",
        "precision_k = cm_kk / Σᵢ cm_ik (the column of k), recall_k = cm_kk / Σⱼ cm_kj (the row of k).",
    ),
    hidden_test="assert np.allclose(precision_recall(np.array([[3, 1], [0, 4]]))[0], [1.0, 0.8])",
)
def check_precision_recall(precision_recall) -> str | None:
    """precision_recall(cm) -> (precision, recall), one value per class; rows = true class, columns = predicted.

    The untouched stub (the planted bug: recall computed twice, precision over the rows) is "not started".
    """
    if callable(precision_recall):
        try:
            got = precision_recall(CONFUSIONS[1])
        except Exception:  # reported below, with the case that raised
            got = None
        recall = _precision_recall(CONFUSIONS[1])[1]
        if (
            isinstance(got, (tuple, list))
            and len(got) == 2
            and compare(got[0], recall) is None
            and compare(got[1], recall) is None
        ):
            raise NotStarted("precision_recall still behaves like the buggy code in the cell")
    cases = [((cm,), _precision_recall(cm)) for cm in CONFUSIONS]
    return parts_problem(precision_recall, cases, ("precision", "recall"), name="precision_recall")


def kept_fraction_and_accuracy(model, x, y, threshold: float = THRESHOLD) -> tuple[float, float]:
    """The fraction of digits whose top softmax probability is at least ``threshold``, and the accuracy on them."""
    probabilities = model.predict_proba(x)
    kept = probabilities.max(axis=1) >= threshold
    if not kept.any():  # no digit is that sure: an accuracy on no digits is undefined
        return 0.0, float("nan")
    return float(kept.mean()), float(
        np.mean(probabilities[kept].argmax(axis=1) == np.asarray(y)[kept])
    )


@exercise(
    "05.3",
    "How sure is sure enough?",
    "experiment",
    hints=(
        "model.predict_proba gives one row of 10 probabilities per digit; the network's confidence is the largest of them.",
        "A boolean mask of the digits whose confidence is at least 0.99: its mean is the fraction kept, and the accuracy counts only the masked digits.",
        "kept = {n : maxₖ pₙₖ ≥ 0.99}; fraction = |kept| / N; accuracy = (1 / |kept|) Σ over n in kept of [argmaxₖ pₙₖ = yₙ].",
    ),
    points=2,
)
def check_confidence_threshold(kept_fraction, kept_accuracy, model, x, y) -> str | None:
    """The fraction of the test digits with confidence >= 0.99 and the accuracy on those, for this model."""
    fraction, accuracy = kept_fraction_and_accuracy(model, x, y)
    for answer, expected, name in (
        (kept_fraction, fraction, "the fraction of digits kept"),
        (kept_accuracy, accuracy, "the accuracy on the kept digits"),
    ):
        problem = value_problem(answer, expected, name=name, rtol=1e-6, atol=1e-9)
        if problem:
            return problem
    return None


QUIZ = register(
    "05",
    [
        Question(
            "How many parameters does a Linear(128, 10) layer have?",
            answer=1290,
            tolerance=0.5,
            feedback=(
                "W has 128 × 10 = 1,280 weights and b one bias per output, 10: 1,290 in all.",
                "Count the weight matrix (n_in × n_out) and add the bias, one per output; ReLU layers add nothing.",
            ),
        ),
        Question(
            "Before training, a 10-class network gives every digit a probability of about 0.1. Near which loss (mean cross-entropy, natural log) should it start?",
            answer=2.303,
            tolerance=0.01,
            feedback=(
                "−log(0.1) = log 10 ≈ 2.303; a start far from it points at badly scaled inputs or weights.",
                "The cross-entropy of one digit is −log p of its true class; with p = 0.1 that is log 10.",
            ),
        ),
        Question(
            "The training loss keeps falling while the validation loss has stopped improving and starts to rise. What is happening?",
            options=(
                "overfitting: the network learns the training images rather than digits",
                "underfitting: the network is too small to learn the task",
                "the learning rate is too large, so training diverges",
            ),
            answer=0,
            feedback=(
                "The gap between the two curves is what the network learns about these particular images and not about digits.",
                "An underfitting network has a high training loss too; here the training loss keeps falling.",
                "A divergent run has a rising training loss; here the training loss falls.",
            ),
        ),
        Question(
            "Why does the chapter hold out a validation set instead of watching the test accuracy during training?",
            options=(
                "choosing anything (such as the epoch to stop) by the test set makes its accuracy an optimistic estimate",
                "the test set is too small to measure an accuracy",
                "the validation set is drawn from a different distribution",
            ),
            answer=0,
            feedback=(
                "Whatever is tuned on a set fits that set a little; the test set stays honest only if it is used once, at the end.",
                "1,000 test digits measure an accuracy fine (with an uncertainty); the point is not to tune on them.",
                "The validation images are the last 10% of the same training set, from the same distribution.",
            ),
        ),
        Question(
            "For one digit, the precision is high but the recall is low. What does that mean?",
            options=(
                "when the network says this digit it is usually right, but it misses many images of it",
                "many images of other digits are called this digit",
                "the network predicts this digit too often",
            ),
            answer=0,
            feedback=(
                "Precision divides by everything predicted as the digit (a column), recall by everything truly that digit (a row): few false alarms, many misses.",
                "That would lower the precision, the fraction of its predictions that are right.",
                "Predicting it too often raises false alarms and lowers precision; low recall means it is predicted too rarely.",
            ),
        ),
    ],
)
