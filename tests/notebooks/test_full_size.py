"""The full-MNIST path: every chapter runs on a full-size stand-in within the memory budget.

``COURSE_MNIST=full`` makes the notebooks download the 70,000 digits; here the download comes
from a local server that serves the stand-in of ``tools/standin.py`` (60,000 + 10,000 digits
with full MNIST's shapes, dtypes and label counts, made from the course subset). Each notebook
must run without an error (the real-MNIST accuracy floors are 0 on a stand-in, see
``data.accuracy_floor``, and only they) with a kernel under 1.5 GB; its time and memory are
written to test-output/full_size.md (``make bench`` records both paths in BENCHMARKS.md).
"""

import pytest

from tests.notebooks.run import run
from tools.bench import BENCH_LIMIT_BYTES, train_course_models
from tools.notebooks import ROOT, course_notebooks, environment_variables
from tools.standin import standin_environment

OUTPUT = ROOT / "test-output" / "full_size.md"


@pytest.fixture(scope="module")
def full_size(tmp_path_factory):
    """The stand-in served on 127.0.0.1, and the environment that points load_mnist() at it."""
    with (
        standin_environment(tmp_path_factory.mktemp("standin")) as variables,
        environment_variables(variables),
    ):
        OUTPUT.parent.mkdir(parents=True, exist_ok=True)
        seconds = train_course_models()  # on the stand-in, into its own data folder
        OUTPUT.write_text(
            f"Training the four course models on the stand-in: {seconds:.0f} s\n\n"
            "| notebook | seconds | peak kernel MB |\n| --- | ---: | ---: |\n"
        )
        yield variables


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.name)
def test_notebook_runs_on_full_size_data_within_the_memory_budget(full_size, path):
    _, seconds, peak = run(path, timeout=1800)
    with open(OUTPUT, "a") as table:
        table.write(f"| {path.name} | {seconds:.1f} | {peak / 1024**2:,.0f} |\n")
    assert peak < BENCH_LIMIT_BYTES, (
        f"{path.name} peaked at {peak / 1024**2:,.0f} MB on full-size data (limit 1.5 GB)"
    )
