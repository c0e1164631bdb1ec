"""course_utils.exercises.core, the checker pattern: right, wrong, raising, stub and badly typed answers; it never raises.

Also: every chapter module's checkers are importable from course_utils.exercises, and each has its test file here.
"""

import importlib
import pkgutil
from pathlib import Path

import numpy as np
import pytest

from course_utils import exercises
from course_utils.exercises import core


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


def test_check_parts_compares_each_returned_array(capsys):
    cases = [((np.array([1.0, 2.0]),), (np.array([2.0, 4.0]), np.array([1.0, 4.0])))]
    names = ("double", "square")
    assert core.check_parts(lambda v: (2 * v, v**2), cases, names, what="parts", hint="h")
    assert capsys.readouterr().out == "Correct: parts passes all 1 checks (double, square).\n"
    assert not core.check_parts(lambda v: (2 * v, v**3), cases, names, what="parts", hint="h")
    assert capsys.readouterr().out.startswith("Not yet: parts: square: expected")
    assert not core.check_parts(lambda v: 2 * v, cases, names, what="parts", hint="h")
    assert "should return 2 values (double, square)" in capsys.readouterr().out
    assert not core.check_parts(lambda v: v / "x", cases, names, what="parts", hint="h")
    assert capsys.readouterr().out.startswith("Not yet: parts raised TypeError")
    assert not core.check_parts(None, cases, names, what="parts", hint="h")
    assert capsys.readouterr().out == "Not yet: parts: expected a function, got NoneType. Hint: h\n"


CHAPTERS = sorted(
    m.name for m in pkgutil.iter_modules(exercises.__path__) if m.name.startswith("ch")
)


def test_the_chapters_run_from_00_to_19():
    assert [name[:4] for name in CHAPTERS] == [f"ch{n:02d}" for n in range(20)]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_checker_of_a_chapter_is_exported_and_tested(chapter):
    module = importlib.import_module(f"course_utils.exercises.{chapter}")
    checkers = [
        name
        for name in vars(module)
        if name.startswith("check_") and getattr(module, name).__module__ == module.__name__
    ]
    assert checkers, f"{chapter} has no checker"
    for name in checkers:
        assert getattr(exercises, name) is getattr(module, name) and name in exercises.__all__
    test_file = Path(__file__).with_name(f"test_{chapter}.py")
    assert test_file.exists(), f"{chapter} has checkers but no {test_file.name}"
    source = test_file.read_text()
    for name in checkers:
        assert name in source, f"{test_file.name} never calls {name}"
