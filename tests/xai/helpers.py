"""What the attribution tests share: test digits, the four course models, and one tolerance rule."""

import numpy as np
import torch

from course_utils.data import load_mnist, scale_images
from course_utils.frameworks.torch_models import build_cnn, build_mlp, trained_model


def scaled_test_digits(n: int):
    """The first n course-subset test digits, scaled to [0, 1], as (n, 1, 28, 28), with their labels."""
    (_, _), (x_test, y_test) = load_mnist(verbose=False)
    return scale_images(x_test[:n])[:, None], y_test[:n]


def course_models() -> dict:
    """The course MLP and CNN, with seeded random weights and trained (cached) weights."""
    torch.manual_seed(0)
    return {
        "mlp-random": build_mlp(),
        "cnn-random": build_cnn(),
        "mlp-trained": trained_model("mlp", verbose=False),
        "cnn-trained": trained_model("cnn", verbose=False),
    }


def assert_attr_close(ours, reference, rtol=1e-4):
    """Elementwise rtol, with an absolute floor one millionth of the attribution's scale (float32 rounding near 0)."""
    reference = np.asarray(reference)
    np.testing.assert_allclose(ours, reference, rtol=rtol, atol=1e-6 * np.abs(reference).max())
