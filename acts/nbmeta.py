"""nbgrader's cell metadata and markers, shared by the exercise generator (acts.exercises) and the grader.

A solution cell carries ``nbgrader: {solution: true, grade: false, ...}``, a check cell ``{grade: true,
points: P, ...}`` (nbgrader's schema 3); both carry a ``grade_id`` unique across the course.
"""

from __future__ import annotations

import ast
import sys

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"


def nbgrader_meta(cell) -> dict:
    """The cell's ``metadata.nbgrader`` dict ({} when it has none)."""
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_solution(cell) -> bool:
    """A code cell the learner writes (nbgrader ``solution: true``)."""
    return cell.get("cell_type") == "code" and bool(nbgrader_meta(cell).get("solution"))


def is_check(cell) -> bool:
    """A graded code cell (nbgrader ``grade: true``): in this course, a check cell."""
    return cell.get("cell_type") == "code" and bool(nbgrader_meta(cell).get("grade"))


def grade_id(cell) -> str | None:
    return nbgrader_meta(cell).get("grade_id")


def points(cell) -> float:
    """The points of a check cell (0 for any other cell)."""
    return float(nbgrader_meta(cell).get("points", 0) or 0)


def submitted_grade_id(cell) -> str | None:
    """A handed-in cell's grade_id when it is well formed, else None (a submission may carry any metadata)."""
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    gid = meta.get("grade_id") if isinstance(meta, dict) else None
    return gid if isinstance(gid, str) else None


def task_name(grade_id: str) -> str:
    """The function a task or check cell is about: 01_sigmoid-check_sigmoid -> sigmoid."""
    name = grade_id.split("-", 1)[-1]
    return name[len("check_"):] if name.startswith("check_") else name


def defined_names(source: str) -> set[str]:
    """Names that Python source defines at top level: def, async def, class and assignment targets.

    Raises SyntaxError when the source does not parse (callers that must cope with a learner's broken cell catch
    it)."""
    names = set()
    for node in ast.parse(source).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
    return names


def without_slow_iri_checker():
    """Keep jsonschema from importing rfc3987_syntax in this process: call before the first ``import nbformat``.

    nbformat imports jsonschema, whose format checkers import rfc3987_syntax when it is installed (it comes with
    jupyter's ``jsonschema[format-nongpl]``), and that compiles about 35 Lark grammars at import: 1-3 s of CPU in
    every process, for an "iri" format that no notebook schema uses (python-jsonschema/jsonschema#1428). The grader
    starts a process per submission, so it pays this once per learner. Without the module, jsonschema simply has
    no "iri" checker. Harmless where it is already imported."""
    sys.modules.setdefault("rfc3987_syntax", None)  # None in sys.modules: importing it raises ImportError
