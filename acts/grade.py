"""The autograder: run submissions in fresh kernels, restore the original checks, score every task.

    python -m acts.grade PATH... [--assignment NN_topic] [--json FILE] [--csv FILE] [--timeout SECONDS] [--jobs N]

PATH is a notebook (any file name) or a folder of them. For each submission:

1. the assignment is recognised from the notebook (``metadata.acts.assignment``, else its cells' grade_ids, else
   its file name) unless ``--assignment`` names it; its solution notebook (solutions/NN_topic.ipynb) is the key;
2. the submission is copied into a temporary folder and run top to bottom there in a fresh kernel (its own HOME,
   IPython and Jupyter folders, its own copy of ``acts``), with a time limit per cell; a cell that times out or
   kills the kernel is skipped and the notebook re-run without it;
3. every check cell is replaced by the solution's version (matched by grade_id; hidden tests included; a deleted
   check is put back after its task), wrapped in grading code that first restores the builtins and NumPy as they
   were before the submission ran, then imports ``acts`` afresh from source text held by the grader;
4. each wrapped check sends its verdict to the grader as a message carrying a random per-run token; the grader
   awards a check cell's points (from the solution, all or nothing, as nbgrader does) when the check passed.
   Nothing the notebook prints counts, and the submission file is only ever read.

Output: per submission its score, one line per task (done / not implemented yet / failing, with its points) and
notes that name cells by their task, or by their number counting all cells from 1; a summary table when several.
Exit status: 0 when every submission was graded (whatever the scores), 2 for a usage error.
Limits: this defends against a learner gaming their grade from inside the notebook (editing or deleting checks,
printing success, monkeypatching acts.check, NumPy or builtins, writing files). Code that subverts the Python
interpreter itself (import hooks, tracing) or a learner with shell access to the grading machine is out of
scope: grade in nbgrader's or JupyterHub's containers for that.
"""

from __future__ import annotations

import argparse
import ast
import concurrent.futures as futures
import csv
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError

from .exercises import is_check, is_solution, nbgrader_meta

PACKAGE = Path(__file__).resolve().parent
SOLUTIONS = PACKAGE.parent / "solutions"
MIME = "application/x-acts-grade+json"
MAX_FEEDBACK = 2000      # characters of feedback kept per task
MAX_ERROR = 400          # characters per error message
MAX_OUTPUT = 200_000     # bytes of output kept per cell; the rest is dropped (huge output)
MAX_RESTARTS = 3         # cells skipped for timing out or killing the kernel before giving up


def _cut(text: str, limit: int) -> str:
    text = str(text)
    return text if len(text) <= limit else text[: limit - 15] + " ... (truncated)"


# ----------------------------------------------------------------------------- the key: solution notebooks
@dataclass
class Assignment:
    name: str
    checks: dict            # grade_id -> (source with hidden tests, points)
    tasks: dict             # solution grade_id -> the check grade_id that follows it
    order: list             # grade_ids in solution order

    @property
    def max_score(self) -> float:
        return float(sum(points for _, points in self.checks.values()))


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
                checks[gid] = (cell.source, float(nbgrader_meta(cell).get("points", 0)))
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


def _grade_id(cell) -> str | None:
    """A cell's grade_id when it is well formed, else None (submissions may carry any metadata)."""
    meta = cell.get("metadata", {})
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    gid = meta.get("grade_id") if isinstance(meta, dict) else None
    return gid if isinstance(gid, str) else None


def recognise(nb, path: Path, assignments: dict) -> str | None:
    """Assignment name from metadata, then grade_ids, then the file name; None if nothing matches."""
    if nb is not None:
        meta = nb.get("metadata", {}).get("acts", {}) if isinstance(nb.get("metadata"), dict) else {}
        name = meta.get("assignment") if isinstance(meta, dict) else None
        if name in assignments:
            return name
        ids = {_grade_id(c) for c in nb.cells} - {None}
        overlap = {a: len(ids & set(assignments[a].order)) for a in assignments}
        best = max(overlap, key=overlap.get, default=None)
        if best and overlap[best]:
            return best
        for gid in ids:
            if isinstance(gid, str) and gid.split("-")[0] in assignments:
                return gid.split("-")[0]
    for name in assignments:
        if path.stem.startswith(name) or name in path.stem:
            return name
    return None


