"""``zoo()``: the activation zoo. Pick up to six activations and overlay them, function and derivative side by side.

    from acts.widgets import zoo
    zoo()                                   # ReLU, GELU, SiLU and Mish to start with
    zoo(["sigmoid", "tanh"], x_range=(-8, 8))

Every activation of ``acts.ACTIVATIONS`` can be picked; each picked one that has parameters gets its controls
(a slider for ELU's alpha, a drop-down for GELU's approximation). The figure is built once with six line slots
per panel; a change updates their data and renders one PNG, redrawing the axes only when limits or the legend
change (blitting, as in acts.explorers).
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import MaxNLocator
from matplotlib.transforms import offset_copy

from . import registry
from ._controls import parameter_control, with_gaps_at_jumps, y_limits
from ._display import FigureImage, WithFigureFallback
from .plotting import PALETTE, style_axes

MAX_CURVES = 6
POINTS = 601
STYLES = ("-", "--", "-.", ":", (0, (5, 1, 1, 1)), (0, (1, 1)))  # line styles as well as colours: greyscale-safe
DEFAULT = ("relu", "gelu", "silu", "mish")


class Zoo(WithFigureFallback, widgets.VBox):
    """The zoo widget. For lessons and tests:

    ``picker`` (SelectMultiple of names), ``selected`` (the names drawn, in the registry's order),
    ``controls`` ("name.param" -> widget, all built once; those of picked activations are shown),
    ``params(name)``, ``x_range``, ``status`` (HTML), ``canvas`` (FigureImage) and its ``image``,
    ``function_lines`` / ``derivative_lines`` (six slots each; unused ones hidden).
    """

    def __init__(self, names, x_range=(-5.0, 5.0)):
        self.registry = registry.ACTIVATIONS
        self.picker = widgets.SelectMultiple(options=registry.names(), value=tuple(names),
                                             rows=min(len(self.registry), 15),
                                             description="activations", style={"description_width": "initial"})
        self.controls = {f"{n}.{p.name}": parameter_control(p, description=f"{n}: {p.name}", caller="zoo()")
                         for n, act in self.registry.items() for p in act.parameters}
        self.x_range = widgets.FloatRangeSlider(min=-20.0, max=20.0, step=0.5, value=tuple(x_range),
                                                description="x range", readout_format=".1f")
        self.status = widgets.HTML()
        self.control_box = widgets.VBox()
        self._limits_key = self._legend_names = self._background_key = None
        self._build_figure()

        self.picker.observe(self._on_pick, names="value")
        for control in (*self.controls.values(), self.x_range):
            control.observe(self._on_change, names="value")
        self._show_controls()
        self._update()
        hint = widgets.HTML("<small>ctrl-click (cmd-click on a Mac) to pick several, up to six</small>")
        super().__init__([widgets.HBox([widgets.VBox([self.picker, hint]),
                                        widgets.VBox([self.x_range, self.control_box, self.status])]),
                          self.canvas.image])

    # ------------------------------------------------------------------ figure, built once
    def _build_figure(self):
        self.canvas = self.figure_image = FigureImage(1, 2, figsize=(10, 4), dpi=80)
        self.image = self.canvas.image
        fig = self.canvas.figure
        self.function_axes, self.derivative_axes = self.canvas.axes
        for ax, ylabel in ((self.function_axes, "activation f(x)"), (self.derivative_axes, "derivative f′(x)")):
            style_axes(ax, xlabel="x", ylabel=ylabel)
            ax.tick_params(labelsize=11)
            ax.xaxis.set_major_locator(MaxNLocator(6))
            ax.yaxis.set_major_locator(MaxNLocator(6))
            # fixed label places: matplotlib would otherwise measure every tick label on each full draw
            ax.xaxis.set_label_coords(0.5, 0, transform=offset_copy(ax.transAxes, fig, y=-24, units="dots"))
            ax.yaxis.set_label_coords(0, 0.5, transform=offset_copy(ax.transAxes, fig, x=-40, units="dots"))
        self.function_lines, self.derivative_lines = [], []
        for i in range(MAX_CURVES):
            kw = dict(color=PALETTE[i], ls=STYLES[i], lw=2.5, visible=False)
            self.function_lines.append(self.function_axes.plot([], [], **kw)[0])
            self.derivative_lines.append(self.derivative_axes.plot([], [], **kw)[0])
        # Blitting in levels (acts._display), as in acts.explorers: 0, a full draw, the panels and the legend;
        # 1, the y axes, horizontal grid and line y = 0 (y-limits); 2, the x axes, vertical grid and line x = 0
        # (x range); then the curves. Moving the x range redraws the x axes, not every text of the figure.
        panels = (self.function_axes, self.derivative_axes)
        self.canvas.set_layers([a.yaxis for a in panels] + [a.lines[0] for a in panels],  # style_axes' axhline
                               [a.xaxis for a in panels] + [a.lines[1] for a in panels],  # its axvline
                               moving=(*self.function_lines, *self.derivative_lines))

    # ------------------------------------------------------------------ state
    @property
    def selected(self) -> tuple:
        picked = set(self.picker.value)
        return tuple(n for n in self.registry if n in picked)

    def params(self, name) -> dict:
        return {p.name: self.controls[f"{name}.{p.name}"].value for p in self.registry[name].parameters}

    def _on_pick(self, change):
        if len(change["new"]) > MAX_CURVES:
            self.picker.value = change["old"]  # fires _on_pick again with the valid selection, which redraws
            self.status.value = (f"<span style='color:{PALETTE[0]}'>At most {MAX_CURVES} at once: "
                                 f"deselect one first (ctrl/cmd-click).</span>")
            return
        self.status.value = ""
        self._show_controls()
        self._update()

    def _on_change(self, change):
        self._update()

    def _show_controls(self):
        self.control_box.children = [self.controls[f"{n}.{p.name}"] for n in self.selected
                                     for p in self.registry[n].parameters]

    # ------------------------------------------------------------------ one update = new data + one render
    def _update(self):
        lo, hi = self.x_range.value
        if hi <= lo:
            hi = lo + 0.5
        x = np.linspace(lo, hi, POINTS)
        ys, dys, labels = [], [], []
        for slot, name in enumerate(self.selected):
            act, params = self.registry[name], self.params(name)
            y, dy = act(x, **params), act.derivative(x, **params)
            ys.append(y)
            dys.append(dy)
            shown = ", ".join(f"{k}={v:.3g}" if isinstance(v, float) else f"{k}={v}" for k, v in params.items())
            labels.append(f"{name} ({shown})" if shown else name)
            self.function_lines[slot].set_data(x, y)
            self.derivative_lines[slot].set_data(*with_gaps_at_jumps(x, dy))  # jumps as gaps
        for slot in range(MAX_CURVES):
            visible = slot < len(ys)
            self.function_lines[slot].set_visible(visible)
            self.derivative_lines[slot].set_visible(visible)
            self.function_lines[slot].set_label(labels[slot] if visible else "_hidden")
            self.derivative_lines[slot].set_label(labels[slot] if visible else "_hidden")

        self._set_limits(x, ys, dys)
        self._labels = tuple(labels)
        if not ys:
            self.status.value = self.status.value or "<i>Pick one or more activations on the left.</i>"
        self._render()

    def _set_limits(self, x, ys, dys):
        """Axes that hold every curve over its parameters' whole slider range: dragging a slider moves only the
        curves (a fast blit), and the axes change only with the picked activations or the x range."""
        lo, hi = x[0], x[-1]
        fits = all(np.all(ax.get_ylim()[0] <= d[np.isfinite(d)]) and np.all(d[np.isfinite(d)] <= ax.get_ylim()[1])
                   for ax, data in ((self.function_axes, ys), (self.derivative_axes, dys)) for d in data)
        key = (self.selected, lo, hi)
        if key == self._limits_key and fits:
            return
        envelope, slopes = list(ys), list(dys)
        for name in self.selected:
            act, base = self.registry[name], self.params(name)
            for p in act.parameters:
                for value in (p.choices or (p.low, p.high)):
                    envelope.append(act(x, **{**base, p.name: value}))
                    slopes.append(act.derivative(x, **{**base, p.name: value}))
        for ax, data in ((self.function_axes, envelope), (self.derivative_axes, slopes)):
            ax.set_xlim(lo, hi)
            ax.set_ylim(*y_limits(data))
        self._limits_key = key

    def _render(self):
        """One PNG into the Image widget: the background (axes, ticks, legend) is redrawn only when it changed."""
        names_only = tuple(label.split(" (")[0] for label in self._labels)
        if names_only != self._legend_names:  # the legend names the curves; parameter values are in the controls
            legend = self.function_axes.get_legend()
            if legend is not None:
                legend.remove()
            if names_only:
                handles = self.function_lines[:len(names_only)]
                self.function_axes.legend(handles, names_only, loc="upper left", fontsize=10, frameon=False)
            self._legend_names = names_only
        self._background_key = names_only
        y_axes = (names_only, self.function_axes.get_ylim(), self.derivative_axes.get_ylim())
        return self.canvas.render(keys=(names_only, y_axes, (y_axes, self.function_axes.get_xlim())))


def zoo(names=DEFAULT, *, x_range=(-5.0, 5.0)) -> Zoo:
    """The activation zoo: overlay up to six activations of ``acts.ACTIVATIONS`` with their derivatives.

    ``names``: the activations picked at the start (a name or a list of names, at most six).
    """
    if isinstance(names, str):
        names = [names]
    names = [registry.get(n, caller="zoo()").name for n in names]
    if len(names) > MAX_CURVES:
        raise ValueError(f"zoo(): at most {MAX_CURVES} activations at once, got {len(names)}")
    lo, hi = (float(v) for v in x_range)
    if not (-20 <= lo < hi <= 20):
        raise ValueError(f"zoo(): x_range must satisfy -20 <= low < high <= 20, got {x_range}")
    return Zoo(names, x_range=(lo, hi))
