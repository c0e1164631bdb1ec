"""Exercises and quiz of chapter 19 · Summary and outlook."""

from __future__ import annotations

import copy

import numpy as np

from course_utils.data.mnist import is_standin
from course_utils.exercises.core import (
    NotStarted,
    exercise,
    function_problem,
    prediction_problem,
    unchanged_code,
)
from course_utils.exercises.quizzes import Question, register

__all__ = ["check_pruning_prediction", "check_magnitude_prune", "check_quantiser_debugged"]

#: The answers exercise 19.1 accepts, from the accuracy lost by pruning 80% of the MLP's first layer.
PRUNING_OPTIONS = ("less than 5 points lower", "5 to 30 points lower", "more than 30 points lower")


def _prune(weights: np.ndarray, fraction: float) -> np.ndarray:
    out = np.array(weights, dtype=np.float64, copy=True)
    k = int(round(fraction * out.size))
    out.flat[np.argsort(np.abs(out), axis=None)[:k]] = 0.0
    return out


def pruning_accuracy_drop(mlp, x, y, fraction: float = 0.8) -> float:
    """Test accuracy of the MLP minus that of a copy whose first layer ("hidden") lost the
    ``fraction`` of its weights with the smallest |w| (in accuracy units, 0.01 = one point)."""
    import torch

    from course_utils.frameworks.torch_models import evaluate

    pruned = copy.deepcopy(mlp)
    w = pruned.hidden.weight.data.numpy()
    pruned.hidden.weight.data = torch.from_numpy(_prune(w, fraction).astype(np.float32))
    return evaluate(mlp, x, y)["accuracy"] - evaluate(pruned, x, y)["accuracy"]


def pruning_outcome(drop: float) -> str:
    """The option of :data:`PRUNING_OPTIONS` that an accuracy drop falls in."""
    if drop < 0.05:
        return PRUNING_OPTIONS[0]
    return PRUNING_OPTIONS[1] if drop <= 0.30 else PRUNING_OPTIONS[2]


@exercise(
    "19.1",
    "Predict what pruning 80% of the first layer costs",
    "predict",
    hints=(
        "Think of what a weight with a tiny |w| contributes to a unit's weighted sum, compared with the large ones, and how many of the 784 inputs of an MNIST digit are blank anyway.",
        "Most of the first layer's weights are small; the sum each hidden unit computes is dominated by its few large weights, so zeroing the small ones changes each sum only a little.",
        "A unit's input changes by Σᵢ wᵢxᵢ over the pruned weights only; with |wᵢ| below the 80th percentile of |w| that sum stays small next to the kept part, so the argmax of the logits rarely flips.",
    ),
)
def check_pruning_prediction(prediction, mlp, x, y) -> str | None:
    """prediction: one of PRUNING_OPTIONS, how much test accuracy the MLP loses when 80% of its first layer is pruned.

    On the full-size stand-in (synthetic digits, see ``data.mnist.is_standin``) any option passes, as
    the real-MNIST accuracy floors do: its accuracies say nothing about MNIST.
    """
    if prediction is Ellipsis or prediction is None:
        return prediction_problem(..., None, name="prediction")
    if prediction not in PRUNING_OPTIONS:
        return f"choose one of {', '.join(repr(o) for o in PRUNING_OPTIONS)}; got {prediction!r}"
    if (
        is_standin()
    ):  # synthetic full-size digits: what pruning costs on them says nothing about MNIST
        return None
    actual = pruning_outcome(pruning_accuracy_drop(mlp, x, y))
    return prediction_problem(prediction, actual, name="prediction")


