"""The course in a real browser: pytest + Playwright driving the distribution's Chromium.

One JupyterLab server and one Chromium serve the whole session. The server is `make lab` (the learner's
command: repository root, lesson 00, the settings in jupyter/) run on 127.0.0.1 and a free port, with the token
JupyterLab prints, its own HOME, Jupyter and matplotlib folders and its own user settings (no news pop-up, no
bracket auto-closing), on a temporary COPY of notebooks/, exercises/, jupyter/ and README.md: the repository is
never written. The Voila app is `make app`, likewise on a copy.

    ACTS_SCREENSHOTS=/some/folder   where screenshots of each step go (a temporary folder by default)
    ACTS_CHROMIUM=/path/to/chromium the Chromium to drive (default: /usr/bin/chromium, then `chromium` on PATH)
    ACTS_BROWSER_TABS=3             lessons run in this many browser tabs (kernels) at once, the longest first
    CI=true                         a missing browser fails the tests instead of skipping them

Never run `playwright install`: it downloads a browser; these tests use the system's Chromium.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from browser_report import ENABLE_HINT, IN_CI, LATENCY_RESULTS, SCREENSHOTS, SKIPPED, find_chromium, missing_requirement

REPO = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage"]  # containers often give /dev/shm only 64 MB
SERVER_START_S = 90
STATUS_IDLE = r"\|\s*Idle\s*$"


# ---------------------------------------------------------------------------------------------- availability
@pytest.fixture(scope="session")
def browser_requirements():
    reason = missing_requirement()
    if reason:
        if IN_CI:
            pytest.fail(f"CI=true and {reason}: .ci/run installs chromium; {ENABLE_HINT}", pytrace=False)
        pytest.skip(f"browser tests skipped: {reason}; {ENABLE_HINT}")


_LESSONS_SELECTED: list[str] = []  # lessons whose tests this session runs (after -k and friends)


@pytest.hookimpl(trylast=True)  # after -k, -m and --deselect have removed their items
def pytest_collection_modifyitems(config, items):
    """Outside CI, without a browser: leave the browser tests out and say so in ONE line at the end."""
    _LESSONS_SELECTED[:] = [item.callspec.params["lesson"] for item in items
                            if "lesson_runner" in getattr(item, "fixturenames", ()) and hasattr(item, "callspec")]
    reason = missing_requirement()
    if reason is None or IN_CI:
        return
    needs_browser = [item for item in items if "browser_requirements" in getattr(item, "fixturenames", ())]
    if needs_browser:
        items[:] = [item for item in items if item not in needs_browser]
        config.hook.pytest_deselected(items=needs_browser)
        _LESSONS_SELECTED.clear()
        SKIPPED.append(f"SKIPPED [{len(needs_browser)}] browser tests: {reason}; {ENABLE_HINT}")


# ---------------------------------------------------------------------------------------------- screenshots
@pytest.fixture(scope="session")
def latency_results() -> Path:
    return LATENCY_RESULTS


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    return SCREENSHOTS


@pytest.fixture(scope="session")
def shoot(screenshot_dir):
    """shoot(page_or_locator, "name") saves name.png in the screenshot folder (never fails a test by itself)."""

    def take(target, name: str) -> Path | None:
        path = screenshot_dir / (re.sub(r"[^A-Za-z0-9_.-]+", "_", name) + ".png")
        try:
            target.screenshot(path=str(path), timeout=15_000)
        except Exception as exc:  # a screenshot is evidence, not the assertion
            print(f"screenshot {name} failed: {exc}")
            return None
        return path

    return take


# ---------------------------------------------------------------------------------------------- servers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def isolated_env(base: Path) -> dict:
    """Environment for a Jupyter server that reads and writes nothing of the user's."""
    env = dict(os.environ)
    for var, sub in (("HOME", "home"), ("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                     ("JUPYTER_DATA_DIR", "data"), ("IPYTHONDIR", "ipython"), ("MPLCONFIGDIR", "matplotlib"),
                     ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces")):
        (base / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(base / sub)
    env["JUPYTER_PLATFORM_DIRS"] = "1"
    env.pop("MPLBACKEND", None)
    env.pop("JUPYTER_PATH", None)
    return env


def write_lab_settings(settings: Path):
    """Learner-like defaults, minus what gets in a robot's way: news pop-up, bracket auto-closing, windowing."""
    files = {
        "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
        "@jupyterlab/notebook-extension/tracker": {
            "codeCellConfig": {"autoClosingBrackets": False, "lineNumbers": False, "lineWrap": False},
            "windowingMode": "none",            # every cell in the DOM, so that every output can be inspected
            "autoStartDefaultKernel": True,     # never a kernel-selection dialog
            "kernelShutdown": True,             # closing a notebook ends its kernel
        },
        "@jupyterlab/codemirror-extension/plugin": {"defaultConfig": {"autoClosingBrackets": False}},
    }
    for name, values in files.items():
        path = settings / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))


class Server:
    """A Jupyter-based server (JupyterLab or Voila) in its own process group, logging to a file."""

    def __init__(self, args: list[str], env: dict, cwd: Path, log: Path, port: int):
        self.port, self.log = port, log
        self._log_file = open(log, "wb")
        self.proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=self._log_file, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_until(self, url: str, timeout: float = SERVER_START_S):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
                pass
            time.sleep(0.3)
        raise RuntimeError(f"server not ready after {timeout:.0f} s ({url}):\n{self.log_tail()}")

    def log_tail(self, chars: int = 3000) -> str:
        self._log_file.flush()
        return self.log.read_text(errors="replace")[-chars:]

    def stop(self, shutdown_url: str | None = None):
        if self.proc.poll() is None and shutdown_url:
            try:  # a clean shutdown also ends the kernels, which live in their own sessions
                request = urllib.request.Request(shutdown_url, method="POST", data=b"")
                urllib.request.urlopen(request, timeout=10).close()
                self.proc.wait(timeout=15)
            except Exception:
                pass
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)  # SIGTERM: the server shuts its kernels down too
                self.proc.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                try:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(timeout=10)
        self._log_file.close()


