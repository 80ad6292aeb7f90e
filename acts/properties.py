"""``properties_table()``: every activation's properties side by side, from its metadata plus numerics.

    from acts.properties import normal_mean, properties_table
    properties_table()                      # all of acts.ACTIVATIONS, plus GELU's tanh approximation
    properties_table(["relu", "gelu"])      # a selection; .rows holds the same data as dicts
    normal_mean(acts.elu, alpha=2.0)        # E f(Z), Z ~ N(0, 1): the mean output on standard-normal inputs

Range, monotonic, smooth and the bounds come from the metadata (tests/test_modern.py checks each one
numerically). *Smooth* is the metadata's definition, continuously differentiable (C1), so the column says
"smooth (C¹)": ELU (for alpha = 1 only) and softsign are C1, yet their second derivatives jump at 0. Rows use
each activation's default parameters; ELU's label says alpha = 1 because its smoothness and minimum depend on it.
Measured, not declared:
- *zero-centred* is about the outputs a layer passes on, so the table shows the mean output for standard-normal
  inputs, E f(Z) with Z ~ N(0, 1), and the share of negative outputs, P(f(Z) < 0). Both come from the trapezoid
  rule on the grid below (deterministic; accurate to ~1e-7 for the mean even at kinks, and the tails beyond
  |x| = 10 weigh < 1e-21). Taking both signs is not enough: GELU's outputs are negative half the time, yet
  they average 0.28.
- the derivative's maximum and the function's minimum, with where they occur, on the same grid (step 0.001
  over [-10, 10], refined by a bounded minimiser) and limits at +-inf.
"""

from __future__ import annotations

import html
import re

import numpy as np
from scipy.optimize import minimize_scalar

GRID = np.round(np.linspace(-10.0, 10.0, 20001), 6)  # holds -3, 0, 3 exactly: plateau ends print cleanly
# trapezoid rule against the standard normal density: E f(Z) ~ sum(f(GRID) * _NORMAL_WEIGHTS)
_NORMAL_WEIGHTS = np.exp(-GRID**2 / 2) / np.sqrt(2 * np.pi) * 0.001
_NORMAL_WEIGHTS[[0, -1]] /= 2
MEAN = "mean on N(0,1)"
NEGATIVE = "P(f<0) on N(0,1)"
SMOOTH = "smooth (C¹)"  # continuously differentiable, as Properties.smooth is defined (acts/activation.py)
# rows whose properties depend on a parameter name its default value: ELU is C1 only for alpha = 1
_DEFAULT_LABELS = {"elu": "elu (α = 1)"}

_LATEX_TO_TEXT = [(r"\infty", "∞"), (r"\approx", "≈"), (r"\alpha", "α"), (r"\lambda", "λ"), (r"\textstyle", ""),
                  (r"\sum_i s_i", "Σ sᵢ"), (r"\ ", " "), ("-", "−")]


def latex_to_text(latex: str) -> str:
    """A LaTeX interval such as ``[\\approx -0.17, \\infty)`` as plain text: ``[≈ −0.17, ∞)``."""
    text = latex
    for old, new in _LATEX_TO_TEXT:
        text = text.replace(old, new)
    text = re.sub(r"\s+", " ", text).replace("( ", "(").replace("[ ", "[")
    return text.strip()


def _num(v: float) -> str:
    if np.isinf(v):
        return "∞" if v > 0 else "−∞"
    v = 0.0 if v == 0 else v  # no "-0"
    return f"{v:.4g}".replace("-", "−")


def _where(x: float) -> str:
    x = 0.0 if abs(x) < 5e-4 else x
    return f"{x:.3g}".replace("-", "−")


def _is_round(x: float) -> bool:
    return abs(x * 100 - round(x * 100)) < 1e-6


def _extreme(fn, sign: int):
    """(value, where) of the minimum (sign=+1) or maximum (sign=-1) of fn over the real line, as text."""
    y = sign * np.asarray(fn(GRID), dtype=np.float64)
    best = float(y.min())
    hits = np.flatnonzero(y == best)
    i0, i1 = int(hits[0]), int(hits[-1])
    value = sign * best
    n = GRID.size
    if i1 - i0 >= 2 and hits.size == i1 - i0 + 1:  # a plateau: describe the interval
        # an end next to a round number is that number, excluded (relu' = 1 for x > 0); else included
        left = None if i0 == 0 else (("<", GRID[i0 - 1]) if _is_round(GRID[i0 - 1]) else ("≤", GRID[i0]))
        right = None if i1 == n - 1 else (("<", GRID[i1 + 1]) if _is_round(GRID[i1 + 1]) else ("≤", GRID[i1]))
        if left and right:
            return _num(value), f"for {_where(left[1])} {left[0]} x {right[0]} {_where(right[1])}"
        if left:
            return _num(value), f"for x {'>' if left[0] == '<' else '≥'} {_where(left[1])}"
        if right:
            return _num(value), f"for x {right[0]} {_where(right[1])}"
        return _num(value), "everywhere"
    if i0 == 0 or i0 == n - 1:  # still falling at the edge of the grid: the extreme is the limit at -inf / +inf
        end = -np.inf if i0 == 0 else np.inf
        limit = float(np.asarray(fn(np.array([end]))).item())
        return _num(limit), "as x → −∞" if i0 == 0 else "as x → ∞"
    lo, hi = GRID[i0 - 1], GRID[i0 + 1]
    res = minimize_scalar(lambda t: sign * float(np.asarray(fn(np.array([t]))).item()), bounds=(lo, hi),
                          method="bounded", options={"xatol": 1e-10})
    x = float(GRID[i0])
    if res.fun < best:  # the minimiser found a better point between the grid's neighbours
        value, x = sign * float(res.fun), float(res.x)
    near = round(x, 3)
    if abs(x - near) < 1e-5 and abs(float(np.asarray(fn(np.array([near]))).item()) - value) > 1e-6 * max(1, abs(value)):
        # approached next to a jump but not attained there (hardswish' -> 3/2 as x -> 3 from below)
        return _num(value), f"as x → {_where(near)}{'⁻' if x < near else '⁺'}"
    return _num(value), f"at x = {_where(x)}"


