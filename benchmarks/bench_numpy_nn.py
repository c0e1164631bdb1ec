"""How fast is the NumPy MLP? One epoch of 784-128-10 with Adam on 60,000 synthetic inputs.

The issue's goal: under 2 s per epoch, so full MNIST trains on a laptop.
Synthetic uniform pixels and random labels stand in for MNIST: the cost of
an epoch depends only on the shapes, not on the digits.

Run it alone with ``python benchmarks/bench_numpy_nn.py``.
"""

from __future__ import annotations

import time

import numpy as np

GOAL_SECONDS = 2.0
N_SAMPLES = 60_000


def _one_epoch(x, y, batch_size: int, blas_threads) -> float:
    from course_utils.foundations.layers import MLP
    from course_utils.foundations.train import train

    model = MLP(sizes=(784, 128, 10), seed=0, dtype=np.float32)
    start = time.perf_counter()
    train(
        model,
        x,
        y,
        epochs=1,
        batch_size=batch_size,
        lr=1e-3,
        progress=False,
        blas_threads=blas_threads,
    )
    return time.perf_counter() - start


def run(repeats: int = 3) -> str:
    """Time one epoch for batch 64 and 128: ``train``'s default (one BLAS thread, best of ``repeats``) and the BLAS's own threads (once)."""
    from threadpoolctl import threadpool_info

    rng = np.random.default_rng(0)
    x = rng.random((N_SAMPLES, 784), dtype=np.float32)
    y = rng.integers(0, 10, size=N_SAMPLES)
    blas = next(
        (
            f"{p['internal_api']} {p['version']}, {p['num_threads']} threads by default"
            for p in threadpool_info()
            if p["user_api"] == "blas"
        ),
        "unknown BLAS",
    )

    rows = []
    for threads in (1, None):
        for batch_size in (64, 128):
            # the comparison rows run once: on a busy machine one such epoch can take half a minute
            times = [
                _one_epoch(x, y, batch_size, threads) for _ in range(repeats if threads == 1 else 1)
            ]
            best = min(times)
            status = "ok" if best < GOAL_SECONDS else f"over the {GOAL_SECONDS:g} s goal"
            rows.append(
                f"| {batch_size} | {'1 (train default)' if threads == 1 else 'BLAS default (blas_threads=None)'} | {best:.2f} | {np.median(times):.2f} | "
                f"{N_SAMPLES / best:,.0f} | {status} |"
            )
    lines = [
        "## NumPy MLP: one training epoch",
        "",
        f"`course_utils.foundations.train.train` on {N_SAMPLES:,} synthetic 784-pixel float32 inputs, MLP 784-128-10, "
        f"Adam (lr 1e-3); best and median of {repeats} epochs with `train`'s default, one epoch with the BLAS's own threads; BLAS: {blas}. Goal: under {GOAL_SECONDS:g} s per epoch.",
        "",
        "| batch | BLAS threads | best s / epoch | median s | samples / s | goal |",
        "| ---: | ---: | ---: | ---: | ---: | --- |",
        *rows,
        "",
        "Small matrix products gain little from threads; on a busy machine the BLAS's waiting threads can make an epoch several "
        "times slower, which is why `train` uses one BLAS thread unless told otherwise (`blas_threads=None`).",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
