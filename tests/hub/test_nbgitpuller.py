"""nbgitpuller links on the running hub: the course arrives in a learner's home, and a later pull
brings new commits without losing the learner's edits (nbgitpuller's promise).

A bare clone of this repository (made with --no-local into a temporary folder; the repository's
own .git is only read) is served over loopback by `git http-backend`, git's smart HTTP, the way
GitHub serves it. The trial hub of hub/jupyterhub_config.py points its default URL at it. A
learner follows the link the guide hands out (/hub/user-redirect/git-pull?...), the status page's
own parameters drive the pull as its script does, a new commit lands upstream, the learner edits
a notebook through the Jupyter server's contents API (as JupyterLab saves), and a second click
on the link merges. A second learner logs in through the hub's login page in headless Chromium
and must land in JupyterLab on the welcome notebook that nbgitpuller just pulled.
"""

import html
import json
import os
import re
import time
from urllib.parse import unquote, urlencode

import nbformat
import pytest

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.hub.helpers import git, git_http_server, require_hub
from tools import hub as course_hub
from tools.notebooks import ROOT

LIMITS = course_hub.limits()
FOLDER = LIMITS["course_folder"]
EDITED = "notebooks/01_the_neuron.ipynb"
OUTPUT = ROOT / "test-output" / "hub"
WELCOME_URL = re.compile(
    rf".*/user/grace/lab/tree/{FOLDER}/{re.escape(LIMITS['welcome_notebook'])}.*"
)


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(repository URL, bare repository path, a working clone to commit from)."""
    require_hub()
    if not (ROOT / ".git").exists():
        message = "the nbgitpuller test serves a clone of this repository: it needs a git checkout"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    root = tmp_path_factory.mktemp("git-served")
    bare = root / "course.git"
    # --no-local: copy objects through git's transport, never hard-link this repository's files
    git("clone", "--quiet", "--bare", "--no-local", str(ROOT), str(bare))
    heads = git("for-each-ref", "--format=%(refname:short)", "refs/heads", cwd=bare).split()
    if LIMITS["branch"] not in heads:  # a checkout on another branch: serve its HEAD as main
        git("branch", LIMITS["branch"], "HEAD", cwd=bare)
    work = root / "upstream-work"
    git("clone", "--quiet", "--branch", LIMITS["branch"], str(bare), str(work))
    with git_http_server(root) as base:
        url = f"{base}/course.git"
        assert LIMITS["branch"] in git("ls-remote", "--heads", url), (
            "the git server does not answer"
        )
        yield url, bare, work


@pytest.fixture(scope="module")
def running(served, tmp_path_factory):
    url, _, _ = served
    state = tmp_path_factory.mktemp("hub-git")
    with course_hub.running_hub(state, env={"COURSE_HUB_REPO": url}) as hub:
        yield hub


def nbgitpuller_link(hub, repo: str, notebook: str) -> str:
    """The link the instructor guide hands out, for this hub."""
    query = urlencode(
        {
            "repo": repo,
            "branch": LIMITS["branch"],
            "targetpath": FOLDER,
            "urlpath": f"lab/tree/{FOLDER}/{notebook}",
        }
    )
    return f"{hub.url}/hub/user-redirect/git-pull?{query}"


def logged_in(hub, name: str):
    """A requests session that logged in on the hub's login page, as a browser does."""
    import requests

    session = requests.Session()
    session.get(f"{hub.url}/hub/login", timeout=30).raise_for_status()
    answer = session.post(
        f"{hub.url}/hub/login",
        data={
            "username": name,
            "password": course_hub.TRIAL_PASSWORD,
            "_xsrf": session.cookies.get("_xsrf", path="/hub/"),
        },
        allow_redirects=False,
        timeout=60,
    )
    assert answer.status_code == 302, f"login as {name}: {answer.status_code} {answer.text[:200]}"
    return session


def follow_link(hub, session, name: str, link: str, timeout: float = 300) -> list[dict]:
    """Open the link as the learner, then run the pull the status page's script runs; its events."""
    page = session.get(link, timeout=60)  # hub -> the learner's server (OAuth) -> status page
    assert page.status_code == 200, f"{link} answered {page.status_code}"
    assert page.url.startswith(f"{hub.url}/user/{name}/git-pull?"), page.url
    attributes = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', page.text))
    values = {key: unquote(html.unescape(value)) for key, value in attributes.items()}
    assert values["path"] == f"lab/tree/{FOLDER}/{EDITED}", values["path"]
    params = {"_xsrf": values["xsrf"], "repo": values["repo"], "targetpath": values["targetpath"]}
    if "branch" in values:
        params["branch"] = values["branch"]
    api = f"{hub.url}/user/{name}/git-pull/api?{urlencode(params)}"
    events, deadline = [], time.monotonic() + timeout
    with session.get(api, stream=True, timeout=(10, 120)) as stream:
        assert stream.status_code == 200, f"{api} answered {stream.status_code}"
        for line in stream.iter_lines(decode_unicode=True):
            if line and line.startswith("data: "):
                events.append(json.loads(line[len("data: ") :]))
                if events[-1].get("phase") in {"finished", "error"}:
                    break
            if time.monotonic() > deadline:
                break
    assert events and events[-1].get("phase") == "finished", (
        f"the pull did not finish: {events[-3:]}"
    )
    return events


