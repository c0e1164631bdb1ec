"""What the hub tests share: the check that the hub can run here, a git server on loopback."""

import os
import socketserver
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from tools import hub


def require_hub():
    """Skip (or, under CI, fail) when JupyterHub, its proxy, nbgitpuller or git is missing."""
    missing = hub.missing_requirements()
    if missing:
        message = "the hub tests need: " + "; ".join(missing)
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True  # one thread per request (git fetches overlap), none outlives the server


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def _git_http_backend(project_root: Path):
    """A WSGI app that hands every request to `git http-backend` (git's smart HTTP, as GitHub)."""

    def app(environ, start_response):
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": str(project_root),
            "GIT_HTTP_EXPORT_ALL": "1",
            "REQUEST_METHOD": environ["REQUEST_METHOD"],
            "PATH_INFO": environ.get("PATH_INFO", ""),
            "QUERY_STRING": environ.get("QUERY_STRING", ""),
            "CONTENT_TYPE": environ.get("CONTENT_TYPE", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_ADDR": "127.0.0.1",
        }
        for name in ("HTTP_CONTENT_ENCODING", "HTTP_GIT_PROTOCOL"):
            if name in environ:
                env[name] = environ[name]
        out = subprocess.run(
            ["git", "http-backend"], input=body, env=env, capture_output=True, timeout=120
        ).stdout
        separator = b"\r\n\r\n" if b"\r\n\r\n" in out else b"\n\n"
        head, _, payload = out.partition(separator)
        status, headers = "200 OK", []
        for line in head.decode("latin-1").splitlines():
            name, _, value = line.partition(":")
            if name.lower() == "status":
                status = value.strip()
            elif name:
                headers.append((name.strip(), value.strip()))
        start_response(status, headers)
        return [payload]

    return app


@contextmanager
def git_http_server(project_root: Path):
    """Serve the bare repositories under ``project_root`` on http://127.0.0.1:<port>/; always stop."""
    app = _git_http_backend(project_root)
    options = {"server_class": _ThreadingWSGIServer, "handler_class": _QuietHandler}
    with make_server("127.0.0.1", 0, app, **options) as server:  # closed on the way out
        thread = threading.Thread(target=server.serve_forever, args=(0.2,), daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(10)


def git(*args, cwd=None, timeout=120) -> str:
    """Run git with a fixed identity and no user or system configuration; return its stdout."""
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "Course Test",
        "GIT_AUTHOR_EMAIL": "course-test@example.invalid",
        "GIT_COMMITTER_NAME": "Course Test",
        "GIT_COMMITTER_EMAIL": "course-test@example.invalid",
    }
    result = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout
