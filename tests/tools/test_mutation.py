"""tools/mutation.py (`make mutation`): which tests measure which module, how mutmut's exit codes
count, and that an equivalent mutant is left out only while its recorded change is still the one."""

import re
from pathlib import Path

import pytest

from tools import mutation
from tools.notebooks import ROOT


def test_every_measured_module_has_its_own_test_file():
    measured = mutation.modules()
    assert Path("course_utils/xai/shapley.py") in measured
    assert not any(str(m) in mutation.NOT_MEASURED or m.name == "__init__.py" for m in measured)
    for module in measured:
        assert (ROOT / mutation.own_tests(module)).is_file(), module
    assert mutation.own_tests(Path("course_utils/_checks.py")) == Path("tests/test_checks.py")
    assert mutation.own_tests(Path("course_utils/xai/metrics.py")) == Path(
        "tests/xai/test_metrics.py"
    )
    assert mutation.own_tests(Path("course_utils/xai/lime_surrogate.py")) == Path(
        "tests/xai/test_lime.py"
    )


DIFF = """--- course_utils/a.py
+++ course_utils/a.py
@@ -1,2 +1,2 @@
 def f(xs, ys):
-    for x, y in zip(xs, ys, strict=True):
+    for x, y in zip(xs, ys, strict=None):
"""


def test_changed_lines_skip_the_file_headers():
    assert mutation.changed_lines(DIFF) == (
        ["for x, y in zip(xs, ys, strict=True):"],
        ["for x, y in zip(xs, ys, strict=None):"],
    )


def test_exit_codes_are_counted_and_equivalents_need_their_recorded_change():
    codes = {"m_1": 1, "m_2": 3, "m_3": 36, "m_4": 0, "m_5": 0, "m_6": 33, "m_7": 0, "m_8": -11}
    equivalent = {
        "m_4": ("strict=None", "lengths are equal"),  # the change is still this one: left out
        "m_5": ("out=None", "a buffer"),  # the name now points at another change: it counts
        "m_1": ("strict=None", "stale"),  # killed anyway: counted as killed
    }
    result = mutation.classify(
        mutation.Result(Path("course_utils/a.py")), codes, equivalent, lambda name: DIFF
    )
    assert (result.killed, result.timeout) == (2, 1)
    assert result.equivalent == ["m_4"]
    assert result.survived == ["m_5", "m_7"]
    assert result.no_tests == ["m_6"]
    assert result.other == ["m_8 (exit code -11)"]
    assert result.mutants == 8
    assert result.score == pytest.approx(3 / 7)  # (killed + timed out) / (mutants - equivalent)
    assert mutation.Result(Path("x.py")).score is None


def test_the_equivalents_file_is_read_and_checked(tmp_path):
    good = tmp_path / "eq.toml"
    good.write_text('[[mutant]]\nname = "m_1"\nchange = "strict=None"\nreason = "equal lengths"\n')
    assert mutation.equivalent_mutants(good) == {"m_1": ("strict=None", "equal lengths")}
    assert mutation.equivalent_mutants(tmp_path / "missing.toml") == {}
    bad = tmp_path / "bad.toml"
    bad.write_text('[[mutant]]\nname = "m_1"\nchange = "strict=None"\n')
    with pytest.raises(ValueError, match=r"an entry lacks \['reason'\]"):
        mutation.equivalent_mutants(bad)
    # the project's own file: every entry names a mutant of a measured module, with a reason
    measured = {".".join(m.with_suffix("").parts) for m in mutation.modules()}
    for name, (change, reason) in mutation.equivalent_mutants().items():
        module = re.match(r"^(.*?)\.x[_\u01c1]", name)  # module.x_function or module.xǁClassǁmethod
        assert module and module[1] in measured, name
        assert change and len(reason) > 20, name


def test_the_report_has_a_row_per_module_and_names_those_below_the_target(monkeypatch):
    monkeypatch.setattr(mutation, "_diff", lambda module, name: "`a` -> `b`")
    good = mutation.Result(Path("course_utils/stats.py"), killed=9, survived=["s_1"])
    poor = mutation.Result(Path("course_utils/xai/metrics.py"), killed=1, survived=["s_2"])
    unmeasured = mutation.Result(Path("course_utils/widgets.py"), note="not measured yet")
    text = mutation.report([good, poor, unmeasured])
    assert (
        "| `course_utils/stats.py` | `tests/test_stats.py` | 10 | 9 | 0 | 1 | 0 | 0 | 90.0% |"
        in text
    )
    assert (
        "| `course_utils/xai/metrics.py` | `tests/xai/test_metrics.py` | 2 | 1 | 0 | 1 | 0 | 0 | 50.0% |"
        in text
    )
    assert (
        "1 of 2 measured modules at or above 85%: below it, `course_utils/xai/metrics.py`. "
        "Not measured yet: 1 of 3."
    ) in text
    assert "| `course_utils/widgets.py` | `tests/test_widgets.py` | 0 |" in text
    assert text.count("| not measured yet |") == 1
    assert "- `s_2`: `a` -> `b`" in text
