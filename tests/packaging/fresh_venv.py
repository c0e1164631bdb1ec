"""Fresh virtual environments that see the course's dependencies but not the course itself.

The course's own venv holds every dependency, and course_utils as an editable install. A test of
"install the course into someone else's environment" needs the first without the second, and no
network: ``fresh_venv`` makes a venv without pip whose site-packages has a .pth line pointing at a
folder of symbolic links to the course venv's site-packages, minus the course's editable finder
and metadata. Packages installed into the fresh venv come first on sys.path, so the tests can
hold other versions there; the course venv itself is never written to.
"""

from __future__ import annotations

import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from tools.notebooks import ROOT

COURSE_SITE_PACKAGES = Path(sysconfig.get_paths()["purelib"])
PROJECT_FILES = ["pyproject.toml", "README.md", "course_utils"]


def _is_the_course(name: str) -> bool:
    return name.startswith(("__editable__", "blackbox_course", "course_utils")) or name.endswith(
        ".pth"
    )


def fresh_venv(folder: Path) -> Path:
    """A venv in ``folder`` with the course's dependencies visible and course_utils missing.

    Returns the venv's python.
    """
    view = folder / "dependencies"
    view.mkdir(parents=True)
    for entry in COURSE_SITE_PACKAGES.iterdir():
        if not _is_the_course(entry.name):
            (view / entry.name).symlink_to(entry)
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(purelib) / "course-dependencies.pth").write_text(f"{view}\n")
    return python


def course_wheel(folder: Path) -> Path:
    """``pip wheel --no-deps`` of the course, built offline from a copy of its sources."""
    import shutil

    source = folder / "source"
    source.mkdir(parents=True)
    for name in PROJECT_FILES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(ROOT / name, source / name)
    wheels = folder / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
        + ["--wheel-dir", str(wheels), str(source)],
        check=True,
    )
    (wheel,) = wheels.glob("blackbox_course-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        assert "course_utils/__init__.py" in archive.namelist(), "the wheel lacks course_utils"
    return wheel


def run(python: Path, code: str, **kwargs) -> subprocess.CompletedProcess:
    """Run ``code`` with the fresh venv's python, outside the repository (so its folder is not on
    sys.path)."""
    kwargs.setdefault("cwd", python.parents[2])
    return subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, check=False, **kwargs
    )