# ----------------------------------------------------------------------------- code that runs in the kernel
# Run first, before any submission code: snapshots of builtins and the modules the checks rely on.
PREAMBLE = '''
def _acts_snapshot(name, publish):
    import builtins, json, math, sys, time, types, warnings
    import numpy, numpy.linalg, numpy.random
    snap = types.ModuleType(name)
    snap.modules = {{m: dict(m.__dict__) for m in (builtins, json, math, time, warnings, numpy, numpy.linalg,
                                                   numpy.random)}}
    snap.publish = publish
    snap.meta_path = list(sys.meta_path)
    sys.modules[name] = snap
_acts_snapshot({name!r}, get_ipython().display_pub.publish)
del _acts_snapshot
'''

# Replaces each check cell. Restores the snapshot, imports acts afresh from source text, runs the original check
# source in a copy of the user namespace, and reports the verdict with the run's token.
WRAPPER = '''
def _acts_grade_cell(user):
    import sys
    snap = sys.modules[{snap!r}]
    for module, saved in snap.modules.items():
        module.__dict__.update(saved)
    sys.meta_path[:] = snap.meta_path
    import ast, importlib, importlib.abc, importlib.util, json
    sources = {sources!r}

    class Loader(importlib.abc.MetaPathFinder, importlib.abc.Loader):
        def find_spec(self, name, path=None, target=None):
            if name in sources:
                return importlib.util.spec_from_loader(name, self, is_package=(name == "acts"))
            return None

        def create_module(self, spec):
            return None

        def exec_module(self, module):
            filename = sources[module.__name__][0]
            module.__file__ = filename
            exec(compile(sources[module.__name__][1], filename, "exec"), module.__dict__)

    saved = {{k: sys.modules.pop(k) for k in list(sys.modules) if k == "acts" or k.startswith("acts.")}}
    loader = Loader()
    sys.meta_path.insert(0, loader)
    try:
        check = importlib.import_module("acts.check")
        fresh = sys.modules["acts"]
    finally:
        sys.meta_path.remove(loader)
        for k in [k for k in sys.modules if k == "acts" or k.startswith("acts.")]:
            del sys.modules[k]
        sys.modules.update(saved)
    namespace = dict(user)
    namespace["acts"] = fresh
    tree = ast.parse({source!r})
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    passed, lines = False, []
    try:
        exec(compile(tree, "<check {grade_id}>", "exec"), namespace)
        value = eval(compile(ast.Expression(last.value), "<check>", "eval"), namespace) if last else None
        if isinstance(value, check.Feedback):
            passed, lines = value.passed, value.lines()
        else:
            lines = ["the check did not return its feedback"]
    except check.CheckFailed as exc:
        lines = exc.feedback.lines()
    except BaseException as exc:
        try:
            lines = [type(exc).__name__ + ": " + str(exc)]
        except BaseException:
            lines = [type(exc).__name__]
    snap.publish(data={{{mime!r}: json.dumps({{"token": {token!r}, "grade_id": {grade_id!r}, "passed": passed,
                                               "feedback": "\\n".join(lines)[:{limit}]}})}}, metadata={{}})
_acts_grade_cell(globals())
del _acts_grade_cell
'''


def _acts_sources() -> dict:
    """acts' source text, held by the grader: what the kernel re-imports, whatever happens to files on disk."""
    sources = {}
    for path in sorted(PACKAGE.glob("*.py")):
        name = "acts" if path.stem == "__init__" else f"acts.{path.stem}"
        sources[name] = (str(path), path.read_text(encoding="utf-8"))
    return sources


# ----------------------------------------------------------------------------- running one submission
class _Client(NotebookClient):
    """NotebookClient that drops output beyond MAX_OUTPUT bytes per cell (huge output cannot exhaust memory)."""

    def output(self, outs, msg, display_id, cell_index):
        size = self._sizes.get(cell_index, 0) + len(json.dumps(msg.get("content", {}), default=str))
        self._sizes[cell_index] = size
        if size > MAX_OUTPUT and msg["msg_type"] != "error":
            self._truncated.add(cell_index)
            return None
        return super().output(outs, msg, display_id, cell_index)


@dataclass
class Result:
    file: str
    assignment: str | None
    score: float = 0.0
    max_score: float = 0.0
    tasks: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return dict(file=self.file, assignment=self.assignment, score=self.score, max_score=self.max_score,
                    tasks=self.tasks, errors=self.errors, seconds=round(self.seconds, 2))


class Step(NamedTuple):
    """One cell the grader runs: ("code", source, where) or ("check", grade_id, where); ``where`` names it for a
    learner (its task or the functions it defines, and its number counting all cells from 1)."""

    kind: str
    payload: str
    where: str = ""


