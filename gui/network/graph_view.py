"""The chain rule as a graph: one observation's x -> z(1) -> a(1) -> ... -> R, drawn from
``engine.compute_graph``.

Each node shows its forward value and its adjoint dR/d(node); each edge on the selected
parameter's paths shows its local derivative. The edges the chain rule multiplies along are
emphasised; under the graph the chain rule's factors are listed, and hovering one lights its
edges (hovering an edge lights its factor). During the backward phases the adjoints appear right
to left as they are computed. Redrawn only while the tab is shown.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from engine.chain_rule import chain_rule
from engine.compute_graph import ComputeGraph, compute_graph, factor_edges, factor_value
from engine.network import parse_param_name
from engine.notation import Symbol
from gui.common.style import rich, rich_number
from gui.network.image_panel import image_tab
from gui.network.view_state import current_observation

PATH = "#D55E00"     # vermillion: the paths the chain rule sums
LIT = "#0072B2"      # blue: the hovered factor's edges
EDGE = (150, 150, 150)
ADJOINT = "#0072B2"
HOVER_PX = 14


#: Gaps between columns: into a z (the weights' edges and their labels), from z to its a (g').
Z_GAP, A_GAP, ROW_GAP = 1.5, 1.25, 1.6


def _column_x(column: int) -> float:
    """x of a column: x = 0, then z(1), a(1), z(2), ... with room for the edge labels."""
    return sum(Z_GAP if c % 2 else A_GAP for c in range(1, column + 1))


def _position(node, rows_in_column: dict[int, int]) -> tuple[float, float]:
    n = rows_in_column.get(node.column, 1)
    x = _column_x(node.column)
    if node.key[0] == "theta":
        return x - 0.6, -ROW_GAP * ((n - 1) / 2 + 1)
    return x, ROW_GAP * (node.row - (n - 1) / 2)


def rich_symbol_of(name: str) -> str:
    return rich(Symbol.parameter(parse_param_name(name)))


class FactorLabel(QtWidgets.QLabel):
    """One factor of the chain rule under the graph; hovering it lights its edges."""

    hovered = QtCore.Signal(object)

    def __init__(self, edges: frozenset, parent=None) -> None:
        super().__init__(parent)
        self.edges = edges
        self.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.setMargin(3)

    def enterEvent(self, event) -> None:
        self.hovered.emit(self.edges)
        super().enterEvent(event)

    def leaveEvent(self, event) -> None:
        self.hovered.emit(frozenset())
        super().leaveEvent(event)

    def light(self, on: bool) -> None:
        self.setStyleSheet(f"background: {LIT}; color: white;" if on else "")


class ChainGraphView(QtWidgets.QWidget):
    """The graph tab of the network workspace ``ws`` (it reads the session, selection and observation);
    ``edge_hovered(index)``: the chain-rule factor (0-based, -1: none) whose edge the pointer is on."""

    edge_hovered = QtCore.Signal(int)

    def __init__(self, ws, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("chainGraph")
        self.ws = ws
        self.graph: ComputeGraph | None = None
        self.positions: dict[tuple, tuple[float, float]] = {}
        self.plot = pg.GraphicsLayoutWidget(self)
        self.plot.setBackground("w")
        self.plot.setMinimumSize(100, 60)  # the tab shares the network view's place, down to 1024x700
        self.vb = self.plot.addViewBox()
        self.vb.setMouseEnabled(False, False)
        self.vb.invertY(True)
        self.edges = pg.PlotCurveItem(pen=pg.mkPen(EDGE, width=1.5), connect="pairs")
        self.paths = pg.PlotCurveItem(pen=pg.mkPen(PATH, width=3.5), connect="pairs")
        self.lit = pg.PlotCurveItem(pen=pg.mkPen(LIT, width=7), connect="pairs")
        for item in (self.edges, self.paths, self.lit):
            self.vb.addItem(item)
        self.labels: list[pg.TextItem] = []
        self.message = QtWidgets.QLabel(self)
        self.message.setObjectName("chainGraphMessage")
        self.message.setWordWrap(True)
        self.legend = QtWidgets.QLabel(self, objectName="chainGraphLegend")
        self.legend.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.legend.setWordWrap(True)
        strip = QtWidgets.QWidget()
        self.factor_row = QtWidgets.QHBoxLayout(strip)
        self.factor_row.setContentsMargins(0, 0, 0, 0)
        self.factor_row.addStretch(1)
        # the factors scroll sideways rather than widen the window past a 1280-pixel projector
        self.factor_scroll = QtWidgets.QScrollArea(self, objectName="chainGraphFactors")
        self.factor_scroll.setWidget(strip)
        self.factor_scroll.setWidgetResizable(True)
        self.factor_scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        self.factor_scroll.setVerticalScrollBarPolicy(QtCore.Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.factor_scroll.setMinimumWidth(50)
        self.factor_labels: list[FactorLabel] = []
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.message)
        layout.addWidget(self.legend)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.factor_scroll)
        self.plot.scene().sigMouseMoved.connect(self._on_mouse_moved)

    # -- from the session ---------------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw from the workspace's session at the cursor (only while shown)."""
        if not self.isVisible():
            return
        s = self.ws.controller.session
        partial = s.partial()
        row = self.ws.observation.value() - 1
        at = np.flatnonzero(np.asarray(partial.rows) == row)
        if at.size == 0:
            shown = current_observation(s)
            at = np.flatnonzero(np.asarray(partial.rows) == shown) if shown is not None else at
        if at.size == 0:
            self.message.setText(f"Observation {row + 1} is not in this update's batch.")
            self.message.show()
            return
        self.message.hide()
        self.legend.setText(f"Node: value, <span style='color:{ADJOINT}'>∂R/∂node</span> · "
                            f"<span style='color:{PATH}'>paths of ∂R/∂{rich_symbol_of(self.ws.selected)}</span>, "
                            "each edge its local derivative")
        net = s.network_at()
        self.graph = compute_graph(net, partial, int(at[0]), self.ws.selected, s.loss.name)
        self._draw(self.graph)
        self._show_factors(net, partial, int(at[0]))

    def _draw(self, g: ComputeGraph) -> None:
        columns: dict[int, int] = {}
        for n in g.nodes:
            if n.key[0] != "theta":
                columns[n.column] = columns.get(n.column, 0) + 1
        self.positions = {n.key: _position(n, columns) for n in g.nodes}
        self.edges.setData(*self._segments(e for e in g.edges if (e.src, e.dst) not in g.path_edges))
        self.paths.setData(*self._segments(e for e in g.edges if (e.src, e.dst) in g.path_edges))
        self.lit.setData([], [])
        for label in self.labels:
            self.vb.removeItem(label)
        self.labels = []
        for n in g.nodes:
            value = "?" if n.value is None else rich_number(n.value)
            text = f"<b>{rich(n.symbol)}</b><br>{value}"
            if n.key[0] not in ("theta", "x", "R"):
                adj = "…" if n.adjoint is None else rich_number(n.adjoint)
                text += f"<br><span style='color:{ADJOINT}'>{adj}</span>"
            fill = "#F0E442" if n.key[0] == "theta" else ("#FFFFFF" if n.value is None else "#EAF2FA")
            self._label(text, self.positions[n.key], (0.5, 0.5), fill=fill)
        for e in g.edges:
            if (e.src, e.dst) in g.path_edges:
                (x0, y0), (x1, y1) = self.positions[e.src], self.positions[e.dst]
                value = "?" if e.value is None else rich_number(e.value)
                # g' sits between a node's z and a boxes: its number goes above the pair
                lift = 0.42 * ROW_GAP if e.src[0] == "z" else 0.0
                self._label(f"<span style='color:{PATH}'>{value}</span>",
                            ((x0 + x1) / 2, (y0 + y1) / 2 - lift), (0.5, 1.0))
        xs = [p[0] for p in self.positions.values()]
        ys = [p[1] for p in self.positions.values()]
        self.vb.setRange(xRange=(min(xs) - 0.6, max(xs) + 0.6), yRange=(min(ys) - 0.7, max(ys) + 0.7),
                         padding=0)

    def _label(self, html: str, pos: tuple[float, float], anchor: tuple[float, float],
               fill: str | None = None) -> None:
        """A text on the graph; with ``fill`` it is a node: a box with a border."""
        item = pg.TextItem(html=f"<div style='text-align:center'>{html}</div>", anchor=anchor,
                           fill=pg.mkBrush(fill) if fill else None,
                           border=pg.mkPen("k", width=1) if fill else None)
        item.setZValue(2 if fill else 3)
        font = item.textItem.font()
        font.setPointSizeF(max(7.0, self.font().pointSizeF() * 0.85))
        item.textItem.setFont(font)
        item.setPos(*pos)
        self.vb.addItem(item)
        self.labels.append(item)

    def _segments(self, edges) -> tuple[np.ndarray, np.ndarray]:
        pts = [p for e in edges for p in (self.positions[e.src], self.positions[e.dst])]
        if not pts:
            return np.array([]), np.array([])
        arr = np.array(pts)
        return arr[:, 0], arr[:, 1]

    def _show_factors(self, net, partial, batch_index: int) -> None:
        for label in self.factor_labels:
            self.factor_row.removeWidget(label)
            label.deleteLater()
        self.factor_labels = []
        g = self.graph
        cr = chain_rule(net, partial.record, self.ws.selected, batch_index)
        for k, f in enumerate(cr.written):
            edges = factor_edges(f.symbol, g.path_edges)
            value = factor_value(g, edges) if edges else None
            shown = "?" if value is None else rich_number(value)
            label = FactorLabel(edges, self)
            label.setText(("· " if k else f"{rich(cr.lhs)} = ") + f"{rich(f.symbol)} = {shown}")
            label.setToolTip("Hover to light the edges this factor multiplies along")
            label.hovered.connect(self.light)
            self.factor_row.insertWidget(len(self.factor_labels), label)
            self.factor_labels.append(label)

    # -- hover linking -----------------------------------------------------------------------------------
    def light(self, edges: frozenset) -> None:
        """Light ``edges`` (a factor's) and the factor labels that hold them."""
        if self.graph is None:
            return
        self.lit.setData(*self._segments(e for e in self.graph.edges if (e.src, e.dst) in edges))
        for label in self.factor_labels:
            label.light(bool(edges) and bool(label.edges & edges))

    def light_factor(self, index: int) -> None:
        """Light the edges of chain-rule factor ``index`` (hovered in the chain-rule panel); -1: none."""
        if not self.isVisible() or self.graph is None:
            return
        labels = self.factor_labels
        self.light(labels[index].edges if 0 <= index < len(labels) else frozenset())

    def _on_mouse_moved(self, pos) -> None:
        if self.graph is None or not self.factor_labels:
            return
        point = self.vb.mapSceneToView(pos)
        edge = self._edge_near(point.x(), point.y())
        self.light(frozenset({edge}) if edge is not None else frozenset())
        hit = [k for k, label in enumerate(self.factor_labels) if edge is not None and edge in label.edges]
        self.edge_hovered.emit(hit[0] if hit else -1)

    def _edge_near(self, x: float, y: float):
        """The path edge under the pointer (within HOVER_PX), or None."""
        px = self.vb.viewPixelSize()
        best, best_d = None, HOVER_PX
        for key in self.graph.path_edges:
            (x0, y0), (x1, y1) = self.positions[key[0]], self.positions[key[1]]
            a = np.array([(x0 - x) / px[0], (y0 - y) / px[1]])
            b = np.array([(x1 - x) / px[0], (y1 - y) / px[1]])
            d = b - a
            t = float(np.clip(-a @ d / max(d @ d, 1e-12), 0, 1))
            dist = float(np.hypot(*(a + t * d)))
            if dist < best_d:
                best, best_d = key, dist
        return best


