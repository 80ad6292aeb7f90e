"""Suite-wide pytest set-up: which tests are integration tests (`make unit` leaves them out).

An integration test starts something outside the test process: a Jupyter kernel (nbclient, nbval, the grader),
nbgrader, nbconvert or make, or a browser. Mark a new one with ``@pytest.mark.integration``, or list it below.
`make unit` runs ``pytest -m "not integration"``: the unit and property tests, in about a minute.
"""

from __future__ import annotations

from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

# test file -> the tests in it that start a kernel, nbgrader, nbconvert or make ("*": every test of the file)
INTEGRATION = {
    "test_grade.py": "*",                                   # grades notebooks in kernels (one shared run)
    "test_exercises.py": {"test_shipped_exercise_runs_and_says_not_implemented",   # a kernel per exercise
                          "test_real_nbgrader_accepts_the_solutions"},             # nbgrader
    "test_instructor_guide.py": {"test_make_check_env", "test_acts_grade_on_a_folder_of_submissions",
                                 "test_nbgrader_course_as_the_guide_describes", "test_make_slides_for_one_lesson"},
    "test_check.py": {"test_a_stub_raising_not_implemented_shows_one_line_in_a_notebook"},
}


def _is_integration(item) -> bool:
    path = Path(str(item.fspath)).resolve()
    if path.suffix == ".ipynb" or TESTS / "browser" in path.parents:
        return True  # nbval runs notebooks in a kernel; tests/browser drives Chromium
    listed = INTEGRATION.get(path.name) if path.parent == TESTS else None
    name = getattr(item, "originalname", None) or item.name.split("[")[0]
    return listed == "*" or (listed is not None and name in listed)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if _is_integration(item):
            item.add_marker(pytest.mark.integration)
