"""Exercises 03 and 04: ReLU and leaky ReLU, their derivatives, vectorised."""

from __future__ import annotations

import numpy as np

from ..functions import leaky_relu as ref_leaky_relu
from ..functions import relu as ref_relu
from .cases import extreme_inputs, input_unchanged, kink_derivative, sample_points, shape_and_dtype, vectorised_speed
from .engine import task_check


@task_check("relu")
def relu(task, fn, hidden=False):
    """relu(x) = max(0, x): values, +-1000, shape, input unchanged, speed on 1e6 elements."""
    x = sample_points(hidden, [-3.0, -0.5, 0.0, 0.5, 2.0], seed=301, low=-5, high=5)
    task.close("values", fn, (x,), ref_relu(x), input=x, rtol=0, atol=0,
               hint="relu(x) = max(0, x): negative inputs become 0, the others pass unchanged.")
    extreme_inputs(task, fn, "relu", ref_relu, rtol=0, atol=0, hint="relu(-1000) = 0 and relu(1000) = 1000: "
                   "relu(x) = max(0, x) at every size of x.")
    shape_and_dtype(task, fn, "relu")
    input_unchanged(task, fn, "relu")
    vectorised_speed(task, fn, "relu")


@task_check("relu_derivative")
def relu_derivative(task, fn, hidden=False):
    """relu'(x) = 1 for x > 0, 0 for x < 0 (any value in [0, 1] accepted at 0); +-1000, shape, speed."""
    x = sample_points(hidden, [-3.0, -0.5, 0.0, 0.5, 2.0], seed=302, low=-5, high=5)
    kink_derivative(task, fn, "relu'", ref_relu, 0.0, x)
    extreme_inputs(task, fn, "relu'", ref_relu.derivative, rtol=0, atol=0, hint="relu'(x) is 0 for every x < 0 "
                   "and 1 for every x > 0, however large |x|.")
    shape_and_dtype(task, fn, "relu'")
    input_unchanged(task, fn, "relu'")
    vectorised_speed(task, fn, "relu'")


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


@task_check("leaky_relu")
def leaky_relu(task, fn, hidden=False):
    """leaky_relu(x, alpha=0.01) = x for x > 0, alpha x otherwise: default alpha, other alphas, +-1000, shape."""
    x = sample_points(hidden, [-3.0, -0.5, 0.0, 0.5, 2.0], seed=401, low=-5, high=5)
    task.close("values with the default alpha = 0.01", fn, (x,), ref_leaky_relu(x), input=x, rtol=1e-12,
               atol=1e-15, hint=_leaky_hint(x, 0.01, default=True))
    for alpha in ((0.3, 0.7) if hidden else (0.1, 0.5)):
        task.close(f"values with alpha = {alpha}", fn, (x,), ref_leaky_relu(x, alpha=alpha), kwargs={"alpha": alpha},
                   input=x, rtol=1e-12, atol=1e-15, hint=_leaky_hint(x, alpha))
    extreme_inputs(task, fn, "leaky_relu", ref_leaky_relu, rtol=1e-12, atol=0, hint="leaky_relu(-1000) = -1000 "
                   "alpha and leaky_relu(1000) = 1000: the same rule at every size of x.")
    shape_and_dtype(task, fn, "leaky_relu", kwargs={"alpha": 0.2})
    input_unchanged(task, fn, "leaky_relu", kwargs={"alpha": 0.2})


@task_check("leaky_relu_derivative")
def leaky_relu_derivative(task, fn, hidden=False):
    """1 for x > 0, alpha for x < 0 (any value in [alpha, 1] at 0), for several alphas; +-1000, shape."""
    x = sample_points(hidden, [-3.0, -0.5, 0.0, 0.5, 2.0], seed=402, low=-5, high=5)
    for alpha in ((0.01, 0.3) if hidden else (0.01, 0.2)):
        kink_derivative(task, fn, f"leaky_relu' with alpha = {alpha}", ref_leaky_relu, alpha, x,
                        kwargs={"alpha": alpha})
    extreme_inputs(task, fn, "leaky_relu'", ref_leaky_relu.derivative, kwargs={"alpha": 0.1}, rtol=1e-12, atol=0,
                   hint="The slope is alpha (here 0.1) for every x < 0 and 1 for every x > 0, however large |x|.")
    shape_and_dtype(task, fn, "leaky_relu'", kwargs={"alpha": 0.1})
