"""Verdicts in the grader's own process: the same checks learners run, replaying what the kernel recorded.

    judge(spec, entry, load, timings, seed) -> Verdict

For one check call of a check cell (``spec``: which ``acts.check`` function, with which learner names), the
grader runs that check here with a *replaying* caller: the i-th call the check makes must have the arguments
the grader itself computes (its own inputs, from its own seed); the recorded result of that call is then handed
to the check as if the learner's function had returned it. A call the kernel did not record, or recorded with
other arguments, fails its case. Timing checks get the time the grader's worker measured from outside the kernel
(never a time the kernel reports). Nothing the notebook prints or displays is read.
"""

from __future__ import annotations

import json
import threading
import traceback
from dataclasses import dataclass, field

import numpy as np

from . import check
from .grade_kernel import feedback_of
from .grade_wire import decode, encode, same

NO_RESULT = "no result: the learner's kernel handed back nothing for this call"
MISMATCH = "result rejected: the kernel's record is for other arguments than the grader's"
_HOOKS = threading.Lock()   # acts.check's hooks are module state: one replay at a time (each takes milliseconds)


class LearnerFunction:
    """Stands for a learner's function in the grader's process; the check never calls it directly."""

    def __init__(self, name: str):
        self.name = name
        self.__name__ = name

    def __call__(self, *args, **kwargs):
        raise RuntimeError(f"the grader never runs learner code: {self.name} is replayed from records")


def timing_key(function, kwargs_tree) -> str:
    """How a measured timing is looked up: the function's notebook name and its keyword arguments."""
    return json.dumps([function, kwargs_tree], sort_keys=True)


class Replayer:
    def __init__(self, calls: list, load, timings: dict):
        self.calls, self.load, self.timings = calls, load, timings
        self.next = 0
        self.rejected = 0

    def caller(self, call_directly, fn, args, kwargs):
        index, self.next = self.next, self.next + 1
        record = self.calls[index] if index < len(self.calls) and isinstance(self.calls[index], dict) else None
        if record is None:
            self.rejected += 1
            return None, NO_RESULT
        if not (same(list(args), decode(record.get("args"), self.load))
                and same(dict(kwargs), decode(record.get("kwargs"), self.load))):
            self.rejected += 1
            return None, MISMATCH
        if record.get("outcome") == "not_implemented":
            raise check._NotImplementedSignal
        if record.get("outcome") != "returned":
            self.rejected += 1
            return None, NO_RESULT
        after = decode(record["args_after"], self.load) if "args_after" in record else None
        if isinstance(after, list) and len(after) == len(args):
            for arg, changed in zip(args, after):  # the learner's function wrote into its input: so does the replay
                if isinstance(arg, np.ndarray) and isinstance(changed, np.ndarray) and arg.shape == changed.shape:
                    np.copyto(arg, changed, casting="unsafe")
        problem = record.get("problem")
        result = decode(record.get("result"), self.load)
        return result, (str(problem)[:500] if problem is not None else None)

    def timer(self, fn, x, kwargs):
        name = fn.name if isinstance(fn, LearnerFunction) else None
        measured = self.timings.get(timing_key(name, encode(dict(kwargs), _no_arrays)))
        if measured is None:
            return np.inf, "not timed: the kernel did not ask for this timing", None
        reference = measured.get("reference_seconds")
        reference = float(reference) if isinstance(reference, (int, float)) and not isinstance(reference, bool) \
            else None
        return measured["seconds"], measured.get("problem"), reference


def _no_arrays(array):
    raise ValueError("timing arguments are plain values")


@dataclass
class Verdict:
    feedback: check.Feedback | None
    lines: list = field(default_factory=list)
    grader_error: str = ""

    @property
    def passed(self) -> bool:
        return self.feedback is not None and self.feedback.passed


def _missing(spec, names) -> Verdict:
    shown = ", ".join(f"`{n}`" for n in names)
    return Verdict(None, [f"{spec['function']}: {shown} is not defined when the notebook has run (is its cell "
                          "missing, or did it raise?)"])


def judge(spec: dict, entry, load, timings: dict, seed: int) -> Verdict:
    """Run one check call (e.g. acts.check.sigmoid(sigmoid, hidden=True)) here, on the kernel's records."""
    if not isinstance(entry, dict):
        return Verdict(None, [f"{spec['function']}: {NO_RESULT}"])
    missing = [str(n)[:60] for n in entry.get("missing") or []]
    if missing:
        return _missing(spec, missing)
    args = [LearnerFunction(a["name"]) if "name" in a else a["literal"] for a in spec["args"]]
    calls = entry.get("calls") if isinstance(entry.get("calls"), list) else []
    replayer = Replayer(calls, load, timings)
    with _HOOKS, check.grading_hooks(caller=replayer.caller, timer=replayer.timer, hidden_seed=seed):
        try:
            feedback = feedback_of(getattr(check, spec["function"]), args, spec["kwargs"])
        except Exception:  # a grader-side failure: the task fails, the traceback goes to the log
            return Verdict(None, [f"{spec['function']}: the grader could not judge this check"],
                           grader_error=traceback.format_exc())
    return Verdict(feedback, feedback.lines())
