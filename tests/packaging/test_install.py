"""`pip install` of the course into an environment that already has its dependencies, at other
versions within pyproject.toml's ranges, changes none of them (a JupyterHub image, Colab, a
learner's venv keep their stack).

A fresh venv sees the course's dependencies (tests/packaging/fresh_venv.py) and holds older
releases of two of them, inside the ranges; the course's wheel is then installed with pip
refused every index. Exact pins would make pip want the locked versions, which it cannot reach.
"""

import json
import os
import subprocess

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

from course_utils.env import PINNED
from tests.packaging.fresh_venv import course_wheel, fresh_venv, run

#: light, pure-Python dependencies at releases older than the lock's, within the course's ranges
OLDER = {"tqdm": "4.66.5", "pooch": "1.8.2"}


def _installed(python, name) -> str:
    result = run(python, f"from importlib.metadata import version; print(version({name!r}))")
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_older_versions_are_within_the_ranges():
    for name, version in OLDER.items():
        assert Requirement(f"{name}{PINNED[name]}").specifier.contains(Version(version)), (
            f"{name}=={version} is outside the course's range {PINNED[name]}: pick another"
        )


def test_installing_the_course_keeps_other_versions_within_the_ranges(tmp_path):
    python = fresh_venv(tmp_path / "fresh")
    wheels = tmp_path / "wheels"
    pins = [f"{name}=={version}" for name, version in OLDER.items()]
    # the only download: two small wheels from the package index (the fresh venv uses the
    # dependencies' pip, which installs into the fresh venv)
    got = subprocess.run(
        [str(python), "-m", "pip", "download", "--quiet", "--no-deps", "--dest", str(wheels)]
        + pins,
        capture_output=True,
        text=True,
        check=False,
    )
    if got.returncode != 0:
        message = f"could not download {pins} from the package index: {got.stderr[-500:]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index"]
        + ["--find-links", str(wheels)]
        + pins,
        check=True,
    )
    for name, version in OLDER.items():
        assert _installed(python, name) == version, f"{name}=={version} did not install"

    wheel = course_wheel(tmp_path / "build")
    report = tmp_path / "report.json"
    installed = subprocess.run(
        [str(python), "-m", "pip", "install", "--no-index", "--find-links", str(wheels)]
        + ["--report", str(report), str(wheel)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert installed.returncode == 0, (
        f"pip could not install the course without changing what is there: {installed.stderr[-2000:]}"
    )
    changed = [item["metadata"]["name"] for item in json.loads(report.read_text())["install"]]
    assert changed == ["blackbox-course"], f"pip installed more than the course: {changed}"
    for name, version in OLDER.items():
        assert _installed(python, name) == version, f"installing the course changed {name}"
    imported = run(python, "import course_utils, tqdm; print(course_utils.__file__)")
    assert imported.returncode == 0 and str(tmp_path) in imported.stdout, imported
