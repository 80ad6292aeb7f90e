"""The course's figure style, set in one place (the seed article's look, in colour-blind-safe colours)."""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np

# Okabe & Ito's colour-blind-safe palette; the first, vermillion, plays the seed's red line
PALETTE = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
SEED_X = np.arange(-6, 6, 0.01)  # the seed's grid: -6 to 6 in steps of 0.01
# curves told apart without colour: four line styles, then the same four with markers (grey print, colour blindness)
LINE_STYLES = ("-", "--", "-.", ":")
MARKERS = ("o", "s", "^", "D")


def curve_style(i: int) -> dict:
    """Colour, line style and (from the fifth curve on) marker of curve number ``i``, as keyword arguments.

    ``ax.plot(x, y, **curve_style(i))``: curve i has PALETTE[i], LINE_STYLES[i % 4], and from i = 4 on a marker
    every 10% of the line's length (offset per curve, so markers of overlapping curves do not sit on each other).
    """
    style = {"color": PALETTE[i % len(PALETTE)], "ls": LINE_STYLES[i % len(LINE_STYLES)]}
    if i >= len(LINE_STYLES):
        # the marker shifts by one in each round of four curves: (line style, marker) pairs differ for 20 curves
        style.update(marker=MARKERS[(i // len(LINE_STYLES) - 1 + i) % len(MARKERS)], markersize=6,
                     markevery=(0.025 * (i % 4), 0.1))
    return style


def style_axes(ax, ylim=None, xlabel="x", ylabel="f(x)"):
    """Black axis lines through the origin, dash-dot grid, large ticks, no box."""
    ax.axhline(color="k", lw=1)
    ax.axvline(color="k", lw=1)
    ax.grid(alpha=0.4, ls="-.")
    ax.tick_params(labelsize=14)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if ylim is not None:
        ax.set_ylim(ylim)
    ax.set_xlabel(xlabel, fontsize=14)
    ax.set_ylabel(ylabel, fontsize=14)
    return ax


def with_gaps(x, func, jumps=()):
    """(x, func(x)) with a NaN at each point of ``jumps`` where func jumps, so a line breaks there.

    Without it matplotlib joins the last point left of a jump to the first one right of it: a vertical segment
    that looks like part of the graph (hardsigmoid' at +-3, relu' at 0). A point where func is continuous
    (its values 1e-9 to either side agree) is left alone.
    """
    x = np.asarray(x, dtype=float)
    breaks = []
    for p in np.asarray(jumps, dtype=float).ravel():
        h = 1e-9 * max(1.0, abs(p))
        left, right = (float(np.asarray(func(np.array([v]))).ravel()[0]) for v in (p - h, p + h))
        if x.min() < p < x.max() and abs(left - right) > 1e-6 * max(1.0, abs(left), abs(right)):
            breaks.append(p)
    if not breaks:
        return x, func(x)
    x = np.union1d(x, breaks)  # sorted, each jump once (the grid may hold it already)
    y = np.array(func(x), dtype=float)
    y[np.isin(x, breaks)] = np.nan
    return x, y


def _label(func):
    owner = getattr(func, "__self__", None)  # acts.sigmoid.derivative is labelled sigmoid'
    if getattr(func, "__name__", "") == "derivative" and getattr(owner, "name", None):
        return f"{owner.name}'"
    return getattr(func, "name", None) or getattr(func, "__name__", "f")


def plot(funcs, ylim=None, *, x=None, ax=None, labels=None, xlabel="x", ylabel=None, title=None,
         figsize=(6, 4), lw=3, alt=None, jumps=()):
    """Plot one function or a list of them on the seed's grid; returns (fig, ax) so a lesson can add to them.

    ``funcs`` are callables of an array (activations, derivatives, lambdas). One curve is drawn in
    the seed's red line of width 3; several get a legend and ``curve_style``'s colours, line styles and markers.
    ``alt`` sets the figure's alternative text (``set_alt_text``); without it one is built from the axes.
    ``jumps``: points where a curve may jump (relu' at 0); a curve that does is broken there (``with_gaps``).
    """
    many = isinstance(funcs, (list, tuple))
    funcs = list(funcs) if many else [funcs]
    labels = list(labels) if labels is not None else [_label(f) for f in funcs]
    x = SEED_X if x is None else np.asarray(x, dtype=float)
    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    else:
        fig = ax.figure
    for i, (func, label) in enumerate(zip(funcs, labels)):
        ax.plot(*with_gaps(x, func, jumps), lw=lw, label=label, **curve_style(i))
    if ylabel is None:
        ylabel = f"{labels[0]}(x)" if len(funcs) == 1 else "f(x)"
    style_axes(ax, ylim, xlabel=xlabel, ylabel=ylabel)
    if title:
        ax.set_title(title, fontsize=14)
    if len(funcs) > 1 or labels != [_label(funcs[0])] or many:
        ax.legend(fontsize=12, frameon=False)
    if alt is not None:
        set_alt_text(fig, alt)
    return fig, ax


# ---------------------------------------------------------------- alternative text for every figure
# nbconvert (slides, HTML) and screen readers need an image's alt text; a PNG carries none. On `import acts` in an
# IPython kernel, a display hook adds {"image/png": {"alt": ...}} to the metadata of every matplotlib figure shown,
# so every lesson's stored figures carry it without per-cell code; docs/templates/slides_alt renders it as <img alt>.
# nbval ignores output metadata, so the text can change without failing a lesson's test.
_ALT_ATTRIBUTE = "_acts_alt_text"
_LATEX_WORDS = re.compile(r"\\(mathrm|mathit|mathbf|operatorname|text)\{([^{}]*)\}")


def set_alt_text(fig, text: str):
    """Give ``fig`` an explicit alternative text (what the figure shows and what to read off it); returns fig."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("set_alt_text() needs a non-empty string describing the figure")
    setattr(fig, _ALT_ATTRIBUTE, " ".join(text.split()))
    return fig


def _plain(text: str) -> str:
    """A matplotlib label as words: "$\\sigma'(x)$" -> "σ'(x)"-like plain text without $ and backslashes."""
    text = _LATEX_WORDS.sub(r"\2", text)
    for old, new in (("\\sigma", "σ"), ("\\alpha", "α"), ("\\lambda", "λ"), ("\\Phi", "Φ"), ("\\varphi", "φ"),
                     ("\\phi", "φ"), ("\\tanh", "tanh"), ("\\log", "log"), ("\\cdot", "·"), ("\\times", "×"),
                     ("\\infty", "∞"), ("\\,", " "), ("\\ ", " "), ("$", ""), ("{", ""), ("}", "")):
        text = text.replace(old, new)
    return " ".join(text.replace("\\", "").split())


def _number(v: float) -> str:
    return f"{v:.2g}".replace("-", "−")


def _describe_axes(ax, colour_scale: str = "") -> str:
    """One panel in words: title, what is plotted against what over which ranges, legend entries, kinds of marks."""
    title = _plain(ax.get_title())
    xlabel, ylabel = _plain(ax.get_xlabel()) or "x", _plain(ax.get_ylabel()) or "y"
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    parts = [f"{title + ': ' if title else ''}{ylabel} against {xlabel}, {xlabel} from {_number(x0)} to "
             f"{_number(x1)}, {ylabel} from {_number(y0)} to {_number(y1)}"]
    legend = ax.get_legend()
    labels = [_plain(t.get_text()) for t in legend.get_texts()] if legend else []
    if labels:
        parts.append(f"{len(labels)} {'entry' if len(labels) == 1 else 'entries'} in the legend: {', '.join(labels)}")
    marks = []
    if ax.get_images():
        marks.append("an image (heatmap)" + (f" with a colour scale for {colour_scale}" if colour_scale else ""))
    if ax.patches:
        marks.append("bars")
    if any(len(c.get_offsets()) for c in ax.collections if hasattr(c, "get_offsets")):
        marks.append("points")
    curves = [ln for ln in ax.get_lines() if ln.get_transform() == ax.transData]  # not axhline/axvline
    if curves and not labels:
        marks.insert(0, "a curve" if len(curves) == 1 else f"{len(curves)} curves")
    if marks:
        parts.append("shows " + " and ".join(marks))
    return "; ".join(parts)


def alt_text(fig) -> str:
    """The figure's alternative text: the one set with ``set_alt_text``, or one built from its axes.

    Built text names each panel's title, axis labels and ranges and its legend entries, e.g. "Figure with 2
    panels. Panel 1, functions: f(x) against x, x from −4 to 4, f(x) from −2 to 4; 7 entries in the legend: relu,
    softplus, ...". A lesson that wants to say what to read off the figure passes its own (``set_alt_text``).
    """
    explicit = getattr(fig, _ALT_ATTRIBUTE, None)
    if explicit:
        return explicit
    axes = [ax for ax in fig.get_axes() if ax.get_visible()]
    # colour bars are axes too: describe each as the colour scale of its panel, not as a panel
    bars = {id(ax): _plain(ax.get_ylabel() or ax.get_xlabel()) for ax in axes if hasattr(ax, "_colorbar")}
    panels = [ax for ax in axes if id(ax) not in bars]
    scale = next(iter(bars.values()), "") if len(bars) == 1 else ""
    title = _plain(fig.get_suptitle())
    head = f"{title}. " if title else ""
    if not panels:
        return f"{head}Figure."
    if len(panels) == 1:
        return f"{head}Figure showing {_describe_axes(panels[0], scale)}."
    described = " ".join(f"Panel {i}, {_describe_axes(ax, scale)}." for i, ax in enumerate(panels, 1))
    return f"{head}Figure with {len(panels)} panels. {described}"


def _alt_metadata(fig):
    """IPython mimebundle formatter for figures: no data (the PNG formatter still draws), only the alt metadata."""
    try:
        text = alt_text(fig)
    except Exception:  # a description must never stop a figure from showing
        return None
    return {}, {"image/png": {"alt": text}}


def install_alt_text(shell=None) -> bool:
    """Make every matplotlib figure the IPython ``shell`` displays carry its alt text; True when installed.

    Called on ``import acts``; does nothing outside IPython. Registered on the mimebundle formatter, which
    matplotlib_inline leaves alone when it (re)registers its PNG formatter.
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    from matplotlib.figure import Figure

    shell.display_formatter.mimebundle_formatter.for_type(Figure, _alt_metadata)
    return True


install_alt_text()
