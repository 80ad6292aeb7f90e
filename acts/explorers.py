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

from contextlib import contextmanager

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import offset_copy

from . import registry
from ._controls import parameter_control, with_gaps_at_jumps, y_limits
from ._display import FigureImage, WithFigureFallback
from .activation import Activation
from .plotting import PALETTE, style_axes

X_LIMIT = 20.0   # the x range slider spans [-X_LIMIT, X_LIMIT]
POINTS = 601     # samples per curve: smooth at 720 px, cheap to draw


def _fmt(v) -> str:
    return f"{v:.4g}" if np.isfinite(v) else str(v)


class Explorer(WithFigureFallback, widgets.VBox):
    """The explorer widget. Useful attributes for lessons and tests:

    ``activation``, ``params`` (current parameter values), ``controls`` (name -> parameter widget),
    ``x_range``, ``x0``, ``show_derivative``, ``readout`` (title, parameters, f(x0), f'(x0)); ``canvas`` (the
    FigureImage, also ``figure_image``), its ``image``,
    and the artists ``function_line``, ``derivative_line``, ``tangent_line``, ``point``, ``derivative_point``.
    """

    def __init__(self, activation: Activation, params: dict, x_range=(-6.0, 6.0), x0=1.0, show_derivative=True):
        self.activation = activation
        self.controls = {p.name: parameter_control(p, params[p.name]) for p in activation.parameters}
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
        margins = {"left": 0.1, "right": 0.96, "bottom": 0.16, "top": 0.9, "wspace": 0.28}
        self.canvas = self.figure_image = FigureImage(1, 2, figsize=(9, 3.6), dpi=80, margins=margins)
        self.image = self.canvas.image
        fig = self.canvas.figure
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
        # Blitting in levels (acts._display): 0, a full draw, the panels and legends; 1, the y axes, horizontal
        # grid and line y = 0 (y-limits); 2, the x axes, vertical grid and line x = 0 (x range); then what moves.
        self.canvas.set_layers(
            [a.yaxis for a in (ax, dax)] + [a.lines[0] for a in (ax, dax)],  # the axhline of style_axes
            [a.xaxis for a in (ax, dax)] + [a.lines[1] for a in (ax, dax)],  # its axvline
            moving=(self.function_line, self.tangent_line, self.point, self.derivative_line,
                    self.derivative_point))
        self._drawn = False

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
        self.derivative_line.set_data(*with_gaps_at_jumps(x, dy))  # a jump is a gap, not a vertical line
        self.derivative_point.set_data([x0], [slope])

        for ax, data in ((self.function_axes, y), (self.derivative_axes, dy)):
            ax.set_xlim(lo, hi)
            ax.set_ylim(*y_limits([data], ax.get_ylim() if self._drawn else None))
        self._drawn = True
        suffix = ", ".join(f"{k}={_fmt(v) if isinstance(v, float) else v}" for k, v in params.items())
        self._set_derivative_visible(self.show_derivative.value)

        self.readout.value = (f"<div style='padding-left:1em'><b>{f.title}</b>"
                              f"{' (' + suffix + ')' if suffix else ''}</div>"
                              f"<div style='font-family:monospace;padding-left:1em'>"
                              f"x0 = {x0:.4g}<br>f(x0) = {_fmt(y0)}<br>f'(x0) = {_fmt(slope)}"
                              f"<br><small>tangent: y = {_fmt(y0)} + {_fmt(slope)} (x - x0)</small></div>")
        self._render()

    def _render(self):
        """One PNG into the Image widget: each cached level is redrawn only when what it shows changed."""
        panels = self.derivative_axes.get_visible()
        y_axes = (panels, self.function_axes.get_ylim(), self.derivative_axes.get_ylim())
        self.canvas.render(keys=(panels, y_axes, (y_axes, self.function_axes.get_xlim())))

    def _set_derivative_visible(self, visible: bool):
        if self.derivative_axes.get_visible() == visible:
            return
        self.derivative_axes.set_visible(visible)
        self.function_axes.set_subplotspec(self._grid[0, 0] if visible else self._grid[0, :])


def explore(name="sigmoid", *, x_range=(-6.0, 6.0), x0=1.0, show_derivative=True, **params) -> Explorer:
    """An interactive explorer of the activation called ``name`` (any key of ``acts.ACTIVATIONS``).

    ``params`` set the activation's parameters (``explore("leaky_relu", alpha=0.1)``); ``x_range`` the
    plotted interval (within [-20, 20]); ``x0`` the point of the tangent line, slope f'(x0).
    """
    activation = registry.get(name, caller="explore()")
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
