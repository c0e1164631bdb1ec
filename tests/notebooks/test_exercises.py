"""Every chapter practises (DESIGN.md, issue 13): three or more exercises of several kinds, each as
task, stub, check and solution cells that match the registered checker; a quiz before the summary
whose cells are the quiz's own text; instructor notes marked as such."""

import ast
import re
from collections import Counter
from pathlib import Path

import nbformat
import pytest

from course_utils import exercises
from course_utils.exercises import quizzes
from course_utils.exercises.core import KINDS
from tests.exercises.helpers import assert_no_solution_code

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
KIND_LABELS = {
    "predict": "Predict, then run",
    "debug": "Debug",
    "experiment": "Experiment",
    "extend": "Extend",
    "implement": "Implement",
}
ROLES = ("task", "stub", "check", "solution")


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def _course(cell):
    return cell.metadata.get("course", {})


def _exercise_cells(path):
    """{exercise id: {role: (index, cell)}} in the notebook."""
    found = {}
    for index, cell in enumerate(_cells(path)):
        course = _course(cell)
        if "exercise" in course:
            roles = found.setdefault(course["exercise"], {})
            assert course["role"] not in roles, (
                f"{path.name}: two {course['role']} cells for {course['exercise']}"
            )
            roles[course["role"]] = (index, cell)
    return found


def _chapter_exercises(chapter):
    return sorted(
        (e for e in exercises.EXERCISES.values() if e.chapter == chapter),
        key=lambda e: int(e.id.split(".")[1]),
    )


