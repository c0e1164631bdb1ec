"""The course's two architectures and how they are trained, in both frameworks.

Shared by ``torch_models`` and ``keras_models`` so that both frameworks train
the same "mlp" and "cnn" with the same recipe (Adam on the cross-entropy of
the logits, mini-batches of 32). Imports no framework; the cache of trained
copies is :mod:`course_utils.frameworks.cache`.
"""

from __future__ import annotations

ARCHITECTURES = ("mlp", "cnn")

#: How ``trained_model`` trains each architecture, in both frameworks.
#: Bump ``RECIPE_VERSION`` when a recipe changes so that old cache files are not reused.
RECIPES = {
    "mlp": {"epochs": 5, "batch_size": 32, "lr": 1e-3},
    "cnn": {"epochs": 6, "batch_size": 32, "lr": 2e-3},
}
RECIPE_VERSION = 2  # 2: the layers have names (conv1, hidden, head, ...)


def check_name(name: str) -> None:
    """A clear error for a model name that is not one of the course's architectures."""
    if name not in ARCHITECTURES:
        raise ValueError(f"model name must be one of {ARCHITECTURES}, got {name!r}")
