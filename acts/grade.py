"""The autograder: each submission runs in its own sandbox; the verdicts are computed in the grader's process.

    python -m acts.grade PATH... [--assignment NN_topic] [--json FILE] [--csv FILE] [--timeout SECONDS] [--jobs N]
                                 [--seed N] [--sandbox auto|bubblewrap|processes]

PATH is a notebook (any file name), a folder of them, or nbgrader's ``submitted/`` folder
(``submitted/<student>/<assignment>/<notebook>.ipynb``: the student is shown). For each submission:

1. the assignment is recognised: ``--assignment``, else the notebook's ``metadata.acts.assignment``, else nbgrader's
   assignment folder, else the grade_ids its cells share with a solution (most shared wins; ties go to the name
   that matches the file name, then to the first in alphabetical order), else its file name. Its solution
   notebook (solutions/NN_topic.ipynb) is the key: the checks of each check cell and their points;
2. the submission's code cells (not its check cells) run in a fresh kernel inside a sandbox of its own
   (acts.grade_sandbox: own folder and copy of ``acts``, minimal environment, resource limits, wall-clock budget,
   unprivileged user when run as root, bubblewrap where installed). A cell over the time limit is interrupted
   and what it defined before is kept; a cell that ignores the interrupt or kills the kernel is skipped;
3. in the kernel, every check of the assignment is run with a recorder (acts.grade_kernel): the learner's
   functions are called on the grader's inputs (hidden ones drawn from a seed chosen now) and their results
   handed back as data (JSON and .npy, never pickles). Speed checks are timed from outside the kernel;
4. here, in the grader's process, the same checks run again, replaying those results (acts.grade_judge): a
   check cell earns its points (all or nothing, as in nbgrader) when all its checks pass. A task function that
   uses the course's own reference for that task earns 0 (acts.answer_lookup). Nothing the notebook prints,
   displays or writes counts, and the submission file is only read.

Output: per submission its score, one line per task (done / not implemented yet / failing, with the reason and
the count of checks failed) and notes; a summary table when several; the isolation in force and the seed.
Exit status: 0 when every submission was graded (whatever the scores), 2 for a usage error.
What this protects against, and what it cannot: docs/grading.md.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures as futures
import io
import json
import os
import secrets
import sys
import time
import traceback
from base64 import b64decode
from dataclasses import dataclass
from pathlib import Path

from .nbmeta import without_slow_iri_checker

without_slow_iri_checker()  # before nbformat: seconds of CPU per process otherwise

import nbformat
import numpy as np

from . import check
from .answer_lookup import looked_up
from .grade_judge import judge, timing_key
from .grade_kernel import records_name
from .grade_report import NOT_RUN, Result, print_table, student_of, task_status, write_csv
from .grade_sandbox import Limits, Sandbox
from .grade_wire import MAX_ELEMENTS
from .nbmeta import is_check, is_solution, nbgrader_meta, task_name
from .nbmeta import submitted_grade_id as _grade_id

PACKAGE = Path(__file__).resolve().parent
SOLUTIONS = PACKAGE.parent / "solutions"
MAX_FEEDBACK = 2000      # characters of feedback kept per task
MAX_ERROR = 400          # characters per note
MAX_OUTPUT = 200_000     # bytes of output kept per cell; the rest is dropped (huge output)

__all__ = ["Assignment", "Result", "grade_one", "load_assignments", "main", "print_table", "read_submission",
           "recognise", "task_name", "task_status", "write_csv"]


def _cut(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 15] + " ... (truncated)"


# ----------------------------------------------------------------------------- the key: solution notebooks
@dataclass
class CheckCell:
    source: str
    points: float
    specs: list         # one per check call in the cell: {"function", "args": [{"name"} | {"literal"}], "kwargs"}


@dataclass
class Assignment:
    name: str
    checks: dict            # check grade_id -> CheckCell
    tasks: dict             # solution grade_id -> the check grade_id that follows it
    order: list             # grade_ids in solution order

    @property
    def max_score(self) -> float:
        return float(sum(c.points for c in self.checks.values()))


def check_calls(source: str, where: str) -> list:
    """The ``acts.check.NAME(...)`` (or ``acts.check.fresh().NAME(...)``) calls of a check cell, as data;
    anything else is a course bug."""
    specs = []
    for node in ast.parse(source).body:
        call = node.value if isinstance(node, ast.Expr) else None
        func = call.func if isinstance(call, ast.Call) else None
        if not (isinstance(func, ast.Attribute) and ast.unparse(func.value) in ("acts.check", "acts.check.fresh()")
                and callable(getattr(check, func.attr, None))):
            raise ValueError(f"{where}: a check cell holds only acts.check.NAME(...) calls, found {ast.unparse(node)}")
        args = [{"name": a.id} if isinstance(a, ast.Name) else {"literal": ast.literal_eval(a)} for a in call.args]
        specs.append({"function": func.attr, "args": args,
                      "kwargs": {k.arg: ast.literal_eval(k.value) for k in call.keywords}})
    return specs


def load_assignments(folder: Path = SOLUTIONS) -> dict:
    found = {}
    for path in sorted(folder.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        checks, tasks, order, last_solution = {}, {}, [], None
        for cell in nb.cells:
            gid = nbgrader_meta(cell).get("grade_id")
            if not gid:
                continue
            order.append(gid)
            if is_solution(cell):
                last_solution = gid
            elif is_check(cell):
                checks[gid] = CheckCell(cell.source, float(nbgrader_meta(cell).get("points", 0)),
                                        check_calls(cell.source, f"{path.name}, {gid}"))
                if last_solution:
                    tasks[last_solution] = gid
        found[path.stem] = Assignment(path.stem, checks, tasks, order)
    return found


# ----------------------------------------------------------------------------- reading a submission
def read_submission(path: Path):
    """(notebook or None, errors). Never raises: every kind of bad file gets a reason."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [f"cannot read the file: {exc.strerror or exc}"]
    if not raw.strip():
        return None, ["empty file: nothing to grade"]
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        return None, ["not a notebook: the file is not UTF-8 text"]
    except json.JSONDecodeError as exc:
        return None, [f"not a notebook: invalid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})"]
    if not isinstance(data, dict) or "cells" not in data or not isinstance(data.get("cells"), list):
        return None, ["not a notebook: valid JSON, but without a list of cells (is it an .ipynb file?)"]
    try:
        nb = nbformat.reads(raw.decode("utf-8"), as_version=4)
    except Exception as exc:  # nbformat raises many types for malformed notebooks
        return None, [_cut(f"not a notebook: {type(exc).__name__}: {exc}", MAX_ERROR)]
    if not nb.cells:
        return None, ["the notebook has no cells"]
    for cell in nb.cells:
        if not isinstance(cell, dict) or not isinstance(cell.get("source", ""), str):
            return None, ["not a notebook: a cell's source is not text"]
    return nb, []


