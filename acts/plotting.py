"""The course's figure style, set in one place (the seed article's look, in colour-blind-safe colours)."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

# Okabe & Ito's colour-blind-safe palette; the first, vermillion, plays the seed's red line
PALETTE = ("#D55E00", "#0072B2", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442")
SEED_X = np.arange(-6, 6, 0.01)  # the seed's grid: -6 to 6 in steps of 0.01


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


def _label(func):
    return getattr(func, "name", None) or getattr(func, "__name__", "f")


def plot(funcs, ylim=None, *, x=None, ax=None, labels=None, xlabel="x", ylabel=None, title=None,
         figsize=(6, 4), lw=3):
    """Plot one function or a list of them on the seed's grid; returns (fig, ax) so a lesson can add to them.

    ``funcs`` are callables of an array (activations, derivatives, lambdas). One curve is drawn in
    the seed's red line of width 3; several get a legend and the palette's next colours.
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
        ax.plot(x, func(x), color=PALETTE[i % len(PALETTE)], lw=lw, label=label)
    if ylabel is None:
        ylabel = f"{labels[0]}(x)" if len(funcs) == 1 else "f(x)"
    style_axes(ax, ylim, xlabel=xlabel, ylabel=ylabel)
    if title:
        ax.set_title(title, fontsize=14)
    if len(funcs) > 1 or labels != [_label(funcs[0])] or many:
        ax.legend(fontsize=12, frameon=False)
    return fig, ax
