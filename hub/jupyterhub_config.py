# JupyterHub for the course on ONE server: `jupyterhub -f hub/jupyterhub_config.py`.
#
# Two modes, chosen by COURSE_HUB_MODE:
#   trial (the default; what `make hub` and tests/hub run) - FOR TRYING ONLY: a shared trial
#         password lets anyone in under any name, every learner's server runs as the user who
#         started the hub with a home folder under COURSE_HUB_STATE, and it listens on 127.0.0.1.
#         Nothing is isolated and the memory limit below is not enforced (LocalProcessSpawner
#         only announces it as MEM_LIMIT); never open it to a network.
#   class - a real class on a Linux server with systemd: the machine's accounts log in (PAM,
#         JupyterHub's default; swap in your institution's authenticator), and each learner's
#         server runs as that account under systemd, which enforces the memory and CPU limits
#         (`pip install jupyterhub-systemdspawner`). It listens on every interface: put HTTPS in
#         front of it. Set COURSE_HUB_REPO to the repository your learners pull.
#
# Both modes share everything else: the course environment (the Python this hub runs with) as
# the single-user environment, JupyterLab opening on the welcome notebook after nbgitpuller has
# pulled the course into the learner's home, per-learner memory and CPU limits, the idle culler.
# The numbers live in hub/limits.json, which hub/config.yaml (Zero to JupyterHub) repeats.
#
# Environment variables (all optional except COURSE_HUB_REPO in class mode):
#   COURSE_HUB_MODE      trial | class
#   COURSE_HUB_STATE     folder for the hub's database, cookie secret and (trial) homes; build/hub
#   COURSE_HUB_IP, COURSE_HUB_PORT   where the hub listens (trial: 127.0.0.1, class: all; 8000)
#   COURSE_HUB_REPO      git URL nbgitpuller pulls (trial: this repository's committed HEAD)
#   COURSE_HUB_BRANCH, COURSE_HUB_WELCOME  its branch (main) and the notebook JupyterLab opens, a
#                        path in that repository (notebooks/00_welcome.ipynb; the student copies
#                        of build/student/ published as a repository of their own: 00_welcome.ipynb)
#   COURSE_HUB_PASSWORD  the trial password (trial mode only; default "try-the-course")
#   COURSE_HUB_ADMIN_TOKEN  registers a "course-admin" service with this API token (scripts, tests)
#   COURSE_HUB_SERVER_CULL_SECONDS, COURSE_HUB_CULL_EVERY_SECONDS  override the culler's numbers
#                        (the tests shorten them to watch the culler work)
import json
import os
import shutil
import socket
import sys
from pathlib import Path
from urllib.parse import urlencode

from jupyterhub.app import JupyterHub

c = get_config()  # noqa: F821 (JupyterHub provides get_config when it loads this file)

HUB = Path(__file__).resolve().parent
ROOT = HUB.parent
LIMITS = json.loads((HUB / "limits.json").read_text())
MODE = os.environ.get("COURSE_HUB_MODE", "trial")
if MODE not in {"trial", "class"}:
    raise ValueError(f"COURSE_HUB_MODE must be 'trial' or 'class', not {MODE!r}")
