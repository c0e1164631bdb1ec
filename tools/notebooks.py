"""What every maintenance command shares: the repository root, the notebook list, a kernel client."""

from __future__ import annotations

import argparse
import contextlib
import os
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"


def course_notebooks() -> list[Path]:
    """The chapters, ``notebooks/NN_topic.ipynb``, in reading order."""
    return sorted(NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))


def client(nb, notebook: Path, timeout: int = 900) -> NotebookClient:
    """A client that runs ``nb`` in a fresh kernel, in the notebook's folder.

    Its kernels let idle OpenMP threads sleep (``OMP_WAIT_POLICY=PASSIVE``, unless set): with the
    default, PyTorch's spinning threads slowed an epoch a hundredfold whenever another process
    shared the two cores. Results do not change; only waiting threads do. TensorFlow's C++ start-up
    notes and log lines (``TF_CPP_MIN_LOG_LEVEL=3``, as the chapters set it)
    are not committed as outputs.
    """
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")  # the kernel inherits this environment
    # TensorFlow's start-up notes stay out of the outputs
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    return NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(notebook.parent)}},
    )


def read(path: Path):
    return nbformat.read(path, as_version=4)


def notebook_arguments(description: str, argv=None, extra=None) -> argparse.Namespace:
    """Parse ``notebooks...`` (default: every chapter) and any ``extra(parser)`` options."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "notebooks", nargs="*", type=Path, help="default: every chapter in notebooks/"
    )
    if extra is not None:
        extra(parser)
    args = parser.parse_args(argv)
    args.notebooks = [p.resolve() for p in args.notebooks] or course_notebooks()
    return args


@contextlib.contextmanager
def environment_variables(variables: dict[str, str]):
    """Set environment variables for the block (kernels started inside inherit them), then restore."""
    saved = {key: os.environ.get(key) for key in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
