"""Exercises and quiz of chapter 19 (course_utils.exercises.ch19_outlook)."""

import numpy as np
import pytest
import torch

from course_utils.exercises import ch19_outlook as ch19
from course_utils.frameworks.torch_models import build_mlp, evaluate, predict_logits
from tests.exercises.helpers import Exploding, assert_verdicts, bound, raising, run_stub, stub


@pytest.fixture(scope="module")
def untrained():
    torch.manual_seed(0)
    x = np.random.default_rng(0).random((200, 28, 28)).astype(np.float32)
    mlp = build_mlp(hidden=16)
    y = predict_logits(mlp, x).argmax(1)  # the model is right on every image
    return mlp, x, y


def test_pruning_prediction(capsys, untrained):
    mlp, x, y = untrained
    drop = ch19.pruning_accuracy_drop(mlp, x, y)
    # an independent prune: zero every first-layer weight at or below the 80th percentile of |w|
    pruned = build_mlp(hidden=16)
    pruned.load_state_dict(mlp.state_dict())
    w = pruned.hidden.weight.data
    w[w.abs() <= w.abs().flatten().kthvalue(int(round(0.8 * w.numel()))).values] = 0.0
    assert np.isclose(drop, 1.0 - evaluate(pruned, x, y)["accuracy"])
    right = ch19.pruning_outcome(drop)
    others = [o for o in ch19.PRUNING_OPTIONS if o != right]
    assert_verdicts(
        bound(ch19.check_pruning_prediction, mlp, x, y),
        capsys,
        stub=...,
        wrongs=[*others, "no change"],
        raising=Exploding(),
        solution=right,
    )


def test_pruning_outcome_buckets():
    assert [ch19.pruning_outcome(d) for d in (-0.01, 0.015, 0.049, 0.05, 0.3, 0.31, 0.81)] == [
        ch19.PRUNING_OPTIONS[i] for i in (0, 0, 0, 1, 1, 2, 2)
    ]


def prune(weights, fraction, key=np.abs):
    out = np.array(weights, dtype=float, copy=True)
    k = int(round(fraction * out.size))
    out.flat[np.argsort(key(out), axis=None)[:k]] = 0.0
    return out


def _prune_in_place(weights, fraction):
    k = int(round(fraction * weights.size))
    weights.flat[np.argsort(np.abs(weights), axis=None)[:k]] = 0.0
    return weights


def test_magnitude_prune(capsys):
    assert_verdicts(
        ch19.check_magnitude_prune,
        capsys,
        stub=stub,
        wrongs=[
            lambda w, fraction: prune(w, fraction, key=lambda v: v),  # the signed values
            lambda w, fraction: prune(w, fraction, key=lambda v: -np.abs(v)),  # prunes the largest
            lambda w, fraction: prune(w, 1 - fraction),  # keeps the fraction instead
            _prune_in_place,
        ],
        raising=raising,
        solution=prune,
    )


def test_magnitude_prune_agrees_with_torch_pruning():
    from torch.nn.utils import prune as torch_prune

    layer = torch.nn.Linear(7, 5)
    expected = prune(layer.weight.detach().numpy(), 0.6)
    torch_prune.l1_unstructured(layer, "weight", amount=0.6)
    np.testing.assert_allclose(layer.weight.detach().numpy(), expected, rtol=1e-6)


def _quantise(weights, divisor=127, guard=True, axis=1, rounding=np.round):
    scale = np.abs(weights).max(axis=axis, keepdims=True) / divisor
    if guard:
        scale[scale == 0] = 1.0
    return rounding(weights / scale).astype(np.int8), scale


def test_quantiser_debugged(capsys):
    assert_verdicts(
        ch19.check_quantiser_debugged,
        capsys,
        stub=stub,
        wrongs=[
            lambda w: _quantise(w, divisor=128),  # the notebook's bug: +128 wraps to -128
            lambda w: _quantise(w, rounding=np.trunc),  # the cast alone truncates towards 0
            lambda w: _quantise(w, axis=0),  # one scale per column
            lambda w: _quantise(w, rounding=np.floor),  # floor, not round
            lambda w: _quantise(w, divisor=100),  # a scale that overflows too
        ],
        raising=raising,
        solution=_quantise,
    )


@pytest.mark.filterwarnings("ignore:torch.quantize_per_tensor")  # deprecated, still the reference
def test_quantiser_agrees_with_torch_quantize_per_channel():
    w = torch.randn(6, 9)
    q, scale = _quantise(w.numpy())
    reference = torch.quantize_per_channel(
        w, torch.from_numpy(scale[:, 0]).double(), torch.zeros(6, dtype=torch.long), 0, torch.qint8
    )
    np.testing.assert_array_equal(reference.int_repr().numpy(), q)


@pytest.mark.parametrize(
    ("exercise_id", "name", "solution"),
    [("19.2", "magnitude_prune", prune), ("19.3", "quantise_rows", _quantise)],
)
def test_hidden_tests_pass_on_the_solution(exercise_id, name, solution):
    from course_utils import exercises

    exec(
        exercises.EXERCISES[exercise_id].hidden_test,
        {"np": np, "exercises": exercises, name: solution},
    )


def test_the_notebooks_untouched_stub_is_not_started_and_its_bug_is_the_modules(capsys):
    namespace = run_stub("19.3", {"np": np})
    verdict = ch19.check_quantiser_debugged(namespace["quantise_rows"])
    assert verdict.status == "not started", verdict.message
    # the same bug behind a wrapper (other code, so it is judged) is caught by the cases
    assert (
        ch19.check_quantiser_debugged(lambda *args: ch19.buggy_quantise_rows(*args)).status
        == "wrong"
    )