def recognise(nb, path: Path, assignments: dict) -> str | None:
    """Assignment name from metadata, nbgrader's folder, shared grade_ids, then the file name; None if nothing
    matches. Deterministic: ties never depend on set or dict order."""
    folder = student_of(path)[1]
    if nb is not None:
        meta = nb.get("metadata", {}).get("acts", {}) if isinstance(nb.get("metadata"), dict) else {}
        name = meta.get("assignment") if isinstance(meta, dict) else None
        if isinstance(name, str) and name in assignments:
            return name
    if folder in assignments:
        return folder
    if nb is not None:
        ids = {_grade_id(c) for c in nb.cells} - {None}
        overlap = {a: len(ids & set(assignments[a].order)) for a in sorted(assignments)}
        best = max(overlap.values(), default=0)
        if best:
            tied = [a for a in sorted(overlap) if overlap[a] == best]
            return next((a for a in tied if a in path.stem), tied[0])
        prefixes = sorted({gid.split("-")[0] for gid in ids} & set(assignments))
        if prefixes:
            return prefixes[0]
    for name in sorted(assignments):
        if path.stem.startswith(name) or name in path.stem:
            return name
    return None


def _where(cell, number: int, gid, assignment: Assignment) -> str:
    position = f"cell {number}, counting all cells from 1"
    if gid in assignment.tasks:
        return f"the cell of task `{task_name(gid)}` ({position})"
    try:
        names = [n.name for n in ast.parse(cell.get("source", "")).body
                 if isinstance(n, (ast.FunctionDef, ast.ClassDef))]
    except (SyntaxError, ValueError, TypeError):
        names = []
    if names:
        return f"the cell defining {', '.join(f'`{n}`' for n in names[:3])} ({position})"
    lines = [line.strip() for line in str(cell.get("source", "")).splitlines() if line.strip()]
    lines = [line for line in lines if not line.startswith("#")] or lines  # skip markers such as NBVAL_...
    first = lines[0] if lines and len(lines[0]) <= 40 else (lines[0][:37] + "..." if lines else "")
    start = f", which starts `{first}`" if first else ""
    return f"cell {number} (counting all cells from 1{start})"


