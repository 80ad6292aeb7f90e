"""`make app`: the explorers notebook as a standalone Voila app, driven in the browser like a workshop audience."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]


def test_make_app_runs_voila_on_the_explorers():
    """The Makefile's app target runs Voila on notebooks/explorers.ipynb (a dry run: nothing starts)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    dry = subprocess.run(["make", "-n", "app", "APP_ARGS=--no-browser"], cwd=REPO, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    line = next((ln for ln in dry.stdout.splitlines() if "voila" in ln), "")
    assert "notebooks/explorers.ipynb" in line and "--no-browser" in line, dry.stdout


def test_app_shows_every_explorer():
    """notebooks/explorers.ipynb calls every public function of acts.widgets (no browser needed)."""
    import inspect

    import nbformat

    import acts.widgets

    names = [n for n, f in inspect.getmembers(acts.widgets, inspect.isfunction)
             if not n.startswith("_") and f.__module__.startswith("acts")]
    source = "\n".join(c.source for c in nbformat.read(REPO / "notebooks" / "explorers.ipynb", as_version=4).cells
                       if c.cell_type == "code")
    missing = [n for n in names if f"acts.widgets.{n}(" not in source]
    assert not missing, f"notebooks/explorers.ipynb (the `make app` page) does not show: {', '.join(missing)}"


LOCAL_HOSTS = ("127.0.0.1", "localhost")


def test_voila_app_works_offline_and_slider_moves_the_plot(voila_server, browser, drive_slider, shoot):
    """The app as a room without internet sees it: every request that leaves this machine is blocked, and yet no
    request fails, the console shows no error, and a slider moves its plot. Closing the page ends its kernel."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    outside, failed, console_errors, kernels = [], [], [], []

    def block_outside(route):
        if urlsplit(route.request.url).hostname in LOCAL_HOSTS:
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", block_outside)
    try:
        page = context.new_page()
        page.set_default_timeout(90_000)
        page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
        page.on("console", lambda m: console_errors.append(m.text[:500]) if m.type == "error" else None)
        page.on("websocket", lambda ws: kernels.extend(re.findall(r"/api/kernels/([0-9a-f-]{36})", ws.url)))
        page.goto(voila_server.url, wait_until="domcontentloaded")
        # Voila runs the whole notebook in a fresh kernel, then shows its outputs without the code
        page.locator("img.widget-image").first.wait_for(state="visible", timeout=120_000)
        shoot(page, "voila-1-app")
        code = [e for e in page.locator(".jp-InputArea-editor, .cm-editor").all() if e.is_visible()]
        assert not code, "the app shows code cells"
        errors = page.locator('[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()
        assert not errors, f"the app shows an error:\n{errors[0][:1500]}"
        images = page.locator("img.widget-image").count()
        assert images >= 2, f"the app shows {images} explorer plot(s)"
        first = page.locator(".jp-OutputArea-output", has=page.locator("img.widget-image")).first
        drive_slider(page, first, "Voila app (first explorer)", "voila-2-slider")
        assert not outside, f"the app asked the internet for {len(outside)} file(s), e.g. {outside[0]}"
        assert not failed, f"{len(failed)} request(s) failed, e.g. {failed[0]}"
        assert not console_errors, f"{len(console_errors)} console error(s), the first:\n{console_errors[0]}"
        assert kernels, "no kernel websocket seen"
    finally:
        context.close()

    # the page is closed: its kernel, idle and without connections, is culled (the fixture shortens the wait)
    shutdown = f"Kernel shutdown: {kernels[0]}"
    deadline = time.monotonic() + 2 * voila_server.cull_after_s + 30
    while shutdown not in voila_server.server.log_tail(1_000_000) and time.monotonic() < deadline:
        time.sleep(0.5)
    log = voila_server.server.log_tail(1_000_000)
    assert shutdown in log, f"the closed page's kernel {kernels[0]} was not culled:\n{log[-3000:]}"
    assert "Culling" in log


def test_make_app_log_is_clean_and_the_notebook_untouched(voila_server):
    """No "not trusted" warning (make app trusts the course's own explorers notebook, in Jupyter's signature
    database, without changing the file) and no nbgrader extension in Voila (turned off for learners)."""
    log = voila_server.server.log_tail(1_000_000)
    assert "Signing notebook" in log or "already signed" in log, log[-3000:]
    assert "not trusted" not in log, log[-3000:]
    assert "nbgrader" not in log.lower(), log[-3000:]
    served = voila_server.root / "notebooks" / "explorers.ipynb"
    assert served.read_bytes() == (REPO / "notebooks" / "explorers.ipynb").read_bytes(), "make app changed the file"


def test_learner_voila_settings():
    """jupyter/learner/voila.json, which `make app` reads: the offline template, no nbgrader extension, and
    kernels of closed pages culled after a few minutes (a room of 30 would otherwise keep 30 kernels per visit)."""
    settings = json.loads((REPO / "jupyter" / "learner" / "voila.json").read_text())
    assert settings["VoilaConfiguration"]["template"] == "offline"
    assert (REPO / "jupyter" / "data" / "voila" / "templates" / "offline" / "index.html.j2").is_file()
    assert "@jupyter/nbgrader" in settings["VoilaConfiguration"]["extension_denylist"]
    culling = settings["MappingKernelManager"]
    assert 0 < culling["cull_idle_timeout"] <= 900 and 0 < culling["cull_interval"] <= culling["cull_idle_timeout"]
    assert culling["cull_connected"] is False      # a page still open keeps its kernel
