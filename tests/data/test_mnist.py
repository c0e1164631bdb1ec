"""course_utils.data.mnist: the course subset (the default), which source is used, and the real download path against a local HTTP server."""

import hashlib
import http.server
import io
import socket
import threading

import numpy as np
import pytest

from course_utils import data
from course_utils.data import mnist

# --- the course subset --------------------------------------------------------------------------


def test_course_subset_is_the_default_and_matches_keras_layout(capsys, monkeypatch):
    monkeypatch.delenv("COURSE_MNIST", raising=False)
    (x_train, y_train), (x_test, y_test) = data.load_mnist()
    out = capsys.readouterr().out
    assert out.startswith("MNIST: the course subset") and "(4,000 train / 1,000 test)" in out
    assert "COURSE_MNIST=full" in out, "the line must say how to switch to full MNIST"
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == np.uint8 and x_test.dtype == np.uint8
    assert y_train.dtype == np.int64 and set(np.unique(y_train)) == set(range(10))
    assert x_train.max() == 255 and x_train.min() == 0
    # stratified: every digit has 100 test images and 400 training images
    assert np.all(np.bincount(y_test) == 100) and np.all(np.bincount(y_train) == 400)


def test_course_subset_is_seeded_and_disjoint():
    (a_train, _), (a_test, _) = data.load_mnist("subset", verbose=False)
    (b_train, _), (b_test, _) = data.load_mnist(
        "offline", verbose=False
    )  # the old name, same digits
    assert np.array_equal(a_train, b_train) and np.array_equal(a_test, b_test)
    train_rows = {img.tobytes() for img in a_train}
    assert not any(img.tobytes() in train_rows for img in a_test), (
        "a test digit also appears in training"
    )


def test_environment_variable_selects_the_source(monkeypatch):
    monkeypatch.setenv("COURSE_MNIST", " Offline ")
    assert data.active_source() == "subset" and data.is_course_subset()
    assert data.active_source("FULL") == "full"  # the argument wins over the variable
    assert "course subset" in data.describe_source()
    monkeypatch.delenv("COURSE_MNIST")
    assert data.active_source() == "subset"
    monkeypatch.setenv("COURSE_MNIST", "full")
    assert data.active_source() == "full" and not data.is_course_subset()
    assert "full MNIST, 70,000 digits" in data.describe_source()
    monkeypatch.setenv("COURSE_MNIST", "auto")  # the old automatic download is gone
    with pytest.raises(
        ValueError, match=r"MNIST source must be one of \('subset', 'full'\).*got 'auto'"
    ):
        data.load_mnist()


def test_accuracy_floor_follows_the_source(monkeypatch):
    monkeypatch.delenv("COURSE_MNIST", raising=False)
    monkeypatch.delenv("COURSE_MNIST_SHA256", raising=False)
    assert data.accuracy_floor(subset=0.9, full=0.97) == 0.9
    monkeypatch.setenv("COURSE_MNIST", "full")
    assert data.accuracy_floor(subset=0.9, full=0.97) == 0.97 and not data.is_standin()
    monkeypatch.setenv("COURSE_MNIST_SHA256", "ab" * 32)  # a stand-in: no MNIST accuracy to expect
    assert data.is_standin() and data.accuracy_floor(subset=0.9, full=0.97) == 0.0
    assert "a full-size stand-in" in data.describe_source()


def test_scale_images_checks_its_input():
    images = np.array([[[0, 255] * 14] * 28], dtype=np.uint8)
    scaled = data.scale_images(images)
    assert scaled.dtype == np.float32 and scaled.min() == 0.0 and scaled.max() == 1.0
    with pytest.raises(ValueError, match=r"\(N, 28, 28\)"):
        data.scale_images(np.zeros((2, 784), dtype=np.uint8))
    with pytest.raises(ValueError, match="uint8"):
        data.scale_images(np.zeros((2, 28, 28), dtype=np.float64))


# --- the download path, end to end against a local server ------------------------------------------


def _fake_mnist_archive() -> bytes:
    rng = np.random.default_rng(0)
    buffer = io.BytesIO()
    np.savez(
        buffer,
        x_train=rng.integers(0, 256, (60, 28, 28), dtype=np.uint8),
        y_train=rng.integers(0, 10, 60).astype(np.uint8),
        x_test=rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
        y_test=rng.integers(0, 10, 10).astype(np.uint8),
    )
    return buffer.getvalue()


class _Server:
    """A real HTTP server on 127.0.0.1 whose response body the test can swap."""

    def __init__(self):
        self.body = b""
        self.requests = 0
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                server.requests += 1
                self.send_response(200)
                self.send_header("Content-Length", str(len(server.body)))
                self.end_headers()
                self.wfile.write(server.body)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/mnist.npz"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.close()


