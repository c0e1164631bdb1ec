"""The built website, once per test session: `make site`'s code into a temporary folder, served
from a local web server on 127.0.0.1, and one headless Chromium that refuses every other address."""

import functools
import http.server
import os
import threading
from pathlib import Path

import pytest

from tests.browser.chromium import CHROMIUM_ARGS, require_chromium
from tools import site as site_tool
from tools import slides


def _need_npm():
    if site_tool.install_site_libraries() and slides.install_slide_libraries():
        return
    message = "npm is needed to build the site's MathJax and decks (Debian: apt-get install npm)"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def built_site(tmp_path_factory):
    """The whole site, built by tools.site (what `make site` runs) into a fresh folder.

    COURSE_TEST_SITE=path tests a site built before instead (to look into a failure quickly).
    """
    if os.environ.get("COURSE_TEST_SITE"):
        return Path(os.environ["COURSE_TEST_SITE"]).resolve()
    _need_npm()
    return site_tool.build(tmp_path_factory.mktemp("site") / "site")


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # the tests report what failed; no access log
        pass


@pytest.fixture(scope="session")
def site_url(built_site):
    """``http://127.0.0.1:PORT/`` serving the built site (stopped at the end of the session)."""
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


# module scope: Playwright's sync API runs one event loop at a time, and the deck and JupyterLab
# tests that run after this folder start their own
@pytest.fixture(scope="module")
def browser():
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS, headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


class Visit:
    """One browser page on the site that records console errors, failed loads and any request
    that leaves the site (refused: the site must work offline)."""

    def __init__(self, browser, site_url):
        self.site_url = site_url
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        # a chapter with hundreds of formulas takes MathJax seconds on a busy 2-core machine
        self.context.set_default_timeout(120_000)
        self.context.set_default_navigation_timeout(120_000)
        self.console_errors, self.page_errors, self.failed, self.remote = [], [], [], []
        self.context.on("page", self._watch)  # every page, a deck opened in a new tab included
        self.page = self.context.new_page()

        def refuse(route):
            self.remote.append(route.request.url)
            route.abort()

        self.context.route(
            lambda url: not url.startswith((site_url, "data:", "blob:", "about:")), refuse
        )

    def _watch(self, page):
        page.on(
            "console",
            lambda m: (
                self.console_errors.append(f"{page.url}: {m.text}") if m.type == "error" else None
            ),
        )
        page.on("pageerror", lambda e: self.page_errors.append(f"{page.url}: {e}"))
        page.on("requestfailed", lambda r: self.failed.append(r.url))

    def problems(self) -> dict[str, list[str]]:
        found = {
            "requests that left the site": self.remote,
            "files that failed to load": [u for u in self.failed if u not in self.remote],
            "JavaScript errors": self.page_errors,
            "console errors": self.console_errors,
        }
        return {k: v for k, v in found.items() if v}

    def close(self):
        self.context.close()


@pytest.fixture
def visit(browser, site_url):
    opened = Visit(browser, site_url)
    try:
        yield opened
    finally:
        opened.close()
