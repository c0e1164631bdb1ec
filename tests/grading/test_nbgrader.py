"""Grading end to end with real nbgrader (issue 13): `make assignments` builds the course directory,
then, in a temporary copy, nbgrader generates every chapter's assignment, autogrades three
submissions per chapter and writes feedback; the scores are read from nbgrader's gradebook.

- the source with its solutions gets full marks;
- the released copy, untouched, gets zero and autograding does not crash;
- the released copy with exactly one exercise solved gets exactly that exercise's points.

Each chapter gets a course directory of its own, so two chapters are graded at a time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import pytest

pytest.importorskip("nbgrader", reason="nbgrader is in the `grading` extra that make test installs")

from nbgrader.api import Gradebook  # noqa: E402

from course_utils.exercises import EXERCISES  # noqa: E402
from tools import assignments  # noqa: E402
from tools.notebooks import course_notebooks  # noqa: E402

NOTEBOOKS = course_notebooks()
NBGRADER = [sys.executable, "-m", "nbgrader"]


def _nbgrader(root: Path, *args: str) -> str:
    # nbgrader runs alembic (its database migrations) from PATH: the environment's own bin/ first
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [*NBGRADER, *args], cwd=root, env=env, capture_output=True, text=True, timeout=1800
    )
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}"
    return done.stdout + done.stderr


def _graded(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def _submit(root: Path, student: str, name: str, nb) -> None:
    target = root / "submitted" / student / name / f"{name}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, target)


def test_the_course_directory_holds_every_chapter_with_graded_exercises(tmp_path):
    written = assignments.assignments(NOTEBOOKS, output=tmp_path)
    assert [p.parent.name for p in written] == [p.stem for p in NOTEBOOKS]
    assert (tmp_path / "nbgrader_config.py").exists()
    for path in written:
        nb = nbformat.read(path, as_version=4)
        chapter = path.name[:2]
        ids = sorted(e.id for e in EXERCISES.values() if e.chapter == chapter)
        answers = [c for c in nb.cells if c.metadata["nbgrader"]["solution"]]
        tests = _graded(nb)
        assert len(answers) == len(tests) == len(ids) >= 3, path.name
        assert all(
            c.source.startswith("### BEGIN SOLUTION")
            or c.source.startswith("def ")
            and c.source.splitlines()[1].strip() == "### BEGIN SOLUTION"
            for c in answers
        ), f"{path.name}: an answer cell is neither the solution nor a stub's def around it"
        assert all(c.source.rstrip().endswith("### END SOLUTION") for c in answers)
        assert all(c.source.startswith("assert exercises.check_") for c in tests)
        assert any("### BEGIN HIDDEN TESTS" in c.source for c in tests), (
            f"{path.name}: no hidden test"
        )
        assert sum(c.metadata["nbgrader"]["points"] for c in tests) == sum(
            EXERCISES[i].points for i in ids
        )
        others = [c for c in nb.cells if c not in answers]
        assert all(c.metadata["nbgrader"]["locked"] for c in others), (
            "every other cell is read-only"
        )
        assert not any("instructor" in c.metadata.get("tags", []) for c in nb.cells)
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


def _grade_chapter(root: Path, path: Path) -> Path:
    """The whole nbgrader round for one chapter, in a course directory of its own (``root/NN``)."""
    course = root / path.stem
    assignments.assignments([path], output=course)
    name = path.stem
    _nbgrader(course, "generate_assignment", name, "--force")
    source = nbformat.read(course / "source" / name / path.name, as_version=4)
    release = nbformat.read(course / "release" / name / path.name, as_version=4)
    # exactly one exercise solved: the chapter's last (the hardest), its answer cell from the source
    solved = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")][-1]
    one = nbformat.from_dict(release)
    for cell in one.cells:
        if (
            cell.metadata.get("nbgrader", {}).get("grade_id")
            == solved.metadata["nbgrader"]["grade_id"]
        ):
            cell.source = "\n".join(
                line
                for line in solved.source.splitlines()
                if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION")
            )
    _submit(course, "full", name, source)
    _submit(course, "blank", name, release)
    _submit(course, "one", name, one)
    _nbgrader(course, "autograde", name, "--force")
    _nbgrader(course, "generate_feedback", name, "--force")
    return course


@pytest.fixture(scope="module")
def graded(request, tmp_path_factory):
    """The selected chapters graded, two at a time (one per core): {notebook: course dir or error}."""
    selected = [
        item.callspec.params["path"]
        for item in request.session.items
        if "graded" in getattr(item, "fixturenames", ()) and hasattr(item, "callspec")
    ]
    root = tmp_path_factory.mktemp("nbgrader")
    results = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = {path: pool.submit(_grade_chapter, root, path) for path in selected}
        for path, future in futures.items():
            try:
                results[path] = future.result()
            except Exception as err:  # reported by that chapter's test
                results[path] = err
    return results


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_nbgrader_grades_the_solutions_full_the_blank_zero_and_one_exercise_exactly(graded, path):
    course = graded[path]
    if isinstance(course, Exception):
        raise course
    name = path.stem
    source = nbformat.read(course / "source" / name / path.name, as_version=4)
    release = nbformat.read(course / "release" / name / path.name, as_version=4)
    answers = [c for c in release.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert answers and all("BEGIN SOLUTION" not in c.source for c in answers), (
        "solutions were released"
    )
    assert all("HIDDEN TESTS" not in c.source for c in release.cells), "hidden tests were released"
    solved = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")][-1]
    solved_test = "test_" + solved.metadata["nbgrader"]["grade_id"].removeprefix("answer_")
    tests = {
        c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]["points"]
        for c in _graded(source)
    }
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:

        def scores(student):
            return {g: gradebook.find_grade(g, name, name, student).score for g in tests}

        full, blank, single = scores("full"), scores("blank"), scores("one")
        max_score = gradebook.find_submission(name, "full").max_score
    assert max_score == sum(tests.values())
    assert full == tests, f"{name}: the solutions did not get full marks: {full}"
    assert blank == dict.fromkeys(tests, 0), f"{name}: the untouched copy scored: {blank}"
    assert single == {g: (p if g == solved_test else 0) for g, p in tests.items()}, (
        f"{name}: one exercise solved ({solved_test}) scored {single}"
    )
    for student in ("full", "blank", "one"):
        html = course / "feedback" / student / name / f"{name}.html"
        assert html.exists() and "Score" in html.read_text(), f"no feedback for {student}"
    # the untouched copy runs top to bottom: only its answer cells (the stubs) and tests fail
    autograded = nbformat.read(course / "autograded" / "blank" / name / path.name, as_version=4)
    failing = [
        c.metadata.get("nbgrader", {}).get("grade_id", c.source[:40])
        for c in autograded.cells
        if c.cell_type == "code" and any(o.output_type == "error" for o in c.outputs)
    ]
    allowed = {c.metadata["nbgrader"]["grade_id"] for c in answers} | set(tests)
    assert set(failing) <= allowed, f"{name}: cells other than answers and tests failed: {failing}"
