"""Cases shared by the task checks: inputs, extreme and tiny values, shape, derivatives, speed, input unchanged.

Each function adds one or a few cases to a ``Task`` (acts.checks.engine) and calls learner code only through it.
"""

from __future__ import annotations

import numpy as np

from ..numerics import central_difference, gradient_check
from .engine import fmt, hidden_rng

# ReLU on 1e6 float64s: np.maximum takes ~0.5 ms, np.where ~1 ms, np.vectorize ~230 ms, a Python loop ~150 ms
SPEED_N = 1_000_000
SPEED_BOUND_S = 0.040


def sample_points(hidden, visible, seed, n=7, low=-30.0, high=30.0):
    """The visible inputs, or seeded random ones for the hidden checks (other inputs, same maths)."""
    if not hidden:
        return np.asarray(visible, dtype=np.float64)
    return np.round(hidden_rng(seed).uniform(low, high, n), 3)


def input_unchanged(task, fn, name, args=(), kwargs=None):
    """The function must not write into its input array."""
    x = np.array([-2.0, -0.5, 0.0, 0.5, 2.0])
    copy = x.copy()
    task.call(fn, x, *args, **(kwargs or {}))
    task.add(f"{name} leaves its input array unchanged", np.array_equal(x, copy), input=copy,
             expected=copy, actual=x, hint="Compute into a new array (np.maximum, np.where, x * ...) "
             "instead of assigning into x, which would change the caller's data.")


def extreme_inputs(task, fn, name, ref, args=(), kwargs=None, rtol=1e-9, atol=1e-12, hint="", warn_hint=""):
    """+-100 and +-1000: the right values, finite and without warnings. warn_hint: how to avoid the overflow."""
    x = np.array([-1000.0, -100.0, 100.0, 1000.0])
    task.close(f"{name} at extreme inputs, finite and without warnings", fn, (x, *args),
               ref(x, **(kwargs or {})), input=x, rtol=rtol, atol=atol, kwargs=kwargs, no_warnings=True, hint=hint,
               warn_hint=warn_hint)


def relative_accuracy(task, fn, name, x, expected, *, hint, rtol=1e-6, kwargs=None, what="tiny values"):
    """Values that a cancelling formula (1 - s with s ~ 1, exp(x) - 1 with x ~ 0, 1 + erf far left) gets wrong in
    every digit, or rounds to 0, while a careful one is right to ~1e-15: checked *relative* to the value,
    because an absolute tolerance would accept 0 for 4e-18."""
    task.close(f"{name}: {what}, accurate relative to their size", fn, (np.asarray(x, dtype=np.float64),),
               expected, input=x, rtol=rtol, atol=0.0, kwargs=kwargs, no_warnings=True, hint=hint,
               warn_hint="Your function warned on these inputs: rewrite the operation that overflows or divides "
               "by zero.")


def _shape_hint(shape) -> str:
    if len(shape) == 1 and shape[0] == 12:
        return ("Your result was flattened: a list comprehension, np.ravel or a loop over x loses the rows. "
                "Apply NumPy operations to the whole array; they keep its shape.")
    if shape == ():
        return ("Your result is one number, not one per input in the input's shape: float(x), math.exp or a sum "
                "reduce the array. Use NumPy operations that work elementwise (np.exp, np.where, np.maximum).")
    return "Return one value per input, in the shape of the input: use elementwise NumPy operations."


def shape_and_dtype(task, fn, name, args=(), kwargs=None):
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


def matches_finite_differences(task, fn, name, ref_f, x, kwargs=None, tol=1e-6, of=None):
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


def kink_derivative(task, fn, name, ref_f, low_slope, x, kwargs=None):
    """A piecewise-linear derivative: finite differences away from 0, any value in [low_slope, 1] at 0."""
    kwargs = kwargs or {}
    matches_finite_differences(task, fn, name, ref_f, x[x != 0], kwargs=kwargs)
    label = f"{name} at the kink x = 0 lies in [{low_slope:g}, 1] (PyTorch uses {low_slope:g})"
    arr = task.array(label, fn, (np.array([0.0]),), input=[0.0], kwargs=kwargs, shape=(1,))
    if arr is not None:
        task.add(label, low_slope <= arr[0] <= 1, input=[0.0], expected=f"a value in [{low_slope:g}, 1]",
                 actual=arr, hint="No derivative exists at 0; pick the left or the right slope.")


SPEED_RATIO = 20  # a whole-array ReLU costs 1-3x np.maximum(x, 0); np.vectorize and Python loops 100-300x


def vectorised_speed(task, fn, name, kwargs=None):
    """1e6 elements under SPEED_BOUND_S, or (on a busy machine) within SPEED_RATIO times np.maximum(x, 0) timed
    alongside: best of up to 5 runs (timed by ``task.best_time``). The ratio keeps a loaded machine from failing a
    vectorised function; np.vectorize and loops stay far beyond it."""
    x = np.linspace(-5.0, 5.0, SPEED_N)
    best, problem, reference = task.best_time(fn, (x,), kwargs, bound_s=SPEED_BOUND_S,
                                              reference=lambda values: np.maximum(values, 0.0))
    fast = best <= SPEED_BOUND_S or (reference is not None and best <= SPEED_RATIO * reference)
    ms = int(SPEED_BOUND_S * 1000)
    hint = ("Your function raised or warned on this input (see actual): fix that first." if problem else
            "Use whole-array NumPy operations (np.maximum, np.where, comparisons); np.vectorize and Python loops "
            "call Python once per element (~200x slower).")
    task.add(f"{name} is vectorised: 1,000,000 elements in under {ms} ms", fast and not problem,
             input="np.linspace(-5, 5, 1_000_000)",
             expected=f"under {ms} ms, or (on a busy machine) within {SPEED_RATIO}x np.maximum(x, 0) timed alongside",
             actual=problem or "slower than both", hint=hint)


def odd_part(task, fn, name, x, hint):
    """f(x) - f(-x) = x for SiLU and GELU (sigma(x) + sigma(-x) = 1, Phi(x) + Phi(-x) = 1): a formula-free check."""
    label = f"{name}(x) - {name}(-x) = x (tolerance 1e-12 relative + 1e-12 absolute)"
    both = task.array(label, fn, (np.concatenate([x, -x]),), input=x, shape=(2 * x.size,))
    if both is not None:
        task.add(label, np.allclose(both[:x.size] - both[x.size:], x, rtol=1e-12, atol=1e-12), input=x,
                 expected=x, actual=both[:x.size] - both[x.size:], hint=hint)


__all__ = ["SPEED_BOUND_S", "SPEED_N", "SPEED_RATIO", "extreme_inputs", "fmt", "input_unchanged", "kink_derivative",
           "matches_finite_differences", "odd_part", "relative_accuracy", "sample_points", "shape_and_dtype",
           "vectorised_speed"]
