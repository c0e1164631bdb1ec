"""The course website, built by `make site`'s code and opened in headless Chromium from a local
server with every other address refused.

Every page loads without a console error and with every image; every link within the site
(deck-to-deck links included) reaches a file and, with a #fragment, an element of that id; the
maths is typeset on the chapters with the most of it; the search finds the Integrated Gradients
chapter for "completeness"; each chapter has previous/next links in reading order, launch buttons
for Binder, Colab and JupyterHub built from the one repository setting, and a Slides button whose
deck opens as slides and advances on a key press; the neuron playground shows its saved widget
state. Screenshots of the landing page, a chapter and a slide go to test-output/site/.
"""

import html.parser
import re
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import nbformat
import pytest

from tools import repository
from tools.notebooks import ROOT, course_notebooks

NOTEBOOKS = course_notebooks()
OUTPUT = ROOT / "test-output" / "site"
SEARCH_WORD, SEARCH_CHAPTER = "completeness", "11_integrated_gradients"
WIDGET_CHAPTER = "01_the_neuron"


def chapter_page(site: Path, notebook: Path) -> Path:
    return site / "notebooks" / f"{notebook.stem}.html"


def pages(site: Path, decks: bool = False) -> list[Path]:
    """Every page Sphinx wrote, and the decks when asked (not the libraries' own demo pages)."""
    written = [
        p
        for p in sorted(site.rglob("*.html"))
        if p.relative_to(site).parts[0] not in {"slides", "_static", "_sources", "_images"}
    ]
    return written + (sorted((site / "slides").glob("*.slides.html")) if decks else [])


def _maths_in(notebook: Path) -> int:
    cells = nbformat.read(notebook, as_version=4).cells
    text = "".join(c.source for c in cells if c.cell_type == "markdown")
    return text.count("$$") + text.count("\\frac")


#: the three chapters whose prose holds the most display maths and fractions
MATHS_CHAPTERS = sorted(NOTEBOOKS, key=_maths_in, reverse=True)[:3]


