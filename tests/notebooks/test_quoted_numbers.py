"""Numbers one chapter quotes from another's outputs are that chapter's committed outputs.

Chapter 19's map of the course copies each method's chapter 16 scores (deletion, insertion,
infidelity and max-sensitivity, with intervals and ranks) into its table, because 19 cannot afford
to recompute them; this test fails when 16 is re-executed and 19's copy is not updated.
"""

import re

import nbformat

from tools.notebooks import NOTEBOOK_DIR

ROW = re.compile(r"(.+?)\s{2,}" + r"(\S+ \[\S+ \S+\])\s+(\S+)\s+" * 4)
NAMES = {
    "Gradient saliency": "saliency",
    "Gradient x input": "gradient x input",
    "SmoothGrad": "SmoothGrad",
    "Integrated Gradients": "Integrated Gradients",
    "DeepLIFT": "DeepLIFT",
    "Occlusion": "occlusion",
    "LIME": "LIME",
    "KernelSHAP": "KernelSHAP",
}


def _chapter16_table() -> dict[str, tuple[str, ...]]:
    nb = nbformat.read(NOTEBOOK_DIR / "16_evaluating_explanations.ipynb", as_version=4)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("data", {}).get("text/plain", "")
            if "max-sensitivity" in text and "del. rank" in text:
                return {
                    m.group(1).strip(): m.groups()[1:]
                    for m in map(ROW.match, text.splitlines()[1:])
                    if m
                }
    raise AssertionError("chapter 16 prints no summary table")


def test_chapter_19_quotes_chapter_16s_scores_as_printed():
    scores = _chapter16_table()
    nb = nbformat.read(NOTEBOOK_DIR / "19_summary_and_outlook.ipynb", as_version=4)
    source = next(
        c.source
        for c in nb.cells
        if c.cell_type == "code" and "course_map = pd.DataFrame" in c.source
    )
    for shown, name in NAMES.items():
        d, dr, i, ir, f, fr, s, sr = scores[name]
        row = source[source.index(f'"{shown}",') :]
        faithfulness, robustness = re.findall(r'"(deletion [^"]*)",\s*"([^"]*)"', row)[0]
        assert faithfulness == f"deletion {d} {dr}, insertion {i} {ir}, infidelity {f} {fr}", shown
        assert robustness.startswith(f"{s} {sr}"), (
            f"{shown}: 19 says {robustness!r}, 16 prints {s} {sr}"
        )
