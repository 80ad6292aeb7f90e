"""The groups `make test` runs on pytest-xdist workers (--dist loadgroup, with tests/conftest.py's scheduler).

A group of tests runs whole on one worker, in collection order: a test file is a group (its module fixtures are
built once), a notebook is a group (nbval's cells share one kernel, in order), and tests that share one expensive
session resource share a group, since each worker would build it again. The groups are made from node ids by our
own scheduler: pytest-xdist 3.8's xdist_group marks do not group on pytest 9 (they rename item._nodeid, which
pytest 9 no longer reads).
"""

from __future__ import annotations

SHARED_RESOURCE_GROUPS = {
    "tests/test_grade.py": "grading-class",            # one grading run of a class folder (tests/grading_class.py)
    "tests/test_grade_threats.py": "grading-class",
    "tests/browser/test_voila.py": "browser-voila",    # `make app`
    # the lessons' Run All, on their own JupyterLab: beside the other browser tests instead of after them on the
    # same worker (one more server and page load, estimated at 15 s of CPU, against ~3 minutes of lessons in a row)
    "tests/browser/test_lessons.py": "browser-lessons",
}                                                      # every other browser test shares one JupyterLab
# The longest groups start first, so that none of them starts last and runs alone at the end (each of these runs
# for a minute or more, measured; everything else takes seconds).
LONGEST_FIRST = ("browser-lessons", "browser-lab", "grading-class", "tests/test_instructor_guide.py", "browser-voila",
                 "notebooks/09_", "notebooks/06_", "solutions/09_", "solutions/06_", "tests/test_exercises.py",
                 "solutions/00_")


def xdist_group_of(nodeid: str) -> str:
    path = nodeid.split("::", 1)[0]
    if path.startswith("tests/browser/"):
        return SHARED_RESOURCE_GROUPS.get(path, "browser-lab")
    return SHARED_RESOURCE_GROUPS.get(path, path)


def start_rank(group: str) -> int:
    """Where a group starts: the longest first, then the others in collection order."""
    return next((rank for rank, prefix in enumerate(LONGEST_FIRST) if group.startswith(prefix)), len(LONGEST_FIRST))