class _Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs, self.ids, self.images = [], set(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get("id"):
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("name"):
            self.ids.add(attrs["name"])
        if tag in {"a", "link"} and attrs.get("href"):
            self.hrefs.append(attrs["href"])
        if tag in {"img", "script"} and attrs.get("src"):
            self.images.append(attrs["src"])


def parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


# -- the build -------------------------------------------------------------------------------


def test_every_chapter_in_notebooks_has_a_page(built_site):
    assert NOTEBOOKS, "no chapters in notebooks/"
    missing = [nb.name for nb in NOTEBOOKS if not chapter_page(built_site, nb).is_file()]
    assert not missing, f"chapters without a page: {missing}"
    sidebar = parse(built_site / "index.html").hrefs
    for nb in NOTEBOOKS:
        assert f"notebooks/{nb.stem}.html" in sidebar, f"the landing page does not link {nb.name}"
    for deck in NOTEBOOKS:
        assert (built_site / "slides" / f"{deck.stem}.slides.html").is_file()
    assert (built_site / "docs" / "instructor-guide.html").is_file()


def test_landing_page_has_the_course_map_and_how_to_start(built_site):
    text = (built_site / "index.html").read_text(encoding="utf-8")
    assert 'id="course-map"' in text and 'id="how-to-start"' in text
    table = text[text.index('id="course-map"') :]
    table = table[: table.index("</table>")]
    linked = re.findall(r'href="notebooks/(\d\d_[a-z0-9_]+)\.html"', table)
    assert linked == [nb.stem for nb in NOTEBOOKS], "the course map does not list every chapter"
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", text))
    assert "make lab" in words and "make test" in words, (
        "the landing page does not say how to start"
    )


def test_no_page_loads_anything_from_another_site(built_site):
    for page in pages(built_site, decks=True):
        links = parse(page)
        loaded = links.images + [
            h for h in re.findall(r'<link[^>]*href="([^"]+)"', page.read_text("utf-8"))
        ]
        remote = [
            u for u in loaded if urlsplit(u).scheme in {"http", "https"} or u.startswith("//")
        ]
        assert not remote, f"{page.relative_to(built_site)} loads {remote}: it must work offline"


def test_no_internal_link_is_broken(built_site):
    """Every href that stays within the site reaches a file, and its #fragment an element."""
    ids: dict[Path, set[str]] = {}
    broken, checked = [], 0
    for page in pages(built_site, decks=True):
        for href in parse(page).hrefs:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.is_relative_to(built_site.resolve()) or not target.is_file():
                broken.append(f"{page.relative_to(built_site)} -> {href}")
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = parse(target).ids
                # a browser looks for the fragment as written, then percent-decoded
                if not {parts.fragment, unquote(parts.fragment)} & ids[target]:
                    broken.append(f"{page.relative_to(built_site)} -> {href} (no such anchor)")
    assert checked > 500, f"only {checked} internal links found"
    assert not broken, f"{len(broken)} broken links, e.g. {broken[:10]}"


def test_chapters_have_previous_next_links_in_reading_order(built_site):
    for i, nb in enumerate(NOTEBOOKS):
        text = chapter_page(built_site, nb).read_text(encoding="utf-8")
        prev = re.search(r'<a class="left-prev"\s+href="([^"]+)"', text)
        nxt = re.search(r'<a class="right-next"\s+href="([^"]+)"', text)
        assert prev and nxt, f"{nb.name}: the page lacks a previous or a next link"
        expected_prev = "../index.html" if i == 0 else f"{NOTEBOOKS[i - 1].stem}.html"
        assert prev[1] == expected_prev, f"{nb.name}: previous is {prev[1]}"
        if i + 1 < len(NOTEBOOKS):
            assert nxt[1] == f"{NOTEBOOKS[i + 1].stem}.html", f"{nb.name}: next is {nxt[1]}"


def test_every_chapter_has_launch_buttons_from_the_repository_setting(built_site):
    setting = repository.settings()
    for nb in NOTEBOOKS:
        path = f"notebooks/{nb.name}"
        hrefs = {h.replace("&amp;", "&") for h in parse(chapter_page(built_site, nb)).hrefs}
        for name, url in [
            ("Binder", repository.binder_url(path, setting)),
            ("Colab", repository.colab_url(path, setting)),
            ("JupyterHub", repository.nbgitpuller_url(path, setting)),
        ]:
            assert url in hrefs, f"{nb.name}: no {name} button to {url}"
        assert f"../slides/{nb.stem}.slides.html" in hrefs, f"{nb.name}: no Slides button"


# -- in the browser --------------------------------------------------------------------------


def _wait_for_images(page) -> list[str]:
    """Load every image (lazy ones too) and return the sources of those that did not."""
    page.evaluate("document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; })")
    page.wait_for_function("Array.from(document.images).every(i => i.complete)")
    return page.evaluate(
        "Array.from(document.images).filter(i => i.naturalWidth === 0).map(i => i.src)"
    )


def test_every_page_loads_without_errors_and_every_image_loads(built_site, site_url, visit):
    checked = 0
    for page in pages(built_site):
        path = page.relative_to(built_site).as_posix()
        visit.page.goto(urljoin(site_url, path), wait_until="load")
        visit.page.wait_for_timeout(200)
        broken = _wait_for_images(visit.page)
        assert not broken, f"{path}: images that did not load: {broken}"
        assert not visit.problems(), f"{path}: {visit.problems()}"
        checked += 1
    assert checked >= len(NOTEBOOKS) + 3


def _typeset(page):
    page.wait_for_function("window.MathJax && MathJax.startup && MathJax.startup.promise")
    page.evaluate("MathJax.startup.promise")


def _prose_text(page) -> str:
    """The visible text of the article without its code cells."""
    return page.evaluate(
        """() => {
            const article = document.querySelector('article.bd-article').cloneNode(true);
            article.querySelectorAll('pre, code, .cell_input, .highlight').forEach(e => e.remove());
            document.body.appendChild(article);
            const text = article.innerText;
            article.remove();
            return text;
        }"""
    )


@pytest.mark.parametrize("notebook", MATHS_CHAPTERS, ids=lambda p: p.stem)
def test_maths_is_typeset(site_url, visit, notebook):
    assert _maths_in(notebook) > 0, f"{notebook.name} has no display maths to typeset"
    visit.page.goto(urljoin(site_url, f"notebooks/{notebook.stem}.html"))
    _typeset(visit.page)
    assert visit.page.locator("mjx-container").count() > 0, "MathJax typeset nothing"
    text = _prose_text(visit.page)
    for raw in ("$$", "\\frac", "\\begin{"):
        assert raw not in text, (
            f"{notebook.name}: raw {raw!r} visible: {text[text.find(raw) - 80 :][:200]!r}"
        )
    assert not visit.problems(), visit.problems()


def test_search_finds_integrated_gradients_for_completeness(site_url, visit):
    visit.page.goto(urljoin(site_url, f"search.html?q={SEARCH_WORD}"))
    visit.page.wait_for_selector("#search-results li")
    results = visit.page.eval_on_selector_all(
        "#search-results li a", "links => links.map(a => a.getAttribute('href'))"
    )
    assert any(SEARCH_CHAPTER in href for href in results), (
        f"searching {SEARCH_WORD!r} did not find {SEARCH_CHAPTER}: {results}"
    )
    assert not visit.problems(), visit.problems()


def test_saved_widget_state_renders(site_url, visit):
    visit.page.goto(urljoin(site_url, f"notebooks/{WIDGET_CHAPTER}.html"))
    slider = visit.page.locator(".widget-slider").first
    slider.wait_for(state="visible")
    slider.scroll_into_view_if_needed()
    visit.page.wait_for_timeout(500)
    assert visit.page.locator(".jupyter-widgets img, .widget-output img").count() > 0, (
        "the widget's saved picture is missing"
    )
    OUTPUT.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=str(OUTPUT / f"{WIDGET_CHAPTER}_widget.png"))
    assert not visit.problems(), visit.problems()


