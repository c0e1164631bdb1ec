"""The course's JupyterHub on this machine: `make hub` to try it, and the class load test.

python -m tools.hub serve [--port 8000]
    start the trial hub (hub/jupyterhub_config.py, FOR TRYING ONLY) on 127.0.0.1 until Ctrl-C
python -m tools.hub loadtest [--learners 12] [--output benchmarks/hub_load.md]
    simulate a class: learners log in at once through the hub's REST API, start their servers
    and each runs a chapter cell by cell on a kernel of their own server (REST + websocket,
    as JupyterLab does), while the hub's API is polled every 0.5 s; print (or write) the table

Everything listens on loopback; every loop is bounded in count and time; the hub, its proxy,
the learners' servers and their kernels are stopped whatever happens.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from tools.notebooks import NOTEBOOK_DIR, ROOT
from tools.npm import npm_ci

HUB_DIR = ROOT / "hub"
CONFIG = HUB_DIR / "jupyterhub_config.py"
LIMITS_FILE = HUB_DIR / "limits.json"
PROXY = HUB_DIR / "node_modules" / ".bin" / "configurable-http-proxy"
TRIAL_PASSWORD = "try-the-course"
# a Part I chapter, a PyTorch chapter, the Keras chapter, and the largest Part III kernel
# (15_shapley_and_shap peaks highest in BENCHMARKS.md); learners take them in turn
CHAPTERS = [
    "02_loss_functions.ipynb",
    "10_saliency_and_gradients.ipynb",
    "06_keras_mnist.ipynb",
    "15_shapley_and_shap.ipynb",
]
PART_III = {f"{n:02d}" for n in range(9, 20)}
CELL_TIMEOUT = 600  # seconds for one cell, as nbval's --nbval-cell-timeout
POLL_INTERVAL = 0.5  # seconds between two requests to the hub's API
RSS_INTERVAL = 0.25  # seconds between two memory samples (PSS: every fourth)
RESPONSIVE_SECONDS = 1.0  # the hub's API must answer within this, throughout


def limits() -> dict:
    """hub/limits.json: the numbers both hub configurations use."""
    return json.loads(LIMITS_FILE.read_text())


def byte_size(text: str | int) -> int:
    """'2G' -> 2 * 1024**3 (JupyterHub's and Kubernetes' binary reading of K, M, G, T)."""
    if isinstance(text, int):
        return text
    units = {"K": 1024, "M": 1024**2, "G": 1024**3, "T": 1024**4}
    value = str(text).strip().upper().removesuffix("I")
    if value and value[-1] in units:
        return int(float(value[:-1]) * units[value[-1]])
    if not value.isdigit():
        raise ValueError(f"expected a size such as '2G', '512M' or a number of bytes, got {text!r}")
    return int(value)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def missing_requirements() -> list[str]:
    """What the hub needs and this machine lacks (empty when it can run), with how to get it."""
    import importlib.util

    missing = []
    for module, package in [
        ("jupyterhub", "jupyterhub"),
        ("jupyterhub_idle_culler", "jupyterhub-idle-culler"),
        ("nbgitpuller", "nbgitpuller"),
        ("jupyter_kernel_client", "jupyter-kernel-client"),
    ]:
        if importlib.util.find_spec(module) is None:
            missing.append(f"{package} (pip install -e '.[hub]')")
    if not Path(sys.executable).with_name("jupyterhub-singleuser").exists():
        missing.append("jupyterhub-singleuser next to this Python (pip install -e '.[hub]')")
    if not install_proxy():
        missing.append("configurable-http-proxy (npm ci --prefix hub; Debian: apt-get install npm)")
    if shutil.which("git") is None:
        missing.append("git (Debian: apt-get install git)")
    return missing


def install_proxy() -> bool:
    """`npm ci` in hub/ when the proxy is missing; True when it is there afterwards."""
    return npm_ci(HUB_DIR, lambda: not PROXY.exists(), "the hub has no proxy")


# --- a running hub ---------------------------------------------------------------------------------


class Hub:
    """A trial hub started by :func:`running_hub`: its public URL, an admin API token, helpers."""

    def __init__(self, url: str, token: str, state: Path, process: subprocess.Popen):
        self.url, self.token, self.state, self.process = url, token, state, process
        self._seen: dict[int, float] = {}  # pid -> create_time of every process the hub started
        self._lock = threading.Lock()

    def api(self, method: str, path: str, token: str | None = None, timeout: float = 30, **kw):
        """A request to the hub's REST API (``/hub/api`` + path), as admin unless ``token``."""
        import requests

        headers = {"Authorization": f"token {token or self.token}"}
        return requests.request(
            method, f"{self.url}/hub/api{path}", headers=headers, timeout=timeout, **kw
        )

    def descendants(self) -> list:
        """Every live process under the hub (proxy, services, servers, kernels); remembered."""
        import psutil

        try:
            processes = psutil.Process(self.process.pid).children(recursive=True)
        except psutil.Error:
            return []
        with self._lock:
            for p in processes:
                try:
                    self._seen.setdefault(p.pid, p.create_time())
                except psutil.Error:
                    pass
        return processes

    def started(self) -> dict[int, float]:
        """{pid: create_time} of every process seen under the hub so far."""
        self.descendants()
        with self._lock:
            return dict(self._seen)

    def servers(self) -> dict:
        """{user name: psutil.Process} of every learner's running Jupyter server."""
        import psutil

        found = {}
        for p in self.descendants():
            try:
                if p.ppid() == self.process.pid and any(
                    "jupyterhub-singleuser" in part for part in p.cmdline()
                ):
                    name = p.environ().get("JUPYTERHUB_USER")
                    if name:
                        found[name] = p
            except psutil.Error:
                pass
        return found

    def stop(self) -> None:
        """Stop the hub (it stops the servers, the proxy, the culler), then anything left of them."""
        import psutil

        self.descendants()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # JupyterHub cleans up servers and the proxy
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=30)
        with self._lock:
            seen = dict(self._seen)
        for pid, created in seen.items():
            try:
                p = psutil.Process(pid)
                if abs(p.create_time() - created) < 0.01:  # the same process, not a reused pid
                    p.kill()
            except psutil.Error:
                pass


