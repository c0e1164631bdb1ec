"""The course's Keras models: the MLP and the CNN, a training helper, and cached trained copies.

Every model takes images scaled to [0, 1] (``data.scale_images``) and
returns **logits** z (no softmax layer); the loss is the sparse categorical
cross-entropy computed from logits, ``L = -log softmax(z)_y`` with
``softmax(z)_k = exp(z_k) / sum_j exp(z_j)`` (``from_logits=True``).

Layouts (Keras is channels-last): the MLP takes (N, 28, 28), the CNN
(N, 28, 28, 1).

``trained_model("mlp")`` / ``trained_model("cnn")`` train once with a fixed
seed on ``load_mnist()`` and cache a ``.keras`` file (:mod:`.cache`);
later calls load it.

Only the Keras notebooks import this module (``import course_utils`` does not).
Training here is made deterministic with ``keras.utils.set_random_seed`` and
``tf.config.experimental.enable_op_determinism()``; the second switch is
global for the process and may slow some TensorFlow ops (it mostly matters on GPUs).
"""

from __future__ import annotations

from pathlib import Path

import keras
import numpy as np

from course_utils import _checks, env
from course_utils.data.mnist import active_source
from course_utils.frameworks.cache import cache_file, load_or_train
from course_utils.frameworks.recipes import RECIPES, check_name

# --- the two architectures ---------------------------------------------------


def build_mlp(hidden: int = 128, dropout: float = 0.2) -> keras.Sequential:
    """Flatten, Dense(hidden, relu), Dropout, Dense(10): (N, 28, 28) images -> (N, 10) logits.

    Layer names as in the PyTorch MLP: ``flatten``, ``hidden``, ``dropout``, ``output``
    (``model.get_layer("hidden")``).
    """
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28)),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(hidden, activation="relu", name="hidden"),
            keras.layers.Dropout(dropout, name="dropout"),
            keras.layers.Dense(10, name="output"),
        ],
        name="course_mlp",
    )


def build_cnn() -> keras.Sequential:
    """Two conv blocks (3x3 "same" conv, ReLU, 2x2 max-pool) then a linear head.

    Shapes: (N,28,28,1) -> (N,28,28,8) -> (N,14,14,8) -> (N,14,14,16) -> (N,7,7,16)
    -> flatten 784 -> Dense -> (N,10) logits. Layer names: ``conv1``, ``pool1``, ``conv2``,
    ``pool2``, ``flatten``, ``head`` (ReLU is inside each Conv2D, as Keras does it).
    """
    return keras.Sequential(
        [
            keras.Input(shape=(28, 28, 1)),
            keras.layers.Conv2D(8, 3, padding="same", activation="relu", name="conv1"),
            keras.layers.MaxPooling2D(2, name="pool1"),
            keras.layers.Conv2D(16, 3, padding="same", activation="relu", name="conv2"),
            keras.layers.MaxPooling2D(2, name="pool2"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(10, name="head"),
        ],
        name="course_cnn",
    )


def build_model(name: str) -> keras.Sequential:
    """``build_mlp()`` or ``build_cnn()`` by name ("mlp" or "cnn")."""
    check_name(name)
    return build_mlp() if name == "mlp" else build_cnn()


# --- arrays in ------------------------------------------------------------------


def to_input(images, channel_axis: bool = True) -> np.ndarray:
    """Scaled images as float32: (N, 28, 28) or (N, 28, 28, 1) -> (N, 28, 28, 1).

    With ``channel_axis=False`` the result is (N, 28, 28) (the MLP's input).
    Raises ValueError for any other shape, for the PyTorch layout (N, 1, 28, 28),
    or for uint8 pixels that were not scaled to [0, 1] with ``data.scale_images``.
    """
    return _checks.mnist_images(images, "nhwc" if channel_axis else "nhw")


def _model_input(model: keras.Model, images) -> np.ndarray:
    """Images in the layout ``model`` expects: (N, 28, 28, 1) for a 4-D input, else (N, 28, 28)."""
    return to_input(images, channel_axis=len(model.input_shape) == 4)


# --- training and evaluation ---------------------------------------------------


def make_deterministic(seed: int = 0) -> None:
    """Seed Python, NumPy and TensorFlow, and make TensorFlow's ops deterministic (for the whole process)."""
    import tensorflow as tf

    env.set_seed(seed)
    keras.utils.set_random_seed(seed)
    tf.config.experimental.enable_op_determinism()


def compile_model(model: keras.Model, lr: float = 1e-3) -> keras.Model:
    """Compile with Adam(lr), cross-entropy on logits and accuracy; returns the model."""
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=lr),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model


