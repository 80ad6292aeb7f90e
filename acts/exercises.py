"""Generate exercises/NN_topic.ipynb from solutions/NN_topic.ipynb (``make exercises``).

    python -m acts.exercises                       # every solution -> exercises/, refusing to destroy work
    python -m acts.exercises --force               # overwrite exercises that differ from git HEAD
    python -m acts.exercises --out /tmp/ex solutions/01_sigmoid.ipynb

The solution notebook is the single source (nbgrader's format, so ``nbgrader generate_assignment`` accepts it):

- notebook metadata ``acts: {assignment: "NN_topic"}`` (the file name without .ipynb);
- a **solution cell** per graded function: metadata ``nbgrader: {grade: false, grade_id: "NN_topic-name",
  locked: false, schema_version: 3, solution: true, task: false}``; the answer sits between
  ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (keep the ``def`` line, docstring and comments outside, so the
  learner sees the signature). In the exercise the region becomes ``# YOUR CODE HERE`` /
  ``raise NotImplementedError()`` at the same indentation (what nbgrader writes);
- a **check cell** after it: metadata ``nbgrader: {grade: true, grade_id: "NN_topic-check_name", locked: true,
  points: P, schema_version: 3, solution: false, task: false}``, tag ``raises-exception``; source
  ``acts.check.fresh().NAME(function)`` as the last line (a freshly imported copy of the checks, so a notebook's
  patch of acts.check does not count), preceded by ``### BEGIN HIDDEN TESTS`` /
  ``acts.check.fresh().NAME(function, hidden=True)`` / ``### END HIDDEN TESTS`` (hidden tests use other inputs, so
  hard-coding the visible expected values fails);
- the check functions live in acts.check (code in acts/checks/): one per task (``acts.check.TASKS``), or, for any
  activation in ``acts.ACTIVATIONS``, ``acts.check.activation(fn, "name", **params)`` /
  ``acts.check.derivative(fn, "name")``; a check shows its feedback and returns None when every case passes (no
  value for nbgrader to read as a score) and raises ``acts.check.CheckFailed`` otherwise;
- every other cell (markdown, setup, demos) is copied. grade_ids are unique across the course: prefix them with
  the assignment name. Points live on check cells only.

In the exercise, outputs and execution counts are cleared and hidden tests removed. Every cell that calls learner
code (check cells, and cells naming a function defined in a solution cell) carries the tag ``raises-exception``, so
JupyterLab's Run All goes past "not implemented yet" and nbval expects the error. The solution must carry exactly
those tags itself, because nbgrader releases the solution's own metadata: the generator refuses a solution whose tags
differ, and one with a solution region outside a solution cell or a hidden-test region outside a check cell (it
would reach learners unchanged), naming the cell.

Learners work in exercises/ in place: an exercise that differs from its committed version (git HEAD) is never
overwritten without ``--force``.
"""

from __future__ import annotations

import argparse
import ast
import copy
import re
import subprocess
import sys
from pathlib import Path

import nbformat

from .nbmeta import (
    BEGIN_HIDDEN,
    BEGIN_SOLUTION,
    END_HIDDEN,
    END_SOLUTION,
    defined_names,
    is_check,
    is_solution,
    nbgrader_meta,
)

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"

STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")
TAG = "raises-exception"


def strip_regions(source: str, begin: str, end: str, stub: tuple[str, ...] | None) -> str:
    """Remove every begin..end region (markers included); put ``stub`` lines there at the marker's indentation."""
    out, inside = [], False
    for line in source.splitlines():
        marker = line.strip()
        if marker == begin:
            if inside:
                raise ValueError(f"nested {begin!r}")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + s for s in stub or ())
        elif marker == end:
            if not inside:
                raise ValueError(f"{end!r} without {begin!r}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f"{begin!r} without {end!r}")
    return "\n".join(out)


def region_lines(source: str, begin: str, end: str) -> list[str]:
    """The lines strictly inside begin..end regions (what an exercise must never contain)."""
    lines, inside = [], False
    for line in source.splitlines():
        if line.strip() == begin:
            inside = True
        elif line.strip() == end:
            inside = False
        elif inside:
            lines.append(line)
    return lines


def used_names(source: str) -> set[str]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}


def _top_level_stub(source: str) -> bool:
    return any(line.strip() == BEGIN_SOLUTION and not line[0].isspace() for line in source.splitlines() if line)


