"""The Colab cell (docs/colab_cell.py): the first code cell of every chapter installs the course
package when course_utils is missing, says so in one line, and does nothing anywhere else.

The install path is proved without a network: a wheel of the course, built here, and a fresh
venv that has the course's dependencies but not course_utils; the welcome chapter, its first cell
pointed at the wheel by COURSE_PACKAGE, runs there with pip refused every index and prints what
the committed chapter prints.
"""

import json
import os
import subprocess

import nbformat
import pytest

from tests.notebooks.run import printed
from tests.packaging.fresh_venv import course_wheel, fresh_venv, run
from tools import repository
from tools.notebooks import ROOT, course_notebooks

CELL = repository.COLAB_CELL.read_text(encoding="utf-8").strip()
#: the chapter run in a fresh environment (its check_environment cell lists every package)
CHAPTER = ROOT / "notebooks" / "00_welcome.ipynb"


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_every_chapter_starts_with_the_colab_cell(path):
    cell, _ = repository.first_code_cell(path)
    assert cell is not None and cell.source.strip() == CELL, (
        f"{path.name}: the first code cell must be docs/colab_cell.py"
    )


def test_the_cell_does_nothing_where_the_course_is_installed(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: calls.append(a))
    exec(compile(CELL, "colab_cell", "exec"), {})
    assert not calls, "the cell ran pip although course_utils is installed"
    assert capsys.readouterr().out == "", "the cell printed something where it has nothing to do"


def test_a_chapter_installs_the_course_from_a_wheel_in_a_fresh_environment(tmp_path):
    """The welcome chapter, run in a venv without course_utils: its first cell installs the wheel
    (one line), and every later cell prints what the committed chapter prints."""
    wheel = course_wheel(tmp_path / "build")
    python = fresh_venv(tmp_path / "fresh")
    before = run(python, "import importlib.util; print(importlib.util.find_spec('course_utils'))")
    assert before.stdout.strip() == "None", f"course_utils is visible before the cell: {before}"

    committed = nbformat.read(CHAPTER, as_version=4)
    nb = nbformat.read(CHAPTER, as_version=4)
    first, _ = repository.first_code_cell(CHAPTER)
    if first is None or first.source.strip() != CELL:
        pytest.fail(f"{CHAPTER.name} does not start with the Colab cell")
    nb.cells.append(nbformat.v4.new_code_cell("import course_utils\nprint(course_utils.__file__)"))
    notebook = tmp_path / CHAPTER.name
    nbformat.write(nb, notebook)
    kernels = tmp_path / "jupyter" / "kernels" / "python3"
    kernels.mkdir(parents=True)
    spec = {"argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"]}
    (kernels / "kernel.json").write_text(json.dumps({**spec, "display_name": "fresh"}))
    env = {
        **os.environ,
        "COURSE_PACKAGE": str(wheel),
        "COURSE_MNIST": "offline",
        "PIP_NO_INDEX": "1",  # no network: everything must come from the wheel and what is there
        "JUPYTER_PATH": str(tmp_path / "jupyter"),
        "PYTHONNOUSERSITE": "1",
    }
    env.pop("PYTHONPATH", None)
    code = (
        "import nbformat, sys; from nbclient import NotebookClient;"
        f"nb = nbformat.read({str(notebook)!r}, as_version=4);"
        "NotebookClient(nb, timeout=600, kernel_name='python3').execute();"
        f"nbformat.write(nb, {str(notebook)!r})"
    )
    result = run(python, code, env=env, timeout=900)
    assert result.returncode == 0, f"the chapter failed in the fresh venv: {result.stderr[-3000:]}"

    executed = nbformat.read(notebook, as_version=4)
    code_cells = [c for c in executed.cells if c.cell_type == "code"]
    install, location_cell = code_cells[0], code_cells[-1]
    said = "".join(o.get("text", "") for o in install.outputs if o.output_type == "stream")
    lines = [line for line in said.splitlines() if line.strip()]
    assert lines == [f"course_utils is missing: installing the course package from {wheel}"], (
        f"the cell must say what it does in one line, printed {lines}"
    )
    location = "".join(o.get("text", "") for o in location_cell.outputs).strip()
    assert location.startswith(str(tmp_path / "fresh" / "venv")), (
        f"course_utils came from {location}, not from the installed wheel"
    )
    executed.cells.pop()  # the location cell
    got, expected = printed(executed)[1:], printed(committed)[1:]
    assert got == expected, (
        f"{CHAPTER.name} prints something else once installed from the wheel: "
        f"{[(e, g) for e, g in zip(expected, got, strict=False) if e != g][:2]}"
    )
