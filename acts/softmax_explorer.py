"""The softmax explorer: edit logits, turn the temperature, watch the probabilities and the Jacobian.

    acts.widgets.softmax_explorer()                       # logits 0.4, 2, 5 (the seed's example), T = 1
    acts.widgets.softmax_explorer([1, 2, 3], temperature=0.5)

Left panel: p = softmax(x / T) as bars with their values printed. Right panel: the Jacobian of those
probabilities, J_ij = p_i (delta_ij - p_j) = acts.softmax.jacobian(x / T), as a heatmap. Every entry of J
lies in [-1/4, 1/4] (p(1 - p) <= 1/4 on the diagonal, p_i p_j <= 1/4 off it), so the colour scale is fixed
and colours compare across settings. (The Jacobian with respect to x itself is J / T.) The numbers of p and J
are printed below the figure, in HTML.

One figure is built once and its artists are updated; each change renders exactly once, by blitting: the
static part (axes, ticks, colourbar) is kept as pixels and only the bars, labels and heatmap are drawn again.
"""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from ._display import FigureImage, WithFigureFallback
from .functions import softmax
from .plotting import PALETTE

MAX_LOGITS = 10       # more bars and a larger heatmap stop being readable at 100% zoom
SLIDER_LIMIT = 10.0   # logit sliders span [-10, 10], widened when a typed logit lies outside
J_LIMIT = 0.25        # |J_ij| <= 1/4 for every softmax Jacobian
HINT = "Type numbers separated by commas, for example: 0.4, 2, 5"


def parse_logits(text: str) -> np.ndarray:
    """'0.4, 2, 5' -> array([0.4, 2., 5.]); raises ValueError with a message a learner can act on."""
    parts = [p.strip() for p in str(text).replace(";", ",").split(",")]
    if parts and parts[-1] == "":  # allow a trailing comma while typing
        parts.pop()
    if not parts or parts == [""]:
        raise ValueError(f"No logits given. {HINT}")
    values = []
    for i, part in enumerate(parts, start=1):
        if part == "":
            raise ValueError(f"Logit {i} is empty (two commas in a row?). {HINT}")
        try:
            value = float(part)
        except ValueError:
            raise ValueError(f"{part!r} (logit {i}) is not a number. {HINT}") from None
        if not np.isfinite(value):
            raise ValueError(f"Logit {i} is {part!r}: logits must be finite numbers.")
        values.append(value)
    return check_logits(values)


def check_logits(values) -> np.ndarray:
    """A 1-d float array of 1 to MAX_LOGITS finite logits, or ValueError saying what is wrong."""
    z = np.asarray(values, dtype=float).ravel()
    if z.size == 0:
        raise ValueError(f"No logits given. {HINT}")
    if z.size > MAX_LOGITS:
        raise ValueError(f"{z.size} logits given: at most {MAX_LOGITS} keep the chart readable.")
    if not np.all(np.isfinite(z)):
        raise ValueError("Logits must be finite numbers (no inf or nan).")
    return z


def format_logits(z) -> str:
    return ", ".join(f"{v:.4g}" for v in z)


