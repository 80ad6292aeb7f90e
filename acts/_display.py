"""One matplotlib figure shown as an ipywidgets Image and redrawn in place: the renderer of every explorer.

Reusing the figure and updating its artists (``line.set_ydata``) before one render costs about a third of
rebuilding the figure (design.md section 5), and a PNG in an Image widget behaves the same in JupyterLab,
Voila and a test without a browser. On top of that, ``FigureImage.render`` blits: what rarely changes (axes,
ticks, legends: text is most of the drawing time) is kept as pixels, in levels, and only what moved is drawn.

    view = FigureImage(1, 2, figsize=(9, 4), margins=dict(left=0.1, right=0.96, bottom=0.16, top=0.9))
    view.set_layers([y_axis, ...], [x_axis, ...], moving=[line, point])
    view.render(keys=(panels_key, y_limits, x_limits))    # one key per cached level: background, then each layer

``WithFigureFallback`` gives a widget an output bundle that also carries a PNG of its figure, so that a
notebook opened before it is run, GitHub or slides show a picture instead of ``VBox(children=(...``.
"""

from __future__ import annotations

import base64
import struct
import zlib
from collections import OrderedDict

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure  # a bare Figure renders with Agg by itself: pyplot's backend is left alone

KEPT_PER_LEVEL = 8  # pixel copies kept per cached level, 0.8-1.2 MB each at these figure sizes: a drag that turns
# back finds the values it just passed
PNG_COMPRESSION = 1  # zlib level 1: a third of the default level's encoding time, files about 20% larger


class FigureImage:
    """A Figure not registered with pyplot (so it never shows twice or leaks), drawn off-screen, and the Image
    widget that shows it.

    ``render(keys)`` draws in levels, each cached as pixels: level 0 is a full draw of every artist that is not
    in a layer; level k draws the k-th group of ``set_layers`` on top of level k - 1; the ``moving`` artists are
    drawn on top on every render. A level is drawn again only when its key, or a lower level's key, differs from
    those of the last render and of the ``KEPT_PER_LEVEL - 1`` renders before it that differed there (each level
    keeps that many pixel copies, least recently used dropped first): a slider dragged back and forth redraws
    no axes. A key must therefore stand for everything its level shows (limits, labels, which panels).
    Attributes: ``figure``, ``axes`` (flat), ``image``, ``renders``, ``full_draws``, ``layer_draws``.
    """

    def __init__(self, nrows=1, ncols=1, figsize=(9, 4), dpi=80, margins=None, **subplot_kw):
        # Fixed margins skip the layout solver, which costs more than drawing; without them the constrained
        # layout places the panels once, on the first full draw, and is then frozen.
        self.figure = Figure(figsize=figsize, dpi=dpi, layout=None if margins else "constrained")
        if margins:
            subplot_kw.setdefault("gridspec_kw", {}).update(margins)
        self.axes = self.figure.subplots(nrows, ncols, squeeze=False, **subplot_kw).ravel()
        self.image = widgets.Image(format="png", layout=widgets.Layout(width="auto", max_width="100%"))
        self.agg = FigureCanvasAgg(self.figure)
        self.layers: tuple[tuple, ...] = ()
        self.moving: tuple = ()
        self.renders = 0
        self.full_draws = 0
        self.layer_draws = 0
        self.invalidate()

    def set_layers(self, *layers, moving=()):
        """Artist groups drawn above the background, each cached (``layers``), and those drawn on every render
        (``moving``). They are all marked animated: a full draw leaves them out."""
        self.layers = tuple(tuple(group) for group in layers)
        self.moving = tuple(moving)
        for group in (*self.layers, self.moving):
            for artist in group:
                artist.set_animated(True)
        self.invalidate()

    def invalidate(self):
        """Forget the cached pixels: the next render draws everything."""
        # per level: (its key and every lower level's key) -> the pixels of the figure drawn up to that level
        self._kept = [OrderedDict() for _ in range(len(self.layers) + 1)]

    def render(self, keys=None) -> bytes:
        """Draw what changed and put the PNG into the Image widget; returns the PNG bytes.

        ``keys``: one hashable per level (background first, then each layer); None redraws everything."""
        agg = self.agg
        levels = len(self._kept)
        keys = tuple(keys) if keys is not None else (object(),) * levels
        if len(keys) != levels:
            raise ValueError(f"render() needs {levels} keys (background + {len(self.layers)} layers), "
                             f"got {len(keys)}")
        # the highest level whose pixels are kept for these keys; everything above it is drawn on top of them
        found = next((level for level in range(levels - 1, -1, -1) if keys[:level + 1] in self._kept[level]), None)
        if found is None:
            agg.draw()  # every animated artist (the layers and what moves) is left out of a full draw
            if self.figure.get_layout_engine() is not None:
                self.figure.set_layout_engine("none")  # keep the first layout: solving it again is half a draw
            self.full_draws += 1
            self._keep(0, keys)
            found = 0
        else:
            self._kept[found].move_to_end(keys[:found + 1])
            agg.restore_region(self._kept[found][keys[:found + 1]])
        renderer = agg.get_renderer()
        for level in range(found + 1, levels):
            _draw(self.layers[level - 1], renderer)
            self.layer_draws += 1
            self._keep(level, keys)
        _draw(self.moving, renderer)
        self.image.value = encode_png(agg)
        self.renders += 1
        return self.image.value

    def _keep(self, level, keys):
        kept = self._kept[level]
        kept[keys[:level + 1]] = self.agg.copy_from_bbox(self.figure.bbox)
        while len(kept) > KEPT_PER_LEVEL:
            kept.popitem(last=False)


