"""Graphics pieces of the network view built once and restyled on every step: the edges item,
cached pens and brushes, the gradient colour map, and axis caching shared by the network plots.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from engine.numbers import format_number
from gui.common.flash import warm_hex

ANTIALIAS_MAX_EDGES = 200
WIDTH_RANGE = (2.0, 10.0)
# Stacking inside the view: edges, then nodes over their ends, then the labels over both.
Z_EDGES, Z_NODES, Z_LABELS = 1.0, 2.0, 3.0


class EdgesItem(pg.GraphicsObject):
    """All edges as line segments, painted in groups that share a pen (one drawLines each)."""

    def __init__(self) -> None:
        super().__init__()
        self._segments = np.zeros((0, 4))
        self._lines: list[QtCore.QLineF] = []
        self._groups: list[tuple[QtGui.QPen, list[QtCore.QLineF]]] = []
        self._rect = QtCore.QRectF()

    def set_segments(self, segments: np.ndarray) -> None:
        """``segments``: ``(n_edges, 4)`` rows of x0, y0, x1, y1 in view coordinates."""
        self.prepareGeometryChange()
        self._segments = np.asarray(segments, dtype=float).reshape(-1, 4)
        self._lines = [QtCore.QLineF(*row) for row in self._segments.tolist()]
        if len(self._segments):
            xs = self._segments[:, [0, 2]]
            ys = self._segments[:, [1, 3]]
            self._rect = QtCore.QRectF(xs.min(), ys.min(), xs.max() - xs.min(), ys.max() - ys.min())
        else:
            self._rect = QtCore.QRectF()
        self._groups = []
        self.update()

    def set_pens(self, groups: list[tuple[QtGui.QPen, np.ndarray]]) -> None:
        """``groups``: (pen, edge indices) pairs, painted in the given order (halos first)."""
        self._groups = [(pen, [self._lines[i] for i in idx]) for pen, idx in groups]
        self.update()

    def segments(self) -> np.ndarray:
        return self._segments

    def boundingRect(self) -> QtCore.QRectF:  # noqa: N802 - Qt override
        return self._rect.adjusted(-0.5, -0.5, 0.5, 0.5)

    def paint(self, painter: QtGui.QPainter, *args) -> None:
        # Antialiased thick lines cost ~0.4 ms each in the raster engine: dense networks go without.
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, len(self._segments) <= ANTIALIAS_MAX_EDGES)
        for pen, lines in self._groups:
            if lines:
                painter.setPen(pen)
                painter.drawLines(lines)


LABEL_GAP_PX = 4
LABEL_FILL = (255, 255, 255, 215)


class NodeLabel(pg.TextItem):
    """A node's values, kept a few screen pixels clear of the node: ``"left"`` of it, ``"above"``
    or ``"below"`` (inputs' ``x = ...`` go left, or above when the view is narrow, since their
    edges leave to the right; every other node's z, a and δ go below). ``radius_px``: the
    node's radius on screen; ``scale``: the text's size relative to its font."""

    _ANCHORS = {"left": (1.0, 0.5), "above": (0.5, 1.0), "below": (0.5, 0.0)}

    def __init__(self, place: str, radius_px: float) -> None:
        self._gap = radius_px + LABEL_GAP_PX
        self._k = 1.0
        # set before the base class lays the text out for the first time
        self.place = place
        self._offset = self._offset_for(place)
        super().__init__(anchor=self._ANCHORS[place], fill=pg.mkBrush(*LABEL_FILL))

    def _offset_for(self, place: str) -> QtCore.QPointF:
        # TextItem's own coordinates are screen pixels (it undoes the view's scaling), times the
        # item's scale: dividing by it keeps the gap to the node the same at any text size
        g = self._gap / self._k
        return {"left": QtCore.QPointF(-g, 0.0), "above": QtCore.QPointF(0.0, -g),
                "below": QtCore.QPointF(0.0, g)}[place]

    def set_placement(self, place: str, scale: float) -> None:
        """Move the label to ``place`` and draw its text at ``scale`` (1 = the font's size)."""
        if (place, scale) == (self.place, self._k):
            return
        self.place, self._k = place, float(scale)
        self._offset = self._offset_for(place)
        self.setScale(self._k)
        self.setAnchor(self._ANCHORS[place])

    def updateTextPos(self) -> None:  # noqa: N802 - pyqtgraph override
        super().updateTextPos()
        self.textItem.setPos(self.textItem.pos() + self._offset)


def label_size_px(html: str) -> tuple[float, float]:
    """Width and height in pixels of a label showing ``html`` (for reserving room around the nodes)."""
    item = QtWidgets.QGraphicsTextItem()
    item.setHtml(html)
    r = item.boundingRect()
    return r.width(), r.height()


def magnitude_colormap() -> pg.ColorMap:
    """Light grey through viridis's green and teal to its dark purple: luminance falls steadily,
    so a zero gradient fades into the white background and a large one stands out, in colour,
    in greyscale, on a washed-out projector and for colour-blind viewers."""
    return pg.ColorMap([0.0, 0.3, 0.65, 1.0], ["#dcdcdc", "#7ad151", "#21918c", "#440154"])


def cache_axes(plot_item) -> None:
    """Cache axis drawings as pixmaps: re-playing their text on every frame costs ~3 ms per axis,
    and a moving curve repaints the whole plot."""
    for name in ("left", "bottom", "right", "top"):
        plot_item.getAxis(name).setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
    plot_item.titleLabel.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)


def cosmetic_pen(color, width: float, style=QtCore.Qt.PenStyle.SolidLine) -> QtGui.QPen:
    pen = QtGui.QPen(QtGui.QColor(color), width)
    pen.setCosmetic(True)
    pen.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap)
    pen.setStyle(style)
    return pen


