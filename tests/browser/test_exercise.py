"""An exercise as a learner does it, in JupyterLab.

1. Open an untouched exercise and Run All: the tagged check cells do not stop it, execution reaches the last
   cell, and every check says "not implemented yet".
2. Put a correct solution (from solutions/, the single source) into the first task's cell through the browser,
   run it and its check: "All visible checks passed".
3. Put a wrong solution there (the correct one with its result scaled by 0.5): the feedback says which checks
   failed and names each failing case, with input, expected and actual values.

The exercise is exercises/01_sigmoid.ipynb when it exists (ACTS_BROWSER_EXERCISE=NN_topic picks another),
otherwise the first one; the test skips only when there are no exercises at all.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
SOLUTION_MARKERS = re.compile(r"^\s*### (BEGIN|END) SOLUTION\s*$")


def pick_exercise() -> str | None:
    names = sorted(p.stem for p in (REPO / "exercises").glob("*.ipynb"))
    wanted = os.environ.get("ACTS_BROWSER_EXERCISE", "01_sigmoid")
    if wanted in names:
        return wanted
    return next((n for n in names if (REPO / "solutions" / f"{n}.ipynb").exists()), None)


def nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def first_task(name: str):
    """(index of the solution cell, index of its check cell) among the exercise's code cells, the correct
    source (from the solution notebook, markers removed), the check's function name and the defined name."""
    exercise = nbformat.read(REPO / "exercises" / f"{name}.ipynb", as_version=4)
    solution = nbformat.read(REPO / "solutions" / f"{name}.ipynb", as_version=4)
    code = [c for c in exercise.cells if c.cell_type == "code"]
    sol = next(i for i, c in enumerate(code) if nbgrader(c).get("solution"))
    check = next(i for i, c in enumerate(code) if i > sol and nbgrader(c).get("grade"))
    grade_id = nbgrader(code[sol])["grade_id"]
    solution_code = [c for c in solution.cells if c.cell_type == "code"]
    at = next(i for i, c in enumerate(solution_code) if nbgrader(c).get("grade_id") == grade_id)
    correct = strip_markers(solution_code[at].source)
    task = re.search(r"acts\.check\.(?:fresh\(\)\.)?(\w+)\(", code[check].source).group(1)
    defined = re.search(r"^def (\w+)\(", correct, re.M).group(1)
    # what the kernel holds when the learner reaches the task (imports, helpers from earlier cells)
    context = [strip_markers(c.source) for c in solution_code[:at] if not nbgrader(c).get("grade")]
    return sol, check, correct, task, defined, context


def strip_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if not SOLUTION_MARKERS.match(line)) + "\n"


def make_wrong(correct: str) -> str:
    """The correct code with its last ``return`` scaled by 0.5: plausible, runs, and gives wrong values."""
    lines = correct.rstrip("\n").splitlines()
    last = max(i for i, line in enumerate(lines) if line.lstrip().startswith("return "))
    indent, expression = lines[last].split("return ", 1)
    expression = expression.split("  #")[0].rstrip()
    lines[last] = f"{indent}return 0.5 * ({expression})  # slip: half the right value"
    return "\n".join(lines) + "\n"


def failing_cases(source: str, defined: str, task: str, context=()) -> list[str]:
    """Run the check on ``source`` here, in-process, after the ``context`` cells: the names of the cases it
    fails (the browser must show them)."""
    import acts.check

    namespace = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for cell in context:
            try:
                exec(compile(cell, "<earlier cell>", "exec"), namespace)
            except Exception:  # a demo cell that raises (tagged raises-exception in the notebook)
                pass
        exec(compile(source, "<solution>", "exec"), namespace)
        try:
            getattr(acts.check, task)(namespace[defined])
        except acts.check.CheckFailed as exc:
            return [case.name for case in exc.feedback.failed]
    return []


def output_text(cell) -> str:
    return "\n".join(cell.locator(".jp-OutputArea-output").all_inner_texts())


EXERCISE = pick_exercise()


@pytest.mark.skipif(EXERCISE is None, reason="no exercises/*.ipynb (with a solution) yet")
def test_learner_solves_an_exercise(lab_window, shoot):
    sol, check, correct, task, defined, context = first_task(EXERCISE)
    wrong = make_wrong(correct)
    assert failing_cases(correct, defined, task, context) == [], f"the solution fails acts.check.{task} here"
    expected_failures = failing_cases(wrong, defined, task, context)
    assert expected_failures, f"the wrong solution must fail acts.check.{task}:\n{wrong}"

    page = lab_window.open(f"exercises/{EXERCISE}.ipynb")
    try:
        page.wait_ready()
        # 1. untouched: Run All reaches the last cell; each check says "not implemented yet"
        page.run_all()
        page.wait_execution_done(timeout=120)
        shoot(page.page, f"exercise-{EXERCISE}-1-run-all")
        page.save()
        nb = page.saved_notebook()
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert code[-1].execution_count is not None, "Run All stopped before the last code cell"
        checks = [c for c in code if nbgrader(c).get("grade")]
        assert checks, "the exercise has no check cells"
        for c in checks:
            shown = "\n".join(o.get("evalue", "") + "\n".join(o.get("traceback", [])) for o in c.outputs)
            assert "not implemented yet" in shown, f"check cell {c.source!r} shows {shown[:300]!r}"
        assert "not implemented yet" in output_text(page.code_cell(check))

        # 2. a correct solution, typed into the task's cell, then its check
        solution_cell, check_cell = page.code_cell(sol), page.code_cell(check)
        page.replace_source(solution_cell, correct)
        page.run_cell_and_wait(solution_cell)
        page.run_cell_and_wait(check_cell)
        check_cell.scroll_into_view_if_needed()
        shoot(page.page, f"exercise-{EXERCISE}-2-correct")
        text = output_text(check_cell)
        assert "All visible checks passed" in text, f"a correct {defined} did not pass its check:\n{text[:1500]}"

        # 3. a wrong solution: the failure feedback names every failing case
        page.replace_source(solution_cell, wrong)
        page.run_cell_and_wait(solution_cell)
        page.run_cell_and_wait(check_cell)
        check_cell.scroll_into_view_if_needed()
        shoot(page.page, f"exercise-{EXERCISE}-3-wrong")
        text = output_text(check_cell)
        assert "checks failed" in text and "All visible checks passed" not in text, text[:1500]
        for case in expected_failures:
            # feedback lines wrap at word boundaries, so compare with the whitespace folded
            assert " ".join(case.split()) in " ".join(text.split()), \
                f"the feedback does not name the failing case {case!r}:\n{text[:1500]}"
        assert "expected" in text and "actual" in text, f"no expected/actual values shown:\n{text[:1500]}"
        assert "Traceback" not in text, f"the learner sees a traceback instead of feedback:\n{text[:1500]}"
    finally:
        page.close()
