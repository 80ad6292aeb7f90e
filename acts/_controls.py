"""Pieces every explorer shares: a parameter's widget, y-limits that hold still, curves with gaps at jumps, and
a walk through a widget tree."""

from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np

SLIDER_STEPS = 100  # a float parameter's slider has this many steps between its bounds


def slider_bounds(param) -> tuple[float, float]:
    """(low, high) for a parameter's slider: its bounds, or a window around its default where it has none."""
    default = float(param.default)
    span = max(1.0, abs(default)) * 5
    low = param.low if param.low is not None and math.isfinite(param.low) else default - span
    high = param.high if param.high is not None and math.isfinite(param.high) else default + span
    return float(low), float(high)


def parameter_control(param, value=None, *, description=None, caller="explore()"):
    """The widget for one activation parameter (``acts.activation.Parameter``), holding ``value`` (default: the
    parameter's default): a drop-down for a string parameter (or one with ``choices``), a checkbox for a bool,
    an integer slider for an int, and for a float a slider kept strictly inside the open interval (low, high)
    (leaky ReLU's alpha in (0, 1)). A value outside the bounds raises ValueError naming ``caller``."""
    value = param.default if value is None else value
    label = {"description": description or param.name, "tooltip": param.description or param.name,
             "style": {"description_width": "initial"}}
    choices = param.choices
    if choices or isinstance(param.default, str):
        options = list(choices) if choices else [param.default]
        if value not in options:
            raise ValueError(f"{caller}: {param.name}={value!r} is not one of {options}")
        return widgets.Dropdown(options=options, value=value, **label)
    if isinstance(param.default, bool):
        return widgets.Checkbox(value=bool(value), indent=False, **label)
    low, high = slider_bounds(param)
    if isinstance(param.default, int):
        if not low <= value <= high:
            raise ValueError(f"{caller}: {param.name}={value!r} is outside [{low:g}, {high:g}]")
        return widgets.IntSlider(min=int(low), max=int(high), value=int(value), **label)
    step = (high - low) / SLIDER_STEPS
    lowest, highest = low + step, high - step
    if not low < float(value) < high:
        raise ValueError(f"{caller}: {param.name}={value!r} must lie strictly inside ({low:g}, {high:g})")
    return widgets.FloatSlider(min=lowest, max=highest, step=step, value=float(np.clip(value, lowest, highest)),
                               readout_format=".3g", continuous_update=True, **label)


def y_limits(arrays, current=None, margin=0.05) -> tuple[float, float]:
    """y-limits that show every finite value of ``arrays`` with 0 included, padded by ``margin`` of the span
    and snapped outwards to a round step (half a power of ten below the span), so that small changes of the
    data give the same limits. ``current`` limits are kept while the data fit inside them and fill at least
    half of them: dragging a slider then redraws only the curves, not the axes."""
    finite = [np.asarray(a, dtype=float).ravel() for a in arrays]
    finite = np.concatenate(finite) if finite else np.zeros(0)
    finite = finite[np.isfinite(finite)]
    lo = min(0.0, float(finite.min())) if finite.size else -1.0
    hi = max(0.0, float(finite.max())) if finite.size else 1.0
    if current is not None:
        c_lo, c_hi = current
        if c_lo <= lo and hi <= c_hi and (hi - lo) >= 0.5 * (c_hi - c_lo):
            return current
    span = hi - lo if hi > lo else 1.0
    step = 10 ** math.floor(math.log10(span)) / 2
    return math.floor((lo - margin * span) / step) * step, math.ceil((hi + margin * span) / step) * step


def with_gaps_at_jumps(x, y, ratio=8.0, share=0.02):
    """(x, y) with a NaN point inserted wherever y jumps between two neighbouring samples, so that a line plot
    shows the jump as a gap instead of a vertical segment (ReLU's derivative at 0, hard sigmoid's at +-3).

    A jump is a step |y[i+1] - y[i]| larger than ``ratio`` times the sum of the steps on either side and larger
    than ``share`` of the curve's range. On a smooth curve neighbouring steps are about equal, so none qualifies,
    and a kink in a continuous function (ReLU itself) changes the slope, not the value: no gap."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if y.size < 3:
        return x, y
    step = np.abs(np.diff(y))
    step = np.where(np.isfinite(step), step, 0.0)
    before = np.concatenate(([0.0], step[:-1]))
    after = np.concatenate((step[1:], [0.0]))
    finite = y[np.isfinite(y)]
    spread = float(finite.max() - finite.min()) if finite.size else 0.0
    jumps = np.flatnonzero((step > ratio * (before + after)) & (step > share * spread))
    if jumps.size == 0:
        return x, y
    x_mid = (x[jumps] + x[jumps + 1]) / 2
    return np.insert(x, jumps + 1, x_mid), np.insert(y, jumps + 1, np.nan)


def walk(widget):
    """The widget and every widget nested in its children, depth first."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)
