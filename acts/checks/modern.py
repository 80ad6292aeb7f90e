"""Exercise 07 and any activation of acts.ACTIVATIONS: one generic check, of a function or of its derivative.

``activation(fn, "elu", alpha=0.5)`` and ``derivative(fn, "elu", alpha=0.5)`` check any registered activation;
the SiLU and GELU tasks of exercise 07 are instances of the same ``ActivationCheck`` with their own inputs, hints
and identities.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .cases import (
    extreme_inputs,
    matches_finite_differences,
    odd_part,
    relative_accuracy,
    sample_points,
    shape_and_dtype,
)
from .engine import TASKS, Check, run, verdict


def reference(name):
    """acts.ACTIVATIONS[name], or the registry's error listing the names."""
    from .. import registry

    return registry.get(name, caller="acts.check")


# where a formula that subtracts nearly equal numbers (exp(x) - 1, log(1 + tiny), 1 - tanh, 1 + erf) loses digits
CANCELLATION_POINTS = (-40.0, -9.0, -1e-12, 1e-12, 40.0)


@dataclass
class ActivationCheck:
    """The check of an activation (``of_derivative=False``) or of its derivative, against acts.ACTIVATIONS[name].

    Cases: values (or finite differences of the reference, for a derivative), optional exact values, optional
    identities, relative accuracy where the value is tiny, +-100/+-1000 finite and without warnings, shape."""

    name: str
    of_derivative: bool = False
    params: dict = field(default_factory=dict)
    visible: tuple = (-4.0, -1.5, -0.25, 0.0, 0.5, 2.0, 5.0)
    seed: int = 701
    hidden_range: tuple = (-20.0, 20.0)
    rtol: float = 1e-7
    values_label: str = "values"
    value_hint: str = ""
    exact: tuple = ()              # ((x, value, hint), ...): values the maths fixes, e.g. silu'(0) = 1/2
    odd_part_hint: str = ""        # f(x) - f(-x) = x holds (SiLU, GELU): this hint when it fails
    tiny: tuple = CANCELLATION_POINTS
    tiny_hidden: tuple = ()
    tiny_hint: str = ""
    extreme_hint: str = ""
    warn_hint: str = ""

    @property
    def title(self) -> str:
        return f"{self.name}_derivative" if self.of_derivative else self.name

    def body(self, task, fn, hidden=False):
        ref = reference(self.name)
        params = self.params
        f = lambda v, **kw: ref(v, **params)  # noqa: E731  (the reference with this check's parameters)
        df = lambda v, **kw: ref.derivative(v, **params)  # noqa: E731
        label = f"{ref.name}'" if self.of_derivative else ref.name
        x = sample_points(hidden, self.visible, seed=self.seed, low=self.hidden_range[0], high=self.hidden_range[1])
        if self.of_derivative:
            smooth = x[x != 0]  # kinks (hardswish, relu-like) sit at or near 0; finite differences need smooth points
            matches_finite_differences(task, fn, label, f, smooth, kwargs=params)
        else:
            task.close(self.values_label, fn, (x,), f(x), input=x, kwargs=params, rtol=self.rtol, atol=1e-12,
                       hint=self.value_hint or f"Compare your formula with the definition of {ref.name} in the "
                       "lesson.")
        for at, value, hint in self.exact:
            task.close(f"{label}({at:g}) = {value:g}", fn, (np.array([at]),), [value], input=[at], kwargs=params,
                       rtol=1e-9, atol=0, hint=hint)
        if self.odd_part_hint:
            odd_part(task, fn, ref.name, x, hint=self.odd_part_hint)
        points = np.array(self.tiny_hidden if hidden and self.tiny_hidden else self.tiny, dtype=np.float64)
        expected = (df if self.of_derivative else f)(points)
        normal = (expected != 0) & (np.abs(expected) >= np.finfo(np.float64).tiny)
        if normal.any():
            relative_accuracy(task, fn, label, points[normal], expected[normal], kwargs=params,
                              what="tiny values", hint=self.tiny_hint or "These values are tiny but not 0: a "
                              "formula that subtracts two nearly equal numbers (exp(x) - 1, log(1 + tiny), "
                              "1 - tanh, 1 + erf) loses their digits. Use the functions made for it (np.expm1, "
                              "np.log1p, np.logaddexp, scipy.special.erfc), as the lesson shows.")
        extreme_inputs(task, fn, label, df if self.of_derivative else f, kwargs=params, rtol=self.rtol, atol=1e-12,
                       hint=self.extreme_hint or (
                           "Evaluate the derivative at the input x: compare with its limits as x goes to -inf and "
                           "+inf." if self.of_derivative else
                           f"Compare your formula at large |x| with the definition of {ref.name} in the lesson."),
                       warn_hint=self.warn_hint or "Rewrite the formula so that no exp() gets a large positive "
                       "argument (e.g. with |x|, np.logaddexp or np.where inside np.errstate).")
        shape_and_dtype(task, fn, label, kwargs=params)

    def evaluate(self, fn, hidden: bool = False):
        return run(self.title, hidden, self.body, (fn,))

    def register(self) -> Check:
        """This check as the public task check TASKS[title] (for a graded task)."""
        check = Check(self.title, self.body)
        check.__doc__ = f"The generic activation check of {self.title}, with this exercise's inputs and hints."
        TASKS[self.title] = check
        return check


def _evaluate(fn, name: str, of_derivative: bool, hidden: bool, params: dict):
    return ActivationCheck(name, of_derivative=of_derivative, params=params).evaluate(fn, hidden=hidden)


