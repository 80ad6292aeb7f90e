"""Crafted submissions, one per threat of the threat model (docs/grading.md), graded in one class folder with
untouched correct solutions (tests/grading_class.py): no submission raises its score above what its functions
earn on the grader's inputs, reaches another submission, the course or the grader's environment, outlives
grading, or exhausts the machine; the untouched solutions keep full marks and unchanged bytes."""

import os
import time
from pathlib import Path

import pytest
from grading_class import MARKER, ROOT, SECRET, SOLUTIONS, graded


@pytest.fixture(scope="module")
def run():
    return graded()


def _task(result, grade_id):
    return next(t for t in result["tasks"] if t["grade_id"] == grade_id)


def _needs_bubblewrap(run):
    """Without bubblewrap a submission can read and write what its user can (docs/grading.md says so)."""
    if run.results["solution_01_sigmoid.ipynb"]["isolation"]["sandbox"] != "bubblewrap":
        pytest.skip("this guarantee needs bubblewrap (apt-get install bubblewrap; .ci/run installs it)")


@pytest.mark.parametrize("name", ["prints_success.ipynb", "edits_check.ipynb", "forges_messages.ipynb",
                                  "input_transformer.ipynb", "patches_acts_check.ipynb", "patches_builtins.ipynb",
                                  "reaches_the_checker.ipynb"])
def test_a_wrong_sigmoid_earns_nothing_whatever_the_kernel_does(run, name):
    sigmoid = _task(run.results[name], "01_sigmoid-check_sigmoid")
    assert sigmoid["points"] == 0 and not sigmoid["passed"], sigmoid


@pytest.mark.parametrize("name", ["prints_success.ipynb", "patches_acts_check.ipynb", "reaches_the_checker.ipynb",
                                  "forges_messages.ipynb"])
def test_the_verdict_is_the_graders_own(run, name):
    """The same check as the learner's instant feedback, run in the grader on the recorded values: it names the
    failing values case, with the zeros the learner's function returned."""
    sigmoid = _task(run.results[name], "01_sigmoid-check_sigmoid")
    feedback = " ".join(sigmoid["feedback"].split())   # checks wrap long lines at spaces
    assert "values" in feedback and "checks failed" in feedback, sigmoid


def test_files_are_unchanged_and_the_course_untouched(run):
    _needs_bubblewrap(run)
    assert run.after == run.before  # every submission, solution copy and the neighbouring notes.txt
    course = {p: __import__("hashlib").sha256(p.read_bytes()).hexdigest() for p in run.course_acts}
    assert course == run.course_acts
    assert "sabotaged" not in (ROOT / "acts" / "check.py").read_text()


def test_tampering_costs_nothing_to_anyone_else(run):
    _needs_bubblewrap(run)
    tamper = run.results["tampers_with_files.ipynb"]
    assert tamper["score"] == 4  # its own functions are right: writing files changes nothing else
    for src in SOLUTIONS:  # graded alongside, some after the tampering one: full marks
        r = run.results[f"solution_{src.name}"]
        assert r["score"] == r["max_score"] and r["errors"] == []


def test_no_process_outlives_grading(run):
    _needs_bubblewrap(run)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        left = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if MARKER.encode() in (entry / "cmdline").read_bytes():
                        left.append(entry.name)
                except OSError:
                    continue
        if not left:
            break
        time.sleep(0.5)
    assert left == [], f"processes left running: {left}"
    assert _task(run.results["detached_children.ipynb"], "01_sigmoid-check_sigmoid")["points"] == 2


def test_the_graders_environment_never_reaches_a_report(run):
    _needs_bubblewrap(run)
    assert SECRET in os.environ.get("ACTS_TEST_SECRET", SECRET)  # set while grading (tests/grading_class.py)
    for text in (run.report_text, run.gradebook.read_text(), run.stdout):
        assert SECRET not in text
        assert str(Path.home()) + "/" not in text or Path.home() == Path("/")
    snoop = run.results["snoops_environment.ipynb"]
    assert any("RuntimeError" in e for e in snoop["errors"])  # it ran, and found nothing of the grader's


def test_memory_and_disk_are_limited(run):
    memory, disk = run.results["exhausts_memory.ipynb"], run.results["exhausts_disk.ipynb"]
    assert memory["score"] == 4 and any("MemoryError" in e for e in memory["errors"]), memory["errors"]
    assert disk["score"] == 4 and any(("File too large" in e or "No space left" in e) for e in disk["errors"]), \
        disk["errors"]


def test_answer_lookup_earns_nothing_for_that_task(run):
    r = run.results["answer_lookup.ipynb"]
    sigmoid = _task(r, "01_sigmoid-check_sigmoid")
    assert sigmoid["points"] == 0 and "uses the course's own `acts.sigmoid`" in " ".join(sigmoid["feedback"].split())
    assert sigmoid["status"].startswith("answer lookup")
    assert _task(r, "01_sigmoid-check_sigmoid_derivative")["points"] == 2   # its own derivative still counts
    assert run.results["solution_02_tanh.ipynb"]["score"] == 4   # an earlier task's reference stays allowed
