"""The feedback engine of the instant checks: cases, verdicts, their text and HTML, and the one door into
learner code.

A check is a function ``body(task, fn, hidden=False)`` that adds cases to a ``Task``; ``@task_check("name")``
turns it into a public ``Check``: ``check(fn)`` shows the feedback and returns None (so a check cell leaves no
output value for nbgrader to read), raises ``CheckFailed`` when a case fails; ``check.evaluate(fn)`` returns the
``Feedback`` without showing or raising it (the grader and the tests use it).

Every call into the learner's code goes through ``Task.call`` (and the speed check through ``Task.best_time``),
which applies the time limit of ``call_with_time_limit``: a grader can swap how those two calls are made.
"""

from __future__ import annotations

import _thread
import html
import signal
import textwrap
import threading
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from .notebook import failed_last_run

CALL_TIME_LIMIT_S = 5.0  # per call into learner code: the 1e6-element speed task takes < 1 s even on a slow loop
TEXT_WIDTH = 88          # feedback lines are wrapped here, at spaces, so no output area breaks them inside a word

TASKS: dict = {}  # task name -> Check
TIMED_OUT = "did not return within"


# ---------------------------------------------------------------- grading hooks (acts.grade)
# The instant check calls learner code directly, times it in Task.best_time and draws hidden inputs from fixed seeds.
# The grader runs the same checks twice: in the learner's kernel with a caller that records each call's outcome, then
# in its own process with a caller that replays those outcomes; it times from outside the kernel and draws hidden
# inputs from a seed it chooses at grading time.
_CALLER = None        # None, or (call_directly, fn, args, kwargs) -> (result, problem)
_TIMER = None         # None, or (fn, x, kwargs) -> (best seconds, problem, np.maximum(x, 0)'s seconds or None)
_HIDDEN_SEED = None   # None, or an int mixed into every hidden-input seed


@contextmanager
def grading_hooks(*, caller=None, timer=None, hidden_seed=None):
    """Within the block, checks call learner code through ``caller``, time with ``timer`` and mix
    ``hidden_seed`` into their hidden inputs (None keeps the instant-feedback behaviour)."""
    global _CALLER, _TIMER, _HIDDEN_SEED
    saved = _CALLER, _TIMER, _HIDDEN_SEED
    _CALLER, _TIMER, _HIDDEN_SEED = caller, timer, hidden_seed
    try:
        yield
    finally:
        _CALLER, _TIMER, _HIDDEN_SEED = saved


def hidden_rng(seed):
    """The generator of hidden inputs: the fixed seed, mixed with the grader's seed when grading."""
    return np.random.default_rng(seed if _HIDDEN_SEED is None else [seed, _HIDDEN_SEED])


# ---------------------------------------------------------------- values as short, deterministic text
def fmt(value) -> str:
    """Short, deterministic text for an input, expected or actual value."""
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray) or np.isscalar(value):
        arr = np.asarray(value)
        if arr.dtype.kind in "fiub":
            if not arr.ndim:
                return repr(arr[()].item())
            with np.printoptions(precision=6, threshold=8, edgeitems=3, floatmode="maxprec", linewidth=10**6):
                return " ".join(np.array2string(arr, separator=", ").split())
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def wrap(first: str, rest: str, text: str) -> list[str]:
    """text as lines of at most TEXT_WIDTH characters, broken at spaces: ``first`` starts the first line,
    ``rest`` (spaces) indents the others."""
    return textwrap.wrap(text, TEXT_WIDTH, initial_indent=first, subsequent_indent=rest, break_long_words=False,
                         break_on_hyphens=False) or [first.rstrip()]


# ---------------------------------------------------------------- cases and feedback
@dataclass
class Case:
    """One check: what was checked and, if it failed, the input, expected and actual values and a hint."""

    name: str
    passed: bool
    input: str = ""
    expected: str = ""
    actual: str = ""
    hint: str = ""

    def fields(self) -> list[tuple[str, str]]:
        """(label, text) of a failing case's details, in the order they are shown."""
        if self.passed:
            return []
        return [(label, text) for label, text in (("input", self.input), ("expected", self.expected),
                                                  ("actual", self.actual), ("hint", self.hint)) if text]

    def lines(self) -> list[str]:
        out = wrap(f"  {'✓' if self.passed else '✗'} ", "    ", self.name)
        for label, text in self.fields():
            out += wrap(f"      {label + ':':9} ", " " * 16, text)
        return out


