"""The network drawn as nodes in columns and weighted edges, recoloured on every step.

Nodes are one ``ScatterPlotItem``, edges one :class:`EdgesItem` (a few grouped pens: width by |w|,
colour by sign or, backward, by gradient magnitude), built per architecture, recoloured per step.
Geometry in ``view_geometry``, graphics in ``view_items``; ``LabelPlacer`` and ``LineFitter``
(``view_labels``) make room for the text, an ``InPlaceEditor`` (``view_editing``) edits on
double-click. A layer of more than eight nodes switches to the ``CompactNetwork`` (``view_compact``).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from gui.common.style import BASE_POINT_SIZE
from gui.network.view_compact import CompactNetwork
from gui.network.view_editing import InPlaceEditor
from gui.network.view_geometry import NODE_PX, Layout, hit_test, network_layout
from gui.network.view_items import Z_EDGES, Z_LABELS, Z_NODES, EdgesItem, PenCache, edge_width_range, \
    edge_widths, finite_max, magnitude_colormap, node_label_html
from gui.network.view_labels import CAPTION_STYLE, LEGEND_STYLE, LabelPlacer, LineFitter
from gui.network.view_matrix import is_compact
from gui.network.view_state import ViewState

BACKGROUND = "w"
# Diverging pair for the sign of a weight (blue/orange survive colour-blindness and greyscale).
POSITIVE = "#2166ac"
NEGATIVE = "#e66101"
FOCUS = "#000000"
FOCUS_HALO = "#50000000"  # translucent black (ARGB): marks the edges in use without hiding their colour
FOCUS_HALO_ALL = "#28000000"
SELECTED = "#cc2fa5"


class NetworkView(pg.GraphicsLayoutWidget):
    """Nodes, edges, per-node values and a gradient colour bar; click selects, double-click edits.

    Signals carry parameter names in lecture notation (``w(1)[1,1]``, ``b(2)[1]``).
    """

    parameter_selected = QtCore.Signal(str)
    parameter_edited = QtCore.Signal(str, float)
    # the graphics view resizes itself before __init__ gets to set attributes
    _lines: LineFitter | None = None

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setBackground(BACKGROUND)
        self.caption = self.addLabel("", row=0, col=0, colspan=2, **CAPTION_STYLE)
        self.viewbox = self.addViewBox(row=1, col=0, lockAspect=False, enableMouse=False)
        self.viewbox.setMenuEnabled(False)
        self._placer = LabelPlacer(self.viewbox, self)
        #: The node labels' highlight of what a step computed (``gui.common.flash``).
        self.label_flash = self._placer.flash
        self._cmap = magnitude_colormap()
        self._levels_hex = [self._cmap_hex(v / 15) for v in range(16)]  # 16 steps: few pen groups
        self.colorbar = pg.ColorBarItem(values=(0.0, 1.0), colorMap=self._cmap, interactive=False,
                                        width=18, colorMapMenu=False)
        self.addItem(self.colorbar, row=1, col=1)
        self.colorbar_title = self.addLabel("", row=2, col=0, colspan=2, **LEGEND_STYLE)
        self._lines = LineFitter(self)
        self.colorbar.axis.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.caption.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.colorbar.setVisible(False)
        self.edges = EdgesItem()
        # Wide antialiased lines cost ~0.2 ms each to stroke: a repaint caused by a label or a
        # node blits them from a pixmap; they are stroked again only when their pens change.
        self.edges.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.nodes = pg.ScatterPlotItem(pxMode=True, size=NODE_PX, hoverable=True, tip=self._node_tip)
        self.viewbox.addItem(self.edges)
        self.viewbox.addItem(self.nodes)
        self.edges.setZValue(Z_EDGES)
        self.nodes.setZValue(Z_NODES)
        self.viewbox.sigResized.connect(self._placer.fit)
        self.sizes: tuple[int, ...] = ()
        self._layout: Layout = network_layout(())
        self._positions = np.zeros((0, 2))
        self._node_px = float(NODE_PX)
        self._node_index: list[tuple[int, int]] = []
        self._edge_index: list[tuple[int, int, int]] = []
        self._labels: list[pg.TextItem] = []
        self._selected: str | None = None
        self._state: ViewState | None = None
        self._editor: InPlaceEditor | None = None
        self._pens = PenCache()
        self._widths = np.zeros(0)
        self._colors: list[str] = []
        self._frozen_edges: list[bool] = []
        self._edges_key: tuple | None = None
        self._nodes_key: tuple | None = None
        self.scene().sigMouseClicked.connect(self._on_click)
        self.compact = CompactNetwork(self)  # the drawing for wide layers, active when built

    # ----------------------------------------------------------------- building
    def set_architecture(self, sizes: tuple[int, ...]) -> None:
        """Rebuild nodes, edge geometry and labels for layer sizes ``(n_0, n_1, ..., n_L)``."""
        sizes = tuple(int(n) for n in sizes)
        if sizes == self.sizes:
            return
        self.sizes = sizes
        self._state = None  # the old state's arrays do not fit the new geometry
        compact = is_compact(sizes)  # then no nodes, edges or labels: the compact view's cells
        layout = network_layout(() if compact else sizes)
        self._positions = layout.positions
        self._node_index = layout.node_index
        self._offsets = layout.offsets
        self._edge_index = layout.edge_index
        self.edges.set_segments(layout.segments)
        self._widths, self._colors, self._frozen_edges = np.zeros(0), [], []  # until the next draw
        self._edges_key = self._nodes_key = None
        self._node_px = layout.node_px
        self._labels = self._placer.rebuild(layout)
        self.nodes.setData(pos=self._positions, size=self._node_px, data=list(range(len(self._positions))))
        self._layout = layout
        self._placer.fit()
        self.compact.set_architecture(sizes, compact)

    def _node_tip(self, x: float, y: float, data) -> str:
        """Hover text of a node: its values as far as the current phase has computed them."""
        if self._state is None or data is None or not 0 <= int(data) < len(self._node_index):
            return ""
        l, j = self._node_index[int(data)]
        return node_label_html(self._state, l, j)  # Qt shows a tooltip that is HTML as rich text

    def node_positions(self) -> np.ndarray:
        """``(n_nodes, 2)`` view coordinates, inputs first, then each layer top to bottom."""
        return self.compact.node_positions() if self.compact.active else self._positions.copy()

    def set_font_size(self, point_size: int) -> None:
        """Node labels, caption and legend follow the window's text size (their design is for the base size)."""
        self._placer.text_scale = self._lines.scale = point_size / BASE_POINT_SIZE
        self._lines.refit()
        self._placer.fit()
        self.compact.set_text_scale(self._placer.text_scale)

    def set_caption(self, text: str) -> None:
        """The line above the network, in a smaller size where the view is too narrow for it."""
        self._lines.fit(self.caption, text, CAPTION_STYLE)

    def resizeEvent(self, event: QtGui.QResizeEvent | None) -> None:  # noqa: N802 - Qt override
        """The caption and the legend follow the view's width (first: the layout's minimum follows them)."""
        if self._lines is not None:
            self._lines.refit()
        super().resizeEvent(event)

    # ----------------------------------------------------------------- drawing
    def show_state(self, state: ViewState) -> None:
        """Recolour nodes and edges and refresh the per-node values from ``state``."""
        sizes = (len(state.weights[0][0]) if state.weights else 0,) + tuple(
            len(b) for b in state.biases)
        self.set_architecture(sizes)
        self._state = state
        if self.compact.active:
            return self.compact.show(state)
        self._draw_edges(state)
        self._draw_nodes(state)
        self._placer.show(state)

    def shown_state(self) -> ViewState | None:
        """The state drawn now (None before the first)."""
        return self._state

    def flashing_labels(self) -> dict[tuple[int, int], frozenset]:
        """(layer, node) -> lines (``x``, ``z``, ``a``, ``δ``) of the labels highlighted now."""
        return self._placer.flashing()

    def edge_widths(self) -> np.ndarray:
        """Pen width (px) of every edge in drawing order, for tests and legends."""
        return self._widths.copy()

    def edge_dotted(self) -> list[bool]:
        """True for every edge drawn dotted (a frozen weight), in drawing order."""
        return list(self._frozen_edges)

    def edge_colors(self) -> list[str]:
        """Colour name of every edge in drawing order."""
        return list(self._colors)

    def _draw_edges(self, st: ViewState) -> None:
        w = np.concatenate([np.asarray(W, float).ravel() for W in st.weights])
        widths = self._widths = edge_widths(w)
        hi = edge_width_range(len(w))[1]
        if st.backward and st.grad_w is not None:
            g = np.abs(np.concatenate([np.asarray(G, float).ravel() for G in st.grad_w]))
            gmax = finite_max(g, st.grad_b)
            levels = np.clip(np.round(g / gmax * 15), 0, 15).astype(int)
            colors = [self._levels_hex[v] for v in levels.tolist()]
            self.colorbar.setLevels((0.0, gmax))
            self.colorbar.setVisible(True)
            self.set_legend("Colour: |∂R/∂w| (edges), |δ| (nodes) so far · width: |w|")
        else:
            colors = [POSITIVE if v >= 0 else NEGATIVE for v in w]
            self.colorbar.setVisible(False)
            self.set_legend("Edges: blue w &gt; 0, orange w &lt; 0 · width: |w|")
        self._colors = colors
        # frozen weights are dotted: they take part in the pass but never move
        frozen = [bool(st.frozen) and name in st.frozen for name in self._layout.edge_names]
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
        sel = self._layout.edge_of(self._selected)
        if sel is not None:
            halos.append((self._pens.get(SELECTED, widths[sel] + 8), np.array([sel])))
        body = [(self._pens.get(c, wd, dotted=fz), np.array(ix, int)) for (c, wd, fz), ix in groups.items()]
        # pens come from the cache, so equal ids mean an identical picture: skip the repaint
        key = tuple((id(pen), tuple(ix.tolist())) for pen, ix in halos + body)
        if key != self._edges_key:
            self._edges_key = key
            self.edges.set_pens(halos + body)

    def set_legend(self, text: str) -> None:
        self._lines.fit(self.colorbar_title, text, LEGEND_STYLE)

    def _cmap_hex(self, t: float) -> str:
        return self._cmap.map(float(t), mode="qcolor").name()

    def _draw_nodes(self, st: ViewState) -> None:
        n = len(self._node_index)
        colors = ["#ffffff"] * n
        pens = [self._pens.get("#303030", 2)] * n
        dmax = 1.0
        if st.backward and st.grad_w is not None:
            dmax = finite_max(np.abs(np.concatenate([np.asarray(W, float).ravel() for W in st.grad_w])),
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
        for i, name in enumerate(self._layout.node_names):
            if name is not None and name in st.frozen:
                pens[i] = self._pens.get("#303030", 3, dotted=True)
        for (l, j) in st.focus_nodes:
            if 0 <= l < len(self._offsets) - 1 and 0 <= j < self.sizes[l]:
                pens[self._offsets[l] + j] = self._pens.get(FOCUS, 5)
        sel = self._layout.node_of(self._selected)
        if sel is not None:
            pens[sel] = self._pens.get(SELECTED, 6)
        key = (tuple(colors), tuple(map(id, pens)))
        if key != self._nodes_key:  # restyling the scatter re-renders its symbols
            self._nodes_key = key
            self.nodes.setBrush([self._pens.brush(c) for c in colors])
            self.nodes.setPen(pens)

    def select(self, name: str | None) -> None:
        """Mark a parameter (by lecture name) as selected and redraw its halo."""
        self._selected = name
        self.compact.select(name)
        if self._state is not None and not self.compact.active:
            self._draw_edges(self._state)
            self._draw_nodes(self._state)

    def selected(self) -> str | None:
        return self._selected

    # ----------------------------------------------------------------- picking and editing
    def parameter_at(self, scene_pos: QtCore.QPointF) -> str | None:
        """The parameter under a scene point: a node's bias first, else the nearest edge (<8 px)."""
        if self.compact.active:
            return self.compact.parameter_at(scene_pos)
        if not len(self._positions):
            return None
        vb = self.viewbox

        def to_scene(points: np.ndarray) -> np.ndarray:
            mapped = (vb.mapViewToScene(QtCore.QPointF(x, y)) for x, y in points)
            return np.array([[q.x(), q.y()] for q in mapped]).reshape(-1, 2)

        segs = self.edges.segments()
        hit = hit_test(to_scene(self._positions), to_scene(segs[:, :2]), to_scene(segs[:, 2:]),
                       np.array([scene_pos.x(), scene_pos.y()]), self._node_px)
        return None if hit is None else self._layout.parameter_of(*hit)

    def scene_point_of(self, name: str) -> QtCore.QPointF:
        """Scene coordinates of a parameter's node (bias) or edge midpoint (weight), for clicks."""
        if self.compact.active:
            return self.compact.scene_point_of(name)
        node = self._layout.node_of(name)
        if node is not None:
            x, y = self._positions[node]
            return self.viewbox.mapViewToScene(QtCore.QPointF(x, y))
        edge = self._layout.edge_of(name)
        if edge is not None:
            x0, y0, x1, y1 = self.edges.segments()[edge]
            # a third of the way from the target keeps clear of crossing edges' midpoints
            return self.viewbox.mapViewToScene(QtCore.QPointF(x1 + (x0 - x1) * 0.3, y1 + (y0 - y1) * 0.3))
        raise KeyError(f"no parameter named {name!r} in this network")

    def current_value(self, name: str) -> float | None:
        """The shown value of ``name`` (lecture notation), or None before anything is shown."""
        if self.compact.active:
            return self.compact.current_value(name)
        if self._state is None:
            return None
        edge, node = self._layout.edge_of(name), self._layout.node_of(name)
        if edge is not None:
            l, j, k = self._edge_index[edge]
            return float(self._state.weights[l - 1][j, k])
        if node is not None:
            l, j = self._node_index[node]
            return float(self._state.biases[l - 1][j])
        return None

    def _on_click(self, ev) -> None:
        name = self.parameter_at(ev.scenePos())
        if name is not None:
            ev.accept()
            self.select(name)
            self.parameter_selected.emit(name)

    def mouseDoubleClickEvent(self, ev: QtGui.QMouseEvent) -> None:  # noqa: N802 - Qt override
        # Here, not in pyqtgraph's scene clicks: they report a double click only after a scene click
        scene_pos = self.mapToScene(ev.position().toPoint())
        name = self.parameter_at(scene_pos)
        if name is None:
            super().mouseDoubleClickEvent(ev)
            return
        ev.accept()
        self.select(name)
        self.parameter_selected.emit(name)
        self.begin_edit(name, scene_pos)

    def begin_edit(self, name: str, scene_pos: QtCore.QPointF | None = None) -> QtWidgets.QLineEdit:
        """Open a small line edit over the parameter; Enter commits, Escape cancels."""
        if self._editor is None:
            self._editor = InPlaceEditor(self)
            self._editor.edited.connect(self.parameter_edited.emit)
        if scene_pos is None:
            scene_pos = self.scene_point_of(name)
        self._editor.edit(name, self.current_value(name), self.mapFromScene(scene_pos))
        return self._editor


__all__ = ["NetworkView", "POSITIVE", "NEGATIVE", "Z_EDGES", "Z_NODES", "Z_LABELS"]