class SoftmaxExplorer(WithFigureFallback, widgets.VBox):
    """The explorer widget. Children: logits text, temperature slider, one slider per logit, message, figure.

    For tests and notebooks: ``.logits_text``, ``.temperature``, ``.logit_sliders`` (list), ``.message``,
    ``.view`` (FigureImage), ``.logits`` and ``.probabilities`` (current arrays), ``.bars``, ``.heatmap``,
    ``.title`` (the text that shows z and T in the bar chart).
    """

    def __init__(self, logits=(0.4, 2.0, 5.0), temperature=1.0):
        z = parse_logits(logits) if isinstance(logits, str) else check_logits(logits)
        if not (np.isfinite(temperature) and 0.1 <= temperature <= 10):
            raise ValueError(f"temperature must lie in [0.1, 10], got {temperature!r}")
        self.logits = z
        self._syncing = False  # True while code (not the learner) moves widgets: one render per change

        self.logits_text = widgets.Text(value=format_logits(z), description="scores x",
                                        continuous_update=False, layout=widgets.Layout(width="420px"))
        self.temperature = widgets.FloatLogSlider(value=temperature, base=10, min=-1, max=1, step=0.01,
                                                  description="temperature T", readout_format=".3g",
                                                  continuous_update=True,
                                                  style={"description_width": "initial"},
                                                  layout=widgets.Layout(width="420px"))
        self.message = widgets.HTML()
        self.slider_box = widgets.VBox()
        self.logit_sliders: list[widgets.FloatSlider] = []

        # a fixed layout: a layout engine would lay the figure out again (a second draw) on every render
        margins = {"left": 0.08, "right": 0.9, "bottom": 0.14, "top": 0.9, "wspace": 0.3}
        self.view = self.figure_image = FigureImage(1, 2, figsize=(9, 3.8), dpi=80, margins=margins)
        self.view.render = self.render  # the figure's render is the explorer's: it knows what is drawn when
        self._build_figure()
        self._syncing = True
        try:
            self._make_sliders(z)
        finally:
            self._syncing = False

        self.logits_text.observe(self._on_text, names="value")
        self.temperature.observe(self._on_change, names="value")

        super().__init__([self.logits_text, self.temperature, self.slider_box, self.message, self.view.image])
        self.update()

    # ------------------------------------------------------------------ state
    @property
    def scaled(self) -> np.ndarray:
        """x / T: the numbers softmax actually sees."""
        return self.logits / self.temperature.value

    @property
    def probabilities(self) -> np.ndarray:
        return softmax(self.scaled)

    @property
    def jacobian(self) -> np.ndarray:
        return softmax.jacobian(self.scaled)

    # ------------------------------------------------------------------ widgets
    def _make_sliders(self, z):
        """One slider per logit; rebuilt only when the number of logits changes."""
        if len(z) != len(self.logit_sliders):
            for slider in self.logit_sliders:
                slider.unobserve(self._on_slider, names="value")
                slider.close()
            self.logit_sliders = [
                widgets.FloatSlider(value=0.0, min=-SLIDER_LIMIT, max=SLIDER_LIMIT, step=0.1,
                                    description=f"x{i + 1}", readout_format=".2f", continuous_update=True,
                                    layout=widgets.Layout(width="420px"))
                for i in range(len(z))
            ]
            for slider in self.logit_sliders:
                slider.observe(self._on_slider, names="value")
            self.slider_box.children = tuple(self.logit_sliders)
        for slider, value in zip(self.logit_sliders, z):
            # widen the range first so that the value is never clipped
            slider.min = min(-SLIDER_LIMIT, float(np.floor(value)))
            slider.max = max(SLIDER_LIMIT, float(np.ceil(value)))
            slider.value = float(value)

    def _on_text(self, change):
        if self._syncing:
            return
        try:
            z = parse_logits(change["new"])
        except ValueError as exc:
            self._show_message(str(exc), error=True)  # keep the last valid logits on screen
            return
        self._syncing = True
        try:
            self.logits = z
            self._make_sliders(z)
        finally:
            self._syncing = False
        self.update()

    def _on_slider(self, change):
        if self._syncing:
            return
        self.logits = np.array([s.value for s in self.logit_sliders], dtype=float)
        self._syncing = True
        try:
            self.logits_text.value = format_logits(self.logits)
        finally:
            self._syncing = False
        self.update()

    def _on_change(self, change):
        if not self._syncing:
            self.update()

    def _show_values(self, p, jac):
        # the numbers go to HTML, not into the figure: the browser lays text out for free, matplotlib takes
        # about 1 ms per text on every render
        rows = "\n".join("  [" + "  ".join(f"{_fixed(v, 4):>7}" for v in row) + "]" for row in jac)
        self.message.value = (
            '<pre style="font-size:12px;line-height:1.3;margin:0">'
            f"p = [{', '.join(_fixed(v, 4) for v in p)}],  sum = {p.sum():.4f}\n"
            f"Jacobian p_i (δ_ij − p_j) =\n{rows}</pre>")

    def _show_message(self, text, error=False):
        colour = PALETTE[0] if error else "#444444"
        prefix = "<b>Cannot use these logits.</b> " if error else ""
        self.message.value = f'<span style="color:{colour}">{prefix}{_escape(text)}</span>'

    # ------------------------------------------------------------------ figure
    def _build_figure(self):
        ax_bar, ax_jac = self.view.axes
        self.ax_bar, self.ax_jac = ax_bar, ax_jac
        ax_bar.set_ylim(0, 1.3)  # room above the bars for the x and T text
        ax_bar.set_yticks(np.linspace(0, 1, 6))
        ax_bar.set_ylabel("probability p_i", fontsize=12)
        ax_bar.set_xlabel("class i", fontsize=12)
        ax_bar.grid(axis="y", alpha=0.4, ls="-.")
        for side in ("top", "right"):
            ax_bar.spines[side].set_visible(False)
        self.bars = None
        self.bar_labels = []
        ax_bar.set_title("probabilities  p = softmax(x / T)", fontsize=12)
        # the current scores and temperature, so that every change shows in the picture
        self.title = ax_bar.text(0.02, 0.98, "", transform=ax_bar.transAxes, ha="left", va="top", fontsize=10,
                                 family="monospace")
        self.heatmap = ax_jac.imshow(np.zeros((1, 1)), cmap="RdBu_r", vmin=-J_LIMIT, vmax=J_LIMIT,
                                     interpolation="nearest")
        colourbar = self.view.figure.colorbar(self.heatmap, ax=ax_jac, shrink=0.9,
                                              ticks=np.linspace(-J_LIMIT, J_LIMIT, 5))
        colourbar.set_label("∂p_i / ∂(x_j / T)", fontsize=11)
        ax_jac.set_xlabel("j (scaled score x_j / T)", fontsize=12)
        ax_jac.set_ylabel("i (output p_i)", fontsize=12)
        ax_jac.set_title("Jacobian  p_i (δ_ij − p_j)", fontsize=12)

    def _rebuild_artists(self, n):
        """Called only when the number of logits changes: new bars, labels, ticks and heatmap extent."""
        ax_bar, ax_jac = self.ax_bar, self.ax_jac
        if self.bars is not None:
            self.bars.remove()
        for text in self.bar_labels:
            text.remove()
        ticks = np.arange(n)
        names = [str(i + 1) for i in ticks]
        self.bars = ax_bar.bar(ticks, np.zeros(n), color=PALETTE[1], width=0.7, label="p = softmax(x / T)")
        size = 10 if n <= 6 else 8
        self.bar_labels = [ax_bar.text(i, 0, "", ha="center", va="bottom", fontsize=size) for i in ticks]
        ax_bar.set_xticks(ticks, names)
        ax_bar.set_xlim(-0.6, n - 0.4)
        self.heatmap.set_data(np.zeros((n, n)))
        self.heatmap.set_extent((-0.5, n - 0.5, n - 0.5, -0.5))
        ax_jac.set_xticks(ticks, names)
        ax_jac.set_yticks(ticks, names)
        # the static part (axes, ticks, colourbar) is drawn once per number of logits and kept as pixels
        self.view.set_layers(moving=(*self.bars, *self.bar_labels, self.heatmap, self.title))

    def update(self):
        """Recompute p and J for the current logits and temperature, update the artists, render once."""
        n = len(self.logits)
        if self.bars is None or len(self.bars) != n:
            self._rebuild_artists(n)
        p, jac = self.probabilities, self.jacobian
        digits = 3 if n <= 6 else 2
        for bar, label, value in zip(self.bars, self.bar_labels, p):
            bar.set_height(value)
            label.set_y(value + 0.01)
            label.set_text(_fixed(value, digits))
        self.heatmap.set_data(jac)
        self.title.set_text(f"x = [{format_logits(self.logits)}]\nT = {self.temperature.value:.3g}")
        self._show_values(p, jac)
        self.render()

    def render(self) -> bytes:
        """Blit (acts._display): the static part is restored from its pixels; only the changing artists are
        drawn on it. About 3x faster than drawing the whole figure."""
        return FigureImage.render(self.view, keys=(len(self.logits),))


def _fixed(value, digits) -> str:
    """f"{value:.{digits}f}" without a minus sign on a value that rounds to zero."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def softmax_explorer(logits=(0.4, 2.0, 5.0), temperature=1.0) -> SoftmaxExplorer:
    """Editable logits (text or one slider each), a temperature slider, the probabilities and their Jacobian."""
    return SoftmaxExplorer(logits, temperature)