@dataclass
class Feedback:
    """What a check found. Shown as HTML in JupyterLab; ``repr`` gives the same content as plain text."""

    task: str
    cases: list = field(default_factory=list)
    not_implemented: bool = False
    hidden: bool = False
    stopped: bool = False  # a call raised, hung or returned a non-array: later cases would only repeat it

    @property
    def passed(self) -> bool:
        return not self.not_implemented and bool(self.cases) and all(c.passed for c in self.cases)

    @property
    def failed(self) -> list:
        return [c for c in self.cases if not c.passed]

    def summary(self) -> str:
        kind = "hidden" if self.hidden else "visible"
        if self.not_implemented:
            return f"{self.task}: not implemented yet"
        if self.passed:
            return f"{self.task}: All {kind} checks passed ({len(self.cases)} checks)"
        return f"{self.task}: {len(self.failed)} of {len(self.cases)} {kind} checks failed"

    def notes(self) -> list[str]:
        """The sentences after the cases (what to do next), unwrapped."""
        if self.not_implemented:
            return ["The function still raises NotImplementedError: replace the line `raise NotImplementedError()` "
                    "with your code, run that cell, then run this check again."]
        out = []
        npass = len(self.cases) - len(self.failed)
        if not self.passed and npass:
            out.append(f"({npass} other check{'s' if npass > 1 else ''} passed)")
        if self.stopped:
            out.append("(the remaining checks were not run: fix this one first)")
        return out

    def shown_cases(self) -> list:
        return [] if self.not_implemented else self.cases if self.passed else self.failed

    def lines(self) -> list[str]:
        out = [self.summary()]
        for case in self.shown_cases():
            out += case.lines()
        for note in self.notes():
            out += wrap("  ", "  ", note)
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        # Okabe-Ito bluish green / vermillion, and a symbol on every line, so colour is never the only cue;
        # the browser wraps the text at spaces (overflow-wrap breaks a word only when it cannot fit at all)
        colour = "#009E73" if self.passed else "#D55E00"
        style = "white-space: pre-wrap; word-break: normal; overflow-wrap: break-word; font-family: monospace"
        items = []
        for case in self.shown_cases():
            rows = [f"{'✓' if case.passed else '✗'} {html.escape(case.name)}"]
            rows += [f"&nbsp;&nbsp;&nbsp;&nbsp;{label}: {html.escape(text)}" for label, text in case.fields()]
            items.append(f'<li style="{style}">' + "<br>".join(rows) + "</li>")
        items += [f'<li style="{style}">{html.escape(note)}</li>' for note in self.notes()]
        return (f'<div style="border-left: 4px solid {colour}; padding: 2px 8px">'
                f"<b>{html.escape(self.summary())}</b><ul style=\"list-style: none; padding-left: 8px\">"
                f"{''.join(items)}</ul></div>")


class CheckFailed(Exception):
    """Raised by a check with failing cases; shown as just the feedback lines, without a traceback."""

    def __init__(self, feedback: Feedback):
        super().__init__(feedback.summary())
        self.feedback = feedback

    def _render_traceback_(self) -> list[str]:
        return self.feedback.lines()


class NotImplementedYet(CheckFailed):
    """The learner's function still raises NotImplementedError."""


class CheckInterrupted(KeyboardInterrupt):
    """The learner interrupted the kernel during a check: still a KeyboardInterrupt (so Run All stops, as for any
    interrupt), shown as two lines instead of a traceback through the checks."""

    def __init__(self, task: str):
        super().__init__(f"{task}: interrupted")

    def _render_traceback_(self) -> list[str]:
        return [str(self)] + wrap("  ", "  ", "You interrupted the kernel while the check was running. A function that "
                                  f"hangs is stopped after {CALL_TIME_LIMIT_S:g} s anyway; run the check again when "
                                  "you are ready.")


class NotImplementedSignal(Exception):
    """Internal: the learner's stub raised NotImplementedError; ends the check as "not implemented yet"."""


class Stop(Exception):
    """Internal: a failing case makes the remaining ones pointless (an exception, a hang, a non-array)."""


# ---------------------------------------------------------------- the one door into learner code
class CallTimedOut(Exception):
    """A call into learner code did not return within its time limit."""


def call_with_time_limit(fn, args=(), kwargs=None, seconds: float | None = CALL_TIME_LIMIT_S):
    """fn(*args, **kwargs), stopped with CallTimedOut after ``seconds``.

    A timer thread interrupts the main thread with ``_thread.interrupt_main`` (portable, unlike SIGALRM: works on
    Windows and macOS too). Without a limit (``seconds`` None) or outside the main thread, the call runs unbounded.
    A KeyboardInterrupt that the timer did not cause (the learner's own interrupt) passes through unchanged.
    """
    kwargs = kwargs or {}
    if seconds is None or threading.current_thread() is not threading.main_thread():
        return fn(*args, **kwargs)
    with _sigint_raises_keyboard_interrupt():
        return _call_interrupted_after(fn, args, kwargs, seconds)