def task_name(grade_id: str) -> str:
    """The function a task or check cell is about: 01_sigmoid-check_sigmoid -> sigmoid."""
    name = grade_id.split("-", 1)[-1]
    return name[len("check_"):] if name.startswith("check_") else name


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


def _plan(nb, assignment: Assignment, errors: list) -> list:
    """The cells to run: the submission's code cells, with every check cell restored from the solution."""
    plan, seen, solutions_seen = [], set(), set()
    for number, cell in enumerate(nb.cells, 1):
        if cell.get("cell_type") != "code":
            continue
        gid = _grade_id(cell)
        if gid in assignment.checks:
            if gid not in seen:
                plan.append(Step("check", gid, f"the check of task `{task_name(gid)}` ({gid})"))
                seen.add(gid)
            continue
        if gid in assignment.tasks:
            solutions_seen.add(gid)
        source = cell.get("source", "")
        plan.append(Step("code", source if isinstance(source, str) else "", _where(cell, number, gid, assignment)))
    for task_id, check_id in assignment.tasks.items():
        if task_id not in solutions_seen:
            errors.append(f"the cell of task `{task_name(task_id)}` ({task_id}) is missing "
                          "(deleted or its metadata removed)")
    for gid in assignment.checks:  # deleted checks go back after their task's code, else at the end
        if gid in seen:
            continue
        errors.append(f"check cell {gid} was missing: restored from the solution")
        task = next((t for t, c in assignment.tasks.items() if c == gid), None)
        position = len(plan)
        for i, step in enumerate(plan):
            if step.kind == "code" and task and nb and _defines_task(step.payload, task):
                position = i + 1
        plan.insert(position, Step("check", gid, f"the check of task `{task_name(gid)}` ({gid})"))
    return plan


def _defines_task(source: str, task_id: str) -> bool:
    name = task_id.split("-", 1)[-1]
    try:
        return any(isinstance(n, ast.FunctionDef) and n.name == name for n in ast.parse(source).body)
    except SyntaxError:
        return False


def _kernel_env(tmp: Path) -> dict:
    env = dict(os.environ)
    for var, sub in (("HOME", "home"), ("IPYTHONDIR", "ipython"), ("JUPYTER_CONFIG_DIR", "jupyter"),
                     ("JUPYTER_RUNTIME_DIR", "runtime"), ("MPLCONFIGDIR", "mpl"), ("JUPYTER_DATA_DIR", "data")):
        (tmp / sub).mkdir(exist_ok=True)
        env[var] = str(tmp / sub)
    env["PYTHONPATH"] = os.pathsep.join([str(tmp / "lib")] + [p for p in [env.get("PYTHONPATH")] if p])
    env["MPLBACKEND"] = "agg"
    env["PYTHONWARNINGS"] = "ignore"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