@contextmanager
def running_hub(
    state: Path,
    port: int | None = None,
    env: dict | None = None,
    timeout: float = 120,
    priority: int = 0,
):
    """Start hub/jupyterhub_config.py in trial mode on 127.0.0.1; yield a :class:`Hub`; always stop.

    ``priority`` < 0 runs the hub (and so, 10 steps below it, the learners' servers) at that nice
    value: the load test's way to keep unrelated work on a shared test machine from starving the
    hub, as nothing does on a class server, where the hub is only ever competing with the
    learners (needs root; ignored otherwise).
    """
    import requests

    state = Path(state).resolve()
    state.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    token = secrets.token_hex(32)
    environment = {
        **os.environ,
        "COURSE_HUB_MODE": "trial",
        "COURSE_HUB_STATE": str(state),
        "COURSE_HUB_PORT": str(port),
        "COURSE_HUB_ADMIN_TOKEN": token,
        **(env or {}),
    }
    log = open(state / "hub.log", "w")
    command = [sys.executable, "-m", "jupyterhub", "-f", str(CONFIG)]
    if priority < 0 and hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("nice"):
        command = [shutil.which("nice"), "-n", str(priority), *command]
    process = subprocess.Popen(
        command,
        cwd=state,
        env=environment,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    hub = Hub(f"http://127.0.0.1:{port}", token, state, process)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if requests.get(f"{hub.url}/hub/api/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"JupyterHub did not start; see {state / 'hub.log'}:\n{tail(state)}"
                )
            time.sleep(0.5)
        hub.descendants()
        yield hub
    finally:
        try:
            hub.stop()
        finally:
            log.close()


def tail(state: Path, lines: int = 30) -> str:
    path = Path(state) / "hub.log"
    return (
        "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""
    )


def wait_until_ready(hub: Hub, name: str, token: str, timeout: float) -> None:
    """Poll the hub until ``name``'s default server is ready (bounded by ``timeout``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        model = hub.api("GET", f"/users/{name}", token=token).json()
        server = model.get("servers", {}).get("")
        if server and server.get("ready"):
            return
        if not server and not model.get("pending"):
            raise RuntimeError(f"{name}'s server stopped while starting; see {hub.state}/hub.log")
        time.sleep(0.5)
    raise TimeoutError(f"{name}'s server was not ready after {timeout:.0f} s")


def log_in(hub: Hub, name: str) -> str:
    """What a learner's first login does, through the REST API: an account, and a token of theirs."""
    response = hub.api("POST", f"/users/{name}")
    if response.status_code not in (201, 409):  # 409: the user exists already
        raise RuntimeError(f"creating user {name}: {response.status_code} {response.text[:200]}")
    response = hub.api(
        "POST", f"/users/{name}/tokens", json={"note": "course load test", "expires_in": 7200}
    )
    response.raise_for_status()
    return response.json()["token"]


def start_server(hub: Hub, name: str, token: str, timeout: float) -> None:
    response = hub.api("POST", f"/users/{name}/server", token=token, timeout=timeout)
    if response.status_code not in (201, 202, 400):  # 400: already running
        raise RuntimeError(
            f"starting {name}'s server: {response.status_code} {response.text[:200]}"
        )
    wait_until_ready(hub, name, token, timeout)


# --- the load test ----------------------------------------------------------------------------------


@dataclass
class Learner:
    name: str
    chapter: str
    time_to_server: float | None = None
    time_to_kernel: float | None = None
    run_seconds: float | None = None
    cells: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)
    peak_rss: int = 0
    peak_pss: int = 0
    cpu_by_pid: dict = field(default_factory=dict)  # pid -> CPU seconds (user + system) so far

    @property
    def cpu_seconds(self) -> float:
        """CPU time of the learner's server and kernels, from the start of the server on."""
        return sum(self.cpu_by_pid.values())