@contextmanager
def _sigint_raises_keyboard_interrupt():
    """Python's own SIGINT handler for the duration, where SIGINT was ignored or left to the OS: interrupt_main
    does nothing then, and a time limit would never fire. That is the case in a process started in the
    background by a non-interactive shell (`cmd &` in a script ignores SIGINT), e.g. a test run under nohup."""
    previous = signal.getsignal(signal.SIGINT)
    replace = previous in (signal.SIG_IGN, signal.SIG_DFL, None)
    if replace:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        if replace:
            signal.signal(signal.SIGINT, previous)


def _call_interrupted_after(fn, args, kwargs, seconds):
    lock = threading.Lock()
    state = {"running": True, "fired": False}

    def interrupt():
        with lock:
            if state["running"]:
                state["fired"] = True
                _thread.interrupt_main()

    timer = threading.Timer(seconds, interrupt)
    timer.daemon = True
    timer.start()
    try:
        try:
            result = fn(*args, **kwargs)
        finally:
            with lock:
                state["running"] = False
            timer.cancel()
        if state["fired"]:  # fired just as fn returned: the interrupt is still pending; let it land here
            try:
                time.sleep(1.0)
            except KeyboardInterrupt:
                pass
        return result
    except KeyboardInterrupt:
        if state["fired"]:
            raise CallTimedOut(f"did not return within {seconds:g} s") from None
        raise


def _raised_in(fn, tb) -> bool:
    """Whether the innermost frame of traceback ``tb`` runs in fn's module (the learner's notebook), rather than
    in a library that fn called."""
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_globals is getattr(fn, "__globals__", None)


def _name(fn) -> str:
    name = getattr(fn, "__name__", None) or getattr(fn, "name", None)  # .name: the grader's stand-in for fn
    return name if isinstance(name, str) else "your function"