def _draw(artists, renderer):
    for artist in artists:
        if artist.get_visible() and (artist.axes is None or artist.axes.get_visible()):
            artist.draw(renderer)


def encode_png(agg: FigureCanvasAgg) -> bytes:
    """The canvas's pixels as an 8-bit RGB PNG (the figure is opaque: a fourth channel only costs time).

    Written here rather than by Pillow, which tries all five PNG row filters on every row of an RGB image: with
    no filter and zlib level 1 the encoding takes half the time (3.5 ms against 7.6 ms for explore()'s figure on
    the AVX2 test machine) and the file is no larger, since a plot is mostly runs of one background colour.
    Layout (PNG specification, ISO/IEC 15948): signature, IHDR (width, height, bit depth 8, colour type 2 = RGB,
    compression 0, filter method 0, no interlace), one IDAT with the zlib stream of the rows, each row preceded by
    its filter type byte (0 = none), and IEND."""
    rgba = np.asarray(agg.buffer_rgba())
    height, width = rgba.shape[:2]
    rows = np.empty((height, 1 + 3 * width), dtype=np.uint8)
    rows[:, 0] = 0  # filter type "none" for every row
    rows[:, 1:].reshape(height, width, 3)[...] = rgba[..., :3]
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"".join((PNG_SIGNATURE, _png_chunk(b"IHDR", header),
                     _png_chunk(b"IDAT", zlib.compress(rows, PNG_COMPRESSION)), _png_chunk(b"IEND", b"")))


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    """length, type, data, CRC-32 of type and data: one PNG chunk."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


class WithFigureFallback:
    """Mix into an ipywidgets container whose ``figure_image`` is a FigureImage.

    Its output bundle carries, besides the live widget view, a PNG of the figure as first rendered and a line of
    text: a viewer without the widget (an unexecuted or reopened notebook, GitHub, nbconvert, slides) shows the
    picture instead of a repr such as ``Explorer(children=(HBox(...``."""

    figure_image: FigureImage
    fallback_text = "an interactive figure: run the cell in Jupyter to use its controls"

    def _repr_mimebundle_(self, **kwargs):
        bundle = dict(super()._repr_mimebundle_(**kwargs) or {})
        png = bytes(self.figure_image.image.value or b"")
        bundle["text/plain"] = f"{type(self).__name__}: {self.fallback_text}"
        if not png:
            return bundle
        bundle["image/png"] = base64.b64encode(png).decode("ascii")
        from .plotting import alt_text  # the picture gets the same alternative text as every lesson figure

        return bundle, {"image/png": {"alt": alt_text(self.figure_image.figure)}}
