"""Every notebook follows the course's shape (see DESIGN.md): name, opening, ending, executed state."""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
README = (ROOT / "README.md").read_text()
COURSE_MAP = re.findall(r"\]\(notebooks/(\d\d_[a-z0-9_]+\.ipynb)\)", README)
NAME = re.compile(r"^(\d\d)_[a-z0-9_]+\.ipynb$")
ABSOLUTE_PATH = re.compile(r"[\"' (=](/home/|/root/|/Users/|/mnt/|/tmp/|/work/|[A-Z]:\\\\)")


def _read(path):
    return nbformat.read(path, as_version=4)


def test_names_are_numbered_contiguously_from_00():
    assert NOTEBOOKS, "no notebooks found"
    numbers = []
    for path in NOTEBOOKS:
        match = NAME.match(path.name)
        assert match, f"{path.name} is not named NN_topic.ipynb (lower case, underscores)"
        numbers.append(int(match.group(1)))
    assert numbers == list(range(len(numbers))), (
        f"notebook numbers are not 00..{len(numbers) - 1}: {numbers}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_listed_in_the_readme_course_map(path):
    assert path.name in COURSE_MAP, f"{path.name} is missing from the README's course map"


def test_course_map_lists_existing_notebooks_in_order():
    assert COURSE_MAP == sorted(COURSE_MAP), "the README's course map is not in reading order"
    missing = [name for name in COURSE_MAP if not (ROOT / "notebooks" / name).exists()]
    assert not missing, f"the README's course map lists notebooks that do not exist: {missing}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_course_map_time_is_the_notebooks_own(path):
    row = re.search(
        rf"^\| \d\d \| \[[^]]+\]\(notebooks/{re.escape(path.name)}\) \|.*$", README, re.M
    )
    assert row, f"the README's course map has no row for {path.name}"
    listed = re.search(r"\| (\d+) min \|", row.group(0))
    own = re.search(r"\*\*Time:\*\* about (\d+) minutes", _read(path).cells[0].source)
    assert listed and own, (
        f"{path.name}: a time is missing from its course-map row or from its first cell"
    )
    assert listed.group(1) == own.group(1), (
        f"the README gives {path.name} {listed.group(1)} min, its first cell says {own.group(1)}"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_opens_with_objectives_prerequisites_and_time(path):
    first = _read(path).cells[0]
    assert first.cell_type == "markdown"
    text = first.source
    number = path.name[:2]
    assert re.match(rf"# {number} · \S", text), (
        f"{path.name}: the first line must be '# {number} · Title'"
    )
    assert "**You will learn**" in text, f"{path.name}: no objectives ('**You will learn**')"
    assert "**Before this:**" in text, f"{path.name}: no prerequisites ('**Before this:**')"
    assert re.search(r"\*\*Time:\*\* about \d+ minutes", text), (
        f"{path.name}: no estimated time ('**Time:** about N minutes')"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_ends_with_summary_and_link_to_next(path):
    last = _read(path).cells[-1]
    assert last.cell_type == "markdown" and "## Summary" in last.source, (
        f"{path.name}: the last cell must be the summary"
    )
    index = COURSE_MAP.index(path.name)
    target = (
        COURSE_MAP[index + 1] if index + 1 < len(COURSE_MAP) else COURSE_MAP[0]
    )  # the last chapter leads back to the start
    assert re.search(rf"\*\*Next:\*\*.*\]\({re.escape(target)}\)", last.source), (
        f"{path.name}: the summary must end with '**Next:** [..]({target})'"
    )


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_committed_executed_in_order_without_errors(path):
    nb = _read(path)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3", (
        f"{path.name}: kernelspec must be python3"
    )
    code = [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]
    counts = [c.execution_count for c in code]
    assert counts == list(range(1, len(code) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..n; run `make execute`"
    )
    assert any(c.outputs for c in code), f"{path.name}: committed without outputs"
    for cell in code:
        for output in cell.outputs:
            assert output.output_type != "error" or "raises-exception" in cell.metadata.get(
                "tags", []
            ), f"{path.name}: a cell is committed with an error: {cell.source[:60]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_no_absolute_paths(path):
    for cell in _read(path).cells:
        found = ABSOLUTE_PATH.search(cell.source)
        assert not found, f"{path.name}: absolute path {found.group(0)!r} in {cell.source[:60]!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_cells_carry_slide_metadata_and_solutions_are_hidden(path):
    allowed = {"slide", "subslide", "fragment", "-", "skip", "notes"}
    for cell in _read(path).cells:
        slide_type = cell.metadata.get("slideshow", {}).get("slide_type")
        assert slide_type in allowed, (
            f"{path.name}: cell {cell.source[:40]!r} has slide_type {slide_type!r}"
        )
        if "solution" in cell.metadata.get("tags", []):
            assert cell.metadata.get("jupyter", {}).get("source_hidden") is True, (
                f"{path.name}: solution cell not collapsed"
            )
            assert slide_type == "skip", f"{path.name}: solution cells are skipped on slides"
