"""course_utils.frameworks.torch_models: builders, input checks, training, and the cached trained models.

The cache tests train the real recipes in a temporary COURSE_DATA_DIR on the
course subset (a few seconds each) so they check what later chapters load.
"""

import numpy as np
import pytest
import torch
from torch import nn

from course_utils.data import load_mnist, scale_images
from course_utils.frameworks import torch_models as tm

FLOORS = {"mlp": 0.88, "cnn": 0.93}


@pytest.fixture(scope="module")
def mnist():
    (x_train, y_train), (x_test, y_test) = load_mnist("subset", verbose=False)
    return scale_images(x_train), y_train, scale_images(x_test), y_test


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    """One temporary cache for this module, so the expensive first training happens once."""
    with pytest.MonkeyPatch.context() as mp:
        folder = tmp_path_factory.mktemp("torch_cache")
        mp.setenv("COURSE_DATA_DIR", str(folder))
        mp.setenv("COURSE_MNIST", "subset")
        yield folder


# --- builders -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "shape"), [("mlp", (5, 28, 28)), ("mlp", (5, 1, 28, 28)), ("cnn", (5, 1, 28, 28))]
)
def test_builders_return_eval_models_that_output_logits(name, shape):
    torch.manual_seed(0)
    model = tm.build_model(name)
    assert not model.training
    logits = model(torch.rand(shape))
    assert logits.shape == (5, 10)
    # logits, not probabilities: rows neither sum to 1 nor stay inside [0, 1]
    assert not torch.allclose(logits.sum(1), torch.ones(5))


def test_architectures_are_the_course_ones():
    mlp, cnn = tm.build_mlp(), tm.build_cnn()
    assert [type(m) for m in mlp] == [nn.Flatten, nn.Linear, nn.ReLU, nn.Dropout, nn.Linear]
    assert [name for name, _ in mlp.named_children()] == [
        "flatten",
        "hidden",
        "relu",
        "dropout",
        "output",
    ]
    assert (
        mlp.hidden.in_features,
        mlp.hidden.out_features,
        mlp.output.out_features,
        mlp.dropout.p,
    ) == (784, 128, 10, 0.2)
    assert [type(m) for m in cnn] == [
        nn.Conv2d,
        nn.ReLU,
        nn.MaxPool2d,
        nn.Conv2d,
        nn.ReLU,
        nn.MaxPool2d,
        nn.Flatten,
        nn.Linear,
    ]
    assert [name for name, _ in cnn.named_children()] == [
        "conv1",
        "relu1",
        "pool1",
        "conv2",
        "relu2",
        "pool2",
        "flatten",
        "head",
    ]
    assert (
        cnn.conv1.out_channels,
        cnn.conv2.out_channels,
        cnn.conv1.padding,
        cnn.head.in_features,
    ) == (8, 16, (1, 1), 784)
    assert sum(p.numel() for p in mlp.parameters()) == 784 * 128 + 128 + 128 * 10 + 10
    assert sum(p.numel() for p in cnn.parameters()) == (8 * 9 + 8) + (16 * 8 * 9 + 16) + (
        784 * 10 + 10
    )


def test_dropout_is_active_only_in_train_mode():
    torch.manual_seed(0)
    model = tm.build_mlp()
    x = torch.rand(4, 28, 28)
    assert torch.equal(model(x), model(x))  # eval: deterministic
    model.train()
    assert not torch.equal(model(x), model(x))  # train: a fresh dropout mask each call


# --- input checks ---------------------------------------------------------------------------


def test_to_input_layouts():
    x = np.random.default_rng(0).random((3, 28, 28), dtype=np.float32)
    assert tm.to_input(x).shape == (3, 1, 28, 28)
    assert tm.to_input(x[:, None]).shape == (3, 1, 28, 28)
    assert tm.to_input(x, channel_axis=False).shape == (3, 28, 28)
    assert tm.to_input(x[:, None], channel_axis=False).shape == (3, 28, 28)
    assert np.array_equal(tm.to_input(x)[:, 0].numpy(), x)
    assert (
        tm.to_input(torch.from_numpy(x)).dtype == torch.float32
    )  # a tensor goes through the same checks


