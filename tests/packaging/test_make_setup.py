"""What `make lab` / `make test` install, read from `make -n` (nothing is run): the lock with its
hashes, torch first and from the PyTorch CPU index on Linux without nvidia-smi, PyPI's torch when
an NVIDIA GPU is there or TORCH_CPU=0 opts out, and then the course itself."""

import os
import platform
import shutil
import subprocess

import pytest

from tools.lock import TORCH_CPU_INDEX
from tools.notebooks import ROOT

pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or platform.machine() != "x86_64" or not shutil.which("make"),
    reason="the lock is installed on Linux x86-64 (elsewhere make takes the ranges)",
)


def planned(tmp_path, gpu: bool, *args) -> list[str]:
    """The commands `make setup` would run, with or without an nvidia-smi on the PATH."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "nvidia-smi"
    if gpu:
        fake.write_text("#!/bin/sh\nexit 0\n")
        fake.chmod(0o755)
    elif fake.exists():
        fake.unlink()
    path = os.pathsep.join(
        [str(bin_dir)]
        + [
            p
            for p in os.environ["PATH"].split(os.pathsep)
            if not (os.path.isfile(os.path.join(p, "nvidia-smi")))
        ]
    )
    result = subprocess.run(
        ["make", "-n", "-W", "pyproject.toml", "setup", *args],
        cwd=ROOT,
        env={**os.environ, "PATH": path},
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in result.stdout.splitlines() if "pip install" in line]


def test_without_a_gpu_torch_comes_first_from_the_cpu_index_then_the_hashed_lock(tmp_path):
    commands = planned(tmp_path, gpu=False)
    torch, lock = commands[1], commands[2]
    assert f"--extra-index-url {TORCH_CPU_INDEX}" in torch and "--require-hashes" in torch
    assert "-r .venv/torch.lock" in torch
    assert lock.endswith("--no-deps --require-hashes -r requirements.lock")
    assert TORCH_CPU_INDEX not in lock, "only torch needs the CPU index"
    assert commands[3].endswith('-e ".[dev,site,hub,grading,mutation]"')


def test_with_an_nvidia_gpu_or_torch_cpu_0_torch_comes_from_pypi(tmp_path):
    for commands in (planned(tmp_path, gpu=True), planned(tmp_path, False, "TORCH_CPU=0")):
        assert not any(TORCH_CPU_INDEX in c for c in commands), commands
        assert any("grep -o '^torch==" in c for c in commands), commands
        assert any(c.endswith("--require-hashes -r requirements.lock") for c in commands)


def test_the_torch_lines_are_the_locks_torch_entry(tmp_path):
    """The sed expression of the Makefile cuts torch's block out of the lock and nothing else."""
    sed = next(
        line
        for line in subprocess.run(
            ["make", "-n", "-W", "pyproject.toml", "setup"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        if line.startswith("sed ")
    )
    block = subprocess.run(
        sed.split(" > ")[0], shell=True, cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    lines = block.splitlines()
    assert lines[0].startswith("torch==") and lines[0].endswith("\\")
    assert all(line.strip().startswith("--hash=sha256:") for line in lines[1:])
    assert not lines[-1].endswith("\\")
