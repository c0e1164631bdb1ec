"""Re-run notebooks in place from a clean kernel: ``python -m tools.execute [notebooks...]``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import nbformat

from tools.notebooks import client, notebook_arguments, read


def execute(paths: list[Path]) -> None:
    """Re-run each notebook in place from a clean kernel (how committed outputs are made)."""
    from course_utils.data import is_course_subset

    if not is_course_subset():
        print(
            "note: COURSE_MNIST asks for full MNIST; the committed outputs are made on the course subset"
        )
    for path in paths:
        start = time.perf_counter()
        nb = read(path)
        client(nb, path).execute()
        nbformat.write(nb, path)
        print(f"executed {path.name} in {time.perf_counter() - start:.1f} s")


def main(argv=None) -> int:
    execute(notebook_arguments(__doc__, argv).notebooks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