@dataclass
class LoadResult:
    learners: list[Learner]
    hub_latencies: list[float]
    hub_failures: int
    hub_slow: list  # (seconds into the run, latency) of every answer that took 1 s or more
    peak_total_rss: int
    peak_total_pss: int
    peak_hub_rss: int
    seconds: float
    load_before: tuple
    load_after: tuple
    date: str


def chapters_for(n: int) -> list[str]:
    """The chapter of each of ``n`` learners: the mix in turn (3 learners: Part I, PyTorch, Keras)."""
    if n < 1:
        raise ValueError(f"expected at least one learner, got {n}")
    return [CHAPTERS[i % len(CHAPTERS)] for i in range(n)]


def _run_learner(hub: Hub, learner: Learner, start: threading.Barrier, start_timeout: float):
    from jupyter_kernel_client import JupyterKernelClient

    nb = nbformat.read(NOTEBOOK_DIR / learner.chapter, as_version=4)
    cells = [cell.source for cell in nb.cells if cell.cell_type == "code" and cell.source.strip()]
    start.wait(timeout=120)
    t0 = time.perf_counter()
    token = log_in(hub, learner.name)
    start_server(hub, learner.name, token, start_timeout)
    learner.time_to_server = time.perf_counter() - t0
    # a browser marks its websocket requests so; the single-user server then takes the token from
    # the websocket's URL (JupyterHub 5 ignores tokens in other URLs)
    kernel = JupyterKernelClient(
        server_url=f"{hub.url}/user/{learner.name}",
        token=token,
        headers={"Sec-Fetch-Mode": "websocket"},
    )
    try:
        kernel.start(timeout=start_timeout)
        reply = kernel.execute("1 + 1", timeout=start_timeout)  # the kernel answers: it runs
        if reply["status"] != "ok":
            raise RuntimeError(f"{learner.name}'s kernel did not run 1 + 1: {reply}")
        learner.time_to_kernel = time.perf_counter() - t0
        t1 = time.perf_counter()
        for index, source in enumerate(cells):
            reply = kernel.execute(source, timeout=CELL_TIMEOUT)
            learner.cells += 1
            if reply["status"] != "ok":
                learner.failed += 1
                learner.errors.append(f"cell {index}: {_what_failed(reply)}")
        learner.run_seconds = time.perf_counter() - t1
    finally:
        kernel.stop(shutdown_kernel=True)


