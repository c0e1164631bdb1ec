"""Same notebook, same numbers: each chapter run twice from a clean kernel prints the same outputs.

Timings, memory figures, progress bars and addresses are masked (``run.VOLATILE``), and a cell
tagged ``volatile`` (a table of timings, a speed ratio) is not compared; everything else a cell
prints, numbers and tables included, must be equal between the two runs.
"""

import difflib

import pytest

from tests.notebooks.run import printed, run
from tools.bench import train_course_models
from tools.notebooks import course_notebooks


@pytest.fixture(scope="module")
def trained_models():
    """The cached course models exist before the first run (else only that run would print their training)."""
    train_course_models()


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_a_notebook_run_twice_prints_the_same(trained_models, path):
    first, _, _ = run(path)
    second, _, _ = run(path)
    for index, (a, b) in enumerate(zip(printed(first), printed(second), strict=True)):
        if a != b:
            diff = "\n".join(
                list(difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0))[2:12]
            )
            pytest.fail(
                f"{path.name}: code cell {index} printed something else the second time:\n{diff}"
            )
