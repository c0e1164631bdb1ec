"""The environment is written down twice, and once more for Binder, and they agree:

- pyproject.toml declares compatible ranges (what `pip install` of the course accepts);
- requirements.lock holds the exact, tested versions with their hashes (what `make` installs):
  every locked version lies in pyproject's ranges, every dependency of a locked package is locked
  too, and the environment the tests run in is the locked one;
- environment.yml (Binder, conda) pins exactly the lock's versions;
- course_utils.env.PINNED is no copy: it is pyproject's ranges, read from the installed metadata.
postBuild installs the package without touching the environment and is executable.
"""

import os
import re
import subprocess
import tomllib
from importlib.metadata import PackageNotFoundError, distribution
from pathlib import Path

import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from course_utils.env import PINNED
from tools.lock import LOCK, TORCH_CPU_INDEX, read_lock

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)$")


def _project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _requirements(extras=True) -> list[Requirement]:
    project = _project()
    lines = list(project["dependencies"])
    if extras:
        for group in project.get("optional-dependencies", {}).values():
            lines += group
    return [Requirement(line) for line in lines]


def _applies(requirement: Requirement, extra: str = "") -> bool:
    if requirement.marker is None:
        return True
    return requirement.marker.evaluate({**default_environment(), "extra": extra})


def _environment():
    return yaml.safe_load((ROOT / "environment.yml").read_text())


def _environment_pip_section() -> list[str]:
    sections = [
        d["pip"] for d in _environment()["dependencies"] if isinstance(d, dict) and "pip" in d
    ]
    assert len(sections) == 1, "environment.yml needs exactly one pip: section"
    return sections[0]


def test_pyproject_declares_ranges_not_pins():
    for requirement in _requirements():
        operators = {spec.operator for spec in requirement.specifier}
        assert operators and not operators & {"==", "==="}, (
            f"{requirement}: declare a compatible range (>=lower,<next major), the lock pins"
        )
        assert ">=" in operators, f"{requirement}: no lower bound"


def test_every_locked_version_satisfies_the_ranges():
    lock = read_lock()
    for requirement in _requirements():
        if not _applies(requirement):
            continue
        name = canonicalize_name(requirement.name)
        assert name in lock, f"{requirement} is not in {LOCK.name}: run `make lock`"
        assert requirement.specifier.contains(Version(lock[name]), prereleases=True), (
            f"{LOCK.name} has {name}=={lock[name]}, outside pyproject's {requirement}"
        )


def test_the_lock_is_closed_under_dependencies():
    """Every requirement of a locked package (on this machine) is locked too, in its range."""
    lock = read_lock()
    missing = []
    for name in lock:
        try:
            requires = distribution(name).requires or []
        except PackageNotFoundError:
            missing.append(f"{name} (locked but not installed)")
            continue
        for line in requires:
            requirement = Requirement(line)
            if not _applies(requirement):
                continue
            dep = canonicalize_name(requirement.name)
            if dep not in lock:
                missing.append(f"{dep} (needed by {name})")
            elif not requirement.specifier.contains(Version(lock[dep]), prereleases=True):
                missing.append(f"{dep}=={lock[dep]} outside {name}'s {requirement.specifier}")
    assert not missing, f"{LOCK.name} is incomplete: {missing}; run `make lock`"


def test_the_tests_run_in_the_locked_environment():
    different = {}
    for name, version in read_lock().items():
        try:
            installed = distribution(name).version
        except PackageNotFoundError:
            installed = None
        if installed is None or Version(installed).public != version:
            different[name] = (version, installed)
    assert not different, (
        f"installed versions differ from {LOCK.name} (lock, installed): {different}"
    )


def test_every_locked_package_has_a_hash_and_torch_only_cpu_builds():
    text = LOCK.read_text()
    blocks = re.split(r"\n(?=[A-Za-z0-9])", text[text.index("\n\n") + 2 :])
    for block in blocks:
        name = block.split("==")[0]
        assert re.search(r"--hash=sha256:[0-9a-f]{64}", block), f"{name} has no hash"
    torch = next(b for b in blocks if b.startswith("torch=="))
    assert "+" not in torch.split()[0], (
        "the lock must say torch==X, which the X+cpu build satisfies"
    )
    assert TORCH_CPU_INDEX in text


def test_environment_yml_pins_exactly_the_lock():
    pip = _environment_pip_section()
    assert pip[0] == f"--extra-index-url {TORCH_CPU_INDEX}", (
        "torch must come from the PyTorch CPU index"
    )
    environment = {}
    for line in pip[1:]:
        match = PIN.match(line.strip())
        assert match, f"environment.yml: {line!r} is not pinned as name==version"
        environment[canonicalize_name(match[1])] = match[2]
    lock = read_lock()
    assert environment == lock, (
        f"environment.yml and {LOCK.name} differ: only in environment.yml "
        f"{sorted(environment.keys() - lock.keys())}, only in the lock {sorted(lock.keys() - environment.keys())}, "
        f"versions {sorted(n for n in environment.keys() & lock.keys() if environment[n] != lock[n])}; run `make lock`"
    )


def test_environment_yml_is_cpu_only_python_311():
    environment = _environment()
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    assert "python=3.11" in conda and "pip" in conda, (
        f"conda section must hold python=3.11 and pip, has {conda}"
    )
    names = set(read_lock())
    assert "tensorflow-cpu" in names and "tensorflow" not in names, (
        "TensorFlow must be the tensorflow-cpu package"
    )
    assert not {n for n in names if n.startswith(("nvidia-", "tensorflow-gpu"))}, (
        "a CUDA package is locked"
    )


def test_pinned_is_the_pyproject_ranges_read_from_the_installed_metadata():
    expected = {
        requirement.name: requirement.specifier
        for requirement in _requirements(extras=False)
        if _applies(requirement)
    }
    assert {name: SpecifierSet(spec) for name, spec in PINNED.items()} == expected, (
        "course_utils.env.PINNED differs from pyproject.toml's ranges: reinstall the package (make setup)"
    )


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
