"""What the checker tests share: the verdicts on the stub, typical mistakes, a raising answer and the
solution, and the rule that no output shows a line of the solution cell's code."""

from __future__ import annotations

import functools
import json
import linecache
from pathlib import Path

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def stub(*args):
    # YOUR CODE HERE
    raise NotImplementedError


def raising(*args):
    raise ZeroDivisionError("a bug in the learner's code")


@functools.cache
def solution_cells() -> dict[str, str]:
    """Each exercise's solution cell in the notebooks, by exercise id (metadata course.exercise)."""
    cells = {}
    for path in sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb")):
        for cell in json.loads(path.read_text())["cells"]:
            course = cell.get("metadata", {}).get("course", {})
            if course.get("role") == "solution":
                cells[course["exercise"]] = "".join(cell["source"])
    return cells


def solution_lines(exercise_id: str) -> list[str]:
    """The lines of an exercise's solution code that would give the answer away if a message showed them.

    Comments, blank lines, the checker call and lines of fewer than 8 characters (``return x``) are not counted.
    """
    source = solution_cells().get(exercise_id)
    assert source is not None, f"no solution cell for exercise {exercise_id} in the notebooks"
    lines = []
    for line in source.splitlines():
        text = line.strip()
        if len(text) >= 8 and not text.startswith(("#", "assert exercises.", "exercises.")):
            lines.append(text)
    return lines


def assert_no_solution_code(exercise_id: str, text: str) -> None:
    """No line of the exercise's solution code appears in ``text``."""
    for line in solution_lines(exercise_id):
        assert line not in text, f"{exercise_id}: an output shows the solution's line {line!r}"


def _verdict(check, answer, capsys):
    verdict = check(*answer) if isinstance(answer, tuple) else check(answer)
    out = capsys.readouterr().out
    assert verdict.message == out.strip(), "the verdict returned is not the one printed"
    return verdict, out


def assert_verdicts(check, capsys, *, stub, wrongs, raising, solution):
    """The four verdicts DESIGN.md asks of every checker.

    ``stub``: "Not started" and no hint. Each of ``wrongs`` (at least two typical mistakes):
    "Not yet" with what failed and the first hint tier only, in at most three lines.
    ``raising`` (an answer that raises): "Not yet" naming the exception; nothing propagates.
    ``solution``: "Correct". No output shows a line of the notebook's solution code. An answer
    that is a tuple is unpacked into the checker's arguments.
    """
    ex = check.exercise
    assert len(wrongs) >= 2, f"{ex.id}: test at least two common wrong answers"
    verdict, out = _verdict(check, stub, capsys)
    assert verdict.status == "not started" and not verdict, f"{ex.id}: the stub got {out!r}"
    assert out.startswith(f"Not started ({ex.id}):") and "Hint" not in out, out
    assert_no_solution_code(ex.id, out)
    for wrong in wrongs:
        verdict, out = _verdict(check, wrong, capsys)
        assert verdict.status == "wrong" and not verdict, (
            f"{ex.id} accepted a wrong answer: {out!r}"
        )
        assert out.startswith(f"Not yet ({ex.id}):"), out
        assert f"Hint 1 of {len(ex.hints)}: {ex.hints[0]}" in out, out
        assert all(tier not in out for tier in ex.hints[1:]), (
            f"{ex.id}: a later hint tier was shown"
        )
        assert out.count("\n") <= 3, f"{ex.id}: the verdict is longer than three lines: {out!r}"
        assert_no_solution_code(ex.id, out)
    verdict, out = _verdict(check, raising, capsys)
    assert verdict.status == "wrong", f"{ex.id}: a raising answer got {out!r}"
    assert "raised" in out, (
        f"{ex.id}: the verdict on a raising answer does not say it raised: {out!r}"
    )
    verdict, out = _verdict(check, solution, capsys)
    assert verdict.status == "correct" and verdict, f"{ex.id}: the solution got {out!r}"
    assert out.startswith(f"Correct ({ex.id}):"), out


class Exploding:
    """A value answer that raises whatever a checker does with it (compare, convert, index)."""

    def _explode(self, *args, **kwargs):
        raise ZeroDivisionError("a value that breaks when it is used")

    __array__ = __float__ = __int__ = __eq__ = __ne__ = __lt__ = __gt__ = __len__ = _explode
    __getitem__ = __iter__ = __bool__ = __hash__ = _explode
    keys = values = items = _explode


def notebook_stub(exercise_id: str) -> str:
    """The stub cell of an exercise in its notebook (its code, as the learner first sees it)."""
    chapter = exercise_id.split(".")[0]
    (path,) = NOTEBOOKS.glob(f"{chapter}_*.ipynb")
    for cell in json.loads(path.read_text())["cells"]:
        if cell["metadata"].get("course", {}) == {"exercise": exercise_id, "role": "stub"}:
            return "".join(cell["source"])
    raise AssertionError(f"no stub cell for {exercise_id}")


def bound(check, *extra):
    """The checker with the arguments the notebook's check cell passes after the answer."""

    def checker(*answer):
        return check(*answer, *extra)

    checker.exercise = check.exercise
    return checker


def run_stub(exercise_id: str, namespace: dict) -> dict:
    """Run an exercise's stub cell into ``namespace`` as a notebook would: like IPython, register its
    source so that ``inspect.getsource`` (what a debug checker compares) can read it."""
    source = notebook_stub(exercise_id)
    filename = f"<stub {exercise_id}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(compile(source, filename, "exec"), namespace)
    return namespace
