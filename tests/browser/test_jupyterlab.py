"""JupyterLab in a real browser: the neuron playground of 01_the_neuron renders and reacts.

Starts JupyterLab on a free local port with a token, opens a copy of the notebook in headless
Chromium (Debian's `chromium`, driven by Playwright), runs every cell, checks that every cell ran
without an error, that the playground's sliders render, and that moving a slider changes the
picture and the printed numbers. A screenshot goes to test-output/browser/. The server is shut
down whatever happens. Without /usr/bin/chromium the test skips (and fails when CI is set).
"""

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import nbformat

from tests.browser.chromium import CHROMIUM, CHROMIUM_ARGS, free_port, http_status, require_chromium

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = ROOT / "notebooks" / "01_the_neuron.ipynb"
OUTPUT = ROOT / "test-output" / "browser"
# JupyterLab user settings for a quiet, reproducible session: no news or update checks, no
# extension manager (it would query PyPI), no autosave, every cell in the DOM (no windowing),
# and the notebook's own kernel started without a "Select Kernel" dialog.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/extensionmanager-extension/plugin": {"enabled": False},
    "@jupyterlab/docmanager-extension/plugin": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker": {
        "windowingMode": "none",
        "autoStartDefaultKernel": True,
    },
}
RUN_TIMEOUT_MS = 600_000


