"""PyTorch versus Keras on the course's MLP and CNN: accuracy, training time, peak memory, epoch speed.

``run()`` starts one fresh Python process per (framework, model, task), so
each process holds one framework only and its peak memory is its own:

* train: the recipe of ``trained_model`` (``RECIPES``: Adam, batch 32, seeded,
  deterministic) on the 4,000 offline training digits; test accuracy on the
  1,000 offline test digits, training seconds, peak resident memory;
* epoch: one epoch on 60,000 synthetic 28x28 inputs (uniform noise, random
  labels), standing for full MNIST's training set.

Run it alone with ``python benchmarks/bench_frameworks.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

FRAMEWORKS = ("torch", "keras")
MODELS = ("mlp", "cnn")
SYNTHETIC_SIZE = 60_000


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _worker(framework: str, model_name: str, task: str, threads: str = "default") -> dict:
    """Runs inside the child process; returns the measurements as a dict.

    ``threads="1"`` pins the framework to one CPU thread (both intra- and inter-op).
    """
    import numpy as np

    start = time.perf_counter()
    if framework == "torch":
        import torch

        from course_utils.frameworks import torch_models as fm

        if threads == "1":
            torch.set_num_threads(1)
            torch.set_num_interop_threads(1)
    else:
        import keras
        import tensorflow as tf

        from course_utils.frameworks import keras_models as fm

        if threads == "1":
            tf.config.threading.set_intra_op_parallelism_threads(1)
            tf.config.threading.set_inter_op_parallelism_threads(1)
    import_seconds = time.perf_counter() - start

    def fresh_model(seed: int = 0):
        if framework == "torch":
            torch.manual_seed(seed)
            model = fm.build_model(model_name)
            return model, sum(p.numel() for p in model.parameters())
        fm.make_deterministic(seed)
        model = fm.build_model(model_name)
        return model, model.count_params()

    from course_utils.frameworks.recipes import RECIPES

    recipe = dict(RECIPES[model_name])
    result = {
        "framework": framework,
        "model": model_name,
        "task": task,
        "threads": threads,
        "import_s": import_seconds,
    }
    if task == "train":
        from course_utils.data import load_mnist, scale_images

        (x_train, y_train), (x_test, y_test) = load_mnist("offline", verbose=False)
        x_train, x_test = scale_images(x_train), scale_images(x_test)
        model, n_params = fresh_model()
        start = time.perf_counter()
        fm.train(model, x_train, y_train, progress=False, **recipe)
        result["train_s"] = time.perf_counter() - start
        result["epochs"] = recipe["epochs"]
        result["accuracy"] = fm.evaluate(model, x_test, y_test)["accuracy"]
        result["params"] = int(n_params)
    else:
        rng = np.random.default_rng(0)
        x = rng.random((SYNTHETIC_SIZE, 28, 28), dtype=np.float32)
        y = rng.integers(0, 10, SYNTHETIC_SIZE)
        model, _ = fresh_model()
        recipe["epochs"] = 1
        start = time.perf_counter()
        fm.train(model, x, y, progress=False, **recipe)
        result["epoch_s"] = time.perf_counter() - start
    result["peak_mb"] = _peak_mb()
    if framework == "keras":
        result["version"] = f"Keras {keras.__version__}"
    else:
        result["version"] = f"PyTorch {torch.__version__}"
    return result


def _in_subprocess(framework: str, model_name: str, task: str, threads: str = "default") -> dict:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", COURSE_MNIST="offline")
    if threads == "1":
        env.update(OMP_NUM_THREADS="1", TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1")
    completed = subprocess.run(
        [sys.executable, __file__, "--worker", framework, model_name, task, threads],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"{framework} {model_name} {task} ({threads} threads) failed:\n{completed.stderr[-2000:]}"
        )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def measure() -> list[dict]:
    """One row per (framework, model): the train and epoch measurements merged."""
    rows = []
    load_before = os.getloadavg()[0]
    for framework in FRAMEWORKS:
        for model_name in MODELS:
            trained = _in_subprocess(framework, model_name, "train")
            epoch = _in_subprocess(framework, model_name, "epoch")
            single = _in_subprocess(framework, model_name, "epoch", threads="1")
            print(
                f"  {framework} {model_name}: acc {trained['accuracy']:.3f}, {trained['train_s']:.1f} s, "
                f"epoch {epoch['epoch_s']:.1f} s ({single['epoch_s']:.1f} s on 1 thread)",
                flush=True,
            )
            rows.append(
                {**trained, "epoch_s": epoch["epoch_s"], "epoch_1thread_s": single["epoch_s"]}
            )
    for row in rows:
        row["load"] = (load_before, os.getloadavg()[0])
    return rows


def _load_note(load: tuple[float, float]) -> str:
    cores = os.cpu_count() or 1
    note = f"{cores} CPU cores; 1-minute load average {load[0]:.1f} before the run, {load[1]:.1f} after."
    if max(load) > cores:
        note += (
            " The load was above the core count: other processes competed for the CPU, so the seconds are inflated"
            " (PyTorch's default OpenMP threads slow down most under such contention)."
        )
    return note


def to_markdown(rows: list[dict]) -> str:
    versions = ", ".join(sorted({row["version"] for row in rows}))
    lines = [
        "## Frameworks: the course MLP and CNN in PyTorch and Keras",
        "",
        f"Each cell comes from a fresh process holding one framework ({versions}). "
        "Training: the `trained_model` recipe (Adam, batch 32, seeded and deterministic) on the 4,000 offline "
        "training digits, accuracy on the 1,000 offline test digits. Peak memory: the whole process "
        "(framework, data, training). Epoch: one epoch, batch 32, on 60,000 synthetic 28x28 inputs "
        "(the size of full MNIST's training set), with each framework's default threads and pinned to 1 thread "
        "(less sensitive to other processes). " + _load_note(rows[0]["load"]),
        "",
        "| framework | model | parameters | epochs | test accuracy (offline) | training s | peak memory (MB) | "
        "one epoch on 60,000 inputs (s) | same, 1 thread (s) | import s |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        name = "PyTorch" if row["framework"] == "torch" else "Keras (TensorFlow)"
        lines.append(
            f"| {name} | {row['model'].upper()} | {row['params']:,} | {row['epochs']} | {row['accuracy']:.3f} | "
            f"{row['train_s']:.1f} | {row['peak_mb']:,.0f} | {row['epoch_s']:.1f} | {row['epoch_1thread_s']:.1f} | {row['import_s']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def run() -> str:
    """Measure and return the Markdown section (the caller adds the date)."""
    return to_markdown(measure())


if __name__ == "__main__":
    if len(sys.argv) in (5, 6) and sys.argv[1] == "--worker":
        print(json.dumps(_worker(*sys.argv[2:])))
    else:
        print(run())