def test_a_link_pulls_the_course_and_a_second_pull_keeps_the_learners_edit(running, served):
    import requests

    hub = running
    url, bare, work = served
    name = "ada"
    token = course_hub.log_in(hub, name)
    course_hub.start_server(hub, name, token, timeout=300)
    session = logged_in(hub, name)
    home = hub.state / "homes" / name
    link = nbgitpuller_link(hub, url, EDITED)

    # first click: the course is cloned into the learner's home, at the served commit
    follow_link(hub, session, name, link)
    clone = home / FOLDER
    first = git("rev-parse", LIMITS["branch"], cwd=bare).strip()
    assert git("rev-parse", "HEAD", cwd=clone).strip() == first
    served_nb = git("show", f"{LIMITS['branch']}:{EDITED}", cwd=bare)
    assert (clone / EDITED).read_text() == served_nb

    # upstream, the instructor commits: a new file, and a change to the first cell of the very
    # notebook the learner is about to edit further down
    (work / "notebooks" / "meeting_02.md").write_text("# Meeting 2\n\nBring questions.\n")
    upstream_nb = nbformat.read(work / EDITED, as_version=4)
    upstream_nb.cells[0].source += "\n\n*Updated by the instructor.*"
    nbformat.write(upstream_nb, work / EDITED)
    git("add", "-A", cwd=work)
    git("commit", "--quiet", "-m", "Meeting 2 notes; clarify 01's introduction", cwd=work)
    git("push", "--quiet", "origin", LIMITS["branch"], cwd=work)
    second = git("rev-parse", "HEAD", cwd=work).strip()
    assert second != first

    # meanwhile the learner edits the last code cell and saves, as JupyterLab does
    contents = f"{hub.url}/user/{name}/api/contents/{FOLDER}/{EDITED}"
    auth = {"Authorization": f"token {token}"}
    model = requests.get(contents, headers=auth, timeout=30).json()
    nb = nbformat.from_dict(model["content"])
    last_code = max(i for i, cell in enumerate(nb.cells) if cell.cell_type == "code")
    mine = "# my own note: try w = 3 here\n"
    nb.cells[last_code].source = mine + nb.cells[last_code].source
    saved = requests.put(
        contents,
        headers=auth,
        json={"type": "notebook", "format": "json", "content": nb},
        timeout=30,
    )
    assert saved.status_code == 200, saved.text[:300]

    # second click: the new commit arrives, the learner's edit stays
    follow_link(hub, session, name, link)
    assert git("merge-base", "--is-ancestor", second, "HEAD", cwd=clone) == ""
    assert (clone / "notebooks" / "meeting_02.md").read_text().startswith("# Meeting 2")
    merged = nbformat.read(clone / EDITED, as_version=4)
    assert merged.cells[last_code].source.startswith(mine), "the learner's edit was lost"
    assert merged.cells[0].source.endswith("*Updated by the instructor.*"), (
        "the instructor's change to another cell did not arrive"
    )
    assert nbformat.validate(merged) is None


def test_the_trial_login_lands_in_jupyterlab_on_the_pulled_welcome_notebook(running):
    """What an instructor trying `make hub` sees: the login page, then the welcome notebook."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    hub = running
    OUTPUT.mkdir(parents=True, exist_ok=True)
    errors = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.goto(f"{hub.url}/hub/login", timeout=60_000)
            page.screenshot(path=str(OUTPUT / "login.png"))
            page.fill("#username_input", "grace")
            page.fill("#password_input", course_hub.TRIAL_PASSWORD)
            page.click("#login_submit")
            # spawn, nbgitpuller's status page, then JupyterLab with the welcome notebook open
            page.wait_for_url(WELCOME_URL, timeout=300_000)
            page.locator(".jp-NotebookPanel .jp-Cell").first.wait_for(timeout=120_000)
            # the notebook is rendered (its title) and its kernel is up and idle
            page.locator(".jp-NotebookPanel .jp-MarkdownOutput h1").first.wait_for(timeout=120_000)
            page.get_by_text(re.compile(r"Python 3 \(ipykernel\) \| Idle")).first.wait_for(
                timeout=180_000
            )
            page.screenshot(path=str(OUTPUT / "welcome.png"))
            tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current").first
            assert tab.inner_text(timeout=30_000).strip() == "00_welcome.ipynb"
        finally:
            browser.close()
    welcome = hub.state / "homes" / "grace" / FOLDER / LIMITS["welcome_notebook"]
    assert welcome.exists(), "the default URL did not pull the course into grace's home"
    assert not errors, f"JavaScript errors in JupyterLab: {errors}"
