"""The course's PyTorch models: the MLP and the CNN, a training loop, and cached trained copies.

Every model takes images scaled to [0, 1] (``data.scale_images``) and
returns **logits** z (no softmax layer); probabilities are
``softmax(z)_k = exp(z_k) / sum_j exp(z_j)``, and the loss is the
cross-entropy ``L = -log softmax(z)_y``, which ``nn.CrossEntropyLoss``
computes from the logits directly (more stably than log of a softmax).

Models are built only from modules (no ``F.relu`` inside ``forward``) so
that DeepLIFT and Captum can see every layer.

``trained_model("mlp")`` / ``trained_model("cnn")`` train once with a fixed
seed on ``load_mnist()`` and cache the ``state_dict`` (:mod:`.cache`);
later calls load it in a fraction of a second.

Only the PyTorch notebooks import this module (``import course_utils`` does not).
"""

from __future__ import annotations

import contextlib
from collections import OrderedDict
from pathlib import Path

import numpy as np
import torch
from torch import nn

from course_utils import _checks, env
from course_utils.data.mnist import active_source
from course_utils.frameworks.cache import cache_file, load_or_train
from course_utils.frameworks.recipes import RECIPES, check_name

# --- the two architectures ---------------------------------------------------


def build_mlp(hidden: int = 128, dropout: float = 0.2) -> nn.Sequential:
    """Flatten, Linear(784, hidden), ReLU, Dropout, Linear(hidden, 10): 28x28 image -> 10 logits.

    Takes (N, 28, 28) or (N, 1, 28, 28). The layers have names: ``mlp.hidden``, ``mlp.output``, ...
    Returned in eval() mode.
    """
    model = nn.Sequential(
        OrderedDict(
            flatten=nn.Flatten(),
            hidden=nn.Linear(28 * 28, hidden),
            relu=nn.ReLU(),
            dropout=nn.Dropout(dropout),
            output=nn.Linear(hidden, 10),
        )
    )
    return model.eval()


def build_cnn() -> nn.Sequential:
    """Two conv blocks (3x3 conv with padding 1, ReLU, 2x2 max-pool) then a linear head.

    Shapes: (N,1,28,28) -> conv 8 -> (N,8,28,28) -> pool -> (N,8,14,14)
    -> conv 16 -> (N,16,14,14) -> pool -> (N,16,7,7) -> flatten 784 -> Linear -> (N,10) logits.
    The layers have names: ``cnn.conv1``, ``cnn.relu1``, ``cnn.pool1``, ``cnn.conv2``, ``cnn.relu2``,
    ``cnn.pool2``, ``cnn.flatten``, ``cnn.head``. Returned in eval() mode.
    """
    model = nn.Sequential(
        OrderedDict(
            conv1=nn.Conv2d(1, 8, kernel_size=3, padding=1),
            relu1=nn.ReLU(),
            pool1=nn.MaxPool2d(2),
            conv2=nn.Conv2d(8, 16, kernel_size=3, padding=1),
            relu2=nn.ReLU(),
            pool2=nn.MaxPool2d(2),
            flatten=nn.Flatten(),
            head=nn.Linear(16 * 7 * 7, 10),
        )
    )
    return model.eval()


def build_model(name: str) -> nn.Sequential:
    """``build_mlp()`` or ``build_cnn()`` by name ("mlp" or "cnn")."""
    check_name(name)
    return build_mlp() if name == "mlp" else build_cnn()


# --- arrays in, tensors out ----------------------------------------------------


def to_input(images, channel_axis: bool = True) -> torch.Tensor:
    """Scaled images as a float32 tensor: (N, 28, 28) or (N, 1, 28, 28) -> (N, 1, 28, 28).

    With ``channel_axis=False`` the result is (N, 28, 28) (enough for the MLP).
    Raises ValueError for any other shape, for the Keras layout (N, 28, 28, 1),
    or for uint8 pixels that were not scaled to [0, 1] with ``data.scale_images``.
    """
    array = images.detach().cpu().numpy() if isinstance(images, torch.Tensor) else images
    return torch.from_numpy(_checks.mnist_images(array, "nchw" if channel_axis else "nhw"))


def labels_tensor(labels, n: int | None = None) -> torch.Tensor:
    """Integer class labels 0..9 as an int64 tensor (checked by ``_checks.check_labels``)."""
    array = labels.detach().cpu().numpy() if isinstance(labels, torch.Tensor) else labels
    return torch.from_numpy(_checks.check_labels(array, n=n))


# --- training and evaluation -----------------------------------------------------


def make_deterministic(seed: int = 0) -> None:
    """Seed Python, NumPy and PyTorch, and make PyTorch use deterministic kernels (for the whole process).

    ``torch.use_deterministic_algorithms(True)`` makes PyTorch raise instead of
    silently running a nondeterministic kernel; on the CPU it costs nothing.
    """
    env.set_seed(seed)
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)


@contextlib.contextmanager
def _deterministic_algorithms():
    """The block runs with deterministic kernels only; the previous setting is restored afterwards."""
    before = torch.are_deterministic_algorithms_enabled()
    torch.use_deterministic_algorithms(True)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(before)