def copy_course(root: Path):
    """What a learner gets: the lessons, the exercises, README.md and the course's Jupyter settings (jupyter/,
    which `make lab` and `make app` read), copied; tests may write into the copy."""
    ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__")
    for folder in ("notebooks", "exercises", "jupyter"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, root / folder, ignore=ignore)
        else:
            (root / folder).mkdir(parents=True)
    shutil.copy(REPO / "README.md", root / "README.md")
    (root / "scratch").mkdir()


def make_command(root: Path, target: str, **variables: str) -> list[str]:
    """`make TARGET` exactly as a learner types it in the course folder, run on the temporary copy ``root``:
    the repository's Makefile, its .venv as it is (-o venv: never rebuilt by a test), the copy as make's folder
    (so the Makefile's paths, ./ and jupyter/, are the copy's)."""
    if shutil.which("make") is None:
        pytest.skip("make is not installed (the course's commands need it)")
    venv = Path(sys.executable).parent.parent  # the environment running the tests, the repository's .venv
    return ["make", "--no-print-directory", "-f", str(REPO / "Makefile"), "-C", str(root), "-o", "venv",
            f"VENV={venv}", target] + [f"{name}={value}" for name, value in variables.items()]


PRINTED_URL = re.compile(r"(http://127\.0\.0\.1:\d+/\S*\?token=\w+)")


