"""A class on one server: the real hub and proxy on loopback, learners logging in at once.

`make test` runs the reduced class (3 learners: a Part I chapter, a PyTorch chapter, the Keras
chapter); `make test-hub` runs the full one (COURSE_HUB_LEARNERS=12) and writes its table to
benchmarks/hub_load.md (COURSE_HUB_REPORT), which `make bench` includes into BENCHMARKS.md.
Each learner logs in through the hub's REST API, starts their server, and runs their chapter
cell by cell on a kernel of their own server (REST + websocket, tools/hub.py); the hub's API is
polled every 0.5 s throughout. Then the hub stops everything it started, whatever happened.
"""

import os
from pathlib import Path

import psutil
import pytest

from tests.hub.helpers import require_hub
from tools import hub as course_hub

LEARNERS = int(os.environ.get("COURSE_HUB_LEARNERS", "3"))
REPORT = os.environ.get("COURSE_HUB_REPORT")
# the reduced class must stay a few minutes long inside `make test`
DEADLINE = 600 if LEARNERS <= 3 else 2400


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """(result, processes still alive after the hub stopped)."""
    require_hub()
    state = tmp_path_factory.mktemp("hub-load")
    with course_hub.running_hub(state) as hub:
        result = course_hub.load_test(hub, LEARNERS, deadline_seconds=DEADLINE)
        started = hub.started()
    left = []
    for pid, created in started.items():
        try:
            process = psutil.Process(pid)
            if abs(process.create_time() - created) < 0.01 and process.status() != "zombie":
                left.append(f"{pid} {' '.join(process.cmdline())[:80]}")
        except psutil.Error:
            pass
    text = course_hub.markdown(result)
    print("\n" + text)
    if REPORT:
        Path(REPORT).write_text(text)
    return result, left


def test_the_class_mixes_part_i_pytorch_and_keras(run):
    result, _ = run
    chapters = {learner.chapter for learner in result.learners}
    assert len(result.learners) == LEARNERS
    assert {"02_loss_functions.ipynb", "10_saliency_and_gradients.ipynb"} <= chapters
    assert "06_keras_mnist.ipynb" in chapters


def test_every_learner_reached_a_kernel_and_ran_their_chapter_without_a_failed_cell(run):
    result, _ = run
    for learner in result.learners:
        assert not learner.errors, f"{learner.name} ({learner.chapter}): {learner.errors}"
        assert learner.time_to_kernel is not None and learner.time_to_kernel > 0
        assert learner.run_seconds is not None
        assert learner.cells > 5 and learner.failed == 0
    assert result.seconds < DEADLINE


def test_the_hub_answered_within_a_second_throughout(run):
    result, _ = run
    expected = result.seconds / course_hub.POLL_INTERVAL
    assert len(result.hub_latencies) >= 0.5 * expected, "the poller asked the hub too rarely"
    assert result.hub_failures == 0, f"{result.hub_failures} requests to /hub/api failed"
    worst = max(result.hub_latencies)
    assert worst < course_hub.RESPONSIVE_SECONDS, f"the hub took {worst:.2f} s to answer"


def test_each_learner_stayed_under_the_memory_limit_and_the_sampler_saw_their_kernels(run):
    result, _ = run
    limit = course_hub.byte_size(course_hub.limits()["mem_limit"])
    for learner in result.learners:
        assert 0 < learner.peak_rss < limit, f"{learner.name}: {learner.peak_rss / 1024**2:.0f} MB"
        assert 0 < learner.peak_pss <= learner.peak_rss
    by_chapter = {learner.chapter: learner for learner in result.learners}
    # a kernel that imported PyTorch holds far more than one that ran NumPy only: the sampler
    # measured the kernels, not only the servers
    torch = by_chapter["10_saliency_and_gradients.ipynb"].peak_rss
    assert torch > 2 * by_chapter["02_loss_functions.ipynb"].peak_rss
    assert result.peak_total_pss >= max(learner.peak_pss for learner in result.learners)


def test_everything_the_hub_started_was_stopped(run):
    _, left = run
    assert not left, f"still running after the hub stopped: {left}"
