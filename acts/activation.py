"""The two kinds of activation objects the course uses.

``Activation`` wraps an elementwise function and its derivative, side by side, with what a lesson
shows about it (formula, range, properties). ``VectorActivation`` does the same for functions of a
whole vector, such as softmax, whose derivative is a Jacobian matrix.

Property definitions used everywhere in the course (the flags of ``Properties``):
- *monotonic*: non-decreasing on the whole real line;
- *smooth*: continuously differentiable everywhere (C^1);
- *bounded below / above*: stated separately.

*Zero-centred* is not a flag: it is about the outputs a layer passes on, so it is measured, not declared.
``acts.properties.normal_mean(f)`` gives the mean output E f(Z) for standard-normal inputs Z ~ N(0, 1) and
``acts.properties.normal_negative_share(f)`` the share of negative outputs P(f(Z) < 0); an activation is
zero-centred when that mean is about 0 (tanh, softsign, SELU), not merely when f(0) = 0 and f takes both signs
(leaky ReLU and GELU do both, yet average 0.39 and 0.28).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ._arrays import as_real_array, at_least_1d, check_choice, check_param, scalar_or_array


@dataclass(frozen=True)
class Parameter:
    """A tunable parameter of an activation (alpha for leaky ReLU); low/high bound its slider.

    A parameter with ``choices`` (GELU's ``approximate="none"|"tanh"``) takes one of those strings
    instead of a number; its low/high are None.
    """

    name: str
    default: float | str
    low: float | None
    high: float | None
    description: str = ""
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Properties:
    """Yes/no facts about an activation, declared with it and checked numerically by tests/test_modern.py."""

    monotonic: bool
    smooth: bool
    bounded_below: bool
    bounded_above: bool

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass(frozen=True, eq=False)
class Activation:
    """An elementwise activation f with its derivative f'.

    Call it like a function: ``sigmoid(x)``, ``leaky_relu(x, alpha=0.1)``; ``sigmoid.derivative(x)``
    takes the same input x (not f(x)) and the same parameters.
    """

    name: str
    title: str
    forward: Callable = field(repr=False)
    backward: Callable = field(repr=False)
    latex: str = field(repr=False)
    latex_derivative: str = field(repr=False)
    output_range: str = field(repr=False)  # LaTeX interval, e.g. r"(0, 1)"
    properties: Properties = field(repr=False)
    parameters: tuple[Parameter, ...] = ()
    summary: str = field(default="", repr=False)
    kink: str = field(default="", repr=False)  # convention at a point of non-differentiability

    def _params(self, given: dict) -> dict:
        known = {p.name: p.default for p in self.parameters}
        unknown = set(given) - set(known)
        if unknown:
            raise TypeError(f"{self.name}() got unexpected parameter(s): {', '.join(sorted(unknown))}")
        by_name = {p.name: p for p in self.parameters}
        known.update({k: check_choice(v, k, self.name, by_name[k].choices) if by_name[k].choices
                      else check_param(v, k, self.name) for k, v in given.items()})
        return known

    def __call__(self, x, **params):
        arr = as_real_array(x, self.name)
        kwargs = self._params(params)
        with np.errstate(all="ignore"):
            return scalar_or_array(self.forward(at_least_1d(arr), **kwargs), arr)

    def derivative(self, x, **params):
        """f'(x), evaluated at the input x."""
        arr = as_real_array(x, f"{self.name}.derivative")
        kwargs = self._params(params)
        with np.errstate(all="ignore"):
            return scalar_or_array(self.backward(at_least_1d(arr), **kwargs), arr)

    @property
    def defaults(self) -> dict:
        return {p.name: p.default for p in self.parameters}

    def __repr__(self) -> str:
        return f"<activation {self.name}>"


@dataclass(frozen=True, eq=False)
class VectorActivation:
    """A function of a whole vector along ``axis`` (softmax, log_softmax), with its Jacobian."""

    name: str
    title: str
    forward: Callable = field(repr=False)
    jacobian_fn: Callable = field(repr=False)
    latex: str = field(repr=False)
    latex_derivative: str = field(repr=False)
    output_range: str = field(repr=False)
    summary: str = field(default="", repr=False)

    def _check(self, x, func_name):
        arr = as_real_array(x, func_name)
        if arr.ndim == 0:
            raise ValueError(f"{func_name}() needs a vector (at least one axis), got a scalar")
        return arr

    def __call__(self, x, axis: int = -1):
        arr = self._check(x, self.name)
        with np.errstate(all="ignore"):
            return self.forward(arr, axis=axis)

    def jacobian(self, x):
        """d out_i / d x_j along the last axis: shape (..., n) -> (..., n, n)."""
        arr = self._check(x, f"{self.name}.jacobian")
        with np.errstate(all="ignore"):
            return self.jacobian_fn(arr)

    def __repr__(self) -> str:
        return f"<vector activation {self.name}>"
