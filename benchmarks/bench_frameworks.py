"""PyTorch versus Keras on the course's MLP and CNN: accuracy over seeds, training time, peak memory, epoch speed.

``run()`` starts one fresh Python process per (framework, model, task, seed), so
each process holds one framework only and its peak memory is its own:

* train: the recipe of ``trained_model`` (``RECIPES``: Adam, batch 32, deterministic)
  on the 4,000 training digits of the course subset, on one thread (``TRAIN_THREADS``),
  once per seed in ``SEEDS`` (the
  seed sets the initial weights, the data order and the dropout masks); test
  accuracy on the 1,000 test digits, training seconds, peak resident memory, and
  what each framework does by default (initial weights, Adam's epsilon);
* epoch: one epoch on 60,000 synthetic 28x28 inputs (uniform noise, random
  labels), standing for full MNIST's training set, with the framework's default
  threads and pinned to one thread.

A difference in mean accuracy between the frameworks is called a tie when it lies
inside the seed spread (the two frameworks' ranges over the seeds overlap); the
table also gives Welch's 95% interval for the difference of the means.

Run it alone with ``python benchmarks/bench_frameworks.py``.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time

FRAMEWORKS = ("torch", "keras")
MODELS = ("mlp", "cnn")
SEEDS = (0, 1, 2)
TRAIN_THREADS = "1"  # the training runs: pinned to one thread (see measure)
SYNTHETIC_SIZE = 60_000
NAMES = {"torch": "PyTorch", "keras": "Keras (TensorFlow)"}


def _peak_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _defaults(framework: str, model) -> dict:
    """What the framework chose without being asked: the first layer's initial weights and biases, Adam's epsilon."""
    import numpy as np

    if framework == "torch":
        import torch

        first = next(m for m in model.modules() if isinstance(m, torch.nn.Linear | torch.nn.Conv2d))
        weights, biases = first.weight.detach().numpy(), first.bias.detach().numpy()
        epsilon = torch.optim.Adam(model.parameters()).defaults["eps"]
    else:
        import keras

        first = next(layer for layer in model.layers if layer.weights)
        weights, biases = (np.asarray(w) for w in first.get_weights())
        epsilon = keras.optimizers.Adam().epsilon
    return {
        "init_weight_std": float(weights.std()),
        "init_bias_zero": bool(np.all(biases == 0)),
        "adam_epsilon": float(epsilon),
    }


def _worker(
    framework: str, model_name: str, task: str, threads: str = "default", seed: str = "0"
) -> dict:
    """Runs inside the child process; returns the measurements as a dict.

    ``threads="1"`` pins the framework to one CPU thread (both intra- and inter-op).
    ``seed`` seeds the initial weights, the shuffling of the training data and the dropout masks.
    """
    import numpy as np

    seed = int(seed)
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

    def fresh_model():
        if framework == "torch":
            torch.manual_seed(seed)
            model = fm.build_model(model_name)
            return model, sum(p.numel() for p in model.parameters())
        fm.make_deterministic(seed)
        model = fm.build_model(model_name)
        return model, model.count_params()

    def fit(model, x, y, recipe):
        if framework == "torch":  # the data order has its own seed in torch_models.train
            return fm.train(model, x, y, progress=False, seed=seed, **recipe)
        return fm.train(model, x, y, progress=False, **recipe)  # seeded by make_deterministic

    from course_utils.frameworks.recipes import RECIPES

    recipe = dict(RECIPES[model_name])
    result = {
        "framework": framework,
        "model": model_name,
        "task": task,
        "threads": threads,
        "seed": seed,
        "import_s": import_seconds,
    }
    if task == "train":
        from course_utils.data import load_mnist, scale_images

        (x_train, y_train), (x_test, y_test) = load_mnist("subset", verbose=False)
        x_train, x_test = scale_images(x_train), scale_images(x_test)
        model, n_params = fresh_model()
        result.update(_defaults(framework, model))
        start = time.perf_counter()
        fit(model, x_train, y_train, recipe)
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
        fit(model, x, y, recipe)
        result["epoch_s"] = time.perf_counter() - start
    result["peak_mb"] = _peak_mb()
    if framework == "keras":
        result["version"] = f"Keras {keras.__version__}"
    else:
        result["version"] = f"PyTorch {torch.__version__}"
    return result


def _in_subprocess(
    framework: str, model_name: str, task: str, threads: str = "default", seed: int = 0
) -> dict:
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", COURSE_MNIST="subset")
    if threads == "1":
        env.update(OMP_NUM_THREADS="1", TF_NUM_INTRAOP_THREADS="1", TF_NUM_INTEROP_THREADS="1")
    completed = subprocess.run(
        [sys.executable, __file__, "--worker", framework, model_name, task, threads, str(seed)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"{framework} {model_name} {task} ({threads} threads, seed {seed}) failed:\n"
            f"{completed.stderr[-2000:]}"
        )
    return json.loads(completed.stdout.strip().splitlines()[-1])


def summarise(runs: list[dict]) -> dict:
    """One framework and model over the seeds: the accuracies, their mean, standard deviation and range."""
    if not runs:
        raise ValueError("summarise needs the train results of at least one seed")
    accuracies = [run["accuracy"] for run in runs]
    return {
        **{
            key: runs[0][key]
            for key in ("framework", "model", "params", "epochs", "version", "threads")
        },
        **{key: runs[0][key] for key in ("init_weight_std", "init_bias_zero", "adam_epsilon")},
        "seeds": [run["seed"] for run in runs],
        "accuracies": accuracies,
        "accuracy_mean": statistics.fmean(accuracies),
        "accuracy_sd": statistics.stdev(accuracies) if len(accuracies) > 1 else 0.0,
        "accuracy_range": (min(accuracies), max(accuracies)),
        "train_s": statistics.median(run["train_s"] for run in runs),
        "peak_mb": max(run["peak_mb"] for run in runs),
        "import_s": statistics.median(run["import_s"] for run in runs),
    }


def compare(a: list[float], b: list[float]) -> dict:
    """Mean of b minus mean of a, Welch's 95% interval for it, and whether it lies inside the seed spread.

    Inside the spread means that the two ranges [min, max] overlap: some seed of the
    lower framework does at least as well as some seed of the higher one, so the
    frameworks are tied on this evidence.
    """
    from scipy import stats

    if len(a) < 2 or len(b) < 2:
        raise ValueError(f"compare needs at least 2 seeds per framework, got {len(a)} and {len(b)}")
    gap = statistics.fmean(b) - statistics.fmean(a)
    va, vb = statistics.variance(a) / len(a), statistics.variance(b) / len(b)
    se = (va + vb) ** 0.5
    if se == 0:
        low = high = gap
    else:
        dof = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
        half = stats.t.ppf(0.975, dof) * se
        low, high = gap - half, gap + half
    overlap = min(a) <= max(b) and min(b) <= max(a)
    return {"gap": gap, "interval": (low, high), "tie": overlap}


def measure(
    seeds=SEEDS, train_threads: str = TRAIN_THREADS, default_threads_epoch: bool = True
) -> list[dict]:
    """One summary row per (framework, model): train results over the seeds, and the epoch timings.

    The training runs use ``train_threads`` ("1" by default: on a shared 2-core machine a framework's
    default threads can wait on each other for minutes, and one thread gives steadier seconds).
    ``default_threads_epoch=False`` skips the epoch with the default threads (its column then
    reads "not measured"): on a machine loaded far beyond its cores PyTorch's spinning OpenMP
    threads stretch an epoch of seconds to many minutes.
    """
    rows = []
    load_before = os.getloadavg()[0]
    for framework in FRAMEWORKS:
        for model_name in MODELS:
            runs = [
                _in_subprocess(framework, model_name, "train", threads=train_threads, seed=seed)
                for seed in seeds
            ]
            epoch = _in_subprocess(framework, model_name, "epoch") if default_threads_epoch else {}
            single = _in_subprocess(framework, model_name, "epoch", threads="1")
            row = {
                **summarise(runs),
                "epoch_s": epoch.get("epoch_s"),
                "epoch_1thread_s": single["epoch_s"],
            }
            print(
                f"  {framework} {model_name}: accuracy {row['accuracy_mean']:.3f} ± {row['accuracy_sd']:.3f} "
                f"over {len(seeds)} seeds {[round(a, 3) for a in row['accuracies']]}, "
                f"{row['train_s']:.1f} s, epoch {_seconds(row['epoch_s'])} s ({single['epoch_s']:.1f} s on 1 thread)",
                flush=True,
            )
            rows.append(row)
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


def _verdicts(rows: list[dict]) -> list[str]:
    lines = []
    by_key = {(row["framework"], row["model"]): row for row in rows}
    for model_name in MODELS:
        torch_row, keras_row = by_key.get(("torch", model_name)), by_key.get(("keras", model_name))
        if torch_row is None or keras_row is None:
            continue
        result = compare(torch_row["accuracies"], keras_row["accuracies"])
        low, high = result["interval"]
        if result["tie"]:
            verdict = "a tie: the gap lies inside the seed spread (the two ranges overlap)"
        else:
            higher = "Keras" if result["gap"] > 0 else "PyTorch"
            verdict = f"{higher} higher with every seed (the ranges do not overlap)"
        lines.append(
            f"- **{model_name.upper()}:** Keras minus PyTorch {result['gap']:+.3f} in mean test accuracy "
            f"(Welch 95% interval {low:+.3f} to {high:+.3f}, {len(torch_row['accuracies'])} seeds each): {verdict}."
        )
    return lines


def _defaults_note(rows: list[dict]) -> str:
    parts = []
    for framework in FRAMEWORKS:
        framework_rows = [row for row in rows if row["framework"] == framework]
        if not framework_rows:
            continue
        row = framework_rows[0]
        stds = ", ".join(f"{r['model'].upper()} {r['init_weight_std']:.3f}" for r in framework_rows)
        biases = "zero" if all(r["init_bias_zero"] for r in framework_rows) else "random"
        parts.append(
            f"{NAMES[framework]}: first-layer initial weight std {stds}, {biases} initial biases, "
            f"Adam epsilon {row['adam_epsilon']:.0e}"
        )
    return (
        "What differs by default, measured in the same processes: "
        + "; ".join(parts)
        + ". (PyTorch draws weights and biases uniformly in ±1/sqrt(fan_in); Keras draws Glorot-uniform weights"
        " and starts biases at zero, and adds its epsilon to sqrt(v) before Adam's bias correction, PyTorch after.)"
        " Each framework also shuffles the data and draws dropout masks with its own random numbers."
    )


def _seconds(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.1f}"


def _threads_note(threads: str) -> str:
    if threads == "1":
        return "pinned to one thread (steadier on a shared machine)"
    return "with the framework's default threads"


def to_markdown(rows: list[dict]) -> str:
    versions = ", ".join(sorted({row["version"] for row in rows}))
    n_seeds = len(rows[0]["accuracies"])
    lines = [
        "## Frameworks: the course MLP and CNN in PyTorch and Keras",
        "",
        f"Each run is a fresh process holding one framework ({versions}). Training: the `trained_model` recipe "
        f"(Adam, batch 32, deterministic) on the 4,000 training digits of the course subset, once for each of "
        f"{n_seeds} seeds ({', '.join(str(s) for s in rows[0]['seeds'])}; the seed sets the initial weights, the data "
        f"order and the dropout masks), {_threads_note(rows[0]['threads'])}, accuracy on the 1,000 test digits of the "
        "course subset. Training seconds: the "
        "median over the seeds; peak memory: the largest whole process (framework, data, training). Epoch: one "
        "epoch, batch 32, on 60,000 synthetic 28x28 inputs (the size of full MNIST's training set), with each "
        "framework's default threads and pinned to 1 thread (less sensitive to other processes). "
        + (
            "The epoch with the default threads was not measured on this run (`--one-thread-epochs`): "
            "with the machine loaded far beyond its cores, PyTorch's spinning OpenMP threads stretch it "
            "from seconds to many minutes. "
            if any(row["epoch_s"] is None for row in rows)
            else ""
        )
        + _load_note(rows[0]["load"]),
        "",
        f"| framework | model | parameters | epochs | test accuracy, mean ± sd ({n_seeds} seeds) | range | "
        "per seed | training s | peak memory (MB) | one epoch on 60,000 inputs (s) | same, 1 thread (s) | import s |",
        "| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        low, high = row["accuracy_range"]
        per_seed = ", ".join(f"{a:.3f}" for a in row["accuracies"])
        lines.append(
            f"| {NAMES[row['framework']]} | {row['model'].upper()} | {row['params']:,} | {row['epochs']} | "
            f"{row['accuracy_mean']:.3f} ± {row['accuracy_sd']:.3f} | {low:.3f} to {high:.3f} | {per_seed} | "
            f"{row['train_s']:.1f} | {row['peak_mb']:,.0f} | {_seconds(row['epoch_s'])} | {row['epoch_1thread_s']:.1f} | "
            f"{row['import_s']:.1f} |"
        )
    lines += ["", *_verdicts(rows), "", _defaults_note(rows)]
    return "\n".join(lines) + "\n"


def run() -> str:
    """Measure and return the Markdown section (the caller adds the date)."""
    return to_markdown(measure())


if __name__ == "__main__":
    if len(sys.argv) in (5, 6, 7) and sys.argv[1] == "--worker":
        print(json.dumps(_worker(*sys.argv[2:])))
    elif sys.argv[1:] == [
        "--one-thread-epochs"
    ]:  # skip the default-threads epoch (a loaded machine)
        print(to_markdown(measure(default_threads_epoch=False)))
    elif sys.argv[1:]:
        raise SystemExit(f"usage: {sys.argv[0]} [--one-thread-epochs], got {sys.argv[1:]}")
    else:
        print(run())