def _what_failed(reply: dict) -> str:
    """The error of a failed cell: its name and value, the line that raised, what it printed last."""
    import re

    errors = [o for o in reply["outputs"] if o.get("output_type") == "error"]
    if not errors:
        return str(reply["status"])
    error = errors[0]
    lines = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.get("traceback", []))).splitlines()
    raised = next((line.strip() for line in reversed(lines) if line.startswith("---->")), "")
    printed = "".join(
        o.get("text", "") for o in reply["outputs"] if o.get("output_type") == "stream"
    )
    last = printed.strip().splitlines()[-1] if printed.strip() else ""
    return f"{error['ename']}: {error['evalue']} at {raised!r}; last printed: {last!r}"[:500]


class _Sampler(threading.Thread):
    """Memory of every learner's server tree (RSS, and PSS every 4th sample), and hub latency."""

    def __init__(self, hub: Hub, learners: dict[str, Learner]):
        super().__init__(daemon=True)
        self.hub, self.learners = hub, learners
        self.stop_event = threading.Event()
        self.peak_total_rss = self.peak_total_pss = self.peak_hub_rss = 0

    def run(self):
        import psutil

        hub_process = psutil.Process(self.hub.process.pid)
        count = 0
        while not self.stop_event.is_set():
            with_pss = count % 4 == 0
            total_rss = total_pss = 0
            for name, server in self.hub.servers().items():
                learner = self.learners.get(name)
                if learner is None:
                    continue
                rss = pss = 0
                try:
                    tree = [server, *server.children(recursive=True)]
                except psutil.Error:
                    continue
                for p in tree:
                    try:
                        times = p.cpu_times()
                        learner.cpu_by_pid[p.pid] = times.user + times.system
                        if with_pss:
                            info = p.memory_full_info()
                            rss, pss = rss + info.rss, pss + info.pss
                        else:
                            rss += p.memory_info().rss
                    except psutil.Error:
                        pass
                learner.peak_rss = max(learner.peak_rss, rss)
                learner.peak_pss = max(learner.peak_pss, pss)
                total_rss, total_pss = total_rss + rss, total_pss + pss
            try:  # the hub and what it runs besides the learners: proxy, culler
                own = [hub_process] + [
                    p
                    for p in hub_process.children()
                    if "jupyterhub-singleuser" not in " ".join(p.cmdline())
                ]
                self.peak_hub_rss = max(self.peak_hub_rss, sum(p.memory_info().rss for p in own))
            except psutil.Error:
                pass
            self.peak_total_rss = max(self.peak_total_rss, total_rss)
            if with_pss:
                self.peak_total_pss = max(self.peak_total_pss, total_pss)
            count += 1
            self.stop_event.wait(RSS_INTERVAL)


class _Poller(threading.Thread):
    """GET /hub/api every 0.5 s through the proxy; record each answer's latency."""

    def __init__(self, hub: Hub):
        super().__init__(daemon=True)
        self.hub, self.latencies, self.failures = hub, [], 0
        self.slow: list[tuple[float, float]] = []  # (seconds into the run, latency) over 1 s
        self.stop_event = threading.Event()

    def run(self):
        import requests

        session = requests.Session()
        start = time.perf_counter()
        while not self.stop_event.is_set():
            t0 = time.perf_counter()
            try:
                ok = session.get(f"{self.hub.url}/hub/api/", timeout=10).status_code == 200
            except requests.RequestException:
                ok = False
            elapsed = time.perf_counter() - t0
            if elapsed >= RESPONSIVE_SECONDS:
                self.slow.append((t0 - start, elapsed))
            if ok:
                self.latencies.append(elapsed)
            else:
                self.failures += 1
            self.stop_event.wait(max(0.0, POLL_INTERVAL - elapsed))


