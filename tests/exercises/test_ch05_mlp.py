"""Exercises of chapter 05 (course_utils.exercises.ch05_mlp)."""

import numpy as np
import pytest
from sklearn.metrics import precision_score, recall_score

from course_utils.exercises import ch05_mlp as ch05
from tests.exercises.helpers import Exploding, assert_verdicts, raising, stub


def test_parameter_count_prediction(capsys):
    assert_verdicts(
        ch05.check_parameter_count_prediction,
        capsys,
        stub=...,
        wrongs=[
            784 * 128 + 128 * 10,
            784 * 128 * 10,
            784 + 128 + 10,
        ],  # no biases; a product; units
        raising=Exploding(),
        solution=784 * 128 + 128 + 128 * 10 + 10,
    )


def test_the_parameter_count_is_the_analytic_one():
    from course_utils.foundations.layers import MLP

    for sizes in [(784, 128, 10), (4, 3, 2, 5)]:
        expected = sum(
            n_in * n_out + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)
        )
        assert sum(p.size for p in MLP(sizes=sizes).params()) == expected


def _as_given(cm):
    # the notebook's stub: precision divides by the row sums, like recall
    cm = np.asarray(cm, dtype=float)
    hits = np.diag(cm)
    return hits / cm.sum(axis=1), hits / cm.sum(axis=1)


def _right(cm):
    cm = np.asarray(cm, dtype=float)
    return np.diag(cm) / cm.sum(axis=0), np.diag(cm) / cm.sum(axis=1)


def test_precision_recall(capsys):
    assert_verdicts(
        ch05.check_precision_recall,
        capsys,
        stub=_as_given,
        wrongs=[
            lambda cm: _right(cm)[::-1],  # precision and recall swapped
            lambda cm: (_right(cm)[0], _right(cm)[0]),  # the column sums twice
            lambda cm: (np.diag(cm) / np.sum(cm), np.diag(cm) / np.sum(cm)),  # over the total
        ],
        raising=raising,
        solution=_right,
    )
    assert ch05.check_precision_recall(stub).status == "not started"


def test_precision_recall_agrees_with_scikit_learn():
    rng = np.random.default_rng(5)
    y_true, y_pred = rng.integers(0, 4, 300), rng.integers(0, 4, 300)
    cm = np.zeros((4, 4), dtype=int)
    np.add.at(cm, (y_true, y_pred), 1)
    precision, recall = ch05._precision_recall(cm)
    np.testing.assert_allclose(precision, precision_score(y_true, y_pred, average=None))
    np.testing.assert_allclose(recall, recall_score(y_true, y_pred, average=None))


def test_the_precision_recall_hidden_test_holds_for_the_solution_only():
    hidden = ch05.check_precision_recall.exercise.hidden_test
    exec(hidden, {"np": np, "precision_recall": _right})
    with pytest.raises(AssertionError):
        exec(hidden, {"np": np, "precision_recall": _as_given})


class _FixedModel:
    """A stand-in with predict_proba: the probabilities of 8 digits."""

    def __init__(self):
        self.p = np.array(
            [
                [0.995, 0.005, 0.0],
                [0.2, 0.7, 0.1],
                [0.0, 0.999, 0.001],
                [0.992, 0.008, 0.0],  # confident and wrong
                [0.1, 0.1, 0.8],
                [0.0, 0.0, 1.0],
                [0.5, 0.4, 0.1],
                [0.0, 0.01, 0.99],
            ]
        )

    def predict_proba(self, x):
        return self.p[x]


def test_confidence_threshold(capsys):
    model, x, y = _FixedModel(), np.arange(8), np.array([0, 1, 1, 2, 2, 2, 0, 2])
    fraction, accuracy = ch05.kept_fraction_and_accuracy(model, x, y)
    assert (fraction, accuracy) == (5 / 8, 4 / 5)  # digits 0, 2, 3, 5, 7; digit 3 is wrong
    assert_verdicts(
        ch05.check_confidence_threshold,
        capsys,
        stub=(..., ..., model, x, y),
        wrongs=[
            (accuracy, fraction, model, x, y),  # swapped
            (4 / 8, accuracy, model, x, y),  # counts only the confident right answers
            (fraction, 7 / 8, model, x, y),  # the accuracy on all digits
            (fraction, accuracy * 100, model, x, y),  # a percentage
        ],
        raising=(Exploding(), accuracy, model, x, y),
        solution=(fraction, accuracy, model, x, y),
    )


def test_no_digit_kept_gives_an_undefined_accuracy_without_a_warning():
    with np.errstate(all="raise"):
        fraction, accuracy = ch05.kept_fraction_and_accuracy(
            _FixedModel(), np.arange(8), np.zeros(8, dtype=int), threshold=1.01
        )
    assert fraction == 0.0 and np.isnan(accuracy)
