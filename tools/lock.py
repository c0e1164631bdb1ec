"""The exact, tested environment: ``python -m tools.lock`` (``make lock``) writes requirements.lock
and environment.yml's pip section from one resolution.

pip resolves the course with every extra (``.[dev,site,...]``) against the versions installed in
the running environment (the one the tests passed in), as a dry run, and reports what it would
install. requirements.lock gets one ``name==version`` line per package with the SHA-256 of every
PyPI file of that version a CPython 3.11 can install (so pip can verify whichever wheel fits the
machine), in hash-checking mode; environment.yml (Binder, conda) gets the same pins.

torch is special: PyPI's Linux wheel of torch bundles CUDA (several GB), the PyTorch CPU index
has the CPU build as ``X+cpu``. The lock says ``torch==X`` (which ``X+cpu`` satisfies) with the
hashes of the CPU builds only: the ``+cpu`` wheel this environment runs and PyPI's macOS and
Windows wheels, never PyPI's Linux ones, so hash checking itself refuses a CUDA build. `make`
installs torch first, from the CPU index, on Linux without an NVIDIA GPU; ``TORCH_CPU=0`` opts
out and takes PyPI's build of the same version (unhashed), then the rest of the lock.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import tomllib
import urllib.request
from pathlib import Path

from packaging.tags import Tag
from packaging.utils import canonicalize_name, parse_sdist_filename, parse_wheel_filename
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
ENVIRONMENT = ROOT / "environment.yml"
PYPI_SIMPLE = "https://pypi.org/simple"
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
PROJECT = "blackbox-course"

LOCK_HEADER = f"""\
# The exact versions the course's tests ran with, for CPython 3.11 on Linux x86-64 (CI's machine).
# Written by `make lock` (python -m tools.lock) from pyproject.toml's ranges; do not edit by hand.
# `make lab` / `make test` install it with `pip install --no-deps --require-hashes -r requirements.lock`
# (torch first: from {TORCH_CPU_INDEX} on Linux without an NVIDIA GPU), then the course itself.
# environment.yml pins the same versions; tests/test_environment_files.py keeps them consistent.
"""

ENVIRONMENT_HEADER = """\
# The conda / Binder environment of the course: the pip section pins exactly the versions of
# requirements.lock (written with it by `make lock`; tests/test_environment_files.py keeps them
# equal). CPU-only wheels: torch comes from the PyTorch CPU index (torch==X matches its X+cpu
# wheel), TensorFlow is the tensorflow-cpu package. postBuild then installs course_utils with --no-deps.
name: blackbox-course
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""


def extras(pyproject: Path = ROOT / "pyproject.toml") -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    return sorted(project.get("optional-dependencies", {}))


def installed_constraints() -> str:
    """``name==version`` for every package of the running environment (the tested versions)."""
    from importlib.metadata import distributions

    lines = {}
    for dist in distributions():
        name = canonicalize_name(dist.metadata["Name"])
        if name != PROJECT and name not in lines:
            lines[name] = f"{name}=={dist.version}"
    return "\n".join(sorted(lines.values())) + "\n"


def resolve() -> list[dict]:
    """pip's installation report for the course with every extra, held to the installed versions."""
    with tempfile.TemporaryDirectory() as tmp:
        constraints = Path(tmp) / "constraints.txt"
        constraints.write_text(installed_constraints())
        report = Path(tmp) / "report.json"
        target = f".[{','.join(extras())}]" if extras() else "."
        subprocess.run(
            [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet"]
            + ["--report", str(report), "-c", str(constraints), target],
            cwd=ROOT,
            check=True,
        )
        installs = json.loads(report.read_text())["install"]
    return [i for i in installs if canonicalize_name(i["metadata"]["name"]) != PROJECT]


def _fits_cpython311(filename: str) -> bool:
    """An sdist, or a wheel some CPython 3.11 can install (any operating system)."""
    if not filename.endswith(".whl"):
        return True
    tags: frozenset[Tag] = parse_wheel_filename(filename)[3]
    for tag in tags:
        if tag.interpreter in {"py3", "py311", "cp311"} or tag.interpreter.startswith("py2.py3"):
            return True
        if tag.abi == "abi3" and re.fullmatch(r"cp3(\d+)", tag.interpreter):
            if int(tag.interpreter[3:]) <= 11:
                return True
    return False


def pypi_hashes(name: str, version: str, exclude_linux: bool = False) -> set[str]:
    """SHA-256 of every file PyPI holds for ``name==version`` that CPython 3.11 can install.

    ``exclude_linux`` leaves out the Linux wheels (PyPI's Linux torch bundles CUDA).
    """
    request = urllib.request.Request(
        f"{PYPI_SIMPLE}/{canonicalize_name(name)}/",
        headers={"Accept": "application/vnd.pypi.simple.v1+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        files = json.load(response)["files"]
    wanted = Version(version)
    hashes = set()
    for file in files:
        filename = file["filename"]
        try:
            if filename.endswith(".whl"):
                file_version = parse_wheel_filename(filename)[1]
            else:
                file_version = parse_sdist_filename(filename)[1]
        except Exception:  # noqa: BLE001  (eggs, odd names: not installable by pip)
            continue
        if exclude_linux and "linux" in filename:
            continue
        if file_version == wanted and _fits_cpython311(filename) and "sha256" in file["hashes"]:
            hashes.add(file["hashes"]["sha256"])
    return hashes


def lock_entries(installs: list[dict]) -> list[tuple[str, str, list[str]]]:
    """(name, version, hashes) per package, sorted by name; torch without its local label."""
    entries = []
    for item in installs:
        name = canonicalize_name(item["metadata"]["name"])
        version = Version(item["metadata"]["version"])
        reported = item["download_info"].get("archive_info", {}).get("hashes", {})
        hashes = set(filter(None, [reported.get("sha256")]))
        public = version.public
        hashes |= pypi_hashes(name, public, exclude_linux=name == "torch")
        if not hashes:
            raise SystemExit(f"no SHA-256 found for {name}=={version}")
        entries.append((name, public, sorted(hashes)))
    return sorted(entries)


def lock_text(entries) -> str:
    lines = [LOCK_HEADER]
    for name, version, hashes in entries:
        lines.append(f"{name}=={version} \\")
        lines.extend(
            f"    --hash=sha256:{h}" + (" \\" if i < len(hashes) - 1 else "")
            for i, h in enumerate(hashes)
        )
    return "\n".join(lines) + "\n"


def environment_text(entries) -> str:
    pins = [f"      - --extra-index-url {TORCH_CPU_INDEX}"]
    pins += [f"      - {name}=={version}" for name, version, _ in entries]
    return ENVIRONMENT_HEADER + "\n".join(pins) + "\n"


def read_lock(path: Path = LOCK) -> dict[str, str]:
    """``{canonical name: version}`` of requirements.lock."""
    pins = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;\\]+)", line)
        if match:
            pins[canonicalize_name(match[1])] = match[2]
    return pins


def main(argv=None) -> int:
    entries = lock_entries(resolve())
    LOCK.write_text(lock_text(entries), encoding="utf-8")
    ENVIRONMENT.write_text(environment_text(entries), encoding="utf-8")
    print(f"wrote {LOCK.name} and {ENVIRONMENT.name}: {len(entries)} packages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
