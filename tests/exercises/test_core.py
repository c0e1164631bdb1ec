"""course_utils.exercises.core: verdicts on stubs, wrong, raising and right answers, hint tiers, and
the comparison helpers; nothing raises into the notebook.

Also: every chapter module's checkers are importable from course_utils.exercises, registered, and
called by that chapter's test file.
"""

import importlib
import pkgutil
from pathlib import Path

import numpy as np
import pytest

from course_utils import exercises
from course_utils.exercises import core


@pytest.fixture
def toy(monkeypatch):
    """A throw-away exercise 99.1 (scale uint8 pixels to float32 in [0, 1]), unregistered afterwards."""
    monkeypatch.setattr(core, "EXERCISES", dict(core.EXERCISES))
    monkeypatch.setattr(core, "CHECKERS", dict(core.CHECKERS))
    monkeypatch.setattr(core, "_hints_shown", {})
    images = np.array([[0, 51], [255, 128]], dtype=np.uint8)

    @core.exercise("99.1", "Scale pixels", "implement", hints=("nudge", "idea", "formula"))
    def check_scale(fn):
        return core.function_problem(
            fn,
            [((images,), images / np.float32(255))],
            name="scale",
            dtype=np.float32,
            keep_inputs=True,
        )

    return check_scale


def right(images):
    return images.astype(np.float32) / 255.0


def stub(images):
    raise NotImplementedError


def in_place(images):
    scaled = images.astype(np.float32) / 255.0
    images[:] = 0  # right values, but the learner's data is gone
    return scaled


WRONG = {
    "wrong values": (lambda images: images.astype(np.float32) / 256.0, "expected"),
    "wrong dtype": (lambda images: images / 255.0, "dtype is float64, expected float32"),
    "raises": (lambda images: images.reshape(-1, 7) / 0, "raised ValueError"),
    "type error": (lambda images: images + "1", "raised"),
    "forgot return": (lambda images: None, "returned None"),
    "wrong shape": (
        lambda images: np.zeros(3, dtype=np.float32),
        "expected shape (2, 2), got shape (3,)",
    ),
    "returns a string": (lambda images: "0.5", "expected shape"),
    "not a function": (42, "expected a function scale, got int"),
    "changes its input": (in_place, "changed in place"),
}


def test_the_right_answer_is_correct(toy, capsys):
    verdict = toy(right)
    assert verdict and verdict.passed and verdict.status == "correct"
    assert capsys.readouterr().out == "Correct (99.1): Scale pixels: every check passes.\n"


@pytest.mark.parametrize("answer", [stub, ..., None], ids=["stub", "ellipsis", "none"])
def test_the_untouched_stub_is_not_started_and_gets_no_hint(toy, capsys, answer):
    verdict = toy(answer)
    out = capsys.readouterr().out
    assert verdict.status == "not started" and not verdict
    assert out.startswith("Not started (99.1):") and "Hint" not in out and out.count("\n") == 1


@pytest.mark.parametrize("name", WRONG)
def test_a_wrong_answer_gets_what_failed_and_the_first_hint_only(toy, capsys, name):
    answer, problem = WRONG[name]
    verdict = toy(answer)
    out = capsys.readouterr().out
    assert verdict.status == "wrong" and not verdict
    first, second = out.splitlines()
    assert first.startswith("Not yet (99.1):") and problem in first, first
    assert second == "Hint 1 of 3: nudge  More: exercises.hint('99.1')"


def test_hints_come_in_tiers_on_request(toy, capsys):
    assert core.hint("99.1") == "Hint 1 of 3 (99.1): nudge  More: exercises.hint('99.1')"
    toy(WRONG["wrong values"][0])  # the verdict showed tier 1
    capsys.readouterr()
    assert core.hint("99.1").startswith("Hint 2 of 3 (99.1): idea")
    assert core.hint("99.1") == "Hint 3 of 3 (99.1): formula (that is the last hint)"
    assert core.hint("99.1").startswith("Hint 3 of 3")  # stays at the last tier
    assert core.hint("99.1", tier=1).startswith("Hint 1 of 3 (99.1): nudge")
    assert core.hint("99.1", tier=4) == "Exercise 99.1 has hint tiers 1 to 3, not 4."
    assert core.hint("99.7").startswith("There is no exercise '99.7'; the ids look like 99.1")
    assert capsys.readouterr().out.count("\n") == 6


