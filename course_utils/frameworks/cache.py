"""Trained course models, cached: trained on first use, loaded afterwards, written atomically.

One file per framework, architecture, data source and seed:
``<data dir>/models/<framework>_<name>_<source>_seed<seed>_v<RECIPE_VERSION><suffix>``.
A file is written to a temporary name in the same folder and renamed over the
target only when complete, so an interrupted run never leaves half a model behind.
Imports no framework.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from course_utils.data.mnist import active_source
from course_utils.frameworks.recipes import RECIPE_VERSION, check_name
from course_utils.paths import models_dir

Model = TypeVar("Model")


def cache_file(framework: str, name: str, seed: int, source: str | None, suffix: str) -> Path:
    """Where the trained ``name`` ("mlp" or "cnn") of ``framework`` for ``source`` and ``seed`` is kept."""
    check_name(name)
    source = source or active_source()
    return models_dir() / f"{framework}_{name}_{source}_seed{seed}_v{RECIPE_VERSION}{suffix}"


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(temporary_path)``, then rename the file over ``path``; on any failure remove it and re-raise."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        prefix=path.stem + ".", suffix=".tmp" + path.suffix, dir=path.parent
    )
    os.close(handle)
    try:
        write(Path(temporary))
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def load_or_train(
    path: Path,
    *,
    load: Callable[[Path], Model],
    train: Callable[[], Model],
    save: Callable[[Model, Path], None],
    verbose: bool = True,
) -> Model:
    """``load(path)`` when the file exists and loads; otherwise ``train()``, save atomically, return the model.

    A file that fails to load (corrupt, truncated, another architecture) is deleted and the model retrained.
    """
    if path.exists():
        try:
            return load(path)
        except Exception as err:
            if verbose:
                print(
                    f"cached model {path.name} did not load ({type(err).__name__}); retraining it"
                )
            path.unlink(missing_ok=True)
    model = train()
    atomic_write(path, lambda temporary: save(model, temporary))
    return model
