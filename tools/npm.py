"""The browser and proxy libraries the decks, the site and the hub take from the npm registry."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path


def npm_ci(folder: Path, missing: Callable[[], bool], note: str) -> bool:
    """`npm ci` in ``folder`` (its package-lock.json) when ``missing()``; True when nothing is missing after.

    Without npm it prints ``note`` (what cannot work, and how to install npm) and returns False.
    """
    if not missing():
        return True
    npm = shutil.which("npm")
    if npm is None:
        print(f"note: npm is not installed, so {note} (Debian: apt-get install npm)")
        return False
    subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
        cwd=folder,
        check=True,
        timeout=600,
    )
    return not missing()
