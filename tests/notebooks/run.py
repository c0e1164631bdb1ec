"""Run a notebook in a fresh kernel and read what it printed: what the notebook tests share."""

import re

import nbformat

from tools.bench import PeakMemory
from tools.notebooks import client

#: Output that changes from run to run without the computation changing: timings, memory, progress bars.
VOLATILE = [
    (re.compile(r"0x[0-9a-fA-F]+"), "0xADDRESS"),
    (re.compile(r"\d[\d,]*(\.\d+)?\s?(s|ms|µs|seconds|sec|MB|GB|KB|MiB|GiB)\b"), "QUANTITY"),
    (re.compile(r"\d+(\.\d+)?(it/s|s/it|batch/s)|\[\d\d:\d\d<[^\]]*\]|\d+%\|[^|]*\|"), "PROGRESS"),
    (re.compile(r"cached at \S+"), "cached at DATA_DIR"),
    (re.compile(r"/tmp/\S+"), "TMPDIR"),
]


def run(path, timeout: int = 1200) -> tuple[nbformat.NotebookNode, float, int]:
    """Execute ``path`` in a fresh kernel (the environment of this process); the notebook, seconds, peak bytes."""
    import time

    nb = nbformat.read(path, as_version=4)
    kernel = client(nb, path, timeout=timeout)
    start = time.perf_counter()
    with PeakMemory(kernel) as memory:
        kernel.execute()
    return nb, time.perf_counter() - start, memory.peak


#: The tag of a cell whose whole output is a measurement of this machine (a table of timings, a
#: speed ratio): the determinism test does not compare what it prints.
VOLATILE_TAG = "volatile"


def printed(nb) -> list[str]:
    """Every code cell's text output (stdout, results, tables; not stderr, not images), volatile parts masked.

    A cell tagged ``volatile`` counts as printing ``VOLATILE CELL``.
    """
    texts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        if VOLATILE_TAG in cell.get("metadata", {}).get("tags", []):
            texts.append("VOLATILE CELL")
            continue
        parts = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stdout":
                parts.append(out.get("text", ""))
            elif out.get("output_type") in ("execute_result", "display_data"):
                data = out.get("data", {})
                parts.append(
                    data.get("text/html") or data.get("text/plain", "")
                    if "image/png" not in data
                    else ""
                )
            elif out.get("output_type") == "error":
                parts.append(f"ERROR {out.get('ename')}: {out.get('evalue')}")
        text = "".join(parts)
        text = re.sub(r'id="T_[0-9a-f]+', 'id="T_STYLE', text)  # pandas Styler ids are random
        text = re.sub(r"#T_[0-9a-f]+", "#T_STYLE", text)
        for pattern, mask in VOLATILE:
            text = pattern.sub(mask, text)
        texts.append(text)
    return texts
