"""Mutation testing: which small mistakes in ``course_utils`` would its own tests catch?

    python -m tools.mutation [course_utils/xai/metrics.py ...] [--output benchmarks/mutation.md]

The tester is mutmut 3 (https://mutmut.readthedocs.io). It changes one thing at a time in a
module (``<`` for ``<=``, ``+`` for ``-``, a constant, a default, a dropped argument) and runs the
tests; a mutant the tests still pass is a mistake nobody would notice. Chosen over cosmic-ray
because it runs each mutant in a process forked from one that has already imported torch and
TensorFlow, and only the tests that call the mutated function: seconds per module instead of a
fresh ``pytest`` (and a fresh torch import) per mutant.

Each module is measured against **its own test file** (``course_utils/xai/metrics.py`` against
``tests/xai/test_metrics.py``, ``course_utils/stats.py`` against ``tests/test_stats.py``): a
scratch project in ``build/mutation/<module>/`` links the sources and the tests and gets a
``[tool.mutmut]`` section that mutates that module only. Score = killed / (mutants - equivalent),
where a timeout counts as killed and an *equivalent* mutant (one no test could ever catch: it
changes no behaviour) is listed in ``tools/mutation_equivalent.toml`` with the reason and left out,
but only while its mutated line still holds the change recorded there (mutmut numbers a function's
mutants in order, so an edit can give a name to another mutant: that one then counts again). A full run's table and
survivors go to ``benchmarks/mutation.md``, which ``make bench`` includes in ``BENCHMARKS.md``;
``tools.bench.record_section`` puts it there at once (a run of chosen modules writes
``build/mutation/report.md`` only). It is a measurement, like ``make bench``,
not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from tools.bench import record_section
from tools.notebooks import ROOT

#: Every module of the package except the ones that hold no computation of their own.
NOT_MEASURED = {
    "course_utils/paths.py": "constants: the course's folders",
    "course_utils/frameworks/recipes.py": "constants: the training recipes' hyperparameters",
}
#: The score every measured module must reach (issue: at least 85% of mutants killed).
TARGET = 0.85
#: Modules whose tests are not in the file named after them.
TESTS_OF = {
    "course_utils/env.py": "tests/test_package.py",
    "course_utils/xai/lime_surrogate.py": "tests/xai/test_lime.py",
}
#: Mutants that change no behaviour: [[mutant]] tables with name, change and reason.
EQUIVALENT_FILE = ROOT / "tools" / "mutation_equivalent.toml"
KILLED = {1, 3}  # pytest failed (3: an error inside pytest, mutmut counts it as killed)
TIMEOUT = {36, -24, 24, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


def modules() -> list[Path]:
    """The modules measured by default: every .py of course_utils but __init__ files and NOT_MEASURED."""
    found = sorted((ROOT / "course_utils").rglob("*.py"))
    return [
        p.relative_to(ROOT)
        for p in found
        if p.name != "__init__.py" and str(p.relative_to(ROOT)) not in NOT_MEASURED
    ]


def own_tests(module: Path) -> Path:
    """course_utils/a/b.py -> tests/a/test_b.py; course_utils/_checks.py -> tests/test_checks.py.

    ``TESTS_OF`` names the exceptions.
    """
    if str(module) in TESTS_OF:
        return Path(TESTS_OF[str(module)])
    parts = module.relative_to("course_utils").parts
    return Path("tests", *parts[:-1], "test_" + parts[-1].lstrip("_"))


@dataclass
class Result:
    module: Path
    killed: int = 0
    timeout: int = 0
    survived: list[str] = field(default_factory=list)
    no_tests: list[str] = field(default_factory=list)
    equivalent: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)
    note: str = ""

    @property
    def mutants(self) -> int:
        return (
            self.killed
            + self.timeout
            + len(self.survived)
            + len(self.no_tests)
            + len(self.equivalent)
            + len(self.other)
        )

    @property
    def score(self) -> float | None:
        counted = self.mutants - len(self.equivalent)
        return (self.killed + self.timeout) / counted if counted else None


def equivalent_mutants(path: Path = EQUIVALENT_FILE) -> dict[str, tuple[str, str]]:
    """{mutant name: (change its mutated line must contain, reason)} from the TOML file."""
    if not path.exists():
        return {}
    entries = tomllib.loads(path.read_text(encoding="utf-8")).get("mutant", [])
    table = {}
    for entry in entries:
        missing = {"name", "change", "reason"} - entry.keys()
        if missing:
            raise ValueError(f"{path.name}: an entry lacks {sorted(missing)}: {entry}")
        table[entry["name"]] = (entry["change"], entry["reason"])
    return table


def changed_lines(diff: str) -> tuple[list[str], list[str]]:
    """(removed lines, added lines) of a unified diff, without the file headers."""
    removed = [
        ln[1:].strip()
        for ln in diff.splitlines()
        if ln.startswith("-") and not ln.startswith("---")
    ]
    added = [
        ln[1:].strip()
        for ln in diff.splitlines()
        if ln.startswith("+") and not ln.startswith("+++")
    ]
    return removed, added


def _folder(module: Path) -> Path:
    """build/mutation/<dotted module name>/: the scratch project of one module."""
    return ROOT / "build" / "mutation" / ".".join(module.with_suffix("").parts)


def _scratch(module: Path, tests: Path) -> Path:
    """A project that links the sources and mutates ``module`` only, tested by ``tests``."""
    folder = _folder(module)
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("course_utils", "tests", "tools", "notebooks"):
        link = folder / name
        if not link.exists():
            link.symlink_to(ROOT / name, target_is_directory=True)
    settings = {
        "source_paths": ["course_utils/"],
        "only_mutate": [str(module)],
        "also_copy": ["tools/", "notebooks/"],
        "pytest_add_cli_args_test_selection": [str(tests)],
        "pytest_add_cli_args": ["-p", "no:cacheprovider", "-q"],
        # forked workers come from a server that has imported torch but run nothing with it
        "process_isolation": "forkserver",
    }
    section = "\n[tool.mutmut]\n" + "".join(
        f"{key} = {json.dumps(value)}\n" for key, value in settings.items()
    )
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    (folder / "pyproject.toml").write_text(pyproject + section, encoding="utf-8")
    return folder


def classify(result: Result, codes: dict[str, int], equivalent: dict, show) -> Result:
    """Count each mutant by mutmut's exit code; ``show(name)`` gives its diff (for equivalents)."""
    for name, code in sorted(codes.items()):
        if code in KILLED:
            result.killed += 1
        elif code in TIMEOUT:
            result.timeout += 1
        elif name in equivalent and equivalent[name][0] in " ".join(changed_lines(show(name))[1]):
            result.equivalent.append(name)
        elif code in SURVIVED:
            result.survived.append(name)
        elif code in NO_TESTS:
            result.no_tests.append(name)
        else:
            result.other.append(f"{name} (exit code {code})")
    return result