def plan_cells(nb, assignment: Assignment, errors: list) -> list:
    """The cells the kernel runs: the submission's code cells, without its check cells (the grader judges every
    check of the assignment itself, whether the learner kept, edited or deleted the check cells)."""
    cells, seen_checks, seen_tasks = [], set(), set()
    for number, cell in enumerate(nb.cells, 1):
        if cell.get("cell_type") != "code":
            continue
        gid = _grade_id(cell)
        if gid in assignment.checks:
            seen_checks.add(gid)
            continue
        if gid in assignment.tasks:
            seen_tasks.add(gid)
        source = cell.get("source", "")
        cells.append({"source": source if isinstance(source, str) else "",
                      "where": _where(cell, number, gid, assignment)})
    for task_id in assignment.tasks:
        if task_id not in seen_tasks:
            errors.append(f"the cell of task `{task_name(task_id)}` ({task_id}) is missing "
                          "(deleted or its metadata removed)")
    for gid in assignment.checks:
        if gid not in seen_checks:
            errors.append(f"check cell {gid} was missing: restored from the solution")
    return cells


def answer_lookups(cells: list, assignment: Assignment) -> dict:
    """check grade_id -> a note, for each task whose final definition uses the course's reference for it."""
    context = "\n".join(c["source"] for c in cells if _parses(c["source"]))
    found = {}
    for task_id, check_id in assignment.tasks.items():
        name = task_name(task_id)
        defining = [c["source"] for c in cells if _defines(c["source"], name)]
        note = looked_up(defining[-1], name, context) if defining else None
        if note:
            found[check_id] = note
    return found


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
        return True
    except (SyntaxError, ValueError):
        return False


def _defines(source: str, name: str) -> bool:
    try:
        body = ast.parse(source).body
    except (SyntaxError, ValueError):
        return False
    return any((isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == name)
               or (isinstance(n, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in n.targets))
               for n in body)


# ----------------------------------------------------------------------------- the kernel's records, read as data
class Records:
    """The files the worker handed back: calls-NNN.json and .npy arrays, parsed as data only."""

    def __init__(self, files: dict):
        self.files = files if isinstance(files, dict) else {}

    def load(self, name: str) -> np.ndarray:
        raw = b64decode(self.files[name]) if isinstance(self.files.get(name), str) else b""
        arr = np.load(io.BytesIO(raw), allow_pickle=False)
        if arr.dtype.kind not in "biufc" or arr.dtype.fields is not None or arr.size > MAX_ELEMENTS:
            raise ValueError("not an array of numbers")
        return arr

    def entry(self, index: int):
        """The records of the index-th check call (a dict), or None when missing or malformed."""
        try:
            data = json.loads(b64decode(self.files.get(records_name(index), "")).decode("utf-8"))
        except (ValueError, TypeError):
            return None
        return data if isinstance(data, dict) else None


# ----------------------------------------------------------------------------- grading one submission
@dataclass
class Settings:
    timeout: float = 30.0
    seed: int = 0
    sandbox: Sandbox | None = None
    limits: Limits | None = None
    sources: dict | None = None


