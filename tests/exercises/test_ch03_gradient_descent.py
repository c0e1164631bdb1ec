"""Exercises and quiz of chapter 03 (course_utils.exercises.ch03_gradient_descent)."""

import numpy as np
import pytest

from course_utils.exercises import ch03_gradient_descent as ch03
from course_utils.foundations.gradient_descent import gd_trajectory, quadratic
from course_utils.foundations.optim import Adam
from tests.exercises.helpers import Exploding, assert_verdicts, raising, stub


def test_regime_prediction(capsys):
    right = {0.2: "converges", 0.8: "oscillates", 1.05: "diverges"}
    assert_verdicts(
        ch03.check_regime_prediction,
        capsys,
        stub={0.2: ..., 0.8: ..., 1.05: ...},
        wrongs=[
            {0.2: "converges", 0.8: "bounces", 1.05: "diverges"},  # r = -0.6 is not a bounce
            {0.2: "converges", 0.8: "converges", 1.05: "oscillates"},  # reads alpha alone
            {0.2: "converges", 0.8: "oscillates"},  # a rate missing
        ],
        raising=Exploding(),
        solution=right,
    )


def _gd_step_in_place(w, g, lr):
    w -= lr * g
    return w


def test_gd_step(capsys):
    assert_verdicts(
        ch03.check_gd_step,
        capsys,
        stub=stub,
        wrongs=[lambda w, g, lr: w + lr * g, lambda w, g, lr: w - g, _gd_step_in_place],
        raising=raising,
        solution=lambda w, g, lr: w - lr * g,
    )


def _adam(w, g, m, v, t, lr, t0=0, square=True):
    m = 0.9 * m + 0.1 * g
    v = 0.999 * v + 0.001 * (g**2 if square else g)
    m_hat, v_hat = m / (1 - 0.9 ** (t + t0)), v / (1 - 0.999 ** (t + t0))
    return w - lr * m_hat / (np.sqrt(np.abs(v_hat)) + 1e-8), m, v


def _adam_as_given(w, g, m, v, t, lr, beta1=0.9, beta2=0.999, eps=1e-8):
    # the notebook's stub: the bias correction counts t from 0
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g**2
    m_hat = m / (1 - beta1 ** (t + 1))
    v_hat = v / (1 - beta2 ** (t + 1))
    return w - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def test_adam_debugged(capsys):
    assert_verdicts(
        ch03.check_adam_debugged,
        capsys,
        stub=_adam_as_given,
        wrongs=[
            lambda *a: _adam(*a, t0=-1) if a[4] > 1 else _adam(*a),  # counts t from 0 after step 1
            lambda *a: _adam(*a, square=False),
            lambda w, g, m, v, t, lr: (w - lr * g, m, v),  # plain gradient descent
            lambda w, g, m, v, t, lr: _adam_as_given(w, g, m, v, t + 1, lr),  # off by two
        ],
        raising=raising,
        solution=_adam,
    )


def test_adam_debugged_says_not_started_for_a_raising_stub_or_a_placeholder(capsys):
    for answer in (stub, ...):
        verdict = ch03.check_adam_debugged(answer)
        assert verdict.status == "not started", capsys.readouterr().out


def test_the_stub_notebook_bug_is_the_one_the_checker_recognises():
    # the planted bug in the notebook's stub cell behaves as the checker's shifted reference
    grads = [np.array([0.5, -2.0])] * 3
    w, m, v = np.zeros(2), np.zeros(2), np.zeros(2)
    for t, g in enumerate(grads, start=1):
        w, m, v = _adam_as_given(w, g, m, v, t, 0.1)
    np.testing.assert_allclose(w, ch03._adam_reference(grads, 0.1, shift=1), rtol=1e-12)
    assert not np.allclose(w, ch03._adam_reference(grads, 0.1), rtol=1e-3)


def test_adam_debugged_agrees_with_the_packages_adam():
    p = np.zeros(3)
    opt = Adam([p], lr=0.05)
    w, m, v = np.zeros(3), np.zeros(3), np.zeros(3)
    for t, g in enumerate(np.random.default_rng(0).normal(size=(4, 3)), start=1):
        opt.step([g])
        w, m, v = _adam(w, g, m, v, t, 0.05)
    np.testing.assert_allclose(p, w, rtol=1e-10)


def test_steps_to_converge(capsys):
    loss, grad = quadratic(ch03.RAVINE)
    _, losses = gd_trajectory(loss, grad, np.array(ch03.RAVINE_START), lr=0.09, steps=200)
    first = int(np.argmax(np.array(losses) < 1e-3))
    assert losses[first] < 1e-3 <= losses[first - 1]
    slow = ch03.steps_to_converge(0.02)
    assert_verdicts(
        ch03.check_steps_to_converge,
        capsys,
        stub=(..., ...),
        wrongs=[(first + 1, slow), (first, slow - 1), (slow, first)],
        raising=(Exploding(), slow),
        solution=(first, slow),
    )


@pytest.mark.parametrize("lr", [0.02, 0.09])
def test_steps_to_converge_is_the_first_step_below_the_tolerance(lr):
    steps = ch03.steps_to_converge(lr)
    loss, grad = quadratic(ch03.RAVINE)
    ws, _ = gd_trajectory(loss, grad, np.array(ch03.RAVINE_START), lr=lr, steps=steps)
    assert loss(ws[steps]) < 1e-3 <= loss(ws[steps - 1])
