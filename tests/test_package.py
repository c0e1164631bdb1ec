"""The package stays light (importing it loads neither PyTorch nor TensorFlow) and has no import cycle."""

import subprocess
import sys
from pathlib import Path

import pytest

import course_utils

FOUNDATIONS = [
    "activations",
    "losses",
    "layers",
    "optim",
    "gradcheck",
    "train",
    "autograd",
    "convolution",
    "neuron",
    "gradient_descent",
]
LIGHT_MODULES = [
    "course_utils",
    "course_utils.paths",
    "course_utils.env",
    "course_utils.data",
    "course_utils.foundations",
    *[f"course_utils.foundations.{name}" for name in FOUNDATIONS],
    "course_utils.frameworks",
    "course_utils.frameworks.recipes",
    "course_utils.frameworks.cache",
    "course_utils.exercises",
    "course_utils.plotting",
    "course_utils.widgets",
    "course_utils.xai",
    "course_utils.robustness",
    "course_utils.robustness.adversarial",
    "course_utils.robustness.fairness",
]
PACKAGE = Path(course_utils.__file__).parent


def _all_modules() -> list[str]:
    """Every module of the package, from its files (so a new module is checked without editing this list)."""
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_light_modules_are_all_there():
    modules = _all_modules()
    assert set(LIGHT_MODULES) <= set(modules)
    assert {f"course_utils.foundations.{name}" for name in FOUNDATIONS} == {
        m for m in modules if m.startswith("course_utils.foundations.")
    }


@pytest.mark.parametrize("module", LIGHT_MODULES)
def test_import_loads_no_framework(module):
    code = f"import sys, {module}; print(sorted(m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules))"
    out = _run(code)
    assert out == "[]", f"import {module} loaded {out}"


@pytest.mark.parametrize("module", _all_modules())
def test_every_module_imports_alone_in_a_fresh_interpreter(module):
    """No import cycle: each module can be the first one imported (a cycle fails for some entry point)."""
    assert _run(f"import importlib; importlib.import_module({module!r}); print('ok')") == "ok"


def test_paths_imports_nothing_of_the_package():
    out = _run(
        "import sys, course_utils.paths; print(sorted(m for m in sys.modules if m.startswith('course_utils')))"
    )
    assert out == "['course_utils', 'course_utils.paths']"


def test_set_seed_makes_numpy_repeatable():
    import numpy as np

    from course_utils.env import set_seed

    set_seed(3)
    first = np.random.rand(4)
    set_seed(3)
    assert np.array_equal(first, np.random.rand(4))


def test_set_seed_seeds_torch_only_when_imported():
    code = (
        "import sys; from course_utils.env import set_seed; set_seed(1); assert 'torch' not in sys.modules;"
        "import torch; set_seed(5); a = torch.rand(3); set_seed(5); b = torch.rand(3); print(bool((a == b).all()))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "True"


def test_check_environment_reports_every_pin(capsys):
    from course_utils.env import PINNED, check_environment

    statuses = check_environment()
    printed = capsys.readouterr().out
    assert set(statuses) == set(PINNED)
    for name in PINNED:
        assert name in printed
    assert all(status == "OK" for status in statuses.values()), statuses
    assert "MNIST:" in printed


def test_check_environment_flags_missing_and_wrong_versions(monkeypatch, capsys):
    from course_utils import env

    monkeypatch.setattr(env, "PINNED", {"numpy": "0.0.1", "surely-not-installed-pkg": "1.0"})
    statuses = env.check_environment()
    assert statuses["numpy"].startswith("wrong version")
    assert statuses["surely-not-installed-pkg"] == "missing"


def test_data_dir_honours_environment(monkeypatch, tmp_path):
    from course_utils.paths import data_dir, models_dir

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    assert data_dir() == tmp_path / "cache"
    assert data_dir().is_dir()
    assert models_dir() == tmp_path / "cache" / "models"