def load_test(
    hub: Hub, n_learners: int, deadline_seconds: float = 1800, chapters: list[str] | None = None
) -> LoadResult:
    """Simulate ``n_learners`` logging in at once and each running a chapter on their own kernel.

    ``chapters``: the chapter of each learner (default :func:`chapters_for`).
    """
    chapters = chapters or chapters_for(n_learners)
    if len(chapters) != n_learners:
        raise ValueError(f"expected one chapter per learner ({n_learners}), got {len(chapters)}")
    learners = {
        f"learner{i + 1:02d}": Learner(f"learner{i + 1:02d}", chapter)
        for i, chapter in enumerate(chapters)
    }
    start_timeout = float(limits()["start_timeout_seconds"])
    load_before = os.getloadavg()
    sampler, poller = _Sampler(hub, learners), _Poller(hub)
    barrier = threading.Barrier(n_learners)
    errors: dict[str, BaseException] = {}

    def run(learner):
        try:
            _run_learner(hub, learner, barrier, start_timeout)
        except BaseException as error:  # recorded and reported; the other learners go on
            errors[learner.name] = error
            learner.errors.append(f"{type(error).__name__}: {error}"[:300])

    threads = [threading.Thread(target=run, args=(lr,), daemon=True) for lr in learners.values()]
    t0 = time.perf_counter()
    sampler.start()
    poller.start()
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(max(1.0, deadline_seconds - (time.perf_counter() - t0)))
        late = [lr.name for lr, th in zip(learners.values(), threads, strict=True) if th.is_alive()]
        for name in late:
            learners[name].errors.append(f"still running after {deadline_seconds:.0f} s")
    finally:
        sampler.stop_event.set()
        poller.stop_event.set()
        sampler.join(10)
        poller.join(15)
    return LoadResult(
        learners=list(learners.values()),
        hub_latencies=poller.latencies,
        hub_failures=poller.failures,
        hub_slow=poller.slow,
        peak_total_rss=sampler.peak_total_rss,
        peak_total_pss=sampler.peak_total_pss,
        peak_hub_rss=sampler.peak_hub_rss,
        seconds=time.perf_counter() - t0,
        load_before=load_before,
        load_after=os.getloadavg(),
        date=dt.date.today().isoformat(),
    )


# --- the report ---------------------------------------------------------------------------------------


def _mb(n: int) -> str:
    return f"{n / 1024**2:,.0f}"


def _s(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}"


