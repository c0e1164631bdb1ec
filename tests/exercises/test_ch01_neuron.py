"""Checkers of chapter 01 (course_utils.exercises.ch01_neuron): the right answer passes, typical mistakes get "Not yet", nothing raises."""

import numpy as np
import pytest

from course_utils import exercises
from course_utils.exercises import ch01_neuron
from course_utils.foundations.activations import relu, sigmoid, sigmoid_grad


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
        sigmoid_grad,
        [sigmoid, lambda z: sigmoid(z) * (1 + sigmoid(z)), _stub],
    ),
    "check_relu": (
        lambda z: np.maximum(z, 0),
        [lambda z: np.max(z), lambda z: np.abs(z), lambda z: np.minimum(z, 0), _stub],
    ),
}


@pytest.mark.parametrize("name", RIGHT_AND_WRONG)
def test_right_answer_passes_and_mistakes_do_not(name, capsys):
    check = getattr(exercises, name)
    assert check is getattr(ch01_neuron, name)
    right, wrongs = RIGHT_AND_WRONG[name]
    assert check(right)
    assert capsys.readouterr().out.startswith("Correct:")
    for wrong in wrongs:
        verdict = check(wrong)
        out = capsys.readouterr().out
        assert not verdict, f"{name} accepted a wrong answer"
        assert out.startswith("Not yet:") and "Hint:" in out


def test_the_packages_functions_pass_the_checkers(capsys):
    assert exercises.check_sigmoid(sigmoid)
    assert exercises.check_relu(relu)
