"""The groups `make test` runs on pytest-xdist workers (tests/conftest.py): a shared resource is built once.

A test file that starts using an expensive session resource (the graded class folder, the JupyterLab server)
without joining that resource's group would silently build it again on another worker; these tests catch it.
"""

from __future__ import annotations

import re
from pathlib import Path

from parallel_groups import LONGEST_FIRST, SHARED_RESOURCE_GROUPS, xdist_group_of

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def _relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def test_every_user_of_the_graded_class_shares_one_group():
    users = [p for p in TESTS.glob("test_*.py")
             if p.name != Path(__file__).name and re.search(r"graded\(\)|from grading_class import", p.read_text())]
    assert len(users) >= 2
    assert {xdist_group_of(f"{_relative(p)}::test_x") for p in users} == {"grading-class"}


def test_browser_tests_share_jupyterlab_and_voila_and_the_lessons_run_apart():
    for path in (TESTS / "browser").glob("test_*.py"):
        group = xdist_group_of(f"{_relative(path)}::test_x[a-b]")
        uses_voila = re.search(r"\bvoila_(server|app)\b", path.read_text()) is not None
        runs_lessons = "lesson_runner" in path.read_text()
        expected = "browser-voila" if uses_voila else "browser-lessons" if runs_lessons else "browser-lab"
        assert group == expected, path.name


def test_a_notebook_is_one_group_and_a_file_is_its_own():
    assert xdist_group_of("notebooks/06_vanishing_gradients.ipynb::Cell 12") == "notebooks/06_vanishing_gradients.ipynb"
    assert xdist_group_of("tests/test_network.py::test_a[relu]") == "tests/test_network.py"


def test_the_longest_groups_exist():
    # a renamed lesson or test file would otherwise quietly lose its early start
    groups = set(SHARED_RESOURCE_GROUPS.values()) | {"browser-lab"}
    paths = [_relative(p) for folder in ("tests", "notebooks", "solutions") for p in (ROOT / folder).glob("*")]
    for prefix in LONGEST_FIRST:
        assert prefix in groups or any(p.startswith(prefix) for p in paths), prefix


def test_make_test_uses_these_groups():
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^PARALLEL = .*--dist loadgroup", makefile, re.M)
    assert "$(PARALLEL)" in makefile.split("\ntest:")[1].split("\n\n")[0]
