"""Exercise 02: tanh without cancellation, and its derivative."""

from __future__ import annotations

import numpy as np

from ..functions import tanh as ref_tanh
from .cases import extreme_inputs, matches_finite_differences, relative_accuracy, sample_points, shape_and_dtype
from .engine import task_check


@task_check("tanh")
def tanh(task, fn, hidden=False):
    """tanh(x): values, odd symmetry, +-1000 without overflow, full relative accuracy at tiny x, shape."""
    x = sample_points(hidden, [-3.0, -1.0, 0.0, 0.25, 2.0], seed=201, low=-10, high=10)
    task.close("values", fn, (x,), ref_tanh(x), input=x, rtol=1e-9, atol=1e-12,
               hint="tanh(x) = (1 - e^(-2x)) / (1 + e^(-2x)) for x >= 0 (note the 2x), and tanh(-x) = -tanh(x).")
    t = task.array("odd symmetry tanh(-x) = -tanh(x)", fn, (np.concatenate([x, -x]),), input=x,
                   shape=(2 * x.size,))
    if t is not None:
        task.add("odd symmetry tanh(-x) = -tanh(x) (tolerance 1e-12)",
                 np.allclose(t[x.size:], -t[:x.size], atol=1e-12), input=x, expected=-t[:x.size],
                 actual=t[x.size:], hint="tanh is odd: compute it for |x| and give it the sign of x.")
    extreme_inputs(task, fn, "tanh", ref_tanh, hint="tanh(-1000) = -1 and tanh(1000) = 1: check your formula at "
                   "large |x|.", warn_hint="exp(2x) or exp(-2x) overflows at |x| = 1000: only ever take exp of "
                   "-2|x| (at most 0).")
    tiny = np.array([1e-12, -3e-9, 2e-6]) if not hidden else np.array([-4e-13, 7e-10, -5e-7])
    relative_accuracy(task, fn, "tanh", tiny, ref_tanh(tiny), what="tiny inputs",
                      hint="Near 0, tanh(x) is about x, but 1 - e^(-2|x|) and 2 sigma(2x) - 1 subtract two numbers "
                      "close to 1 and keep only a few correct digits (at x = 1e-12 a relative error near 1e-4): "
                      "the cancellation of lesson 02. np.expm1(v) computes e^v - 1 to full precision: with "
                      "u = np.expm1(-2|x|), tanh(|x|) = -u / (2 + u).")
    shape_and_dtype(task, fn, "tanh")


@task_check("tanh_derivative")
def tanh_derivative(task, fn, hidden=False):
    """tanh'(x) = 1 - tanh(x)^2: finite differences, value 1 at 0, tails accurate, +-1000, shape."""
    x = sample_points(hidden, [-4.0, -1.0, 0.0, 0.5, 2.5], seed=202, low=-8, high=8)
    matches_finite_differences(task, fn, "tanh'", ref_tanh, x)
    task.close("tanh'(0) = 1, the maximum", fn, (np.array([0.0]),), [1.0], input=[0.0], rtol=1e-9, atol=0,
               hint="tanh is steepest at 0, with slope 1.")
    tails = np.array([-20.0, 15.0, 20.0]) if not hidden else np.array([-25.0, 17.0, 30.0])
    relative_accuracy(task, fn, "tanh'", tails, ref_tanh.derivative(tails), what="the tails",
                      hint="tanh'(20) is about 1.7e-17, not 0: for large |x|, tanh(x) rounds to +-1 and "
                      "1 - tanh(x)^2 cancels to 0 (lesson 02, 'Pitfall: 1 - tanh^2(x) cancels to zero'). "
                      "With e = exp(-2|x|), "
                      "1 - tanh(x)^2 = 4e / (1 + e)^2: the same number without the subtraction.")
    extreme_inputs(task, fn, "tanh'", ref_tanh.derivative, hint="tanh'(+-1000) = 0: evaluate the derivative at "
                   "the input x.", warn_hint="Only take exp of -2|x| (at most 0), so nothing overflows.")
    shape_and_dtype(task, fn, "tanh'")
