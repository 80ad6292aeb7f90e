"""Suite-wide pytest set-up: which tests are integration tests (`make unit` leaves them out).

An integration test starts something outside the test process: a Jupyter kernel (nbclient, nbval, the grader),
nbgrader, nbconvert or make, or a browser. Mark a new one with ``@pytest.mark.integration``, or list it below.
`make unit` runs ``pytest -m "not integration"``: the unit and property tests, in about a minute.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_report import session_started, summary_lines
from parallel_groups import start_rank, xdist_group_of

TESTS = Path(__file__).resolve().parent

# test file -> the tests in it that start a kernel, nbgrader, nbconvert or make ("*": every test of the file)
INTEGRATION = {
    "test_grade.py": "*",                                   # grades notebooks in kernels (one shared run)
    "test_exercises.py": {"test_shipped_exercise_runs_and_says_not_implemented",   # a kernel per exercise
                          "test_nbgrader_scores_the_executed_solutions_full_without_warnings"},
    "test_instructor_guide.py": {"test_make_check_env", "test_acts_grade_on_a_folder_of_submissions",
                                 "test_make_slides_for_one_lesson",
                                 # the nbgrader round trip (one shared course, several minutes of nbgrader)
                                 "test_nbgrader_releases_what_make_exercises_makes",
                                 "test_nbgrader_round_trip_scores_equal_acts_grade",
                                 "test_every_warning_nbgrader_prints_is_in_the_guide"},
    "test_check.py": {"test_a_stub_raising_not_implemented_shows_one_line_in_a_notebook",
                      "test_checks_in_a_real_kernel"},
    "test_plotting.py": {"test_a_kernel_stores_alt_text_and_the_slides_render_it"},
    "test_check_env.py": {"test_runs_as_a_script_like_make_does"},
}
GRADER_FILES = "test_grade_"  # tests/test_grade_*.py: crafted submissions graded in sandboxed kernels


def _is_integration(item) -> bool:
    path = Path(str(item.fspath)).resolve()
    if path.suffix == ".ipynb" or TESTS / "browser" in path.parents:
        return True  # nbval runs notebooks in a kernel; tests/browser drives Chromium
    if path.parent == TESTS and path.name.startswith(GRADER_FILES):
        return True
    listed = INTEGRATION.get(path.name) if path.parent == TESTS else None
    name = getattr(item, "originalname", None) or item.name.split("[")[0]
    return listed == "*" or (listed is not None and name in listed)




def pytest_sessionstart(session):
    session_started()


def pytest_terminal_summary(terminalreporter, config):
    """The browser tests' summary (tests/browser_report.py), here because only this conftest is loaded in the
    process that reports under pytest-xdist."""
    for line in summary_lines(config):
        terminalreporter.write_line(line, yellow=line.startswith("SKIPPED"))


# ------------------------------------------------------------------------------------ running in parallel
# `make test` runs on several pytest-xdist workers; tests/parallel_groups.py says which tests share a worker.
def pytest_collection_modifyitems(config, items):
    for item in items:
        if _is_integration(item):
            item.add_marker(pytest.mark.integration)
    items.sort(key=lambda item: start_rank(xdist_group_of(item.nodeid)))  # stable: a group keeps its own order


try:
    from xdist.scheduler import LoadScopeScheduling
except ImportError:  # pytest-xdist is in the test extra; without it the suite runs in one process
    LoadScopeScheduling = None

if LoadScopeScheduling is not None:
    class CourseScheduling(LoadScopeScheduling):
        """xdist's load-scope scheduling (whole groups to idle workers, in collection order) with our groups."""

        def _split_scope(self, nodeid: str) -> str:
            return xdist_group_of(nodeid)

    def pytest_xdist_make_scheduler(config, log):
        if config.getvalue("dist") == "loadgroup":
            return CourseScheduling(config, log)
        return None