TRIAL = MODE == "trial"
STATE = Path(os.environ.get("COURSE_HUB_STATE", ROOT / "build" / "hub")).resolve()
STATE.mkdir(parents=True, exist_ok=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- where the hub listens; its state ------------------------------------------------------------
ip = os.environ.get("COURSE_HUB_IP", "127.0.0.1" if TRIAL else "")
c.JupyterHub.bind_url = f"http://{ip}:{int(os.environ.get('COURSE_HUB_PORT', 8000))}"
if TRIAL:  # the hub's own API and the proxy's API on free loopback ports, so trials never clash
    c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{_free_port()}"
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{_free_port()}"
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
# configurable-http-proxy from the npm registry, pinned in hub/package-lock.json (`make hub`
# installs it into hub/node_modules); otherwise whatever is on PATH
proxy = HUB / "node_modules" / ".bin" / "configurable-http-proxy"
proxy = str(proxy) if proxy.exists() else "configurable-http-proxy"

# CPU priority for the hub and its proxy. Linux shares the CPUs equally between sessions
# ("autogroups": the hub, the proxy, every learner's server and every kernel is one), whatever
# their nice values, so a class that saturates the cores starves the hub: the load test measured
# answers of 3-4 s from the hub's API with 12 learners on 2 busy cores, and under 1 s once the
# hub's and the proxy's sessions had priority (nice -10; needs root, skipped otherwise).
SESSION_PRIORITY = -10


def _raise_session_priority(pid="self"):
    try:
        Path(f"/proc/{pid}/autogroup").write_text(str(SESSION_PRIORITY))
    except OSError:
        pass  # not root, or a kernel without autogroups: nice values then do the job


# only in the hub itself: a script or a test that merely loads this file keeps its own priority
if JupyterHub.initialized():
    _raise_session_priority()
# the proxy starts in a session of its own: it raises that session's priority, then becomes the proxy
c.ConfigurableHTTPProxy.command = [
    "/bin/sh",
    "-c",
    f'echo {SESSION_PRIORITY} > /proc/self/autogroup 2>/dev/null; exec "$0" "$@"',
    proxy,
]

# --- who logs in, how servers start ---------------------------------------------------------------
if TRIAL:
    # FOR TRYING ONLY: one shared password, any user name (SharedPasswordAuthenticator is meant for
    # short-lived deployments with nothing to protect), servers as the current user, no isolation.
    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = os.environ.get(
        "COURSE_HUB_PASSWORD", "try-the-course"
    )
    c.Authenticator.allow_all = True
    c.JupyterHub.spawner_class = "simple"  # SimpleLocalProcessSpawner: "only use this for testing"
    c.SimpleLocalProcessSpawner.home_dir_template = str(STATE / "homes" / "{username}")
    c.Spawner.notebook_dir = str(STATE / "homes" / "{username}")
else:
    # every account of this machine may log in; narrow it with c.Authenticator.allowed_users (or
    # PAMAuthenticator.allowed_groups), or replace PAM with OAuthenticator / LTI for your campus
    c.Authenticator.allow_all = True
    admins = os.environ.get("COURSE_HUB_ADMINS", "")
    c.Authenticator.admin_users = {name for name in admins.split(",") if name}
    c.JupyterHub.spawner_class = "systemdspawner.SystemdSpawner"  # enforces mem_limit, cpu_limit
    c.SystemdSpawner.isolate_tmp = True

# --- the single-user environment: the course's own -------------------------------------------------
# jupyterhub-singleuser from the environment this hub runs in (the course's .venv for `make hub`),
# at nice 10, so that a class saturating the CPUs leaves the hub and the proxy responsive.
singleuser = Path(sys.executable).with_name("jupyterhub-singleuser")
c.Spawner.cmd = [shutil.which("nice") or "nice", "-n", "10", str(singleuser)]
c.Spawner.ip = "127.0.0.1"
c.Spawner.args = [
    # learners cannot install extensions into the shared environment from JupyterLab
    "--LabApp.extension_manager=readonly",
    # a kernel idle for 20 minutes is shut down: a learner who moved on to the next chapter
    # leaves a kernel that holds up to 1,050 MB (the largest kernel peak in BENCHMARKS.md);
    # 20 minutes is well inside one 90-minute meeting of the lesson plan
    f"--MappingKernelManager.cull_idle_timeout={LIMITS['kernel_cull_idle_seconds']}",
    "--MappingKernelManager.cull_interval=60",
]
if TRIAL and hasattr(os, "geteuid") and os.geteuid() == 0:
    c.Spawner.args.append("--allow-root")  # trial servers run as root in containers and CI
c.Spawner.environment = {
    # one BLAS/OpenMP thread per CPU the limit gives (cpu_limit below), so learners do not
    # oversubscribe the cores they share
    "OMP_NUM_THREADS": str(int(LIMITS["cpu_limit"])),
    # idle OpenMP threads sleep instead of spinning: on a busy shared machine spinning threads
    # made one PyTorch epoch of chapter 08 take minutes instead of 3 s
    "OMP_WAIT_POLICY": "PASSIVE",
    "TF_CPP_MIN_LOG_LEVEL": "3",
}
if os.environ.get("COURSE_MNIST"):  # e.g. COURSE_MNIST=offline on a server without a network
    c.Spawner.environment["COURSE_MNIST"] = os.environ["COURSE_MNIST"]
if TRIAL:  # lets the tests find (and always stop) every process this trial hub started
    c.Spawner.environment["COURSE_HUB_STATE"] = str(STATE)

# JupyterLab on the welcome notebook, after nbgitpuller has cloned the course into ~/course (first
# visit) or merged its new commits into the learner's copy (later visits, keeping their edits).
# Hand out further links of the same form: /hub/user-redirect/git-pull?repo=...&urlpath=...
REPO = os.environ.get("COURSE_HUB_REPO") or (f"file://{ROOT}" if TRIAL else "")
if not REPO:
    raise ValueError(
        "class mode needs COURSE_HUB_REPO: the git URL of the course (or of its student copies), "
        "e.g. COURSE_HUB_REPO=https://github.com/OWNER/REPO"
    )
folder = LIMITS["course_folder"]
welcome = os.environ.get("COURSE_HUB_WELCOME", LIMITS["welcome_notebook"])
c.Spawner.default_url = "/git-pull?" + urlencode(
    {
        "repo": REPO,
        "branch": os.environ.get("COURSE_HUB_BRANCH", LIMITS["branch"]),
        "targetpath": folder,
        "urlpath": f"lab/tree/{folder}/{welcome}",
    }
)

# --- memory and CPU per learner (hub/limits.json; Zero to JupyterHub's config.yaml repeats them) ---
# mem_limit 2G: the largest kernel in BENCHMARKS.md peaks at 1,050 MB (15_shapley_and_shap), the
#   learner's Jupyter server adds about 130 MB (the RSS of jupyterhub-singleuser while the class
#   load test ran), and a second small kernel (Part I: 109-458 MB) still fits; Binder's 2 GB too.
# mem_guarantee 1G: the median Part III kernel peak in BENCHMARKS.md (800 MB) plus the server.
# cpu_limit 1, cpu_guarantee 0.5: every chapter runs in under 25 s on one core (BENCHMARKS.md);
#   the load test measured how much slower it gets when learners share the cores.
c.Spawner.mem_limit = LIMITS["mem_limit"]
c.Spawner.mem_guarantee = LIMITS["mem_guarantee"]
c.Spawner.cpu_limit = float(LIMITS["cpu_limit"])
c.Spawner.cpu_guarantee = float(LIMITS["cpu_guarantee"])
# a busy server may need a while to start a learner's Jupyter server (Z2JH's default is 300 s too)
c.Spawner.start_timeout = LIMITS["start_timeout_seconds"]
c.Spawner.http_timeout = LIMITS["start_timeout_seconds"]

# --- idle culling (jupyterhub-idle-culler) -----------------------------------------------------------
# a server idle for an hour is stopped (its files stay): longer than a break in a 90-minute meeting,
# short enough that learners who left do not hold memory; checked every 5 minutes
cull_timeout = int(
    os.environ.get("COURSE_HUB_SERVER_CULL_SECONDS", LIMITS["server_cull_idle_seconds"])
)
cull_every = int(os.environ.get("COURSE_HUB_CULL_EVERY_SECONDS", LIMITS["cull_every_seconds"]))
c.JupyterHub.services = [
    {
        "name": "idle-culler",
        "command": [
            sys.executable,
            "-m",
            "jupyterhub_idle_culler",
            f"--timeout={cull_timeout}",
            f"--cull-every={cull_every}",
        ],
    }
]
c.JupyterHub.load_roles = [
    {
        "name": "idle-culler",
        "scopes": ["list:users", "read:users:activity", "read:servers", "delete:servers"],
        "services": ["idle-culler"],
    }
]
if os.environ.get("COURSE_HUB_ADMIN_TOKEN"):  # for scripts: tools/hub.py and the load test
    c.JupyterHub.services.append(
        {"name": "course-admin", "api_token": os.environ["COURSE_HUB_ADMIN_TOKEN"]}
    )
    c.JupyterHub.load_roles.append(
        {
            "name": "course-admin",
            "scopes": ["admin:users", "admin:servers", "tokens", "list:users"],
            "services": ["course-admin"],
        }
    )