def sizing(result: LoadResult, server_gb: float = 24, reserve_gb: float = 4) -> dict:
    """How many learners running Part III at once fit in ``server_gb``, from the measured peaks.

    Per learner: the largest peak PSS (their share of physical memory, shared libraries split
    between the processes that map them) among the Part III learners, times 1.25 for headroom;
    ``reserve_gb`` stays for the system, the hub, the proxy and the page cache.
    """
    part_iii = [lr for lr in result.learners if lr.chapter[:2] in PART_III and lr.peak_pss]
    if not part_iii:
        raise ValueError("expected at least one Part III learner with a measured memory peak")
    per_learner = max(lr.peak_pss for lr in part_iii)
    per_learner_rss = max(lr.peak_rss for lr in part_iii)
    budget = (server_gb - reserve_gb) * 1024**3
    return {
        "server_gb": server_gb,
        "reserve_gb": reserve_gb,
        "headroom": 1.25,
        "per_learner_pss": per_learner,
        "per_learner_rss": per_learner_rss,
        "learners": int(budget // (1.25 * per_learner)),
        "learners_by_rss": int(budget // (1.25 * per_learner_rss)),
    }


def markdown(result: LoadResult) -> str:
    """The Markdown section `make bench` includes into BENCHMARKS.md."""
    lim = limits()
    learners = result.learners
    kernel_times = [lr.time_to_kernel for lr in learners if lr.time_to_kernel is not None]
    chapters = sorted({lr.chapter for lr in learners}, key=CHAPTERS.index)
    failed = sum(lr.failed for lr in learners)
    latencies = sorted(result.hub_latencies)
    worst_latency = latencies[-1] if latencies else float("nan")
    size = sizing(result)
    lines = [
        "## JupyterHub: a class on one server",
        "",
        f"Written by `make test-hub` on {result.date}: the trial hub of `hub/jupyterhub_config.py` "
        f"(JupyterHub {_version('jupyterhub')}, configurable-http-proxy, SimpleLocalProcessSpawner, "
        f"the course's own environment) on {os.cpu_count()} cores and "
        f"{_total_memory_gb():.0f} GB, {_machine_state(result.load_before[0])}: 1-minute load "
        f"average {result.load_before[0]:.1f} before the run, {result.load_after[0]:.1f} after. "
        f"{len(learners)} learners log in at once through the hub's REST API, start their servers "
        "and each runs a chapter cell by cell on a kernel of their own server (REST + websocket, "
        "as JupyterLab does); memory is sampled over each learner's server and its kernel every "
        f"{RSS_INTERVAL} s (PSS every {4 * RSS_INTERVAL:g} s), the hub's API is asked every "
        f"{POLL_INTERVAL} s through the proxy. Time to a kernel: from the login to a kernel that "
        f"answered `1 + 1`. Per-learner limit in `hub/limits.json`: {lim['mem_limit']}.",
        "",
        "| learners | chapters | median / worst time to a kernel (s) | per-learner peak RSS (MB) | per-learner peak PSS (MB) | total peak PSS, all learners (MB) | hub + proxy RSS (MB) | failed cells | hub API: median / worst answer (s), failed polls | wall time (s) |",
        "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
        f"| {len(learners)} | {', '.join(c.removesuffix('.ipynb') for c in chapters)} | "
        f"{_s(statistics.median(kernel_times) if kernel_times else None)} / "
        f"{_s(max(kernel_times) if kernel_times else None)} | "
        f"{_mb(max(lr.peak_rss for lr in learners))} | {_mb(max(lr.peak_pss for lr in learners))} | "
        f"{_mb(result.peak_total_pss)} | {_mb(result.peak_hub_rss)} | {failed} | "
        f"{statistics.median(latencies) if latencies else float('nan'):.3f} / {worst_latency:.3f}, "
        f"{result.hub_failures} of {len(latencies) + result.hub_failures} | {result.seconds:.0f} |",
        "",
        "| chapter | learners | median time to a kernel (s) | median run time under load (s) | median CPU time, server and kernel (s) | peak RSS (MB) | peak PSS (MB) | failed cells |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for chapter in chapters:
        group = [lr for lr in learners if lr.chapter == chapter]
        times = [lr.time_to_kernel for lr in group if lr.time_to_kernel is not None]
        runs = [lr.run_seconds for lr in group if lr.run_seconds is not None]
        lines.append(
            f"| {chapter} | {len(group)} | {_s(statistics.median(times) if times else None)} | "
            f"{_s(statistics.median(runs) if runs else None)} | "
            f"{statistics.median(lr.cpu_seconds for lr in group):.0f} | "
            f"{_mb(max(lr.peak_rss for lr in group))} | {_mb(max(lr.peak_pss for lr in group))} | "
            f"{sum(lr.failed for lr in group)} |"
        )
    lines += [
        "",
        f"RSS counts shared libraries (torch, TensorFlow) in every process that maps them; PSS "
        f"splits them, so the PSS of all learners adds up to the memory they use together. "
        f"**Sizing:** a Part III learner peaked at {_mb(size['per_learner_pss'])} MB PSS "
        f"({_mb(size['per_learner_rss'])} MB RSS); with 25% headroom and {size['reserve_gb']} GB "
        f"kept for the system, the hub and the page cache, a {size['server_gb']} GB server holds "
        f"about **{size['learners']} learners running Part III at once** "
        f"({size['learners_by_rss']} if every learner's RSS were its own).",
    ]
    if result.hub_slow:
        at = ", ".join(f"{t:.0f}" for t, _ in result.hub_slow[:12])
        lines += [
            "",
            f"The hub's API took 1 s or more {_times(len(result.hub_slow))}, at {at} s into the run "
            f"(the last learner had a running kernel at "
            f"{_s(max(kernel_times) if kernel_times else None)} s).",
        ]
    else:
        lines += ["", "The hub's API answered every request within 1 s."]
    if any(lr.errors for lr in learners):
        lines += [
            "",
            "Errors: "
            + "; ".join(
                f"{lr.name} ({lr.chapter}): {lr.errors[0]}" for lr in learners if lr.errors
            ),
        ]
    return "\n".join(lines) + "\n"


def _machine_state(load_before: float) -> str:
    """Whether the class had the machine to itself: a load below one per core before it started."""
    return "otherwise idle" if load_before < (os.cpu_count() or 1) else "shared with other work"


def _times(n: int) -> str:
    return "once" if n == 1 else f"{n} times"


def _version(name: str) -> str:
    from importlib.metadata import version

    return version(name)


def _total_memory_gb() -> float:
    import psutil

    return psutil.virtual_memory().total / 1024**3


# --- commands -------------------------------------------------------------------------------------------


def serve(port: int | None = None, state: Path | None = None) -> int:
    """`make hub`: the trial hub on 127.0.0.1 until Ctrl-C."""
    missing = missing_requirements()
    if missing:
        print("The hub needs: " + "; ".join(missing))
        return 1
    if port is None:
        with socket.socket() as sock:
            port = 8000 if sock.connect_ex(("127.0.0.1", 8000)) != 0 else free_port()
    state = state or ROOT / "build" / "hub"
    print(
        f"starting JupyterHub (hub/jupyterhub_config.py, trial mode); its log: {state / 'hub.log'}"
    )
    with running_hub(state, port=port) as hub:
        print(
            f"\nJupyterHub, FOR TRYING ONLY, at {hub.url}/\n"
            f"  log in with any user name and the password: {TRIAL_PASSWORD}\n"
            f"  homes: {state / 'homes'}; Ctrl-C stops the hub and every server it started\n",
            flush=True,
        )
        try:
            while hub.process.poll() is None:
                time.sleep(1)
            print(f"JupyterHub stopped on its own; see {state / 'hub.log'}")
            return 1
        except KeyboardInterrupt:
            print("\nstopping JupyterHub and every server it started ...")
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    serve_cmd = commands.add_parser("serve", help="start the trial hub until Ctrl-C")
    serve_cmd.add_argument("--port", type=int, default=None, help="default: 8000 if free")
    load_cmd = commands.add_parser("loadtest", help="simulate a class; print or write the table")
    load_cmd.add_argument("--learners", type=int, default=12)
    load_cmd.add_argument("--output", type=Path, default=None, help="write the Markdown here")
    args = parser.parse_args(argv)
    if args.command == "serve":
        return serve(args.port)
    import tempfile

    missing = missing_requirements()
    if missing:
        print("The hub needs: " + "; ".join(missing))
        return 1
    with tempfile.TemporaryDirectory(prefix="course-hub-") as tmp:
        with running_hub(Path(tmp)) as hub:
            result = load_test(hub, args.learners)
    text = markdown(result)
    if args.output:
        args.output.write_text(text)
        print(f"wrote {args.output}")
    print(text)
    return 0 if all(not lr.errors for lr in result.learners) else 1


if __name__ == "__main__":
    sys.exit(main())
