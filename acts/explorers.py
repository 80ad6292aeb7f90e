"""``explore(name)``: one activation, its derivative and a tangent line, driven by sliders.

    from acts.widgets import explore
    explore("leaky_relu")                      # sliders: alpha, x range, x0; a derivative toggle
    explore("sigmoid", x_range=(-10, 10), x0=2.0, show_derivative=False)

The controls are built from ``activation.parameters``, so an activation added to ``acts.ACTIVATIONS``
later gets its explorer for free: a float parameter becomes a slider kept strictly inside
(low, high), an int an integer slider, a bool a checkbox, and a string parameter (or one with
``choices``) a drop-down. The figure is built once; a change updates the artists' data and renders
one PNG (design.md section 5).
"""

from __future__ import annotations

import io
import math
from contextlib import contextmanager

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import offset_copy
from PIL import Image

from ._display import FigureImage
from .activation import Activation
from .plotting import PALETTE, style_axes

X_LIMIT = 20.0   # the x range slider spans [-X_LIMIT, X_LIMIT]
POINTS = 601     # samples per curve: smooth at 720 px, cheap to draw
STEPS = 100      # a float parameter's slider has this many steps between its bounds


def _registry() -> dict:
    from . import ACTIVATIONS  # imported here: acts/__init__ may register more activations after this module

    return ACTIVATIONS


def _resolve(name) -> Activation:
    if isinstance(name, Activation):
        return name
    registry = _registry()
    if not isinstance(name, str):
        raise TypeError(f"explore() takes an activation name (str), got {type(name).__name__}; "
                        f"valid names: {', '.join(sorted(registry))}")
    if name not in registry:
        raise ValueError(f"explore(): unknown activation {name!r}; valid names: {', '.join(sorted(registry))}")
    return registry[name]


def _finite_bounds(param):
    """(low, high) for a slider: the parameter's bounds, or a window around its default where unbounded."""
    default = float(param.default)
    span = max(1.0, abs(default)) * 5
    low = param.low if param.low is not None and math.isfinite(param.low) else default - span
    high = param.high if param.high is not None and math.isfinite(param.high) else default + span
    return float(low), float(high)


def _control(param, value):
    """The widget for one parameter, holding ``value``; raises ValueError when value is outside its bounds."""
    label = {"description": param.name, "tooltip": getattr(param, "description", "") or param.name}
    choices = getattr(param, "choices", None)
    if choices or isinstance(param.default, str):
        options = list(choices) if choices else [param.default]
        if value not in options:
            raise ValueError(f"explore(): {param.name}={value!r} is not one of {options}")
        return widgets.Dropdown(options=options, value=value, **label)
    if isinstance(param.default, bool):
        return widgets.Checkbox(value=bool(value), indent=False, **label)
    low, high = _finite_bounds(param)
    if isinstance(param.default, int):
        if not low <= value <= high:
            raise ValueError(f"explore(): {param.name}={value!r} is outside [{low:g}, {high:g}]")
        return widgets.IntSlider(min=int(low), max=int(high), value=int(value), **label)
    # floats: keep strictly inside the open interval (low, high), e.g. leaky ReLU's alpha in (0, 1)
    step = (high - low) / STEPS
    lo, hi = low + step, high - step
    if not low < float(value) < high:
        raise ValueError(f"explore(): {param.name}={value!r} must lie strictly inside ({low:g}, {high:g})")
    return widgets.FloatSlider(min=lo, max=hi, step=step, value=float(np.clip(value, lo, hi)),
                               readout_format=".3g", continuous_update=True, **label)


def _fmt(v) -> str:
    return f"{v:.4g}" if np.isfinite(v) else str(v)


