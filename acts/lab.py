"""The vanishing-gradient lab: a deep net at initialisation, seen layer by layer.

    acts.widgets.vanishing_gradients()    # depth, activation, initialisation, weight scale, residual, layer norm

Left: the gradient norm of every hidden layer on a log scale, for the back-propagated signal dL/dZ and for
the weights dL/dW (``acts.network.gradient_norms``'s set-up: X ~ N(0, 1), MSE against N(0, 1) targets), with
residual connections and layer normalisation as switches. A shaded band marks the target for the first layer:
within a factor of 2 of the last layer's gradient (first/last ratio between 1/2 and 2), and the summary says
whether the ratio is inside it.
Right: a histogram of every layer's activations, one row per layer (layer 1 at the bottom), so saturation at
the ends of sigmoid's or tanh's range shows up as bright columns at the edges. Unbounded activations (ReLU ...)
are shown divided by each layer's RMS, so a layer's shape stays visible when the scale explodes or vanishes.

Speed: the probe runs in float32 with per-layer power-of-two rescaling of the gradients (``acts.network.MLP``'s
``dtype`` and ``backward(rescale=True)``), which agrees with float64 to about 1e-6 and takes half the time; settings
whose forward signal leaves float32's range run in float64 (``float32_was_enough``).
"""

from __future__ import annotations

import math
from collections import OrderedDict

import ipywidgets as widgets
import numpy as np
from matplotlib.colors import PowerNorm
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullLocator

from . import registry
from ._display import FigureImage, WithFigureFallback
from .network import INITS, probe
from .plotting import PALETTE

BINS = 41
RESULTS_KEPT = 32  # settings whose numbers are kept (about 35 KB each at depth 100): dragging back is instant
RESULT_FIELDS = ("norms", "weight_norms", "ratio", "in_band", "hist_range", "hist_label", "histograms")
TARGET_FACTOR = 2.0  # the target band: the first layer's gradient within this factor of the last layer's


def within_target(ratio: float, factor: float = TARGET_FACTOR) -> bool:
    """Whether a first/last gradient ratio lies in the band 1/factor <= ratio <= factor (nan: no)."""
    return bool(1 / factor <= ratio <= factor)


