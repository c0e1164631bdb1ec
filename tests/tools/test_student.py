"""`make student` writes hand-out copies: the cells tagged `solution` or `instructor` are gone,
everything else stays, and the copies run from top to bottom with their checkers answering
"Not started" (Part I here; tests/grading runs every chapter's released nbgrader copy)."""

import nbformat
import pytest
from nbclient import NotebookClient

from tools import student
from tools.notebooks import course_notebooks

NOTEBOOKS = course_notebooks()


def _is_solution(cell) -> bool:
    return "solution" in cell.metadata.get("tags", [])


def _is_removed(cell) -> bool:
    return _is_solution(cell) or "instructor" in cell.metadata.get("tags", [])


def _is_checker(cell) -> bool:
    return cell.cell_type == "code" and "exercises.check_" in cell.source and not _is_solution(cell)


def _text(cell) -> str:
    return "".join(
        out.get("text", "") or "".join(out.get("data", {}).get("text/plain", ""))
        for out in cell.get("outputs", [])
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_student_copy_drops_exactly_the_solution_cells(path, tmp_path):
    student.student([path], output=tmp_path)
    original = nbformat.read(path, as_version=4)
    copy = nbformat.read(tmp_path / path.name, as_version=4)
    kept = [cell for cell in original.cells if not _is_removed(cell)]
    assert [c.source for c in copy.cells] == [c.source for c in kept], (
        "cells other than solutions changed or moved"
    )
    assert not any(_is_removed(c) for c in copy.cells)
    assert sum(map(_is_checker, copy.cells)) == sum(map(_is_checker, original.cells)), (
        "a checker cell went missing"
    )
    assert all(
        not c.get("outputs") and c.get("execution_count") is None
        for c in copy.cells
        if c.cell_type == "code"
    )
    assert "widgets" not in copy.metadata


@pytest.mark.parametrize("path", NOTEBOOKS[:6], ids=lambda p: p.name)  # Part I: seconds each
def test_student_copy_runs_and_its_checkers_say_not_yet(path, tmp_path):
    student.student([path], output=tmp_path)
    copy = nbformat.read(tmp_path / path.name, as_version=4)
    # raises CellExecutionError if any cell fails, e.g. one that used the learner's (unwritten) function
    NotebookClient(
        copy, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    checkers = [cell for cell in copy.cells if _is_checker(cell)]
    assert checkers, f"{path.name} has a solution but no checker cell"
    for cell in checkers:
        text = _text(cell)
        assert text.startswith("Not started"), (
            f"checker {cell.source[-60:]!r} printed {text!r}, expected 'Not started'"
        )
        assert "Correct" not in text
    assert not any(
        out.output_type == "error"
        for cell in copy.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )
