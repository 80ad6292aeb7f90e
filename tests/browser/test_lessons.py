"""Every notebook in notebooks/, as a learner runs it: open it in JupyterLab, Run All, and see no error.

The notebooks are found with a glob, so lessons added later are covered. Each runs in its own browser tab with
a fresh kernel; ACTS_BROWSER_TABS of them (default 3) run at the same time, which hides kernel start-up.
"""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]

LESSONS = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))
TABS = max(1, int(os.environ.get("ACTS_BROWSER_TABS", "3")))
TIMEOUT_S = float(os.environ.get("ACTS_LESSON_TIMEOUT", "300"))


class LessonRunner:
    """Starts lessons ahead of the test that asks for them, so that up to TABS kernels work at once."""

    def __init__(self, lab):
        self.lab, self.queue, self.running = lab, list(LESSONS), {}

    def _start(self, name):
        self.queue.remove(name)
        page = self.lab.open(f"notebooks/{name}")
        try:
            page.wait_ready()
            page.run_all()
        except Exception as exc:  # reported by the lesson's own test
            self.running[name] = (page, exc)
            return
        self.running[name] = (page, None)

    def take(self, name):
        """The page of lesson ``name`` with Run All under way; later lessons are started to fill the tabs."""
        if name in self.queue:
            self._start(name)
        while self.queue and len(self.running) < TABS:
            self._start(self.queue[0])
        return self.running.pop(name)

    def close(self):
        for page, _ in self.running.values():
            page.close()


@pytest.fixture(scope="module")
def lessons(lab):
    runner = LessonRunner(lab)
    yield runner
    runner.close()


@pytest.mark.parametrize("name", LESSONS)
def test_lesson_runs_without_errors(lessons, name, shoot):
    page, start_error = lessons.take(name)
    try:
        if start_error is not None:
            shoot(page.page, f"lesson-{name}-start-failed")
            raise start_error
        page.wait_execution_done(timeout=TIMEOUT_S)
        shoot(page.page, f"lesson-{name}")
        errors = page.error_outputs()
        if errors:
            first = page.notebook.locator(
                '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]').first
            first.scroll_into_view_if_needed()
            shoot(page.page, f"lesson-{name}-error")
        assert not errors, f"{name}: {len(errors)} cell(s) show an error or stderr; the first:\n{errors[0][:1500]}"

        # what JupyterLab holds, saved into the temporary copy: every code cell ran, none has an error output
        page.save()
        nb = nbformat.read(page.file, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        not_run = [i for i, c in enumerate(code) if c.source.strip() and c.execution_count is None]
        assert not not_run, f"{name}: code cells {not_run} did not run (Run All stopped early?)"
        failed = [i for i, c in enumerate(code) if any(o.output_type == "error" for o in c.outputs)]
        assert not failed, f"{name}: code cells {failed} raised"
    finally:
        page.close()