def layer_axis_end(depth: int) -> int:
    """The last layer the layer axes show: the depth rounded up to a multiple of 5 (to 20 layers) or of 10.

    A first visit to a depth then usually keeps the axes of the one before (dragging from 41 to 50 redraws no
    tick label), and text is the slow part of a render: about 50 of 180 ms per update when every depth drew
    its own axes."""
    step = 5 if depth <= 20 else 10
    return -(-int(depth) // step) * step


def float32_was_enough(net, norms, weight_norms) -> bool:
    """Whether a float32 probe can stand for the float64 one: every layer's activation input stayed well inside
    float32's range (finite, largest entry between 1e-30 and 1e30: neither overflowing nor flushed towards 0)
    and every gradient norm came out finite and positive. The gradients themselves cannot leave the range:
    ``backward(rescale=True)`` keeps them near 1. Exploding forward signals (ReLU at large weight scales) and
    fully saturated layers fail this test and are computed in float64."""
    for v in net.activation_inputs():
        peak = float(np.max(np.abs(v)))
        if not 1e-30 <= peak <= 1e30:  # also false for nan
            return False
    both = np.concatenate([norms, weight_norms])
    return bool(np.all(np.isfinite(both)) and np.all(both > 0))


def is_bounded(activation) -> bool:
    """Bounded on both sides (sigmoid, tanh, hardsigmoid, softsign): saturation is then a question of position."""
    return activation.properties.bounded_below and activation.properties.bounded_above


def histogram_view(activation, activations, residual=False):
    """What the histogram panel shows: (values per layer, (low, high), x-axis label).

    Bounded activations without residual connections (a shortcut adds the layer's input, so its output leaves
    the activation's range): the raw values on the activation's own range, so saturation at its ends shows.
    Unbounded ones: each layer divided by its root-mean-square, on the range of the 0.5-99.5 percentiles of a
    sample, so every layer's shape stays visible even when the scale grows or shrinks exponentially with depth."""
    if is_bounded(activation) and not residual:
        low, high = sorted(float(v) for v in activation(np.array([-1e6, 1e6])))
        return activations, (low, high), "activation value"
    scaled = []
    for a in activations:
        rms = float(np.sqrt(np.mean(a * a)))
        scaled.append(a / rms if rms > 0 else a)
    sample = np.concatenate([a[::4].ravel() for a in scaled[::5]])  # every 5th layer, every 4th row
    low, high = np.percentile(sample, [0.5, 99.5])
    # whole halves: the range (and so the cached axes) changes only when the shape really changes
    low, high = min(math.floor(2 * low) / 2, 0.0), max(math.ceil(2 * high) / 2, 0.0)
    if high - low < 1e-12:
        high = low + 1.0
    return scaled, (low, high), "activation / its layer's RMS"


def layer_histograms(activations, low, high, bins=BINS) -> np.ndarray:
    """(layers, bins): the fraction of each layer's activations in each of ``bins`` equal bins of [low, high]
    (values outside are counted in the end bins)."""
    out = np.empty((len(activations), bins))
    per_unit = bins / (high - low)
    for i, a in enumerate(activations):
        # bin index = floor((a - low) * bins / (high - low)), clipped to the end bins (truncation toward 0 equals
        # floor wherever the clip does not apply): one bincount instead of np.histogram, few passes over a
        scaled = a.ravel() - low
        scaled *= per_unit
        index = scaled.astype(np.intp)
        np.clip(index, 0, bins - 1, out=index)
        out[i] = np.bincount(index, minlength=bins) / a.size
    return out


class VanishingGradientsLab:
    """Controls, one reusable figure, and ``update()`` which recomputes and redraws once.

    ``depth``, ``activation``, ``init``, ``scale``, ``residual`` and ``layer_norm`` (check boxes for the options
    ``residual=True`` and ``norm="layer"`` of acts.network.probe) are ipywidgets controls; after each update
    ``norms`` holds the back-propagated gradient norms, ``weight_norms`` the weight-gradient norms (input side
    first), ``histograms`` the per-layer histograms, ``ratio`` the first/last ratio of ``norms``, ``in_band``
    whether that ratio is within ``TARGET_FACTOR`` of 1, and ``net`` the probe network itself (acts.network.MLP,
    with every layer's activations and gradients). The numbers of the last ``RESULTS_KEPT`` settings are kept:
    returning to one of them skips the network (``reused`` counts such updates).
    """

    def __init__(self, depth=50, activation="sigmoid", init="standard", scale=1.0, width=100, batch=256, seed=0,
                 residual=False, norm=None):
        activation = registry.get(activation, caller="vanishing_gradients()").name  # errors before any widget
        if init not in INITS:
            raise ValueError(f"unknown init {init!r}; choose one of: {', '.join(INITS)}")
        if not 1 <= int(depth) <= 100:
            raise ValueError(f"depth must be between 1 and 100, got {depth}")
        if norm not in (None, "layer"):
            raise ValueError(f"unknown norm {norm!r}; choose one of: None, 'layer'")
        self.width, self.batch, self.seed = int(width), int(batch), seed
        self._kept = OrderedDict()  # settings -> numbers of an update (RESULT_FIELDS), most recently used last
        self._net = self._net_settings = None
        self.reused = 0  # updates served from kept numbers
        style = {"description_width": "initial"}
        self.depth = widgets.IntSlider(value=int(depth), min=1, max=100, description="depth", style=style,
                                       continuous_update=False)
        self.activation = widgets.Dropdown(options=sorted(registry.names()), value=activation,
                                           description="activation", style=style)
        self.init = widgets.Dropdown(options=list(INITS), value=init, description="initialisation", style=style)
        self.scale = widgets.FloatSlider(value=float(scale), min=0.1, max=4.0, step=0.05, description="weight scale",
                                         style=style, continuous_update=False, readout_format=".2f")
        self.residual = widgets.Checkbox(value=bool(residual), description="residual connections", style=style)
        self.layer_norm = widgets.Checkbox(value=norm == "layer", description="layer norm", style=style)
        self.summary = widgets.HTML()
        self.view = FigureImage(1, 2, figsize=(11, 4.2), dpi=80)
        self._build_figure()
        for control in (self.depth, self.activation, self.init, self.scale, self.residual, self.layer_norm):
            control.observe(self.update, names="value")
        self.widget = LabWidget([
            widgets.HBox([self.depth, self.scale]),
            widgets.HBox([self.activation, self.init]),
            widgets.HBox([self.residual, self.layer_norm]),
            self.summary,
            self.view.image,
        ])
        self.widget.lab = self  # reach the lab (and its numbers) from the returned widget
        self.widget.figure_image = self.view
        self.update()

    def _build_figure(self):
        ax_norm, ax_hist = self.view.axes
        (self.line_signal,) = ax_norm.plot([], [], "o-", ms=3, lw=2, color=PALETTE[0],
                                           label="signal ||dL/dZ||")
        (self.line_weights,) = ax_norm.plot([], [], "s--", ms=3, lw=1.5, color=PALETTE[1],
                                            label="weights ||dL/dW||")
        # the target band, last layer's norm / 2 .. x 2, across the whole panel (x in axes units, y in data)
        self.band = Rectangle((0, 1), 1, 1, transform=ax_norm.get_yaxis_transform(), facecolor="0.85",
                              edgecolor="0.4", hatch="//", lw=0.8, label=f"within {TARGET_FACTOR:g}x of the last layer")
        ax_norm.add_patch(self.band)
        ax_norm.set_yscale("log")
        ax_norm.yaxis.set_major_locator(LogLocator(numticks=7))  # few labels: text layout is the slow part
        ax_norm.yaxis.set_minor_locator(NullLocator())
        ax_norm.yaxis.set_major_formatter(FuncFormatter(_power_of_ten))  # plain text: mathtext parsing is slow
        ax_norm.set_xlabel("hidden layer (1 = input side)", fontsize=12)
        ax_norm.set_ylabel("gradient norm", fontsize=12)
        ax_norm.grid(alpha=0.4, ls="-.")
        # the legend sits above the panel, where no curve or band can reach it (loc="best" would be placed at a
        # full draw from the data of that moment, and a blitted render could then differ from a full redraw)
        ax_norm.legend(fontsize=10, frameon=False, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2)
        # brightness = share of the layer's activations in that bin; square-root colour scale shows the tails
        self.heatmap = ax_hist.imshow(np.zeros((1, BINS)), aspect="auto", origin="lower", cmap="viridis",
                                      interpolation="nearest", norm=PowerNorm(0.5, vmin=0, vmax=1))
        ax_hist.set_xlabel("activation value", fontsize=12)
        ax_hist.set_ylabel("hidden layer", fontsize=12)
        ax_hist.set_title("activations (bright = many)", fontsize=12)
        for axis in (ax_norm.xaxis, ax_hist.xaxis, ax_hist.yaxis):
            axis.set_major_locator(MaxNLocator(nbins=5, integer=axis is not ax_hist.xaxis))
        # blitting (acts._display) in four cached levels, the most often changed on top: 0, a full draw of the
        # panels, titles and legend (drawn once); 1, the layer axes: the x axis of the norms and the y axis of the
        # histogram (redrawn when the depth passes a multiple of 10, see layer_axis_end); 2, the x axis of the
        # histogram (when its range or label change: another activation); 3, the y axis of the norms, with its grid
        # (when its limits change, e.g. after a large change of the weight scale). The curves, band and histogram
        # image are drawn on every render. Text is most of the drawing time (an axis ~20 ms): most first visits
        # draw no axis at all, and a new weight scale draws one.
        self.view.set_layers((ax_norm.xaxis, ax_hist.yaxis), (ax_hist.xaxis,), (ax_norm.yaxis,),
                             moving=(self.heatmap, self.band, self.line_signal, self.line_weights))

    def settings(self) -> tuple:
        """The values of every control: what the numbers of an update depend on (width, batch, seed are fixed)."""
        return (self.activation.value, self.depth.value, self.init.value, self.scale.value, self.residual.value,
                self.layer_norm.value)

    @property
    def net(self):
        """The probe network of the current settings (acts.network.MLP, every layer's activations and gradients
        recorded). An update served from the kept results has no net; it is computed here when asked for."""
        if self._net_settings != self.settings():
            self.compute()
        return self._net

    def compute(self):
        """Forward and backward once through the probe net of acts.network; stores the numbers (and keeps them
        for ``update``, keyed by the settings)."""
        act = registry.get(self.activation.value)
        settings = (act, self.depth.value, self.width, self.init.value, self.scale.value, self.batch, self.seed)
        options = dict(residual=self.residual.value, norm="layer" if self.layer_norm.value else None)
        # float32 first: 2-3x faster (measured at depth 50: 95 -> 40 ms); float64 where float32's range was not
        # enough. probe runs on one BLAS thread (acts.network.one_blas_thread): these products are too small for threads
        with np.errstate(over="ignore", invalid="ignore"):  # float32 may overflow: then float64 takes over
            net = probe(*settings, **options, dtype=np.float32)
            norms, weight_norms = net.true_norms(), net.true_norms("weights")
        if not float32_was_enough(net, norms, weight_norms):
            net = probe(*settings, **options)
            norms, weight_norms = net.true_norms(), net.true_norms("weights")
        # keep each net until the next one exists: freeing its ~40 MB first made glibc return the memory to the
        # system and fault it in again on the next update (~25 ms, more than half of the compute)
        self._net, self._net_settings = net, self.settings()
        self.norms, self.weight_norms = norms, weight_norms
        last = self.norms[-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            self.ratio = float(self.norms[0] / last) if last > 0 else float("nan")
        self.in_band = within_target(self.ratio)
        values, self.hist_range, self.hist_label = histogram_view(act, net.activations, net.residual)
        self.histograms = layer_histograms(values, *self.hist_range)
        self._kept[self._net_settings] = {name: getattr(self, name) for name in RESULT_FIELDS}
        while len(self._kept) > RESULTS_KEPT:
            self._kept.popitem(last=False)  # the least recently used settings
        return net

    def draw(self):
        """Update the artists from the stored numbers and render the figure once."""
        ax_norm, ax_hist = self.view.axes
        layers = np.arange(1, len(self.norms) + 1)
        shown = []
        for line, values in ((self.line_signal, self.norms), (self.line_weights, self.weight_norms)):
            positive = np.where(values > 0, values, np.nan)  # a zero norm has no place on a log axis
            line.set_data(layers, positive)
            shown.append(positive)
        last = self.norms[-1]
        if last > 0:  # the band: where the first layer's norm should be, [last / 2, last x 2]; keep it in view
            self.band.set_y(last / TARGET_FACTOR)
            self.band.set_height(last * (TARGET_FACTOR - 1 / TARGET_FACTOR))
            shown.append(np.array([last / TARGET_FACTOR, last * TARGET_FACTOR]))
        self.band.set_visible(bool(last > 0))
        finite = np.concatenate(shown)
        finite = finite[np.isfinite(finite)]
        low, high = (finite.min(), finite.max()) if finite.size else (1e-3, 1.0)
        # room to grow on the side the first layer's norm moves to as the net gets deeper: away from the last's
        grows = "down" if self.norms[0] < last else "up"
        ax_norm.set_ylim(*_log_limits(low, high, ax_norm.get_ylim() if self.view.renders else None, grows))
        layer_limits = (0.5, layer_axis_end(len(self.norms)) + 0.5)
        ax_norm.set_xlim(*layer_limits)
        name, init = self.activation.value, self.init.value
        self.heatmap.set_data(self.histograms)
        self.heatmap.set_extent((*self.hist_range, 0.5, len(self.norms) + 0.5))
        ax_hist.set_ylim(*layer_limits)
        ax_hist.set_xlabel(self.hist_label, fontsize=12)
        self.heatmap.norm.vmax = max(float(self.histograms.max()), 1e-12)
        options = ", ".join(o for o, on in (("residual", self.residual.value), ("layer norm", self.layer_norm.value))
                            if on) or "plain"
        self.summary.value = (f"<b>{name}</b>, {init} initialisation x {self.scale.value:.2f}, {options}, "
                              f"<b>{len(self.norms)}</b> hidden layers of width {self.width}, batch {self.batch}: "
                              f"first layer's back-propagated gradient = <b>{self.ratio:.2e}</b> x the last layer's "
                              f"(within {TARGET_FACTOR:g}x, the band: <b>{'yes' if self.in_band else 'no'}</b>); "
                              f"weight-gradient norms span a factor of "
                              f"<b>{_spread(self.weight_norms):.3g}</b>.")
        return self._render()

    @property
    def full_draws(self) -> int:
        """Renders that redrew the whole figure (the others reuse cached pixels)."""
        return self.view.full_draws

    def invalidate(self):
        """Forget the cached pixels: the next render draws everything."""
        self.view.invalidate()

    def _render(self) -> bytes:
        """One PNG into the Image widget; each cached level is drawn again only when its limits changed."""
        ax_norm, ax_hist = self.view.axes
        layer_axes = (ax_norm.get_xlim(), ax_hist.get_ylim())
        histogram_axis = (ax_hist.get_xlim(), ax_hist.get_xlabel())
        return self.view.render(keys=("panels", layer_axes, histogram_axis, ax_norm.get_ylim()))

    def update(self, change=None):
        """Numbers for the current settings, then one render. Settings seen before (a slider dragged back) reuse
        their kept numbers: the forward and backward pass is most of an update's time."""
        kept = self._kept.get(self.settings())
        if kept is None:
            self.compute()
        else:
            self._kept.move_to_end(self.settings())
            for name, value in kept.items():
                setattr(self, name, value)
            self.reused += 1
        self.draw()


class LabWidget(WithFigureFallback, widgets.VBox):
    """The lab's widget: a VBox whose output bundle also carries a PNG of the figure (``.lab`` is the lab)."""


def _log_limits(low, high, current=None, grows=None):
    """Log-axis limits on whole decades around [low, high]; the current ones are kept while the data fit inside
    them and span at least half of their decades, so that small changes redraw only the curves.

    ``grows`` ("down" or "up"): new limits leave a fifth of the data's span free on that side. Dragging the depth
    moves the first layer's norm by up to a decade per layer, and without that room nearly every step would redraw
    this axis (20-35 ms measured, a quarter to a third of a first visit: text is the slow part of drawing)."""
    lo, hi = math.log10(low), math.log10(high)
    if current is not None:
        c_lo, c_hi = (math.log10(c) for c in current)
        if c_lo <= lo - 0.1 and hi + 0.1 <= c_hi and hi - lo >= 0.5 * (c_hi - c_lo):
            return current
    room = 0.2 * (hi - lo)
    lo_d = math.floor(lo - 0.1 - (room if grows == "down" else 0))
    hi_d = math.ceil(hi + 0.1 + (room if grows == "up" else 0))
    return 10.0**lo_d, 10.0**hi_d


def _power_of_ten(value, _position=None):
    return f"1e{np.log10(value):.0f}" if value > 0 else ""


def _spread(values):
    positive = values[values > 0]
    return float(positive.max() / positive.min()) if positive.size else float("nan")


def vanishing_gradients(depth=50, activation="sigmoid", init="standard", scale=1.0, width=100, batch=256, seed=0,
                        residual=False, norm=None):
    """The lab as a widget: sliders for depth (1-100) and weight scale, dropdowns for activation and
    initialisation, check boxes for residual connections and layer normalisation; the figure shows per-layer
    gradient norms (log scale) with the within-2x target band, and activation histograms.
    The VBox's ``.lab`` attribute is the VanishingGradientsLab with the latest numbers."""
    return VanishingGradientsLab(depth, activation, init, scale, width, batch, seed, residual, norm).widget