@exercise(
    "19.2",
    "Magnitude pruning",
    "implement",
    hints=(
        "Rank the weights by their size, whatever their sign: a weight of −3 matters more than one of 0.1.",
        "Work on a copy; count k = round(fraction × number of entries), find the k entries of smallest absolute value over the whole array (flattened), and set them to 0.",
        "Zero the k = round(f · n) entries with the smallest |wᵢ|; keep every other entry as it was, sign included.",
    ),
    hidden_test=(
        "assert np.allclose(magnitude_prune(np.array([[4.0, -0.5], [0.25, -8.0]]), 0.5), "
        "[[4.0, 0.0], [0.0, -8.0]])"
    ),
)
def check_magnitude_prune(magnitude_prune) -> str | None:
    """magnitude_prune(weights, fraction): a copy of ``weights`` with the round(fraction * size) smallest-|w| entries set to 0."""
    rng = np.random.default_rng(19)
    w = rng.normal(size=(6, 5))
    cases = [
        ((np.array([0.5, -0.1, 2.0, -3.0]), 0.5), np.array([0.0, 0.0, 2.0, -3.0])),
        ((np.array([0.3, -0.2, 0.1]), 0.0), np.array([0.3, -0.2, 0.1])),
        ((w, 0.4), _prune(w, 0.4)),
    ]
    return function_problem(magnitude_prune, cases, name="magnitude_prune", keep_inputs=True)


def buggy_quantise_rows(weights):
    scale = np.abs(weights).max(axis=1, keepdims=True) / 128  # one scale per row (output unit)
    scale[scale == 0] = 1.0  # a row that pruning emptied stays 0
    q = np.round(weights / scale).astype(np.int8)
    return q, scale


@exercise(
    "19.3",
    "Debug an int8 quantiser",
    "debug",
    hints=(
        "Quantise a small matrix of your own and compare scale × q with it, entry by entry: which entries come back wrong, and what do they have in common?",
        "An int8 holds the integers −128 to 127 only; a value outside that range does not saturate when cast, it wraps around to the other end. Which integer does the largest weight of a row map to?",
        "With s = max_j |w_ij| / 127 every w/s lies in [−127, 127], so q = round(w / s) fits an int8 and |s q − w| ≤ s / 2.",
    ),
    points=2,
    hidden_test=(
        "q_hidden, s_hidden = quantise_rows(np.array([[0.5, -0.25, 1.0]]))\n"
        "assert q_hidden.dtype == np.int8 and np.allclose(s_hidden * q_hidden, [[0.5, -0.25, 1.0]], atol=0.5 / 127)"
    ),
)
def check_quantiser_debugged(quantise_rows) -> str | None:
    """quantise_rows(weights) -> (q, scale): int8 q and a float scale per row (shape (rows, 1)), scale = max|w| / 127, q = round(w / scale); an all-zero row gives q = 0."""
    if quantise_rows is Ellipsis or quantise_rows is None:
        return prediction_problem(..., None, name="quantise_rows")
    if not callable(quantise_rows):
        return f"expected a function quantise_rows, got {type(quantise_rows).__name__}"
    if unchanged_code(quantise_rows, buggy_quantise_rows):
        raise NotStarted(
            "quantise_rows is still the buggy quantiser of the cell: find the one bug and fix it"
        )
    rng = np.random.default_rng(193)
    w = rng.normal(size=(5, 12)) * 0.1
    w[1, 3] = 0.9  # a row whose largest weight is positive
    w[2, 7] = -0.9  # and one whose largest is negative
    w[4] = 0.0  # a row that pruning emptied
    before = w.copy()
    try:
        got = quantise_rows(w)
    except NotImplementedError as err:
        raise NotStarted("quantise_rows still raises NotImplementedError") from err
    except Exception as err:  # the learner's code may raise anything
        return f"quantise_rows raised {type(err).__name__}: {err}"
    if not np.array_equal(w, before):
        return "quantise_rows changed the weights in place; return new arrays instead"
    if not isinstance(got, (tuple, list)) or len(got) != 2:
        return "quantise_rows should return two values, q and scale"
    q, scale = got
    if getattr(q, "dtype", None) != np.int8 or np.shape(q) != w.shape:
        return f"q should be an int8 array of shape {w.shape}, got {getattr(q, 'dtype', type(q).__name__)} of shape {np.shape(q)}"
    scale = np.asarray(scale, dtype=np.float64)
    if scale.shape != (w.shape[0], 1):
        return f"scale should hold one number per row, shape {(w.shape[0], 1)}; got shape {scale.shape}"
    if not np.all(np.isfinite(scale)):
        return f"scale holds {scale[~np.isfinite(scale)][0]} (row {int(np.flatnonzero(~np.isfinite(scale[:, 0]))[0])}): a row of zeros must not divide by zero"
    back = scale * q.astype(np.float64)
    error = np.abs(back - w)
    worst = np.unravel_index(int(np.argmax(error - np.abs(scale) / 2)), w.shape)
    if error[worst] > np.abs(scale[worst[0], 0]) / 2 + 1e-12:
        return (
            f"the weight {w[worst]:.4f} at {tuple(int(i) for i in worst)} comes back as "
            f"scale × q = {back[worst]:.4f} (q = {int(q[worst])})"
        )
    used = np.abs(q.astype(np.int64)).max(axis=1)
    for row in range(w.shape[0]):
        if w[row].any() and used[row] != 127:
            return f"row {row} uses int8 values up to {used[row]} only; the scale should map its largest |w| to 127"
        if not w[row].any() and np.any(q[row]):
            return f"row {row} holds only zeros, but q is not zero there"
    return None