def _call(source):
    """The checker call of a check cell (one expression, `exercises.check_...(...)`), as text."""
    tree = ast.parse(source)
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Expr), source
    call = tree.body[0].value
    assert isinstance(call, ast.Call) and ast.unparse(call.func).startswith("exercises.check_"), (
        source
    )
    return ast.unparse(call)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_chapter_has_three_exercises_of_several_kinds(path):
    chapter = path.name[:2]
    registered = _chapter_exercises(chapter)
    assert len(registered) >= 3, (
        f"{path.name}: {len(registered)} exercises, the course asks for 3 or more"
    )
    ids = [e.id for e in registered]
    assert ids == [f"{chapter}.{k}" for k in range(1, len(ids) + 1)], (
        f"{path.name}: ids {ids} are not {chapter}.1, {chapter}.2, ..."
    )
    assert sum(e.kind != "implement" for e in registered) >= 2, (
        f"{path.name}: at least two exercises must be another kind than 'implement'"
    )
    assert set(_exercise_cells(path)) == set(ids), (
        f"{path.name}: the notebook's exercises {sorted(_exercise_cells(path))} are not the registered {ids}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_each_exercise_is_task_stub_check_solution_in_order(path):
    cells = _exercise_cells(path)
    order = []
    for exercise_id, roles in cells.items():
        ex = exercises.EXERCISES[exercise_id]
        assert set(roles) == set(ROLES), (
            f"{path.name} {exercise_id}: cells {sorted(roles)}, expected {ROLES}"
        )
        indices = [roles[r][0] for r in ROLES]
        assert indices == sorted(indices) and indices[-1] - indices[0] == 3, (
            f"{path.name} {exercise_id}: task, stub, check and solution must be four cells in a row"
        )
        order.append((indices[0], exercise_id))
        task = roles["task"][1]
        assert task.cell_type == "markdown"
        heading = f"### Exercise {exercise_id} · {ex.title}"
        assert task.source.startswith(heading), f"{path.name}: the task must start with {heading!r}"
        assert f"**{KIND_LABELS[ex.kind]}.**" in task.source, (
            f"{path.name} {exercise_id}: the task must name its kind as **{KIND_LABELS[ex.kind]}.**"
        )
        check, solution = roles["check"][1], roles["solution"][1]
        call = _call(check.source)
        assert call.startswith(f"exercises.{exercises.CHECKERS[exercise_id].__name__}("), (
            f"{path.name} {exercise_id}: the check cell must call exercises.{exercises.CHECKERS[exercise_id].__name__}"
        )
        assert "solution" in solution.metadata.get("tags", [])
        assert solution.source.startswith("# solution")
        last = ast.parse(solution.source.strip().splitlines()[-1]).body[0]
        assert isinstance(last, ast.Assert) and ast.unparse(last.test) == call, (
            f"{path.name} {exercise_id}: the solution must end with 'assert {call}'"
        )
        for role in ("stub", "check", "solution"):
            assert roles[role][1].metadata.get("slideshow", {}).get("slide_type") == "skip"
    assert [i for _, i in sorted(order)] == sorted(cells, key=lambda i: int(i.split(".")[1])), (
        f"{path.name}: exercises are not numbered in reading order"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_stubs_committed_verdict_is_not_started_and_shows_no_solution(path):
    for exercise_id, roles in _exercise_cells(path).items():
        out = "".join(
            o.get("text", "") for o in roles["check"][1].outputs if o.output_type == "stream"
        )
        assert out.startswith(f"Not started ({exercise_id}):") and "Hint" not in out, (
            f"{path.name} {exercise_id}: the committed check of the untouched stub says {out!r}"
        )
        assert_no_solution_code(exercise_id, out)
        for tier in exercises.EXERCISES[exercise_id].hints:
            assert_no_solution_code(exercise_id, tier)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_quiz_comes_before_the_summary_and_its_cells_are_the_quizs_text(path):
    chapter = path.name[:2]
    assert chapter in exercises.QUIZZES, f"{path.name}: no quiz registered for chapter {chapter}"
    questions = exercises.QUIZZES[chapter]
    assert 4 <= len(questions) <= 6
    cells = _cells(path)
    roles = [_course(c).get("role") for c in cells[-4:-1]]
    assert roles == ["questions", "widget", "answers"], (
        f"{path.name}: the last cells before the summary must be the quiz's questions, widget and answers, got {roles}"
    )
    questions_cell, widget, answers = cells[-4:-1]
    assert questions_cell.source == quizzes.questions_markdown(chapter), (
        f"{path.name}: the quiz cell differs from the quiz"
    )
    assert widget.source.strip() == f'exercises.quiz("{chapter}")'
    assert answers.source == quizzes.answers_markdown(chapter), (
        f"{path.name}: the answers cell differs from the quiz"
    )


def test_the_course_has_sixty_exercises_and_every_kind_in_five_chapters():
    assert len(exercises.EXERCISES) >= 60, (
        f"{len(exercises.EXERCISES)} exercises, the course asks for 60"
    )
    chapters_per_kind = Counter()
    for kind in KINDS:
        chapters_per_kind[kind] = len(
            {e.chapter for e in exercises.EXERCISES.values() if e.kind == kind}
        )
    short = {k: n for k, n in chapters_per_kind.items() if n < 5}
    assert not short, f"kinds used in fewer than five chapters: {short}"


def test_every_chapter_has_a_hidden_test_for_nbgrader():
    chapters = {e.chapter for e in exercises.EXERCISES.values()}
    missing = [c for c in sorted(chapters) if not any(e.hidden_test for e in _chapter_exercises(c))]
    assert not missing, f"chapters without a hidden nbgrader test: {missing}"


INSTRUCTOR = re.compile(r"(?i)speaker note|ask the class|instructor|in class,|poll the room")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_instructor_notes_are_marked(path):
    for cell in _cells(path):
        if cell.cell_type != "markdown":
            continue
        tagged = "instructor" in cell.metadata.get("tags", [])
        if tagged:
            assert cell.source.startswith("> **Instructor note.**"), (
                f"{path.name}: {cell.source[:50]!r}"
            )
            assert cell.metadata.get("slideshow", {}).get("slide_type") == "notes"
        elif INSTRUCTOR.search(cell.source.split("\n")[0]):
            pytest.fail(
                f"{path.name}: a cell for the instructor is not tagged 'instructor': {cell.source[:60]!r}"
            )
