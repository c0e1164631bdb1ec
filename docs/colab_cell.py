# Colab, or any Python without the course: install its package first (does nothing elsewhere).
import importlib.util
import os
import re
import subprocess
import sys

TENSORFLOWS = {"tensorflow", "tensorflow-cpu"}
COURSE_PACKAGE_DEFAULT = "blackbox-course @ git+https://github.com/OWNER/REPO@main"
if importlib.util.find_spec("course_utils") is None:
    _package = os.environ.get("COURSE_PACKAGE", COURSE_PACKAGE_DEFAULT)
    print(f"course_utils is missing: installing the course package from {_package}")
    _pip = [sys.executable, "-m", "pip", "install", "--quiet"]
    subprocess.run([*_pip, "--no-deps", _package], check=True)
    importlib.invalidate_caches()
    from importlib.metadata import requires

    _needs = [r for r in requires("blackbox-course") if "extra ==" not in r]
    if importlib.util.find_spec("tensorflow"):  # keep the TensorFlow already there (Colab's)
        _needs = [r for r in _needs if re.split(r"[ ;<>=!~]", r)[0] not in TENSORFLOWS]
    subprocess.run([*_pip, *_needs], check=True)
