"""An nbgrader course built from the chapters as they are: ``python -m tools.assignments [notebooks...]``
(``make assignments``) writes build/nbgrader/ with ``nbgrader_config.py`` and
``source/<NN_topic>/<NN_topic>.ipynb`` for every chapter.

Each exercise of a chapter (task, stub, check and solution cells, see DESIGN.md) becomes

- the task, read-only;
- an autograded answer cell holding the solution between ``### BEGIN SOLUTION`` and
  ``### END SOLUTION`` (nbgrader's ``generate_assignment`` replaces it with a stub): inside the
  stub's own ``def`` line when the stub is a function to write, else after the stub, which stays
  read-only above it as the starting point (a prediction to commit, a buggy function to fix);
- a test cell worth the exercise's points, ``assert exercises.check_...(...)``, followed by the
  exercise's hidden test between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` if it has one.

Every other cell is read-only; instructor notes are left out; outputs are cleared. The instructor
then runs nbgrader's own commands from build/nbgrader/ (``nbgrader generate_assignment``,
``release_assignment``, ``collect``, ``autograde``, ``generate_feedback``).
"""

from __future__ import annotations

import ast
import shutil
import sys
from pathlib import Path

import nbformat

from course_utils.exercises import EXERCISES
from tools.notebooks import ROOT, notebook_arguments, read

OUTPUT = ROOT / "build" / "nbgrader"
COURSE_ID = "blackbox-course"

CONFIG = f'''\
"""nbgrader configuration of the course's assignments (written by `make assignments`; run nbgrader from here)."""

c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.course_id = "{COURSE_ID}"
c.CourseDirectory.root = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
# a chapter trains small models: give every cell up to ten minutes on a slow server
c.Execute.timeout = 600
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
'''


def _nbgrader(cell, grade_id: str, *, grade=False, solution=False, locked=False, points=0):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3}
    meta["solution"] = solution
    if grade:
        meta["points"] = points
    cell.metadata["nbgrader"] = meta
    return cell


def solution_code(solution: str) -> str:
    """The solution cell without its leading comments and its final ``assert exercises...`` line."""
    lines = solution.strip().splitlines()
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    if lines and lines[-1].startswith("assert exercises."):
        lines.pop()
    return "\n".join(lines).strip()


def _single_function(source: str) -> ast.FunctionDef | None:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None
    if len(tree.body) == 1 and isinstance(tree.body[0], ast.FunctionDef):
        return tree.body[0]
    return None


def answer_source(stub: str, solution: str) -> tuple[str, bool]:
    """The graded answer cell, and whether it is the stub itself.

    When the stub is one function that raises NotImplementedError and the solution is that same
    function, the answer keeps the ``def`` line and puts the solution's body between the markers,
    so nbgrader's release shows the learner the stub they know. Otherwise (a prediction, a value,
    a buggy function to fix) the whole solution goes between the markers and the stub stays above
    it as the read-only starting point.
    """
    code = solution_code(solution)
    stub_fn, solution_fn = _single_function(stub), _single_function(code)
    raises = stub_fn is not None and isinstance(stub_fn.body[-1], ast.Raise)
    if raises and solution_fn is not None and solution_fn.name == stub_fn.name:
        lines = code.splitlines()
        first = solution_fn.body[0]
        start = (
            first.decorator_list[0].lineno
            if getattr(first, "decorator_list", None)
            else first.lineno
        ) - 1
        indent = " " * first.col_offset
        header, body = lines[:start], lines[start:]
        return "\n".join(
            [*header, f"{indent}### BEGIN SOLUTION", *body, f"{indent}### END SOLUTION"]
        ), True
    return f"### BEGIN SOLUTION\n{code}\n### END SOLUTION", False


def test_source(check: str, hidden: str) -> str:
    """The graded test: the check cell's call asserted, then the hidden test if there is one."""
    source = f"assert {check.strip()}"
    if hidden:
        source += (
            "\n### BEGIN HIDDEN TESTS\nimport numpy as np\nfrom course_utils import exercises\n\n"
            f"{hidden.strip()}\n### END HIDDEN TESTS"
        )
    return source


def _exercise_groups(cells):
    """(cell, None) for a plain cell, or (None, {role: cell}) once per exercise, in order."""
    groups, open_exercises = [], {}
    for cell in cells:
        course = cell.metadata.get("course", {})
        exercise_id = course.get("exercise")
        if exercise_id is None:
            groups.append((cell, None))
            continue
        if exercise_id not in open_exercises:
            open_exercises[exercise_id] = {}
            groups.append((None, (exercise_id, open_exercises[exercise_id])))
        open_exercises[exercise_id][course["role"]] = cell
    return groups


def nbgrader_source(nb, chapter: str):
    """The nbgrader source version of a chapter notebook (see the module docstring)."""
    nb = nbformat.from_dict(nb)
    nb.metadata.pop("widgets", None)
    cells = [c for c in nb.cells if "instructor" not in c.metadata.get("tags", [])]
    out = []
    for number, (cell, exercise) in enumerate(_exercise_groups(cells)):
        if exercise is None:
            out.append(_nbgrader(cell, f"cell_{number:03d}", locked=True))
            continue
        exercise_id, roles = exercise
        missing = {"task", "stub", "check", "solution"} - set(roles)
        if missing:
            raise ValueError(
                f"chapter {chapter}, exercise {exercise_id}: no {sorted(missing)} cell"
            )
        ex = EXERCISES[exercise_id]
        key = exercise_id.replace(".", "_")
        task, stub = roles["task"], roles["stub"]
        source, in_stub = answer_source(stub.source, roles["solution"].source)
        graded = f"*Graded: {ex.points} point{'s' if ex.points > 1 else ''}."
        task.source += (
            f"\n\n{graded} Write your answer in the function below.*"
            if in_stub
            else f"\n\n{graded} The next cell is the starting point: copy it into the answer cell "
            "below it and complete it there.*"
        )
        answer = nbformat.v4.new_code_cell(source)
        test = nbformat.v4.new_code_cell(test_source(roles["check"].source, ex.hidden_test))
        out.append(_nbgrader(task, f"task_{key}", locked=True))
        if not in_stub:
            out.append(_nbgrader(stub, f"start_{key}", locked=True))
        out += [
            _nbgrader(answer, f"answer_{key}", solution=True),
            _nbgrader(test, f"test_{key}", grade=True, locked=True, points=ex.points),
        ]
    for cell in out:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
        cell.metadata.pop("course", None)
        if "solution" in cell.metadata.get("tags", []):
            cell.metadata["tags"].remove("solution")
        cell.metadata.pop("jupyter", None)
    nb.cells = out
    return nb


def assignments(paths: list[Path], output: Path = OUTPUT) -> list[Path]:
    """Write the nbgrader course directory; returns the source notebooks written."""
    source = output / "source"
    if source.exists():
        shutil.rmtree(source)
    output.mkdir(parents=True, exist_ok=True)
    (output / "nbgrader_config.py").write_text(CONFIG)
    written = []
    for path in paths:
        name = path.stem
        target = source / name / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nb = nbgrader_source(read(path), path.name[:2])
        nbformat.write(nb, target)
        graded = [c for c in nb.cells if c.metadata["nbgrader"].get("grade")]
        points = sum(c.metadata["nbgrader"]["points"] for c in graded)
        shown = target.relative_to(ROOT) if target.is_relative_to(ROOT) else target
        print(f"wrote {shown} ({len(graded)} graded exercises, {points} points)")
        written.append(target)
    return written


def main(argv=None) -> int:
    assignments(notebook_arguments(__doc__, argv).notebooks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
