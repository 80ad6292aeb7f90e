"""Instant feedback for the exercises: one function per graded task, called from a check cell.

    acts.check.sigmoid(sigmoid)                  # -> Feedback: the visible checks that passed
    acts.check.sigmoid(sigmoid, hidden=True)     # the grader's extra cases (other inputs, same maths)

Every check tests the maths, never one formula, so every correct implementation passes:
- values against the course's reference within a stated tolerance (relative + absolute);
- derivatives against central finite differences of the reference function (acts.gradient_check);
- properties (range, symmetry, rows that sum to 1), extreme inputs (+-1000: finite, no warnings),
  shape and dtype, and that the input array is left unchanged;
- speed only where speed is the point (the vectorised ReLU: 1e6 elements under a generous time bound).

On success a check returns a ``Feedback`` (HTML in JupyterLab, deterministic text elsewhere) that lists what
passed and says "All visible checks passed". On failure it raises ``CheckFailed``: IPython shows only its
``_render_traceback_`` lines, one short message per failing case (input, expected, actual, hint), and its
message (nbval's ``evalue``) names the failing checks without any number that could change between runs.
A function that still raises NotImplementedError gives ``NotImplementedYet`` ("not implemented yet").
Inputs are fixed (seeded), so a check gives the same verdict every time.
"""

from __future__ import annotations

import html
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from .functions import leaky_relu as _ref_leaky_relu
from .functions import relu as _ref_relu
from .functions import sigmoid as _ref_sigmoid
from .functions import softmax as _ref_softmax
from .functions import tanh as _ref_tanh
from .numerics import central_difference, gradient_check, numerical_jacobian

__all__ = [
    "CheckFailed", "Feedback", "NotImplementedYet", "TASKS",
    "sigmoid", "sigmoid_derivative", "tanh", "tanh_derivative", "relu", "relu_derivative",
    "leaky_relu", "leaky_relu_derivative", "softmax", "softmax_jacobian", "softmax_cross_entropy_gradient",
    "xavier_init", "he_init", "layer_gradient_norms", "activation", "derivative",
]

# ReLU on 1e6 float64s: np.maximum takes ~0.5 ms, np.where ~1 ms, np.vectorize ~230 ms, a Python loop ~150 ms
SPEED_N = 1_000_000
SPEED_BOUND_S = 0.040


def _fmt(value) -> str:
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


@dataclass
class Case:
    """One check: what was checked and, if it failed, the input, expected and actual values and a hint."""

    name: str
    passed: bool
    input: str = ""
    expected: str = ""
    actual: str = ""
    hint: str = ""

    def lines(self) -> list[str]:
        if self.passed:
            return [f"  ✓ {self.name}"]
        out = [f"  ✗ {self.name}"]
        for label, text in (("input", self.input), ("expected", self.expected), ("actual", self.actual),
                            ("hint", self.hint)):
            if text:
                out.append(f"      {label + ':':9} {text}")
        return out


@dataclass
class Feedback:
    """What a check found. Shown as HTML in JupyterLab; ``repr`` gives the same content as plain text."""

    task: str
    cases: list = field(default_factory=list)
    not_implemented: bool = False
    hidden: bool = False
    stopped: bool = False  # a call raised or returned a non-array: later cases would only repeat it

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

    def lines(self) -> list[str]:
        if self.not_implemented:
            return [self.summary(),
                    "  The function still raises NotImplementedError: replace the line",
                    "  `raise NotImplementedError()` with your code, run that cell, then run this check again."]
        if self.passed:
            return [self.summary()] + [line for c in self.cases for line in c.lines()]
        out = [self.summary()] + [line for c in self.failed for line in c.lines()]
        npass = len(self.cases) - len(self.failed)
        if npass:
            out.append(f"  ({npass} other check{'s' if npass > 1 else ''} passed)")
        if self.stopped:
            out.append("  (the remaining checks were not run: fix this one first)")
        return out

    def __repr__(self) -> str:
        return "\n".join(self.lines())

    def _repr_html_(self) -> str:
        # Okabe-Ito bluish green / vermillion, and a symbol on every line, so colour is never the only cue
        colour = "#009E73" if self.passed else "#D55E00"
        items = "".join(f"<li><code>{html.escape(line.strip())}</code></li>" for line in self.lines()[1:])
        return (f'<div style="border-left: 4px solid {colour}; padding: 2px 8px">'
                f"<b>{html.escape(self.summary())}</b><ul style=\"list-style: none; padding-left: 8px\">"
                f"{items}</ul></div>")


class CheckFailed(Exception):
    """Raised by a check with failing cases; shown as just the feedback lines, without a traceback."""

    def __init__(self, feedback: Feedback):
        super().__init__(feedback.summary())
        self.feedback = feedback

    def _render_traceback_(self) -> list[str]:
        return self.feedback.lines()


class NotImplementedYet(CheckFailed):
    """The learner's function still raises NotImplementedError."""


class _NotImplementedSignal(Exception):
    pass


class _Stop(Exception):
    pass


