"""One setting, ``[tool.course] repository`` in pyproject.toml, gives every address a reader follows.

The launch links and the site's repository button follow it (checked with another address on a
copy of pyproject.toml); the plain-text copies (README's badge, the Colab cell) agree with it; and
no other file of the repository writes the address, or a launch link, by hand.
"""

import re
import runpy
import subprocess
from pathlib import Path
from urllib.parse import quote

import nbformat
import pytest

from tools import repository
from tools.notebooks import ROOT

#: the lines that hold the setting or a copy tools.repository rewrites (checked above)
SETTING_LINES = {
    "pyproject.toml": re.compile(r"^repository = "),
    "README.md": re.compile(r"^\[!\[Binder\]"),
    "docs/colab_cell.py": re.compile(r"^COURSE_PACKAGE_DEFAULT = "),
}
#: a copy tools.repository rewrites in another format (Zero to JupyterHub's values)
SETTING_FILES = {"hub/config.yaml"}
#: code that builds links from settings (the address may appear in its messages)
LINK_BUILDERS = {"tools/repository.py", "docs/conf.py", "hub/jupyterhub_config.py"}
#: a launch link written out with a repository in it (placeholders such as <owner> are fine)
LAUNCH_LINKS = re.compile(
    r"(mybinder\.org/v2/gh/|colab\.research\.google\.com/github/|git-pull\?repo=https?(%3A|:)"
    r"(%2F|/){2}github\.com(%2F|/))(?!<)[A-Za-z0-9_.-]+"
)
OTHER = "https://github.com/someone-else/their-course"


def repository_files() -> list[str]:
    """Tracked and new (not ignored) text files, tests excluded (their data may be anything)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return sorted(
        {
            name
            for name in listed
            if (ROOT / name).is_file()
            and not name.startswith("tests/")
            and (ROOT / name).suffix
            in {
                "",
                ".md",
                ".py",
                ".toml",
                ".yml",
                ".yaml",
                ".cfg",
                ".txt",
                ".json",
                ".ipynb",
                ".html",
                ".js",
                ".lock",
            }
        }
    )


def test_the_plain_text_copies_agree_with_the_setting():
    stale = repository.stale_copies()
    assert not stale, (
        f"{[str(p.relative_to(ROOT)) for p in stale]} disagree with pyproject.toml's "
        "[tool.course]: run `python -m tools.repository`"
    )


def test_no_other_file_writes_the_address_or_a_launch_link():
    setting = repository.settings()
    path = repository.github_path(setting)
    spellings = {path, quote(path, safe=""), "OWNER/REPO", "OWNER%2FREPO"}
    colab_cell = repository.COLAB_CELL.read_text().strip()
    offenders = []
    for name in repository_files():
        text = (ROOT / name).read_text(encoding="utf-8", errors="replace")
        if name.endswith(".ipynb"):
            # the Colab cell (equal to docs/colab_cell.py, checked above) may name it
            cell, nb = repository.first_code_cell(ROOT / name)
            if cell is not None and cell.source.strip() == colab_cell:
                nb.cells.remove(cell)
            text = nbformat.writes(nb)
        if name in SETTING_LINES:
            lines = text.splitlines()
            text = "\n".join(line for line in lines if not SETTING_LINES[name].match(line))
            assert len(text.splitlines()) == len(lines) - 1, f"{name}: one setting line expected"
        found = [s for s in spellings if s in text]
        if name not in SETTING_FILES | LINK_BUILDERS and found:
            offenders.append(f"{name} writes {found[0]}")
        if name not in SETTING_FILES | LINK_BUILDERS and LAUNCH_LINKS.search(text):
            offenders.append(f"{name} writes a launch link ({LAUNCH_LINKS.search(text)[0]})")
    assert not offenders, (
        "the repository's address lives in pyproject.toml's [tool.course] only; use "
        f"tools.repository (or say 'the repository' in prose): {offenders}"
    )


@pytest.fixture
def other_setting(tmp_path, monkeypatch):
    """A copy of pyproject.toml pointing at another repository (the real one is not touched)."""
    copy = tmp_path / "pyproject.toml"
    copy.write_text((ROOT / "pyproject.toml").read_text())
    repository.set_repository(OTHER, branch="teaching", pyproject=copy)
    monkeypatch.setattr(repository, "PYPROJECT", copy)
    return repository.settings()


def test_set_repository_writes_the_setting(other_setting):
    assert other_setting["repository"] == OTHER
    assert other_setting["branch"] == "teaching"
    assert repository.github_path(other_setting) == "someone-else/their-course"


def test_launch_links_follow_the_setting(other_setting):
    path = "notebooks/01_the_neuron.ipynb"
    assert repository.binder_url(path) == (
        "https://mybinder.org/v2/gh/someone-else/their-course/teaching?urlpath=lab/tree/" + path
    )
    assert repository.colab_url(path) == (
        "https://colab.research.google.com/github/someone-else/their-course/blob/teaching/" + path
    )
    hub = repository.nbgitpuller_url(path)
    assert hub.startswith(other_setting["jupyterhub"] + "/hub/user-redirect/git-pull?")
    assert "repo=https%3A//github.com/someone-else/their-course" in hub
    assert "urlpath=lab/tree/their-course/" + path in hub and "branch=teaching" in hub
    assert repository.pip_source() == f"blackbox-course @ git+{OTHER}@teaching"
    assert repository.site_url() == "https://someone-else.github.io/their-course/"


def test_the_site_configuration_follows_the_setting(other_setting):
    conf = runpy.run_path(str(ROOT / "docs" / "conf.py"))
    options = conf["html_theme_options"]
    assert options["repository_url"] == OTHER
    assert options["repository_branch"] == "teaching"
    assert options["launch_buttons"]["jupyterhub_url"] == other_setting["jupyterhub"]


def test_the_plain_text_copies_would_follow_the_setting(other_setting):
    copies = repository.expected_copies()
    readme, cell = copies[repository.README], copies[repository.COLAB_CELL]
    assert repository.binder_url("notebooks/00_welcome.ipynb") in readme.splitlines()[2]
    assert f'COURSE_PACKAGE_DEFAULT = "blackbox-course @ git+{OTHER}@teaching"' in cell
    # nothing else in them changes
    assert readme.splitlines()[3:] == repository.README.read_text().splitlines()[3:]


def test_a_bad_address_is_refused_with_what_was_expected(tmp_path):
    copy = tmp_path / "pyproject.toml"
    copy.write_text((ROOT / "pyproject.toml").read_text())
    with pytest.raises(ValueError, match="https://github.com/OWNER/REPO"):
        repository.set_repository("github.com/no-scheme", pyproject=copy)
    copy.write_text('[tool.course]\nrepository = "https://gitlab.com/a/b"\n')
    with pytest.raises(ValueError, match="https://github.com/OWNER/REPO"):
        repository.settings(copy)
    copy.write_text("[project]\nname = 'x'\n")
    with pytest.raises(ValueError, match=r"\[tool.course\]"):
        repository.settings(copy)


def test_readme_tells_a_publisher_to_set_it_in_one_place():
    readme = (ROOT / "README.md").read_text()
    assert "[tool.course] repository" in readme and "python -m tools.repository" in readme
    assert Path(ROOT / ".github" / "workflows" / "pages.yml").is_file()
    assert "make site" in (ROOT / ".github" / "workflows" / "pages.yml").read_text()
