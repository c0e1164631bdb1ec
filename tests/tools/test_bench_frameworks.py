"""The statistics of benchmarks/bench_frameworks.py: the seed summary and the framework comparison."""

import importlib.util

import numpy as np
import pytest
from scipy import stats

from tools.notebooks import ROOT

_spec = importlib.util.spec_from_file_location(
    "bench_frameworks", ROOT / "benchmarks" / "bench_frameworks.py"
)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)


def test_compare_matches_scipys_welch_interval():
    a, b = [0.914, 0.910, 0.914], [0.928, 0.925, 0.915]
    result = bench.compare(a, b)
    reference = stats.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert result["gap"] == pytest.approx(np.mean(b) - np.mean(a))
    assert result["interval"] == pytest.approx((reference.low, reference.high))


def test_overlapping_ranges_are_a_tie_and_separated_ranges_are_not():
    assert bench.compare([0.90, 0.92, 0.94], [0.93, 0.95, 0.96])["tie"]
    assert not bench.compare([0.90, 0.91, 0.92], [0.93, 0.95, 0.96])["tie"]


def test_compare_and_summarise_refuse_too_few_runs():
    with pytest.raises(ValueError, match="at least 2 seeds"):
        bench.compare([0.9], [0.9, 0.91])
    with pytest.raises(ValueError, match="at least one seed"):
        bench.summarise([])


def test_summarise_reports_mean_spread_and_range():
    runs = [
        {
            "framework": "torch",
            "model": "cnn",
            "params": 9098,
            "epochs": 6,
            "version": "PyTorch x",
            "threads": "1",
            "init_weight_std": 0.19,
            "init_bias_zero": False,
            "adam_epsilon": 1e-8,
            "seed": seed,
            "accuracy": accuracy,
            "train_s": 1.0 + seed,
            "peak_mb": 600.0 + seed,
            "import_s": 1.0,
        }
        for seed, accuracy in enumerate([0.947, 0.953, 0.951])
    ]
    row = bench.summarise(runs)
    assert row["accuracy_mean"] == pytest.approx(np.mean([0.947, 0.953, 0.951]))
    assert row["accuracy_sd"] == pytest.approx(np.std([0.947, 0.953, 0.951], ddof=1))
    assert row["accuracy_range"] == (0.947, 0.953)
    assert (row["train_s"], row["peak_mb"]) == (2.0, 602.0)  # the median time, the largest peak
