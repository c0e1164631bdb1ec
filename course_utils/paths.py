"""Where the course keeps what it downloads and trains. Imports nothing of the package."""

from __future__ import annotations

import os
from pathlib import Path


def data_dir() -> Path:
    """The folder where downloads and trained models are cached (created if missing).

    ``COURSE_DATA_DIR`` overrides the default, the user's cache folder
    (``~/.cache/blackbox-course`` on Linux).
    """
    override = os.environ.get("COURSE_DATA_DIR")
    if override:
        path = Path(override).expanduser()
    else:
        import pooch

        path = Path(pooch.os_cache("blackbox-course"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir() -> Path:
    """``data_dir() / "models"``: the cached trained models of every framework."""
    return data_dir() / "models"
