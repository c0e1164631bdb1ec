"""course_utils.frameworks.keras_models: builders, input checks, training, and the cached trained models.

The cache tests train the real recipes in a temporary COURSE_DATA_DIR on the
course subset (a few seconds each) so they check what later chapters load.
"""

import numpy as np
import pytest

keras = pytest.importorskip("keras")

from course_utils.data import load_mnist, scale_images  # noqa: E402
from course_utils.frameworks import keras_models as km  # noqa: E402

FLOORS = {"mlp": 0.88, "cnn": 0.93}


@pytest.fixture(scope="module")
def mnist():
    (x_train, y_train), (x_test, y_test) = load_mnist("subset", verbose=False)
    return scale_images(x_train), y_train, scale_images(x_test), y_test


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory):
    """One temporary cache for this module, so the expensive first training happens once."""
    with pytest.MonkeyPatch.context() as mp:
        folder = tmp_path_factory.mktemp("keras_cache")
        mp.setenv("COURSE_DATA_DIR", str(folder))
        mp.setenv("COURSE_MNIST", "subset")
        yield folder


def _same_weights(a, b):
    wa, wb = a.get_weights(), b.get_weights()
    return len(wa) == len(wb) and all(
        x.shape == y.shape and np.array_equal(x, y) for x, y in zip(wa, wb, strict=True)
    )


# --- builders -------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "shape"), [("mlp", (5, 28, 28)), ("cnn", (5, 28, 28, 1))])
def test_builders_output_logits(name, shape):
    keras.utils.set_random_seed(0)
    model = km.build_model(name)
    logits = np.asarray(model(np.random.default_rng(0).random(shape, dtype=np.float32)))
    assert logits.shape == (5, 10)
    assert not np.allclose(logits.sum(1), 1.0)  # logits, not probabilities
    assert model.layers[-1].activation is keras.activations.linear


def test_architectures_are_the_course_ones():
    mlp, cnn = km.build_mlp(), km.build_cnn()
    kinds = [type(layer).__name__ for layer in mlp.layers]
    assert kinds == ["Flatten", "Dense", "Dropout", "Dense"]
    assert [layer.name for layer in mlp.layers] == ["flatten", "hidden", "dropout", "output"]
    assert (
        mlp.get_layer("hidden").units,
        mlp.get_layer("dropout").rate,
        mlp.get_layer("output").units,
    ) == (128, 0.2, 10)
    assert [type(layer).__name__ for layer in cnn.layers] == [
        "Conv2D",
        "MaxPooling2D",
        "Conv2D",
        "MaxPooling2D",
        "Flatten",
        "Dense",
    ]
    assert [layer.name for layer in cnn.layers] == [
        "conv1",
        "pool1",
        "conv2",
        "pool2",
        "flatten",
        "head",
    ]
    assert (
        cnn.get_layer("conv1").filters,
        cnn.get_layer("conv2").filters,
        cnn.get_layer("head").units,
    ) == (8, 16, 10)
    assert mlp.count_params() == 784 * 128 + 128 + 128 * 10 + 10
    assert cnn.count_params() == (8 * 9 + 8) + (16 * 8 * 9 + 16) + (784 * 10 + 10)


# --- input checks ---------------------------------------------------------------------------


def test_to_input_layouts():
    x = np.random.default_rng(0).random((3, 28, 28), dtype=np.float32)
    assert km.to_input(x).shape == (3, 28, 28, 1)
    assert km.to_input(x[..., None]).shape == (3, 28, 28, 1)
    assert km.to_input(x[..., None], channel_axis=False).shape == (3, 28, 28)
    assert np.array_equal(km.to_input(x)[..., 0], x)