def _execute(plan, assignment, sources, timeout, tmp: Path, errors: list) -> dict:
    """Run the plan; returns grade_id -> (passed, feedback). Skips cells that time out or kill the kernel."""
    token, snap_name = secrets.token_hex(16), "_acts_grader_" + secrets.token_hex(8)
    work = tmp / "work"
    skipped: set = set()
    for attempt in range(MAX_RESTARTS + 1):
        cells = [nbformat.v4.new_code_cell(PREAMBLE.format(name=snap_name))]
        for i, (kind, payload, _) in enumerate(plan):
            if i in skipped:
                continue
            if kind == "check":
                source = WRAPPER.format(snap=snap_name, sources=sources, source=assignment.checks[payload][0],
                                        grade_id=payload, token=token, mime=MIME, limit=MAX_FEEDBACK)
            else:
                source = payload
            cell = nbformat.v4.new_code_cell(source)
            cell.metadata["acts_plan"] = i
            cells.append(cell)
        nb = nbformat.v4.new_notebook(cells=cells)
        client = _Client(nb, timeout=timeout, kernel_name="python3", allow_errors=True, interrupt_on_timeout=False,
                         shutdown_kernel="immediate", startup_timeout=60, resources={"metadata": {"path": str(work)}})
        client._sizes, client._truncated = {}, set()
        failed_at, reason = None, ""
        try:
            with client.setup_kernel(env=_kernel_env(tmp), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
                for index, cell in enumerate(nb.cells):
                    try:
                        client.execute_cell(cell, index, store_history=index > 0 and "acts_plan" in cell.metadata
                                            and plan[cell.metadata["acts_plan"]][0] == "code")
                    except CellTimeoutError:
                        failed_at, reason = index, f"exceeded the time limit of {timeout:g} s"
                        break
                    except DeadKernelError:
                        failed_at, reason = index, "stopped the kernel (it died or exited)"
                        break
        except DeadKernelError:  # died during shutdown: results are already in
            pass
        except RuntimeError as exc:
            errors.append(_cut(f"the kernel could not run the notebook: {exc}", MAX_ERROR))
            return {}
        if failed_at is not None and failed_at > 0:
            step = nb.cells[failed_at].metadata["acts_plan"]
            errors.append(f"{plan[step].where} {reason}: skipped, and the notebook re-run without it")
            skipped.add(step)
            continue
        if failed_at == 0:
            errors.append("the grader's setup failed in the kernel")
            return {}
        for cell in nb.cells[1:]:
            step = cell.metadata["acts_plan"]
            if plan[step][0] == "code":
                for out in cell.outputs:
                    if out.get("output_type") != "error":
                        continue
                    where = plan[step].where
                    if out.get("ename") == "NotImplementedError":
                        errors.append(f"{where} calls a function that is not implemented yet "
                                      "(expected until its task is done)")
                    else:
                        errors.append(_cut(f"{where} raised {out.get('ename')}: {out.get('evalue')}", MAX_ERROR))
        for index in sorted(client._truncated):
            step = nb.cells[index].metadata.get("acts_plan")
            if step is not None:
                errors.append(f"{plan[step].where} printed more than {MAX_OUTPUT // 1000} KB: output truncated")
        return _verdicts(nb, plan, token)
    errors.append(f"gave up after {MAX_RESTARTS} cells timed out or killed the kernel")
    return {}


def _verdicts(nb, plan, token) -> dict:
    found = {}
    for cell in nb.cells[1:]:
        kind, gid, _ = plan[cell.metadata["acts_plan"]]
        if kind != "check":
            continue
        for out in cell.outputs:
            data = out.get("data", {}) if out.get("output_type") == "display_data" else {}
            if MIME not in data:
                continue
            try:
                msg = json.loads(data[MIME]) if isinstance(data[MIME], str) else data[MIME]
            except (TypeError, ValueError):
                continue
            if msg.get("token") == token and msg.get("grade_id") == gid:
                found.setdefault(gid, []).append((msg.get("passed") is True, str(msg.get("feedback", ""))))
    # the grading code sends exactly one verdict per check; more means something else found the token
    return {gid: verdicts[0] if len(verdicts) == 1 else (False, "more than one verdict for this check: rejected")
            for gid, verdicts in found.items()}


def grade_one(path: Path, assignments: dict, assignment_name: str | None, timeout: float,
              sources: dict | None = None) -> Result:
    """Grade one submission; never raises for a bad submission."""
    start = time.perf_counter()
    nb, errors = read_submission(path)
    name = assignment_name or recognise(nb, path, assignments)
    result = Result(str(path), name, errors=errors)
    if name is None:
        result.errors.append("cannot tell which assignment this is (no acts metadata, no known grade_ids, "
                             "file name unknown): use --assignment NN_topic")
    assignment = assignments.get(name)
    if assignment is not None:
        result.max_score = assignment.max_score
    verdicts = {}
    if nb is not None and assignment is not None:
        with tempfile.TemporaryDirectory(prefix="acts-grade-") as tmp_name:
            tmp = Path(tmp_name)
            (tmp / "work").mkdir()
            (tmp / "work" / "submission.ipynb").write_bytes(path.read_bytes())
            shutil.copytree(PACKAGE, tmp / "lib" / "acts", ignore=shutil.ignore_patterns("__pycache__"))
            plan = _plan(nb, assignment, result.errors)
            verdicts = _execute(plan, assignment, sources or _acts_sources(), timeout, tmp, result.errors)
    if assignment is not None:
        for gid, (_, points) in assignment.checks.items():
            passed, feedback = verdicts.get(gid, (False, NOT_RUN))
            result.tasks.append(dict(grade_id=gid, task=task_name(gid), points=points if passed else 0.0,
                                     max_points=points, passed=passed, status=task_status(passed, feedback),
                                     feedback=_cut(feedback, MAX_FEEDBACK)))
        result.score = float(sum(t["points"] for t in result.tasks))
    result.errors = [_cut(e, MAX_ERROR) for e in result.errors[:20]]
    result.seconds = time.perf_counter() - start
    return result


# ----------------------------------------------------------------------------- reports
NOT_RUN = "the check did not run (see errors)"


def task_status(passed: bool, feedback: str) -> str:
    """One phrase for a task: done, not implemented yet, not run, or failing (with the check's first line)."""
    if passed:
        return "done"
    first = feedback.splitlines()[0] if feedback else ""
    if first.endswith("not implemented yet"):
        return "not implemented yet"
    if feedback == NOT_RUN:
        return "not run (see the notes)"
    first = first.split(": ", 1)[1] if ": " in first and "checks failed" in first else first
    return _cut(f"failing: {first}", 80)


def print_table(results, stream=None):
    """Per submission: its score, then one line per task (done / not implemented yet / failing, with points),
    then the notes; with several submissions, a summary table of scores at the end."""
    stream = stream or sys.stdout
    for r in results:
        print(f"{Path(r.file).name}  ({r.assignment or 'unknown assignment'}): {r.score:g} / {r.max_score:g} points",
              file=stream)
        width = max([len(t.get("task", t["grade_id"])) for t in r.tasks] + [4])
        for t in r.tasks:
            mark = "✓" if t["passed"] else "✗"
            points = f"{t['points']:g} / {t['max_points']:g}"
            print(f"  {mark} {t.get('task', t['grade_id']):<{width}}  {points:>9}  {t.get('status', '')}",
                  file=stream)
        for error in r.errors:
            print(f"  note: {error}", file=stream)
        print(file=stream)
    if any(not t["passed"] for r in results for t in r.tasks):
        print("✗: run that task's check cell in the notebook to see which cases fail and why.", file=stream)
    if len(results) > 1:
        width = max([len(Path(r.file).name) for r in results] + [10])
        print(f"\n{'submission':<{width}}  {'assignment':<24} {'score':>11}  done", file=stream)
        for r in results:
            score = f"{r.score:g} / {r.max_score:g}"
            done = f"{sum(t['passed'] for t in r.tasks)} of {len(r.tasks)} tasks"
            print(f"{Path(r.file).name:<{width}}  {str(r.assignment):<24} {score:>11}  {done}", file=stream)


def write_csv(results, path: Path):
    ids = []
    for r in results:
        ids += [t["grade_id"] for t in r.tasks if t["grade_id"] not in ids]
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["file", "assignment", "score", "max_score", *ids, "errors"])
        for r in results:
            points = {t["grade_id"]: t["points"] for t in r.tasks}
            writer.writerow([r.file, r.assignment or "", r.score, r.max_score, *[points.get(i, "") for i in ids],
                             " | ".join(r.errors)])


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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m acts.grade", description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="a submission notebook or a folder")
    parser.add_argument("--assignment", help="grade every submission as this assignment (NN_topic)")
    parser.add_argument("--json", type=Path, help="write the report as JSON")
    parser.add_argument("--csv", type=Path, help="write a gradebook as CSV (one row per submission)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per cell (default 30)")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="kernels run in parallel (default: 2, or 1 on one core)")
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
    sources = _acts_sources()
    # a submission that cannot be read is graded as the assignment most of the others are
    guesses = [_guess(p, assignments) for p in paths] if not args.assignment else []
    common = max(set(g for g in guesses if g), key=guesses.count, default=None)
    results = [None] * len(paths)
    progress = len(paths) > 1
    with futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        jobs = {pool.submit(grade_one, p, assignments, args.assignment or (guesses[i] if guesses else None) or common,
                            args.timeout, sources): i for i, p in enumerate(paths)}
        for done, job in enumerate(futures.as_completed(jobs), 1):
            i = jobs[job]
            try:
                results[i] = job.result()
            except Exception as exc:  # a grader bug must not lose the other submissions' grades
                name = args.assignment or (guesses[i] if guesses else None) or common
                results[i] = Result(str(paths[i]), name, max_score=assignments[name].max_score if name else 0.0,
                                    errors=[_cut(f"grader error: {exc!r}", MAX_ERROR)])
            if progress:
                r = results[i]
                print(f"[{done}/{len(paths)}] {paths[i].name}: {r.score:g} / {r.max_score:g}", file=sys.stderr,
                      flush=True)
    print_table(results)
    if args.json:
        report = results[0].as_dict() if single else [r.as_dict() for r in results]
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    if args.csv:
        write_csv(results, args.csv)
    return 0


if __name__ == "__main__":
    sys.exit(main())
