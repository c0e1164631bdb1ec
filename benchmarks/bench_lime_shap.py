"""LIME and KernelSHAP from scratch against the reference libraries, on the same model, input and budget.

The model is the course CNN (``frameworks.torch_models.trained_model("cnn")``), explained through the softmax
probability of its predicted class on test digits. The features are the 49 cells of a 7x7 grid of
4x4-pixel patches (a patch "off" is black):

* KernelSHAP: ``xai.kernel_shap`` and ``shap.KernelExplainer(l1_reg=False)``, one background row
  (all patches off), 2,146 coalitions (shap's "auto" budget for 49 features, 2 * 49 + 2048).
* LIME: ``xai.lime_image`` and ``lime``'s ``LimeImageExplainer``, same grid, 1,000 samples,
  kernel width 0.25, hide colour 0; lime with its default ``batch_size=10`` and with one batch.

Goal (issue 6): ours not slower than the library. Agreement figures sit next to the times.

Run it alone with ``python benchmarks/bench_lime_shap.py``.
"""

from __future__ import annotations

import os
import time
import warnings
from functools import partial

import numpy as np

N_DIGITS = 5
REPEATS = 2
SHAP_BUDGET = 2 * 49 + 2048
LIME_SAMPLES = 1000


def _best(fn, repeats=REPEATS):
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def _top_overlap(a, b, k=5):
    return len(set(np.argsort(-a)[:k]) & set(np.argsort(-b)[:k])) / k


def _our_shap(game, seed):
    """KernelSHAP of the patch game: one example (all 49 patches on) against one background row (all off)."""
    from course_utils import xai

    _, result = xai.kernel_shap(
        game,
        np.ones((1, 49)),
        0,
        background=np.zeros((1, 49)),
        n_samples=SHAP_BUDGET,
        seed=seed,
        return_shapley=True,
    )
    return result.values[0]


def _our_lime(probabilities, image, target, seed):
    """LIME's 49 segment weights for one digit (a batch of one)."""
    from course_utils import xai

    _, result = xai.lime_image(
        probabilities, image[None], target, n_samples=LIME_SAMPLES, seed=seed, return_surrogate=True
    )
    return result.weights[0]


