"""The idle culler the one-server config runs stops a learner's server that nobody uses.

The real hub/jupyterhub_config.py with the culler's timeout shortened to 10 s (checked every 5 s)
through the environment variables the config reads for this purpose; the service, its role and
its token are the configuration's own.
"""

import os
import time
from pathlib import Path

import psutil

from tests.hub.helpers import require_hub
from tools import hub as course_hub


def test_the_idle_culler_stops_an_idle_server(tmp_path):
    require_hub()
    env = {"COURSE_HUB_SERVER_CULL_SECONDS": "10", "COURSE_HUB_CULL_EVERY_SECONDS": "5"}
    with course_hub.running_hub(tmp_path, env=env) as hub:
        token = course_hub.log_in(hub, "idle")
        course_hub.start_server(hub, "idle", token, timeout=300)
        server = hub.servers()["idle"]
        # the hub's session runs at a higher CPU priority than the learners' (root only)
        autogroup = Path(f"/proc/{hub.process.pid}/autogroup")
        if os.geteuid() == 0 and autogroup.exists():
            assert "nice -10" in autogroup.read_text()
            assert "nice -10" not in Path(f"/proc/{server.pid}/autogroup").read_text()
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if not hub.api("GET", "/users/idle").json()["servers"]:
                break
            time.sleep(1)
        assert not hub.api("GET", "/users/idle").json()["servers"], "the idle server was not culled"
        server.wait(timeout=60)
        assert not psutil.pid_exists(server.pid) or server.status() == psutil.STATUS_ZOMBIE
        log = (tmp_path / "hub.log").read_text()
        assert "Culling server idle" in log, "the server stopped, but not by the culler"