class Task:
    """Collects the cases of one check; every call into learner code goes through ``call``."""

    time_limit_s = CALL_TIME_LIMIT_S

    def __init__(self, title: str, hidden: bool):
        self.feedback = Feedback(title, hidden=hidden)

    def call(self, fn, *args, **kwargs):
        """(result, problem): problem is None, or a text naming the exception or warning raised.
        Every call into learner code goes through here; the grader swaps how (``grading_hooks``). A stub's
        NotImplementedError ends the check ("not implemented yet"); a call that does not return within the time
        limit adds a failing case and ends the check."""
        if _CALLER is not None:
            result, problem = _CALLER(self.call_directly, fn, args, kwargs)
        else:
            result, problem = self.call_directly(fn, *args, **kwargs)
        if problem and problem.startswith(TIMED_OUT):
            self.add_timeout(fn, problem)
            raise Stop
        return result, problem

    def call_directly(self, fn, *args, **kwargs):
        """Call the learner's function here, under the time limit, recording exceptions and warnings."""
        if not callable(fn):
            return None, f"expected a function, got {type(fn).__name__}"
        # every warning counts, whatever the caller's settings; underflow to 0 is fine (exp(-1000) = 0)
        with warnings.catch_warnings(record=True) as caught, \
                np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
            warnings.simplefilter("always")
            try:
                result = call_with_time_limit(fn, args, kwargs, self.time_limit_s)
            except CallTimedOut:
                return None, f"{TIMED_OUT} {self.time_limit_s:g} s: an infinite loop?"
            except NotImplementedError as exc:
                if _raised_in(fn, exc.__traceback__):  # the learner's stub, not a library it called
                    raise NotImplementedSignal from None
                return None, f"raised NotImplementedError: {str(exc)[:200]}"
            except Exception as exc:  # the learner's bug, reported as a failing case
                return None, f"raised {type(exc).__name__}: {str(exc)[:200]}"
        for w in caught:
            if issubclass(w.category, (RuntimeWarning, UserWarning, DeprecationWarning)):
                return result, f"warned {w.category.__name__}: {str(w.message)[:200]}"
        return result, None

    def best_time(self, fn, args, kwargs=None, bound_s: float = 0.04, repeats: int = 5, reference=None):
        """(CPU seconds, problem, reference CPU seconds or None): the fastest of up to ``repeats`` calls, stopping early
        once under ``bound_s``. With ``reference`` (a whole-array operation on the same arguments), each call is
        paired with one of the reference, so that both are timed under the same load; after 3 pairs, a best over
        50x the reference's is clearly slow and ends the timing (one pair can be unlucky on a busy machine).
        The one place that times learner code: a grader can time it from outside here; its reference is then
        np.maximum(x, 0), timed alongside (acts.grade_worker), the only reference a check uses today."""
        if _TIMER is not None:  # grading: timed from outside the learner's kernel
            seconds, problem, reference_seconds = _TIMER(fn, args[0], kwargs or {})
            return seconds, problem, (reference_seconds if reference is not None else None)
        # the CPU time of this thread (which runs fn), not the wall clock: time spent waiting for a core on a busy
        # machine is not the function's cost (two test suites at once on 2 cores failed np.maximum on wall time)
        best, reference_best, problem = np.inf, np.inf, None
        for pair in range(1, repeats + 1):
            if reference is not None:
                start = time.thread_time()
                reference(*args)
                reference_best = min(reference_best, time.thread_time() - start)
            start = time.thread_time()
            _, problem = self.call(fn, *args, **(kwargs or {}))
            best = min(best, time.thread_time() - start)
            if problem or best <= bound_s or (pair >= 3 and best > 50 * reference_best):
                break
        return best, problem, (reference_best if reference is not None else None)

    def add_timeout(self, fn, problem):
        name = _name(fn)
        self.add(f"`{name}` returns within {self.time_limit_s:g} s", False, expected="a result", actual=problem,
                 hint=f"The check stopped `{name}` after {self.time_limit_s:g} s. Look for a loop that never ends "
                 "(a `while` whose condition never changes) or a function that calls itself without end; call it "
                 "on a small input yourself (interrupt the kernel if it hangs), fix it, run its cell, then run this "
                 "check again.")

    def add(self, name, passed, *, input="", expected="", actual="", hint=""):
        self.feedback.cases.append(Case(name, bool(passed), fmt(input), fmt(expected), fmt(actual),
                                        hint if not passed else ""))

    def array(self, name, fn, args, *, input, shape_hint="", kwargs=None, shape=None):
        """Call fn(*args) and require a real array of the expected shape; None (and a failing case) otherwise."""
        result, problem = self.call(fn, *args, **(kwargs or {}))
        return self.validate(name, result, problem, input=input, shape_hint=shape_hint, shape=shape)

    def validate(self, name, result, problem, *, input, shape_hint="", shape=None):
        """The result as a float64 array; a failing case naming what went wrong (exception, type, shape) if not.
        shape_hint: text, or a function of the actual shape giving the text, shown when only the shape is wrong."""
        if problem and result is None:
            if problem.startswith("expected a function"):
                hint = ("Pass the function itself, without calling it: acts.check.sigmoid(sigmoid), "
                        "not acts.check.sigmoid(sigmoid(x)).")
            else:
                hint = ("Your function raised an exception on this input: call it on this input yourself to see "
                        "where, and fix that first.")
            self.add(name, False, input=input, expected="a NumPy array", actual=problem, hint=hint)
            raise Stop
        if not isinstance(result, (np.ndarray, np.floating, np.integer, float, int)) or isinstance(result, bool):
            self.add(name, False, input=input, expected="a NumPy array of floats", actual=type(result).__name__,
                     hint="Return a NumPy array, e.g. built with np.exp, np.maximum or np.where; "
                     "a list or None is not accepted (is a `return` missing?).")
            raise Stop
        arr = np.asarray(result)
        if arr.dtype.kind not in "fiu":
            self.add(name, False, input=input, expected="real numbers", actual=f"array of dtype {arr.dtype}",
                     hint="Return real floating-point numbers.")
            raise Stop
        if shape is not None and arr.shape != tuple(shape):
            hint = shape_hint(arr.shape) if callable(shape_hint) else shape_hint
            self.add(name, False, input=input, expected=f"shape {tuple(shape)}", actual=f"shape {arr.shape}",
                     hint=hint or "Return one value per input, in the shape of the input: use whole-array "
                     "NumPy operations.")
            return None
        return arr.astype(np.float64)

    def close(self, name, fn, args, expected, *, input, rtol, atol, hint, warn_hint="", kwargs=None,
              no_warnings=False):
        """Values within |actual - expected| <= atol + rtol |expected|, with the tolerance stated in the name.

        The hint matches how the answer failed: ``warn_hint`` (how to avoid the overflow) only when a warning was
        caught or the result holds nan/inf; ``hint`` (text, or a function of the actual values giving the text)
        when the values are finite but wrong; exceptions, types and shapes get their own hints (``validate``)."""
        expected = np.asarray(expected, dtype=np.float64)
        label = f"{name} (tolerance {rtol:g} relative + {atol:g} absolute)"
        result, problem = self.call(fn, *args, **(kwargs or {}))
        if no_warnings and problem and problem.startswith("warned"):
            self.add(label, False, input=input, expected=f"{fmt(expected)}, without warnings", actual=problem,
                     hint="Your function emitted a warning on this input. " + (warn_hint or "Find the operation "
                     "that overflows or divides by zero and rewrite it so that it cannot."))
            return
        arr = self.validate(label, result, problem, input=input, shape=expected.shape)
        if arr is None:
            return
        finite = bool(np.isfinite(arr).all())
        ok = finite and bool(np.allclose(arr, expected, rtol=rtol, atol=atol))
        if ok:
            text = ""
        elif not finite:
            text = ("Your result holds nan or inf where the expected values are finite: something overflowed "
                    "inside (perhaps with its warning silenced). " + (warn_hint or "Look for exp of a large number "
                    "or a division by zero."))
        else:
            text = hint(arr) if callable(hint) else hint
        self.add(label, ok, input=input, expected=expected, actual=arr, hint=text)


