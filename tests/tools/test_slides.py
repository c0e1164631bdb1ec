"""The reveal.js decks: `make slides` builds one per notebook into build/slides/, and they open offline.

The decks are build outputs (git-ignored). The tests build every deck into a temporary folder with
the same code `make slides` runs, check that each loads its scripts from the folder's own lib/,
has the slides its notebook's metadata asks for, and open one in headless Chromium from file://
with every network request refused: it must load without console errors, typeset its maths,
render its widgets from their saved state, advance on a key press, and leave PNGs in
test-output/slides/. Without npm the decks cannot be built and the tests skip (CI fails instead).
"""

import os
import re
import shutil

import nbformat
import pytest

from tests.browser.chromium import CHROMIUM_ARGS, require_chromium
from tools import slides
from tools.notebooks import ROOT, course_notebooks

NOTEBOOKS = course_notebooks()
RENDERED = ROOT / "notebooks" / "01_the_neuron.ipynb"  # maths, fragments, notes and a widget
OUTPUT = ROOT / "test-output" / "slides"
REVEAL_MODULE = f"{slides.SLIDE_LIBRARIES}/reveal.js/dist/reveal.js"
GUIDE = ROOT / "docs" / "instructor-guide.md"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Every deck, built into a fresh folder by the code behind `make slides`."""
    if not slides.install_slide_libraries():
        message = "npm is needed to build the decks (Debian: apt-get install npm)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    output = tmp_path_factory.mktemp("slides")
    written = slides.slides(NOTEBOOKS, output)
    assert [p.name for p in written] == [f"{p.stem}.slides.html" for p in NOTEBOOKS]
    return output


def expected_slide_counts(nb) -> tuple[int, int]:
    """(horizontal slides, all slides) as nbconvert's reveal exporter lays the notebook out.

    The first cell that is neither skipped nor a note opens the deck; after it, each "slide"
    cell opens a new horizontal slide and each "slide" or "subslide" cell a new reveal slide.
    """
    types = [cell.metadata.get("slideshow", {}).get("slide_type", "-") for cell in nb.cells]
    first = next(i for i, t in enumerate(types) if t not in {"skip", "notes"})
    later = types[first + 1 :]
    return 1 + later.count("slide"), 1 + later.count("slide") + later.count("subslide")


def test_the_same_notebook_always_gives_the_same_deck():
    assert slides.slide_deck(RENDERED) == slides.slide_deck(RENDERED)


def test_decks_are_not_in_git():
    tracked = (ROOT / ".gitignore").read_text()
    assert "build/" in tracked.split(), "build/ (where the decks go) must be git-ignored"
    assert not list((ROOT / "slides").glob("*.slides.html")), (
        "decks are build outputs: remove slides/*.slides.html"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_deck_loads_its_scripts_and_styles_from_its_own_lib_folder(built, path):
    html = slides.deck_path(path, built).read_text(encoding="utf-8")
    assets = re.findall(r'<script[^>]*\ssrc="([^"]*)"', html) + re.findall(
        r'<link[^>]*\shref="([^"]*)"', html
    )
    assets += re.findall(r"""import\s+\w+\s+from\s+['"]([^'"]+)['"]""", html)
    assets += re.findall(r"var widgetRendererSrc = '([^']*)'", html)
    assert assets, "no scripts found in the deck"
    remote = [a for a in assets if "://" in a or a.startswith("/")]
    assert not remote, f"{path.name}: the deck would fetch {remote}; it must open offline"
    for asset in assets:
        assert asset.startswith(slides.SLIDE_LIBRARIES + "/"), (
            f"{asset} is not under {slides.SLIDE_LIBRARIES}/"
        )
        assert (built / asset.split("?")[0]).is_file(), (
            f"{path.name} loads {asset}, which the build did not copy"
        )
    assert "/work/" not in html and "/home/" not in html, "an absolute path leaked into the deck"


def test_deck_has_the_slides_its_metadata_asks_for(built):
    horizontal, total = expected_slide_counts(nbformat.read(RENDERED, as_version=4))
    html = slides.deck_path(RENDERED, built).read_text(encoding="utf-8")
    slides_div = html[html.index('<div class="slides">') :]
    assert (
        slides_div.count("<section") == horizontal + total
    )  # every slide is a section of subslide sections
    assert total > horizontal > 3


def test_deck_opens_as_slides_from_a_copy_of_the_build_folder(built, tmp_path):
    """Copied elsewhere (as an instructor would take build/slides/), a deck opens offline with typeset maths."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    shutil.copytree(built, tmp_path / "decks")
    deck = slides.deck_path(RENDERED, tmp_path / "decks")
    horizontal, total = expected_slide_counts(nbformat.read(RENDERED, as_version=4))
    OUTPUT.mkdir(parents=True, exist_ok=True)
    console_errors, page_errors, failed, remote = [], [], [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.on(
                "console",
                lambda message: (
                    console_errors.append(message.text) if message.type == "error" else None
                ),
            )
            page.on("pageerror", lambda error: page_errors.append(str(error)))
            page.on("requestfailed", lambda request: failed.append(request.url))

            def refuse(route):
                remote.append(route.request.url)
                route.abort()

            page.route(lambda url: not url.startswith(("file:", "data:", "blob:")), refuse)
            page.goto(deck.as_uri())
            page.wait_for_selector(".reveal.ready", timeout=60_000)
            # reveal.js is an AMD module here (require.js loads it), not a global
            counts = page.evaluate(
                f"new Promise(done => require(['{REVEAL_MODULE}'], R => done([R.getHorizontalSlides().length, R.getTotalSlides()])))"
            )
            assert counts == [horizontal, total], (
                f"reveal.js shows {counts} slides, the metadata asks for {[horizontal, total]}"
            )
            page.wait_for_function(
                "window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0 && !MathJax.Hub.queue.running",
                timeout=60_000,
            )
            assert page.locator(".MathJax_CHTML, .MathJax").count() > 0, "no maths was typeset"
            page.screenshot(path=str(OUTPUT / f"{RENDERED.stem}_title.png"))
            current = (
                f"new Promise(done => require(['{REVEAL_MODULE}'], R => done(R.getIndices().h)))"
            )
            before = page.evaluate(current)
            page.locator(".reveal").click()
            page.keyboard.press("ArrowRight")
            page.wait_for_timeout(300)
            assert page.evaluate(current) == before + 1, (
                "the deck did not advance on the right-arrow key"
            )

            if '"widgets"' in RENDERED.read_text() or "widget-state" in deck.read_text(
                encoding="utf-8"
            ):
                slider = page.locator(".widget-slider").first
                slider.wait_for(state="attached", timeout=60_000)
                indices = page.evaluate(
                    f"""el => new Promise(done => require(['{REVEAL_MODULE}'], R => {{
                        const i = R.getIndices(el.closest('section')); R.slide(i.h, i.v); done(i); }}))""",
                    slider.element_handle(),
                )
                page.wait_for_timeout(800)
                assert slider.is_visible(), "the saved widget state did not render on its slide"
                assert page.locator(".reveal section.present img").count() > 0, (
                    "the widget's picture is missing"
                )
                page.screenshot(
                    path=str(OUTPUT / f"{RENDERED.stem}_widget_slide_{indices['h']}.png")
                )
        finally:
            browser.close()
    assert not remote, f"the deck tried to reach the network: {remote}"
    assert not failed, f"files the deck could not load: {failed}"
    assert not page_errors, f"JavaScript errors: {page_errors}"
    assert not console_errors, f"console errors: {console_errors}"


def test_instructor_guide_lists_every_notebook_with_its_deck_and_time():
    guide = GUIDE.read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        first = nbformat.read(path, as_version=4).cells[0].source
        minutes = re.search(r"\*\*Time:\*\* about (\d+) minutes", first).group(1)
        listed = re.search(rf"\(\.\./notebooks/{re.escape(path.name)}\) \((\d+) min\)", guide)
        assert listed, (
            f"{GUIDE.name}: the lesson plan does not list {path.name} as '[..](../notebooks/{path.name}) (N min)'"
        )
        assert listed.group(1) == minutes, (
            f"{GUIDE.name} gives {path.name} {listed.group(1)} min, its first cell says {minutes}"
        )
        assert f"`{path.stem}.slides.html`" in guide, (
            f"{GUIDE.name} does not name the deck of {path.name}"
        )


def test_lesson_plan_run_times_are_those_in_benchmarks_md():
    bench = (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
    guide = GUIDE.read_text(encoding="utf-8")
    notebooks = bench.split("\n## Notebooks\n", 1)[1].split("\n## ", 1)[0]  # not the hub's table
    measured = {
        m[1]: float(m[2])
        for m in re.finditer(r"^\| (\d\d_[a-z0-9_]+\.ipynb) \| ([\d.]+) \|", notebooks, re.M)
    }
    assert len(measured) == 20, f"BENCHMARKS.md's notebook table has {len(measured)} chapters"
    date = re.search(r"Written by `make bench` on (\d{4}-\d\d-\d\d)", bench)[1]
    assert f"measured on {date} and recorded by `make bench`" in guide, (
        "the lesson plan must give the date of BENCHMARKS.md"
    )
    meetings = [line for line in guide.splitlines() if re.match(r"^\| \d+ \| \[", line)]
    assert meetings, f"{GUIDE.name} has no lesson-plan rows"
    for row in meetings:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        names = re.findall(r"\(\.\./notebooks/(\d\d_[a-z0-9_]+\.ipynb)\)", cells[1])
        expected = " + ".join(f"{measured[name]:.0f} s" for name in names)
        assert cells[2] == expected, (
            f"meeting {cells[0]}: run time {cells[2]!r}, BENCHMARKS.md gives {expected!r} (paste them again after `make bench`)"
        )
