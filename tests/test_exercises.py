"""The checker pattern: right, wrong, raising, stub and badly typed answers; it never raises."""

import numpy as np
import pytest

from course_utils import exercises


def right(images):
    return images.astype(np.float32) / 255.0


def stub(images):
    # YOUR CODE HERE
    raise NotImplementedError


ANSWERS = {
    "wrong values": lambda images: images.astype(np.float32) / 256.0,
    "wrong dtype": lambda images: images / 255.0,
    "raises": lambda images: images.reshape(-1, 7) / 0,
    "crashes with a type error": lambda images: images + "1",
    "stub": stub,
    "forgot return": lambda images: None,
    "wrong shape": lambda images: np.zeros(3, dtype=np.float32),
    "returns a string": lambda images: "0.5",
    "not a function": 42,
}


def test_right_answer_passes(capsys):
    verdict = exercises.check_scale_pixels(right)
    assert verdict and verdict.passed
    assert capsys.readouterr().out.startswith("Correct:")


@pytest.mark.parametrize("name", ANSWERS)
def test_every_kind_of_wrong_answer_says_not_yet_without_raising(name, capsys):
    verdict = exercises.check_scale_pixels(ANSWERS[name])
    out = capsys.readouterr().out
    assert not verdict
    assert out.startswith("Not yet:") and "Hint:" in out
    assert out.count("\n") == 1, "one short verdict, printed once"


def test_messages_name_the_problem(capsys):
    exercises.check_scale_pixels(stub)
    assert "NotImplementedError" in capsys.readouterr().out
    exercises.check_scale_pixels(ANSWERS["forgot return"])
    assert "return" in capsys.readouterr().out
    exercises.check_scale_pixels(ANSWERS["wrong shape"])
    assert "shape" in capsys.readouterr().out
    exercises.check_scale_pixels(ANSWERS["wrong dtype"])
    assert "dtype" in capsys.readouterr().out
    exercises.check_scale_pixels(ANSWERS["raises"])
    assert "raised" in capsys.readouterr().out


def test_check_value_handles_placeholders_and_tolerance(capsys):
    assert not exercises.check_value(..., 3.0, what="x", hint="h")
    assert "placeholder" in capsys.readouterr().out
    assert exercises.check_value(3.0 + 1e-9, 3.0, what="x", hint="h")
    assert not exercises.check_value(3.1, 3.0, what="x", hint="h")
    assert not exercises.check_value(np.array([np.inf]), np.array([1.0]), what="x", hint="h")
    assert "overflow" in capsys.readouterr().out.splitlines()[-1]


def test_verdict_is_not_displayed_twice():
    verdict = exercises.Verdict(True, "Correct: x")
    assert verdict._ipython_display_() is None
