"""exercises/ is generated from solutions/: in sync, free of answers, runnable as shipped.

That nbgrader releases the same notebooks is tested by the instructor guide's round trip
(tests/test_instructor_guide.py), which releases every assignment with nbgrader.
"""

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from acts import exercises as ex

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
NAMES = [p.name for p in SOLUTIONS]


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The exercises as `make exercises` would write them, regenerated into a temporary folder."""
    out = tmp_path_factory.mktemp("exercises")
    for path in SOLUTIONS:
        assert ex.generate(path, out) == "written"
    return out


def test_every_solution_has_an_exercise():
    assert len(SOLUTIONS) >= 5
    assert sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_committed_exercise_matches_its_solution(name, generated):
    committed = ex.committed_text(ROOT / "exercises" / name)
    assert committed is not None, f"exercises/{name} is not committed"
    assert (generated / name).read_text(encoding="utf-8") == committed, (
        f"exercises/{name} is out of date: run `make exercises` (FORCE=1 if you edited it) and commit")


@pytest.mark.parametrize("name", NAMES)
def test_no_solution_or_hidden_test_line_in_the_exercise(name, generated):
    solution = nbformat.read(ROOT / "solutions" / name, as_version=4)
    exercise = nbformat.read(generated / name, as_version=4)
    secret = set()
    for cell in solution.cells:
        for begin, end in ((ex.BEGIN_SOLUTION, ex.END_SOLUTION), (ex.BEGIN_HIDDEN, ex.END_HIDDEN)):
            secret |= {line.strip() for line in ex.region_lines(cell.source, begin, end) if line.strip()}
    assert secret, "a solution without solution regions"
    shipped = {line.strip() for cell in exercise.cells for line in cell.source.splitlines()}
    assert not secret & shipped
    text = (generated / name).read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "hidden=True" not in text


@pytest.mark.parametrize("name", NAMES)
def test_exercise_structure(name, generated):
    nb = nbformat.read(generated / name, as_version=4)
    assert nb.metadata["acts"]["assignment"] == name[:-6]
    ids = [ex.nbgrader_meta(c)["grade_id"] for c in nb.cells if ex.nbgrader_meta(c)]
    assert all(i.startswith(name[:-6] + "-") for i in ids) and len(ids) == len(set(ids))
    checks = [c for c in nb.cells if ex.is_check(c)]
    assert checks and all(ex.nbgrader_meta(c)["points"] > 0 for c in checks)
    assert all("raises-exception" in c.metadata.get("tags", []) for c in checks)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
        if ex.is_solution(cell):
            assert "raise NotImplementedError()" in cell.source
            assert "raises-exception" not in cell.metadata.get("tags", [])


def test_grade_ids_are_unique_across_the_course():
    ids = [ex.nbgrader_meta(c)["grade_id"] for p in SOLUTIONS for c in nbformat.read(p, 4).cells
           if ex.nbgrader_meta(c)]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("name", NAMES)
def test_shipped_exercise_runs_and_says_not_implemented(name, generated):
    """Run All as nbval does: untagged cells must not raise; every check says "not implemented yet"."""
    nb = nbformat.read(generated / name, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "exercises")}}).execute()  # raises on untagged errors
    for cell in nb.cells:
        if ex.is_check(cell):
            errors = [o for o in cell.outputs if o.output_type == "error"]
            assert len(errors) == 1 and errors[0].ename == "NotImplementedYet"
            assert errors[0].evalue.endswith(": not implemented yet")
            assert errors[0].traceback[0] == errors[0].evalue  # just the feedback lines, no traceback
            assert len(errors[0].traceback) == 3


def test_make_exercises_never_destroys_work(tmp_path):
    solution = SOLUTIONS[0]
    assert ex.generate(solution, tmp_path) == "written"
    assert ex.generate(solution, tmp_path) == "unchanged"
    target = tmp_path / solution.name
    nb = nbformat.read(target, 4)
    nb.cells[0].source += "\nmy notes"
    nbformat.write(nb, target)
    edited = target.read_text()
    assert ex.generate(solution, tmp_path).startswith("refused")
    assert target.read_text() == edited
    assert ex.main([str(solution), "--out", str(tmp_path)]) == 1
    assert target.read_text() == edited
    assert ex.generate(solution, tmp_path, force=True) == "written"
    assert target.read_text() != edited


def test_generator_rejects_broken_markers():
    with pytest.raises(ValueError, match="without"):
        ex.strip_regions("### BEGIN SOLUTION\nx = 1\n", ex.BEGIN_SOLUTION, ex.END_SOLUTION, ex.STUB)
    with pytest.raises(ValueError, match="without"):
        ex.strip_regions("x = 1\n### END SOLUTION\n", ex.BEGIN_SOLUTION, ex.END_SOLUTION, ex.STUB)
    source = "def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION"
    stubbed = ex.strip_regions(source, ex.BEGIN_SOLUTION, ex.END_SOLUTION, ex.STUB)
    assert stubbed == "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()"


def _solution(*cells):
    nb = nbformat.v4.new_notebook(cells=list(cells))
    return nb


def _code(source, **nbgrader):
    cell = nbformat.v4.new_code_cell(source)
    if nbgrader:
        cell.metadata["nbgrader"] = {"schema_version": 3, "locked": False, "task": False, "solution": False,
                                     "grade": False, **nbgrader}
    return cell


SOLUTION_CELL = dict(grade_id="t-f", solution=True)
CHECK_CELL = dict(grade_id="t-check_f", grade=True, points=1, locked=True)


@pytest.mark.parametrize("cells,message", [
    # a solution region in a plain cell would reach learners unchanged
    ([_code("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION")],
     "has a '### BEGIN SOLUTION' region but is not a solution cell"),
    ([nbformat.v4.new_markdown_cell("Answer:\n### BEGIN SOLUTION\n42\n### END SOLUTION")],
     "is not a solution cell"),
    # a hidden-test region outside a check cell
    ([_code("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION", **SOLUTION_CELL),
      _code("### BEGIN HIDDEN TESTS\nassert f(2) == 2\n### END HIDDEN TESTS")],
     "has a '### BEGIN HIDDEN TESTS' region but is not a check cell"),
    # a check cell without the tag: Run All would stop there in an nbgrader release
    ([_code("def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION", **SOLUTION_CELL),
      _code("acts.check.fresh().f(f)", **CHECK_CELL)],
     "lacks the 'raises-exception' tag"),
])
def test_generator_rejects_regions_outside_marked_cells_and_missing_tags(cells, message, tmp_path):
    with pytest.raises(ValueError, match=message) as info:
        ex.make_exercise(_solution(*cells), "t")
    assert "t: cell " in str(info.value)
    path = tmp_path / "solutions" / "09_bad.ipynb"
    path.parent.mkdir()
    nbformat.write(_solution(*cells), path)
    assert ex.main([str(path), "--out", str(tmp_path / "out")]) == 1  # a clear line on stderr, nothing written
    assert not (tmp_path / "out" / "09_bad.ipynb").exists()


@pytest.mark.parametrize("name", NAMES)
def test_nbgrader_scores_the_executed_solutions_full_without_warnings(name, caplog):
    """nbgrader's own scoring rule on the committed, executed solution: an error or stderr scores 0, an output value
    is read as a partial score ("treating other output as full credit" otherwise); our check cells leave neither."""
    utils = pytest.importorskip("nbgrader.utils")
    import logging

    nb = nbformat.read(ROOT / "solutions" / name, as_version=4)
    checks = [c for c in nb.cells if ex.is_check(c)]
    assert checks
    log = logging.getLogger("test_nbgrader_scoring")
    with caplog.at_level(logging.WARNING, logger=log.name):
        for cell in checks:
            assert not [o for o in cell.outputs if o.output_type in ("execute_result", "error")
                        or o.get("name") == "stderr"], ex.nbgrader_meta(cell)["grade_id"]
            points = float(ex.nbgrader_meta(cell)["points"])
            assert utils.determine_grade(cell, log) == (points, points)
    assert not caplog.records


@pytest.mark.parametrize("name", NAMES)
def test_exercise_prose_names_the_courses_python(name, generated):
    """A bare `python` may not be the course's environment: the prose says .venv/bin/python."""
    import re

    text = "\n".join(c.source for c in nbformat.read(generated / name, 4).cells if c.cell_type == "markdown")
    assert ".venv/bin/python -m acts.grade" in text
    assert not re.search(r"(?<![/\w])python -m", text)
