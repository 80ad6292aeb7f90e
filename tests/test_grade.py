"""The autograder: full marks for solutions, 0 with "not implemented" for untouched exercises, and every kind of
bad or gaming submission gets a clear reason and a score, never a crash; submission files are never modified.

All notebooks are graded in ONE grader call (kernels in parallel, short per-cell timeout) to keep this quick.
"""

import copy
import hashlib
import json
import shutil
from pathlib import Path

import nbformat
import pytest

from acts import grade

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
SIGMOID = ROOT / "solutions" / "01_sigmoid.ipynb"
TIMEOUT = 6


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _with(task_source=None, extra=None, *, check_source=None, drop=(), metadata=True):
    """01_sigmoid's solution with the sigmoid cell replaced, extra cells appended, checks edited or dropped."""
    nb = nbformat.read(SIGMOID, 4)
    if task_source is not None:
        _cell(nb, "01_sigmoid-sigmoid").source = task_source
    if check_source is not None:
        _cell(nb, "01_sigmoid-check_sigmoid").source = check_source
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in drop]
    for source in extra or ():
        nb.cells.append(nbformat.v4.new_code_cell(source))
    if not metadata:
        nb.metadata.pop("acts")
    return nbformat.writes(nb)


WRONG_SIGMOID = "def sigmoid(x):\n    return np.zeros_like(np.asarray(x, dtype=float))"
FAKE_SUCCESS = ('from IPython.display import display\nprint("sigmoid: All visible checks passed (4 checks)")\n'
                'display({"application/x-acts-grade+json": \'{"token": "guess", "grade_id": '
                '"01_sigmoid-check_sigmoid", "passed": true, "feedback": ""}\'}, raw=True)')

SUBMISSIONS = {
    "invalid_json.ipynb": "{ this is not json",
    "empty.ipynb": "",
    "not_a_notebook.ipynb": json.dumps({"hello": "world"}),
    "no_cells.ipynb": nbformat.writes(nbformat.v4.new_notebook(metadata={"acts": {"assignment": "01_sigmoid"}})),
    "missing_task.ipynb": _with(drop=("01_sigmoid-sigmoid_derivative", "01_sigmoid-check_sigmoid_derivative")),
    "syntax_error.ipynb": _with("def sigmoid(x):\n    return (1 +"),
    "exception.ipynb": _with("def sigmoid(x):\n    return 1 / 0"),
    "infinite_loop.ipynb": _with(extra=["while True:  # deaf to interrupts\n    try:\n        pass\n"
                                        "    except BaseException:\n        pass"]),
    "kills_kernel.ipynb": _with(extra=["import os\nos._exit(1)"]),
    "huge_output.ipynb": _with(extra=["for i in range(100_000):\n    print('spam ' * 10, i)"]),
    "wrong_type.ipynb": _with("def sigmoid(x):\n    return [0.5 for _ in np.ravel(x)]"),
    "wrong_shape.ipynb": _with("def sigmoid(x):\n    return acts.sigmoid(np.ravel(x))"),
    "nan_result.ipynb": _with("def sigmoid(x):\n    return np.full(np.shape(x), np.nan)"),
    "prints_success.ipynb": _with(WRONG_SIGMOID, [FAKE_SUCCESS]),
    "edits_check.ipynb": _with(WRONG_SIGMOID, check_source='print("All visible checks passed")',
                               drop=("01_sigmoid-check_sigmoid_derivative",)),
    "patches_acts_check.ipynb": _with(WRONG_SIGMOID, [
        "import acts.check\nacts.check.sigmoid = lambda *a, **k: 'All visible checks passed'\n"
        "acts.check.Feedback.passed = property(lambda self: True)\n"
        "acts.check.CheckFailed = type('CheckFailed', (Exception,), {})\nacts.sigmoid = sigmoid\n"
        "import acts.functions\nacts.functions.sigmoid = sigmoid"]),
    "patches_builtins.ipynb": _with(WRONG_SIGMOID, [
        "import builtins, numpy\nbuiltins.isinstance = lambda *a: True\nbuiltins.all = lambda *a: True\n"
        "builtins.bool = lambda *a: True\nbuiltins.abs = lambda *a: 0\n"
        "numpy.allclose = lambda *a, **k: True\nnumpy.isfinite = lambda *a, **k: numpy.array(True)"]),
    "writes_files.ipynb": _with(extra=[
        "from pathlib import Path\nimport acts.check\n"
        "for p in list(Path('.').iterdir()) + list(Path('..').iterdir()):\n"
        "    if p.is_file():\n        p.write_text('overwritten')\n"
        "Path(acts.check.__file__).write_text('raise SystemExit')"]),
    "renamed_without_metadata.ipynb": _with(metadata=False),
    "cells_are_strings.ipynb": json.dumps({"cells": ["print(1)"], "metadata": {}, "nbformat": 4,
                                           "nbformat_minor": 5}),
}


