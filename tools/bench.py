"""Time every notebook in a fresh kernel and its peak memory, on the course subset and on the full-size
stand-in, then run ``benchmarks/bench_*.py`` and include ``benchmarks/*.md``; write BENCHMARKS.md.

    python -m tools.bench [notebooks...] [--output BENCHMARKS.md] [--notebooks-only] [--subset-only]
"""

from __future__ import annotations

import contextlib
import datetime as dt
import importlib.util
import os
import platform
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from nbclient import NotebookClient

from tools.notebooks import ROOT, client, environment_variables, notebook_arguments, read

#: The budgets: every notebook under a minute on the course subset and two on the full-size path,
#: every kernel under 1.5 GB (Binder gives 2 GB).
BENCH_LIMIT_SECONDS = 60
FULL_SIZE_LIMIT_SECONDS = 120
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


def _run_for_bench(path: Path) -> tuple[float, int]:
    """Wall seconds and peak kernel memory (bytes) of one notebook run in a fresh kernel."""
    nb = read(path)
    kernel = client(nb, path)
    start = time.perf_counter()
    with PeakMemory(kernel) as memory:
        kernel.execute()
    return time.perf_counter() - start, memory.peak


def train_course_models() -> float:
    """Train (or load) the four cached course models in a fresh process; its wall seconds."""
    code = (
        "from course_utils.frameworks import torch_models as t; [t.trained_model(n, verbose=False) for n in ('mlp', 'cnn')];"
        "from course_utils.frameworks import keras_models as k; [k.trained_model(n, verbose=False) for n in ('mlp', 'cnn')]"
    )
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
    return time.perf_counter() - start


def _flags(seconds: float, peak: int, limit_seconds: float, what: str) -> list[str]:
    found = [f"{what} over {limit_seconds:.0f} s"] if seconds > limit_seconds else []
    return found + ([f"{what} over 1.5 GB"] if peak > BENCH_LIMIT_BYTES else [])


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


def _recorded_sections() -> list[str]:
    """The committed result sections other commands write (``benchmarks/*.md``), included as they are."""
    return [p.read_text().strip() for p in sorted((ROOT / "benchmarks").glob("*.md"))]


def record_section(section: str, output: Path = ROOT / "BENCHMARKS.md") -> None:
    """Put a result section (Markdown starting with a ``## `` heading) into BENCHMARKS.md now.

    It replaces the section with the same heading, up to the next ``## `` heading, or is added
    at the end; the next ``make bench`` includes it again from ``benchmarks/*.md``.
    """
    section = section.strip()
    heading = section.splitlines()[0]
    if not heading.startswith("## "):
        raise ValueError(f"a result section starts with a '## ' heading, got {heading!r}")
    text = output.read_text(encoding="utf-8") if output.exists() else ""
    lines = text.rstrip("\n").splitlines()
    if heading in lines:
        start = lines.index(heading)
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), None)
        lines[start:end] = [*section.splitlines(), *([""] if end is not None else [])]
    else:
        lines += ["", *section.splitlines()]
    output.write_text("\n".join(lines).strip("\n") + "\n", encoding="utf-8")


def bench(
    paths: list[Path], output: Path, notebooks_only: bool = False, full_size: bool = True
) -> None:
    """Run every notebook in its own kernel on the course subset and on the full-size stand-in.

    Records wall seconds and peak kernel memory per path, the time to train the cached course
    models on each path (paid once, on first use), then the micro-benchmarks of ``benchmarks/``.
    """
    from tools.standin import standin_environment

    paths_and_data = [("subset", {"COURSE_MNIST": "subset"})]
    results: dict[str, dict[str, tuple[float, int]]] = {}
    training: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="course-bench-") as scratch:
        with contextlib.ExitStack() as stack:
            if full_size:
                paths_and_data.append(
                    ("full-size", stack.enter_context(standin_environment(Path(scratch))))
                )
            for name, variables in paths_and_data:
                with environment_variables(variables):
                    print(f"training the course models ({name}) ...", flush=True)
                    training[name] = train_course_models()
                    for path in paths:
                        print(f"benchmarking {path.name} ({name}) ...", flush=True)
                        results.setdefault(path.name, {})[name] = _run_for_bench(path)
                        seconds, peak = results[path.name][name]
                        print(f"  {seconds:.1f} s, peak {peak / 1024**2:,.0f} MB", flush=True)
    rows, flags = [], []
    for path in paths:
        subset = results[path.name]["subset"]
        full = results[path.name].get("full-size")
        flag = _flags(*subset, BENCH_LIMIT_SECONDS, "subset")
        cells = [f"{subset[0]:.1f}", f"{subset[1] / 1024**2:,.0f}"]
        if full is not None:
            flag += _flags(*full, FULL_SIZE_LIMIT_SECONDS, "full-size")
            cells += [f"{full[0]:.1f}", f"{full[1] / 1024**2:,.0f}"]
        if flag:
            flags.append(f"{path.name}: {', '.join(flag)}")
        rows.append(f"| {path.name} | {' | '.join(cells)} | {'; '.join(flag) or 'ok'} |")
    header = "| notebook | subset: seconds | subset: peak MB |"
    rule = "| --- | ---: | ---: |"
    if full_size:
        header += " full-size: seconds | full-size: peak MB |"
        rule += " ---: | ---: |"
    header += " over a budget? |"
    rule += " --- |"
    totals = []
    for name, _ in paths_and_data:
        seconds = sum(results[p.name][name][0] for p in paths)
        worst = max(results[p.name][name][1] for p in paths)
        totals.append(
            f"- **{name}:** {seconds:.0f} s for {len(paths)} notebooks, the largest kernel at "
            f"{worst / 1024**2:,.0f} MB; training the four cached course models on first use: {training[name]:.0f} s."
        )
    micro = [] if notebooks_only else _micro_benchmarks()
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {dt.date.today().isoformat()}.",
        "",
        f"- Machine: {_machine()}",
        f"- Versions: {_versions()}",
        "",
        "These are goals, not tests. Every notebook should run in under 60 s on the course subset (the default data)",
        "and in under 120 s on the full-size path (COURSE_MNIST=full; measured on a stand-in with full MNIST's",
        "shapes, dtypes and label counts, made by `tools/standin.py` from the subset), and every kernel should stay",
        "under 1.5 GB (Binder gives 2 GB). Each notebook runs in its own fresh kernel, with the course models",
        "already cached (the line under the table says what training them costs the first time).",
        "",
        "## Notebooks",
        "",
        header,
        rule,
        *rows,
        "",
        *totals,
        "",
        ("**Flagged:** " + "; ".join(flags)) if flags else "**Flagged:** none.",
        "",
        *[section + "\n" for section in micro + _recorded_sections()],
    ]
    output.write_text("\n".join(lines).rstrip() + "\n")
    print("\n".join(totals))
    print(f"flagged: {'; '.join(flags) or 'none'}")
    print(f"wrote {output}")


def main(argv=None) -> int:
    def options(parser):
        parser.add_argument(
            "--output", type=Path, default=ROOT / "BENCHMARKS.md", help="where to write the tables"
        )
        parser.add_argument(
            "--notebooks-only", action="store_true", help="skip benchmarks/bench_*.py"
        )
        parser.add_argument("--subset-only", action="store_true", help="skip the full-size path")

    args = notebook_arguments(__doc__, argv, options)
    bench(args.notebooks, args.output, args.notebooks_only, full_size=not args.subset_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