def printed_url(server: "Server", timeout: float = SERVER_START_S) -> str:
    """The URL JupyterLab prints in the terminal for the learner to open (the 127.0.0.1 one, with its token)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = PRINTED_URL.search(server.log_tail(100_000))
        if found:
            return found.group(1)
        if server.proc.poll() is not None:
            break
        time.sleep(0.3)
    raise RuntimeError(f"JupyterLab printed no URL with a token:\n{server.log_tail()}")


class Lab:
    """The running JupyterLab: its URL, token, root folder (the temporary copy) and a way to open notebooks;
    ``printed_url`` is the URL `make lab` printed in the terminal."""

    def __init__(self, server: Server, root: Path, token: str, browser, printed_url: str = ""):
        self.server, self.root, self.token, self.browser = server, root, token, browser
        self.printed_url = printed_url
        self.base = f"http://127.0.0.1:{server.port}"
        self._workspaces = 0
        # one browser profile for every tab, as a learner's browser: JupyterLab's scripts are fetched and
        # compiled once and then come from the cache (a context per tab costs seconds of CPU each)
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})

    def open(self, path: str) -> "NotebookPage":
        """A new browser tab with the notebook at ``path`` (relative to root), in its own workspace."""
        self._workspaces += 1
        page = self.context.new_page()
        page.set_default_timeout(60_000)
        url = f"{self.base}/lab/workspaces/t{self._workspaces}/tree/{path}?reset&token={self.token}"
        page.goto(url, wait_until="domcontentloaded")
        return NotebookPage(page, self.root / path)

    def window(self) -> "LabWindow":
        """One more browser tab with JupyterLab, in which notebooks open side by side as a learner opens them."""
        self._workspaces += 1
        page = self.context.new_page()
        page.set_default_timeout(60_000)
        page.goto(f"{self.base}/lab/workspaces/t{self._workspaces}?reset&token={self.token}",
                  wait_until="domcontentloaded")
        page.locator(".jp-LabShell").wait_for()
        return LabWindow(page, self.root)


class LabWindow:
    """One JupyterLab page in which notebooks open as tabs of its main area (File > Open from Path...), each with
    its own fresh kernel. Loading JupyterLab costs about 10 s of CPU in Chromium (measured: 5 notebooks took 91 s
    of CPU in 5 pages, 49 s in one page), so that lessons share one page, as a learner's lessons do."""

    def __init__(self, page, root: Path):
        self.page, self.root = page, root

    def open(self, path: str) -> "NotebookTab":
        """Open the notebook at ``path`` (relative to root) in a new tab of this page; it becomes the current one."""
        menu(self.page, "File", "filebrowser:open-path")
        box = self.page.locator(".jp-Dialog input").first
        box.fill(path)
        box.press("Enter")
        name = Path(path).name
        self.page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current", has_text=name).wait_for()
        panel = self.page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)").first
        panel.wait_for()
        return NotebookTab(self.page, self.root / path, panel.get_attribute("id"), name)

    def close(self):
        self.page.close()