@pytest.fixture
def archive(monkeypatch, tmp_path):
    """A small MNIST-shaped archive, served as if it were the official file (its hash patched in)."""
    body = _fake_mnist_archive()
    monkeypatch.setattr(mnist, "MNIST_SHA256", hashlib.sha256(body).hexdigest())
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COURSE_MNIST", raising=False)
    monkeypatch.delenv("COURSE_MNIST_URL", raising=False)
    monkeypatch.delenv("COURSE_MNIST_SHA256", raising=False)
    return body


def _cache_files(tmp_path):
    folder = tmp_path / "cache"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_good_download_is_cached_and_reused(server, archive, monkeypatch, tmp_path):
    server.body = archive
    monkeypatch.setattr(mnist, "MNIST_URLS", (server.url,))
    (x_train, y_train), (x_test, y_test) = data.load_mnist("full")
    with np.load(io.BytesIO(archive)) as expected:
        assert np.array_equal(x_train, expected["x_train"]) and np.array_equal(
            y_test, expected["y_test"]
        )
    assert x_train.dtype == np.uint8 and y_train.dtype == np.int64
    assert _cache_files(tmp_path) == ["mnist.npz"]
    assert "cached at" in data.describe_source("full")
    server.close()  # the server goes away: the cache alone must serve the second call
    (x_again, _), _ = data.load_mnist("full")
    assert np.array_equal(x_again, x_train)
    assert server.requests == 1


def test_corrupt_download_fails_clearly_leaves_nothing_and_retries(
    server, archive, monkeypatch, tmp_path
):
    server.body = archive[: len(archive) // 2]  # truncated
    monkeypatch.setattr(mnist, "MNIST_URLS", (server.url,))
    with pytest.raises(data.MnistDownloadError, match="SHA-256"):
        data.load_mnist("full")
    assert _cache_files(tmp_path) == [], "a corrupt download must leave nothing in the cache"
    server.body = b"\x00" * len(archive)  # same length, wrong bytes
    with pytest.raises(data.MnistDownloadError, match="SHA-256"):
        data.load_mnist("full")
    assert _cache_files(tmp_path) == []
    server.body = archive  # the next call downloads again and succeeds
    (x_train, _), _ = data.load_mnist("full")
    assert x_train.shape == (60, 28, 28)
    assert server.requests == 3
    assert _cache_files(tmp_path) == ["mnist.npz"]


def test_corrupted_cache_file_is_downloaded_again(server, archive, monkeypatch, tmp_path):
    server.body = archive
    monkeypatch.setattr(mnist, "MNIST_URLS", (server.url,))
    data.load_mnist("full")
    (tmp_path / "cache" / "mnist.npz").write_bytes(b"garbage")
    assert "cached at" in data.describe_source(
        "full"
    )  # a file is there, but it is not the right one
    (x_train, _), _ = data.load_mnist("full")
    assert x_train.shape == (60, 28, 28) and server.requests == 2


def _closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist.npz"  # nothing listens there any more


def test_server_down_raises_a_clear_error_and_falls_back_to_nothing(archive, monkeypatch, tmp_path):
    monkeypatch.setattr(mnist, "MNIST_URLS", (_closed_port_url(),))
    with pytest.raises(
        data.MnistDownloadError, match=r"COURSE_MNIST=full.*ConnectionError.*Unset COURSE_MNIST"
    ):
        data.load_mnist("full")
    assert _cache_files(tmp_path) == []


def test_a_stand_in_is_named_by_its_hash_and_cached_under_its_own_name(
    server, monkeypatch, tmp_path
):
    body = _fake_mnist_archive()
    server.body = body
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COURSE_MNIST_URL", server.url)
    monkeypatch.setenv("COURSE_MNIST_SHA256", hashlib.sha256(body).hexdigest())
    (x_train, _), _ = data.load_mnist("full", verbose=False)
    assert x_train.shape == (60, 28, 28) and data.is_standin()
    name = f"mnist-{hashlib.sha256(body).hexdigest()[:16]}.npz"
    assert _cache_files(tmp_path) == [name], "a stand-in must never be cached as the real mnist.npz"


def test_own_mirror_is_tried_first(server, archive, monkeypatch):
    server.body = archive
    monkeypatch.setattr(mnist, "MNIST_URLS", (_closed_port_url(),))
    monkeypatch.setenv("COURSE_MNIST_URL", server.url)
    (x_train, _), _ = data.load_mnist("full", verbose=False)
    assert x_train.shape == (60, 28, 28) and server.requests == 1