def train(
    model: keras.Model,
    x,
    y,
    *,
    epochs: int = 5,
    batch_size: int = 32,
    lr: float = 1e-3,
    validation: tuple | None = None,
    progress: bool = True,
) -> dict[str, list[float]]:
    """Compile (Adam, cross-entropy on logits) and ``fit`` in shuffled mini-batches, with a tqdm bar.

    Returns the Keras history: ``{"loss": [...], "accuracy": [...]}`` per epoch,
    plus ``val_loss`` / ``val_accuracy`` when ``validation=(x_val, y_val)``.
    Seed first (``make_deterministic(seed)``) for a repeatable run.
    """
    inputs = _model_input(model, x)
    targets = _checks.check_labels(y, len(inputs))
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be positive, got {epochs} and {batch_size}")
    validation_data = None
    if validation is not None:
        x_val, y_val = validation
        x_val = _model_input(model, x_val)
        validation_data = (x_val, _checks.check_labels(y_val, len(x_val)))
    compile_model(model, lr)
    steps = int(np.ceil(len(inputs) / batch_size))
    callback = TqdmCallback(total=epochs * steps, enabled=progress)
    history = model.fit(
        inputs,
        targets,
        epochs=epochs,
        batch_size=batch_size,
        shuffle=True,
        validation_data=validation_data,
        callbacks=[callback],
        verbose=0,
    )
    return {key: [float(v) for v in values] for key, values in history.history.items()}


class TqdmCallback(keras.callbacks.Callback):
    """One tqdm bar over every training batch, with the epoch and loss as its postfix."""

    def __init__(self, total: int, enabled: bool = True):
        super().__init__()
        from tqdm.auto import tqdm

        self.bar = tqdm(
            total=total, disable=not enabled, desc="training", unit="batch", mininterval=0.5
        )

    def on_train_batch_end(self, batch, logs=None):
        self.bar.update(1)

    def on_epoch_end(self, epoch, logs=None):
        logs = logs or {}
        shown = {"epoch": epoch + 1, "loss": f"{logs.get('loss', float('nan')):.3f}"}
        if "val_accuracy" in logs:
            shown["val_acc"] = f"{logs['val_accuracy']:.3f}"
        self.bar.set_postfix(shown)

    def on_train_end(self, logs=None):
        self.bar.close()


def predict_logits(model: keras.Model, x, batch_size: int = 1000) -> np.ndarray:
    """Logits (N, 10) as a NumPy array, computed with ``training=False`` (Dropout off)."""
    inputs = _model_input(model, x)
    chunks = [
        np.asarray(model(inputs[i : i + batch_size], training=False))
        for i in range(0, len(inputs), batch_size)
    ]
    return np.concatenate(chunks) if chunks else np.zeros((0, 10), np.float32)


def evaluate(model: keras.Model, x, y, batch_size: int = 1000) -> dict[str, float]:
    """Mean cross-entropy and accuracy on (x, y): ``{"loss": ..., "accuracy": ...}``.

    loss = mean_i [log sum_k exp(z_ik) - z_{i,y_i}], computed in float64 from the logits.
    """
    logits = predict_logits(model, x, batch_size).astype(np.float64)
    targets = _checks.check_labels(y, len(logits))
    top = logits.max(axis=1, keepdims=True)
    log_sum_exp = (top + np.log(np.exp(logits - top).sum(axis=1, keepdims=True)))[:, 0]
    loss = float(np.mean(log_sum_exp - logits[np.arange(len(targets)), targets]))
    accuracy = float(np.mean(logits.argmax(axis=1) == targets))
    return {"loss": loss, "accuracy": accuracy}


# --- cached trained models -----------------------------------------------------------


def cache_path(name: str, seed: int = 0, source: str | None = None) -> Path:
    """The file ``trained_model(name, seed)`` uses, keyed by framework, architecture, data source and seed."""
    return cache_file("keras", name, seed, source, ".keras")


def trained_model(name: str, seed: int = 0, verbose: bool = True) -> keras.Model:
    """The course's trained "mlp" or "cnn" (outputs logits; compiled, so ``model.evaluate`` works).

    The first call trains it (seeded, deterministic, a few seconds on the
    course subset) on ``load_mnist()`` scaled with ``scale_images`` and saves
    it atomically as ``.keras``; later calls load that file. A file that
    fails to load is deleted and the model retrained.
    """

    def load(path: Path) -> keras.Model:
        model = keras.models.load_model(path, compile=False)
        if model.name != f"course_{name}":
            raise ValueError(f"the file holds {model.name!r}, not course_{name}")
        return compile_model(model)

    source = active_source()
    return load_or_train(
        cache_path(name, seed, source),
        load=load,
        train=lambda: _train_course_model(name, seed, verbose, source),
        save=lambda model, path: model.save(path, overwrite=True),
        verbose=verbose,
    )


def _train_course_model(
    name: str, seed: int, verbose: bool, source: str | None = None
) -> keras.Model:
    from course_utils.data import load_mnist, scale_images

    (x_train, y_train), _ = load_mnist(source, verbose=verbose)
    make_deterministic(seed)
    model = build_model(name)
    if verbose:
        print(f"training the course {name.upper()} (seed {seed}); it is cached for next time")
    train(model, scale_images(x_train), y_train, progress=verbose, **RECIPES[name])
    return model
