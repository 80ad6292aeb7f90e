"""What instructors read: the printed table, the CSV gradebook and the JSON report of ``python -m acts.grade``.

Per submission: the student (from nbgrader's ``submitted/<student>/<assignment>/<notebook>.ipynb`` layout, when
used), its score, one line per task (done / not implemented yet / answer lookup / failing with the reason and the
count of checks failed) and notes; then a summary table when there are several; the isolation that was in force
and the hidden-input seed (``--seed`` reproduces a run).
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass, field
from pathlib import Path

NOT_RUN = "the check did not run (see the notes)"


@dataclass
class Result:
    file: str
    assignment: str | None
    score: float = 0.0
    max_score: float = 0.0
    tasks: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    seconds: float = 0.0
    student: str = ""
    seed: int | None = None
    isolation: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(file=self.file, student=self.student, assignment=self.assignment, score=self.score,
                    max_score=self.max_score, tasks=self.tasks, errors=self.errors, seconds=round(self.seconds, 2),
                    seed=self.seed, isolation=self.isolation)

    @property
    def label(self) -> str:
        """The submission as the table names it: the student when known, else the file name."""
        return f"{self.student} ({Path(self.file).name})" if self.student else Path(self.file).name


def student_of(path: Path) -> tuple[str, str | None]:
    """(student, assignment folder) from nbgrader's submitted/<student>/<assignment>/<notebook>.ipynb;
    ("", None) for any other path."""
    parts = path.parts
    for i in range(len(parts) - 3, -1, -1):
        if parts[i] in ("submitted", "autograded") and len(parts) - i == 4:
            return parts[i + 1], parts[i + 2]
    return "", None


def task_status(passed: bool, feedback: str, cases_failed: int = 0, cases: int = 0, first_failure: str = "",
                stopped: bool = False, lookup: str = "") -> str:
    """One phrase for a task: done, answer lookup, not implemented yet, not run, or failing with its reason."""
    if lookup:
        return "answer lookup: uses the course's own function (0 points)"
    if passed:
        return "done"
    first = feedback.splitlines()[0] if feedback else ""
    if first.endswith("not implemented yet"):
        return "not implemented yet"
    if feedback == NOT_RUN or not cases:
        reason = first.split(": ", 1)[-1] if first else "see the notes"
        return f"not run: {reason}" if feedback != NOT_RUN else "not run (see the notes)"
    rest = ", the rest not run" if stopped else ""
    return f"failing: {first_failure} ({cases_failed} of {cases} checks failed{rest})"


def print_table(results, stream=None, isolation: dict | None = None, seed: int | None = None):
    stream = stream or sys.stdout
    for r in results:
        print(f"{r.label}  ({r.assignment or 'unknown assignment'}): {r.score:g} / {r.max_score:g} points", file=stream)
        width = max([len(t.get("task", t["grade_id"])) for t in r.tasks] + [4])
        for t in r.tasks:
            mark = "✓" if t["passed"] else "✗"
            points = f"{t['points']:g} / {t['max_points']:g}"
            print(f"  {mark} {t.get('task', t['grade_id']):<{width}}  {points:>9}  {t.get('status', '')}", file=stream)
        for error in r.errors:
            print(f"  note: {error}", file=stream)
        print(file=stream)
    if any(not t["passed"] for r in results for t in r.tasks):
        print("✗: run that task's check cell in the notebook to see which cases fail and why.", file=stream)
    if len(results) > 1:
        students = any(r.student for r in results)
        width = max([len(Path(r.file).name) for r in results] + [10])
        swidth = max([len(r.student) for r in results] + [7])
        head = f"{'student':<{swidth}}  " if students else ""
        print(f"\n{head}{'submission':<{width}}  {'assignment':<24} {'score':>11}  done", file=stream)
        for r in results:
            score = f"{r.score:g} / {r.max_score:g}"
            done = f"{sum(t['passed'] for t in r.tasks)} of {len(r.tasks)} tasks"
            who = f"{r.student:<{swidth}}  " if students else ""
            print(f"{who}{Path(r.file).name:<{width}}  {str(r.assignment):<24} {score:>11}  {done}", file=stream)
    if isolation:
        print(f"\nisolation: {isolation.get('description', isolation.get('sandbox'))}; kernels run as "
              f"{isolation.get('user')}", file=stream)
    if seed is not None:
        print(f"hidden inputs drawn with seed {seed} (--seed {seed} reproduces this run)", file=stream)


def write_csv(results, path: Path):
    """One row per submission: student, file, assignment, score, points per check, failing reasons, notes."""
    ids = []
    for r in results:
        ids += [t["grade_id"] for t in r.tasks if t["grade_id"] not in ids]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["student", "file", "assignment", "score", "max_score", *ids, "failing", "errors"])
        for r in results:
            points = {t["grade_id"]: t["points"] for t in r.tasks}
            failing = " | ".join(f"{t['task']}: {t['status']}" for t in r.tasks if not t["passed"])
            writer.writerow([r.student, r.file, r.assignment or "", r.score, r.max_score,
                             *[points.get(i, "") for i in ids], failing, " | ".join(r.errors)])