def measure(module: Path, max_children: int = 2, rerun: bool = True) -> Result:
    """Run mutmut afresh on one module with its own tests and count what happened to each mutant.

    ``rerun=False`` counts the results of the last run instead (``--last-run``).
    """
    tests = own_tests(module)
    result = Result(module)
    if not (ROOT / tests).exists():
        result.note = f"no test file {tests}"
        return result
    folder = _scratch(module, tests)
    meta = folder / "mutants" / (str(module) + ".meta")
    if rerun:
        shutil.rmtree(folder / "mutants", ignore_errors=True)  # results of older code or tests
        env = dict(os.environ, OMP_NUM_THREADS="1", TF_CPP_MIN_LOG_LEVEL="3")
        run = subprocess.run(
            [sys.executable, "-m", "mutmut", "run", f"--max-children={max_children}"],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
        )
        tail = (run.stdout + run.stderr).strip().splitlines()[-5:]
    if not meta.exists():
        result.note = "mutmut did not finish: " + " / ".join(tail) if rerun else "not measured yet"
        return result
    codes = json.loads(meta.read_text())["exit_code_by_key"]
    return classify(result, codes, equivalent_mutants(), lambda name: _show(module, name))


def _show(module: Path, name: str) -> str:
    """mutmut's diff of one mutant."""
    return subprocess.run(
        [sys.executable, "-m", "mutmut", "show", name],
        cwd=_folder(module),
        capture_output=True,
        text=True,
    ).stdout


