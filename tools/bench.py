"""Time every notebook in a fresh kernel and its peak memory, then run ``benchmarks/``; write BENCHMARKS.md.

python -m tools.bench [notebooks...] [--output BENCHMARKS.md] [--notebooks-only]
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import platform
import sys
import threading
import time
from pathlib import Path

from nbclient import NotebookClient

from tools.notebooks import ROOT, client, notebook_arguments, read

BENCH_LIMIT_SECONDS = 60


BENCH_LIMIT_BYTES = 1.5 * 1024**3


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
                    rss = proc.memory_info().rss + sum(
                        c.memory_info().rss for c in proc.children(recursive=True)
                    )
                    self.peak = max(self.peak, rss)
                except psutil.Error:
                    pass
            self._stop.wait(self.interval)


def _run_for_bench(path: Path) -> tuple[float, int, str]:
    nb = read(path)
    kernel = client(nb, path)
    start = time.perf_counter()
    with PeakMemory(kernel) as memory:
        kernel.execute()
    seconds = time.perf_counter() - start
    text = "\n".join(
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "stream"
    )
    code = "".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    uses_mnist = "load_mnist(" in code or "trained_model(" in code
    source = (
        "offline subset"
        if "MNIST: offline subset" in text
        else ("full MNIST" if uses_mnist else "-")
    )
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
    """Run every benchmarks/bench_*.py; each module's ``run()`` returns a Markdown section."""
    sections = []
    for module_path in sorted((ROOT / "benchmarks").glob("bench_*.py")):
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
        rows.append(
            f"| {path.name} | {seconds:.1f} | {peak / 1024**2:,.0f} | {source} | {'; '.join(flag) or 'ok'} |"
        )
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
    print(
        f"Total {total_s:.0f} s; largest kernel {worst / 1024**2:,.0f} MB; flagged: {'; '.join(flags) or 'none'}"
    )
    print(f"wrote {output}")


def main(argv=None) -> int:
    def options(parser):
        parser.add_argument(
            "--output", type=Path, default=ROOT / "BENCHMARKS.md", help="where to write the tables"
        )
        parser.add_argument("--notebooks-only", action="store_true", help="skip benchmarks/")

    args = notebook_arguments(__doc__, argv, options)
    bench(args.notebooks, args.output, args.notebooks_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
