"""The three places that pin the environment agree: pyproject.toml, environment.yml (Binder, conda)
and course_utils.env.PINNED; postBuild installs the package and is executable."""

import os
import re
import subprocess
import tomllib
from pathlib import Path

import yaml

from course_utils.env import PINNED

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)$")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pins(requirements) -> dict[str, str]:
    pins = {}
    for requirement in requirements:
        match = PIN.match(requirement.strip())
        assert match, f"{requirement!r} is not pinned as name==version"
        name = _canonical(match.group(1))
        assert name not in pins, f"{name} is pinned twice"
        pins[name] = match.group(2)
    return pins


def _pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return _pins(project["dependencies"]), _pins(project["optional-dependencies"]["dev"])


def _environment():
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def _environment_pip_section() -> list[str]:
    sections = [
        d["pip"] for d in _environment()["dependencies"] if isinstance(d, dict) and "pip" in d
    ]
    assert len(sections) == 1, "environment.yml needs exactly one pip: section"
    return sections[0]


def test_environment_yml_pins_exactly_the_pyproject_pins_dev_extra_included():
    runtime, dev = _pyproject()
    requirements = [line for line in _environment_pip_section() if not line.startswith("-")]
    environment = _pins(requirements)
    expected = {**runtime, **dev}
    missing = {n: v for n, v in expected.items() if n not in environment}
    extra = {n: v for n, v in environment.items() if n not in expected}
    different = {
        n: (expected[n], environment[n])
        for n in expected.keys() & environment.keys()
        if expected[n] != environment[n]
    }
    assert not missing, f"in pyproject.toml but not in environment.yml: {missing}"
    assert not extra, f"in environment.yml but not in pyproject.toml: {extra}"
    assert not different, (
        f"pyproject.toml and environment.yml disagree (pyproject, environment.yml): {different}"
    )


def test_course_utils_pinned_table_equals_the_pyproject_runtime_pins():
    runtime, _ = _pyproject()
    assert {_canonical(n): v for n, v in PINNED.items()} == runtime


def test_environment_yml_is_cpu_only_python_311():
    environment = _environment()
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    assert "python=3.11" in conda and "pip" in conda, (
        f"conda section must hold python=3.11 and pip, has {conda}"
    )
    pip = _environment_pip_section()
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in pip, (
        "torch must come from the PyTorch CPU index"
    )
    names = {_canonical(PIN.match(line).group(1)) for line in pip if PIN.match(line)}
    assert "tensorflow-cpu" in names and "tensorflow" not in names, (
        "TensorFlow must be the tensorflow-cpu package"
    )
    assert not {"tensorflow-gpu", "nvidia-cudnn-cu12"} & names


def test_postbuild_installs_the_package_without_dependencies_and_is_executable():
    post_build = ROOT / "postBuild"
    commands = [
        line.strip()
        for line in post_build.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert "pip install --no-deps -e ." in commands
    assert os.access(post_build, os.X_OK), "postBuild must be executable: chmod +x postBuild"
    # a fresh clone gets the mode git recorded, not the one on this disk
    tracked = subprocess.run(
        ["git", "ls-files", "-s", "postBuild"], cwd=ROOT, capture_output=True, text=True
    )
    if tracked.returncode == 0 and tracked.stdout.strip():
        assert tracked.stdout.split()[0] == "100755", (
            "git records postBuild as not executable: git update-index --chmod=+x postBuild"
        )
