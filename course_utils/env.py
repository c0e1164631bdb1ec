"""The learner's environment: one seed for every library, and a one-glance dependency check."""

from __future__ import annotations

import importlib.metadata
import os
import random
import sys

import numpy as np

#: The packages the course needs, with the versions it was tested with.
#: Kept equal to the pins in pyproject.toml by tests/test_environment_files.py.
PINNED = {
    "numpy": "2.4.6",
    "scipy": "1.17.1",
    "pandas": "3.1.1",
    "matplotlib": "3.11.2",
    "scikit-learn": "1.9.1",
    "scikit-image": "0.26.0",
    "pooch": "1.9.0",
    "tqdm": "4.70.1",
    "psutil": "7.2.2",
    "ipykernel": "7.4.0",
    "ipywidgets": "8.1.9",
    "jupyterlab": "4.6.6",
    "jupyterlab-rise": "0.43.1",
    "nbformat": "5.11.1",
    "nbclient": "0.11.0",
    "nbconvert": "7.17.2",
    "torch": "2.13.0",
    "tensorflow-cpu": "2.21.0",
    "keras": "3.15.1",
    "captum": "0.9.0",
    "shap": "0.51.0",
    "lime": "0.2.0.1",
    "mlxtend": "0.25.0",
}


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


def _same_version(installed: str, pinned: str) -> bool:
    # "2.13.0+cpu" is the CPU build of "2.13.0"
    return installed.split("+")[0] == pinned


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
    for name, pinned in PINNED.items():
        installed = _installed_version(name)
        if installed is None:
            status = "missing"
        elif _same_version(installed, pinned):
            status = "OK"
        else:
            status = f"wrong version (course tested with {pinned})"
        statuses[name] = status
        lines.append(f"{name:<16} {installed or '-':<12} {status}")
    lines.append(f"MNIST: {describe_source()}")
    if verbose:
        print("\n".join(lines))
    return statuses