class NotebookPage:
    """One notebook in its own JupyterLab tab, with the few moves a learner makes."""

    def __init__(self, page, file: Path, panel: str = ".jp-NotebookPanel:not(.lm-mod-hidden)"):
        self.page, self.file = page, file
        self.notebook = page.locator(f"{panel} .jp-Notebook").first

    # -------------------------------------------------------------- waiting
    def kernel_status(self) -> str:
        items = self.page.locator(".jp-StatusBar-TextItem").all_text_contents()
        return next((t.strip() for t in items if "|" in t), "")

    def wait_kernel_idle(self, timeout: float = 90):
        """The status bar's '<kernel> | Idle' (the toolbar says idle before the kernel even exists)."""
        self.page.wait_for_function(
            """(pattern) => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                               .some(e => new RegExp(pattern).test(e.textContent))""",
            arg=STATUS_IDLE, timeout=timeout * 1000, polling=200)

    def wait_ready(self, timeout: float = 120):
        self.notebook.locator(".jp-Cell").first.wait_for(timeout=timeout * 1000)
        self.wait_kernel_idle(timeout)

    def wait_execution_done(self, timeout: float = 300, settle: float = 0.6):
        """No cell waiting or running ([*]) and the kernel idle, twice in a row ``settle`` seconds apart."""
        script = """([notebook, pattern]) => {
            const idle = [...document.querySelectorAll('.jp-StatusBar-TextItem')]
                .some(e => new RegExp(pattern).test(e.textContent));
            const pending = [...notebook.querySelectorAll('.jp-InputPrompt')]
                .some(e => e.textContent.includes('*'));
            return idle && !pending;
        }"""
        deadline = time.monotonic() + timeout
        arg = [self.notebook.element_handle(), STATUS_IDLE]
        while True:
            left = max(1.0, deadline - time.monotonic())
            self.page.wait_for_function(script, arg=arg, timeout=left * 1000, polling=200)
            time.sleep(settle)
            if self.page.evaluate(script, arg):
                return
            if time.monotonic() > deadline:
                raise TimeoutError("execution did not finish")

    # -------------------------------------------------------------- actions
    def menu(self, menu_name: str, command: str):
        menu(self.page, menu_name, command)

    def run_all(self):
        """Edit > Clear Outputs of All Cells, then Run > Run All Cells, through the menus as a learner does it.

        Clearing first makes the stored prompts ([3]) of a committed lesson disappear, so that a number on a
        prompt can only come from this run."""
        notebook = self.notebook.element_handle()
        self.menu("Edit", "editmenu:clear-all")
        self.page.wait_for_function(
            """(notebook) => ![...notebook.querySelectorAll('.jp-InputPrompt')]
                        .some(e => /\\[[*0-9]+\\]/.test(e.textContent))""", arg=notebook, timeout=30_000,
            polling=100)
        self.menu("Run", "runmenu:run-all")
        # the cells are queued at once: wait until one shows [*] (or a number, if the run was that quick)
        self.page.wait_for_function(
            """(notebook) => [...notebook.querySelectorAll('.jp-InputPrompt')]
                        .some(e => /\\[[*0-9]+\\]/.test(e.textContent))""", arg=notebook, timeout=30_000,
            polling=100)

    def cell(self, index: int):
        return self.notebook.locator(".jp-Cell").nth(index)

    def code_cell(self, index: int):
        return self.notebook.locator(".jp-CodeCell").nth(index)

    def run_cell(self, cell):
        """Select the cell by its prompt and press Ctrl+Enter (run, stay)."""
        cell.locator(".jp-InputPrompt").first.click()
        self.page.keyboard.press("Control+Enter")

    def run_cell_and_wait(self, cell, timeout: float = 120):
        """Run one cell and wait until its prompt shows a new execution count and the kernel is idle."""
        prompt = cell.locator(".jp-InputPrompt").first
        before = prompt.inner_text()
        self.run_cell(cell)
        self.page.wait_for_function(
            "([el, before]) => /\\[\\d+\\]/.test(el.textContent) && el.textContent !== before",
            arg=[prompt.element_handle(), before], timeout=timeout * 1000, polling=100)
        self.wait_kernel_idle(timeout)

    def replace_source(self, cell, text: str):
        """Click into the cell's editor, select everything and put ``text`` in its place, as if pasted."""
        cell.locator(".cm-content").first.click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.press("Delete")
        self.page.keyboard.insert_text(text)

    def save(self):
        """Ctrl+S, then wait until JupyterLab no longer marks the notebook as changed."""
        self.notebook.locator(".jp-InputPrompt").first.click()
        self.page.keyboard.press("Control+s")
        self.page.wait_for_function(
            "() => !document.querySelector('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')", timeout=30_000)

    def saved_notebook(self, timeout: float = 30):
        """The notebook as saved on disk. Jupyter writes a notebook in place (after a backup), and JupyterLab's
        autosave may be writing it just now (a long lesson on a loaded machine outlasts the 2-minute autosave
        interval): a half-written file is read again until it is whole."""
        import nbformat

        deadline = time.monotonic() + timeout
        while True:
            try:
                return nbformat.read(self.file, as_version=4)
            except ValueError:  # nbformat's NotJSONError is a ValueError
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)

    # -------------------------------------------------------------- what the learner sees
    def error_outputs(self) -> list[str]:
        """Texts of outputs rendered as errors or stderr (JupyterLab gives both the stderr MIME type)."""
        return self.notebook.locator(
            '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').all_inner_texts()

    def close(self):
        self.page.close()


