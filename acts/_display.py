"""One matplotlib figure shown as an ipywidgets Image and redrawn in place: the base of every explorer.

Reusing the figure and updating its artists (``line.set_ydata``) before one render costs about a third of
rebuilding the figure (design.md section 5), and a PNG in an Image widget behaves the same in JupyterLab,
Voila and a test without a browser.
"""

from __future__ import annotations

import io

import ipywidgets as widgets
from matplotlib.figure import Figure  # a bare Figure renders with Agg by itself: pyplot's backend is left alone


class FigureImage:
    """A Figure not registered with pyplot (so it never shows twice or leaks) plus the Image that shows it."""

    def __init__(self, nrows=1, ncols=1, figsize=(9, 4), dpi=80, **subplot_kw):
        self.figure = Figure(figsize=figsize, dpi=dpi, layout="constrained")
        self.axes = self.figure.subplots(nrows, ncols, squeeze=False, **subplot_kw).ravel()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="auto", max_width="100%"))
        self.renders = 0

    def render(self) -> bytes:
        """Draw the figure once into the Image widget; returns the PNG bytes."""
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=self.figure.dpi)
        self.image.value = buffer.getvalue()
        self.renders += 1
        return self.image.value
