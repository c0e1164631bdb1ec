"""One style for all the code: `ruff check` finds nothing and `ruff format` would change nothing (`make lint`)."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CODE = ["course_utils", "tests", "tools", "benchmarks", "notebooks", "hub", "docs"]


def _ruff(*args: str) -> subprocess.CompletedProcess:
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if ruff is None:
        pytest.fail("ruff is missing: pip install -e '.[dev]'")
    return subprocess.run([ruff, *args, *CODE], cwd=ROOT, capture_output=True, text=True)


def test_ruff_check_finds_nothing():
    result = _ruff("check", "--output-format", "concise")
    assert result.returncode == 0, (
        f"ruff check found problems (run `make lint`):\n{result.stdout[-3000:]}"
    )


def test_code_is_formatted():
    result = _ruff("format", "--check")
    assert result.returncode == 0, f"these files need `make format`:\n{result.stdout[-3000:]}"
