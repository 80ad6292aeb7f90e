"""`make lab` as a learner meets it: the URL printed in the terminal opens lesson 00, the links between lessons,
exercises and README.md open by clicking, and nbgrader's instructor tools are not there (`make lab-instructor`
has them).

The session's JupyterLab (conftest.py, fixture ``lab``) is started with `make lab` on a temporary copy of the
course; these tests use the URL it printed.
"""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import urllib.error
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
FIRST_LESSON = "notebooks/00_neurons_and_nonlinearity.ipynb"
NBGRADER_UI = ("Nbgrader", "Formgrader", "Create Assignment", "Validate", "Assignment List", "Course List")


def current_path(page) -> str:
    """Path of the document in the current main-area tab (from its tooltip: 'Name: ...\\nPath: ...')."""
    tab = page.locator("#jp-main-dock-panel .lm-TabBar-tab.jp-mod-current").first
    tab.wait_for()
    found = re.search(r"Path:\s*(\S+)", tab.get_attribute("title") or "")
    return found.group(1) if found else ""


def wait_for_document(page, path: str, timeout_s: float = 60):
    page.wait_for_function(
        """(path) => {
            const tab = document.querySelector('#jp-main-dock-panel .lm-TabBar-tab.jp-mod-current');
            return !!tab && (tab.getAttribute('title') || '').includes('Path: ' + path);
        }""", arg=path, timeout=timeout_s * 1000, polling=200)


def current_document(page):
    """The visible document in the main area (a notebook or the rendered markdown)."""
    return page.locator("#jp-main-dock-panel .jp-MainAreaWidget:not(.lm-mod-hidden)").first


def click_link(page, text: str):
    """Click a link in the current document's rendered markdown, as a learner does."""
    link = current_document(page).locator(".jp-RenderedMarkdown a", has_text=text).first
    link.scroll_into_view_if_needed()
    link.click()


def test_printed_url_opens_lesson_00_and_the_links_lead_on(lab, shoot):
    """From the printed URL: lesson 00 -> README (course map) -> lesson 01 -> exercise 01 -> back to lesson 01
    -> lesson 02, each by clicking a link; never an 'outside root' error dialog."""
    assert f"/lab/tree/{FIRST_LESSON}?token=" in lab.printed_url, lab.printed_url
    page = lab.context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(lab.printed_url, wait_until="domcontentloaded")
        wait_for_document(page, FIRST_LESSON, timeout_s=120)
        current_document(page).locator(".jp-Cell").first.wait_for()
        shoot(page, "make-lab-1-printed-url")

        # the learner's JupyterLab has no nbgrader instructor tools (menu, toolbar buttons, sidebar panels)
        menus = [t.strip() for t in page.locator(".lm-MenuBar-item").all_inner_texts()]
        assert "File" in menus and not any(m in NBGRADER_UI for m in menus), menus
        for name in NBGRADER_UI:
            assert page.locator(f'[title="{name}"], [data-id*="nbgrader"], .lm-TabBar-tab:has-text("{name}")'
                                ).count() == 0, f"the learner's lab shows nbgrader's {name!r}"

        steps = [("course map", "README.md"),
                 ("01 Sigmoid", "notebooks/01_sigmoid.ipynb"),
                 ("Exercise 01", "exercises/01_sigmoid.ipynb"),
                 ("01_sigmoid", "notebooks/01_sigmoid.ipynb"),
                 ("Lesson 02", "notebooks/02_tanh.ipynb")]
        for i, (text, path) in enumerate(steps, start=2):
            click_link(page, text)
            wait_for_document(page, path)
            shoot(page, f"make-lab-{i}-{Path(path).stem}")
            dialogs = page.locator(".jp-Dialog").all_inner_texts()
            assert not dialogs, f"clicking {text!r} showed a dialog: {dialogs[0][:500]}"
            if path.endswith(".md"):      # rendered (jupyter/lab-settings), so that its links can be clicked
                assert current_document(page).locator(".jp-RenderedMarkdown", has_text="Course map").count()
            else:
                current_document(page).locator(".jp-Cell").first.wait_for()
    finally:
        page.close()


def test_learner_lab_serves_no_nbgrader_endpoints(lab):
    """nbgrader's server extensions are off in `make lab` (the page config also lists its lab extension as
    disabled)."""
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{lab.base}/formgrader?token={lab.token}", timeout=30)
    assert missing.value.code == 404
    with urllib.request.urlopen(f"{lab.base}/lab?token={lab.token}", timeout=30) as response:
        page = response.read().decode()
    config = json.loads(re.search(r'<script id="jupyter-config-data" type="application/json">(.*?)</script>',
                                  page, re.S).group(1))
    assert "@jupyter/nbgrader" in config["disabledExtensions"]


def test_make_lab_instructor_has_nbgrader(start_make):
    """`make lab-instructor`: the same lab with nbgrader's Formgrader and its JupyterLab extension enabled."""
    pytest.importorskip("nbgrader")
    token = secrets.token_hex(16)
    server = start_make("lab-instructor", ROOT_FLAG="--allow-root",
                        LAB_ARGS="--no-browser --ip=127.0.0.1 --port={port} --port-retries=0 "
                                 f"--IdentityProvider.token={token} --ServerApp.jpserver_extensions=jupyter_lsp=False")
    base = f"http://127.0.0.1:{server.port}"
    server.wait_until(f"{base}/api/status?token={token}")
    with urllib.request.urlopen(f"{base}/formgrader?token={token}", timeout=60) as response:
        assert response.status == 200
    with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=30) as response:
        page = response.read().decode()
    assert '"@jupyter/nbgrader"' not in re.search(r'"disabledExtensions":\s*\[[^\]]*\]', page).group(0)


def test_make_lab_command_line():
    """What `make lab` runs (a dry run): the repository root, lesson 00 as the default URL, the learner settings."""
    dry = subprocess.run(["make", "-n", "-o", "venv", "lab"], cwd=REPO, capture_output=True, text=True)
    assert dry.returncode == 0, dry.stderr
    line = next(ln for ln in dry.stdout.splitlines() if "jupyter lab" in ln)
    assert "--ServerApp.root_dir=." in line and f"--LabApp.default_url=/lab/tree/{FIRST_LESSON}" in line
    assert "jupyter/learner" in line and "jupyter/lab-settings" in line
