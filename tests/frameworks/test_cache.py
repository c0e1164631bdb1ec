"""course_utils.frameworks.cache (and recipes): file names, atomic writes, and loading or retraining. No framework needed."""

from pathlib import Path

import pytest

from course_utils.frameworks import cache, recipes


@pytest.fixture
def models(monkeypatch, tmp_path):
    """A fresh COURSE_DATA_DIR; returns its models folder."""
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COURSE_MNIST", "subset")
    return tmp_path / "data" / "models"


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# --- names ----------------------------------------------------------------------------------------


def test_cache_file_names_framework_architecture_source_seed_and_recipe(models):
    version = recipes.RECIPE_VERSION
    assert (
        cache.cache_file("torch", "mlp", 3, "full", ".pt")
        == models / f"torch_mlp_full_seed3_v{version}.pt"
    )
    assert (
        cache.cache_file("keras", "cnn", 0, None, ".keras")
        == models / f"keras_cnn_subset_seed0_v{version}.keras"
    )  # None: the active source
    names = {
        cache.cache_file(f, n, s, src, ".x").name
        for f in ("torch", "keras")
        for n in ("mlp", "cnn")
        for s in (0, 1)
        for src in ("subset", "full")
    }
    assert len(names) == 16
    with pytest.raises(
        ValueError, match=r"^model name must be one of \('mlp', 'cnn'\), got 'resnet'$"
    ):
        cache.cache_file("torch", "resnet", 0, "subset", ".pt")


def test_recipes_cover_both_architectures():
    assert recipes.ARCHITECTURES == ("mlp", "cnn") and set(recipes.RECIPES) == set(
        recipes.ARCHITECTURES
    )
    for recipe in recipes.RECIPES.values():
        assert set(recipe) == {"epochs", "batch_size", "lr"} and recipe["batch_size"] == 32
    recipes.check_name("cnn")


# --- atomic_write -----------------------------------------------------------------------------------


def test_atomic_write_renames_a_complete_file_into_place(tmp_path):
    target = tmp_path / "models" / "torch_mlp.pt"
    seen = []

    def write(temporary: Path):
        seen.append(temporary)
        assert temporary.parent == target.parent and temporary != target and not target.exists()
        temporary.write_bytes(b"weights")

    cache.atomic_write(target, write)
    assert target.read_bytes() == b"weights"
    assert _leftovers(target.parent) == ["torch_mlp.pt"]
    assert ".tmp" in seen[0].name


def test_atomic_write_leaves_nothing_behind_when_the_writer_raises(tmp_path):
    target = tmp_path / "models" / "torch_mlp.pt"

    def half_written(temporary: Path):
        temporary.write_bytes(b"half a mod")
        raise KeyboardInterrupt  # even an interrupt, not only an Exception

    with pytest.raises(KeyboardInterrupt):
        cache.atomic_write(target, half_written)
    assert not target.exists()
    assert _leftovers(target.parent) == []


def test_atomic_write_keeps_the_old_file_when_the_writer_raises(tmp_path):
    target = tmp_path / "model.keras"
    target.write_bytes(b"old")

    def failing(temporary: Path):
        temporary.write_bytes(b"new but broken")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        cache.atomic_write(target, failing)
    assert target.read_bytes() == b"old"
    assert _leftovers(tmp_path) == ["model.keras"]


# --- load_or_train ------------------------------------------------------------------------------------


class _Recorder:
    """load / train / save callbacks on text "models" that record how they were called."""

    def __init__(self):
        self.calls = []

    def load(self, path: Path):
        self.calls.append("load")
        text = path.read_text()
        if not text.startswith("model"):
            raise ValueError("not a model file")
        return text

    def train(self):
        self.calls.append("train")
        return "model v2"

    def save(self, model, path: Path):
        self.calls.append("save")
        path.write_text(model)


def test_load_or_train_trains_and_saves_once_then_loads(tmp_path):
    path, r = tmp_path / "m.txt", _Recorder()
    assert cache.load_or_train(path, load=r.load, train=r.train, save=r.save) == "model v2"
    assert r.calls == ["train", "save"] and path.read_text() == "model v2"
    assert cache.load_or_train(path, load=r.load, train=r.train, save=r.save) == "model v2"
    assert r.calls == ["train", "save", "load"]
    assert _leftovers(tmp_path) == ["m.txt"]


@pytest.mark.parametrize("verbose", [True, False])
def test_load_or_train_deletes_and_retrains_a_file_that_fails_to_load(tmp_path, capsys, verbose):
    path, r = tmp_path / "m.txt", _Recorder()
    path.write_text("garbage")
    assert (
        cache.load_or_train(path, load=r.load, train=r.train, save=r.save, verbose=verbose)
        == "model v2"
    )
    assert r.calls == ["load", "train", "save"]
    assert path.read_text() == "model v2" and _leftovers(tmp_path) == ["m.txt"]
    out = capsys.readouterr().out
    if verbose:
        assert out == "cached model m.txt did not load (ValueError); retraining it\n"
    else:
        assert out == ""


def test_load_or_train_leaves_no_file_when_saving_fails(tmp_path):
    path, r = tmp_path / "m.txt", _Recorder()

    def broken_save(model, temporary):
        temporary.write_text("half")
        raise RuntimeError("serialiser crashed")

    with pytest.raises(RuntimeError, match="serialiser crashed"):
        cache.load_or_train(path, load=r.load, train=r.train, save=broken_save)
    assert _leftovers(tmp_path) == []
