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
import itertools
import os
import platform
import re
import shutil
import subprocess
import sys
import threading
import time
import uuid
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
    code = "".join(cell.source for cell in nb.cells if cell.cell_type == "code")
    uses_mnist = "load_mnist(" in code or "trained_model(" in code
    source = "offline subset" if "MNIST: offline subset" in text else ("full MNIST" if uses_mnist else "-")
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


# --- slides and student copies ---------------------------------------------------------------

SLIDES_DIR = ROOT / "slides"
#: Where the decks find reveal.js, require.js, MathJax 2 and the widget renderer, relative to
#: slides/: `npm ci` installs the exact versions of slides/package-lock.json there (git-ignored).
SLIDE_LIBRARIES = "node_modules"
SLIDE_LIBRARY_FILES = [
    "reveal.js/dist/reveal.js",
    "reveal.js/plugin/notes/notes.js",
    "requirejs/require.js",
    "mathjax/MathJax.js",
    "@jupyter-widgets/html-manager/dist/embed-amd.js",
]
# The nbconvert reveal template, minus what it would fetch from a CDN and the deck does not use:
# jQuery (only read when scrolling is on) and mermaid (an ES module, which file:// cannot import).
_OFFLINE_REVEAL_TEMPLATE = """{%- extends 'index.html.j2' -%}
{%- block html_head_js_jquery -%}{%- endblock html_head_js_jquery -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block html_head_css -%}
<style type="text/css">
/* a slide taller than the 700-pixel deck scrolls instead of being cut off */
.reveal .slides > section > section { max-height: 700px; overflow-y: auto; }
/* long code lines wrap instead of running off the slide; wide printed tables scroll sideways */
.reveal .jp-InputArea pre { white-space: pre-wrap; overflow-wrap: anywhere; }
.reveal .jp-OutputArea pre { overflow-x: auto; }
</style>
{%- endblock html_head_css -%}
"""


def slide_libraries_missing() -> list[str]:
    """The browser libraries a deck loads that are not installed under slides/node_modules."""
    return [f for f in SLIDE_LIBRARY_FILES if not (SLIDES_DIR / SLIDE_LIBRARIES / f).is_file()]


def install_slide_libraries() -> bool:
    """`npm ci` in slides/ when a library is missing; True when all are there afterwards."""
    if not slide_libraries_missing():
        return True
    npm = shutil.which("npm")
    if npm is None:
        print("note: npm is not installed, so the decks will not open until you run `npm ci --prefix slides` (Debian: apt-get install npm)")
        return False
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=SLIDES_DIR, check=True)
    return not slide_libraries_missing()


def slides_exporter():
    """nbconvert's SlidesExporter configured for decks that open offline from slides/."""
    from jinja2 import DictLoader
    from nbconvert import SlidesExporter

    lib = SLIDE_LIBRARIES
    return SlidesExporter(
        extra_loaders=[DictLoader({"offline_reveal.html.j2": _OFFLINE_REVEAL_TEMPLATE})],
        template_file="offline_reveal.html.j2",
        reveal_url_prefix=f"{lib}/reveal.js",
        reveal_theme="white",
        reveal_transition="none",
        reveal_number="c/t",
        require_js_url=f"{lib}/requirejs/require.js",
        mathjax_url=f"{lib}/mathjax/MathJax.js?config=TeX-AMS_CHTML-full,Safe",
        widget_renderer_url=f"{lib}/@jupyter-widgets/html-manager/dist/embed-amd.js",
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def slide_deck(path: Path) -> str:
    """The reveal.js deck of one notebook, as HTML text (the same notebook always gives the same text)."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:  # a deck shows results, not log lines and progress bars (stderr)
        if cell.cell_type == "code":
            cell.outputs = [out for out in cell.outputs if not (out.output_type == "stream" and out.name == "stderr")]
    exporter = slides_exporter()
    # the template gives each widget output a random uuid4() id; number them instead
    ids = itertools.count()
    exporter.environment.globals["uuid4"] = lambda: uuid.uuid5(uuid.NAMESPACE_URL, f"{path.stem}/{next(ids)}")
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    # a link to another chapter opens that chapter's deck
    return re.sub(r'href="(\d\d_[a-z0-9_]+)\.ipynb(#[^"]*)?"', r'href="\1.slides.html\2"', body)


def deck_path(notebook: Path) -> Path:
    return SLIDES_DIR / f"{notebook.stem}.slides.html"


def slides(paths: list[Path]) -> None:
    """Write slides/NN_topic.slides.html for each notebook; fetch the browser libraries if missing."""
    install_slide_libraries()
    for path in paths:
        target = deck_path(path)
        target.write_bytes(slide_deck(path).encode("utf-8"))
        print(f"wrote {target.relative_to(ROOT)}")


def student_copy(nb):
    """A notebook without the cells tagged `solution`, outputs cleared, ready to hand out."""
    from nbconvert.preprocessors import ClearOutputPreprocessor, TagRemovePreprocessor

    nb, _ = TagRemovePreprocessor(remove_cell_tags={"solution"}, enabled=True).preprocess(nb, {})
    nb, _ = ClearOutputPreprocessor(enabled=True).preprocess(nb, {})
    nb.metadata.pop("widgets", None)  # saved widget state belongs to the removed outputs
    return nb


def student(paths: list[Path], output: Path = ROOT / "build" / "student") -> None:
    """Write the student copies of the notebooks to build/student/ (same file names)."""
    output.mkdir(parents=True, exist_ok=True)
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        solutions = sum("solution" in cell.metadata.get("tags", []) for cell in nb.cells)
        copy = student_copy(nb)
        nbformat.write(copy, output / path.name)
        print(f"wrote {(output / path.name).relative_to(ROOT) if output.is_relative_to(ROOT) else output / path.name} ({solutions} solution cells removed)")


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
    elif args.command == "slides":
        slides(paths)
    else:
        student(paths)
    return 0


if __name__ == "__main__":
    sys.exit(main())
