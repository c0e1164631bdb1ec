"""How fast are the attacks? The loss gradient in one backward pass against the chain rule over 10 logit gradients.

Run it alone with ``python benchmarks/bench_adversarial.py``.
"""

from __future__ import annotations

import time


def _best_of(fn, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def run() -> str:
    import os

    os.environ.setdefault("COURSE_MNIST", "offline")
    import numpy as np

    from course_utils.data import load_mnist, scale_images
    from course_utils.frameworks.torch_models import trained_model
    from course_utils.robustness import adversarial
    from course_utils.xai import wrap

    _, (x_test, y_test) = load_mnist(verbose=False)
    x, y = scale_images(x_test[:500])[:, None], y_test[:500]
    cnn = trained_model("cnn", verbose=False)
    torch_wrapped = wrap(cnn)
    chain_rule = wrap(torch_wrapped.predict, gradient=lambda v, t: torch_wrapped.gradient(v, t))

    one_pass = _best_of(lambda: adversarial.loss_gradient(cnn, x, y))
    ten_passes = _best_of(lambda: adversarial.loss_gradient(chain_rule, x, y))
    assert np.allclose(
        adversarial.loss_gradient(cnn, x, y),
        adversarial.loss_gradient(chain_rule, x, y),
        rtol=1e-4,
        atol=1e-7,
    )
    fgsm = _best_of(lambda: adversarial.fgsm(cnn, x, y, 0.1))
    pgd = _best_of(lambda: adversarial.pgd(cnn, x, y, 0.1, 0.025, 10), repeats=1)
    rows = [
        ("loss gradient, one backward pass (vector-Jacobian product)", one_pass),
        ("loss gradient, chain rule over 10 `wrap.gradient` calls", ten_passes),
        ("FGSM", fgsm),
        ("PGD, 10 steps", pgd),
    ]
    lines = [
        "## Adversarial attacks (course_utils.robustness.adversarial)",
        "",
        "Course CNN, 500 offline test digits, best of 3 runs (PGD: 1 run). Both gradient routes give the same numbers.",
        "",
        "| computation | seconds for 500 digits | ms per digit |",
        "| --- | ---: | ---: |",
        *[f"| {name} | {seconds:.3f} | {1000 * seconds / len(x):.2f} |" for name, seconds in rows],
        "",
        f"The one-pass route is {ten_passes / one_pass:.1f} times faster than the chain rule here.",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    print(run())