class Explorer(widgets.VBox):
    """The explorer widget. Useful attributes for lessons and tests:

    ``activation``, ``params`` (current parameter values), ``controls`` (name -> parameter widget),
    ``x_range``, ``x0``, ``show_derivative``, ``readout`` (title, parameters, f(x0), f'(x0)); ``canvas`` (the
    FigureImage), its ``image``,
    and the artists ``function_line``, ``derivative_line``, ``tangent_line``, ``point``, ``derivative_point``.
    """

    def __init__(self, activation: Activation, params: dict, x_range=(-6.0, 6.0), x0=1.0, show_derivative=True):
        self.activation = activation
        self.controls = {p.name: _control(p, params[p.name]) for p in activation.parameters}
        self.x_range = widgets.FloatRangeSlider(min=-X_LIMIT, max=X_LIMIT, step=0.5, value=tuple(x_range),
                                                description="x range", readout_format=".1f",
                                                layout=widgets.Layout(width="420px"))
        self.x0 = widgets.FloatSlider(min=x_range[0], max=x_range[1], step=0.05, value=x0, description="x0",
                                      readout_format=".2f", layout=widgets.Layout(width="420px"))
        self.show_derivative = widgets.Checkbox(value=show_derivative, description="show derivative panel",
                                                indent=False)
        self.readout = widgets.HTML()
        self._holding = False
        self._build_figure()

        controls = [*self.controls.values(), self.x_range, self.x0, self.show_derivative]
        for control in controls:
            control.observe(self._on_change, names="value")
        self._update()
        super().__init__([widgets.HBox([widgets.VBox(controls), self.readout]), self.canvas.image])

    # ------------------------------------------------------------------ figure, built once
    def _build_figure(self):
        name = self.activation.name
        # Fixed margins instead of constrained layout: the layout solver costs more than drawing (~70 ms)
        margins = {"left": 0.1, "right": 0.96, "bottom": 0.16, "top": 0.9, "wspace": 0.28}
        self.canvas = FigureImage(1, 2, figsize=(9, 3.6), dpi=80, gridspec_kw=margins)
        self.image = self.canvas.image
        fig = self.canvas.figure
        fig.set_layout_engine("none")
        self._agg = FigureCanvasAgg(fig)
        self._layers, self._layer_keys = [None] * 3, [None] * 3
        self.function_axes, self.derivative_axes = self.canvas.axes
        self._grid = self.function_axes.get_subplotspec().get_gridspec()
        ax, dax = self.function_axes, self.derivative_axes
        for a, ylabel in ((ax, f"{name}(x)"), (dax, f"{name}'(x)")):
            style_axes(a, xlabel="x", ylabel=ylabel)
            a.tick_params(labelsize=11)
        (self.function_line,) = ax.plot([], [], color=PALETTE[0], lw=3, label=f"{name}(x)")
        (self.tangent_line,) = ax.plot([], [], color=PALETTE[1], lw=2.5, ls="--", label="tangent at x0")
        (self.point,) = ax.plot([], [], "o", color=PALETTE[6], ms=7)
        (self.derivative_line,) = dax.plot([], [], color=PALETTE[2], lw=3, label=f"{name}'(x)")
        (self.derivative_point,) = dax.plot([], [], "o", color=PALETTE[6], ms=7)
        for a in (ax, dax):  # text is most of the drawing time: few ticks, short legends, fixed label places
            a.xaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 5, 10]))
            a.yaxis.set_major_locator(MaxNLocator(5, steps=[1, 2, 5, 10]))
            a.tick_params(length=0)  # the grid marks the ticks; no tick marks to draw
            # legends above the panels, right-aligned: they never cover data, grid or the y offset text
            a.legend(loc="lower right", bbox_to_anchor=(1, 1), ncol=2, fontsize=10, frameon=False,
                     borderaxespad=0.1)
            a.xaxis.set_label_coords(0.5, 0, transform=offset_copy(a.transAxes, fig, y=-24, units="dots"))
            a.yaxis.set_label_coords(0, 0.5, transform=offset_copy(a.transAxes, fig, x=-46, units="dots"))
        # Blitting in layers, each cached as pixels and redrawn only when what it depends on changed:
        # 0 (a full draw) the panels and legends; 1 the y axes, horizontal grid and line y = 0 (y-limits);
        # 2 the x axes, vertical grid and line x = 0 (x range); then, on every change, what moves.
        self._moving = (self.function_line, self.tangent_line, self.point, self.derivative_line,
                        self.derivative_point)
        self._layer_artists = ([a.yaxis for a in (ax, dax)] + [a.lines[0] for a in (ax, dax)],  # axhline
                               [a.xaxis for a in (ax, dax)] + [a.lines[1] for a in (ax, dax)],  # axvline
                               self._moving)
        for group in self._layer_artists:
            for artist in group:
                artist.set_animated(True)

    # ------------------------------------------------------------------ state
    @property
    def params(self) -> dict:
        return {name: control.value for name, control in self.controls.items()}

    @contextmanager
    def hold(self):
        """Change several controls and render once at the end."""
        self._holding = True
        try:
            yield self
        finally:
            self._holding = False
            self._update()

    def _on_change(self, change):
        if change["owner"] is self.x_range:
            holding, self._holding = self._holding, True
            try:  # keep x0's slider inside the new range (this may move x0): one render for both changes
                lo, hi = change["new"]
                if lo > self.x0.max:
                    self.x0.max, self.x0.min = hi, lo
                else:
                    self.x0.min, self.x0.max = lo, hi
            finally:
                self._holding = holding
        if not self._holding:
            self._update()

    # ------------------------------------------------------------------ one update = new data + one render
    def _update(self):
        f, params = self.activation, self.params
        lo, hi = self.x_range.value
        if hi <= lo:
            hi = lo + 0.5
        x = np.linspace(lo, hi, POINTS)
        y, dy = f(x, **params), f.derivative(x, **params)
        x0 = float(np.clip(self.x0.value, lo, hi))
        y0, slope = float(f(x0, **params)), float(f.derivative(x0, **params))

        self.function_line.set_data(x, y)
        half = (hi - lo) / 5  # a short tangent segment, so that it never dominates the picture
        tx = np.array([x0 - half, x0 + half])
        self.tangent_line.set_data(tx, y0 + slope * (tx - x0))
        self.point.set_data([x0], [y0])
        self.derivative_line.set_data(x, dy)
        self.derivative_point.set_data([x0], [slope])

        for ax, data in ((self.function_axes, y), (self.derivative_axes, dy)):
            ax.set_xlim(lo, hi)
            ax.set_ylim(*_limits(data, ax.get_ylim() if self._layers[0] is not None else None))
        suffix = ", ".join(f"{k}={_fmt(v) if isinstance(v, float) else v}" for k, v in params.items())
        self._set_derivative_visible(self.show_derivative.value)

        self.readout.value = (f"<div style='padding-left:1em'><b>{f.title}</b>"
                              f"{' (' + suffix + ')' if suffix else ''}</div>"
                              f"<div style='font-family:monospace;padding-left:1em'>"
                              f"x0 = {x0:.4g}<br>f(x0) = {_fmt(y0)}<br>f'(x0) = {_fmt(slope)}"
                              f"<br><small>tangent: y = {_fmt(y0)} + {_fmt(slope)} (x - x0)</small></div>")
        self._render()

    def _render(self):
        """One PNG into the Image widget: restore the deepest cached layer still valid, draw the rest."""
        fig, agg = self.canvas.figure, self._agg
        k0 = self.derivative_axes.get_visible()
        k1 = (k0, self.function_axes.get_ylim(), self.derivative_axes.get_ylim())
        keys = (k0, k1, (k1, self.function_axes.get_xlim()))
        first = next((i for i, key in enumerate(keys) if key != self._layer_keys[i]), len(keys))
        if first == 0:
            agg.draw()  # every animated artist (layers 1, 2 and what moves) is left out of a full draw
            self._layers[0], self._layer_keys[0] = agg.copy_from_bbox(fig.bbox), keys[0]
            first = 1
        else:
            agg.restore_region(self._layers[first - 1])
        renderer = agg.get_renderer()
        for layer in range(first, len(keys) + 1):
            for artist in self._layer_artists[layer - 1]:
                if artist.axes.get_visible():
                    artist.draw(renderer)
            if layer < len(keys):
                self._layers[layer], self._layer_keys[layer] = agg.copy_from_bbox(fig.bbox), keys[layer]
        rgba = np.asarray(agg.buffer_rgba())
        buffer = io.BytesIO()
        Image.fromarray(rgba[..., :3]).save(buffer, format="png", compress_level=1)
        self.canvas.image.value = buffer.getvalue()
        self.canvas.renders += 1

    def _set_derivative_visible(self, visible: bool):
        if self.derivative_axes.get_visible() == visible:
            return
        self.derivative_axes.set_visible(visible)
        self.function_axes.set_subplotspec(self._grid[0, 0] if visible else self._grid[0, :])


