"""Where the course is published: ``python -m tools.repository [https://github.com/OWNER/REPO]``.

One setting, ``[tool.course] repository`` in pyproject.toml (with ``branch`` and, for a class hub,
``jupyterhub``), gives every address a reader follows: the Binder, Colab and JupyterHub
(nbgitpuller) launch links, the site's repository button, the Colab cell's install source and
README's Binder badge. The website reads it at build time; the places that must hold the address
as plain text (README's badge, which GitHub shows as it is, and the Colab cell, docs/colab_cell.py
and the first code cell of each chapter, which runs where nothing else of the course is) are
rewritten from it by this command.

With an address, the command first writes it into pyproject.toml. ``--check`` only lists the
places that disagree with the setting (the tests call it).
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = ROOT / "pyproject.toml"
README = ROOT / "README.md"
COLAB_CELL = ROOT / "docs" / "colab_cell.py"
#: Zero to JupyterHub's values: singleuser.defaultUrl is an nbgitpuller link to the repository
HUB_VALUES = ROOT / "hub" / "config.yaml"
_GITHUB = re.compile(r"^https://github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?$")


def settings(pyproject: Path | None = None) -> dict[str, str]:
    """``[tool.course]`` of pyproject.toml: repository, branch, jupyterhub (checked)."""
    pyproject = pyproject or PYPROJECT
    table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("course")
    if not table or "repository" not in table:
        raise ValueError(
            f"{pyproject.name} needs a [tool.course] table with repository = 'https://github.com/OWNER/REPO'"
        )
    repository = table["repository"]
    if not _GITHUB.match(repository):
        raise ValueError(
            f"[tool.course] repository must look like https://github.com/OWNER/REPO, got {repository!r}"
        )
    return {
        "repository": repository.rstrip("/").removesuffix(".git"),
        "branch": table.get("branch", "main"),
        "jupyterhub": table.get("jupyterhub", "").rstrip("/"),
    }


def github_path(setting: dict[str, str] | None = None) -> str:
    """``OWNER/REPO`` of the repository."""
    owner, name = _GITHUB.match((setting or settings())["repository"]).groups()
    return f"{owner}/{name}"


def binder_url(path: str, setting: dict[str, str] | None = None) -> str:
    """mybinder.org link that opens ``path`` (relative to the repository root) in JupyterLab."""
    s = setting or settings()
    return f"https://mybinder.org/v2/gh/{github_path(s)}/{s['branch']}?urlpath=lab/tree/{path}"


def colab_url(path: str, setting: dict[str, str] | None = None) -> str:
    s = setting or settings()
    return f"https://colab.research.google.com/github/{github_path(s)}/blob/{s['branch']}/{path}"


def nbgitpuller_url(path: str, setting: dict[str, str] | None = None) -> str:
    """The class hub's nbgitpuller link (what sphinx-book-theme's JupyterHub button builds)."""
    s = setting or settings()
    name = github_path(s).split("/")[1]
    query = urlencode(
        {"repo": s["repository"], "urlpath": f"lab/tree/{name}/{path}", "branch": s["branch"]},
        safe="/",
    )
    return f"{s['jupyterhub']}/hub/user-redirect/git-pull?{query}"


def pip_source(setting: dict[str, str] | None = None) -> str:
    """What ``pip install`` takes to install the course package from the repository."""
    s = setting or settings()
    return f"blackbox-course @ git+{s['repository']}@{s['branch']}"


def site_url(setting: dict[str, str] | None = None) -> str:
    """Where GitHub Pages publishes the site (``https://OWNER.github.io/REPO/``)."""
    owner, name = github_path(setting).split("/")
    return f"https://{owner.lower()}.github.io/{quote(name)}/"


# -- the two plain-text copies ---------------------------------------------------------------

_BADGE = re.compile(r"^\[!\[Binder\]\([^)]*\)\]\([^)]*\)$", re.M)
_CELL_SOURCE = re.compile(r'^(COURSE_PACKAGE_DEFAULT = )"[^"\n]*"$', re.M)
_PULL_REPO = re.compile(r"(git-pull\?repo=)https%3A%2F%2Fgithub\.com%2F[^&\"'\s]+")
_PULL_BRANCH = re.compile(r"(git-pull\?[^\"'\s]*?&branch=)[^&\"'\s]+")


def _badge(setting) -> str:
    return (
        "[![Binder](https://mybinder.org/badge_logo.svg)]"
        f"({binder_url('notebooks/00_welcome.ipynb', setting)})"
    )


def expected_copies(setting: dict[str, str] | None = None) -> dict[Path, str]:
    """README.md, docs/colab_cell.py (and hub/config.yaml's nbgitpuller link) as they must read."""
    s = setting or settings()
    readme = README.read_text(encoding="utf-8")
    cell = COLAB_CELL.read_text(encoding="utf-8")
    if not _BADGE.search(readme):
        raise ValueError(f"{README.name} has no '[![Binder](...)](...)' badge line")
    if not _CELL_SOURCE.search(cell):
        raise ValueError(f"{COLAB_CELL.name} has no 'COURSE_PACKAGE_DEFAULT = \"...\"' line")
    copies = {
        README: _BADGE.sub(lambda _: _badge(s), readme, count=1),
        COLAB_CELL: _CELL_SOURCE.sub(lambda m: f'{m[1]}"{pip_source(s)}"', cell, count=1),
    }
    if HUB_VALUES.is_file() and _PULL_REPO.search(HUB_VALUES.read_text(encoding="utf-8")):
        values = _PULL_REPO.sub(
            lambda m: m[1] + quote(s["repository"], safe=""), HUB_VALUES.read_text("utf-8")
        )
        copies[HUB_VALUES] = _PULL_BRANCH.sub(lambda m: m[1] + s["branch"], values)
    return copies


def first_code_cell(notebook: Path):
    """The first code cell of a notebook (where the Colab cell goes), or None."""
    import nbformat

    nb = nbformat.read(notebook, as_version=4)
    return next((cell for cell in nb.cells if cell.cell_type == "code"), None), nb


def _colab_cell_notebooks() -> list[Path]:
    """The chapters whose first code cell is the Colab cell (it names COURSE_PACKAGE_DEFAULT)."""
    from tools.notebooks import course_notebooks

    found = []
    for path in course_notebooks():
        cell, _ = first_code_cell(path)
        if cell is not None and _CELL_SOURCE.search(cell.source):
            found.append(path)
    return found


def stale_copies(setting: dict[str, str] | None = None) -> list[Path]:
    """The files whose copy of the address disagrees with the setting (notebooks included)."""
    expected = expected_copies(setting)
    stale = [p for p, text in expected.items() if p.read_text("utf-8") != text]
    cell_text = expected[COLAB_CELL].strip()
    for path in _colab_cell_notebooks():
        if first_code_cell(path)[0].source.strip() != cell_text:
            stale.append(path)
    return stale


def update_notebooks(cell_text: str) -> list[Path]:
    """Give every chapter that has the Colab cell the current one (ids and metadata kept)."""
    import nbformat

    changed = []
    for path in _colab_cell_notebooks():
        cell, nb = first_code_cell(path)
        if cell.source.strip() != cell_text.strip():
            cell.source = cell_text.strip()
            nbformat.write(nb, path)
            changed.append(path)
    return changed


def set_repository(url: str, branch: str | None = None, pyproject: Path | None = None) -> None:
    """Write ``repository`` (and ``branch``) into pyproject.toml's [tool.course] table."""
    pyproject = pyproject or PYPROJECT
    if not _GITHUB.match(url):
        raise ValueError(f"expected https://github.com/OWNER/REPO, got {url!r}")
    text = pyproject.read_text(encoding="utf-8")
    table = re.search(r"^\[tool\.course\]\n(?:(?!\[).*\n?)*", text, re.M)
    if table is None:
        raise ValueError(f"{pyproject.name} has no [tool.course] table")
    body = re.sub(r'^repository = "[^"]*"$', f'repository = "{url}"', table[0], count=1, flags=re.M)
    if branch is not None:
        body = re.sub(r'^branch = "[^"]*"$', f'branch = "{branch}"', body, count=1, flags=re.M)
    pyproject.write_text(text[: table.start()] + body + text[table.end() :], encoding="utf-8")
    settings(pyproject)  # still valid


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("repository", nargs="?", help="https://github.com/OWNER/REPO")
    parser.add_argument("--branch", help="the branch the links open (default: keep the setting)")
    parser.add_argument("--check", action="store_true", help="only list stale copies")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_copies()
        for path in stale:
            print(f"{path.relative_to(ROOT)} disagrees with [tool.course] in pyproject.toml")
        return 1 if stale else 0
    if args.repository:
        set_repository(args.repository, args.branch)
    for path, text in expected_copies().items():
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"updated {path.relative_to(ROOT)}")
    for path in update_notebooks(COLAB_CELL.read_text(encoding="utf-8")):
        print(f"updated the Colab cell of {path.relative_to(ROOT)}")
    s = settings()
    print(f"repository {s['repository']} (branch {s['branch']}); the site will be at {site_url(s)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