QUIZ = register(
    "19",
    [
        Question(
            "Magnitude pruning removes ...",
            options=(
                "the weights with the smallest absolute value",
                "the most negative weights",
                "a random share of the weights",
            ),
            answer=0,
            feedback=(
                "A weight's size bounds its contribution wᵢxᵢ for inputs in [0, 1]; the smallest |w| change the output least when zeroed.",
                "A weight of −3 matters as much as one of +3; ranking by the signed value would remove the large negative weights first.",
                "Random pruning is a baseline that usually does worse at the same sparsity; magnitude pruning chooses by |w|.",
            ),
        ),
        Question(
            "A row of weights has largest |w| = 0.254. What is its int8 scale s = max |w| / 127?",
            answer=0.002,
            tolerance=1e-9,
            feedback=(
                "0.254 / 127 = 0.002: the row's largest weight becomes q = ±127 and every weight is stored to within s / 2 = 0.001.",
                "Divide the row's largest absolute weight by 127, the largest positive int8.",
            ),
        ),
        Question(
            "Storing every weight of a dense layer as int8 instead of float32 (scales aside) divides its size by ...",
            answer=4,
            tolerance=1e-9,
            feedback=(
                "A float32 takes 4 bytes, an int8 one byte; the per-row float scales add only a little.",
                "Count bytes: float32 is 32 bits, int8 is 8 bits.",
            ),
        ),
        Question(
            "In the chapter's small AutoML search, why is only the winner scored on the test set?",
            options=(
                "choosing by test accuracy would make the reported test score optimistic",
                "the test set is too small to score four models",
                "scoring a model on test data changes its weights",
            ),
            answer=0,
            feedback=(
                "The best of several noisy scores is biased upwards; the choice is made on validation data so that the test score stays an honest estimate.",
                "Its size is the same for one model or four; the issue is using it to choose.",
                "Evaluation does not train; the model is unchanged, but the reported number would no longer be unbiased.",
            ),
        ),
        Question(
            "A membership-inference attack has an AUC of 0.5. What does it mean?",
            options=(
                "it tells members from non-members no better than a coin",
                "it identifies half of the training set",
                "the model has memorised its training data",
            ),
            answer=0,
            feedback=(
                "AUC is the chance that a random member gets a lower loss than a random non-member; 0.5 is chance.",
                "AUC is not a share of identified examples; 0.5 means no separation at all.",
                "Memorising would give members much lower losses and an AUC well above 0.5.",
            ),
        ),
    ],
)
