"""Integrated Gradients: course_utils.xai against Captum, side by side in one process.

50 Gauss-Legendre steps, a batch of 32 test digits, the trained course CNN,
every path point in one batched pass for both (Captum: ``internal_batch_size=None``).
The two are timed alternately, several rounds, and the median is reported.

Run it alone with ``python benchmarks/bench_integrated_gradients.py``.
"""

from __future__ import annotations

import os
import statistics
import time

N_DIGITS = 32
N_STEPS = 50
ROUNDS = 7


def run() -> str:
    import numpy as np
    import torch
    from captum.attr import IntegratedGradients

    from course_utils import xai
    from course_utils.data import load_mnist, scale_images
    from course_utils.frameworks.torch_models import trained_model

    (_, _), (x_test, _) = load_mnist(verbose=False)
    x = scale_images(x_test[:N_DIGITS])[:, None]
    model = trained_model("cnn", verbose=False)
    target = xai.wrap(model).predict(x).argmax(1)
    xt, tt = torch.from_numpy(x), torch.from_numpy(target)
    captum_ig = IntegratedGradients(model)

    def ours():
        return xai.integrated_gradients(model, x, target, n_steps=N_STEPS, method="gausslegendre")

    def theirs():
        return (
            captum_ig.attribute(xt, target=tt, n_steps=N_STEPS, method="gausslegendre")
            .detach()
            .numpy()
        )

    a, b = ours(), theirs()  # warm-up, and the two must agree
    agreement = float(np.abs(a - b).max() / np.abs(b).max())
    times = {"ours": [], "captum": []}
    for _ in range(ROUNDS):
        for name, fn in (("ours", ours), ("captum", theirs)):
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["ours"] / med["captum"]
    return "\n".join(
        [
            "## Integrated Gradients: course_utils.xai vs Captum",
            "",
            f"Trained course CNN, {N_DIGITS} test digits, {N_STEPS} Gauss-Legendre steps "
            f"({N_DIGITS * N_STEPS:,} path points in one batched pass each); median of {ROUNDS} alternating rounds, "
            f"torch threads {torch.get_num_threads()}, COURSE_MNIST={os.environ.get('COURSE_MNIST', 'subset')}.",
            "",
            "| implementation | median seconds | min seconds |",
            "| --- | ---: | ---: |",
            f"| course_utils.xai.integrated_gradients | {med['ours']:.3f} | {min(times['ours']):.3f} |",
            f"| captum IntegratedGradients | {med['captum']:.3f} | {min(times['captum']):.3f} |",
            "",
            f"**Ratio ours / Captum:** {ratio:.2f}x (goal: at most 1.2x). "
            f"Largest difference between the two attributions: {agreement:.1e} of the largest attribution.",
        ]
    )


if __name__ == "__main__":
    print(run())
