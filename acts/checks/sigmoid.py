"""Exercise 01: the sigmoid (transcribe) and its derivative (derive it by the quotient rule)."""

from __future__ import annotations

import numpy as np

from ..functions import sigmoid as ref_sigmoid
from .cases import extreme_inputs, relative_accuracy, sample_points, shape_and_dtype
from .engine import task_check


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


@task_check("sigmoid")
def sigmoid(task, fn, hidden=False):
    """sigma(x) = 1 / (1 + e^-x): values, symmetry, +-1000 without overflow, tiny values far left, shape."""
    x = sample_points(hidden, [-5.0, -1.0, 0.0, 0.5, 3.0], seed=101)
    value_hint = _sigmoid_value_hint(task, fn)
    task.close("values", fn, (x,), ref_sigmoid(x), input=x, rtol=1e-9, atol=1e-12, hint=value_hint)
    s = task.array("symmetry sigma(-x) = 1 - sigma(x)", fn, (np.concatenate([x, -x]),), input=x,
                   shape=(2 * x.size,))
    if s is not None:
        ok = np.allclose(s[x.size:], 1 - s[:x.size], atol=1e-12)
        task.add("symmetry sigma(-x) = 1 - sigma(x) (tolerance 1e-12)", ok, input=x, expected=1 - s[:x.size],
                 actual=s[x.size:], hint="A correct sigmoid satisfies this identity at every x: sigma(x) + "
                 "sigma(-x) = 1. Check the 1 + ... in the denominator.")
    extreme_inputs(task, fn, "sigmoid", ref_sigmoid, hint=value_hint, warn_hint="exp(-x) overflows for x = -1000. "
                   "Use exp of a non-positive number only: for x < 0 write sigma(x) = exp(x) / (1 + exp(x)), e.g. "
                   "with np.where inside np.errstate, or with exp(-|x|).")
    far_left = np.array([-40.0, -30.0]) if not hidden else np.array([-60.0, -35.0])
    tiny_hint = ("sigma(-40) is about 4.2e-18, not 0: compute it as e / (1 + e) with e = exp(x) (or exp(-|x|)), "
                 "never as 1 - (something close to 1), which loses every digit.")
    relative_accuracy(task, fn, "sigmoid", far_left, ref_sigmoid(far_left), what="tiny values far left",
                      hint=lambda actual: tiny_hint if np.all(np.abs(actual) < 1e-10) else value_hint(actual))
    shape_and_dtype(task, fn, "sigmoid")


def _quotient_rule_hint(task, fn):
    """A value hint for a wrong sigma': which slip of the quotient rule the values show (sign, the square, the
    argument), tested on a few moderate inputs where no formula overflows or cancels."""
    x = np.array([-3.0, -1.0, 0.5, 2.0])
    exact = ref_sigmoid.derivative(x)
    e = np.exp(-np.abs(x))

    def hint(actual) -> str:
        d, _ = task.call(fn, x)
        try:
            d = np.asarray(d, dtype=np.float64).reshape(x.shape)
        except (TypeError, ValueError):
            d = np.full(x.shape, np.nan)
        if np.allclose(d, -exact, rtol=1e-6):
            return ("Your slopes have the right size but the wrong sign: the sigmoid rises, so sigma' > 0. "
                    "d/dx e^-x = -e^-x, and the quotient rule's own minus sign cancels it: "
                    "(0 * v - 1 * v') / v^2 with v' = -e^-x gives +e^-x / v^2.")
        if any(np.allclose(d, cand, rtol=1e-6) for cand in (e / (1 + e), np.exp(-x) / (1 + np.exp(-x)),
                                                             np.exp(x) / (1 + np.exp(x)))):
            return ("The denominator is not squared: the quotient rule is (u / v)' = (u' v - u v') / v^2, "
                    "so sigma' = e^-x / (1 + e^-x)^2.")
        if np.allclose(d, ref_sigmoid.derivative(ref_sigmoid(x)), rtol=1e-6):
            return ("Your formula is evaluated at sigma(x) instead of at x: the derivative takes the input x "
                    "itself.")
        if np.allclose(d, ref_sigmoid(x), rtol=1e-6):
            return "You returned sigma(x) itself: the derivative is its slope."
        return ("Differentiate sigma(x) = u / v with u = 1 and v = 1 + e^-x by the quotient rule, "
                "(u' v - u v') / v^2, and evaluate at the input x; 'expected' lists the exact slopes.")
    return hint