def test_screenshots_of_the_landing_page_and_a_chapter(site_url, visit):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    visit.page.goto(site_url)
    visit.page.wait_for_load_state("load")
    visit.page.screenshot(path=str(OUTPUT / "landing.png"))
    visit.page.goto(urljoin(site_url, f"notebooks/{SEARCH_CHAPTER}.html"))
    _typeset(visit.page)
    visit.page.screenshot(path=str(OUTPUT / f"{SEARCH_CHAPTER}.png"))
    visit.page.locator("h2").nth(1).scroll_into_view_if_needed()
    visit.page.wait_for_timeout(300)
    visit.page.screenshot(path=str(OUTPUT / f"{SEARCH_CHAPTER}_section.png"))
    assert not visit.problems(), visit.problems()


def test_a_deck_opens_from_the_site_as_slides_and_advances(site_url, visit):
    chapter = MATHS_CHAPTERS[0]
    visit.page.goto(urljoin(site_url, f"notebooks/{chapter.stem}.html"))
    with visit.context.expect_page() as opened:
        visit.page.locator("a.btn-slides-button").click()
    deck = opened.value
    deck.wait_for_selector(".reveal.ready")
    # reveal.js is an AMD module of the deck (require.js loads it from the deck's lib/)
    current = """Promise.race([
        new Promise(done => require(['lib/reveal.js/dist/reveal.js'], R => done(R.getIndices().h))),
        new Promise((_, fail) => setTimeout(() => fail(new Error('reveal.js did not load')), 30000)),
    ])"""
    deck.wait_for_function("window.MathJax && MathJax.Hub && MathJax.Hub.queue.pending === 0")
    before = deck.evaluate(current)
    deck.locator(".reveal").click()
    deck.keyboard.press("ArrowRight")
    deck.wait_for_timeout(400)
    assert deck.evaluate(current) == before + 1, "the deck did not advance on the right-arrow key"
    assert deck.locator(".MathJax_CHTML, .MathJax").count() > 0, "the deck typeset no maths"
    OUTPUT.mkdir(parents=True, exist_ok=True)
    deck.screenshot(path=str(OUTPUT / f"{chapter.stem}_slide.png"))
    assert deck.url.startswith(site_url + "slides/")
    assert not visit.problems(), visit.problems()


QUIZ_CHAPTER = "03_gradient_descent"


def test_the_quiz_reads_as_questions_with_collapsed_answers(site_url, visit):
    visit.page.goto(urljoin(site_url, f"notebooks/{QUIZ_CHAPTER}.html"))
    visit.page.wait_for_load_state("load")
    heading = visit.page.locator("h2", has_text="Check your understanding")
    assert heading.count() == 1, "the quiz has no heading on the page"
    answers = visit.page.locator("details", has_text="Answers, and why")
    assert answers.count() == 1 and answers.get_attribute("open") is None, (
        "answers are not collapsed"
    )
    assert not answers.locator("p").first.is_visible(), "the answers show before they are opened"
    answers.locator("summary").click()
    assert answers.locator("p").first.is_visible(), "the answers do not open"
    assert visit.page.locator("button", has_text="Check").count() == 0, (
        "a quiz widget without a kernel"
    )
    heading.scroll_into_view_if_needed()
    OUTPUT.mkdir(parents=True, exist_ok=True)
    visit.page.screenshot(path=str(OUTPUT / f"{QUIZ_CHAPTER}_quiz.png"))
    assert not visit.problems(), visit.problems()