def grade_one(path: Path, assignments: dict, assignment_name: str | None, timeout: float,
              sources: dict | None = None, settings: Settings | None = None) -> Result:
    """Grade one submission; never raises for a bad submission."""
    settings = settings or Settings(timeout=timeout, seed=secrets.randbelow(2**31))
    sandbox = settings.sandbox or Sandbox.choose("auto")
    start = time.perf_counter()
    nb, errors = read_submission(path)
    name = assignment_name or recognise(nb, path, assignments)
    result = Result(str(path), name, errors=errors, student=student_of(path)[0], seed=settings.seed,
                    isolation=sandbox.describe())
    if name is None:
        result.errors.append("cannot tell which assignment this is (no acts metadata, no known grade_ids, "
                             "file name unknown): use --assignment NN_topic")
    assignment = assignments.get(name)
    if assignment is not None:
        result.max_score = assignment.max_score
    records, timings, ran = Records({}), {}, False
    lookups = {}
    if nb is not None and assignment is not None:
        cells = plan_cells(nb, assignment, result.errors)
        lookups = answer_lookups(cells, assignment)
        specs = [spec for cell in assignment.checks.values() for spec in cell.specs]
        request = {"cells": cells, "timeout": timeout, "checks": specs, "seed": settings.seed,
                   "timing_n": check.SPEED_N, "max_output": MAX_OUTPUT}
        answer, notes = sandbox.run(request, settings.sources or _acts_sources(),
                                    settings.limits or Limits(wall_seconds=max(120.0, 20 * timeout)))
        result.errors += notes
        if answer is None:
            result.errors.append("the sandbox handed back no valid answer (the worker was stopped or its answer "
                                 "was tampered with): every check fails")
        else:
            ran = True
            result.errors += [str(n) for n in answer.get("notes", [])][:40]
            records = Records(answer.get("files", {}))
            timings = {timing_key(t.get("function"), t.get("kwargs")): t for t in answer.get("timings", [])
                       if isinstance(t, dict) and isinstance(t.get("seconds"), (int, float))}
    if assignment is not None:
        index = 0
        for gid, cell in assignment.checks.items():
            verdicts = []
            for spec in cell.specs:
                verdicts.append(judge(spec, records.entry(index), records.load, timings, settings.seed)
                                if ran else None)
                index += 1
            result.tasks.append(_task(gid, cell, verdicts, lookups.get(gid), result.errors))
        result.score = float(sum(t["points"] for t in result.tasks))
    result.errors = [_cut(e, MAX_ERROR) for e in dict.fromkeys(result.errors)][:20]  # each note once
    result.seconds = time.perf_counter() - start
    return result


def _task(gid: str, cell: CheckCell, verdicts: list, lookup: str | None, errors: list) -> dict:
    """One check cell's line in the report: all or nothing, with the feedback of each of its checks."""
    if any(v is None for v in verdicts):
        passed, feedback, cases, failed, first, stopped = False, NOT_RUN, 0, 0, "", False
    else:
        for v in verdicts:
            if v.grader_error:
                errors.append(f"grader error while judging {gid} (traceback in the log)")
                print(f"grader error while judging {gid}:\n{v.grader_error}", file=sys.stderr)
        passed = all(v.passed for v in verdicts)
        feedback = "\n".join(line for v in verdicts for line in v.lines)
        all_cases = [c for v in verdicts if v.feedback for c in v.feedback.cases]
        failing = [c for c in all_cases if not c.passed]
        cases, failed = len(all_cases), len(failing)
        first = failing[0].name if failing else ""
        stopped = any(v.feedback and v.feedback.stopped for v in verdicts)
    if lookup:
        passed, feedback = False, lookup + "\n" + feedback
    status = task_status(passed, feedback if not lookup else "", failed, cases, first, stopped, lookup or "")
    return dict(grade_id=gid, task=task_name(gid), points=cell.points if passed else 0.0, max_points=cell.points,
                passed=passed, status=status, checks_failed=failed, checks=cases,
                feedback=_cut(feedback, MAX_FEEDBACK))


def _acts_sources() -> dict:
    """acts' source text (its sub-packages included), read once by the grader before any submission runs: every
    sandbox gets a copy of it. Relative path -> (where it was read, its text)."""
    sources = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "__pycache__" not in path.parts:
            sources[path.relative_to(PACKAGE).as_posix()] = (str(path), path.read_text(encoding="utf-8"))
    return sources


