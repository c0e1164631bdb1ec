"""The two hub configurations agree with each other and with what BENCHMARKS.md measured.

hub/limits.json holds the numbers; hub/jupyterhub_config.py (one server) reads it, hub/config.yaml
(Zero to JupyterHub) repeats it. These tests load the one-server config the way JupyterHub does
(traitlets' Python config loader) in both modes, parse the chart values as YAML, and check the
memory figures against BENCHMARKS.md's notebook table.
"""

import json
import re
import statistics
import tomllib
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from traitlets.config.loader import PyFileConfigLoader

from tools import hub
from tools.notebooks import ROOT

HUB = ROOT / "hub"
LIMITS = hub.limits()
BENCH_ROW = re.compile(r"^\| (\d\d)_\w+\.ipynb \| [\d.]+ \| ([\d,]+) \|")
# the keys of the Zero to JupyterHub chart this file may use (all in the chart's values.schema.yaml)
CHART_KEYS = {
    "singleuser.image.name",
    "singleuser.image.tag",
    "singleuser.memory.limit",
    "singleuser.memory.guarantee",
    "singleuser.cpu.limit",
    "singleuser.cpu.guarantee",
    "singleuser.startTimeout",
    "singleuser.defaultUrl",
    "singleuser.extraEnv",
    "singleuser.extraFiles",
    "cull.enabled",
    "cull.timeout",
    "cull.every",
    "hub.config",
}