def test_labels_tensor():
    labels = tm.labels_tensor(np.array([3, 0, 9], np.uint8), 3)
    assert labels.dtype == torch.int64 and labels.tolist() == [3, 0, 9]
    assert tm.labels_tensor(torch.tensor([1, 2])).tolist() == [1, 2]


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (np.zeros((3, 784), np.float32), r"\(N, 28, 28\)"),
        (np.zeros((3, 32, 32), np.float32), r"\(N, 28, 28\)"),
        (np.zeros((3, 28, 28, 1), np.float32), "channels-last"),
        (np.zeros((3, 3, 28, 28), np.float32), r"\(N, 1, 28, 28\)"),
        (np.zeros((3, 28, 28), np.uint8), "scale_images"),
    ],
)
def test_bad_images_raise_a_clear_error(images, message):
    with pytest.raises(ValueError, match=message):
        tm.to_input(images)
    with pytest.raises(ValueError, match=message):
        tm.evaluate(tm.build_mlp(), images, np.zeros(3, int))


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (np.array([0, 1, 10]), "0..9"),
        (np.array([-1, 1, 2]), "0..9"),
        (np.array([0.5, 1, 2]), "integer"),
        (np.array([[0, 1, 2]]), "1-D"),
        (np.array([0, 1]), "3 labels"),
    ],
)
def test_bad_labels_raise_a_clear_error(labels, message):
    x = np.zeros((3, 28, 28), np.float32)
    with pytest.raises(ValueError, match=message):
        tm.train(tm.build_mlp(), x, labels, epochs=1, progress=False)


def test_unknown_model_name():
    with pytest.raises(ValueError, match="mlp"):
        tm.trained_model("resnet")


# --- training and evaluation ------------------------------------------------------------------


def test_evaluate_matches_a_hand_computed_cross_entropy(mnist):
    _, _, x_test, y_test = mnist
    torch.manual_seed(1)
    model = tm.build_mlp()
    scores = tm.evaluate(model, x_test[:200], y_test[:200])
    logits = model(torch.from_numpy(x_test[:200])).detach().double().numpy()
    log_p = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    assert scores["loss"] == pytest.approx(-log_p[np.arange(200), y_test[:200]].mean(), rel=1e-5)
    assert scores["accuracy"] == pytest.approx(np.mean(logits.argmax(1) == y_test[:200]))


def test_make_deterministic_seeds_torch_and_turns_on_deterministic_kernels():
    """It changes a process-wide switch, so it runs in a fresh interpreter."""
    import subprocess
    import sys

    code = (
        "import random, numpy as np, torch; from course_utils.frameworks.torch_models import make_deterministic;"
        "make_deterministic(3); a = (random.random(), np.random.rand(), torch.rand(1).item());"
        "on = torch.are_deterministic_algorithms_enabled();"
        "make_deterministic(3); b = (random.random(), np.random.rand(), torch.rand(1).item()); print(on, a == b)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "True True"


def test_train_is_repeatable_and_learns(mnist):
    x_train, y_train, x_test, y_test = mnist
    runs = []
    for _ in range(2):
        torch.manual_seed(0)
        model = tm.build_mlp()
        history = tm.train(
            model,
            x_train[:500],
            y_train[:500],
            epochs=2,
            seed=0,
            progress=False,
            validation=(x_test[:200], y_test[:200]),
        )
        runs.append((model, history))
    (a, history), (b, _) = runs
    assert not a.training
    assert history["loss"][1] < history["loss"][0]
    assert set(history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)  # same seed, same machine: the same bits


# --- the cached trained models -------------------------------------------------------------


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_trained_model_reaches_its_floor_and_round_trips_bit_exactly(name, cache_dir, mnist):
    _, _, x_test, y_test = mnist
    first = tm.trained_model(name, verbose=False)  # trains and caches
    path = tm.cache_path(name)
    assert path.parent.parent == cache_dir and path.exists()
    assert (
        "torch" in path.name
        and name in path.name
        and "subset" in path.name
        and "seed0" in path.name
    )
    second = tm.trained_model(name, verbose=False)  # loads
    assert not first.training and not second.training
    for (ka, va), (kb, vb) in zip(
        first.state_dict().items(), second.state_dict().items(), strict=True
    ):
        assert ka == kb and torch.equal(va, vb)
    assert np.array_equal(tm.predict_logits(first, x_test), tm.predict_logits(second, x_test))
    assert tm.evaluate(second, x_test, y_test)["accuracy"] >= FLOORS[name]


def test_corrupt_cache_is_retrained_not_trusted(cache_dir, capsys):
    reference = tm.trained_model("mlp", verbose=False)
    path = tm.cache_path("mlp")
    path.write_bytes(b"not a state dict")
    model = tm.trained_model("mlp")
    assert "did not load" in capsys.readouterr().out
    for pa, pb in zip(reference.parameters(), model.parameters(), strict=True):
        assert torch.equal(pa, pb)  # deterministic: retraining gives the same bits
    assert torch.load(path, weights_only=True).keys() == reference.state_dict().keys()


def test_cache_keys_differ_by_seed_and_source(cache_dir):
    keys = {
        tm.cache_path("mlp", 0, "subset"),
        tm.cache_path("mlp", 1, "subset"),
        tm.cache_path("mlp", 0, "full"),
        tm.cache_path("cnn", 0, "subset"),
    }
    assert len(keys) == 4


def test_a_leftover_temporary_file_is_not_mistaken_for_the_cache(cache_dir):
    tm.trained_model("mlp", verbose=False)
    assert not list(
        tm.cache_path("mlp").parent.glob("*.tmp*")
    )  # cache.atomic_write's temporary names contain ".tmp"
