"""The autograder: full marks for solutions, 0 with "not implemented" for untouched exercises, and every kind of
bad submission gets a clear reason and a score, never a crash; submission files are never modified.

Every notebook is graded in ONE grader call shared with tests/test_grade_threats.py (tests/grading_class.py).
"""

import copy
import csv
import io
import json
from pathlib import Path

import nbformat
import pytest
from grading_class import EXERCISES, SIGMOID, SOLUTIONS, TIMEOUT, graded, with_cells

from acts import grade


@pytest.fixture(scope="module")
def results():
    return graded().results


def _task(result, grade_id):
    return next(t for t in result["tasks"] if t["grade_id"] == grade_id)


def _text(feedback: str) -> str:
    """Feedback with its line wrapping undone (checks wrap long lines at spaces)."""
    return " ".join(feedback.split())


def test_report_fields(results):
    for r in results.values():
        assert {"score", "max_score", "tasks", "errors", "file", "assignment", "student", "seed", "isolation"} <= set(r)
        assert isinstance(r["errors"], list)
        for t in r["tasks"]:
            assert {"grade_id", "points", "max_points", "feedback", "status", "checks", "checks_failed"} <= set(t)
        assert r["score"] == sum(t["points"] for t in r["tasks"])


def test_solutions_get_full_marks(results):
    for src in SOLUTIONS:
        r = results[f"solution_{src.name}"]
        assert r["assignment"] == src.stem and r["errors"] == [], r["errors"]
        assert r["score"] == r["max_score"] > 0, r
        for t in r["tasks"]:
            assert "All visible checks passed" in _text(t["feedback"])
            assert "All hidden checks passed" in _text(t["feedback"])


def test_untouched_exercises_get_zero_with_not_implemented(results):
    for src in EXERCISES:
        r = results[f"exercise_{src.name}"]
        assert r["assignment"] == src.stem and r["score"] == 0 and r["max_score"] > 0
        assert all("not implemented yet" in _text(t["feedback"]) for t in r["tasks"])
        assert all(t["status"] == "not implemented yet" for t in r["tasks"])


@pytest.mark.parametrize("name,reason", [
    ("invalid_json.ipynb", "invalid JSON"),
    ("empty.ipynb", "empty file"),
    ("not_a_notebook.ipynb", "not a notebook"),
    ("no_cells.ipynb", "no cells"),
])
def test_unreadable_submissions(results, name, reason):
    r = results[name]
    assert r["score"] == 0 and reason in " ".join(r["errors"])
    assert r["assignment"] == "01_sigmoid" and r["max_score"] == 4  # the class folder's assignment


def test_cells_that_are_not_cells(results):
    r = results["cells_are_strings.ipynb"]
    assert r["score"] == 0 and "not a notebook" in " ".join(r["errors"])


def test_mangled_metadata_is_graded_with_a_reason(results):
    r = results["mangled_metadata.ipynb"]
    assert r["score"] == 4 and not any("grader error" in e for e in r["errors"])
    assert any("metadata removed" in e for e in r["errors"])


def test_missing_task(results):
    r = results["missing_task.ipynb"]
    assert r["score"] == 2 and r["max_score"] == 4
    assert any("task `sigmoid_derivative` (01_sigmoid-sigmoid_derivative) is missing" in e for e in r["errors"])
    task = _task(r, "01_sigmoid-check_sigmoid_derivative")
    assert "not defined" in _text(task["feedback"]) and task["status"].startswith("not run: ")


def test_syntax_error(results):
    r = results["syntax_error.ipynb"]
    assert any("SyntaxError" in e for e in r["errors"])
    # the sigmoid cell does not parse: its task scores 0; the derivative task, written from the quotient rule
    # without calling sigmoid, still counts
    assert _task(r, "01_sigmoid-check_sigmoid")["points"] == 0 and r["score"] == 2


def test_exception(results):
    r = results["exception.ipynb"]
    task = _task(r, "01_sigmoid-check_sigmoid")
    assert task["points"] == 0 and "raised ZeroDivisionError" in _text(task["feedback"])


@pytest.mark.parametrize("name,reason", [
    ("infinite_loop.ipynb", "did not stop when interrupted"),
    ("kills_kernel.ipynb", "stopped the kernel"),
    ("huge_output.ipynb", "output truncated"),
    ("loop_after_def.ipynb", f"exceeded the time limit of {TIMEOUT} s: interrupted there"),
])
def test_runaway_cells_are_stopped_and_the_rest_graded(results, name, reason):
    r = results[name]
    assert r["score"] == 4, r
    assert any(reason in e for e in r["errors"]), r["errors"]
    assert len(json.dumps(r)) < 20_000