def one_server_config(monkeypatch, tmp_path, **env):
    """hub/jupyterhub_config.py loaded as JupyterHub loads it, with these environment variables."""
    names = ["MODE", "REPO", "BRANCH", "WELCOME", "ADMIN_TOKEN"]
    for name in [*(f"COURSE_HUB_{n}" for n in names), "COURSE_MNIST"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COURSE_HUB_STATE", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return PyFileConfigLoader("jupyterhub_config.py", path=str(HUB)).load_config()


def chart_values() -> dict:
    return yaml.safe_load((HUB / "config.yaml").read_text())


def key_paths(node: dict, prefix: str = "") -> set[str]:
    paths = set()
    for key, value in node.items():
        path = f"{prefix}{key}"
        if path in CHART_KEYS or not isinstance(value, dict):
            paths.add(path)
        else:
            paths |= key_paths(value, path + ".")
    return paths


def benchmark_kernel_peaks() -> dict[str, int]:
    """{chapter number: peak kernel MB} from BENCHMARKS.md's notebook table."""
    peaks = {}
    for line in (ROOT / "BENCHMARKS.md").read_text().splitlines():
        match = BENCH_ROW.match(line)
        if match:
            peaks[match.group(1)] = int(match.group(2).replace(",", ""))
    assert len(peaks) >= 20, "BENCHMARKS.md has no notebook table with peak kernel memory"
    return peaks


def test_trial_mode_is_for_trying_only_and_uses_the_limits(monkeypatch, tmp_path):
    config = one_server_config(monkeypatch, tmp_path)
    source = (HUB / "jupyterhub_config.py").read_text()
    assert "FOR TRYING ONLY" in source
    assert config.JupyterHub.authenticator_class == "shared-password"
    assert config.JupyterHub.spawner_class == "simple"
    assert config.JupyterHub.bind_url.startswith("http://127.0.0.1:")
    assert config.JupyterHub.hub_bind_url.startswith("http://127.0.0.1:")
    assert config.ConfigurableHTTPProxy.api_url.startswith("http://127.0.0.1:")
    assert config.Spawner.notebook_dir.startswith(str(tmp_path))
    assert hub.byte_size(config.Spawner.mem_limit) == hub.byte_size(LIMITS["mem_limit"])
    assert hub.byte_size(config.Spawner.mem_guarantee) == hub.byte_size(LIMITS["mem_guarantee"])
    assert config.Spawner.cpu_limit == LIMITS["cpu_limit"]
    assert config.Spawner.cpu_guarantee == LIMITS["cpu_guarantee"]
    assert f"--MappingKernelManager.cull_idle_timeout={LIMITS['kernel_cull_idle_seconds']}" in (
        config.Spawner.args
    )
    culler = next(s for s in config.JupyterHub.services if s["name"] == "idle-culler")
    assert f"--timeout={LIMITS['server_cull_idle_seconds']}" in culler["command"]
    assert f"--cull-every={LIMITS['cull_every_seconds']}" in culler["command"]
    # the default URL pulls this repository's commits, then opens the welcome notebook
    query = parse_qs(urlsplit(config.Spawner.default_url).query)
    assert urlsplit(config.Spawner.default_url).path == "/git-pull"
    assert query["repo"] == [f"file://{ROOT}"]
    assert query["urlpath"] == [f"lab/tree/course/{LIMITS['welcome_notebook']}"]
    assert (ROOT / LIMITS["welcome_notebook"]).exists()


def test_class_mode_needs_a_repository_then_enforces_limits_with_systemd(monkeypatch, tmp_path):
    with pytest.raises(ValueError, match="COURSE_HUB_REPO"):
        one_server_config(monkeypatch, tmp_path, COURSE_HUB_MODE="class")
    with pytest.raises(ValueError, match="COURSE_HUB_MODE"):
        one_server_config(monkeypatch, tmp_path, COURSE_HUB_MODE="classroom")
    repo = "https://github.com/OWNER/REPO"
    config = one_server_config(monkeypatch, tmp_path, COURSE_HUB_MODE="class", COURSE_HUB_REPO=repo)
    assert config.JupyterHub.spawner_class == "systemdspawner.SystemdSpawner"
    assert "authenticator_class" not in config.JupyterHub  # JupyterHub's default: PAM accounts
    assert "--allow-root" not in config.Spawner.args
    assert parse_qs(urlsplit(config.Spawner.default_url).query)["repo"] == [repo]
    assert hub.byte_size(config.Spawner.mem_limit) == hub.byte_size(LIMITS["mem_limit"])
    # the student copies, published as a repository of their own, on a branch of their own
    config = one_server_config(
        monkeypatch,
        tmp_path,
        COURSE_HUB_MODE="class",
        COURSE_HUB_REPO=repo,
        COURSE_HUB_BRANCH="student",
        COURSE_HUB_WELCOME="00_welcome.ipynb",
    )
    query = parse_qs(urlsplit(config.Spawner.default_url).query)
    assert query["branch"] == ["student"]
    assert query["urlpath"] == ["lab/tree/course/00_welcome.ipynb"]


def test_the_chart_values_use_standard_keys_and_the_same_numbers(monkeypatch, tmp_path):
    values = chart_values()
    unknown = key_paths(values) - CHART_KEYS
    assert not unknown, f"not keys of the Zero to JupyterHub chart: {sorted(unknown)}"
    single = values["singleuser"]
    assert hub.byte_size(single["memory"]["limit"]) == hub.byte_size(LIMITS["mem_limit"])
    assert hub.byte_size(single["memory"]["guarantee"]) == hub.byte_size(LIMITS["mem_guarantee"])
    assert single["cpu"] == {"limit": LIMITS["cpu_limit"], "guarantee": LIMITS["cpu_guarantee"]}
    assert single["startTimeout"] == LIMITS["start_timeout_seconds"]
    assert values["cull"] == {
        "enabled": True,
        "timeout": LIMITS["server_cull_idle_seconds"],
        "every": LIMITS["cull_every_seconds"],
    }
    server_config = single["extraFiles"]["jupyter-server-config"]
    assert server_config["mountPath"] == "/etc/jupyter/jupyter_server_config.json"
    kernels = server_config["data"]["MappingKernelManager"]
    assert kernels["cull_idle_timeout"] == LIMITS["kernel_cull_idle_seconds"]
    assert server_config["data"]["LabApp"]["extension_manager"] == "readonly"
    # the same environment and the same nbgitpuller link as the one-server hub, but for GitHub
    config = one_server_config(monkeypatch, tmp_path)
    for name, value in config.Spawner.environment.items():
        if name != "COURSE_HUB_STATE":
            assert single["extraEnv"][name] == value, name
    ours = parse_qs(urlsplit(config.Spawner.default_url).query)
    theirs = parse_qs(urlsplit(single["defaultUrl"]).query)
    assert urlsplit(single["defaultUrl"]).path == "/git-pull"
    assert {k: v for k, v in theirs.items() if k != "repo"} == {
        k: v for k, v in ours.items() if k != "repo"
    }
    assert theirs["repo"] == ["https://github.com/OWNER/REPO"]


def test_the_image_repo2docker_builds_has_the_hub_extra_at_the_locked_versions():
    """repo2docker builds the Z2JH image from environment.yml: it must hold the hub extra
    (jupyterhub-singleuser, nbgitpuller) at the versions of requirements.lock."""
    extra = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    names = {re.match(r"[\w.-]+", requirement).group(0).lower() for requirement in extra["hub"]}
    assert {"jupyterhub", "jupyterhub-idle-culler", "nbgitpuller"} <= names
    pin = re.compile(r"^\s*(?:- )?([\w.-]+)==([\w.+]+)", flags=re.M)
    lock = dict(pin.findall((ROOT / "requirements.lock").read_text()))
    image = dict(pin.findall((ROOT / "environment.yml").read_text()))
    for name in names:
        assert name in lock, f"{name} is not in requirements.lock"
        assert image.get(name) == lock[name], f"environment.yml: {name}=={image.get(name)}"
    assert "environment.yml" in (HUB / "config.yaml").read_text()


def test_the_proxy_is_pinned_in_the_lock_file():
    package = json.loads((HUB / "package.json").read_text())
    lock = json.loads((HUB / "package-lock.json").read_text())
    version = package["dependencies"]["configurable-http-proxy"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), "pin configurable-http-proxy exactly"
    assert lock["packages"]["node_modules/configurable-http-proxy"]["version"] == version
    assert "hub/node_modules/" in (ROOT / ".gitignore").read_text().splitlines()


def test_memory_figures_cover_what_benchmarks_measured():
    peaks = benchmark_kernel_peaks()
    mb = 1024**2
    part_iii = [peak for chapter, peak in peaks.items() if 9 <= int(chapter) <= 19]
    assert hub.byte_size(LIMITS["mem_limit"]) >= max(peaks.values()) * mb, (
        "mem_limit is below the largest kernel peak in BENCHMARKS.md"
    )
    assert hub.byte_size(LIMITS["mem_guarantee"]) >= statistics.median(part_iii) * mb, (
        "mem_guarantee is below the median Part III kernel peak in BENCHMARKS.md"
    )
    load = ROOT / "benchmarks" / "hub_load.md"
    if load.exists():  # the full class run: every learner's server and kernel under the limit
        text = load.read_text()
        row = next(line for line in text.splitlines() if re.match(r"^\| \d+ \| ", line))
        per_learner_rss = int(row.split("|")[4].replace(",", ""))
        assert per_learner_rss * mb < hub.byte_size(LIMITS["mem_limit"])


def test_the_guide_quotes_the_measured_figures():
    """The instructor guide's memory figures and class size are the ones BENCHMARKS.md holds."""
    guide = " ".join((ROOT / "docs" / "instructor-guide.md").read_text().split())
    peaks = benchmark_kernel_peaks()
    part_iii = [peak for chapter, peak in peaks.items() if 9 <= int(chapter) <= 19]
    assert (
        f"the largest kernel in `BENCHMARKS.md` peaks at {max(peaks.values()):,} MB and the "
        f"median Part III kernel at {statistics.median(part_iii):,.0f} MB"
    ) in guide
    load = ROOT / "benchmarks" / "hub_load.md"
    assert load.exists(), "the full class run (make test-hub) writes benchmarks/hub_load.md"
    report = " ".join(load.read_text().split())
    assert report in " ".join((ROOT / "BENCHMARKS.md").read_text().split()), (
        "BENCHMARKS.md holds an older class run than benchmarks/hub_load.md"
    )
    learners = re.search(r"server holds about \*\*(\d+) learners running Part III", report)[1]
    pss, rss = re.search(
        r"Part III learner peaked at ([\d,]+) MB PSS \(([\d,]+) MB RSS\)", report
    ).groups()
    row = next(
        line for line in report.split(" | ") if "/" in line and re.fullmatch(r"[\d. /]+", line)
    )
    median, worst = row.split(" / ")
    assert f"holds about {learners} learners running Part III at once" in guide
    assert f"up to about {learners} learners at once" in guide
    assert f"peaked at {pss} MB of their share of memory (PSS; {rss} MB" in guide
    assert f"a median of {median} s (worst {worst} s)" in guide


def test_byte_size_reads_jupyterhub_and_kubernetes_sizes():
    assert hub.byte_size("2G") == 2 * 1024**3
    assert hub.byte_size("1Gi") == 1024**3
    assert hub.byte_size("512M") == 512 * 1024**2
    assert hub.byte_size(123) == 123
    with pytest.raises(ValueError, match="expected a size"):
        hub.byte_size("two gigs")


def test_loading_the_config_leaves_the_callers_cpu_priority_alone(monkeypatch, tmp_path):
    """Only a running hub raises its session's priority, not a script that loads the file."""
    autogroup = Path("/proc/self/autogroup")
    if not autogroup.exists():
        pytest.skip("this kernel has no autogroups")
    before = autogroup.read_text()
    one_server_config(monkeypatch, tmp_path)
    assert autogroup.read_text() == before