def test_a_checker_that_breaks_on_the_answer_still_answers(capsys, monkeypatch):
    monkeypatch.setattr(core, "EXERCISES", dict(core.EXERCISES))
    monkeypatch.setattr(core, "CHECKERS", dict(core.CHECKERS))

    @core.exercise("99.2", "Anything", "predict", hints=("a", "b"))
    def check_anything(value):
        return None if value["key"] == 1 else "no"

    verdict = check_anything(3)
    assert verdict.status == "wrong"
    assert "checking your answer raised TypeError" in capsys.readouterr().out


def test_declaring_an_exercise_checks_its_kind_and_hints():
    with pytest.raises(ValueError, match="kind must be one of"):
        core.exercise("99.3", "x", "guess", hints=("a", "b"))
    with pytest.raises(ValueError, match="2 to 4 hint tiers"):
        core.exercise("99.3", "x", "predict", hints=("a",))


def test_value_and_prediction_problems():
    with pytest.raises(core.NotStarted, match="placeholder"):
        core.value_problem(..., 3.0, name="x")
    assert core.value_problem(3.0 + 1e-9, 3.0, name="x") is None
    assert core.value_problem(3.1, 3.0, name="x") == "x: expected 3.0, got 3.1"
    assert "overflow" in core.value_problem(np.array([np.inf]), np.array([1.0]), name="x")
    assert core.value_problem([2, 3], (2, 3), name="shape") is None  # a list for a shape
    assert (
        core.value_problem((3, 2), (2, 3), name="shape")
        == "shape: expected the shape (2, 3), got (3, 2)"
    )
    with pytest.raises(core.NotStarted, match="commit to a prediction"):
        core.prediction_problem(None, 5, name="guess")
    assert core.prediction_problem(5, 5, name="guess") is None
    wrong = core.prediction_problem(4, 5, name="guess")
    assert (
        "not what the course computes" in wrong and "5" not in wrong
    )  # never gives the value away


def test_parts_problem_compares_each_returned_value():
    cases = [((np.array([1.0, 2.0]),), (np.array([2.0, 4.0]), np.array([1.0, 4.0])))]
    names = ("double", "square")
    assert core.parts_problem(lambda v: (2 * v, v**2), cases, names, name="parts") is None
    assert core.parts_problem(lambda v: (2 * v, v**3), cases, names, name="parts").startswith(
        "parts: square: expected"
    )
    assert "should return 2 values (double, square)" in core.parts_problem(
        lambda v: 2 * v, cases, names, name="parts"
    )
    assert core.parts_problem(lambda v: v / "x", cases, names, name="parts").startswith(
        "parts([1. 2.]) raised TypeError"
    )


def test_verdict_is_not_displayed_twice():
    verdict = exercises.Verdict("correct", "Correct (x): y")
    assert verdict._ipython_display_() is None and bool(verdict)
    assert not exercises.Verdict("not started", "Not started")


CHAPTERS = sorted(
    m.name for m in pkgutil.iter_modules(exercises.__path__) if m.name.startswith("ch")
)


def test_the_chapters_run_from_00_to_19_and_the_package_imports_them_all():
    assert [name[:4] for name in CHAPTERS] == [f"ch{n:02d}" for n in range(20)]
    assert tuple(CHAPTERS) == exercises.CHAPTERS


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_checker_of_a_chapter_is_exported_registered_and_tested(chapter):
    module = importlib.import_module(f"course_utils.exercises.{chapter}")
    checkers = [name for name in module.__all__ if name.startswith("check_")]
    assert checkers, f"{chapter} has no checker"
    test_file = Path(__file__).with_name(f"test_{chapter}.py")
    assert test_file.exists(), f"{chapter} has checkers but no {test_file.name}"
    source = test_file.read_text()
    for name in checkers:
        check = getattr(module, name)
        assert getattr(exercises, name) is check and name in exercises.__all__
        assert exercises.CHECKERS[check.exercise.id] is check, f"{name} is not registered"
        assert check.exercise.chapter == chapter[2:4]
        assert name in source, f"{test_file.name} never calls {name}"