OVERFLOW_HINT = ("Far left e^-x or its square overflows (e^800 = inf, (e^700)^2 = inf; inf / inf = nan). "
                 "sigma' is even, sigma'(-x) = sigma'(x): evaluate your formula at |x|, with e = exp(-|x|) <= 1, "
                 "which never overflows.")


def _lost_tail_hint(inputs, value_hint):
    """A hint for slopes in the tails: a 0 right says cancellation (1 - sigma), a 0 left says an overflowed
    square; otherwise the value hint."""
    def hint(actual) -> str:
        lost = (actual == 0) & (ref_sigmoid.derivative(inputs) > 0)
        if np.any(lost & (inputs > 0)):
            return ("sigma'(40) is about 4.2e-18, not 0, and sigma'(700) about 9.9e-305. At large x, sigma(x) "
                    "rounds to 1 and 1 - sigma(x) to 0: the cancellation lesson 02 shows for 1 - tanh^2. Your "
                    "derived form e / (1 + e)^2 with e = exp(-|x|) has no subtraction.")
        if np.any(lost & (inputs < 0)):
            return ("Your slope far left is 0, not tiny: e^-x at x = -700 is finite (1e304) but its square "
                    "in (1 + e^-x)^2 overflows to inf (perhaps with the warning silenced). " + OVERFLOW_HINT)
        return value_hint(actual)
    return hint


@task_check("sigmoid_derivative")
def sigmoid_derivative(task, fn, hidden=False):
    """sigma'(x) = e^-x / (1 + e^-x)^2 = sigma(x)(1 - sigma(x)), derived by the quotient rule: the exact slope on
    a grid (relative error 1e-9), its maximum 1/4 at 0, the tails to 1e-6 relative down to sigma'(700) ~ 1e-304,
    +-800 without overflow, shape."""
    x = sample_points(hidden, [-6.0, -2.0, -0.5, 0.0, 1.0, 4.0], seed=102, low=-15, high=15)
    value_hint = _quotient_rule_hint(task, fn)
    task.close("sigma' on a grid, against the exact slope", fn, (x,), ref_sigmoid.derivative(x), input=x,
               rtol=1e-9, atol=0.0, hint=value_hint, warn_hint=OVERFLOW_HINT)
    task.close("sigma'(0) = 0.25, the maximum", fn, (np.array([0.0]),), [0.25], input=[0.0], rtol=1e-9, atol=0,
               hint="The sigmoid is steepest at 0: e^0 / (1 + e^0)^2 = 1 / 4.")
    tails = np.array([-700.0, -40.0, 30.0, 40.0, 700.0]) if not hidden else np.array([-650.0, -35.0, 33.0, 45.0,
                                                                                       600.0])
    task.close("sigma': the tails, accurate relative to their size", fn, (tails,), ref_sigmoid.derivative(tails),
               input=tails, rtol=1e-6, atol=0.0, no_warnings=True, hint=_lost_tail_hint(tails, value_hint),
               warn_hint=OVERFLOW_HINT)
    far = np.array([-800.0, -100.0, 100.0, 800.0])
    task.close("sigma' at +-100 and +-800 (0 to double precision at +-800), finite and without warnings", fn,
               (far,), ref_sigmoid.derivative(far), input=far, rtol=1e-9, atol=1e-300, no_warnings=True,
               hint=_lost_tail_hint(far, value_hint), warn_hint=OVERFLOW_HINT)
    shape_and_dtype(task, fn, "sigmoid'")
