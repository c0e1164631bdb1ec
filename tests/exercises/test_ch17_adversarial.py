"""Exercises and quiz of chapter 17 (course_utils.exercises.ch17_adversarial)."""

import numpy as np
import pytest
import torch
from torch import nn

from course_utils.exercises import ch17_adversarial as ch17
from course_utils.robustness import adversarial
from tests.exercises.helpers import Exploding, assert_verdicts, bound, raising, run_stub, stub


@pytest.fixture(scope="module")
def tiny():
    """A small random CNN-like model and 24 images in [0, 1]: fast, and every attack changes something."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(36, 16), nn.ReLU(), nn.Linear(16, 3)).eval()
    x = np.random.default_rng(0).random((24, 1, 6, 6)).astype(np.float32)
    y = model(torch.from_numpy(x)).argmax(1).numpy()  # the model is right on every image
    return model, x, y


def test_fgsm_linf_prediction(capsys, tiny):
    model, x, y = tiny
    actual = float(np.abs(adversarial.fgsm(model, x, y, 0.1).astype(np.float64) - x).max())
    assert (
        abs(actual - 0.1) < 1e-6
    )  # the analytic answer: eps, as soon as one pixel can move freely
    assert_verdicts(
        bound(ch17.check_fgsm_linf_prediction, model, x, y, 0.1),
        capsys,
        stub=...,
        wrongs=[0.05, 1.0, 0.1 * 36],  # half of eps; the whole range; eps times the pixels
        raising=Exploding(),
        solution=0.1,
    )


def _fgsm(x, grad, eps):
    return np.clip(x + eps * np.sign(grad), 0.0, 1.0)


def _fgsm_in_place(x, grad, eps):
    x += eps * np.sign(grad)
    np.clip(x, 0, 1, out=x)
    return x


def test_fgsm_step(capsys):
    assert_verdicts(
        ch17.check_fgsm_step,
        capsys,
        stub=stub,
        wrongs=[
            lambda x, grad, eps: np.clip(x + eps * grad, 0, 1),  # the gradient, not its sign
            lambda x, grad, eps: x + eps * np.sign(grad),  # no clipping to [0, 1]
            lambda x, grad, eps: np.clip(x - eps * np.sign(grad), 0, 1),  # descends the loss
            _fgsm_in_place,
        ],
        raising=raising,
        solution=_fgsm,
    )


def test_fgsm_step_agrees_with_the_packages_fgsm(tiny):
    model, x, y = tiny
    grad = adversarial.loss_gradient(model, x, y)
    np.testing.assert_allclose(
        _fgsm(x.astype(np.float64), grad, 0.1), adversarial.fgsm(model, x, y, 0.1), atol=1e-6
    )


def _buggy_pgd_step_rewritten(x_adv, x, grad, alpha, eps):  # the stub's bug, in other words
    return np.minimum(np.maximum(x_adv + alpha * np.sign(grad), 0.0), 1.0)


def _pgd_step(x_adv, x, grad, alpha, eps):
    return np.clip(np.clip(x_adv + alpha * np.sign(grad), x - eps, x + eps), 0.0, 1.0)


def test_pgd_step_debugged(capsys):
    assert_verdicts(
        ch17.check_pgd_step_debugged,
        capsys,
        stub=stub,
        wrongs=[
            _buggy_pgd_step_rewritten,
            lambda x_adv, x, g, a, e: np.clip(
                x_adv + a * np.sign(g), x - e, x + e
            ),  # the ball only
            lambda x_adv, x, g, a, e: np.clip(
                np.clip(x_adv + a * np.sign(g), x_adv - e, x_adv + e), 0, 1
            ),  # the ball around the current point
            lambda x_adv, x, g, a, e: np.clip(
                np.clip(x_adv - a * np.sign(g), x - e, x + e), 0, 1
            ),  # descends the loss
        ],
        raising=raising,
        solution=_pgd_step,
    )


def test_pgd_step_agrees_with_the_packages_projection():
    rng = np.random.default_rng(1)
    x, g = rng.random((2, 5, 5)), rng.normal(size=(2, 5, 5))
    x_adv = x.copy()
    for _ in range(5):
        stepped = x_adv + 0.03 * np.sign(g)
        x_adv = _pgd_step(x_adv, x, g, 0.03, 0.1)
        np.testing.assert_allclose(x_adv, adversarial.project(stepped, x, 0.1))


def test_fgsm_success(capsys, tiny):
    model, x, y = tiny
    rates = ch17.fgsm_success_rates(model, x, y)
    assert np.all(np.diff(rates) >= -0.2) and rates[-1] >= 0.5, rates
    first = int(np.flatnonzero(rates >= 0.5)[0])
    eps = ch17.SUCCESS_EPSILONS
    # an independent count: attack the first 20 images (all correctly classified) one by one
    fooled = [
        model(torch.from_numpy(adversarial.fgsm(model, x[i : i + 1], y[i : i + 1], eps[first])))
        .argmax(1)
        .item()
        != y[i]
        for i in range(20)
    ]
    assert np.isclose(np.mean(fooled), rates[first])
    assert_verdicts(
        bound(ch17.check_fgsm_success, model, x, y),
        capsys,
        stub=(..., ...),
        wrongs=[
            (eps[first + 1] if first + 1 < len(eps) else eps[first - 1], rates[first]),
            (eps[first], rates[first] + 0.05),  # the rate over all digits, or a miscount
            (eps[first], 1 - rates[first] + 0.01),  # the accuracy left, not the success rate
        ],
        raising=(Exploding(), 0.5),
        solution=(eps[first], rates[first]),
    )


@pytest.mark.parametrize(
    ("exercise_id", "name", "solution"),
    [("17.2", "fgsm_step", _fgsm), ("17.3", "pgd_step", _pgd_step)],
)
def test_hidden_tests_pass_on_the_solution(exercise_id, name, solution):
    from course_utils import exercises

    exec(
        exercises.EXERCISES[exercise_id].hidden_test,
        {"np": np, "exercises": exercises, name: solution},
    )


def test_the_notebooks_untouched_stub_is_not_started_and_its_bug_is_the_modules(capsys):
    namespace = run_stub("17.3", {"np": np})
    verdict = ch17.check_pgd_step_debugged(namespace["pgd_step"])
    assert verdict.status == "not started", verdict.message
    # the same bug behind a wrapper (other code, so it is judged) is caught by the cases
    assert ch17.check_pgd_step_debugged(lambda *args: ch17.buggy_pgd_step(*args)).status == "wrong"