# ----------------------------------------------------------------------------- the command line
def _submissions(paths, parser) -> tuple[list, bool]:
    found, single = [], len(paths) == 1 and paths[0].is_file()
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*.ipynb") if ".ipynb_checkpoints" not in p.parts and p.is_file())
            if not inside:
                parser.error(f"no .ipynb files in folder {path}")
            found += inside
        elif path.is_file():
            found.append(path)
        else:
            parser.error(f"no such file or folder: {path}")
    return found, single


def _guess(path: Path, assignments: dict) -> str | None:
    try:
        return recognise(read_submission(path)[0], path, assignments)
    except Exception:  # a malformed notebook: grade_one reports it
        return None


def _eta(done: int, total: int, started: float) -> str:
    left = (time.perf_counter() - started) / done * (total - done)
    return f"ETA {int(left // 60)}m{int(left % 60):02d}s" if done < total else "done"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m acts.grade", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="a submission notebook or a folder")
    parser.add_argument("--assignment", help="grade every submission as this assignment (NN_topic)")
    parser.add_argument("--json", type=Path, help="write the report as JSON")
    parser.add_argument("--csv", type=Path, help="write a gradebook as CSV (one row per submission)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per cell (default 30)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="submissions graded in parallel, one sandbox each (default: 2, or 1 on one core)")
    parser.add_argument("--seed", type=int, help="the hidden-input seed (default: drawn now; the report gives it)")
    parser.add_argument("--sandbox", choices=("auto", "bubblewrap", "processes"), default="auto",
                        help="auto: bubblewrap where installed (default); processes: without it")
    parser.add_argument("--solutions", type=Path, default=SOLUTIONS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.timeout <= 0 or args.jobs < 1:
        parser.error("--timeout must be > 0 and --jobs >= 1")
    assignments = load_assignments(args.solutions)
    if not assignments:
        parser.error(f"no solution notebooks in {args.solutions}")
    if args.assignment is not None and args.assignment not in assignments:
        parser.error(f"unknown assignment {args.assignment!r}; known: {', '.join(assignments)}")
    paths, single = _submissions(args.paths, parser)
    try:
        sandbox = Sandbox.choose(args.sandbox)
    except RuntimeError as exc:
        parser.error(str(exc))
    if sandbox.kind != "bubblewrap":
        print("note: bubblewrap is not in use: submissions run as separate processes with limits, but can read "
              "what their user can (install the Debian package bubblewrap)", file=sys.stderr)
    seed = args.seed if args.seed is not None else secrets.randbelow(2**31)
    settings = Settings(timeout=args.timeout, seed=seed, sandbox=sandbox, sources=_acts_sources(),
                        limits=Limits(wall_seconds=max(120.0, 20 * args.timeout)))
    # a submission that cannot be read is graded as the assignment most of the others are
    guesses = [_guess(p, assignments) for p in paths] if not args.assignment else []
    common = max(sorted(set(g for g in guesses if g)), key=guesses.count, default=None)
    results = [None] * len(paths)
    progress, started = len(paths) > 1, time.perf_counter()
    with futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        jobs = {}
        for i, p in enumerate(paths):
            name = args.assignment or (guesses[i] if guesses else None) or common
            jobs[pool.submit(grade_one, p, assignments, name, args.timeout, None, settings)] = (i, name)
        for done, job in enumerate(futures.as_completed(jobs), 1):
            i, name = jobs[job]
            try:
                results[i] = job.result()
            except Exception as exc:  # a grader bug must not lose the other submissions' grades
                print(f"grader error on {paths[i]}:\n{traceback.format_exc()}", file=sys.stderr, flush=True)
                results[i] = Result(str(paths[i]), name, max_score=assignments[name].max_score if name else 0.0,
                                    student=student_of(paths[i])[0], seed=seed, isolation=sandbox.describe(),
                                    errors=[_cut(f"grader error: {exc!r} (traceback in the log)", MAX_ERROR)])
            if progress:
                r = results[i]
                print(f"[{done}/{len(paths)}] {r.label}: {r.score:g} / {r.max_score:g}  "
                      f"({_eta(done, len(paths), started)})", file=sys.stderr, flush=True)
    print_table(results, isolation=sandbox.describe(), seed=seed)
    if args.json:
        report = results[0].as_dict() if single else [r.as_dict() for r in results]
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    if args.csv:
        write_csv(results, args.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
