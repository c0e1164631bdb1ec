"""The learner's environment: one seed for every library, and a one-glance dependency check."""

from __future__ import annotations

import importlib.metadata
import os
import random
import sys
from pathlib import Path

import numpy as np

PROJECT = "blackbox-course"
_PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def course_requirements() -> dict[str, str]:
    """``{package: version range}`` the course needs on this machine (pyproject.toml's ranges).

    Read from the installed package's metadata, or from pyproject.toml beside the package in a
    checkout that was never installed: the ranges are written down once, in pyproject.toml (the
    exact tested versions are in requirements.lock). Requirements whose environment marker
    excludes this machine (tensorflow-cpu on macOS, say) and the optional extras are left out.
    """
    from packaging.requirements import Requirement

    try:
        lines = importlib.metadata.requires(PROJECT) or []
    except importlib.metadata.PackageNotFoundError:
        if not _PYPROJECT.is_file():
            return {}
        import tomllib

        lines = tomllib.loads(_PYPROJECT.read_text(encoding="utf-8"))["project"]["dependencies"]
    needs = {}
    for line in lines:
        requirement = Requirement(line)
        if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
            # lower bound first: ">=2.0,<3"
            specs = sorted(map(str, requirement.specifier), key=lambda s: s.startswith("<"))
            needs[requirement.name] = ",".join(specs)
    return needs


#: The packages the course needs and the versions it accepts, as ``{name: range}``.
PINNED = course_requirements()


def set_seed(seed: int = 0) -> None:
    """Seed Python's ``random``, NumPy, and the frameworks that are already imported.

    PyTorch and TensorFlow are seeded only if a notebook has imported them,
    so calling this never loads a framework.
    """
    random.seed(seed)
    np.random.seed(seed)
    os.environ["PYTHONHASHSEED"] = str(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)
    if "keras" in sys.modules:
        sys.modules["keras"].utils.set_random_seed(seed)
    elif "tensorflow" in sys.modules:
        sys.modules["tensorflow"].random.set_seed(seed)


def _installed_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _accepted(installed: str, accepted: str) -> bool:
    """Whether ``installed`` lies in the range ``accepted`` (a bare version means exactly it).

    "2.13.0+cpu", the CPU build of torch 2.13.0, is 2.13.0 for this purpose.
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import Version

    try:
        specifier = SpecifierSet(accepted)
    except InvalidSpecifier:
        specifier = SpecifierSet(f"=={accepted}")
    return specifier.contains(Version(installed).public, prereleases=True)


def check_environment(verbose: bool = True) -> dict[str, str]:
    """Print one line per dependency (name, version, OK / missing / wrong version).

    Also says which MNIST digits are used (the course subset or full MNIST, and how
    to switch). Returns ``{package: status}`` so a test can read it.
    """
    from course_utils.data.mnist import describe_source

    statuses = {}
    lines = [
        f"Python {sys.version.split()[0]}  "
        + ("OK" if sys.version_info[:2] == (3, 11) else "(the course is tested on 3.11)")
    ]
    for name, accepted in PINNED.items():
        installed = _installed_version(name)
        if installed is None:
            status = "missing"
        elif _accepted(installed, accepted):
            status = "OK"
        else:
            status = f"wrong version (the course needs {accepted})"
        statuses[name] = status
        lines.append(f"{name:<16} {installed or '-':<12} {status}")
    lines.append(f"MNIST: {describe_source()}")
    if verbose:
        print("\n".join(lines))
    return statuses
