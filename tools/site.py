"""The course website: ``python -m tools.site [--output build/site]`` (``make site``).

Sphinx, with myst-nb and sphinx-book-theme, builds every chapter in notebooks/ from its committed
outputs (nothing is executed) into ``build/site/``, with the landing page (docs/index.md, which
includes README's introduction, start and course map), the instructor guide and BENCHMARKS.md.
The decks go to ``build/site/slides/`` (tools.slides), MathJax 3, require.js and the widget
renderer to ``build/site/_static/`` from their npm packages, so the site works offline, from
any static web server (GitHub Pages) or from ``file://``.

Sphinx reads a source tree laid out beside the output (``build/site-source/``) that mirrors the
repository: index.md at the top, then notebooks/, docs/ and the top-level Markdown files. In
the copies of the notebooks, solution cells are folded (tag ``hide-cell``); the Colab install
cell (docs/colab_cell.py) and the quiz widgets, whose Check buttons need a kernel, are left out
(``remove-cell``: the quiz's questions and collapsed answers stay); the notebooks themselves are
not touched.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import nbformat

from tools import slides
from tools.notebooks import ROOT, course_notebooks
from tools.npm import npm_ci

DOCS = ROOT / "docs"
BUILD_DIR = ROOT / "build" / "site"
SITE_NODE_MODULES = DOCS / "node_modules"
MATHJAX = SITE_NODE_MODULES / "mathjax" / "es5"
COLAB_CELL = DOCS / "colab_cell.py"
#: copied from the repository into the source tree as they are (path in the repository)
PAGES = ["README.md", "BENCHMARKS.md", "docs/instructor-guide.md"]
DECKS = "slides"


def site_libraries_missing() -> list[str]:
    """The site's own browser libraries (docs/package.json) that are not installed."""
    return [] if (MATHJAX / "tex-mml-chtml.js").is_file() else ["mathjax (docs/node_modules)"]


def install_site_libraries() -> bool:
    """`npm ci` in docs/ when MathJax is missing; True when it is there afterwards."""
    return npm_ci(DOCS, site_libraries_missing, "the site has no MathJax")


def chapter_title(notebook: Path) -> str:
    """The first heading of the notebook (``01 · The neuron``)."""
    for cell in nbformat.read(notebook, as_version=4).cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return notebook.stem


def site_notebook(path: Path):
    """The notebook as the site shows it: solutions folded, the Colab install cell and quiz widgets left out."""
    nb = nbformat.read(path, as_version=4)
    colab = COLAB_CELL.read_text(encoding="utf-8").strip() if COLAB_CELL.is_file() else None
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if cell.cell_type == "code" and colab and cell.source.strip() == colab:
            tags.append("remove-cell")
        elif cell.metadata.get("course", {}).get("role") == "widget":
            tags.append("remove-cell")
        elif "solution" in tags and "hide-cell" not in tags:
            tags.append("hide-cell")
    return nb


def decks_page(notebooks: list[Path]) -> str:
    """slides.md: one link per deck (the decks are plain HTML files under slides/)."""
    rows = "\n".join(
        f'<li><a class="reference external" href="{DECKS}/{nb.stem}.slides.html">'
        f"{chapter_title(nb)}</a></li>"
        for nb in notebooks
    )
    return (
        "# Slide decks\n\n"
        "Every chapter as a reveal.js deck, built from the notebook's outputs and its slide "
        "metadata. Arrows or space move, <kbd>Esc</kbd> shows an overview, <kbd>S</kbd> the "
        "speaker notes, <kbd>F</kbd> full screen. The decks also work offline: `make slides` "
        "writes the same folder into `build/slides/`.\n\n"
        f'<ul class="course-decks">\n{rows}\n</ul>\n'
    )


def stage(source: Path, notebooks: list[Path]) -> None:
    """Lay out the tree Sphinx reads (a fresh copy each build)."""
    shutil.rmtree(source, ignore_errors=True)
    (source / "notebooks").mkdir(parents=True)
    (source / "docs").mkdir()
    shutil.copy2(DOCS / "index.md", source / "index.md")
    for page in PAGES:
        shutil.copy2(ROOT / page, source / page)
    for path in notebooks:
        nbformat.write(site_notebook(path), source / "notebooks" / path.name)
    (source / "slides.md").write_text(decks_page(notebooks), encoding="utf-8")


def copy_static_libraries(output: Path) -> None:
    """MathJax 3 (docs/node_modules), require.js and the widget renderer (slides/node_modules)."""
    static = output / "_static"
    shutil.rmtree(static / "mathjax", ignore_errors=True)
    shutil.copytree(MATHJAX, static / "mathjax", ignore=shutil.ignore_patterns("*.map"))
    shutil.copy2(slides.NODE_MODULES / "requirejs" / "require.js", static / "require.js")
    manager = static / "@jupyter-widgets" / "html-manager" / "dist"
    shutil.rmtree(manager, ignore_errors=True)
    shutil.copytree(
        slides.NODE_MODULES / "@jupyter-widgets" / "html-manager" / "dist",
        manager,
        ignore=shutil.ignore_patterns("*.map", "embed.js*", "libembed-amd.js"),
    )


def build(output: Path = BUILD_DIR, notebooks: list[Path] | None = None) -> Path:
    """Build the whole site into ``output``; returns ``output``. Raises SystemExit on failure."""
    from sphinx.cmd.build import build_main

    notebooks = notebooks or course_notebooks()
    if not install_site_libraries() or not slides.install_slide_libraries():
        raise SystemExit(
            "the site needs npm for MathJax and the decks (Debian: apt-get install npm)"
        )
    output = output.resolve()
    source = output.with_name(output.name + "-source")
    start = time.perf_counter()
    stage(source, notebooks)
    doctrees = source / ".doctrees"
    status = build_main(
        [
            "-b",
            "html",
            "-q",
            "-W",
            "--keep-going",
            "-c",
            str(DOCS),
            "-d",
            str(doctrees),
            str(source),
            str(output),
        ]
    )
    if status:
        raise SystemExit(f"sphinx-build failed (exit {status})")
    copy_static_libraries(output)
    slides.slides(notebooks, output / DECKS)
    (output / ".nojekyll").touch()  # GitHub Pages: serve _static/ as it is
    print(f"built {output} in {time.perf_counter() - start:.0f} s ({len(notebooks)} chapters)")
    return output


def main(argv=None) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=BUILD_DIR, help="default: build/site")
    args = parser.parse_args(argv)
    build(args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
