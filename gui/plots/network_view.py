"""The network drawn as nodes in columns and weighted edges, recoloured on every step.

Nodes are one ``ScatterPlotItem``; edges are one :class:`EdgesItem` that paints all
segments with a handful of grouped pens (width by |w|, colour by sign, or by gradient
magnitude in the backward phase). Items are built when the architecture changes and only
recoloured on a step, so Run mode stays cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from gui.panels.parameter_table import bias_name, weight_name
from gui.style import fmt

BACKGROUND = "w"
# Diverging pair for the sign of a weight (blue/orange survive colour-blindness and greyscale).
POSITIVE = "#2166ac"
NEGATIVE = "#e66101"
FOCUS = "#000000"
FOCUS_HALO = "#50000000"  # translucent black (ARGB): marks the edges in use without hiding their colour
FOCUS_HALO_ALL = "#28000000"
SELECTED = "#cc2fa5"

X_SPACING = 3.2
Y_SPACING = 2.0
NODE_PX = 46
WIDTH_RANGE = (2.0, 10.0)
LABELS_MAX_NODES = 8  # wider layers get no per-node text: it would only overlap
ANTIALIAS_MAX_EDGES = 200


@dataclass(frozen=True)
class ViewState:
    """Everything the view draws for one moment of training (plain arrays, no engine types).

    ``weights[l]``: ``(n_{l+1}, n_l)``; ``biases[l]``: ``(n_{l+1},)``; ``inputs``: ``(n_0,)``
    of the shown observation or ``None``; ``z``, ``a``, ``delta``: one entry per layer
    1..L, ``(n_l,)`` or ``None`` while the current phase has not computed it;
    ``grad_w``/``grad_b``: gradient so far (same shapes as weights/biases) or ``None``;
    ``backward``: colour by gradient magnitude; ``focus_nodes``: (layer, index) pairs the
    current phase computes (layer 0 = inputs); ``focus_edges_layer``: the layer whose
    incoming edges the current phase uses, 0 for every edge (the update), or ``None``.
    """

    weights: tuple
    biases: tuple
    inputs: np.ndarray | None = None
    z: tuple = ()
    a: tuple = ()
    delta: tuple = ()
    grad_w: tuple | None = None
    grad_b: tuple | None = None
    backward: bool = False
    focus_nodes: tuple = ()
    focus_edges_layer: int | None = None
    frozen: frozenset = field(default_factory=frozenset)


class EdgesItem(pg.GraphicsObject):
    """All edges as line segments, painted in groups that share a pen (one drawLines each)."""

    def __init__(self) -> None:
        super().__init__()
        self._segments = np.zeros((0, 4))
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


def _cosmetic_pen(color, width: float, style=QtCore.Qt.PenStyle.SolidLine) -> QtGui.QPen:
    pen = QtGui.QPen(QtGui.QColor(color), width)
    pen.setCosmetic(True)
    pen.setCapStyle(QtCore.Qt.PenCapStyle.RoundCap)
    pen.setStyle(style)
    return pen


class NetworkView(pg.GraphicsLayoutWidget):
    """Nodes, edges, per-node values and a gradient colour bar; click selects, double-click edits.

    Signals carry parameter names in lecture notation (``w(1)[1,1]``, ``b(2)[1]``).
    """

    parameter_selected = QtCore.Signal(str)
    parameter_edited = QtCore.Signal(str, float)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground(BACKGROUND)
        self.caption = self.addLabel("", row=0, col=0, colspan=2, size="13pt", color="#202020")
        self.viewbox = self.addViewBox(row=1, col=0, lockAspect=False, enableMouse=False)
        self.viewbox.setMenuEnabled(False)
        self._cmap = magnitude_colormap()
        self._levels_hex = [self._cmap_hex(v / 15) for v in range(16)]  # 16 steps: few pen groups
        self.colorbar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=self._cmap, interactive=False,
                                        width=18, colorMapMenu=False)
        self.addItem(self.colorbar, row=1, col=1)
        self.colorbar_title = self.addLabel("", row=2, col=0, size="11pt", color="#202020")
        self.colorbar.axis.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.caption.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.colorbar.setVisible(False)
        self.edges = EdgesItem()
        self.nodes = pg.ScatterPlotItem(pxMode=True, size=NODE_PX, hoverable=False)
        self.viewbox.addItem(self.edges)
        self.viewbox.addItem(self.nodes)
        self.sizes: tuple[int, ...] = ()
        self._positions = np.zeros((0, 2))
        self._node_px = float(NODE_PX)
        self._node_index: list[tuple[int, int]] = []
        self._edge_index: list[tuple[int, int, int]] = []
        self._labels: list[pg.TextItem] = []
        self._label_html: dict[int, str] = {}
        self._selected: str | None = None
        self._state: ViewState | None = None
        self._editor: QtWidgets.QLineEdit | None = None
        self._editing: str | None = None
        self._pens = _PenCache()
        self._widths = np.zeros(0)
        self._colors: list[str] = []
        self._frozen_edges: list[bool] = []
        self._node_colors: list[str] = []
        self.scene().sigMouseClicked.connect(self._on_click)

    # ----------------------------------------------------------------- building
    def set_architecture(self, sizes: tuple[int, ...]) -> None:
        """Rebuild nodes, edge geometry and labels for layer sizes ``(n_0, n_1, ..., n_L)``."""
        sizes = tuple(int(n) for n in sizes)
        if sizes == self.sizes:
            return
        self.sizes = sizes
        self._state = None  # the old state's arrays do not fit the new geometry
        pos, index = [], []
        for l, n in enumerate(sizes):
            for j in range(n):
                pos.append((l * X_SPACING, ((n - 1) / 2.0 - j) * Y_SPACING))
                index.append((l, j))
        self._positions = np.array(pos, dtype=float).reshape(-1, 2)
        self._node_index = index
        offsets = np.cumsum((0,) + sizes)
        segs, eidx = [], []
        for l in range(1, len(sizes)):
            for j in range(sizes[l]):
                for k in range(sizes[l - 1]):
                    p1 = self._positions[offsets[l] + j]
                    p0 = self._positions[offsets[l - 1] + k]
                    segs.append((p0[0], p0[1], p1[0], p1[1]))
                    eidx.append((l, j, k))
        self._offsets = offsets
        self._edge_index = eidx
        self.edges.set_segments(np.array(segs).reshape(-1, 4))
        for item in self._labels:
            self.viewbox.removeItem(item)
        self._labels = []
        self._label_html: dict[int, str] = {}
        if max(sizes, default=0) <= LABELS_MAX_NODES:
            for (x, y) in self._positions:
                label = pg.TextItem(anchor=(0.5, -0.22), fill=pg.mkBrush(255, 255, 255, 215))
                label.setPos(x, y)
                self.viewbox.addItem(label)
                self._labels.append(label)
        # wide layers get smaller nodes so that they do not overlap
        self._node_px = NODE_PX if max(sizes) <= LABELS_MAX_NODES else max(8.0, NODE_PX * LABELS_MAX_NODES / max(sizes))
        self.nodes.setData(pos=self._positions, size=self._node_px)
        self._fit_range()

    def _fit_range(self) -> None:
        if not len(self._positions):
            return
        xs, ys = self._positions[:, 0], self._positions[:, 1]
        self.viewbox.setRange(xRange=(xs.min() - 1.7, xs.max() + 1.5),
                              yRange=(ys.min() - 1.6, ys.max() + 0.7), padding=0)

    def node_positions(self) -> np.ndarray:
        """``(n_nodes, 2)`` view coordinates, inputs first, then each layer top to bottom."""
        return self._positions.copy()

    # ----------------------------------------------------------------- drawing
    def show_state(self, state: ViewState) -> None:
        """Recolour nodes and edges and refresh the per-node values from ``state``."""
        sizes = (len(state.weights[0][0]) if state.weights else 0,) + tuple(
            len(b) for b in state.biases)
        self.set_architecture(sizes)
        self._state = state
        self._draw_edges(state)
        self._draw_nodes(state)
        self._draw_labels(state)

    def edge_widths(self) -> np.ndarray:
        """Pen width (px) of every edge in drawing order, for tests and legends."""
        return self._widths.copy()

    def edge_dotted(self) -> list[bool]:
        """True for every edge drawn dotted (a frozen weight), in drawing order."""
        return list(self._frozen_edges)

    def edge_colors(self) -> list[str]:
        """Colour name of every edge in drawing order."""
        return list(self._colors)

    def node_brushes(self) -> list[str]:
        return list(self._node_colors)

    def _draw_edges(self, st: ViewState) -> None:
        w = np.concatenate([np.asarray(W, float).ravel() for W in st.weights])
        scale = np.max(np.abs(w)) if w.size else 1.0
        lo, hi = WIDTH_RANGE
        if len(w) > ANTIALIAS_MAX_EDGES:
            lo, hi = 1.0, 4.0  # dense networks: thin lines, or they merge into one blot
        widths = lo + (hi - lo) * np.abs(w) / (scale if scale > 0 else 1.0)
        widths = np.round(widths * 2) / 2  # half-pixel steps keep the pen groups few
        self._widths = widths
        if st.backward and st.grad_w is not None:
            g = np.abs(np.concatenate([np.asarray(G, float).ravel() for G in st.grad_w]))
            gmax = _finite_max(g, st.grad_b)
            levels = np.clip(np.round(g / gmax * 15), 0, 15).astype(int)
            colors = [self._levels_hex[v] for v in levels.tolist()]
            self.colorbar.setLevels((0.0, gmax))
            self.colorbar.setVisible(True)
            self._set_legend("Colour: |∂R/∂w| (edges), |δ| (nodes) so far · width: |w|")
        else:
            colors = [POSITIVE if v >= 0 else NEGATIVE for v in w]
            self.colorbar.setVisible(False)
            self._set_legend("Edges: blue w &gt; 0, orange w &lt; 0 · width: |w|")
        self._colors = colors
        # frozen weights are dotted: they take part in the pass but never move
        frozen = [bool(st.frozen) and weight_name(*e) in st.frozen for e in self._edge_index]
        self._frozen_edges = frozen
        groups: dict[tuple[str, float, bool], list[int]] = {}
        for i, (c, wd, fz) in enumerate(zip(colors, widths, frozen)):
            groups.setdefault((c, float(wd), fz), []).append(i)
        halos: list[tuple[QtGui.QPen, np.ndarray]] = []
        if st.focus_edges_layer is not None:
            focus = [i for i, (l, _, _) in enumerate(self._edge_index)
                     if l == st.focus_edges_layer or st.focus_edges_layer == 0]
            # the update touches every edge: a fainter, narrower halo keeps the picture readable
            every = st.focus_edges_layer == 0
            halos.append((self._pens.get(FOCUS_HALO_ALL if every else FOCUS_HALO, hi + (4 if every else 8)),
                          np.array(focus, int)))
        sel = self._selected_edge()
        if sel is not None:
            halos.append((self._pens.get(SELECTED, widths[sel] + 8), np.array([sel])))
        body = [(self._pens.get(c, wd, dotted=fz), np.array(ix, int)) for (c, wd, fz), ix in groups.items()]
        self.edges.set_pens(halos + body)

    def _set_legend(self, text: str) -> None:
        if self.colorbar_title.text != text:
            self.colorbar_title.setText(text)
            # the layout keeps the width of the first text unless told to look again
            self.ci.layout.invalidate()

    def _cmap_hex(self, t: float) -> str:
        return self._cmap.map(float(t), mode="qcolor").name()

    def _draw_nodes(self, st: ViewState) -> None:
        n = len(self._node_index)
        colors = ["#ffffff"] * n
        pens = [self._pens.get("#303030", 2)] * n
        dmax = 1.0
        if st.backward and st.grad_w is not None:
            dmax = _finite_max(np.abs(np.concatenate([np.asarray(W, float).ravel() for W in st.grad_w])),
                               st.grad_b)
        for i, (l, j) in enumerate(self._node_index):
            if l == 0:
                colors[i] = "#d9d9d9" if st.inputs is not None else "#ffffff"
                continue
            d = st.delta[l - 1] if len(st.delta) >= l else None
            a = st.a[l - 1] if len(st.a) >= l else None
            if st.backward and d is not None and np.isfinite(d[j]):
                colors[i] = self._cmap_hex(min(abs(float(d[j])) / dmax, 1.0))
            elif a is not None:
                colors[i] = "#c6dbef"
        for i, (l, j) in enumerate(self._node_index):
            if l > 0 and bias_name(l, j) in st.frozen:
                pens[i] = self._pens.get("#303030", 3, dotted=True)
        for (l, j) in st.focus_nodes:
            if 0 <= l < len(self._offsets) - 1 and 0 <= j < self.sizes[l]:
                pens[self._offsets[l] + j] = self._pens.get(FOCUS, 5)
        sel = self._selected_node()
        if sel is not None:
            pens[sel] = self._pens.get(SELECTED, 6)
        self._node_colors = colors
        self.nodes.setBrush([self._pens.brush(c) for c in colors])
        self.nodes.setPen(pens)

    def _draw_labels(self, st: ViewState) -> None:
        if not self._labels:
            return
        # Between iterations nothing is computed yet: empty "z = / a = / δ =" rows would only clutter.
        nothing = all(v is None for v in tuple(st.z) + tuple(st.a) + tuple(st.delta))
        for i, (l, j) in enumerate(self._node_index):
            self._labels[i].setVisible(l == 0 or not nothing)
            if l == 0:
                x = st.inputs
                text = f"x<sub>{j + 1}</sub> = {fmt(x[j])}" if x is not None else f"x<sub>{j + 1}</sub>"
            else:
                lines = []
                for sym, vals in (("z", st.z), ("a", st.a), ("δ", st.delta)):
                    v = vals[l - 1] if len(vals) >= l else None
                    shown = fmt(v[j]) if v is not None else ""
                    lines.append(f"{sym}<sup>({l})</sup><sub>{j + 1}</sub> = {shown}")
                text = "<br>".join(lines)
            html = f'<div style="font-size:12pt; color:#101010">{text}</div>'
            if self._label_html.get(i) != html:  # setHtml re-lays out the text: skip when unchanged
                self._label_html[i] = html
                self._labels[i].setHtml(html)

    # ----------------------------------------------------------------- selection
    def select(self, name: str | None) -> None:
        """Mark a parameter (by lecture name) as selected and redraw its halo."""
        self._selected = name
        if self._state is not None:
            self._draw_edges(self._state)
            self._draw_nodes(self._state)

    def selected(self) -> str | None:
        return self._selected

    def _selected_edge(self) -> int | None:
        for i, (l, j, k) in enumerate(self._edge_index):
            if self._selected == weight_name(l, j, k):
                return i
        return None

    def _selected_node(self) -> int | None:
        for i, (l, j) in enumerate(self._node_index):
            if l > 0 and self._selected == bias_name(l, j):
                return i
        return None

    def parameter_at(self, scene_pos: QtCore.QPointF) -> str | None:
        """The parameter under a scene point: a node's bias first, else the nearest edge (<8 px)."""
        if not len(self._positions):
            return None
        vb = self.viewbox
        pts = np.array([[p.x(), p.y()] for p in
                        (vb.mapViewToScene(QtCore.QPointF(x, y)) for x, y in self._positions)])
        click = np.array([scene_pos.x(), scene_pos.y()])
        d = np.hypot(*(pts - click).T)
        i = int(np.argmin(d))
        if d[i] <= self._node_px / 2 + 2:
            l, j = self._node_index[i]
            return bias_name(l, j) if l > 0 else None
        segs = self.edges.segments()
        if not len(segs):
            return None
        p0 = np.array([[q.x(), q.y()] for q in (vb.mapViewToScene(QtCore.QPointF(x, y)) for x, y in segs[:, :2])])
        p1 = np.array([[q.x(), q.y()] for q in (vb.mapViewToScene(QtCore.QPointF(x, y)) for x, y in segs[:, 2:])])
        v = p1 - p0
        t = np.clip(((click - p0) * v).sum(1) / np.maximum((v * v).sum(1), 1e-12), 0, 1)
        dist = np.hypot(*(p0 + t[:, None] * v - click).T)
        e = int(np.argmin(dist))
        if dist[e] <= 8:
            return weight_name(*self._edge_index[e])
        return None

    def scene_point_of(self, name: str) -> QtCore.QPointF:
        """Scene coordinates of a parameter's node (bias) or edge midpoint (weight), for clicks."""
        for i, (l, j) in enumerate(self._node_index):
            if l > 0 and name == bias_name(l, j):
                x, y = self._positions[i]
                return self.viewbox.mapViewToScene(QtCore.QPointF(x, y))
        for i, (l, j, k) in enumerate(self._edge_index):
            if name == weight_name(l, j, k):
                x0, y0, x1, y1 = self.edges.segments()[i]
                # a third of the way from the target keeps clear of crossing edges' midpoints
                return self.viewbox.mapViewToScene(QtCore.QPointF(x1 + (x0 - x1) * 0.3, y1 + (y0 - y1) * 0.3))
        raise KeyError(f"no parameter named {name!r} in this network")

    def _on_click(self, ev) -> None:
        name = self.parameter_at(ev.scenePos())
        if name is None:
            return
        ev.accept()
        self.select(name)
        self.parameter_selected.emit(name)

    def mouseDoubleClickEvent(self, ev: QtGui.QMouseEvent) -> None:  # noqa: N802 - Qt override
        # Handled on the view rather than through pyqtgraph's scene clicks, which only report a
        # double click when the preceding single click reached the scene as well.
        scene_pos = self.mapToScene(ev.position().toPoint())
        name = self.parameter_at(scene_pos)
        if name is None:
            super().mouseDoubleClickEvent(ev)
            return
        ev.accept()
        self.select(name)
        self.parameter_selected.emit(name)
        self.begin_edit(name, scene_pos)

    # ----------------------------------------------------------------- in-place edit
    def begin_edit(self, name: str, scene_pos: QtCore.QPointF | None = None) -> QtWidgets.QLineEdit:
        """Open a small line edit over the parameter; Enter commits, Escape cancels."""
        if self._editor is None:
            self._editor = _InPlaceEditor(self)
            self._editor.committed.connect(self._commit_edit)
        if scene_pos is None:
            scene_pos = self.scene_point_of(name)
        value = self.current_value(name)
        self._editing = name
        ed = self._editor
        ed.setText("" if value is None else repr(float(value)))
        ed.setToolTip(f"New value of {name}")
        pt = self.mapFromScene(scene_pos)
        ed.resize(max(130, ed.sizeHint().width()), ed.sizeHint().height())
        ed.move(int(pt.x() - ed.width() / 2), int(pt.y() - ed.height() / 2))
        ed.show()
        ed.setFocus()
        ed.selectAll()
        return ed

    def current_value(self, name: str) -> float | None:
        if self._state is None:
            return None
        for (l, j, k) in self._edge_index:
            if name == weight_name(l, j, k):
                return float(self._state.weights[l - 1][j, k])
        for (l, j) in self._node_index:
            if l > 0 and name == bias_name(l, j):
                return float(self._state.biases[l - 1][j])
        return None

    def _commit_edit(self, text: str) -> None:
        name, self._editing = self._editing, None
        try:
            value = float(text.strip().replace("−", "-"))
        except ValueError:
            self._editor.setStyleSheet("background: #ffd6d6")
            self._editor.setToolTip(f"{text!r} is not a number; type e.g. 0.25")
            self._editing = name
            return
        self._editor.setStyleSheet("")
        self._editor.hide()
        if name is not None and np.isfinite(value):
            self.parameter_edited.emit(name, value)