class NotebookTab(NotebookPage):
    """A notebook in one tab of a LabWindow: found by its panel's id, whichever tab is current. The status bar and
    the menus act on the current tab: ``activate`` it before waiting for its kernel or using a menu."""

    def __init__(self, page, file: Path, panel_id: str, name: str):
        super().__init__(page, file, panel=f"[id='{panel_id}']")
        self.tab = page.locator(f".lm-DockPanel-tabBar .lm-TabBar-tab[data-id='{panel_id}']")
        self.name = name

    def activate(self):
        self.tab.click()
        self.notebook.wait_for(state="visible")

    def close(self, timeout: float = 30):
        """Close the tab, discarding unsaved changes (the notebooks are temporary copies); its kernel shuts down
        (the settings' kernelShutdown). The other tabs go on."""
        if self.page.is_closed() or not self.tab.count():
            return
        self.activate()
        self.tab.locator(".lm-TabBar-tabCloseIcon").click()
        discard = self.page.locator(".jp-Dialog button", has_text="Discard")
        deadline = time.monotonic() + timeout
        while self.tab.count():
            if discard.count():
                discard.first.click()
            if time.monotonic() > deadline:
                raise TimeoutError(f"the tab of {self.name} did not close")
            time.sleep(0.1)


def menu(page, menu_name: str, command: str):
    """Click a main-menu item by its command id, e.g. menu(page, "Run", "runmenu:run-all")."""
    page.locator(".lm-MenuBar-item", has_text=re.compile(rf"^{menu_name}$")).click()
    page.locator(f'.lm-Menu-item[data-command="{command}"]').click()


# ---------------------------------------------------------------------------------------------- sliders
KEY_PRESSES = 3
FIND_SLIDER = """(output) => {
    // the first slider with a single handle, else the first (range) slider, whose first handle is moved
    const sliders = [...output.querySelectorAll('.widget-slider')];
    const i = sliders.findIndex(s => s.querySelectorAll('.noUi-handle').length === 1);
    return i >= 0 ? i : (sliders.length ? 0 : -1);
}"""


def number(text: str) -> float:
    """The first number in a readout: '0.0400' -> 0.04; a range slider's '-3.5 – 5.0' -> -3.5 (its first handle)."""
    found = re.search(r"[-\u2212]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?", text.strip(), re.I)
    if not found:
        raise ValueError(f"no number in {text!r}")
    return float(found.group().replace("\u2212", "-"))


def wait_settled(image, idle=None, quiet: float = 1.2, timeout: float = 60) -> str:
    """Wait until the image's src has not changed for ``quiet`` seconds (and ``idle()`` holds); return the src.

    ipywidgets coalesces queued slider updates, so the kernel may send a few intermediate pictures."""
    deadline = time.monotonic() + timeout
    last, since = image.get_attribute("src"), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.2)
        src = image.get_attribute("src")
        if src != last:
            last, since = src, time.monotonic()
        elif time.monotonic() - since >= quiet and (idle is None or idle()):
            return last
    raise TimeoutError("the plot kept changing (or the kernel stayed busy)")


def move_slider_and_check(page, output, what: str, stem: str, shoot, idle=None, shot_target=None):
    """In ``output`` (one explorer's output), press ArrowRight on a slider's (first) handle KEY_PRESSES times;
    assert that the plot's pixels changed, the readout shows a larger value, and the handle sits there."""
    image = output.locator("img.widget-image").first
    image.wait_for(state="visible", timeout=60_000)
    page.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=image.element_handle())
    which = output.evaluate(FIND_SLIDER)
    assert which >= 0, f"{what} shows no slider"
    slider = output.locator(".widget-slider").nth(which)
    handle = slider.locator(".noUi-handle").first
    readout = slider.locator(".widget-readout").first
    label = slider.locator(".widget-label").first.inner_text().strip()
    target = shot_target or output
    target.scroll_into_view_if_needed()
    slider.scroll_into_view_if_needed()

    wait_settled(image, idle)
    before_png, before = image.screenshot(), readout.inner_text().strip()
    shoot(target, f"{stem}-1-before")
    handle.focus()
    for _ in range(KEY_PRESSES):
        page.keyboard.press("ArrowRight")
    wait_settled(image, idle)
    after_png, after = image.screenshot(), readout.inner_text().strip()
    shoot(target, f"{stem}-2-after")

    assert after_png != before_png, f"{what}: the plot did not change when slider {label!r} moved"
    assert number(after) > number(before), f"{what}: readout of {label!r} went from {before} to {after}"
    # the handle sits at the value the readout shows (a FloatLogSlider's handle holds the exponent and its
    # readout base**exponent; aria-valuenow is rounded to one decimal, aria-valuetext is not)
    position = number(handle.get_attribute("aria-valuetext") or handle.get_attribute("aria-valuenow") or "nan")
    shown = number(after)
    assert any(abs(c - shown) <= max(1e-9, 0.02 * abs(shown)) for c in (position, 10 ** position)), \
        f"{what}: slider {label!r} sits at {position} but its readout says {after}"


