"""Runs in the learner's kernel after the submission: calls the learner's functions on the grader's inputs.

    import acts.grade_kernel
    acts.grade_kernel.record_json(request_json, globals())

The request names the checks of the assignment (``acts.check`` functions and the notebook names they are given),
the folder for the results and the hidden-input seed the grader drew. Each check runs here with a *recording*
caller: every call into learner code is written down (arguments, then the result or the exception, and warnings)
as JSON and .npy files (acts.grade_wire). The verdict computed here is thrown away: the grader runs the same
check again in its own process, replaying these records, and decides there (acts.grade_judge). Whatever a
submission changes in this kernel (NumPy, builtins, acts, this module) can only change the values recorded,
which is what the learner's functions could return anyway. The speed check is only asked for here: the grader
times the call from outside the kernel (acts.grade_worker).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from . import check
from .grade_wire import encode


def feedback_of(check_function, args, kwargs) -> check.Feedback:
    """A check's Feedback, neither shown nor raised: ``check.evaluate(...)`` where checks have it (called directly
    they display it and return None), else the call itself, whose CheckFailed carries it."""
    evaluate = getattr(check_function, "evaluate", None)
    if evaluate is not None:
        return evaluate(*args, **kwargs)
    try:
        return check_function(*args, **kwargs)
    except check.CheckFailed as exc:
        return exc.feedback


def records_name(index: int) -> str:
    """The file of the index-th check call of the assignment (one file each: a check stopped by the time limit
    loses only its own records)."""
    return f"calls-{index:03d}.json"


class Recorder:
    """The caller and timer that ``acts.check.grading_hooks`` installs while one check runs in the kernel."""

    def __init__(self, folder: Path, prefix: str, names: dict):
        self.folder, self.prefix, self.names = folder, prefix, names  # names: id(function) -> its notebook name
        self.calls: list = []
        self.timings: list = []
        self._files = 0

    def save(self, array: np.ndarray) -> str:
        name = f"{self.prefix}-{self._files:04d}.npy"
        self._files += 1
        np.save(self.folder / name, array, allow_pickle=False)
        return name

    def caller(self, call_directly, fn, args, kwargs):
        """Record the arguments, call the learner's function the usual way, record what came back."""
        entry = {"args": encode(list(args), self.save), "kwargs": encode(dict(kwargs), self.save)}
        self.calls.append(entry)
        before = [a.copy() if isinstance(a, np.ndarray) else None for a in args]
        try:
            result, problem = call_directly(fn, *args, **kwargs)
        except check._NotImplementedSignal:
            entry["outcome"] = "not_implemented"
            raise
        entry.update(outcome="returned", result=encode(result, self.save),
                     problem=None if problem is None else str(problem)[:500])
        if any(b is not None and not np.array_equal(a, b, equal_nan=True) for a, b in zip(args, before)):
            entry["args_after"] = encode(list(args), self.save)  # the function wrote into its input
        return result, problem

    def timer(self, fn, x, kwargs):
        """Ask for a timing; the grader measures it from outside the kernel. The verdict here is discarded."""
        self.timings.append({"function": self.names.get(id(fn)), "kwargs": encode(dict(kwargs), self.save)})
        return 0.0, None, None


def _forget_failed_runs():
    """The instant check refuses a function whose cell failed on its latest run (the learner may be looking at
    older code). The grader ran the notebook once, top to bottom: what a cell defined before it was interrupted or
    raised is the notebook's code and is graded (the notes report the cell's error)."""
    try:
        from .checks import notebook
    except ImportError:  # checks without that rule
        return
    shell, runs = getattr(notebook, "_shell", lambda: None)(), getattr(notebook, "_RUNS", None)
    if shell is not None and isinstance(runs, str) and isinstance(getattr(shell, runs, None), dict):
        getattr(shell, runs).clear()


def record(request: dict, namespace: dict) -> None:
    """Run each requested check with a Recorder; write its records to request["results"]/calls-NNN.json, numbered
    from request["first"]."""
    folder = Path(request["results"])
    folder.mkdir(parents=True, exist_ok=True)
    _forget_failed_runs()
    for number, spec in enumerate(request["checks"], request.get("first", 0)):
        entry = {"missing": [], "calls": [], "timings": [], "error": None}
        args, names = [], {}
        for arg in spec["args"]:
            if "name" not in arg:
                args.append(arg["literal"])
            elif arg["name"] in namespace:
                args.append(namespace[arg["name"]])
                names[id(namespace[arg["name"]])] = arg["name"]
            else:
                entry["missing"].append(arg["name"])
        if not entry["missing"]:
            _run_check(spec, args, names, entry, folder, number, request["seed"])
        (folder / records_name(number)).write_text(json.dumps(entry), encoding="utf-8")


def _run_check(spec, args, names, entry, folder, number, seed):
    """One check with a Recorder; an exception that escapes the check (the time limit's KeyboardInterrupt, a
    learner's SystemExit) is noted and ends only this check."""
    recorder = Recorder(folder, f"c{number:03d}", names)
    entry["calls"], entry["timings"] = recorder.calls, recorder.timings
    with check.grading_hooks(caller=recorder.caller, timer=recorder.timer, hidden_seed=seed):
        try:
            feedback_of(getattr(check, spec["function"]), args, spec["kwargs"])  # the verdict is the grader's
        except BaseException as exc:  # noqa: BLE001 - a learner's function may even raise SystemExit
            entry["error"] = f"{type(exc).__name__}: {exc}"[:400]


def record_json(request_json: str, namespace: dict) -> None:
    """``record`` with the request as JSON text (how the grader's worker writes it into a cell)."""
    record(json.loads(request_json), namespace)