def test_a_function_that_never_returns_costs_only_its_task(results):
    r = results["endless_derivative.ipynb"]
    assert r["score"] == 2 and _task(r, "01_sigmoid-check_sigmoid")["points"] == 2
    # stopped by the grader's per-cell limit in the kernel, or by the check's own time limit per call
    stopped = any("check `sigmoid_derivative` exceeded the time limit" in e for e in r["errors"]) or \
        "did not return within" in _text(_task(r, "01_sigmoid-check_sigmoid_derivative")["feedback"])
    assert stopped, r


@pytest.mark.parametrize("name,message", [
    ("wrong_type.ipynb", "list"),
    ("wrong_shape.ipynb", "shape (3, 4)"),
    ("nan_result.ipynb", "nan"),
])
def test_wrong_results(results, name, message):
    task = _task(results[name], "01_sigmoid-check_sigmoid")
    assert task["points"] == 0 and message in _text(task["feedback"])
    assert task["status"].startswith("failing: ") and "checks failed" in task["status"]


def test_failing_status_counts_every_check(results):
    task = _task(results["nan_result.ipynb"], "01_sigmoid-check_sigmoid")
    assert task["checks"] > 1 and 1 <= task["checks_failed"] <= task["checks"]
    assert f"{task['checks_failed']} of {task['checks']} checks failed" in task["status"]


def test_deleted_check_is_restored(results):
    r = results["edits_check.ipynb"]
    assert any("check_sigmoid_derivative was missing: restored" in e for e in r["errors"])
    # restored and run: the derivative (from the quotient rule, not from sigmoid) is right, the sigmoid wrong
    assert _task(r, "01_sigmoid-check_sigmoid_derivative")["points"] == 2
    assert _task(r, "01_sigmoid-check_sigmoid")["points"] == 0


def test_recognised_without_metadata(results):
    r = results["renamed_without_metadata.ipynb"]
    assert r["assignment"] == "01_sigmoid" and r["score"] == 4


def test_nbgrader_layout_gives_the_student(results):
    ada = results["submitted/ada/01_sigmoid/01_sigmoid.ipynb"]
    ben = results["submitted/ben/01_sigmoid/01_sigmoid.ipynb"]
    # ben: the sigmoid wrong, the derivative right
    assert (ada["student"], ada["score"]) == ("ada", 4) and (ben["student"], ben["score"]) == ("ben", 2)
    assert results["solution_01_sigmoid.ipynb"]["student"] == ""
    stdout = graded().stdout
    assert "ada (01_sigmoid.ipynb)  (01_sigmoid): 4 / 4 points" in stdout
    assert any(line.split()[:2] == ["ben", "01_sigmoid.ipynb"] for line in stdout.splitlines())


def test_gradebook_csv(results):
    rows = list(csv.DictReader(graded().gradebook.open()))
    assert len(rows) == len(results)
    row = next(r for r in rows if r["file"].endswith("missing_task.ipynb"))
    assert row["assignment"] == "01_sigmoid" and float(row["score"]) == 2 and float(row["max_score"]) == 4
    assert float(row["01_sigmoid-check_sigmoid"]) == 2 and float(row["01_sigmoid-check_sigmoid_derivative"]) == 0
    assert "missing" in row["errors"]
    wrong = next(r for r in rows if r["file"].endswith("wrong_shape.ipynb"))
    assert wrong["failing"].startswith("sigmoid: failing: ") and "checks failed" in wrong["failing"]
    assert next(r for r in rows if r["file"].endswith("ada/01_sigmoid/01_sigmoid.ipynb"))["student"] == "ada"


def test_report_says_which_isolation_and_seed(results):
    run = graded()
    seeds = {r["seed"] for r in results.values()}
    assert len(seeds) == 1 and isinstance(seeds.pop(), int)
    kinds = {r["isolation"]["sandbox"] for r in results.values()}
    assert len(kinds) == 1 and kinds <= {"bubblewrap", "processes"}
    assert "isolation: " in run.stdout and "--seed " in run.stdout
    assert "ETA" in run.stderr and "[1/" in run.stderr


def test_single_submission_gives_one_object(tmp_path, capsys):
    bad = tmp_path / "student.ipynb"
    bad.write_text("")
    out = tmp_path / "r.json"
    assert grade.main([str(bad), "--assignment", "02_tanh", "--json", str(out)]) == 0
    r = json.loads(out.read_text())
    assert isinstance(r, dict) and r["assignment"] == "02_tanh" and r["score"] == 0 and r["max_score"] == 4
    assert "empty file" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["no/such/file.ipynb"], [str(SIGMOID), "--assignment", "99_nothing"],
                                  [str(SIGMOID), "--timeout", "0"], [str(SIGMOID), "--jobs", "0"], []])
def test_usage_errors_exit_2(args):
    with pytest.raises(SystemExit) as info:
        grade.main(args)
    assert info.value.code == 2


def test_empty_folder_is_a_usage_error(tmp_path):
    with pytest.raises(SystemExit) as info:
        grade.main([str(tmp_path)])
    assert info.value.code == 2