def graph_tabs(ws) -> QtWidgets.QTabWidget:
    """The network view and the graph as two tabs of workspace ``ws`` (sets ``ws.graph`` and
    ``ws.view_tabs``); the graph redraws when its tab is shown."""
    ws.graph = ChainGraphView(ws)
    ws.view_tabs = tabs = QtWidgets.QTabWidget(ws, objectName="networkViews", documentMode=True)
    tabs.addTab(ws.view, "Network")
    # in a scroll area: on a small screen the tab may get less height than the graph, legend and
    # factor strip ask for, and the window must still fit (1024x700)
    holder = QtWidgets.QScrollArea(objectName="chainGraphScroll", widgetResizable=True)
    holder.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
    holder.setWidget(ws.graph)
    tabs.addTab(holder, "Chain-rule graph")
    tabs.setTabToolTip(1, "One observation's computational graph: forward values, adjoints ∂R/∂·, "
                          "local derivatives; the selected parameter's paths in orange")
    tabs.currentChanged.connect(lambda index: _widen(tabs, index == 1))
    ws.images = image_tab(ws, tabs)  # a third tab for image inputs
    ws.chain.factor_hovered.connect(ws.graph.light_factor)
    ws.graph.edge_hovered.connect(ws.chain.light_factor)
    return tabs


def _widen(tabs: QtWidgets.QTabWidget, graph: bool) -> None:
    """The graph needs width (a column per z and a of every layer): while it is shown it takes
    three quarters of the row beside the explanations; the network view's share comes back after."""
    split = tabs.parentWidget()
    if isinstance(split, QtWidgets.QSplitter) and split.orientation() == QtCore.Qt.Orientation.Horizontal:
        sizes = split.sizes()
        total = sum(sizes)
        if graph:
            tabs.setProperty("narrowSizes", sizes)
            split.setSizes([int(total * 0.74), total - int(total * 0.74)])
        elif tabs.property("narrowSizes"):
            split.setSizes(list(tabs.property("narrowSizes")))
    tabs.widget(1).widget().refresh()