@pytest.fixture(scope="session")
def drive_slider(shoot):
    """drive_slider(page, output, what, stem, idle=None, shot_target=None): see move_slider_and_check."""

    def drive(page, output, what, stem, idle=None, shot_target=None):
        move_slider_and_check(page, output, what, stem, shoot, idle=idle, shot_target=shot_target)

    return drive


# ---------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="session")
def browser(browser_requirements):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=find_chromium(), headless=True, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def lab(browser, tmp_path_factory):
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "root"
    root.mkdir()
    copy_course(root)
    env = isolated_env(base)
    write_lab_settings(Path(env["JUPYTERLAB_SETTINGS_DIR"]))
    port = free_port()
    # `make lab` as the learner runs it (root folder, first lesson, learner settings), plus what a robot needs:
    # no browser, a fixed port, no language-server scan, no update check. JupyterLab makes up the token and
    # prints it in the URL, as it does for a learner.
    lab_args = (f"--no-browser --ip=127.0.0.1 --port={port} --port-retries=0 "
                "--ServerApp.jpserver_extensions=jupyter_lsp=False "
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")
    args = make_command(root, "lab", ROOT_FLAG="--allow-root", LAB_ARGS=lab_args)
    server = Server(args, env, root, base / "jupyterlab.log", port)
    try:
        url = printed_url(server)
        token = url.rsplit("token=", 1)[1]
        server.wait_until(f"http://127.0.0.1:{port}/api/status?token={token}")
        lab = Lab(server, root, token, browser, printed_url=url)
        yield lab
        lab.context.close()
    finally:
        server.stop(f"http://127.0.0.1:{port}/api/shutdown?token={token}")


@pytest.fixture
def start_make(tmp_path):
    """start_make(target, **make_variables) -> Server: `make TARGET` on a fresh copy of the course, in an isolated
    environment; "{port}" in a variable's value becomes the server's free port. Stopped after the test."""
    servers = []

    def start(target: str, **variables: str) -> Server:
        base = tmp_path / f"{target}-{len(servers)}"
        root = base / "root"
        root.mkdir(parents=True)
        copy_course(root)
        port = free_port()
        args = make_command(root, target, **{k: v.replace("{port}", str(port)) for k, v in variables.items()})
        servers.append(Server(args, isolated_env(base), root, base / f"{target}.log", port))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


# ---------------------------------------------------------------------------------------------- lessons
def recorded_seconds(path: Path) -> float:
    """How long the notebook's cells took when it was last executed (nbclient's metadata.execution)."""
    from datetime import datetime

    total = 0.0
    try:
        cells = json.loads(path.read_text())["cells"]
    except (OSError, ValueError, KeyError):
        return 0.0
    for cell in cells:
        times = cell.get("metadata", {}).get("execution", {})
        try:
            start = datetime.fromisoformat(times["iopub.execute_input"].replace("Z", "+00:00"))
            end = datetime.fromisoformat(times["shell.execute_reply"].replace("Z", "+00:00"))
        except (KeyError, ValueError, AttributeError):
            continue
        total += max(0.0, (end - start).total_seconds())
    return total


class LessonRunner:
    """Runs lessons ahead of the tests that ask for them (from the first lesson test on): up to ``tabs`` lessons
    (kernels) at once, the longest (by their recorded execution time) first, so that the slow ones never run alone
    at the end. The lessons open in one JupyterLab page (``window``), as a learner opens them one after another:
    each in a new tab with a fresh kernel, then Edit > Clear Outputs, Run > Run All. A lesson's tab is closed after
    its test."""

    def __init__(self, window, names, tabs):
        self.window, self.tabs, self.running = window, tabs, {}
        self.queue = sorted(names, key=lambda n: -recorded_seconds(REPO / "notebooks" / n))

    def _start(self, names):
        for name in names:
            self.queue.remove(name)
            tab = None
            try:
                tab = self.window.open(f"notebooks/{name}")
                tab.wait_ready()
                tab.run_all()
            except Exception as exc:  # reported by the lesson's own test
                self.running[name] = (tab, exc)
                continue
            self.running[name] = (tab, None)

    def fill(self):
        self._start(self.queue[:max(0, self.tabs - len(self.running))])

    def take(self, name):
        """(tab, error while starting) of lesson ``name``, its tab current and Run All under way; frees its slot
        (the tab is None if it could not be opened)."""
        if name in self.queue:
            self._start([name])
        self.fill()
        tab, error = self.running.pop(name)
        if tab is not None and error is None:
            try:
                tab.activate()
            except Exception as exc:
                error = exc
        return tab, error

    def close(self):
        for tab, _ in self.running.values():
            if tab is not None:
                tab.close()


@pytest.fixture(scope="session")
def lab_window(lab):
    """The JupyterLab page shared by the lessons, the explorers and the exercise (one app load for all of them):
    each opens its notebook in a tab of it and activates that tab before it acts."""
    window = lab.window()
    yield window
    window.close()


@pytest.fixture(scope="session")
def lesson_runner(lab_window):
    tabs = max(1, int(os.environ.get("ACTS_BROWSER_TABS", "3")))
    runner = LessonRunner(lab_window, list(_LESSONS_SELECTED), tabs)
    yield runner
    runner.close()


# ---------------------------------------------------------------------------------------------- Voila
VOILA_APP = "notebooks/explorers.ipynb"  # what `make app` serves


# Kernels of closed app pages are culled: `make app` reads jupyter/learner/voila.json (minutes); the tests pass
# less, so that a closed page's kernel is seen to go within a test's patience. Not much less: the kernel is idle
# and unconnected between Voila running the notebook and the page's websocket connecting, which on a loaded
# machine took more than 4 s (the kernel was culled before the page could use it).
TEST_CULL_IDLE_S, TEST_CULL_INTERVAL_S = 45, 5


class VoilaApp:
    """`make app` running on a temporary copy of the course: its URL (with token), server, log and root folder."""

    def __init__(self, url: str, server: Server, root: Path):
        self.url, self.server, self.root = url, server, root
        self.cull_after_s = TEST_CULL_IDLE_S + TEST_CULL_INTERVAL_S   # an idle, unconnected kernel lives this long


@pytest.fixture(scope="session")
def voila_server(browser_requirements, tmp_path_factory):
    try:
        import voila  # noqa: F401
    except ImportError:
        message = f"the Python package voila is not installed; {ENABLE_HINT}"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    base = tmp_path_factory.mktemp("voila")
    root = base / "root"
    root.mkdir()
    copy_course(root)
    if not (root / VOILA_APP).exists():
        pytest.fail(f"{VOILA_APP} is missing", pytrace=False)
    port, token = free_port(), secrets.token_hex(16)
    app_args = (f"--no-browser --Voila.ip=127.0.0.1 --port={port} --Voila.port_retries=0 --token={token} "
                f"--MappingKernelManager.cull_idle_timeout={TEST_CULL_IDLE_S} "
                f"--MappingKernelManager.cull_interval={TEST_CULL_INTERVAL_S}")
    server = Server(make_command(root, "app", APP_ARGS=app_args), isolated_env(base), root, base / "voila.log", port)
    url = f"http://127.0.0.1:{port}/?token={token}"
    try:
        # Voila has no /api/status: poll a static file (polling the page itself would start a kernel each time)
        server.wait_until(f"http://127.0.0.1:{port}/voila/static/voila.js")
        yield VoilaApp(url, server, root)
    finally:
        server.stop()


@pytest.fixture(scope="session")
def voila_app(voila_server):
    """The URL (with its token) of `make app` (Voila) serving a temporary copy of notebooks/explorers.ipynb."""
    return voila_server.url
