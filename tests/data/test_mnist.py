"""course_utils.data.mnist: the offline subset, which source is used, and the real download path against a local HTTP server."""

import hashlib
import http.server
import io
import socket
import threading

import numpy as np
import pytest

from course_utils import data
from course_utils.data import mnist

# --- the offline subset --------------------------------------------------------------------------


def test_offline_subset_matches_keras_layout(capsys):
    (x_train, y_train), (x_test, y_test) = data.load_mnist("offline")
    assert "offline subset" in capsys.readouterr().out
    assert x_train.shape == (4000, 28, 28) and x_test.shape == (1000, 28, 28)
    assert x_train.dtype == np.uint8 and x_test.dtype == np.uint8
    assert y_train.dtype == np.int64 and set(np.unique(y_train)) == set(range(10))
    assert x_train.max() == 255 and x_train.min() == 0
    # stratified: every digit has 100 test images and 400 training images
    assert np.all(np.bincount(y_test) == 100) and np.all(np.bincount(y_train) == 400)


def test_offline_subset_is_seeded_and_disjoint():
    (a_train, _), (a_test, _) = data.load_mnist("offline", verbose=False)
    (b_train, _), (b_test, _) = data.load_mnist("offline", verbose=False)
    assert np.array_equal(a_train, b_train) and np.array_equal(a_test, b_test)
    train_rows = {img.tobytes() for img in a_train}
    assert not any(img.tobytes() in train_rows for img in a_test), "a test digit also appears in training"


def test_environment_variable_selects_the_source(monkeypatch):
    monkeypatch.setenv("COURSE_MNIST", "offline")
    _, source = data.load_mnist(return_source=True, verbose=False)
    assert source == "offline"
    assert "offline subset" in data.describe_source()
    monkeypatch.setenv("COURSE_MNIST", "everything")
    with pytest.raises(ValueError, match="must be one of"):
        data.load_mnist()


def test_requested_and_active_source(monkeypatch):
    monkeypatch.setenv("COURSE_MNIST", " Offline ")
    assert data.requested_source() == "offline" and data.requested_source(None) == "offline"
    assert data.requested_source("FULL") == "full"  # the argument wins over the variable
    assert data.active_source() == "offline"
    monkeypatch.delenv("COURSE_MNIST")
    assert data.requested_source() == "auto"
    with pytest.raises(ValueError, match=r"MNIST source must be one of \('auto', 'full', 'offline'\).*got 'everything'"):
        data.requested_source("everything")


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
    """A small MNIST-shaped archive; the loader is pointed at it by its URL and its SHA-256."""
    body = _fake_mnist_archive()
    monkeypatch.setattr(mnist, "MNIST_SHA256", hashlib.sha256(body).hexdigest())
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COURSE_MNIST", raising=False)
    monkeypatch.delenv("COURSE_MNIST_URL", raising=False)
    return body


def _cache_files(tmp_path):
    folder = tmp_path / "cache"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_good_download_is_cached_and_reused(server, archive, monkeypatch, tmp_path):
    server.body = archive
    monkeypatch.setattr(mnist, "MNIST_URLS", (server.url,))
    ((x_train, y_train), (x_test, y_test)), source = data.load_mnist("full", return_source=True)
    assert source == "full"
    with np.load(io.BytesIO(archive)) as expected:
        assert np.array_equal(x_train, expected["x_train"]) and np.array_equal(y_test, expected["y_test"])
    assert x_train.dtype == np.uint8 and y_train.dtype == np.int64
    assert _cache_files(tmp_path) == ["mnist.npz"]
    assert "cached at" in data.describe_source()
    server.close()  # the server goes away: the cache alone must serve the second call
    (x_again, _), _ = data.load_mnist("full")
    assert np.array_equal(x_again, x_train)
    assert server.requests == 1


def test_corrupt_download_fails_clearly_leaves_nothing_and_retries(server, archive, monkeypatch, tmp_path):
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
    assert "downloaded on first use" in data.describe_source()
    (x_train, _), _ = data.load_mnist("full")
    assert x_train.shape == (60, 28, 28) and server.requests == 2


def _closed_port_url():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist.npz"  # nothing listens there any more


def test_server_down_raises_for_full_and_falls_back_for_auto(archive, monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(mnist, "MNIST_URLS", (_closed_port_url(),))
    with pytest.raises(data.MnistDownloadError, match="ConnectionError"):
        data.load_mnist("full")
    ((x_train, _), _), source = data.load_mnist("auto", return_source=True)
    assert source == "offline" and x_train.shape == (4000, 28, 28)
    out = capsys.readouterr().out
    assert "offline subset (full MNIST not downloaded: no network)" in out
    assert _cache_files(tmp_path) == []


def test_own_mirror_is_tried_first(server, archive, monkeypatch):
    server.body = archive
    monkeypatch.setattr(mnist, "MNIST_URLS", (_closed_port_url(),))
    monkeypatch.setenv("COURSE_MNIST_URL", server.url)
    (_, source) = data.load_mnist("full", return_source=True)
    assert source == "full" and server.requests == 1