def _on_grid(f, params: dict, caller: str) -> np.ndarray:
    """f(GRID, **params) as float64, with a clear error for something that is not an activation."""
    if isinstance(f, str):
        from . import registry

        f = registry.get(f, caller=f"{caller}()")
    if not callable(f):
        raise TypeError(f"{caller}() needs an activation, a function of an array or a name, "
                        f"got {type(f).__name__}")
    with np.errstate(all="ignore"):
        y = np.asarray(f(GRID, **params), dtype=np.float64)
    if y.shape != GRID.shape:
        raise ValueError(f"{caller}(): f must work elementwise on an array (gave shape {y.shape} "
                         f"for {GRID.size} inputs)")
    return y


def normal_mean(f, **params) -> float:
    """E f(Z) for Z ~ N(0, 1), the mean output on standard-normal inputs: sum f(x_i) phi(x_i) dx (trapezoid rule).

    ``f`` is an activation (``acts.elu``), any elementwise function of an array, or a name in acts.ACTIVATIONS;
    ``params`` go to it (``normal_mean(acts.elu, alpha=2.0)``). No random draws: the same on every run.
    """
    return float(np.sum(_on_grid(f, params, "normal_mean") * _NORMAL_WEIGHTS))


def normal_negative_share(f, **params) -> float:
    """P(f(Z) < 0) for Z ~ N(0, 1), the share of negative outputs on standard-normal inputs (trapezoid rule).

    Same arguments as ``normal_mean``. Accurate to about 1e-3 (where f changes sign, within one grid step).
    """
    return float(np.sum((_on_grid(f, params, "normal_negative_share") < 0) * _NORMAL_WEIGHTS))


def _two_decimals(v: float) -> str:
    v = round(v, 2)
    return f"{0.0 if v == 0 else v:.2f}".replace("-", "−")  # no "−0.00"


def _row(label, act, params):
    props = act.properties
    f = lambda t: act(t, **params)  # noqa: E731
    df = lambda t: act.derivative(t, **params)  # noqa: E731
    low, low_at = _extreme(f, +1)
    top_slope, top_at = _extreme(df, -1)
    yes = lambda b: "yes" if b else "no"  # noqa: E731
    return {"activation": label, "range": latex_to_text(act.output_range), "monotonic": yes(props.monotonic),
            MEAN: _two_decimals(normal_mean(act, **params)),
            NEGATIVE: _two_decimals(normal_negative_share(act, **params)),
            SMOOTH: yes(props.smooth),
            "bounded below": yes(props.bounded_below), "bounded above": yes(props.bounded_above),
            "max f′": f"{top_slope} {top_at}", "min f": f"{low} {low_at}"}


class PropertiesTable:
    """The table: ``rows`` (list of dicts), HTML in a notebook, aligned plain text as its repr."""

    columns = ("activation", "range", "monotonic", MEAN, NEGATIVE, SMOOTH, "bounded below", "bounded above",
               "max f′", "min f")

    def __init__(self, rows):
        self.rows = list(rows)

    def __len__(self):
        return len(self.rows)

    def __getitem__(self, label):
        """The row labelled ``label``, or else the row of the activation called ``label`` ("elu" -> "elu (α = 1)")."""
        for row in self.rows:
            if row["activation"] == label:
                return row
        for row in self.rows:
            if row["activation"] == _DEFAULT_LABELS.get(label):
                return row
        raise KeyError(label)

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{html.escape(c)}</th>" for c in self.columns)
        body = "".join("<tr>" + "".join(f"<td style='text-align:left'>{html.escape(row[c])}</td>"
                                        for c in self.columns) + "</tr>" for row in self.rows)
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"

    def __repr__(self) -> str:
        widths = [max(len(c), *(len(r[c]) for r in self.rows)) for c in self.columns]
        line = lambda cells: "  ".join(s.ljust(w) for s, w in zip(cells, widths)).rstrip()  # noqa: E731
        out = [line(self.columns), line("-" * w for w in widths)]
        out += [line([row[c] for c in self.columns]) for row in self.rows]
        return "\n".join(out)


def properties_table(names=None, *, variants=True) -> PropertiesTable:
    """The properties of the activations called ``names`` (default: all of acts.ACTIVATIONS, in order).

    With ``variants``, GELU's tanh approximation gets its own row, ``gelu (tanh)``. ELU's row is labelled
    ``elu (α = 1)`` (its default); ``table["elu"]`` finds it too.
    """
    from . import registry

    if names is None:
        names = list(registry.names())
    elif isinstance(names, str):
        names = [names]
    rows = []
    for name in names:
        act = registry.get(name, caller="properties_table()")
        rows.append(_row(_DEFAULT_LABELS.get(name, name), act, {}))
        if variants and name == "gelu":
            rows.append(_row("gelu (tanh)", act, {"approximate": "tanh"}))
    return PropertiesTable(rows)