class _Task:
    """Collects the cases of one check; calls the learner's function safely."""

    def __init__(self, title: str, hidden: bool):
        self.feedback = Feedback(title, hidden=hidden)

    def call(self, fn, *args, **kwargs):
        """(result, problem): problem is None, or a text naming the exception or warning raised.
        Every call into learner code goes through here; the grader swaps how (see ``grading_hooks``)."""
        if _CALLER is not None:
            return _CALLER(self.call_directly, fn, args, kwargs)
        return self.call_directly(fn, *args, **kwargs)

    def call_directly(self, fn, *args, **kwargs):
        if not callable(fn):
            return None, f"expected a function, got {type(fn).__name__}"
        # every warning counts, whatever the caller's settings; underflow to 0 is fine (exp(-1000) = 0)
        with warnings.catch_warnings(record=True) as caught, \
                np.errstate(over="warn", divide="warn", invalid="warn", under="ignore"):
            warnings.simplefilter("always")
            try:
                result = fn(*args, **kwargs)
            except NotImplementedError:
                raise _NotImplementedSignal from None
            except Exception as exc:  # the learner's bug, reported as a failing case
                return None, f"raised {type(exc).__name__}: {str(exc)[:200]}"
        for w in caught:
            if issubclass(w.category, (RuntimeWarning, UserWarning, DeprecationWarning)):
                return result, f"warned {w.category.__name__}: {str(w.message)[:200]}"
        return result, None

    def add(self, name, passed, *, input="", expected="", actual="", hint=""):
        self.feedback.cases.append(Case(name, bool(passed), _fmt(input), _fmt(expected), _fmt(actual),
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
            raise _Stop
        if not isinstance(result, (np.ndarray, np.floating, np.integer, float, int)) or isinstance(result, bool):
            self.add(name, False, input=input, expected="a NumPy array of floats", actual=type(result).__name__,
                     hint="Return a NumPy array, e.g. built with np.exp, np.maximum or np.where; "
                     "a list or None is not accepted (is a `return` missing?).")
            raise _Stop
        arr = np.asarray(result)
        if arr.dtype.kind not in "fiu":
            self.add(name, False, input=input, expected="real numbers", actual=f"array of dtype {arr.dtype}",
                     hint="Return real floating-point numbers.")
            raise _Stop
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
            self.add(label, False, input=input, expected=f"{_fmt(expected)}, without warnings", actual=problem,
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

    def finish(self) -> Feedback:
        fb = self.feedback
        if not fb.passed:
            raise CheckFailed(fb)
        return fb


def _run(title, hidden, body, *args, **kwargs) -> Feedback:
    task = _Task(title, hidden)
    try:
        body(task, *args, hidden=hidden, **kwargs)
    except _NotImplementedSignal:
        task.feedback.not_implemented = True
        raise NotImplementedYet(task.feedback) from None
    except _Stop:
        task.feedback.stopped = True
    return task.finish()


def _checked(title):
    """Turn a case-collecting function into a public check (NotImplementedError -> NotImplementedYet)."""
    def wrap(body):
        def check(*functions, hidden: bool = False):
            return _run(title, hidden, body, *functions)
        check.__name__ = body.__name__
        check.__qualname__ = body.__name__
        check.__doc__ = body.__doc__
        TASKS[body.__name__] = check
        return check
    return wrap


TASKS: dict = {}  # task name -> check function


# ---------------------------------------------------------------- grading hooks (acts.grade)
# The instant check calls learner code directly, times it here and draws hidden inputs from fixed seeds. The grader
# runs the same checks twice: in the learner's kernel with a caller that records each call's outcome, then in its
# own process with a caller that replays those outcomes (acts.grade_kernel, acts.grade_judge); it times from
# outside the kernel and draws hidden inputs from a seed it chooses at grading time.
_CALLER = None        # None, or (call_directly, fn, args, kwargs) -> (result, problem)
_TIMER = None         # None, or (fn, x, kwargs) -> (best seconds, problem) for the speed check
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


def _hidden_rng(seed):
    """The generator of hidden inputs: the fixed seed, mixed with the grader's seed when grading."""
    return np.random.default_rng(seed if _HIDDEN_SEED is None else [seed, _HIDDEN_SEED])


def _points(hidden, visible, seed, n=7, low=-30.0, high=30.0):
    """The visible inputs, or seeded random ones for the hidden checks (other inputs, same maths)."""
    if not hidden:
        return np.asarray(visible, dtype=np.float64)
    return np.round(_hidden_rng(seed).uniform(low, high, n), 3)


def _unchanged(task, fn, name, args=(), kwargs=None):
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    copy = x.copy()
    task.call(fn, x, *args, **(kwargs or {}))
    task.add(f"{name} leaves its input array unchanged", np.array_equal(x, copy), input=copy,
             expected=copy, actual=x, hint="Compute into a new array (np.maximum, np.where, x * ...) "
             "instead of assigning into x, which would change the caller's data.")


def _extreme(task, fn, name, ref, args=(), kwargs=None, rtol=1e-9, atol=1e-12, hint="", warn_hint=""):
    """+-100 and +-1000: the right values, finite and without warnings. warn_hint: how to avoid the overflow."""
    x = np.array([-1000.0, -100.0, 100.0, 1000.0])
    task.close(f"{name} at extreme inputs, finite and without warnings", fn, (x, *args),
               ref(x, **(kwargs or {})), input=x, rtol=rtol, atol=atol, kwargs=kwargs, no_warnings=True, hint=hint,
               warn_hint=warn_hint)


def _shape_hint(shape) -> str:
    if len(shape) == 1 and shape[0] == 12:
        return ("Your result was flattened: a list comprehension, np.ravel or a loop over x loses the rows. "
                "Apply NumPy operations to the whole array; they keep its shape.")
    if shape == ():
        return ("Your result is one number, not one per input in the input's shape: float(x), math.exp or a sum "
                "reduce the array. Use NumPy operations that work elementwise (np.exp, np.where, np.maximum).")
    return "Return one value per input, in the shape of the input: use elementwise NumPy operations."


def _shape(task, fn, name, args=(), kwargs=None):
    """Shape and dtype only (values are checked elsewhere): a 3x4 float input gives a 3x4 float array."""
    x = np.linspace(-3, 3, 12).reshape(3, 4)
    label = f"{name} keeps the shape of a 3x4 input and returns floats"
    result, problem = task.call(fn, x, *args, **(kwargs or {}))
    if task.validate(label, result, problem, input="np.linspace(-3, 3, 12).reshape(3, 4)", shape=x.shape,
                     shape_hint=_shape_hint) is None:
        return
    dtype = np.asarray(result).dtype
    task.add(label, dtype.kind == "f", input="np.linspace(-3, 3, 12).reshape(3, 4)",
             expected="shape (3, 4), a floating-point dtype", actual=f"shape (3, 4), dtype {dtype}",
             hint="Return floats, not integers: write 1.0 and 0.0 in np.where, or convert with .astype(float).")


def _derivative_hint(arr, expected, x, of, ref_f, kwargs):
    """A hint that says how a derivative's values differ from the slope of the function."""
    ref_df = getattr(ref_f, "derivative", None)
    if np.allclose(arr, -expected, rtol=1e-6, atol=1e-9):
        return f"Your values have the right size but the wrong sign: check the signs in your formula for {of}'."
    if ref_df is not None and np.allclose(arr, ref_df(ref_f(x, **kwargs), **kwargs), rtol=1e-6, atol=1e-9):
        return (f"Your formula is evaluated at {of}(x) instead of at x: the derivative takes the input x "
                f"(compute {of}(x) inside it if your formula needs it).")
    if np.allclose(arr, ref_f(x, **kwargs), rtol=1e-6, atol=1e-9):
        return f"You returned {of}(x) itself: the derivative is its slope."
    return (f"Differentiate {of}(x) (chain rule) and evaluate at the input x; 'expected' lists the slopes "
            f"measured on {of} itself.")


def _derivative(task, fn, name, ref_f, x, kwargs=None, tol=1e-6, of=None):
    """Gradient check: the learner's derivative against central differences of the reference function."""
    kwargs = kwargs or {}
    of = of or name.split("'")[0]
    label = f"{name} matches finite differences of {of}(x) (max error {tol:g})"
    arr = task.array(label, fn, (x,), input=x, kwargs=kwargs, shape=x.shape,
                     shape_hint="One slope per input: the derivative returns an array of the shape of x.")
    if arr is None:
        return
    err = gradient_check(lambda v: ref_f(v, **kwargs), lambda v: arr, x)
    expected = central_difference(lambda v: ref_f(v, **kwargs), x)
    ok = err <= tol
    task.add(label, ok, input=x, expected=expected, actual=arr,
             hint="" if ok else _derivative_hint(arr, expected, x, of, ref_f, kwargs))


def _timed(task, fn, name, kwargs=None):
    """Best of up to 5 runs on 1e6 elements under SPEED_BOUND_S (stops early when clearly too slow)."""
    x = np.linspace(-5.0, 5.0, SPEED_N)
    best, problem = (np.inf, None) if _TIMER is None else _TIMER(fn, x, kwargs or {})
    for _ in range(5 if _TIMER is None else 0):
        start = time.perf_counter()
        _, problem = task.call(fn, x, **(kwargs or {}))
        best = min(best, time.perf_counter() - start)
        if problem or best <= SPEED_BOUND_S or best > 5 * SPEED_BOUND_S:
            break
    ms = int(SPEED_BOUND_S * 1000)
    hint = ("Your function raised or warned on this input (see actual): fix that first." if problem else
            "Use whole-array NumPy operations (np.maximum, np.where, comparisons); np.vectorize and Python loops "
            "call Python once per element (~200x slower).")
    task.add(f"{name} is vectorised: 1,000,000 elements in under {ms} ms", best <= SPEED_BOUND_S and not problem,
             input="np.linspace(-5, 5, 1_000_000)", expected=f"under {ms} ms",
             actual=problem or "slower than the bound", hint=hint)


# ------------------------------------------------------------------ 01 sigmoid
def _sigmoid_value_hint(task, fn):
    """A value hint for a wrong sigmoid: which of sigma(0) = 1/2, sigma(-x) = 1 - sigma(x), increasing fails."""
    def hint(actual) -> str:
        x = np.array([0.0, 0.5, 2.0, -0.5, -2.0])
        s, _ = task.call(fn, x)
        try:
            s = np.asarray(s, dtype=np.float64).reshape(x.shape)
        except (TypeError, ValueError):
            return "sigma(x) = 1 / (1 + exp(-x)): it rises from 0 to 1, with sigma(0) = 0.5."
        at0 = "holds" if np.isclose(s[0], 0.5, atol=1e-9) else f"fails (yours gives {s[0]:.4g})"
        sym = "holds" if np.allclose(s[3:], 1 - s[1:3], atol=1e-9) else "fails"
        text = f"Tested on your sigmoid: sigmoid(0) = 0.5 {at0}; the symmetry sigmoid(-x) = 1 - sigmoid(x) {sym}"
        if s[2] < s[4]:
            text += (f"; but it decreases (sigmoid(2) = {s[2]:.4g} < sigmoid(-2) = {s[4]:.4g}): a mirror image, "
                     "the sign of x in exp is flipped")
        text += "."
        return text + " sigma(x) = 1 / (1 + exp(-x)) rises from 0 to 1."
    return hint


@_checked("sigmoid")
def sigmoid(task, fn, hidden=False):
    """sigma(x) = 1 / (1 + e^-x): values, range, symmetry, +-1000 without overflow, shape."""
    x = _points(hidden, [-5.0, -1.0, 0.0, 0.5, 3.0], seed=101)
    value_hint = _sigmoid_value_hint(task, fn)
    task.close("values", fn, (x,), _ref_sigmoid(x), input=x, rtol=1e-9, atol=1e-12, hint=value_hint)
    s = task.array("symmetry sigma(-x) = 1 - sigma(x)", fn, (np.concatenate([x, -x]),), input=x,
                   shape=(2 * x.size,))
    if s is not None:
        ok = np.allclose(s[x.size:], 1 - s[:x.size], atol=1e-12)
        task.add("symmetry sigma(-x) = 1 - sigma(x) (tolerance 1e-12)", ok, input=x, expected=1 - s[:x.size],
                 actual=s[x.size:], hint="A correct sigmoid satisfies this identity at every x: sigma(x) + "
                 "sigma(-x) = 1. Check the 1 + ... in the denominator.")
    _extreme(task, fn, "sigmoid", _ref_sigmoid, hint=value_hint, warn_hint="exp(-x) overflows for x = -1000. "
             "Use exp of a non-positive number only: for x < 0 write sigma(x) = exp(x) / (1 + exp(x)), e.g. with "
             "np.where inside np.errstate, or with exp(-|x|).")
    _shape(task, fn, "sigmoid")


@_checked("sigmoid_derivative")
def sigmoid_derivative(task, fn, hidden=False):
    """sigma'(x) = sigma(x)(1 - sigma(x)): finite differences, maximum 1/4 at 0, +-1000, shape."""
    x = _points(hidden, [-6.0, -2.0, -0.5, 0.0, 1.0, 4.0], seed=102, low=-15, high=15)
    _derivative(task, fn, "sigmoid'", _ref_sigmoid, x)
    task.close("sigma'(0) = 0.25, the maximum", fn, (np.array([0.0]),), [0.25], input=[0.0], rtol=1e-9, atol=0,
               hint="The sigmoid is steepest at 0, where sigma = 1/2: sigma'(0) = 1/2 (1 - 1/2) = 1/4.")
    _extreme(task, fn, "sigmoid'", _ref_sigmoid.derivative,
             hint="The slope is 0 (to double precision) at +-1000: compute sigma(x)(1 - sigma(x)) at the input x.",
             warn_hint="Use a stable sigmoid inside the derivative (exp of non-positive numbers only).")
    _shape(task, fn, "sigmoid'")


# ------------------------------------------------------------------ 02 tanh
@_checked("tanh")
def tanh(task, fn, hidden=False):
    """tanh(x) = 2 sigma(2x) - 1: values, odd symmetry, range, +-1000, shape."""
    x = _points(hidden, [-3.0, -1.0, 0.0, 0.25, 2.0], seed=201, low=-10, high=10)
    task.close("values", fn, (x,), np.tanh(x), input=x, rtol=1e-9, atol=1e-12,
               hint="tanh(x) = 2 sigma(2x) - 1 (note the 2x inside).")
    t = task.array("odd symmetry tanh(-x) = -tanh(x)", fn, (np.concatenate([x, -x]),), input=x,
                   shape=(2 * x.size,))
    if t is not None:
        task.add("odd symmetry tanh(-x) = -tanh(x) (tolerance 1e-12)",
                 np.allclose(t[x.size:], -t[:x.size], atol=1e-12), input=x, expected=-t[:x.size],
                 actual=t[x.size:], hint="tanh is odd: it is zero-centred, unlike the sigmoid.")
    _extreme(task, fn, "tanh", _ref_tanh, hint="tanh(-1000) = -1 and tanh(1000) = 1: check your formula at "
             "large |x|.", warn_hint="exp(2x) or exp(-2x) overflows at |x| = 1000: build tanh from a stable "
             "sigmoid, 2 sigma(2x) - 1, so that +-1000 gives +-1 without overflow.")
    _shape(task, fn, "tanh")


@_checked("tanh_derivative")
def tanh_derivative(task, fn, hidden=False):
    """tanh'(x) = 1 - tanh(x)^2: finite differences, value 1 at 0, +-1000, shape."""
    x = _points(hidden, [-4.0, -1.0, 0.0, 0.5, 2.5], seed=202, low=-8, high=8)
    _derivative(task, fn, "tanh'", _ref_tanh, x)
    task.close("tanh'(0) = 1, the maximum", fn, (np.array([0.0]),), [1.0], input=[0.0], rtol=1e-9, atol=0,
               hint="tanh is steepest at 0, with slope 1.")
    _extreme(task, fn, "tanh'", _ref_tanh.derivative, hint="tanh'(+-1000) = 0: evaluate 1 - tanh(x)^2 at the "
             "input x.", warn_hint="Use a stable tanh inside (np.tanh, or 2 sigma(2x) - 1 with a stable sigmoid).")
    _shape(task, fn, "tanh'")


# ------------------------------------------------------------------ 03 ReLU
@_checked("relu")
def relu(task, fn, hidden=False):
    """relu(x) = max(0, x): values, +-1000, shape, input unchanged, speed on 1e6 elements."""
    x = _points(hidden, [-3.0, -0.5, 0.0, 0.5, 2.0], seed=301, low=-5, high=5)
    task.close("values", fn, (x,), _ref_relu(x), input=x, rtol=0, atol=0,
               hint="relu(x) = max(0, x): negative inputs become 0, the others pass unchanged.")
    _extreme(task, fn, "relu", _ref_relu, rtol=0, atol=0, hint="relu(-1000) = 0 and relu(1000) = 1000: "
             "relu(x) = max(0, x) at every size of x.")
    _shape(task, fn, "relu")
    _unchanged(task, fn, "relu")
    _timed(task, fn, "relu")


def _kinked_derivative(task, fn, name, ref_f, low_slope, x, kwargs=None):
    kwargs = kwargs or {}
    away = x[x != 0]
    _derivative(task, fn, name, ref_f, away, kwargs=kwargs)
    label = f"{name} at the kink x = 0 lies in [{low_slope:g}, 1] (PyTorch uses {low_slope:g})"
    arr = task.array(label, fn, (np.array([0.0]),), input=[0.0], kwargs=kwargs, shape=(1,))
    if arr is not None:
        task.add(label, low_slope <= arr[0] <= 1, input=[0.0], expected=f"a value in [{low_slope:g}, 1]",
                 actual=arr, hint="No derivative exists at 0; pick the left or the right slope.")


@_checked("relu_derivative")
def relu_derivative(task, fn, hidden=False):
    """relu'(x) = 1 for x > 0, 0 for x < 0 (any value in [0, 1] accepted at 0); +-1000, shape, speed."""
    x = _points(hidden, [-3.0, -0.5, 0.0, 0.5, 2.0], seed=302, low=-5, high=5)
    _kinked_derivative(task, fn, "relu'", _ref_relu, 0.0, x)
    _extreme(task, fn, "relu'", _ref_relu.derivative, rtol=0, atol=0, hint="relu'(x) is 0 for every x < 0 "
             "and 1 for every x > 0, however large |x|.")
    _shape(task, fn, "relu'")
    _unchanged(task, fn, "relu'")
    _timed(task, fn, "relu'")


# ------------------------------------------------------------------ 04 leaky ReLU
def _leaky_hint(x, alpha, default=False):
    """A value hint for leaky ReLU: the slope the answer uses on negative inputs, if it uses one."""
    def hint(actual) -> str:
        pos, neg = x > 0, x < 0
        if not np.allclose(actual[pos], x[pos], rtol=1e-12, atol=1e-15):
            return "Positive inputs pass unchanged: leaky_relu(x) = x for x > 0."
        slopes = actual[neg] / x[neg]
        if neg.any() and np.allclose(slopes, slopes[0], rtol=1e-9):
            if default:
                return (f"Negative inputs are multiplied by {slopes[0]:.4g} in yours: give alpha the default "
                        "0.01, def leaky_relu(x, alpha=0.01).")
            return (f"Negative inputs are multiplied by {slopes[0]:.4g} in yours, not by alpha = {alpha:g}: "
                    "use the alpha argument in the formula.")
        return "Negative inputs are multiplied by alpha: leaky_relu(x) = alpha x for x <= 0."
    return hint


@_checked("leaky_relu")
def leaky_relu(task, fn, hidden=False):
    """leaky_relu(x, alpha=0.01) = x for x > 0, alpha x otherwise: default alpha, other alphas, +-1000, shape."""
    x = _points(hidden, [-3.0, -0.5, 0.0, 0.5, 2.0], seed=401, low=-5, high=5)
    task.close("values with the default alpha = 0.01", fn, (x,), _ref_leaky_relu(x), input=x, rtol=1e-12,
               atol=1e-15, hint=_leaky_hint(x, 0.01, default=True))
    for alpha in ((0.3, 0.7) if hidden else (0.1, 0.5)):
        task.close(f"values with alpha = {alpha}", fn, (x,), _ref_leaky_relu(x, alpha=alpha), kwargs={"alpha": alpha},
                   input=x, rtol=1e-12, atol=1e-15, hint=_leaky_hint(x, alpha))
    _extreme(task, fn, "leaky_relu", _ref_leaky_relu, rtol=1e-12, atol=0, hint="leaky_relu(-1000) = -1000 alpha "
             "and leaky_relu(1000) = 1000: the same rule at every size of x.")
    _shape(task, fn, "leaky_relu", kwargs={"alpha": 0.2})
    _unchanged(task, fn, "leaky_relu", kwargs={"alpha": 0.2})


@_checked("leaky_relu_derivative")
def leaky_relu_derivative(task, fn, hidden=False):
    """1 for x > 0, alpha for x < 0 (any value in [alpha, 1] at 0), for several alphas; +-1000, shape."""
    x = _points(hidden, [-3.0, -0.5, 0.0, 0.5, 2.0], seed=402, low=-5, high=5)
    for alpha in ((0.01, 0.3) if hidden else (0.01, 0.2)):
        _kinked_derivative(task, fn, f"leaky_relu' with alpha = {alpha}", _ref_leaky_relu, alpha, x,
                           kwargs={"alpha": alpha})
    _extreme(task, fn, "leaky_relu'", _ref_leaky_relu.derivative, kwargs={"alpha": 0.1}, rtol=1e-12, atol=0,
             hint="The slope is alpha (here 0.1) for every x < 0 and 1 for every x > 0, however large |x|.")
    _shape(task, fn, "leaky_relu'", kwargs={"alpha": 0.1})


# ------------------------------------------------------------------ 05 softmax
def _logits(hidden, visible, seed, n=5):
    return np.asarray(visible, dtype=np.float64) if not hidden else np.round(
        _hidden_rng(seed).normal(0, 3, n), 3)


def _softmax_hint(actual) -> str:
    """A value hint for softmax: whether each row (or only the whole array) sums to 1."""
    sums = actual.sum(axis=-1)
    if np.allclose(sums, 1, atol=1e-9):
        return ("Each row sums to 1, but the values differ: exponentiate each score, then divide by the sum of "
                "the exponentials of its own row.")
    if actual.ndim > 1 and np.isclose(actual.sum(), 1, atol=1e-9):
        return ("The whole batch sums to 1 instead of each row: use axis=-1 and keepdims=True in np.max and "
                "np.sum.")
    return (f"Your probabilities sum to {_fmt(np.round(sums, 6))}, not 1: divide the exponentials by their sum "
            "(along axis=-1, with keepdims=True).")


@_checked("softmax")
def softmax(task, fn, hidden=False):
    """softmax(z)_i = e^{z_i} / sum_j e^{z_j}: values, sums to 1, shift invariance, +-1000, rows of a batch."""
    z = _logits(hidden, [0.4, 2.0, 5.0], seed=501)
    task.close("values", fn, (z,), _ref_softmax(z), input=z, rtol=1e-9, atol=1e-15, hint=_softmax_hint)
    p = task.array("positive entries that sum to 1", fn, (z + 7.0,), input=z + 7.0, shape=z.shape)
    if p is not None:
        task.add("shift invariance softmax(z + 7) = softmax(z) (tolerance 1e-12)",
                 np.allclose(p, _ref_softmax(z), atol=1e-12), input=z + 7.0, expected=_ref_softmax(z), actual=p,
                 hint="Adding the same number to every score must not change the probabilities.")
    big = np.array([1000.0, 0.0, -1000.0]) if not hidden else np.array([-1000.0, 999.0, 1000.0, 0.0])
    task.close("large scores, without overflow or warnings", fn, (big,), _ref_softmax(big), input=big, rtol=1e-9,
               atol=1e-15, no_warnings=True, hint=_softmax_hint, warn_hint="exp(1000) overflows: subtract "
               "max(z) first; softmax(z - c) = softmax(z), and every exponent is then <= 0.")
    batch = np.array([[1.0, 2.0, 3.0], [1000.0, 1000.0, -5.0]])
    task.close("each row of a 2-D batch (axis -1) sums to 1", fn, (batch,), _ref_softmax(batch), input=batch,
               rtol=1e-9, atol=1e-15, hint=_softmax_hint, warn_hint="Subtract each row's own maximum: "
               "np.max(z, axis=-1, keepdims=True); one maximum for the whole batch leaves a row of exp(-997) = 0.")


@_checked("softmax_jacobian")
def softmax_jacobian(task, fn, hidden=False):
    """J[i, j] = d s_i / d z_j for one vector z: finite differences, symmetry, rows summing to 0, large z."""
    z = _logits(hidden, [0.4, 2.0, 5.0], seed=502, n=4)
    label = "matches finite differences (max error 1e-7)"
    jac = task.array(label, fn, (z,), input=z, shape=(z.size, z.size), shape_hint="The Jacobian of n outputs with "
                     "respect to n inputs is an n x n matrix.")
    if jac is not None:
        numeric = numerical_jacobian(_ref_softmax, z)
        task.add(label, np.allclose(jac, numeric, atol=1e-7), input=z, expected=numeric, actual=jac,
                 hint="d s_i / d z_j = s_i (delta_ij - s_j): the diagonal is s_i (1 - s_i), off-diagonal -s_i s_j.")
        task.add("symmetric, with rows that sum to 0 (tolerance 1e-12)",
                 np.allclose(jac, jac.T, atol=1e-12) and np.allclose(jac.sum(axis=1), 0, atol=1e-12), input=z,
                 expected="J = J.T and J.sum(axis=1) = 0", actual=jac, hint="The probabilities always sum to 1, "
                 "so moving any z_j changes their sum by 0.")
    big = np.array([1000.0, 0.0, -1000.0])
    task.close("large scores, without overflow or warnings", fn, (big,), _ref_softmax.jacobian(big), input=big,
               rtol=1e-9, atol=1e-15, no_warnings=True, hint="At these scores softmax(z) = [1, 0, 0] to double "
               "precision: J = diag(s) - s s^T "
               "is then 0 everywhere.", warn_hint="Use a stable softmax inside the Jacobian (subtract max(z) first).")


def _cross_entropy(z, y):
    # L = -sum_i y_i log softmax(z)_i
    from .functions import log_softmax
    return -np.sum(y * log_softmax(z))


@_checked("softmax_cross_entropy_gradient")
def softmax_cross_entropy_gradient(task, fn, hidden=False):
    """dL/dz for L = -sum_i y_i log softmax(z)_i: finite differences, sums to 0, one-hot and soft targets."""
    z = _logits(hidden, [0.4, 2.0, 5.0], seed=503, n=4)
    targets = [np.eye(z.size)[0], np.full(z.size, 1.0 / z.size)]
    for y, what in zip(targets, ("one-hot target", "uniform target")):
        label = f"{what}: matches finite differences of the loss (max error 1e-7)"
        g = task.array(label, fn, (z, y), input=f"z = {_fmt(z)}, y = {_fmt(y)}", shape=z.shape,
                       shape_hint="One number per score: the gradient has the shape of z.")
        if g is not None:
            numeric = np.array([central_difference(lambda t, i=i: _cross_entropy(
                np.concatenate([z[:i], [t], z[i + 1:]]), y), z[i]) for i in range(z.size)])
            task.add(label, np.allclose(g, numeric, atol=1e-7), input=f"z = {_fmt(z)}, y = {_fmt(y)}",
                     expected=numeric, actual=g, hint="Chain the softmax Jacobian with dL/ds = -y / s; "
                     "the result simplifies a lot.")
    big = np.array([1000.0, 0.0, -1000.0])
    y = np.array([0.0, 1.0, 0.0])
    task.close("large scores, without overflow or warnings", fn, (big, y), _ref_softmax(big) - y,
               input=f"z = {_fmt(big)}, y = {_fmt(y)}", rtol=1e-9, atol=1e-12, no_warnings=True,
               hint="At these scores softmax(z) = [1, 0, 0] to double precision: compare your formula's value "
               "there with 'expected'.", warn_hint="Compute with a stable softmax; never take log of a "
               "probability that underflowed to 0.")


# ------------------------------------------------------------------ 06 vanishing gradients
def _init_hint(w, target) -> str:
    """Says whether the mean or the variance of the weights is off, and by how much."""
    if abs(w.mean()) >= 0.1 * np.sqrt(target):
        return "Centre the weights on 0: rng.normal(0, std, shape) or rng.uniform(-a, a, shape)."
    ratio = w.var() / target
    return (f"Your variance is {ratio:.3g} times the target: a normal needs std = sqrt(target), a uniform on "
            "[-a, a] needs a = sqrt(3 target).")


def _init_check(task, fn, name, variance, hidden):
    shapes = [(400, 200), (100, 300)] if not hidden else [(250, 250), (600, 150)]
    for fan_in, fan_out in shapes:
        label = f"{name}({fan_in}, {fan_out}): shape, mean 0 and variance within 10%"
        w = task.array(label, fn, (fan_in, fan_out), kwargs={"rng": np.random.default_rng(0)},
                       input=f"fan_in = {fan_in}, fan_out = {fan_out}", shape=(fan_in, fan_out),
                       shape_hint="Return a matrix of shape (fan_in, fan_out): inputs are rows, outputs columns.")
        if w is None:
            continue
        target = variance(fan_in, fan_out)
        ok = abs(w.var() / target - 1) < 0.10 and abs(w.mean()) < 0.1 * np.sqrt(target)
        task.add(label, ok, input=f"fan_in = {fan_in}, fan_out = {fan_out}",
                 expected=f"mean 0, variance {target:.3g}", actual=f"mean {w.mean():.3g}, variance {w.var():.3g}",
                 hint="" if ok else _init_hint(w, target))
    a = task.array(f"{name} uses the rng it is given (same seed, same weights)", fn, (20, 10),
                   kwargs={"rng": np.random.default_rng(1)}, input="rng = np.random.default_rng(1), twice",
                   shape=(20, 10))
    b = task.array(f"{name} uses the rng it is given (same seed, same weights)", fn, (20, 10),
                   kwargs={"rng": np.random.default_rng(1)}, input="rng = np.random.default_rng(1), twice",
                   shape=(20, 10))
    if a is not None and b is not None:
        task.add(f"{name} uses the rng it is given (same seed, same weights)", np.array_equal(a, b),
                 input="rng = np.random.default_rng(1), twice", expected="identical matrices",
                 actual="different matrices", hint="Draw with rng.normal(...) or rng.uniform(...), not np.random.")


@_checked("xavier_init")
def xavier_init(task, fn, hidden=False):
    """Xavier/Glorot: weights of variance 2 / (fan_in + fan_out), any distribution."""
    _init_check(task, fn, "xavier_init", lambda i, o: 2.0 / (i + o), hidden)


@_checked("he_init")
def he_init(task, fn, hidden=False):
    """He/Kaiming: weights of variance 2 / fan_in, any distribution."""
    _init_check(task, fn, "he_init", lambda i, o: 2.0 / i, hidden)


@_checked("layer_gradient_norms")
def layer_gradient_norms(task, fn, hidden=False):
    """Per-layer gradient norms of a chain of sigmoid layers, against a hand-checked computation."""
    rng = _hidden_rng(602) if hidden else np.random.default_rng(601)
    depth, width, batch = (5, 8, 6) if hidden else (4, 6, 5)
    weights = [rng.normal(0, 1 / np.sqrt(width), (width, width)) for _ in range(depth)]
    x = rng.normal(0, 1, (batch, width))
    # forward: a_l = sigma(a_{l-1} W_l); backward from dL/da_L = 1; norm of dL/dz_l per layer, input side first
    acts_, zs = [x], []
    for w in weights:
        zs.append(acts_[-1] @ w)
        acts_.append(_ref_sigmoid(zs[-1]))
    grad, norms = np.ones_like(acts_[-1]), []
    for layer in range(depth - 1, -1, -1):
        dz = grad * _ref_sigmoid.derivative(zs[layer])
        norms.append(np.linalg.norm(dz))
        grad = dz @ weights[layer].T
    expected = np.array(norms[::-1])
    label = "one norm of dL/dz per layer, input side first (tolerance 1e-9 relative)"
    got = task.array(label, fn, (weights, x), input=f"{depth} layers of width {width}, batch {batch}",
                     shape=(depth,), shape_hint="Return one number per layer, as a NumPy array.")
    if got is not None:
        task.add(label, np.allclose(got, expected, rtol=1e-9, atol=0), input=f"{depth} layers, width {width}",
                 expected=expected, actual=got, hint="Backward: dz = grad * sigma'(z); record norm(dz); then "
                 "grad = dz @ W.T. Reverse the list at the end so the input side comes first.")
        task.add("the norms shrink towards the input (sigmoid' <= 1/4)", np.all(np.diff(got) > 0),
                 input=f"{depth} sigmoid layers", expected="increasing from input to output", actual=got,
                 hint="Each sigmoid layer multiplies the gradient by at most 1/4 times the weights.")


# ------------------------------------------------------------------ 07 modern activations (SiLU, GELU)
# Added by the modern-activations work (issue 7): references from acts.modern, same helpers as above.
from .modern import gelu as _ref_gelu  # noqa: E402  (kept inside this section)
from .modern import silu as _ref_silu  # noqa: E402

__all__ += ["silu", "silu_derivative", "gelu", "gelu_derivative"]


def _odd_part(task, fn, name, x, hint):
    """f(x) - f(-x) = x for SiLU and GELU (sigma(x) + sigma(-x) = 1, Phi(x) + Phi(-x) = 1): a formula-free check."""
    label = f"{name}(x) - {name}(-x) = x (tolerance 1e-12 relative + 1e-12 absolute)"
    both = task.array(label, fn, (np.concatenate([x, -x]),), input=x, shape=(2 * x.size,))
    if both is not None:
        task.add(label, np.allclose(both[:x.size] - both[x.size:], x, rtol=1e-12, atol=1e-12), input=x,
                 expected=x, actual=both[:x.size] - both[x.size:], hint=hint)


@_checked("silu")
def silu(task, fn, hidden=False):
    """silu(x) = x sigma(x): values, the identity f(x) - f(-x) = x, +-1000 without warnings, shape."""
    x = _points(hidden, [-5.0, -1.2785, -1.0, 0.0, 0.5, 3.0], seed=701)
    task.close("values", fn, (x,), _ref_silu(x), input=x, rtol=1e-9, atol=1e-12,
               hint="silu(x) = x * sigma(x) = x / (1 + exp(-x)).")
    _odd_part(task, fn, "silu", x, hint="x sigma(x) - (-x) sigma(-x) = x (sigma(x) + sigma(-x)) = x: check the "
              "sigmoid inside.")
    _extreme(task, fn, "silu", _ref_silu, hint="silu(-1000) = 0 and silu(1000) = 1000: x sigma(x) with sigma "
             "going from 0 to 1.", warn_hint="exp(-x) overflows for x = -1000: use a stable sigmoid "
             "(exp of a non-positive number only), e.g. your sigmoid from exercise 01.")
    _shape(task, fn, "silu")


@_checked("silu_derivative")
def silu_derivative(task, fn, hidden=False):
    """silu'(x) = sigma(x) (1 + x (1 - sigma(x))): finite differences, 1/2 at 0, +-1000, shape."""
    x = _points(hidden, [-6.0, -2.0, -1.0, 0.0, 0.7, 4.0], seed=702, low=-15, high=15)
    _derivative(task, fn, "silu'", _ref_silu, x)
    task.close("silu'(0) = 0.5", fn, (np.array([0.0]),), [0.5], input=[0.0], rtol=1e-9, atol=0,
               hint="Product rule: silu'(x) = sigma(x) + x sigma'(x); at 0 that is 1/2 + 0.")
    _extreme(task, fn, "silu'", _ref_silu.derivative, hint="silu'(-1000) = 0 and silu'(1000) = 1: check "
             "sigma(x) + x sigma'(x) at large |x|.", warn_hint="x * sigma'(x) with a stable sigma' "
             "(e / (1 + e)^2, e = exp(-|x|)) gives 0 at +-1000 without inf * 0.")
    _shape(task, fn, "silu'")


@_checked("gelu")
def gelu(task, fn, hidden=False):
    """gelu(x) = x Phi(x), the exact form: values, f(x) - f(-x) = x, +-1000 without warnings, shape."""
    x = _points(hidden, [-4.0, -0.75, -0.2, 0.0, 1.0, 2.7], seed=703, low=-8, high=8)
    task.close("values (the exact GELU, not the tanh approximation)", fn, (x,), _ref_gelu(x), input=x, rtol=1e-9,
               atol=1e-12, hint="gelu(x) = x * Phi(x) with Phi(x) = (1 + erf(x / sqrt(2))) / 2 "
               "(scipy.special.erf, or scipy.special.ndtr for Phi). Errors near 1e-4 mean the tanh approximation.")
    _odd_part(task, fn, "gelu", x, hint="Phi(x) + Phi(-x) = 1, so gelu(x) - gelu(-x) = x: check Phi, "
              "in particular the 1/2 and the sqrt(2).")
    _extreme(task, fn, "gelu", _ref_gelu, hint="At -1000 and 1000 the answer is 0 and 1000: Phi goes from 0 "
             "to 1.", warn_hint="Compute Phi with erf or erfc, never exp of a large positive number.")
    _shape(task, fn, "gelu")


@_checked("gelu_derivative")
def gelu_derivative(task, fn, hidden=False):
    """gelu'(x) = Phi(x) + x phi(x): finite differences, 1/2 at 0, +-1000, shape."""
    x = _points(hidden, [-3.0, -1.5, -0.75, 0.0, 1.0, 2.5], seed=704, low=-6, high=6)
    _derivative(task, fn, "gelu'", _ref_gelu, x)
    task.close("gelu'(0) = 0.5", fn, (np.array([0.0]),), [0.5], input=[0.0], rtol=1e-9, atol=0,
               hint="Product rule: gelu'(x) = Phi(x) + x phi(x), with phi(x) = exp(-x^2 / 2) / sqrt(2 pi).")
    _extreme(task, fn, "gelu'", _ref_gelu.derivative, hint="gelu'(-1000) = 0 and gelu'(1000) = 1: "
             "Phi(x) + x phi(x) at large |x|.", warn_hint="exp(-x^2 / 2) is 0 at +-1000 without any warning: "
             "avoid exp of a positive number and inf * 0.")
    _shape(task, fn, "gelu'")


# ------------------------------------------------------------------ any activation of acts.ACTIVATIONS (e.g. 07)
def _reference(name):
    from . import ACTIVATIONS  # late import: the registry lives in the package

    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of: {', '.join(sorted(ACTIVATIONS))}")
    return ACTIVATIONS[name]


def _activation_body(task, fn, ref, params, hidden=False):
    x = _points(hidden, [-4.0, -1.5, -0.25, 0.0, 0.5, 2.0, 5.0], seed=701, low=-20, high=20)
    task.close("values", fn, (x,), ref(x, **params), input=x, kwargs=params, rtol=1e-7, atol=1e-12,
               hint=f"Compare your formula with the definition of {ref.name} in the lesson.")
    _extreme(task, fn, ref.name, lambda v, **kw: ref(v, **params), kwargs=params, rtol=1e-7, atol=1e-12,
             hint=f"Compare your formula at large |x| with the definition of {ref.name} in the lesson.",
             warn_hint="Rewrite the formula so that no exp() gets a large positive argument (e.g. with |x|, "
                  "np.logaddexp or np.where inside np.errstate).")
    _shape(task, fn, ref.name, kwargs=params)


def _derivative_body(task, fn, ref, params, hidden=False):
    x = _points(hidden, [-4.0, -1.5, -0.25, 0.5, 2.0, 5.0], seed=702, low=-20, high=20)
    x = x[x != 0]  # kinks (hardswish, relu-like) sit at or near 0; finite differences need smooth points
    _derivative(task, fn, f"{ref.name}'", lambda v, **kw: ref(v, **params), x, kwargs=params)
    _extreme(task, fn, f"{ref.name}'", lambda v, **kw: ref.derivative(v, **params), kwargs=params, rtol=1e-7,
             atol=1e-12, hint="Evaluate the derivative at the input x: compare with its limits as x goes to "
             "-inf and +inf.", warn_hint="Write the derivative in a form that cannot overflow (no exp of a large "
             "positive number).")
    _shape(task, fn, f"{ref.name}'", kwargs=params)


def activation(fn, name: str, *, hidden: bool = False, **params) -> Feedback:
    """Check fn against acts.ACTIVATIONS[name] (values within 1e-7 relative, +-1000, shape); params such as
    alpha=1.0 are passed to both. For exercises on activations without a task-specific check (lesson 07)."""
    return _run(name, hidden, _activation_body, fn, _reference(name), params)


def derivative(fn, name: str, *, hidden: bool = False, **params) -> Feedback:
    """Check fn as the derivative of acts.ACTIVATIONS[name]: finite differences, +-1000, shape."""
    return _run(f"{name}_derivative", hidden, _derivative_body, fn, _reference(name), params)


# ---------------------------------------------------------------- a stub's error, in one line
def _innermost_function(tb) -> str:
    while tb.tb_next is not None:
        tb = tb.tb_next
    return tb.tb_frame.f_code.co_name


def _show_not_implemented(shell, etype, value, tb, tb_offset=None):
    """IPython handler: a learner's stub that still raises NotImplementedError gets one line, not a traceback."""
    name = _innermost_function(tb) if tb is not None else "this function"
    shell._showtraceback(etype, value, [
        f"NotImplementedError: `{name}` is not implemented yet. Replace `raise NotImplementedError()` in its cell "
        "with your code, run that cell, then run this one again."])


def _install_not_implemented_handler():
    # Only inside IPython (exercise notebooks import acts.check); ename and evalue stay NotImplementedError's own,
    # so nbval and the grader see the same error as before. Any other exception keeps its full traceback.
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None and hasattr(shell, "set_custom_exc"):
        shell.set_custom_exc((NotImplementedError,), _show_not_implemented)


_install_not_implemented_handler()