def test_unknown_notebook_gets_a_reason(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")])
    path = tmp_path / "mystery.ipynb"
    nbformat.write(nb, path)
    result = grade.grade_one(path, grade.load_assignments(), None, 5)
    assert result.score == 0 and "cannot tell which assignment" in " ".join(result.errors)


def test_plan_leaves_out_check_cells_and_names_missing_ones():
    a = grade.load_assignments()["01_sigmoid"]
    nb = nbformat.reads(with_cells(drop=("01_sigmoid-check_sigmoid",)), 4)
    errors = []
    cells = grade.plan_cells(copy.deepcopy(nb), a, errors)
    assert not any("acts.check." in c["source"] for c in cells)
    assert any(c["where"].startswith("the cell of task `sigmoid` (cell ") for c in cells)
    assert errors == ["check cell 01_sigmoid-check_sigmoid was missing: restored from the solution"]


def test_check_cells_become_data():
    a = grade.load_assignments()["05_softmax"]
    cell = a.checks["05_softmax-check_softmax"]
    assert cell.points == 2 and cell.specs == [
        {"function": "softmax", "args": [{"name": "softmax"}], "kwargs": {"hidden": True}},
        {"function": "softmax", "args": [{"name": "softmax"}], "kwargs": {}}]
    assert grade.check_calls("acts.check.fresh().softmax(softmax, hidden=True)", "here") == cell.specs[:1]
    with pytest.raises(ValueError, match="only acts.check"):
        grade.check_calls("import os\nos.system('x')", "here")


def test_syntax_error_names_the_task_cell(results):
    errors = " ".join(results["syntax_error.ipynb"]["errors"])
    assert "the cell of task `sigmoid` (cell " in errors and ", counting all cells from 1) raised SyntaxError" in errors
    assert "code cell" not in errors


def test_errors_name_cells_counting_all_cells(results):
    nb = nbformat.read(SOLUTIONS[0].parent.parent / "exercises" / "01_sigmoid.ipynb", 4)
    number, cell = next((i, c) for i, c in enumerate(nb.cells, 1)
                        if c.cell_type == "code" and c.source.startswith("print(sigmoid("))
    errors = results["exercise_01_sigmoid.ipynb"]["errors"]
    assert f"cell {number} (counting all cells from 1, which starts `print(sigmoid(" in errors[0]
    assert errors[0].endswith("calls a function that is not implemented yet (expected until its task is done)")
    relu = " ".join(results["exercise_03_relu.ipynb"]["errors"])
    assert "NBVAL" not in relu and "which starts `" in relu


def _table(results):
    stream = io.StringIO()
    grade.print_table([grade.Result(**r) for r in results], stream=stream)
    return stream.getvalue()


def test_table_shows_each_task_status_and_points(results):
    exercise = _table([results["exercise_01_sigmoid.ipynb"]]).splitlines()
    assert exercise[0] == "exercise_01_sigmoid.ipynb  (01_sigmoid): 0 / 4 points"
    assert exercise[1].split() == ["✗", "sigmoid", "0", "/", "2", "not", "implemented", "yet"]
    assert exercise[2].split() == ["✗", "sigmoid_derivative", "0", "/", "2", "not", "implemented", "yet"]
    assert exercise[3].startswith("  note: cell ")
    solution = _table([results["solution_01_sigmoid.ipynb"]]).splitlines()
    assert solution[1].split() == ["✓", "sigmoid", "2", "/", "2", "done"]
    assert solution[2].split() == ["✓", "sigmoid_derivative", "2", "/", "2", "done"]
    wrong = _table([results["wrong_shape.ipynb"]]).splitlines()
    assert wrong[1].split()[:6] == ["✗", "sigmoid", "0", "/", "2", "failing:"] and "checks failed" in wrong[1]
    everything = _table(list(results.values()))
    assert "submission" in everything and "1 of 2 tasks" in everything and "run that task's check cell" in everything
    for r in results.values():
        for t in r["tasks"]:
            assert t["status"] == "done" if t["passed"] else t["status"] != "done"


def test_recognition_is_deterministic(tmp_path):
    """A notebook sharing as many grade_ids with two assignments goes to the one its file name names, else to
    the first in alphabetical order, whatever the hash seed."""
    a = grade.load_assignments()
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("", metadata={"nbgrader": {"grade_id": "02_tanh-tanh"}}),
        nbformat.v4.new_code_cell("", metadata={"nbgrader": {"grade_id": "01_sigmoid-sigmoid"}})])
    assert grade.recognise(nb, Path("work.ipynb"), a) == "01_sigmoid"
    assert grade.recognise(nb, Path("my_02_tanh.ipynb"), a) == "02_tanh"
    assert grade.recognise(None, Path("submitted/cy/03_relu/anything.ipynb"), a) == "03_relu"