def _mangled():
    data = json.loads(_with())
    for cell in data["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid == "01_sigmoid-sigmoid":
            cell["metadata"]["nbgrader"] = "broken"
        elif gid == "01_sigmoid-check_sigmoid":
            cell["metadata"]["nbgrader"]["grade_id"] = ["not", "a", "string"]
    return json.dumps(data)


SUBMISSIONS["mangled_metadata.ipynb"] = _mangled()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """Grade everything in one call: solutions, untouched exercises and the bad submissions."""
    folder = tmp_path_factory.mktemp("class")
    for name, text in SUBMISSIONS.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "notes.txt").write_text("a neighbour that must survive")
    copies = tmp_path_factory.mktemp("copies")
    paths = []
    for kind, sources in (("solution", SOLUTIONS), ("exercise", EXERCISES)):
        for src in sources:
            paths.append(copies / f"{kind}_{src.name}")  # any file name: recognised from the notebook
            shutil.copy(src, paths[-1])
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in [*folder.iterdir(), *paths]}
    report, gradebook = folder.parent / "report.json", folder.parent / "grades.csv"
    code = grade.main([str(folder), *map(str, paths), "--json", str(report), "--csv", str(gradebook),
                       "--timeout", str(TIMEOUT), "--jobs", "2"])
    assert code == 0
    assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in before} == before  # never modified
    assert "raise SystemExit" not in (ROOT / "acts" / "check.py").read_text()  # the kernel wrote to a copy
    results = {Path(r["file"]).name: r for r in json.loads(report.read_text())}
    return results, gradebook


def _task(result, grade_id):
    return next(t for t in result["tasks"] if t["grade_id"] == grade_id)


def test_report_fields(graded):
    results, _ = graded
    for r in results.values():
        assert {"score", "max_score", "tasks", "errors", "file", "assignment"} <= set(r)
        assert isinstance(r["errors"], list)
        for t in r["tasks"]:
            assert {"grade_id", "points", "max_points", "feedback"} <= set(t)
        assert r["score"] == sum(t["points"] for t in r["tasks"])


def test_solutions_get_full_marks(graded):
    results, _ = graded
    for src in SOLUTIONS:
        r = results[f"solution_{src.name}"]
        assert r["assignment"] == src.stem and r["errors"] == []
        assert r["score"] == r["max_score"] > 0, r
        assert all("All visible checks passed" in t["feedback"] for t in r["tasks"])


def test_untouched_exercises_get_zero_with_not_implemented(graded):
    results, _ = graded
    for src in EXERCISES:
        r = results[f"exercise_{src.name}"]
        assert r["assignment"] == src.stem and r["score"] == 0 and r["max_score"] > 0
        assert all("not implemented yet" in t["feedback"] for t in r["tasks"])


@pytest.mark.parametrize("name,reason", [
    ("invalid_json.ipynb", "invalid JSON"),
    ("empty.ipynb", "empty file"),
    ("not_a_notebook.ipynb", "not a notebook"),
    ("no_cells.ipynb", "no cells"),
])
def test_unreadable_submissions(graded, name, reason):
    r = graded[0][name]
    assert r["score"] == 0 and reason in " ".join(r["errors"])
    assert r["assignment"] == "01_sigmoid" and r["max_score"] == 4  # the class folder's assignment


def test_cells_that_are_not_cells(graded):
    r = graded[0]["cells_are_strings.ipynb"]
    assert r["score"] == 0 and "not a notebook" in " ".join(r["errors"])


def test_mangled_metadata_is_graded_with_a_reason(graded):
    r = graded[0]["mangled_metadata.ipynb"]
    assert r["score"] == 4 and not any("grader error" in e for e in r["errors"])
    assert any("metadata removed" in e for e in r["errors"])


def test_missing_task(graded):
    r = graded[0]["missing_task.ipynb"]
    assert r["score"] == 2 and r["max_score"] == 4
    assert any("task `sigmoid_derivative` (01_sigmoid-sigmoid_derivative) is missing" in e for e in r["errors"])
    assert "not defined" in _task(r, "01_sigmoid-check_sigmoid_derivative")["feedback"]


def test_syntax_error(graded):
    r = graded[0]["syntax_error.ipynb"]
    assert r["score"] == 0 and any("SyntaxError" in e for e in r["errors"])


def test_exception(graded):
    r = graded[0]["exception.ipynb"]
    assert r["score"] == 0 and "raised ZeroDivisionError" in _task(r, "01_sigmoid-check_sigmoid")["feedback"]


@pytest.mark.parametrize("name,reason", [
    ("infinite_loop.ipynb", f"exceeded the time limit of {TIMEOUT} s"),
    ("kills_kernel.ipynb", "stopped the kernel"),
    ("huge_output.ipynb", "output truncated"),
])
def test_runaway_cells_are_skipped_and_the_rest_graded(graded, name, reason):
    r = graded[0][name]
    assert r["score"] == 4, r
    assert any(reason in e for e in r["errors"]), r["errors"]
    assert len(json.dumps(r)) < 20_000