class _GenericCheck:
    """``activation(fn, name, **params)``: show or raise, like a task check; ``.evaluate(...)`` gives the feedback."""

    def __init__(self, of_derivative: bool, doc: str):
        self.of_derivative = of_derivative
        self.__doc__ = doc

    def evaluate(self, fn, name: str, *, hidden: bool = False, **params):
        return _evaluate(fn, name, self.of_derivative, hidden, params)

    def __call__(self, fn, name: str, *, hidden: bool = False, **params) -> None:
        verdict(self.evaluate(fn, name, hidden=hidden, **params))


activation = _GenericCheck(False, "Check fn against acts.ACTIVATIONS[name] (values within 1e-7 relative, tiny "
                           "values, +-1000, shape); params such as alpha=1.0 are passed to both.")
derivative = _GenericCheck(True, "Check fn as the derivative of acts.ACTIVATIONS[name]: finite differences, tiny "
                           "values, +-1000, shape.")

# ---------------------------------------------------------------- exercise 07: SiLU and GELU
STABLE_SIGMOID = ("use a stable sigmoid (exp of a non-positive number only), e.g. your sigmoid from exercise 01.")

silu = ActivationCheck(
    "silu", visible=(-5.0, -1.2785, -1.0, 0.0, 0.5, 3.0), seed=701, hidden_range=(-30.0, 30.0), rtol=1e-9,
    value_hint="silu(x) = x * sigma(x) = x / (1 + exp(-x)).",
    odd_part_hint="x sigma(x) - (-x) sigma(-x) = x (sigma(x) + sigma(-x)) = x: check the sigmoid inside.",
    tiny=(-40.0, -30.0, 1e-12), tiny_hidden=(-45.0, -33.0, -2e-11),
    tiny_hint="silu(-40) = -40 sigma(-40), about -1.7e-16, not 0: compute sigma(-40) as e / (1 + e) with "
    "e = exp(-40), never as 1 - (something close to 1).",
    extreme_hint="silu(-1000) = 0 and silu(1000) = 1000: x sigma(x) with sigma going from 0 to 1.",
    warn_hint="exp(-x) overflows for x = -1000: " + STABLE_SIGMOID).register()

silu_derivative = ActivationCheck(
    "silu", of_derivative=True, visible=(-6.0, -2.0, -1.0, 0.0, 0.7, 4.0), seed=702, hidden_range=(-15.0, 15.0),
    rtol=1e-9,
    exact=((0.0, 0.5, "Product rule: silu'(x) = sigma(x) + x sigma'(x); at 0 that is 1/2 + 0."),),
    tiny=(-40.0, -30.0), tiny_hidden=(-45.0, -33.0),
    tiny_hint="silu'(-40) = sigma(-40) (1 - 40 (1 - sigma(-40))), about -1.7e-16, not 0: keep sigma(-40) (4e-18) "
    "instead of rounding it to 0.",
    extreme_hint="silu'(-1000) = 0 and silu'(1000) = 1: check sigma(x) + x sigma'(x) at large |x|.",
    warn_hint="x * sigma'(x) with a stable sigma' (e / (1 + e)^2, e = exp(-|x|)) gives 0 at +-1000 without "
    "inf * 0.").register()

PHI_HINT = ("Compute Phi(x) = erfc(-x / sqrt(2)) / 2 (scipy.special.erfc) or scipy.special.ndtr(x): the textbook "
            "(1 + erf(x / sqrt(2))) / 2 adds two numbers that cancel far left, and is exactly 0 from x = -8.3 on "
            "(lesson 07, 'Computing Phi without losing digits').")

gelu = ActivationCheck(
    "gelu", visible=(-4.0, -0.75, -0.2, 0.0, 1.0, 2.7), seed=703, hidden_range=(-8.0, 8.0), rtol=1e-9,
    values_label="values (the exact GELU, not the tanh approximation)",
    value_hint="gelu(x) = x * Phi(x) with Phi(x) = erfc(-x / sqrt(2)) / 2 (scipy.special.erfc, or "
    "scipy.special.ndtr for Phi). Errors near 1e-4 mean the tanh approximation.",
    odd_part_hint="Phi(x) + Phi(-x) = 1, so gelu(x) - gelu(-x) = x: check Phi, in particular the 1/2 and the "
    "sqrt(2).",
    tiny=(-12.0, -9.0, 1e-12), tiny_hidden=(-13.0, -10.0, -3e-11),
    tiny_hint="gelu(-9) = -9 Phi(-9), about -1.0e-18, not 0. " + PHI_HINT,
    extreme_hint="At -1000 and 1000 the answer is 0 and 1000: Phi goes from 0 to 1.",
    warn_hint="Compute Phi with erfc (or ndtr), never exp of a large positive number.").register()

gelu_derivative = ActivationCheck(
    "gelu", of_derivative=True, visible=(-3.0, -1.5, -0.75, 0.0, 1.0, 2.5), seed=704, hidden_range=(-6.0, 6.0),
    rtol=1e-9,
    exact=((0.0, 0.5, "Product rule: gelu'(x) = Phi(x) + x phi(x), with phi(x) = exp(-x^2 / 2) / sqrt(2 pi)."),),
    tiny=(-12.0, -9.0), tiny_hidden=(-13.0, -10.0),
    tiny_hint="gelu'(-9) = Phi(-9) - 9 phi(-9), about -9.2e-18: with Phi(-9) rounded to 0 it is 1% off. " + PHI_HINT,
    extreme_hint="gelu'(-1000) = 0 and gelu'(1000) = 1: Phi(x) + x phi(x) at large |x|.",
    warn_hint="exp(-x^2 / 2) is 0 at +-1000 without any warning: avoid exp of a positive number and "
    "inf * 0.").register()
