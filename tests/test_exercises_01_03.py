"""Checkers of chapters 01 and 03: the right answer passes, typical mistakes get "Not yet", nothing raises."""

import numpy as np
import pytest

from course_utils import exercises, numpy_nn


def _stub(*args):
    raise NotImplementedError


RIGHT_AND_WRONG = {
    "check_sigmoid": (
        lambda z: 1 / (1 + np.exp(-z)),
        [
            lambda z: 1 / (1 + np.exp(z)),
            lambda z: np.exp(-z) / (1 + np.exp(-z)),
            lambda z: None,
            _stub,
        ],
    ),
    "check_sigmoid_grad": (
        numpy_nn.sigmoid_grad,
        [numpy_nn.sigmoid, lambda z: numpy_nn.sigmoid(z) * (1 + numpy_nn.sigmoid(z)), _stub],
    ),
    "check_relu": (
        lambda z: np.maximum(z, 0),
        [lambda z: np.max(z), lambda z: np.abs(z), lambda z: np.minimum(z, 0), _stub],
    ),
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
    right, wrongs = RIGHT_AND_WRONG[name]
    assert check(right)
    assert capsys.readouterr().out.startswith("Correct:")
    for wrong in wrongs:
        verdict = check(wrong)
        out = capsys.readouterr().out
        assert not verdict, f"{name} accepted a wrong answer"
        assert out.startswith("Not yet:") and "Hint:" in out


def test_the_packages_functions_pass_the_checkers(capsys):
    assert exercises.check_sigmoid(numpy_nn.sigmoid)
    assert exercises.check_relu(numpy_nn.relu)