def _diff(module: Path, name: str) -> str:
    removed, added = changed_lines(_show(module, name))
    return " / ".join([f"`{ln}`" for ln in removed] + [f"-> `{ln}`" for ln in added])[:300]


def report(results: list[Result]) -> str:
    """The Markdown section: one row per module, then every survivor with its change."""
    lines = [
        "## Mutation testing",
        "",
        f"Written by `make mutation` on {dt.date.today().isoformat()}: mutmut 3 on each module of "
        "`course_utils` with its own test file. Score = (killed + timed out) / (mutants - equivalent); "
        f"the target is {TARGET:.0%} for every module.",
        "",
        "| module | tests | mutants | killed | timed out | survived | no test ran | equivalent | score |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        score = "-" if r.score is None else f"{r.score:.1%}"
        if r.note:
            score = r.note
        lines.append(
            f"| `{r.module}` | `{own_tests(r.module)}` | {r.mutants} | {r.killed} | {r.timeout} | "
            f"{len(r.survived)} | {len(r.no_tests)} | {len(r.equivalent)} | {score} |"
        )
    measured = [r for r in results if r.score is not None]
    below = [r for r in measured if r.score < TARGET]
    unmeasured = [r for r in results if r.score is None]
    lines += [
        "",
        f"{len(measured) - len(below)} of {len(measured)} measured modules at or above {TARGET:.0%}"
        + (": below it, " + ", ".join(f"`{r.module}`" for r in below) + "." if below else ".")
        + (f" Not measured yet: {len(unmeasured)} of {len(results)}." if unmeasured else ""),
    ]
    for r in results:
        left = r.survived + r.no_tests + r.other
        if left:
            lines += ["", f"Survivors in `{r.module}`:", ""]
            lines += [f"- `{name}`: {_diff(r.module, name.split(' ')[0])}" for name in left]
    equivalent = equivalent_mutants()
    listed = [name for r in results for name in r.equivalent]
    if listed:
        lines += ["", "Equivalent mutants (no behaviour changes; not counted):", ""]
        lines += [f"- `{name}` (`{equivalent[name][0]}`): {equivalent[name][1]}" for name in listed]
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("modules", nargs="*", type=Path, help="default: every measured module")
    parser.add_argument(
        "--output",
        type=Path,
        help="default: benchmarks/mutation.md for a full run, build/mutation/report.md for chosen modules",
    )
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--last-run",
        action="store_true",
        help="write the table from the last run of each module instead of running mutmut",
    )
    args = parser.parse_args(argv)
    chosen = [m.resolve().relative_to(ROOT) for m in args.modules] if args.modules else modules()
    results = []
    for module in chosen:
        print(f"mutating {module} ...", flush=True)
        result = measure(module, args.max_children, rerun=not args.last_run)
        score = result.note or ("-" if result.score is None else f"{result.score:.1%}")
        print(f"  {result.mutants} mutants, {len(result.survived)} survived: {score}", flush=True)
        results.append(result)
    text = report(results)
    output = args.output or (
        ROOT / "build" / "mutation" / "report.md"
        if args.modules
        else ROOT / "benchmarks" / "mutation.md"
    )
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    if not args.modules:  # a full run is the record
        record_section(text)
    print(f"wrote {output}")
    return 0 if all(r.score is not None and r.score >= TARGET for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