# ---------------------------------------------------------------- running a check, and its verdict
def _answer_lookup(functions: tuple, title: str) -> str | None:
    """The grader's note (acts.answer_lookup) when the learner's function, defined in the notebook, just calls the
    course's reference for this same task: the grader gives such a task 0, so the check cell says so first.
    None while grading (the grader judges the submitted source) and for functions defined outside the notebook."""
    fn = functions[0] if functions else None
    if _CALLER is not None or getattr(fn, "__module__", None) != "__main__":
        return None
    from ..answer_lookup import looked_up_function

    try:
        return looked_up_function(fn, title)
    except Exception:  # a static reading of the learner's source must never break the check itself
        return None


def run(title: str, hidden: bool, body, functions: tuple, *args, **kwargs) -> Feedback:
    """The feedback of ``body(task, *functions, *args, hidden=hidden, **kwargs)``; never raises CheckFailed."""
    task = Task(title, hidden)
    for fn in functions:
        error = failed_last_run(fn)
        if error:
            name = _name(fn)
            task.add(f"the cell defining `{name}` ran without error", False,
                     expected=f"your latest run of the cell defining `{name}` to succeed",
                     actual=f"its latest run failed with {error}",
                     hint=f"Python still holds the `{name}` of an earlier run, so this check would test old code. "
                     "Fix the error shown under that cell, run it again, then run this check.")
            task.feedback.stopped = True
            return task.feedback
    note = _answer_lookup(functions, title)
    if note:
        task.add("written by you, not the course's own function for this task", False,
                 expected="your own implementation", actual="a call to the course's reference", hint=note)
        task.feedback.stopped = True
        return task.feedback
    try:
        body(task, *functions, *args, hidden=hidden, **kwargs)
    except KeyboardInterrupt:  # the learner's own interrupt (the time limit raises CallTimedOut instead)
        raise CheckInterrupted(title) from None
    except NotImplementedSignal:
        task.feedback.not_implemented = True
    except Stop:
        task.feedback.stopped = True
    return task.feedback


def verdict(feedback: Feedback) -> None:
    """Show a passing feedback (returns None: nothing for nbgrader to read as a score); raise a failing one."""
    if feedback.not_implemented:
        raise NotImplementedYet(feedback)
    if not feedback.passed:
        raise CheckFailed(feedback)
    show(feedback)


def show(feedback: Feedback) -> None:
    """Display in a notebook (HTML, with text/plain beside it); print elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is not None and get_ipython() is not None:
        display(feedback)
    else:
        print(repr(feedback))


class Check:
    """A public check: ``check(fn)`` shows the feedback or raises CheckFailed; ``check.evaluate(fn)`` returns it."""

    def __init__(self, name: str, body):
        self.name, self.body = name, body
        self.__name__ = self.__qualname__ = name
        self.__doc__ = body.__doc__

    def evaluate(self, *functions, hidden: bool = False) -> Feedback:
        return run(self.name, hidden, self.body, functions)

    def __call__(self, *functions, hidden: bool = False) -> None:
        verdict(self.evaluate(*functions, hidden=hidden))

    def __repr__(self) -> str:
        return f"<check {self.name}>"


def task_check(name: str):
    """Decorator: a case-collecting ``body(task, fn, hidden=False)`` becomes the public check TASKS[name]."""
    def register(body) -> Check:
        check = Check(name, body)
        TASKS[name] = check
        return check
    return register
