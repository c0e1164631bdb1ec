"""A full-size stand-in for MNIST, made from the course subset, for testing the full-MNIST code path offline.

    python -m tools.standin build/standin/mnist-standin.npz

Full MNIST cannot be downloaded on the course's build machines, so the tests and
``make bench`` run the notebooks on a stand-in that has exactly its format: 60,000
training and 10,000 test digits, uint8 (N, 28, 28) with values 0..255, uint8 labels,
and full MNIST's label counts. Each stand-in digit is a real digit of the course
subset of the same class (training digits from the subset's training split, test
digits from its test split, so the two stay disjoint), shifted by up to 2 pixels in
each direction and with its ink scaled by a factor in [0.8, 1.0]. Seeded: the same
file every time. It is not MNIST: accuracies on it say nothing about MNIST.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import http.server
import sys
import threading
from pathlib import Path

import numpy as np

#: Label counts of full MNIST (train, test), digit 0 to 9.
TRAIN_COUNTS = (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949)
TEST_COUNTS = (980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009)
MAX_SHIFT = 2


def _grow(images: np.ndarray, labels: np.ndarray, counts, rng: np.random.Generator):
    """Digits of each class drawn (with replacement) from ``images``, shifted and re-inked."""
    out_images, out_labels = [], []
    for digit, count in enumerate(counts):
        pool = images[labels == digit]
        picked = pool[rng.integers(0, len(pool), count)]
        shifts = rng.integers(-MAX_SHIFT, MAX_SHIFT + 1, size=(count, 2))
        ink = rng.uniform(0.8, 1.0, size=(count, 1, 1))
        moved = np.empty_like(picked)
        for (dy, dx), i in zip(shifts, range(count), strict=True):
            moved[i] = np.roll(picked[i], (dy, dx), axis=(0, 1))
        out_images.append(np.round(moved * ink).astype(np.uint8))
        out_labels.append(np.full(count, digit, dtype=np.uint8))
    order = rng.permutation(sum(counts))
    return np.concatenate(out_images)[order], np.concatenate(out_labels)[order]


def make_standin(seed: int = 0) -> dict[str, np.ndarray]:
    """The stand-in's four arrays, as in Keras' mnist.npz: x_train, y_train, x_test, y_test."""
    from course_utils.data.mnist import _load_subset

    (x_train, y_train), (x_test, y_test) = _load_subset()
    rng = np.random.default_rng(seed)
    big_train = _grow(x_train, y_train, TRAIN_COUNTS, rng)
    big_test = _grow(x_test, y_test, TEST_COUNTS, rng)
    return {
        "x_train": big_train[0],
        "y_train": big_train[1],
        "x_test": big_test[0],
        "y_test": big_test[1],
    }


def write_standin(path: Path, seed: int = 0) -> str:
    """Write the stand-in to ``path`` (an .npz like Keras' mnist.npz); return its SHA-256."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        np.savez(handle, **make_standin(seed))
    return hashlib.sha256(path.read_bytes()).hexdigest()


@contextlib.contextmanager
def standin_environment(folder: Path):
    """Serve the stand-in from 127.0.0.1 and yield the environment that makes ``load_mnist()`` download it.

    The variables: ``COURSE_MNIST=full``, ``COURSE_MNIST_URL`` (the local server),
    ``COURSE_MNIST_SHA256`` (the stand-in's hash) and ``COURSE_DATA_DIR`` (``folder/data``, so
    the download and the models trained on it stay apart from the learner's cache). The file
    is built once into ``folder``; the server stops when the block ends, whatever happens.
    """
    path = folder / "mnist-standin.npz"
    sha = (
        write_standin(path) if not path.exists() else hashlib.sha256(path.read_bytes()).hexdigest()
    )
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield {
            "COURSE_MNIST": "full",
            "COURSE_MNIST_URL": f"http://127.0.0.1:{server.server_address[1]}/{path.name}",
            "COURSE_MNIST_SHA256": sha,
            "COURSE_DATA_DIR": str(folder / "data"),
        }
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"wrote {args.output}, SHA-256 {write_standin(args.output, args.seed)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