class PenCache:
    """Pens and brushes are built once per (colour, width) and reused on every frame."""

    def __init__(self) -> None:
        self._pens: dict = {}
        self._brushes: dict = {}

    def get(self, color: str, width: float, dotted: bool = False) -> QtGui.QPen:
        key = (color, width, dotted)
        if key not in self._pens:
            style = QtCore.Qt.PenStyle.DotLine if dotted else QtCore.Qt.PenStyle.SolidLine
            self._pens[key] = cosmetic_pen(color, width, style)
        return self._pens[key]

    def brush(self, color: str) -> QtGui.QBrush:
        if color not in self._brushes:
            self._brushes[color] = QtGui.QBrush(QtGui.QColor(color))
        return self._brushes[color]


def finite_max(g: np.ndarray, extra) -> float:
    """Largest finite value of ``g`` and of ``|extra|`` (arrays or None); 1 when there is none, so
    that dividing by it is always safe."""
    vals = [g] + ([np.abs(np.asarray(b, float)).ravel() for b in extra] if extra is not None else [])
    allv = np.concatenate(vals) if vals else np.zeros(1)
    allv = allv[np.isfinite(allv)]
    m = float(allv.max()) if allv.size else 0.0
    return m if m > 0 else 1.0


def edge_widths(w: np.ndarray) -> np.ndarray:
    """Pen width (px) of every edge from its weight ``w`` ``(n_edges,)``: proportional to |w|,
    in half-pixel steps so that the pen groups stay few."""
    scale = np.max(np.abs(w)) if w.size else 1.0
    lo, hi = edge_width_range(len(w))
    widths = lo + (hi - lo) * np.abs(w) / (scale if scale > 0 else 1.0)
    return np.round(widths * 2) / 2


def edge_width_range(n_edges: int) -> tuple[float, float]:
    # dense networks: thin lines, or they merge into one blot
    return WIDTH_RANGE if n_edges <= ANTIALIAS_MAX_EDGES else (1.0, 4.0)


def node_label_html(state, l: int, j: int, marked: frozenset = frozenset(), level: float = 0.0) -> str:
    """Rich text under node ``j`` (0-based) of layer ``l``: x for inputs, else z, a and δ as far
    as the current phase has computed them (``state``: a ``ViewState``). The lines named in
    ``marked`` (``"x"``, ``"z"``, ``"a"``, ``"δ"``) get the highlight's colour at ``level``."""
    def line(sym: str, text: str) -> str:
        if level > 0 and sym in marked:
            return f'<span style="background-color:{warm_hex(level)}">{text}</span>'
        return text

    if l == 0:
        x = state.inputs
        text = line("x", f"x<sub>{j + 1}</sub> = {format_number(x[j])}" if x is not None else f"x<sub>{j + 1}</sub>")
    else:
        lines = []
        for sym, vals in (("z", state.z), ("a", state.a), ("δ", state.delta)):
            v = vals[l - 1] if len(vals) >= l else None
            shown = format_number(v[j]) if v is not None else ""
            lines.append(line(sym, f"{sym}<sup>({l})</sup><sub>{j + 1}</sub> = {shown}"))
        text = "<br>".join(lines)
    return f'<div style="font-size:12pt; color:#101010">{text}</div>'


def node_values(state, l: int, j: int) -> dict[str, float | None]:
    """The numbers node ``j`` of layer ``l`` shows in ``state`` by line (``x`` for an input, else
    ``z``, ``a``, ``δ``; None where not computed yet), to tell which lines a step changed."""
    if l == 0:
        return {"x": None if state.inputs is None else float(state.inputs[j])}
    out = {}
    for sym, vals in (("z", state.z), ("a", state.a), ("δ", state.delta)):
        v = vals[l - 1] if len(vals) >= l else None
        out[sym] = None if v is None else float(v[j])
    return out


def changed_lines(before: dict, after: dict) -> frozenset:
    """The lines of a node label that now show a number they did not show before (a line that
    went blank is not highlighted: nothing there to look at)."""
    return frozenset(sym for sym, v in after.items()
                     if v is not None and (before.get(sym) is None or not _same(before[sym], v)))


def _same(x: float, y: float) -> bool:
    return x == y or (x != x and y != y)  # NaN shows as NaN both times
