"""Course maintenance commands behind the Makefile: execute, bench, slides, student.

    python tests/tools.py execute notebooks/01_the_neuron.ipynb ...
    python tests/tools.py bench   notebooks/*.ipynb
    python tests/tools.py slides  notebooks/*.ipynb
    python tests/tools.py student notebooks/*.ipynb
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import os
import platform
import sys
import threading
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
BENCH_LIMIT_SECONDS = 60
BENCH_LIMIT_BYTES = 1.5 * 1024**3


def _client(nb, notebook: Path, timeout: int = 900) -> NotebookClient:
    return NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(notebook.parent)}},
    )


def execute(paths: list[Path]) -> None:
    """Re-run each notebook in place from a clean kernel (how committed outputs are made)."""
    if os.environ.get("COURSE_MNIST") != "offline":
        print("note: COURSE_MNIST is not 'offline'; outputs will show the source this machine has")
    for path in paths:
        start = time.perf_counter()
        nb = nbformat.read(path, as_version=4)
        _client(nb, path).execute()
        nbformat.write(nb, path)
        print(f"executed {path.name} in {time.perf_counter() - start:.1f} s")


class PeakMemory:
    """Sample the resident memory of a kernel process (and its children) in a thread."""

    def __init__(self, client: NotebookClient, interval: float = 0.05):
        self.client, self.interval, self.peak = client, interval, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _pid(self):
        km = getattr(self.client, "km", None)
        provisioner = getattr(km, "provisioner", None) if km is not None else None
        return getattr(provisioner, "pid", None)

    def _run(self):
        import psutil

        while not self._stop.is_set():
            pid = self._pid()
            if pid:
                try:
                    proc = psutil.Process(pid)
                    rss = proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))
                    self.peak = max(self.peak, rss)
                except psutil.Error:
                    pass
            self._stop.wait(self.interval)


def _run_for_bench(path: Path) -> tuple[float, int, str]:
    nb = nbformat.read(path, as_version=4)
    client = _client(nb, path)
    start = time.perf_counter()
    with PeakMemory(client) as memory:
        client.execute()
    seconds = time.perf_counter() - start
    text = "\n".join(
        out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.get("outputs", []) if out.get("output_type") == "stream"
    )
    source = "offline subset" if "MNIST: offline subset" in text else ("full MNIST" if "mnist" in text.lower() or "MNIST" in "".join(c.source for c in nb.cells) else "-")
    return seconds, memory.peak, source


def _versions() -> str:
    from importlib.metadata import version

    names = ["numpy", "torch", "tensorflow-cpu", "keras", "captum", "shap", "lime", "scikit-learn"]
    return ", ".join(f"{n} {version(n)}" for n in names)


def _machine() -> str:
    import psutil

    cpu = platform.processor() or platform.machine()
    return f"{platform.system()} {platform.machine()} ({cpu}), {os.cpu_count()} cores, {psutil.virtual_memory().total / 1024**3:.0f} GB, Python {platform.python_version()}"


def _micro_benchmarks() -> list[str]:
    """Run every tests/benchmarks/bench_*.py; each module's ``run()`` returns a Markdown section."""
    sections = []
    for module_path in sorted((ROOT / "tests" / "benchmarks").glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(module_path.stem, module_path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"running {module_path.name} ...", flush=True)
        sections.append(module.run().strip())
    return sections


def bench(paths: list[Path], output: Path, notebooks_only: bool = False) -> None:
    """Execute every notebook in its own kernel; record wall seconds and peak kernel memory."""
    rows, flags, total_s, worst = [], [], 0.0, 0
    for path in paths:
        print(f"benchmarking {path.name} ...", flush=True)
        seconds, peak, source = _run_for_bench(path)
        total_s, worst = total_s + seconds, max(worst, peak)
        flag = []
        if seconds > BENCH_LIMIT_SECONDS:
            flag.append(f"over {BENCH_LIMIT_SECONDS} s")
        if peak > BENCH_LIMIT_BYTES:
            flag.append("over 1.5 GB")
        if flag:
            flags.append(f"{path.name}: {', '.join(flag)}")
        rows.append(f"| {path.name} | {seconds:.1f} | {peak / 1024**2:,.0f} | {source} | {'; '.join(flag) or 'ok'} |")
        print(f"  {seconds:.1f} s, peak {peak / 1024**2:,.0f} MB", flush=True)
    micro = [] if notebooks_only else _micro_benchmarks()
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {dt.date.today().isoformat()}.",
        "",
        f"- Machine: {_machine()}",
        f"- Versions: {_versions()}",
        f"- MNIST: COURSE_MNIST={os.environ.get('COURSE_MNIST', 'auto')}",
        "",
        "These are goals, not tests: a notebook should run in under 60 s and its kernel stay under 1.5 GB (Binder gives 2 GB).",
        "",
        "## Notebooks (each in its own fresh kernel)",
        "",
        "| notebook | wall seconds | peak kernel memory (MB) | data | flag |",
        "| --- | ---: | ---: | --- | --- |",
        *rows,
        "",
        f"**Total:** {total_s:.0f} s for {len(rows)} notebooks; the largest kernel peaked at {worst / 1024**2:,.0f} MB.",
        "",
        ("**Flagged:** " + "; ".join(flags)) if flags else "**Flagged:** none.",
        "",
        *[s + "\n" for s in micro],
    ]
    output.write_text("\n".join(lines).rstrip() + "\n")
    print("\n".join(lines[-len(micro) - 6 :]) if micro else "")
    print(f"Total {total_s:.0f} s; largest kernel {worst / 1024**2:,.0f} MB; flagged: {'; '.join(flags) or 'none'}")
    print(f"wrote {output}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["execute", "bench", "slides", "student"])
    parser.add_argument("notebooks", nargs="+", type=Path)
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARKS.md", help="bench: where to write the table")
    parser.add_argument("--notebooks-only", action="store_true", help="bench: skip tests/benchmarks/")
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks]
    if args.command == "execute":
        execute(paths)
    elif args.command == "bench":
        bench(paths, args.output, args.notebooks_only)
    else:
        print(f"'{args.command}' is not built yet")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
