"""The course's two architectures, how they are trained, and where trained copies are cached.

Shared by ``torch_models`` and ``keras_models`` so that both frameworks train
the same "mlp" and "cnn" with the same recipe (Adam on the cross-entropy of
the logits, mini-batches of 32). Imports no framework.
"""

from __future__ import annotations

from pathlib import Path

from course_utils import env
from course_utils.data import resolved_source

ARCHITECTURES = ("mlp", "cnn")

#: How ``trained_model`` trains each architecture, in both frameworks.
#: Bump ``RECIPE_VERSION`` when a recipe changes so that old cache files are not reused.
RECIPES = {
    "mlp": {"epochs": 5, "batch_size": 32, "lr": 1e-3},
    "cnn": {"epochs": 6, "batch_size": 32, "lr": 2e-3},
}
RECIPE_VERSION = 1


def check_name(name: str) -> None:
    """A clear error for a model name that is not one of the course's architectures."""
    if name not in ARCHITECTURES:
        raise ValueError(f"model name must be one of {ARCHITECTURES}, got {name!r}")


def cache_file(framework: str, name: str, seed: int, source: str | None, suffix: str) -> Path:
    """``<data dir>/models/<framework>_<name>_<source>_seed<seed>_v<RECIPE_VERSION><suffix>``.

    One file per framework, architecture, data source ("full" or "offline") and seed.
    """
    check_name(name)
    source = source or resolved_source()
    return env.data_dir() / "models" / f"{framework}_{name}_{source}_seed{seed}_v{RECIPE_VERSION}{suffix}"