def train(
    model: nn.Module,
    x,
    y,
    *,
    epochs: int = 5,
    batch_size: int = 32,
    lr: float = 1e-3,
    seed: int = 0,
    validation: tuple | None = None,
    progress: bool = True,
) -> dict[str, list[float]]:
    """Train with Adam on the cross-entropy of the logits, in shuffled mini-batches.

    Each step: logits z = model(x_batch); L = mean_i -log softmax(z_i)_{y_i};
    gradients by autograd; Adam update. ``seed`` fixes the initial shuffles
    (not the weights: seed before building the model for that).
    Returns ``{"loss": [...], "accuracy": [...]}`` per epoch (training batches,
    Dropout active), plus ``val_loss`` / ``val_accuracy`` when ``validation=(x_val, y_val)``.
    The model is left in eval() mode.
    """
    inputs = to_input(x)
    targets = labels_tensor(y, len(inputs))
    if epochs < 1 or batch_size < 1:
        raise ValueError(f"epochs and batch_size must be positive, got {epochs} and {batch_size}")
    generator = torch.Generator().manual_seed(seed)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(inputs, targets),
        batch_size=batch_size,
        shuffle=True,
        generator=generator,
    )
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.CrossEntropyLoss()
    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    if validation is not None:
        history.update(val_loss=[], val_accuracy=[])
    bar = _progress_bar(total=epochs * len(loader), enabled=progress)
    with _deterministic_algorithms():
        for epoch in range(epochs):
            model.train()
            total_loss, correct = 0.0, 0
            for xb, yb in loader:
                optimizer.zero_grad()
                logits = model(xb)
                loss = loss_fn(logits, yb)
                loss.backward()
                optimizer.step()
                total_loss += loss.item() * len(xb)
                correct += (logits.argmax(1) == yb).sum().item()
                bar.update(1)
            history["loss"].append(total_loss / len(inputs))
            history["accuracy"].append(correct / len(inputs))
            shown = {"epoch": epoch + 1, "loss": f"{history['loss'][-1]:.3f}"}
            if validation is not None:
                scores = evaluate(model, *validation)
                history["val_loss"].append(scores["loss"])
                history["val_accuracy"].append(scores["accuracy"])
                shown["val_acc"] = f"{scores['accuracy']:.3f}"
            bar.set_postfix(shown)
    bar.close()
    return history


def predict_logits(model: nn.Module, x, batch_size: int = 1000) -> np.ndarray:
    """Logits (N, 10) as a NumPy array, computed in eval() mode without gradients."""
    inputs = to_input(x)
    model.eval()
    with torch.no_grad():
        chunks = [model(inputs[i : i + batch_size]) for i in range(0, len(inputs), batch_size)]
    return torch.cat(chunks).numpy() if chunks else np.zeros((0, 10), np.float32)


def evaluate(model: nn.Module, x, y, batch_size: int = 1000) -> dict[str, float]:
    """Mean cross-entropy and accuracy on (x, y), in eval() mode: ``{"loss": ..., "accuracy": ...}``."""
    logits = torch.from_numpy(predict_logits(model, x, batch_size))
    targets = labels_tensor(y, len(logits))
    loss = nn.functional.cross_entropy(logits, targets).item()
    accuracy = (logits.argmax(1) == targets).double().mean().item()
    return {"loss": loss, "accuracy": accuracy}


def _progress_bar(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, disable=not enabled, desc="training", unit="batch", mininterval=0.5)


# --- cached trained models ---------------------------------------------------------


def cache_path(name: str, seed: int = 0, source: str | None = None) -> Path:
    """The file ``trained_model(name, seed)`` uses, keyed by framework, architecture, data source and seed."""
    return cache_file("torch", name, seed, source, ".pt")


def trained_model(name: str, seed: int = 0, verbose: bool = True) -> nn.Sequential:
    """The course's trained "mlp" or "cnn", in eval() mode.

    The first call trains it (seeded, deterministic, a few seconds on the
    course subset) on ``load_mnist()`` scaled with ``scale_images`` and saves
    its ``state_dict`` atomically; later calls load that file with
    ``torch.load(weights_only=True)``. A file that fails to load is deleted
    and the model retrained.
    """

    def load(path: Path) -> nn.Sequential:
        model = build_model(name)
        model.load_state_dict(torch.load(path, weights_only=True, map_location="cpu"))
        return model.eval()

    source = active_source()
    return load_or_train(
        cache_path(name, seed, source),
        load=load,
        train=lambda: _train_course_model(name, seed, verbose, source)[0].eval(),
        save=lambda model, path: torch.save(model.state_dict(), path),
        verbose=verbose,
    )


def _train_course_model(name: str, seed: int, verbose: bool, source: str | None = None):
    from course_utils.data import load_mnist, scale_images

    (x_train, y_train), _ = load_mnist(source, verbose=verbose)
    env.set_seed(seed)
    torch.manual_seed(seed)
    model = build_model(name)
    if verbose:
        print(f"training the course {name.upper()} (seed {seed}); it is cached for next time")
    history = train(
        model, scale_images(x_train), y_train, seed=seed, progress=verbose, **RECIPES[name]
    )
    return model, history
