"""nbgrader cell metadata, read the same way by the exercise generator and the grader.

    nbgrader_meta(cell) -> dict      is_solution(cell), is_check(cell)      grade_id(cell) -> str | None

``grade_id`` is for notebooks handed in by learners, which may carry any metadata: it returns None unless the
cell has a well-formed string grade_id.
"""

from __future__ import annotations


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def is_solution(cell) -> bool:
    return cell.cell_type == "code" and bool(nbgrader_meta(cell).get("solution"))


def is_check(cell) -> bool:
    return cell.cell_type == "code" and bool(nbgrader_meta(cell).get("grade"))


def grade_id(cell) -> str | None:
    """A cell's grade_id when it is well formed, else None."""
    meta = cell.get("metadata", {}) if isinstance(cell, dict) else {}
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    gid = meta.get("grade_id") if isinstance(meta, dict) else None
    return gid if isinstance(gid, str) else None


def task_name(grade_id: str) -> str:
    """The function a task or check cell is about: 01_sigmoid-check_sigmoid -> sigmoid."""
    name = grade_id.split("-", 1)[-1]
    return name[len("check_"):] if name.startswith("check_") else name