@contextmanager
def jupyter_lab(root_dir: Path, state_dir: Path):
    """Run JupyterLab on root_dir; yield (base_url, token); always shut it and its kernels down."""
    port, token = free_port(), secrets.token_hex(16)
    for name, values in LAB_SETTINGS.items():
        path = state_dir / "settings" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(state_dir / "config"),
        "JUPYTER_DATA_DIR": str(state_dir / "data"),
        "JUPYTER_RUNTIME_DIR": str(state_dir / "runtime"),
        "COURSE_MNIST": os.environ.get("COURSE_MNIST", "subset"),
    }
    command = [
        sys.executable, "-m", "jupyterlab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root_dir}",
        f"--LabApp.user_settings_dir={state_dir / 'settings'}",
        f"--LabApp.workspaces_dir={state_dir / 'workspaces'}",
        "--LabApp.extension_manager=readonly",  # never ask PyPI about extensions
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")  # CI containers run as root
    log = open(state_dir / "jupyter.log", "w")
    server = subprocess.Popen(
        command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while http_status(f"{base}/api/status?token={token}") != 200:
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"JupyterLab did not start; see {state_dir / 'jupyter.log'}")
            time.sleep(0.5)
        yield base, token
    finally:
        # ask the server to stop its kernels and itself, then make sure of it
        try:
            request = urllib.request.Request(
                f"{base}/api/shutdown", method="POST", headers={"Authorization": f"token {token}"}
            )
            urllib.request.urlopen(request, timeout=10).close()
        except OSError:
            pass
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        log.close()


def _menu(page, menu: str, item: str) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(rf"^{re.escape(menu)}$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(rf"^{re.escape(item)}$")).click()


PROMPTS_JS = """() => Array.from(document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell'))
    .map(cell => (cell.querySelector('.jp-InputPrompt') || {}).textContent || '')"""

IMAGE_DIGEST_JS = """async (img) => {
    const bytes = new Uint8Array(await (await fetch(img.src)).arrayBuffer());
    let h = 2166136261;
    for (const b of bytes) { h = Math.imul(h ^ b, 16777619) >>> 0; }
    return bytes.length + ':' + h;
}"""


def run_all_cells(page, base: str, token: str, notebook: str) -> list[str]:
    """Open notebook (a path under the server root), clear outputs, run all; return the prompts."""
    page.goto(f"{base}/lab/tree/{notebook}?token={token}")
    page.locator(".jp-NotebookPanel .jp-CodeCell").first.wait_for(timeout=120_000)
    page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(timeout=120_000)
    page.wait_for_timeout(1000)
    dialog = page.locator(".jp-Dialog .jp-mod-accept")
    if dialog.count():  # a kernel dialog despite autoStartDefaultKernel: take the notebook's kernel
        dialog.first.click()
        page.locator(".jp-Notebook-ExecutionIndicator[data-status='idle']").wait_for(
            timeout=120_000
        )
    _menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function(f"({PROMPTS_JS})().every(p => !/\\d/.test(p))", timeout=30_000)
    _menu(page, "Run", "Run All Cells")
    # queued cells show [*]; the run is over when none does and the first cell has its number
    page.wait_for_function(
        f"(() => {{ const p = ({PROMPTS_JS})(); return p.length > 0 && /\\d/.test(p[0]) && !p.some(x => x.includes('*')); }})()",
        timeout=RUN_TIMEOUT_MS,
        polling=500,
    )
    return page.evaluate(PROMPTS_JS)


def playground_snapshot(page, output) -> dict:
    """What the playground shows: slider readouts, the status line, and a digest of the image."""
    return {
        "readouts": output.locator(".widget-slider .widget-readout").all_inner_texts(),
        "status": " ".join(output.locator(".widget-html").all_inner_texts()),
        "image": output.locator("img").first.evaluate(IMAGE_DIGEST_JS),
    }


def save_from_browser(page, path: Path):
    """Save the notebook from JupyterLab (Ctrl+S) and read back what the browser session recorded."""
    before = path.stat().st_mtime_ns
    page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").first.click(
        position={"x": 5, "y": 5}
    )
    page.keyboard.press("Control+s")
    deadline = time.monotonic() + 30
    while path.stat().st_mtime_ns == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert path.stat().st_mtime_ns != before, "the notebook was not saved from JupyterLab"
    time.sleep(0.5)
    return nbformat.read(path, as_version=4)


def test_neuron_playground_runs_and_reacts_in_jupyterlab(tmp_path):
    require_chromium()
    from playwright.sync_api import sync_playwright

    assert NOTEBOOK.exists(), f"{NOTEBOOK.name} is missing"
    # work on a copy: nothing the browser does can touch the committed notebook
    served = tmp_path / "root"
    (served / "notebooks").mkdir(parents=True)
    copy = served / "notebooks" / NOTEBOOK.name
    shutil.copy(NOTEBOOK, copy)
    OUTPUT.mkdir(parents=True, exist_ok=True)
    console_errors = []

    with jupyter_lab(served, tmp_path / "lab") as (base, token), sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("pageerror", lambda error: console_errors.append(str(error)))
            prompts = run_all_cells(page, base, token, f"notebooks/{NOTEBOOK.name}")
            # collapsed (solution) cells show no prompt; the saved notebook below has every count
            not_run = [
                i
                for i, prompt in enumerate(prompts)
                if prompt and not re.search(r"\[\d+\]", prompt)
            ]
            assert not not_run, (
                f"code cells {not_run} did not run (an earlier cell failed?): {prompts}"
            )

            sliders = page.locator(".jp-OutputArea-output .widget-slider")
            sliders.first.wait_for(
                timeout=60_000
            )  # widgets render a moment after their cell finished
            assert sliders.count() >= 3, (
                f"the playground should show sliders for w1, w2 and b, found {sliders.count()}"
            )
            output = page.locator(".jp-OutputArea-output", has=page.locator(".widget-slider")).first
            output.scroll_into_view_if_needed()
            image = output.locator("img").first
            image.wait_for(state="visible", timeout=30_000)
            assert image.evaluate("img => img.naturalWidth") > 100, (
                "the playground's picture did not render"
            )
            before = playground_snapshot(page, output)
            page.screenshot(path=str(OUTPUT / "01_the_neuron_playground_before.png"))

            # move the first slider (w1) ten steps to the right with the keyboard
            handle = sliders.first.locator(".noUi-handle").first
            handle.focus()
            for _ in range(10):
                handle.press("ArrowRight")
            # the kernel redraws on each step: wait until the numbers and the picture have settled
            deadline, after = time.monotonic() + 90, before
            while time.monotonic() < deadline:
                time.sleep(1.0)
                previous, after = after, playground_snapshot(page, output)
                if all(after[k] != before[k] for k in before) and after == previous:
                    break
            output.scroll_into_view_if_needed()
            page.screenshot(path=str(OUTPUT / "01_the_neuron_playground.png"))

            assert after["readouts"][0] != before["readouts"][0], (
                f"the w1 slider did not move: {before['readouts']} -> {after['readouts']}"
            )
            assert after["status"] != before["status"], (
                "the printed numbers did not change when w1 moved"
            )
            assert after["image"] != before["image"], "the picture did not change when w1 moved"
            nb = save_from_browser(page, copy)
            code = [cell for cell in nb.cells if cell.cell_type == "code" and cell.source.strip()]
            counts = [cell.execution_count for cell in code]
            assert counts == list(range(1, len(code) + 1)), (
                f"not every cell ran, in order: {counts}"
            )
            errors = [
                f"{o.get('ename')}: {o.get('evalue')} in {c.source[:60]!r}"
                for c in code
                for o in c.outputs
                if o.output_type == "error"
            ]
            assert not errors, f"cells ended with errors: {errors}"
        finally:
            browser.close()
    assert not console_errors, f"JavaScript errors in JupyterLab: {console_errors}"
