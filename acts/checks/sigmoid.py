"""Exercise 01: the sigmoid and its derivative."""

from __future__ import annotations

import numpy as np

from ..functions import sigmoid as ref_sigmoid
from .cases import extreme_inputs, matches_finite_differences, relative_accuracy, sample_points, shape_and_dtype
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


@task_check("sigmoid_derivative")
def sigmoid_derivative(task, fn, hidden=False):
    """sigma'(x) = sigma(x)(1 - sigma(x)): finite differences, maximum 1/4 at 0, tails accurate, +-1000, shape."""
    x = sample_points(hidden, [-6.0, -2.0, -0.5, 0.0, 1.0, 4.0], seed=102, low=-15, high=15)
    matches_finite_differences(task, fn, "sigmoid'", ref_sigmoid, x)
    task.close("sigma'(0) = 0.25, the maximum", fn, (np.array([0.0]),), [0.25], input=[0.0], rtol=1e-9, atol=0,
               hint="The sigmoid is steepest at 0, where sigma = 1/2: sigma'(0) = 1/2 (1 - 1/2) = 1/4.")
    tails = np.array([-40.0, 30.0, 40.0]) if not hidden else np.array([-35.0, 33.0, 45.0])
    relative_accuracy(task, fn, "sigmoid'", tails, ref_sigmoid.derivative(tails), what="the tails",
                      hint="sigma'(40) is about 4.2e-18, not 0. At large x, sigma(x) rounds to 1 and 1 - sigma(x) "
                      "to 0: the cancellation lesson 02 shows for 1 - tanh^2. Use 1 - sigma(x) = sigma(-x), or write "
                      "sigma' = e / (1 + e)^2 with e = exp(-|x|): the same number without the subtraction.")
    extreme_inputs(task, fn, "sigmoid'", ref_sigmoid.derivative,
                   hint="The slope is 0 (to double precision) at +-1000: compute sigma(x)(1 - sigma(x)) at the "
                   "input x.", warn_hint="Use a stable sigmoid inside the derivative (exp of non-positive numbers "
                   "only).")
    shape_and_dtype(task, fn, "sigmoid'")
