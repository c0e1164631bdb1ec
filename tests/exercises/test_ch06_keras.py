"""Exercises of chapter 06 (course_utils.exercises.ch06_keras): the verdicts on the stub, typical mistakes,
a raising answer and the solution, and the expected values tied to Keras and scikit-learn."""

import numpy as np
import pytest

from course_utils.exercises import ch06_keras as ch06
from tests.exercises.helpers import Exploding, assert_verdicts, raising, stub


def test_param_count_prediction(capsys):
    hidden = 784 * 128 + 128
    assert_verdicts(
        ch06.check_param_count_prediction,
        capsys,
        stub=(..., ...),
        wrongs=[
            (784 * 128, 784 * 128 + 128 * 10),  # the biases forgotten
            (hidden, hidden + 128 * 10),  # the output layer's biases forgotten
            (hidden, hidden),  # the output layer forgotten
        ],
        raising=(Exploding(), 101_770),
        solution=(hidden, 101_770),
    )


def test_param_count_is_what_keras_counts():
    from course_utils.frameworks import keras_models

    model = keras_models.build_mlp()
    hidden = ch06.dense_params(ch06.N_IN, ch06.N_HIDDEN)
    assert model.get_layer("hidden").count_params() == hidden
    assert model.count_params() == hidden + ch06.dense_params(ch06.N_HIDDEN, ch06.N_OUT)


def _confusion_loop(y_true, y_pred, n):
    counts = np.zeros((n, n), dtype=int)
    for t, p in zip(y_true, y_pred, strict=True):
        counts[t, p] += 1
    return counts


def _confusion_in_place(y_true, y_pred, n):
    y_true[:] = y_true  # harmless, but then it sorts the labels in place
    y_true.sort()
    return _confusion_loop(y_true, y_pred, n)


def test_confusion_matrix(capsys):
    assert_verdicts(
        ch06.check_confusion_matrix,
        capsys,
        stub=stub,
        wrongs=[
            lambda t, p, n: _confusion_loop(t, p, n).T,  # rows and columns swapped
            lambda t, p, n: _confusion_loop(t, p, max(max(t), max(p)) + 1),  # n_classes ignored
            lambda t, p, n: _confusion_loop(t, p, n).astype(float),  # counts as floats
            _confusion_in_place,
        ],
        raising=raising,
        solution=_confusion_loop,
    )


def test_confusion_reference_is_scikit_learns():
    from sklearn.metrics import confusion_matrix

    rng = np.random.default_rng(0)
    y_true, y_pred = rng.integers(0, 7, (2, 300))
    assert np.array_equal(
        ch06.confusion_reference(y_true, y_pred, 7),
        confusion_matrix(y_true, y_pred, labels=range(7)),
    )


def _probabilities(n=400, seed=1):
    rng = np.random.default_rng(seed)
    logits = rng.normal(scale=3.0, size=(n, 10))
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True), rng.integers(0, 10, n)


def test_confident_accuracy(capsys):
    p, y = _probabilities()
    y = np.where(np.random.default_rng(2).random(len(y)) < 0.7, p.argmax(axis=1), y)  # mostly right
    kept = p.max(axis=1) >= 0.9
    coverage, accuracy = kept.mean(), (p.argmax(axis=1) == y)[kept].mean()
    overall = (p.argmax(axis=1) == y).mean()
    assert 0.1 < coverage < 0.9 and accuracy != overall
    assert_verdicts(
        ch06.check_confident_accuracy,
        capsys,
        stub=(..., ..., p, y),
        wrongs=[
            (coverage, overall, p, y),  # the accuracy on every image
            (kept.sum(), accuracy, p, y),  # a count, not a share
            (accuracy, coverage, p, y),  # swapped
        ],
        raising=(Exploding(), accuracy, p, y),
        solution=(coverage, accuracy, p, y),
    )


def test_confident_accuracy_at_threshold_zero_is_the_plain_accuracy():
    p, y = _probabilities()
    coverage, accuracy = ch06.confident_accuracy(p, y, threshold=0.0)
    assert coverage == 1.0 and accuracy == (p.argmax(axis=1) == y).mean()


@pytest.fixture(scope="module")
def keras_mlp():
    from course_utils.frameworks import keras_models

    keras_models.make_deterministic(0)
    model = keras_models.build_mlp()
    images = np.random.default_rng(0).random((300, 28, 28)).astype(np.float32)
    return model, images


def test_predict_labels_debugged(capsys, keras_mlp):
    model, images = keras_mlp

    def fixed(model, images):
        return np.argmax(model(images, training=False), axis=1)

    assert_verdicts(
        ch06.check_predict_labels_debugged,
        capsys,
        stub=(ch06.buggy_predict_labels, model, images),
        wrongs=[
            (
                lambda m, x: ch06.buggy_predict_labels(m, x),
                model,
                images,
            ),  # the bug, in another function
            (lambda m, x: np.argmax(m(x, training=False), axis=0), model, images),  # the wrong axis
            (lambda m, x: np.max(m(x, training=False), axis=1), model, images),  # the largest logit
        ],
        raising=(raising, model, images),
        solution=(fixed, model, images),
    )
    assert ch06.check_predict_labels_debugged(
        lambda m, x: m.predict(x, verbose=0).argmax(1), model, images
    )
    assert ch06.check_predict_labels_debugged(stub, model, images).status == "not started"


def test_the_hidden_test_passes_on_the_notebooks_solution(capsys):
    from course_utils import exercises
    from tests.exercises.helpers import solution_cells

    namespace = {"np": np, "exercises": exercises}
    exec(solution_cells()["06.2"], namespace)
    exec(exercises.EXERCISES["06.2"].hidden_test, namespace)
