"""Every notebook in notebooks/, as a learner runs it: open it in JupyterLab, Run All, and see no error.

The notebooks are found with a glob, so lessons added later are covered. The lessons open one after another in one
JupyterLab page, each in its own tab with a fresh kernel; the session's LessonRunner (conftest.py) runs
ACTS_BROWSER_TABS (default 3) at a time, the longest first. Under `make test` they have a JupyterLab of their own
(tests/parallel_groups.py), beside the other browser tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
LESSONS = sorted(p.name for p in (REPO / "notebooks").glob("*.ipynb"))
TIMEOUT_S = float(os.environ.get("ACTS_LESSON_TIMEOUT", "300"))
ERROR_OUTPUT = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_runs_without_errors(lesson_runner, lesson, shoot):
    page, start_error = lesson_runner.take(lesson)
    try:
        if start_error is not None:
            shoot(lesson_runner.window.page, f"lesson-{lesson}-start-failed")
            raise start_error
        page.wait_execution_done(timeout=TIMEOUT_S)
        shoot(page.page, f"lesson-{lesson}")
        errors = page.error_outputs()
        if errors:
            page.notebook.locator(ERROR_OUTPUT).first.scroll_into_view_if_needed()
            shoot(page.page, f"lesson-{lesson}-error")
        assert not errors, f"{lesson}: {len(errors)} cell(s) show an error or stderr; the first:\n{errors[0][:1500]}"

        # what JupyterLab holds, saved into the temporary copy: every code cell ran, none has an error output
        page.save()
        nb = page.saved_notebook()
        code = [c for c in nb.cells if c.cell_type == "code"]
        not_run = [i for i, c in enumerate(code) if c.source.strip() and c.execution_count is None]
        assert not not_run, f"{lesson}: code cells {not_run} did not run (Run All stopped early?)"
        failed = [i for i, c in enumerate(code) if any(o.output_type == "error" for o in c.outputs)]
        assert not failed, f"{lesson}: code cells {failed} raised"
    finally:
        if page is not None:
            page.close()