def run() -> str:
    os.environ.setdefault("COURSE_MNIST", "offline")
    import shap
    from lime.lime_image import LimeImageExplainer

    from course_utils import xai
    from course_utils.data import load_mnist, scale_images
    from course_utils.frameworks.torch_models import trained_model

    model = xai.wrap(trained_model("cnn", verbose=False))
    _, (x_test, _) = load_mnist(verbose=False)
    digits = scale_images(x_test[:N_DIGITS])
    segments = xai.grid_segments()

    def probabilities(batch):
        batch = np.asarray(batch, dtype=np.float32)
        if batch.ndim == 4 and batch.shape[-1] == 3:  # lime's RGB copies of a gray digit
            batch = batch[..., 0]
        z = model.predict(batch.reshape(len(batch), 1, 28, 28))
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def on_patches(masks, image, target):
        return probabilities(image[None] * np.asarray(masks, dtype=bool)[:, segments])[:, target]

    def shap_library(image, target, seed):
        np.random.seed(seed)  # shap.KernelExplainer samples with NumPy's global generator
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            explainer = shap.KernelExplainer(
                partial(on_patches, image=image, target=target), np.zeros((1, 49))
            )
            return np.asarray(
                explainer.shap_values(np.ones(49), nsamples=SHAP_BUDGET, l1_reg=False, silent=True)
            )

    def lime_library(image, target, seed, batch_size):
        explainer = LimeImageExplainer(kernel_width=0.25, random_state=seed)
        explanation = explainer.explain_instance(
            image, probabilities, labels=(target,), top_labels=None, hide_color=0, num_samples=LIME_SAMPLES,
            batch_size=batch_size, segmentation_fn=lambda rgb: segments, random_seed=0,
        )  # fmt: skip
        weights = np.zeros(49)
        for index, weight in explanation.local_exp[target]:
            weights[index] = weight
        return weights

    rows = {key: [] for key in ("ours_shap", "shap", "ours_lime", "lime10", "lime1000")}
    agree = {
        key: []
        for key in (
            "shap_top5",
            "shap_rho",
            "shap_self_top5",
            "shap_self_rho",
            "lime_same",
            "lime_top1",
            "lime_top5",
        )
    }
    for i, image in enumerate(digits):
        target = int(np.argmax(probabilities(image[None])[0]))
        game = partial(on_patches, image=image, target=target)

        t, ours = _best(partial(_our_shap, game, i))
        rows["ours_shap"].append(t)
        t, theirs = _best(partial(shap_library, image, target, i))
        rows["shap"].append(t)
        theirs_again = shap_library(image, target, 100 + i)
        agree["shap_top5"].append(_top_overlap(ours, theirs))
        agree["shap_rho"].append(xai.rank_correlation(ours[None], theirs[None], absolute=False)[0])
        agree["shap_self_top5"].append(_top_overlap(theirs_again, theirs))
        agree["shap_self_rho"].append(
            xai.rank_correlation(theirs_again[None], theirs[None], absolute=False)[0]
        )

        t, lime_ours = _best(partial(_our_lime, probabilities, image, target, i))
        rows["ours_lime"].append(t)
        t, same = _best(partial(lime_library, image, target, i, 10))
        rows["lime10"].append(t)
        t, _ = _best(partial(lime_library, image, target, i, LIME_SAMPLES))
        rows["lime1000"].append(t)
        independent = lime_library(image, target, 1000 + i, LIME_SAMPLES)
        agree["lime_same"].append(np.abs(same - lime_ours).max())
        agree["lime_top1"].append(np.argmax(independent) == np.argmax(lime_ours))
        agree["lime_top5"].append(_top_overlap(independent, lime_ours))

    med = {key: float(np.median(v)) for key, v in rows.items()}

    def goal(ours, theirs):
        return "ok (not slower)" if ours <= theirs else f"slower ({ours / theirs:.2f}x)"

    lines = [
        "## LIME and KernelSHAP: ours against lime and shap",
        "",
        f"Course CNN (trained on the offline subset), probability of the predicted class, {N_DIGITS} test digits, "
        f"features = the 49 patches of a 7x7 grid (off = black). Seconds per explanation: median over digits of the "
        f"best of {REPEATS} runs; every model call is batched on our side.",
        "",
        "| method | budget | ours (s) | library (s) | ratio ours / library | goal |",
        "| --- | --- | ---: | ---: | ---: | --- |",
        f"| `kernel_shap` vs `shap.KernelExplainer(l1_reg=False)` | {SHAP_BUDGET:,} coalitions | {med['ours_shap']:.3f} | "
        f"{med['shap']:.3f} | {med['ours_shap'] / med['shap']:.2f} | {goal(med['ours_shap'], med['shap'])} |",
        f"| `lime_image` vs `LimeImageExplainer` (batch_size=10, its default) | {LIME_SAMPLES:,} samples | {med['ours_lime']:.3f} | "
        f"{med['lime10']:.3f} | {med['ours_lime'] / med['lime10']:.2f} | {goal(med['ours_lime'], med['lime10'])} |",
        f"| `lime_image` vs `LimeImageExplainer` (batch_size=1000) | {LIME_SAMPLES:,} samples | {med['ours_lime']:.3f} | "
        f"{med['lime1000']:.3f} | {med['ours_lime'] / med['lime1000']:.2f} | {goal(med['ours_lime'], med['lime1000'])} |",
        "",
        "Agreement (mean over the digits):",
        "",
        f"- KernelSHAP, ours vs shap (different random coalitions): top-5 patches overlap {np.mean(agree['shap_top5']):.0%}, "
        f"Spearman {np.mean(agree['shap_rho']):.2f}; shap vs shap with another seed: {np.mean(agree['shap_self_top5']):.0%}, "
        f"Spearman {np.mean(agree['shap_self_rho']):.2f} (the sampling noise both share).",
        f"- LIME, same seed (the same on/off draws): largest weight difference {max(agree['lime_same']):.1e} (float32 rounding of the probabilities): the same numbers.",
        f"- LIME, independent draws: the same top segment on {np.mean(agree['lime_top1']):.0%} of the digits, "
        f"top-5 overlap {np.mean(agree['lime_top5']):.0%}.",
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(run())