@pytest.mark.parametrize(
    ("images", "message"),
    [
        (np.zeros((3, 784), np.float32), r"\(N, 28, 28\)"),
        (np.zeros((3, 32, 32), np.float32), r"\(N, 28, 28\)"),
        (np.zeros((3, 1, 28, 28), np.float32), "channels-first"),
        (np.zeros((3, 28, 28, 3), np.float32), r"\(N, 28, 28, 1\)"),
        (np.zeros((3, 28, 28), np.uint8), "scale_images"),
    ],
)
def test_bad_images_raise_a_clear_error(images, message):
    with pytest.raises(ValueError, match=message):
        km.to_input(images)
    with pytest.raises(ValueError, match=message):
        km.evaluate(km.build_cnn(), images, np.zeros(3, int))


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
        km.train(km.build_mlp(), x, labels, epochs=1, progress=False)


def test_unknown_model_name():
    with pytest.raises(ValueError, match="mlp"):
        km.trained_model("resnet")


# --- training and evaluation ------------------------------------------------------------------


def test_evaluate_matches_keras_own_evaluate(mnist):
    x_train, y_train, x_test, y_test = mnist
    km.make_deterministic(1)
    model = km.build_mlp()
    ours = km.evaluate(model, x_test[:300], y_test[:300])
    km.compile_model(model)
    loss, accuracy = model.evaluate(x_test[:300], y_test[:300], verbose=0)
    assert ours["loss"] == pytest.approx(loss, rel=1e-5)
    assert ours["accuracy"] == pytest.approx(accuracy)


def test_train_is_repeatable_and_learns(mnist):
    x_train, y_train, x_test, y_test = mnist
    runs = []
    for _ in range(2):
        km.make_deterministic(0)
        model = km.build_mlp()
        history = km.train(
            model,
            x_train[:500],
            y_train[:500],
            epochs=2,
            progress=False,
            validation=(x_test[:200], y_test[:200]),
        )
        runs.append((model, history))
    (a, history), (b, _) = runs
    assert history["loss"][1] < history["loss"][0]
    assert {"loss", "accuracy", "val_loss", "val_accuracy"} <= set(history)
    assert _same_weights(a, b)  # same seed, same machine: the same bits


# --- the cached trained models -------------------------------------------------------------


@pytest.mark.parametrize("name", ["mlp", "cnn"])
def test_trained_model_reaches_its_floor_and_round_trips_bit_exactly(name, cache_dir, mnist):
    _, _, x_test, y_test = mnist
    first = km.trained_model(name, verbose=False)  # trains and caches
    path = km.cache_path(name)
    assert path.parent.parent == cache_dir and path.exists() and path.suffix == ".keras"
    assert (
        "keras" in path.name
        and name in path.name
        and "subset" in path.name
        and "seed0" in path.name
    )
    second = km.trained_model(name, verbose=False)  # loads
    assert _same_weights(first, second)
    assert np.array_equal(km.predict_logits(first, x_test), km.predict_logits(second, x_test))
    assert km.evaluate(second, x_test, y_test)["accuracy"] >= FLOORS[name]
    loss, accuracy = second.evaluate(
        km.to_input(x_test, channel_axis=name == "cnn"), y_test, verbose=0
    )  # compiled after loading
    assert accuracy == pytest.approx(km.evaluate(second, x_test, y_test)["accuracy"])


def test_corrupt_cache_is_retrained_not_trusted(cache_dir, capsys):
    reference = km.trained_model("mlp", verbose=False)
    path = km.cache_path("mlp")
    path.write_bytes(b"not a keras archive")
    model = km.trained_model("mlp")
    assert "did not load" in capsys.readouterr().out
    assert _same_weights(reference, model)  # deterministic: retraining gives the same bits
    assert _same_weights(reference, keras.models.load_model(path, compile=False))


def test_a_cache_file_holding_the_other_model_is_rebuilt(cache_dir, capsys):
    km.trained_model("mlp", verbose=False)
    cnn_path = km.cache_path("cnn")
    cnn_path.write_bytes(km.cache_path("mlp").read_bytes())
    model = km.trained_model("cnn", verbose=True)
    assert "did not load" in capsys.readouterr().out
    assert model.name == "course_cnn" and model.input_shape == (None, 28, 28, 1)
    assert not list(cnn_path.parent.glob("*.tmp*"))