def _limits(data, current=None):
    """y-limits that show the whole curve with a margin and include 0.

    The current limits are kept while the curve fits inside them and fills at least half of them, so
    that small parameter changes redraw only the curves, not the axes.
    """
    finite = data[np.isfinite(data)]
    lo = min(0.0, float(finite.min())) if finite.size else -1.0
    hi = max(0.0, float(finite.max())) if finite.size else 1.0
    if current is not None:
        c_lo, c_hi = current
        if c_lo <= lo and hi <= c_hi and (hi - lo) >= 0.5 * (c_hi - c_lo):
            return current
    pad = 0.12 * (hi - lo) if hi > lo else 0.5
    return lo - pad, hi + pad


def explore(name="sigmoid", *, x_range=(-6.0, 6.0), x0=1.0, show_derivative=True, **params) -> Explorer:
    """An interactive explorer of the activation called ``name`` (any key of ``acts.ACTIVATIONS``).

    ``params`` set the activation's parameters (``explore("leaky_relu", alpha=0.1)``); ``x_range`` the
    plotted interval (within [-20, 20]); ``x0`` the point of the tangent line, slope f'(x0).
    """
    activation = _resolve(name)
    known = {p.name: p.default for p in activation.parameters}
    unknown = set(params) - set(known)
    if unknown:
        allowed = ", ".join(sorted(known)) or "none"
        raise TypeError(f"explore({activation.name!r}) got unknown parameter(s) {', '.join(sorted(unknown))}; "
                        f"its parameters: {allowed}")
    lo, hi = (float(v) for v in x_range)
    if not -X_LIMIT <= lo < hi <= X_LIMIT:
        raise ValueError(f"explore(): x_range must satisfy {-X_LIMIT:g} <= low < high <= {X_LIMIT:g}, "
                         f"got {x_range!r}")
    if not lo <= x0 <= hi:
        raise ValueError(f"explore(): x0={x0!r} must lie inside x_range {x_range!r}")
    return Explorer(activation, {**known, **params}, (lo, hi), float(x0), bool(show_derivative))
