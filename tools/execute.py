"""Re-run notebooks in place from a clean kernel: ``python -m tools.execute [notebooks...]``."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import nbformat

from tools.notebooks import client, notebook_arguments, read


def execute(paths: list[Path]) -> None:
    """Re-run each notebook in place from a clean kernel (how committed outputs are made)."""
    if os.environ.get("COURSE_MNIST") != "offline":
        print("note: COURSE_MNIST is not 'offline'; outputs will show the source this machine has")
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
