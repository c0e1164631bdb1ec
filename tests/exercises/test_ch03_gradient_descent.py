"""Checkers of chapter 03 (course_utils.exercises.ch03_gradient_descent): right answers pass, typical mistakes do not."""

import numpy as np
import pytest

from course_utils import exercises
from course_utils.exercises import ch03_gradient_descent
from course_utils.foundations.optim import Adam


def _stub(*args):
    raise NotImplementedError


RIGHT_AND_WRONG = {
    "check_gd_step": (
        lambda w, g, lr: w - lr * g,
        [lambda w, g, lr: w + lr * g, lambda w, g, lr: w - g, lambda w, g, lr: w - lr * w, _stub],
    ),
    "check_adam_bias_correction": (
        lambda m, v, b1, b2, t: (m / (1 - b1**t), v / (1 - b2**t)),
        [
            lambda m, v, b1, b2, t: (m / (1 - b1), v / (1 - b2)),  # forgot the power t
            lambda m, v, b1, b2, t: (
                m / (1 - b1 ** (t - 1 or 1)),
                v / (1 - b2**t),
            ),  # counted from 0
            lambda m, v, b1, b2, t: (m * (1 - b1**t), v * (1 - b2**t)),
            lambda m, v, b1, b2, t: m / (1 - b1**t),  # one value only
            _stub,
        ],
    ),
}


@pytest.mark.parametrize("name", RIGHT_AND_WRONG)
def test_right_answer_passes_and_mistakes_do_not(name, capsys):
    check = getattr(exercises, name)
    assert check is getattr(ch03_gradient_descent, name)
    right, wrongs = RIGHT_AND_WRONG[name]
    assert check(right)
    assert capsys.readouterr().out.startswith("Correct:")
    for wrong in wrongs:
        verdict = check(wrong)
        out = capsys.readouterr().out
        assert not verdict, f"{name} accepted a wrong answer"
        assert out.startswith("Not yet:") and "Hint:" in out


def test_the_packages_adam_applies_the_bias_correction_the_checker_expects(capsys):
    def bias_correction(m, v, beta1, beta2, t):
        return m / (1 - beta1**t), v / (1 - beta2**t)

    assert exercises.check_adam_bias_correction(bias_correction)
    start, g = np.array([1.0, -2.0]), np.array([0.5, -0.25])
    p = start.copy()
    opt = Adam([p], lr=0.1)
    opt.step([g])
    m_hat, v_hat = bias_correction(opt.m[0], opt.v[0], opt.beta1, opt.beta2, opt.t)
    np.testing.assert_allclose(p, start - 0.1 * m_hat / (np.sqrt(v_hat) + opt.eps), rtol=1e-12)
