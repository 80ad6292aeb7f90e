"""One grading run shared by the grading tests: a class folder of crafted submissions graded in ONE call.

Starting kernels dominates the cost of grading, so tests/test_grade.py and tests/test_grade_threats.py read the
results of a single ``python -m acts.grade`` run (kernels in parallel) instead of grading on their own.
``graded()`` runs it once per test process and returns a ``Run``.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
import json
import os
import shutil
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import nbformat

from acts import grade

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = sorted((ROOT / "solutions").glob("[0-9][0-9]_*.ipynb"))
EXERCISES = sorted((ROOT / "exercises").glob("[0-9][0-9]_*.ipynb"))
SIGMOID = ROOT / "solutions" / "01_sigmoid.ipynb"
TIMEOUT = 45          # seconds per cell: generous, so that a loaded machine does not time out honest cells
                      # (exercise 09's measurement cells, 3-4 s when quiet, took over 20 s with two suites at once)
JOBS = 3              # kernels at once: the three submissions that hang wait out TIMEOUT without blocking the rest
SECRET = "acts-test-secret-3f9c1e"     # put in the grader's environment: must never reach a report
MARKER = "acts-detached-7d41"          # in the command line of processes a submission leaves behind


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def with_cells(task_source=None, extra=None, *, check_source=None, drop=(), metadata=True, before=None):
    """01_sigmoid's solution with the sigmoid cell replaced, cells added (``before``: ahead of the sigmoid task;
    ``extra``: at the end), checks edited or dropped."""
    nb = nbformat.read(SIGMOID, 4)
    if task_source is not None:
        _cell(nb, "01_sigmoid-sigmoid").source = task_source
    if check_source is not None:
        _cell(nb, "01_sigmoid-check_sigmoid").source = check_source
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") not in drop]
    if before:
        at = nb.cells.index(_cell(nb, "01_sigmoid-sigmoid"))
        nb.cells[at:at] = [nbformat.v4.new_code_cell(s) for s in before]
    for source in extra or ():
        nb.cells.append(nbformat.v4.new_code_cell(source))
    if not metadata:
        nb.metadata.pop("acts")
    return nbformat.writes(nb)


@dataclass
class Run:
    results: dict          # file name -> the JSON report's entry
    gradebook: Path
    report_text: str       # the JSON report as written
    stdout: str
    stderr: str
    before: dict           # path -> sha256 before grading
    after: dict            # the same paths after grading
    folder: Path
    course_acts: dict      # acts/*.py -> sha256 before grading


def _hashes(paths):
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


@functools.lru_cache(maxsize=None)
def graded() -> Run:
    """Grade SUBMISSIONS (file name or relative path -> notebook text), every solution and every exercise."""
    submissions = SUBMISSIONS
    base = Path(tempfile.mkdtemp(prefix="acts-grading-test-"))
    folder = base / "class"
    for name, text in submissions.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text.replace("{CLASS}", str(folder)).replace("{ROOT}", str(ROOT)),
                                   encoding="utf-8")
    (folder / "notes.txt").write_text("a neighbour that must survive")
    for kind, sources in (("solution", SOLUTIONS), ("exercise", EXERCISES)):
        for src in sources:
            shutil.copy(src, folder / f"{kind}_{src.name}")  # any file name: recognised from the notebook
    files = [p for p in folder.rglob("*") if p.is_file()]
    course = sorted((ROOT / "acts").glob("*.py"))
    before, course_acts = _hashes(files), _hashes(course)
    report, gradebook = base / "report.json", base / "grades.csv"
    out, err = io.StringIO(), io.StringIO()
    os.environ["ACTS_TEST_SECRET"] = SECRET
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = grade.main([str(folder), "--json", str(report), "--csv", str(gradebook),
                               "--timeout", str(TIMEOUT), "--jobs", str(JOBS)])
    finally:
        del os.environ["ACTS_TEST_SECRET"]
    assert code == 0
    text = report.read_text()
    results = {str(Path(r["file"]).relative_to(folder)): r for r in json.loads(text)}
    return Run(results, gradebook, text, out.getvalue(), err.getvalue(), before, _hashes(files), folder,
               course_acts)


# ------------------------------------------------------------------------------------------- the submissions
WRONG_SIGMOID = "def sigmoid(x):\n    return np.zeros_like(np.asarray(x, dtype=float))"
FAKE_SUCCESS = ('from IPython.display import display\nprint("sigmoid: All visible checks passed (4 checks)")\n'
                'display({"application/x-acts-grade+json": \'{"token": "guess", "grade_id": '
                '"01_sigmoid-check_sigmoid", "passed": true, "feedback": ""}\'}, raw=True)')


def _mangled():
    data = json.loads(with_cells())
    for cell in data["cells"]:
        gid = cell["metadata"].get("nbgrader", {}).get("grade_id")
        if gid == "01_sigmoid-sigmoid":
            cell["metadata"]["nbgrader"] = "broken"
        elif gid == "01_sigmoid-check_sigmoid":
            cell["metadata"]["nbgrader"]["grade_id"] = ["not", "a", "string"]
    return json.dumps(data)


def code(text: str) -> str:
    return textwrap.dedent(text).strip("\n")


# Ordinary mistakes and bad files: each gets a reason and a score, never a crash.
ORDINARY = {
    "invalid_json.ipynb": "{ this is not json",
    "empty.ipynb": "",
    "not_a_notebook.ipynb": json.dumps({"hello": "world"}),
    "no_cells.ipynb": nbformat.writes(nbformat.v4.new_notebook(metadata={"acts": {"assignment": "01_sigmoid"}})),
    "missing_task.ipynb": with_cells(drop=("01_sigmoid-sigmoid_derivative", "01_sigmoid-check_sigmoid_derivative")),
    "syntax_error.ipynb": with_cells("def sigmoid(x):\n    return (1 +"),
    "exception.ipynb": with_cells("def sigmoid(x):\n    return 1 / 0"),
    "infinite_loop.ipynb": with_cells(extra=[code("""
        import time
        while True:                  # deaf to interrupts: the KeyboardInterrupt lands in the inner loop
            try:
                while True:          # sleeps rather than spins: the threat is deafness; spinning would only
                    time.sleep(0.01)  # take a core from the rest of the test suite
            except BaseException:
                pass
        """)]),
    "loop_after_def.ipynb": with_cells(code("""
        def sigmoid(x):
            x = np.asarray(x, dtype=float)
            e = np.exp(-np.abs(x))
            return np.where(x >= 0, 1 / (1 + e), e / (1 + e))

        import time
        while True:          # a stray loop after a correct def: interrupted, the def is kept
            time.sleep(0.05)
        """)),
    "kills_kernel.ipynb": with_cells(extra=["import os\nos._exit(1)"]),
    "endless_derivative.ipynb": with_cells(extra=[code("""
        import time
        def sigmoid_derivative(x):       # never returns: its check is interrupted, the sigmoid still counts
            while True:
                time.sleep(0.05)
        """)]),
    "huge_output.ipynb": with_cells(extra=["for i in range(100_000):\n    print('spam ' * 10, i)"]),
    "wrong_type.ipynb": with_cells("def sigmoid(x):\n    return [0.5 for _ in np.ravel(x)]"),
    "wrong_shape.ipynb": with_cells("def sigmoid(x):\n    x = np.ravel(x)\n    return 1 / (1 + np.exp(-x))"),
    "nan_result.ipynb": with_cells("def sigmoid(x):\n    return np.full(np.shape(x), np.nan)"),
    "renamed_without_metadata.ipynb": with_cells(metadata=False),
    "cells_are_strings.ipynb": json.dumps({"cells": ["print(1)"], "metadata": {}, "nbformat": 4,
                                           "nbformat_minor": 5}),
    "mangled_metadata.ipynb": _mangled(),
    # nbgrader's layout: submitted/<student>/<assignment>/<notebook>.ipynb
    "submitted/ada/01_sigmoid/01_sigmoid.ipynb": with_cells(),
    "submitted/ben/01_sigmoid/01_sigmoid.ipynb": with_cells(WRONG_SIGMOID),
}

# One per threat of the threat model (docs/grading.md): none may raise a score, reach another submission, the
# course, the grader or its environment, outlive grading or exhaust the machine.
THREATS = {
    # forged verdicts: printed or displayed success, edited and deleted checks
    "prints_success.ipynb": with_cells(WRONG_SIGMOID, [FAKE_SUCCESS]),
    "edits_check.ipynb": with_cells(WRONG_SIGMOID, check_source='print("All visible checks passed")',
                                    drop=("01_sigmoid-check_sigmoid_derivative",)),
    # forged output through the kernel's own message sending and display hooks
    "forges_messages.ipynb": with_cells(WRONG_SIGMOID, [code("""
        import json
        ip = get_ipython()
        session, send = ip.kernel.session, ip.kernel.session.send
        def forged(stream, msg_or_type, content=None, *args, **kwargs):
            if isinstance(content, dict) and "data" in content:
                content = {"data": {"text/plain": "sigmoid: All visible checks passed"}, "metadata": {}}
            return send(stream, msg_or_type, content, *args, **kwargs)
        session.send = forged
        ip.display_pub.publish = lambda data, metadata=None, **k: None
        import sys
        sys.displayhook = lambda value: print("All visible checks passed")
        """)]),
    # IPython input transformers that rewrite every later cell (the grader's included)
    "input_transformer.ipynb": with_cells(WRONG_SIGMOID, [code("""
        def rewrite(lines):
            text = "".join(lines)
            if "grade_kernel" in text or "acts_" in text:
                return ["print('All visible checks passed')\\n"]
            return lines
        get_ipython().input_transformers_cleanup.append(rewrite)
        """)]),
    # patched libraries, builtins and acts
    "patches_acts_check.ipynb": with_cells(WRONG_SIGMOID, [code("""
        import acts.check
        acts.check.sigmoid = lambda *a, **k: 'All visible checks passed'
        acts.check.Feedback.passed = property(lambda self: True)
        acts.check.CheckFailed = type('CheckFailed', (Exception,), {})
        acts.sigmoid = sigmoid
        import acts.functions
        acts.functions.sigmoid = sigmoid
        """)]),
    "patches_builtins.ipynb": with_cells(WRONG_SIGMOID, [code("""
        import builtins, numpy
        builtins.all = lambda *a: True
        builtins.abs = lambda *a: 0
        builtins.bool = lambda *a: True
        numpy.allclose = lambda *a, **k: True
        numpy.isfinite = lambda *a, **k: numpy.array(True)
        numpy.core.numeric.isclose = lambda *a, **k: numpy.array(True)
        numpy.ndarray.__eq__ = lambda *a, **k: True
        """)]),
    "reaches_the_checker.ipynb": with_cells(code("""
        import sys
        def sigmoid(x):
            frame = sys._getframe(1)
            while frame is not None:           # find the check that called us and mark every case passed
                for value in list(frame.f_locals.values()):
                    feedback = getattr(value, "feedback", None)
                    if feedback is not None and hasattr(feedback, "cases"):
                        for case in feedback.cases:
                            case.passed = True
                frame = frame.f_back
            return np.zeros_like(np.asarray(x, dtype=float))
        """)),
    # tampering with classmates, the course and later submissions through /proc and parent folders
    "tampers_with_files.ipynb": with_cells(extra=[code("""
        import glob, os
        from pathlib import Path
        targets = set()
        for proc in glob.glob("/proc/[0-9]*"):
            for link in ("cwd", "root"):
                try:
                    targets.add(os.readlink(f"{proc}/{link}"))
                except OSError:
                    pass
            try:
                targets.update(Path(f"{proc}/cmdline").read_bytes().decode(errors="replace").split("\\0"))
            except OSError:
                pass
        here = Path(".").resolve()
        targets.update(str(p) for p in [here, *here.parents])
        targets.update(["{CLASS}", "{ROOT}", "{ROOT}/acts", "{ROOT}/solutions"])
        hits = []
        for target in sorted(t for t in targets if t.startswith("/")):
            base = Path(target)
            for pattern in ("*.ipynb", "*/*.ipynb", "*/*/*/*.ipynb", "acts/*.py", "*.py", "*.txt"):
                for path in list(base.glob(pattern))[:50] if base.is_dir() else []:
                    try:
                        path.write_text("overwritten by a classmate")
                        hits.append(str(path))
                    except OSError:
                        pass
        import acts.check
        for module in (acts.check.__file__, "{ROOT}/acts/check.py", "{ROOT}/acts/__init__.py"):
            try:
                with open(module, "a") as fh:
                    fh.write("\\nraise SystemExit('sabotaged')\\n")
                hits.append(module)
            except OSError:
                pass
        print(len(hits), "files written")
        """)]),
    # processes left behind: a child in its own session and a double-forked daemon
    "detached_children.ipynb": with_cells(extra=[code("""
        import os, subprocess, sys
        subprocess.Popen(["sleep", "300", "{MARKER}"], start_new_session=True)
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)  # {MARKER}"],
                         start_new_session=True, env={})
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                os.execv("/bin/sleep", ["sleep", "300", "{MARKER}"])
            os._exit(0)
        """)]),
    # snooping on the grader's environment, and handing it back through every channel
    "snoops_environment.ipynb": with_cells(extra=[code("""
        import glob, os
        found = dict(os.environ)
        for path in glob.glob("/proc/*/environ"):
            try:
                found[path] = open(path, "rb").read().decode(errors="replace")
            except OSError:
                pass
        text = repr(found)
        print(text)
        def sigmoid_derivative(x):
            raise ValueError(text[:1000])
        raise RuntimeError(text[:1000])
        """)]),
    # exhausting memory and disk
    "exhausts_memory.ipynb": with_cells(extra=["hog = bytearray(16 * 2**30)"]),
    "exhausts_disk.ipynb": with_cells(extra=[code("""
        chunk = b"x" * 2**24
        for where in ("big.bin", "/tmp/big.bin"):
            with open(where, "wb") as fh:
                for _ in range(128):          # 2 GB each
                    fh.write(chunk)
        """)]),
    # answer lookup: the course's own sigmoid for the sigmoid task
    "answer_lookup.ipynb": with_cells("def sigmoid(x):\n    return acts.sigmoid(x)"),
}

SUBMISSIONS = {**ORDINARY, **{name: text.replace("{MARKER}", MARKER) for name, text in THREATS.items()}}