class _InPlaceEditor(QtWidgets.QLineEdit):
    committed = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.setFont(QtGui.QFont(self.font().family(), 13))
        self.returnPressed.connect(lambda: self.committed.emit(self.text()))
        self.hide()

    def keyPressEvent(self, ev: QtGui.QKeyEvent) -> None:  # noqa: N802 - Qt override
        if ev.key() == QtCore.Qt.Key.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(ev)


class _PenCache:
    """Pens and brushes are built once per (colour, width) and reused on every frame."""

    def __init__(self) -> None:
        self._pens: dict = {}
        self._brushes: dict = {}

    def get(self, color: str, width: float, dotted: bool = False) -> QtGui.QPen:
        key = (color, width, dotted)
        if key not in self._pens:
            style = QtCore.Qt.PenStyle.DotLine if dotted else QtCore.Qt.PenStyle.SolidLine
            self._pens[key] = _cosmetic_pen(color, width, style)
        return self._pens[key]

    def brush(self, color: str) -> QtGui.QBrush:
        if color not in self._brushes:
            self._brushes[color] = QtGui.QBrush(QtGui.QColor(color))
        return self._brushes[color]


def _finite_max(g: np.ndarray, extra) -> float:
    vals = [g] + ([np.abs(np.asarray(b, float)).ravel() for b in extra] if extra is not None else [])
    allv = np.concatenate(vals) if vals else np.zeros(1)
    allv = allv[np.isfinite(allv)]
    m = float(allv.max()) if allv.size else 0.0
    return m if m > 0 else 1.0


__all__ = ["NetworkView", "ViewState", "EdgesItem"]
