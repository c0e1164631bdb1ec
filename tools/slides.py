"""The reveal.js decks: ``python -m tools.slides [notebooks...] [--output build/slides]``.

Each notebook becomes ``build/slides/NN_topic.slides.html`` (git-ignored, built on demand);
the browser libraries the decks load (reveal.js, require.js, MathJax 2, the widget renderer)
come from the npm registry at the versions of ``slides/package-lock.json`` and are copied
into ``build/slides/lib/``, so the folder opens offline from ``file://`` or any web server.
"""

from __future__ import annotations

import itertools
import re
import shutil
import sys
import uuid
from pathlib import Path

from tools.notebooks import ROOT, notebook_arguments, read
from tools.npm import npm_ci

SLIDES_SOURCE = ROOT / "slides"
NODE_MODULES = SLIDES_SOURCE / "node_modules"
BUILD_DIR = ROOT / "build" / "slides"
#: Where a deck finds its libraries, relative to the deck.
SLIDE_LIBRARIES = "lib"
SLIDE_PACKAGES = ("reveal.js", "requirejs", "mathjax", "@jupyter-widgets/html-manager")
SLIDE_LIBRARY_FILES = [
    "reveal.js/dist/reveal.js",
    "reveal.js/plugin/notes/notes.js",
    "requirejs/require.js",
    "mathjax/MathJax.js",
    "@jupyter-widgets/html-manager/dist/embed-amd.js",
]


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


def slide_libraries_missing(folder: Path = NODE_MODULES) -> list[str]:
    """The browser libraries a deck loads that are missing from ``folder`` (default slides/node_modules)."""
    return [f for f in SLIDE_LIBRARY_FILES if not (folder / f).is_file()]


def install_slide_libraries() -> bool:
    """`npm ci` in slides/ when a library is missing; True when all are there afterwards."""
    return npm_ci(
        SLIDES_SOURCE,
        slide_libraries_missing,
        "the decks will not open until you run `npm ci --prefix slides`",
    )


def copy_slide_libraries(output: Path) -> None:
    """Copy the packages the decks load from slides/node_modules into ``output/lib`` (once per version).

    The decks then open from ``output`` alone, offline, wherever the folder is copied or published.
    """
    target = output / SLIDE_LIBRARIES
    for package in SLIDE_PACKAGES:
        source, copy = NODE_MODULES / package, target / package
        stamp = (source / "package.json").read_bytes()
        if (copy / "package.json").is_file() and (copy / "package.json").read_bytes() == stamp:
            continue
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(
            source,
            copy,
            ignore=shutil.ignore_patterns("*.md", "test", "tests", "docs", "unpacked", "*.map"),
        )


def slides_exporter():
    """nbconvert's SlidesExporter configured for decks that open offline, next to their ``lib/`` folder."""
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
    nb = read(path)
    for cell in nb.cells:  # a deck shows results, not log lines and progress bars (stderr)
        if cell.cell_type == "code":
            cell.outputs = [
                out
                for out in cell.outputs
                if not (out.output_type == "stream" and out.name == "stderr")
            ]
    exporter = slides_exporter()
    # the template gives each widget output a random uuid4() id; number them instead
    ids = itertools.count()
    exporter.environment.globals["uuid4"] = lambda: uuid.uuid5(
        uuid.NAMESPACE_URL, f"{path.stem}/{next(ids)}"
    )
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": path.stem}})
    # a link to another chapter opens that chapter's deck
    return re.sub(r'href="(\d\d_[a-z0-9_]+)\.ipynb(#[^"]*)?"', r'href="\1.slides.html\2"', body)


def deck_path(notebook: Path, output: Path = BUILD_DIR) -> Path:
    return output / f"{notebook.stem}.slides.html"


def slides(paths: list[Path], output: Path = BUILD_DIR) -> list[Path]:
    """Write ``output/NN_topic.slides.html`` for each notebook and the libraries into ``output/lib``.

    Installs the libraries into slides/node_modules with npm first when they are missing.
    Returns the decks written.
    """
    if not install_slide_libraries():
        raise SystemExit(
            "the decks need their browser libraries: install npm (Debian: apt-get install npm), then `make slides`"
        )
    output.mkdir(parents=True, exist_ok=True)
    copy_slide_libraries(output)
    written = []
    for path in paths:
        target = deck_path(path, output)
        target.write_bytes(slide_deck(path).encode("utf-8"))
        written.append(target)
        print(f"wrote {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
    return written


def main(argv=None) -> int:
    def options(parser):
        parser.add_argument(
            "--output", type=Path, default=BUILD_DIR, help="where the decks and lib/ go"
        )

    args = notebook_arguments(__doc__, argv, options)
    slides(args.notebooks, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