def make_exercise(solution: nbformat.NotebookNode, assignment: str) -> nbformat.NotebookNode:
    """The exercise notebook generated from a solution notebook (pure: the input is not modified)."""
    nb = copy.deepcopy(solution)
    nb.metadata.setdefault("acts", {})["assignment"] = assignment
    nb.metadata.pop("widgets", None)
    learner = set()
    for cell in nb.cells:
        if is_solution(cell):
            learner |= defined_names(cell.source)
    ids = [nbgrader_meta(c).get("grade_id") for c in nb.cells if nbgrader_meta(c).get("grade_id")]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ValueError(f"{assignment}: duplicate grade_id(s) {sorted(dupes)}")
    for number, cell in enumerate(nb.cells, start=1):
        _reject_misplaced_regions(assignment, number, cell)
        if cell.cell_type != "code":
            continue
        cell.outputs = []
        cell.execution_count = None
        for key in ("execution", "collapsed", "scrolled"):
            cell.metadata.pop(key, None)
        if is_solution(cell):
            if BEGIN_SOLUTION not in cell.source:
                raise ValueError(f"{assignment}: solution cell {nbgrader_meta(cell).get('grade_id')} has no "
                                 f"{BEGIN_SOLUTION} marker")
            calls_learner = _top_level_stub(cell.source)
            cell.source = strip_regions(cell.source, BEGIN_SOLUTION, END_SOLUTION, STUB)
        else:
            cell.source = strip_regions(cell.source, BEGIN_HIDDEN, END_HIDDEN, None).strip("\n")
            calls_learner = is_check(cell) or bool(used_names(cell.source) & learner)
        tagged = TAG in cell.metadata.get("tags", [])
        if tagged != calls_learner:
            # nbgrader releases the solution's own tags: they must be the exercise's, or Run All stops on JupyterHub
            raise ValueError(
                f"{assignment}: {_describe_cell(number, cell)} " + (
                    f"calls the learner's functions but lacks the {TAG!r} tag: add it in the solution, so that "
                    "Run All goes past it in an nbgrader release too" if calls_learner else
                    f"has the {TAG!r} tag but calls none of the learner's functions: remove the tag"))
    return nb


def _describe_cell(number: int, cell) -> str:
    """'cell 4 (grade_id ...)' or 'cell 4 (first line ...)', for error messages."""
    gid = nbgrader_meta(cell).get("grade_id")
    first = next((line.strip() for line in cell.source.splitlines() if line.strip()), "")
    return f"cell {number} ({'grade_id ' + gid if gid else 'starting ' + repr(first[:50])})"


def _reject_misplaced_regions(assignment: str, number: int, cell) -> None:
    """A solution region belongs in a solution cell, a hidden-test region in a check cell: anywhere else the
    generator would ship it to learners unchanged (nbgrader's own rule too)."""
    lines = {line.strip() for line in cell.source.splitlines()}
    if lines & {BEGIN_SOLUTION, END_SOLUTION} and not is_solution(cell):
        raise ValueError(f"{assignment}: {_describe_cell(number, cell)} has a {BEGIN_SOLUTION!r} region but is not "
                         "a solution cell (metadata nbgrader.solution: true): it would reach learners as it is")
    if lines & {BEGIN_HIDDEN, END_HIDDEN} and not is_check(cell):
        raise ValueError(f"{assignment}: {_describe_cell(number, cell)} has a {BEGIN_HIDDEN!r} region but is not "
                         "a check cell (metadata nbgrader.grade: true): only check cells may hold hidden tests")


def committed_text(path: Path) -> str | None:
    """The file as committed at git HEAD, or None (not in git, or git unavailable)."""
    try:
        rel = path.resolve().relative_to(ROOT)
        done = subprocess.run(["git", "-C", str(ROOT), "show", f"HEAD:{rel.as_posix()}"], capture_output=True,
                              text=True, timeout=30)
    except (ValueError, OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def generate(solution_path: Path, out_dir: Path, force: bool = False) -> str:
    """Write out_dir/<same name>; returns 'written', 'unchanged' or 'refused: reason'."""
    assignment = solution_path.stem
    text = nbformat.writes(make_exercise(nbformat.read(solution_path, as_version=4), assignment))
    text = text if text.endswith("\n") else text + "\n"
    target = out_dir / solution_path.name
    if target.exists():
        current = target.read_text(encoding="utf-8")
        if current == text:
            return "unchanged"
        if not force and current != committed_text(target):
            return ("refused: it differs from its committed version (your work?); "
                    "save a copy elsewhere or rerun with --force (make exercises FORCE=1)")
    out_dir.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return "written"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("solutions", nargs="*", type=Path, help="solution notebooks (default: solutions/*.ipynb)")
    parser.add_argument("--out", type=Path, default=EXERCISES, help="folder for the exercises (default: exercises/)")
    parser.add_argument("--force", action="store_true", help="overwrite exercises that differ from git HEAD")
    args = parser.parse_args(argv)
    paths = args.solutions or sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        parser.error("no solution notebooks found")
    refused = 0
    for path in paths:
        if not re.fullmatch(r"\d\d_\w+\.ipynb", path.name) or not path.is_file():
            parser.error(f"not a solution notebook (solutions/NN_topic.ipynb): {path}")
        try:
            status = generate(path, args.out, args.force)
        except ValueError as exc:  # a malformed solution: say which cell and why, write nothing for it
            print(f"{path}: not generated: {exc}", file=sys.stderr)
            refused += 1
            continue
        refused += status.startswith("refused")
        print(f"{args.out / path.name}: {status}")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
