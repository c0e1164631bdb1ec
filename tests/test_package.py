"""The package stays light: importing it must not load PyTorch or TensorFlow."""

import subprocess
import sys

import pytest

LIGHT_MODULES = ["course_utils", "course_utils.env", "course_utils.data", "course_utils.recipes", "course_utils.exercises", "course_utils.plotting", "course_utils.xai"]


@pytest.mark.parametrize("module", LIGHT_MODULES)
def test_import_loads_no_framework(module):
    code = f"import sys, {module}; print(sorted(m for m in ('torch', 'tensorflow', 'keras') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]", f"import {module} loaded {out}"


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
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
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
    from course_utils.env import data_dir

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    assert data_dir() == tmp_path / "cache"
    assert data_dir().is_dir()