@pytest.mark.parametrize("name,message", [
    ("wrong_type.ipynb", "list"),
    ("wrong_shape.ipynb", "shape (3, 4)"),
    ("nan_result.ipynb", "nan"),
])
def test_wrong_results(graded, name, message):
    r = graded[0][name]
    feedback = _task(r, "01_sigmoid-check_sigmoid")["feedback"]
    assert _task(r, "01_sigmoid-check_sigmoid")["points"] == 0 and message in feedback


@pytest.mark.parametrize("name", ["prints_success.ipynb", "edits_check.ipynb", "patches_acts_check.ipynb",
                                  "patches_builtins.ipynb"])
def test_gaming_does_not_pay(graded, name):
    r = graded[0][name]
    sigmoid = _task(r, "01_sigmoid-check_sigmoid")
    assert sigmoid["points"] == 0 and "checks failed" in sigmoid["feedback"], r
    assert "values" in sigmoid["feedback"]


def test_deleted_check_is_restored(graded):
    r = graded[0]["edits_check.ipynb"]
    assert any("check_sigmoid_derivative was missing: restored" in e for e in r["errors"])
    assert _task(r, "01_sigmoid-check_sigmoid_derivative")["points"] == 0  # uses the wrong sigmoid


def test_writing_files_touches_only_the_temporary_copy(graded):
    r = graded[0]["writes_files.ipynb"]
    assert r["score"] == 4, r


def test_recognised_without_metadata(graded):
    r = graded[0]["renamed_without_metadata.ipynb"]
    assert r["assignment"] == "01_sigmoid" and r["score"] == 4


def test_gradebook_csv(graded):
    import csv

    results, gradebook = graded
    rows = list(csv.DictReader(gradebook.open()))
    assert len(rows) == len(results)
    row = next(r for r in rows if r["file"].endswith("missing_task.ipynb"))
    assert row["assignment"] == "01_sigmoid" and float(row["score"]) == 2 and float(row["max_score"]) == 4
    assert float(row["01_sigmoid-check_sigmoid"]) == 2 and float(row["01_sigmoid-check_sigmoid_derivative"]) == 0
    assert "missing" in row["errors"]


def test_single_submission_gives_one_object(tmp_path, capsys):
    bad = tmp_path / "student.ipynb"
    bad.write_text("")
    out = tmp_path / "r.json"
    assert grade.main([str(bad), "--assignment", "02_tanh", "--json", str(out)]) == 0
    r = json.loads(out.read_text())
    assert isinstance(r, dict) and r["assignment"] == "02_tanh" and r["score"] == 0 and r["max_score"] == 4
    assert "empty file" in capsys.readouterr().out


@pytest.mark.parametrize("args", [["no/such/file.ipynb"], [str(SIGMOID), "--assignment", "99_nothing"],
                                  [str(SIGMOID), "--timeout", "0"], []])
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


def test_plan_restores_checks_in_place():
    a = grade.load_assignments()["01_sigmoid"]
    nb = nbformat.reads(_with(drop=("01_sigmoid-check_sigmoid",)), 4)
    errors = []
    plan = grade._plan(copy.deepcopy(nb), a, errors)
    kinds = [step.kind for step in plan]
    i = kinds.index("check")
    assert plan[i][:2] == ("check", "01_sigmoid-check_sigmoid") and "def sigmoid" in plan[i - 1].payload
    assert plan[i - 1].where.startswith("the cell of task `sigmoid` (cell ")
    assert errors == ["check cell 01_sigmoid-check_sigmoid was missing: restored from the solution"]


def test_syntax_error_names_the_task_cell(graded):
    errors = " ".join(graded[0]["syntax_error.ipynb"]["errors"])
    assert "the cell of task `sigmoid` (cell " in errors and ", counting all cells from 1) raised SyntaxError" in errors
    assert "code cell" not in errors


def test_errors_name_cells_counting_all_cells(graded):
    nb = nbformat.read(ROOT / "exercises" / "01_sigmoid.ipynb", 4)
    number, cell = next((i, c) for i, c in enumerate(nb.cells, 1)
                        if c.cell_type == "code" and c.source.startswith("print(sigmoid("))
    errors = graded[0]["exercise_01_sigmoid.ipynb"]["errors"]
    assert f"cell {number} (counting all cells from 1, which starts `print(sigmoid(" in errors[0]
    assert errors[0].endswith("calls a function that is not implemented yet (expected until its task is done)")
    relu = " ".join(graded[0]["exercise_03_relu.ipynb"]["errors"])
    assert "NBVAL" not in relu and "which starts `" in relu


def _table(results):
    import io

    stream = io.StringIO()
    grade.print_table([grade.Result(**r) for r in results], stream=stream)
    return stream.getvalue()


def test_table_shows_each_task_status_and_points(graded):
    results, _ = graded
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
