"""Mini-batch training of a NumPy model (forward, loss, backward, step) and its accuracy."""

from __future__ import annotations

import numpy as np

from course_utils._checks import check_learning_rate
from course_utils.foundations.losses import cross_entropy, softmax_cross_entropy_grad
from course_utils.foundations.optim import Adam


def accuracy(model, x, y) -> float:
    """Fraction of samples whose predicted class equals the label."""
    return float(np.mean(model.predict(x) == np.asarray(y)))


def train(
    model,
    x,
    y,
    epochs: int,
    batch_size: int = 64,
    lr: float = 1e-3,
    x_val=None,
    y_val=None,
    seed: int = 0,
    progress: bool = True,
    optimizer=None,
    blas_threads: int | None = 1,
):
    """Mini-batch training with Adam (or ``optimizer``) on the mean softmax cross-entropy.

    Each epoch shuffles the training set (seeded), then for every batch:
    forward, loss, backward, one optimiser step. Returns a history dict, one
    entry per epoch: ``loss`` and ``accuracy`` (means over the epoch's
    batches, as Keras reports them) and, when validation data is given,
    ``val_loss`` and ``val_accuracy`` measured after the epoch; also
    ``batch_loss``, every batch's loss.

    ``blas_threads=1`` runs the matrix products on one thread while training:
    for batches this small, threads gain little, and on a busy machine (or a
    shared Binder CPU) waiting threads make an epoch several times slower.
    ``None`` leaves the BLAS library's own setting.
    """
    x = model._flatten(x) if hasattr(model, "_flatten") else np.asarray(x)
    y = np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"train: x has {len(x)} samples but y has {len(y)} labels")
    if int(epochs) < 1 or int(batch_size) < 1:
        raise ValueError(
            f"train: epochs and batch_size must be >= 1, got epochs={epochs}, batch_size={batch_size}"
        )
    check_learning_rate(lr)
    if blas_threads is not None and int(blas_threads) < 1:
        raise ValueError(f"train: blas_threads must be None or >= 1, got {blas_threads}")
    x = x.astype(model.dtype, copy=False) if hasattr(model, "dtype") else x
    opt = optimizer if optimizer is not None else Adam(model.params(), lr=lr)
    has_val = x_val is not None and y_val is not None
    if has_val:
        x_val, y_val = model._flatten(x_val), np.asarray(y_val)
    with _blas_limited(blas_threads):
        return _train_loop(
            model, x, y, int(epochs), int(batch_size), opt, x_val, y_val, has_val, seed, progress
        )


def _blas_limited(threads):
    """A context that limits the BLAS library to ``threads`` threads (does nothing for None, or without threadpoolctl)."""
    import contextlib

    if threads is None:
        return contextlib.nullcontext()
    try:
        from threadpoolctl import threadpool_limits
    except (
        ImportError
    ):  # threadpoolctl comes with scikit-learn; without it, train with the default threads
        return contextlib.nullcontext()
    return threadpool_limits(limits=int(threads), user_api="blas")


def _train_loop(model, x, y, epochs, batch_size, opt, x_val, y_val, has_val, seed, progress):
    history = {"loss": [], "accuracy": [], "batch_loss": []}
    if has_val:
        history.update(val_loss=[], val_accuracy=[])
    rng = np.random.default_rng(seed)
    epoch_iter = range(epochs)
    if progress:
        from tqdm.auto import tqdm

        epoch_iter = tqdm(epoch_iter, desc="training", unit="epoch")
    for _ in epoch_iter:
        order = rng.permutation(len(x))
        total_loss, correct = 0.0, 0
        for start in range(0, len(x), batch_size):
            idx = order[start : start + batch_size]
            xb, yb = x[idx], y[idx]
            logits = model.forward(xb)
            loss = float(cross_entropy(logits, yb))
            history["batch_loss"].append(loss)
            total_loss += loss * len(idx)
            correct += int(np.sum(logits.argmax(axis=1) == yb))
            model.backward(softmax_cross_entropy_grad(logits, yb), input_grad=False)
            opt.step(model.grads())
        history["loss"].append(total_loss / len(x))
        history["accuracy"].append(correct / len(x))
        if has_val:
            val_logits = np.concatenate(
                [model.forward(x_val[i : i + 2048]) for i in range(0, len(x_val), 2048)]
            )
            history["val_loss"].append(float(cross_entropy(val_logits, y_val)))
            history["val_accuracy"].append(float(np.mean(val_logits.argmax(axis=1) == y_val)))
        if progress:
            shown = {"loss": f"{history['loss'][-1]:.4f}", "acc": f"{history['accuracy'][-1]:.3f}"}
            if has_val:
                shown["val_acc"] = f"{history['val_accuracy'][-1]:.3f}"
            epoch_iter.set_postfix(shown)
    return history
