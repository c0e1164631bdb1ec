"""Student copies without the solution cells and the instructor notes: ``python -m tools.student
[notebooks...]`` writes build/student/."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from tools.notebooks import ROOT, notebook_arguments, read


def student_copy(nb):
    """A notebook without the cells tagged `solution` or `instructor`, outputs cleared, ready to hand out."""
    from nbconvert.preprocessors import ClearOutputPreprocessor, TagRemovePreprocessor

    removed = {"solution", "instructor"}
    nb, _ = TagRemovePreprocessor(remove_cell_tags=removed, enabled=True).preprocess(nb, {})
    nb, _ = ClearOutputPreprocessor(enabled=True).preprocess(nb, {})
    nb.metadata.pop("widgets", None)  # saved widget state belongs to the removed outputs
    return nb


def student(paths: list[Path], output: Path = ROOT / "build" / "student") -> None:
    """Write the student copies of the notebooks to build/student/ (same file names)."""
    output.mkdir(parents=True, exist_ok=True)
    for path in paths:
        nb = read(path)
        solutions = sum("solution" in cell.metadata.get("tags", []) for cell in nb.cells)
        notes = sum("instructor" in cell.metadata.get("tags", []) for cell in nb.cells)
        copy = student_copy(nb)
        nbformat.write(copy, output / path.name)
        print(
            f"wrote {(output / path.name).relative_to(ROOT) if output.is_relative_to(ROOT) else output / path.name} ({solutions} solution cells and {notes} instructor notes removed)"
        )


def main(argv=None) -> int:
    student(notebook_arguments(__doc__, argv).notebooks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
