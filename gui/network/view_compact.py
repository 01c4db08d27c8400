"""The network view for wide layers: every weight matrix one image of cells (a heat map: blue
w > 0, orange w < 0, paler for smaller |w|; in the backward phase |∂R/∂w| so far), every bias and
every layer's z, a and δ one strip of cells, the inputs one strip. Hovering a cell shows its numbers,
clicking it selects its parameter (a matrix cell its weight, any cell of a node its bias).

One ``ImageItem`` per block, updated with ``setImage``, whatever the number of parameters: a
784-16-10 network is some thirty scene items. Geometry in ``view_matrix``; owned and switched on by
:class:`gui.network.view.NetworkView` when a layer has more than eight nodes.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from gui.network.view_hover import HoverBox, cell_text
from gui.network.view_items import Z_LABELS, Z_NODES, cosmetic_pen, finite_max, label_size_px, \
    magnitude_colormap
from gui.network.view_matrix import KIND_SYMBOL, VALUE_KINDS, Block, CompactLayout, cell_image, \
    compact_layout, lookup_table, rect_segments, symmetric_level

POSITIVE, NEGATIVE = "#2166ac", "#e66101"   # the network view's pair for the sign of a weight
SELECTED = "#cc2fa5"
FOCUS = "#000000"
NAME_GAP_PX = 8          # between two layers' names
SELECTED_MIN_PX = 9      # the selection's frame is at least this big around a thin cell
MARGINS_PX = (6, 6, 26, 24)  # left, right, top (titles), bottom (layer names)
TITLE_PT = 10           # the blocks' titles at the base text size


def diverging_lut() -> np.ndarray:
    """Orange (negative) through white (zero) to blue (positive)."""
    return lookup_table([(0.0, NEGATIVE), (0.5, "#ffffff"), (1.0, POSITIVE)])


def magnitude_lut() -> np.ndarray:
    """The view's gradient colour map (light grey for zero to dark purple)."""
    return magnitude_colormap().getLookupTable(0.0, 1.0, 256, alpha=True)


def _title(block: Block) -> str:
    """A matrix is w(l); a strip is its letter (its layer and size are named under it)."""
    sym = KIND_SYMBOL[block.kind]
    return f"{sym}<sup>({block.layer})</sup>" if block.kind == "w" else sym


class CompactNetwork(QtCore.QObject):
    """The compact drawing inside ``view`` (a ``NetworkView``): built per architecture (``build``),
    recoloured per state (``show``); ``hover_text`` is the text of the cell last hovered."""

    def __init__(self, view) -> None:
        super().__init__(view)
        self.view = view
        self.vb: pg.ViewBox = view.viewbox
        self.active = False
        self.layout: CompactLayout | None = None
        self.images: dict[tuple[str, int], pg.ImageItem] = {}
        self._lut_of: dict[tuple[str, int], str] = {}
        self._items: list[QtWidgets.QGraphicsItem] = []
        self._luts = {"div": diverging_lut(), "mag": magnitude_lut()}
        self._state = None
        self._selected: str | None = None
        self._titles: list[tuple[pg.TextItem, str]] = []
        self._names: list[tuple[pg.TextItem, str, str, float, float]] = []  # item, long, short, x, anchor
        self._crowded = False
        self._scale = 1.0
        self.frames = pg.PlotCurveItem(pen=pg.mkPen("#9a9a9a", width=1), connect="pairs")
        self.focus = pg.PlotCurveItem(pen=pg.mkPen(FOCUS, width=3), connect="pairs")
        # frozen parameters: a cross on each cell (they take part in the pass but never move)
        self.frozen = pg.ScatterPlotItem(pxMode=True, size=7, symbol="x", pen=None, brush=pg.mkBrush("#202020"))
        self._frozen_key: frozenset | None = None
        # the nodes the selected parameter joins: a w(l)[j,k] node j of layer l and node k before it
        self.joined = pg.PlotCurveItem(pen=pg.mkPen(SELECTED, width=1.5), connect="pairs")
        self.selection = QtWidgets.QGraphicsRectItem()
        self.selection.setPen(cosmetic_pen(SELECTED, 3))
        self.hover = HoverBox(self)
        self.vb.sigResized.connect(self.fit)

    # ------------------------------------------------------------------ building
    def set_architecture(self, sizes: tuple[int, ...], compact: bool) -> None:
        """Build for ``sizes`` when the view is to be ``compact``, else clear (nodes and edges again)."""
        if compact:
            self.build(sizes)
        else:
            self.clear()

    def build(self, sizes: tuple[int, ...]) -> None:
        """Blocks, titles and frames for ``sizes``; the view's range fitted to them."""
        self.clear()
        self.active = True
        self.layout = layout = compact_layout(sizes)
        for b in layout.blocks:
            img = pg.ImageItem(np.zeros((b.rows, b.cols)), axisOrder="row-major")
            img.setRect(QtCore.QRectF(b.x0, b.y0, b.width, b.height))  # the shape never changes after this
            img.setZValue(Z_NODES)
            self._add(img)
            self.images[(b.kind, b.layer)] = img
            self._text(_title(b), b.centre_x, b.height, (0.5, 1.0), (0, -2))
        for l, n in enumerate(sizes):
            first = layout.block("x" if l == 0 else "b", l)
            last = layout.block("x" if l == 0 else "delta", l)
            name = "inputs" if l == 0 else ("output" if l == len(sizes) - 1 else f"layer {l}")
            # the first and last names keep inside the view: they start or end at their column's edge
            at, ax = ((first.x0, 0.0) if l == 0 else (last.x0 + last.width, 1.0) if l == len(sizes) - 1
                      else ((first.x0 + last.x0 + last.width) / 2, 0.5))
            item = self._text(f"{name} · {n}", at, 0.0, (ax, 0.0), (0, 2))
            self._names.append((item, f"{name} · {n}", str(n), at, ax))
        segs = layout.frame_segments()
        self.frames.setData(segs[:, [0, 2]].ravel(), segs[:, [1, 3]].ravel())
        self.hover.reset()
        self._frozen_key = None
        for item, z in ((self.frames, Z_NODES + 0.1), (self.frozen, Z_NODES + 0.2), (self.focus, Z_LABELS),
                        (self.joined, Z_LABELS + 0.05), (self.selection, Z_LABELS + 0.1),
                        (self.hover.label, Z_LABELS + 0.2)):
            item.setZValue(z)
            self._add(item)
        self.fit()

    def _add(self, item) -> None:
        self.vb.addItem(item)
        self._items.append(item)

    def _text(self, html: str, x: float, y: float, anchor: tuple, offset_px: tuple) -> pg.TextItem:
        item = pg.TextItem(anchor=anchor)
        item.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)  # text is costly to replay
        item.setHtml(self._title_html(html))
        item.setPos(x, y)
        item.textItem.setPos(item.textItem.pos() + QtCore.QPointF(*offset_px))
        self._titles.append((item, html))
        self._add(item)
        return item

    def _title_html(self, html: str) -> str:
        return f'<span style="font-size:{TITLE_PT * self._scale:.1f}pt; color:#202020">{html}</span>'

    def set_text_scale(self, scale: float) -> None:
        """Titles and the hover box follow the window's text size (``scale``: over the base size)."""
        self._scale = float(scale)
        for item, html in self._titles:
            item.setHtml(self._title_html(html))
        self._crowded = False  # every title is written in full again
        self._fit_names()
        self.hover.reset()  # written again at the next move, at the new size

    def _fit_names(self) -> None:
        """The layers' names in full ("layer 1 · 16") where they keep clear of each other, else
        their sizes only (a narrow view)."""
        spans = []
        for _, long, _, at, ax in self._names:
            width = label_size_px(self._title_html(long))[0]
            x = self.vb.mapViewToScene(QtCore.QPointF(at, 0.0)).x() - ax * width
            spans.append((x, x + width))
        crowded = any(a[1] + NAME_GAP_PX > b[0] for a, b in zip(spans, spans[1:]))
        if crowded != self._crowded:  # a new text re-lays out the item: only when it changes
            self._crowded = crowded
            for item, long, short, _, _ in self._names:
                item.setHtml(self._title_html(short if crowded else long))
    def clear(self) -> None:
        """Remove every item (the view goes back to nodes and edges)."""
        for item in self._items:
            self.vb.removeItem(item)
        self._items, self.images, self._lut_of, self._titles, self._names = [], {}, {}, [], []
        self._crowded = False
        self.layout, self._state, self.active = None, None, False

    def fit(self) -> None:
        """Range the view so that every block fits, with room in pixels for the titles."""
        if not self.active or self.layout is None:
            return
        x0, x1, y0, y1 = self.layout.bounds()
        w, h = max(self.vb.width(), 40.0), max(self.vb.height(), 40.0)
        left, right, top, bottom = (m * (self._scale if i > 1 else 1.0) for i, m in enumerate(MARGINS_PX))
        ux, uy = (x1 - x0) / max(w - left - right, 1.0), (y1 - y0) / max(h - top - bottom, 1.0)
        self.vb.setRange(xRange=(x0 - left * ux, x1 + right * ux), yRange=(y0 - bottom * uy, y1 + top * uy),
                         padding=0)
        self._fit_names()
        self._mark_selected()

    # ------------------------------------------------------------------ drawing
    def show(self, st) -> None:
        """Recolour every block from ``st`` (a ``ViewState``); strips not computed yet are blank."""
        self._state = st
        lay = self.layout
        backward = st.backward and st.grad_w is not None
        gmax = finite_max(np.abs(np.concatenate([np.ravel(g) for g in st.grad_w])), st.grad_b) if backward else 1.0
        self._paint(("x", 0), st.inputs, "div")
        for l in range(1, len(lay.sizes)):
            if backward:
                self._paint(("w", l), np.abs(st.grad_w[l - 1]), "mag", gmax)
                self._paint(("b", l), np.abs(st.grad_b[l - 1]), "mag", gmax)
            else:
                self._paint(("w", l), st.weights[l - 1], "div")
                self._paint(("b", l), st.biases[l - 1], "div")
            for kind, values in zip(VALUE_KINDS, (st.z, st.a, st.delta)):
                v = values[l - 1] if len(values) >= l else None
                if kind == "delta":
                    self._paint((kind, l), None if v is None else np.abs(v), "mag",
                                gmax if backward else symmetric_level(v if v is not None else 0.0))
                else:
                    self._paint((kind, l), v, "div")
        self.view.colorbar.setVisible(backward)
        if backward:
            self.view.colorbar.setLevels((0.0, gmax))
            self.view.set_legend("Colour: |∂R/∂w|, |∂R/∂b|, |δ| so far · hover for values")
        else:
            self.view.set_legend("Blue &gt; 0, orange &lt; 0 · hover: values · click: select")
        self._draw_focus(st)
        self._mark_selected()
        if st.frozen != self._frozen_key:
            self._frozen_key = frozenset(st.frozen)
            cells = [lay.cell_of(name) for name in sorted(st.frozen)]
            pts = np.array([b.cell_centre(r, c) for b, r, c in filter(None, cells)]).reshape(-1, 2)
            self.frozen.setData(pos=pts)

    def _paint(self, key: tuple[str, int], values, lut: str, top: float | None = None) -> None:
        """One block's image: signed values on ±max|v| (``div``), magnitudes on 0..``top`` (``mag``)."""
        img = self.images[key]
        if values is None:
            img.setVisible(False)
            return
        if self._lut_of.get(key) != lut:
            self._lut_of[key] = lut
            img.setLookupTable(self._luts[lut])
        m = symmetric_level(values) if top is None else top
        img.setImage(cell_image(values), levels=(-m, m) if lut == "div" else (0.0, m), autoLevels=False)
        img.setVisible(True)

    def _draw_focus(self, st) -> None:
        """A black frame round what the current phase computes: the matrix it uses, the strips it fills."""
        lay = self.layout
        blocks: list[Block] = []
        if st.focus_edges_layer is not None:
            blocks += [b for b in lay.blocks if b.kind == "w" and st.focus_edges_layer in (0, b.layer)]
        for l in sorted({l for l, _ in st.focus_nodes}):
            if 0 < l < len(lay.sizes):
                first, last = lay.block("z", l), lay.block("delta", l)
                blocks.append(Block("z", l, first.x0, 0.0, last.x0 + last.width - first.x0, first.height, 1, 1))
        if not blocks:
            self.focus.setData([], [])
            return
        pad = 0.08
        segs = np.concatenate([rect_segments(b.x0 - pad, b.y0 - pad, b.width + 2 * pad, b.height + 2 * pad)
                               for b in blocks])
        self.focus.setData(segs[:, [0, 2]].ravel(), segs[:, [1, 3]].ravel())

    # ------------------------------------------------------------------ selection and picking
    def select(self, name: str | None) -> None:
        self._selected = name
        self._mark_selected()

    def _mark_selected(self) -> None:
        cell = self.layout.cell_of(self._selected) if self.layout is not None and self._selected else None
        if cell is None:
            self.selection.setVisible(False)
            self.joined.setData([], [])
            return
        block, row, col = cell
        rows = [(block.layer, row)] + ([(block.layer - 1, col)] if block.kind == "w" else [])
        segs = np.concatenate([rect_segments(*self.layout.node_row(l, j)) for l, j in rows])
        self.joined.setData(segs[:, [0, 2]].ravel(), segs[:, [1, 3]].ravel())
        x, y, w, h = block.cell_rect(row, col)
        px, py = self.vb.viewPixelSize()
        gw, gh = max(w, SELECTED_MIN_PX * px), max(h, SELECTED_MIN_PX * py)
        self.selection.setRect(QtCore.QRectF(x + w / 2 - gw / 2, y + h / 2 - gh / 2, gw, gh))
        self.selection.setVisible(True)

    def _view_point(self, scene_pos: QtCore.QPointF) -> tuple[float, float]:
        p = self.vb.mapSceneToView(scene_pos)
        return p.x(), p.y()

    def parameter_at(self, scene_pos: QtCore.QPointF) -> str | None:
        """The parameter a click at ``scene_pos`` selects (see ``CompactLayout.parameter_at``)."""
        return self.layout.parameter_at(*self._view_point(scene_pos)) if self.layout is not None else None

    def scene_point_of(self, name: str) -> QtCore.QPointF:
        """Scene coordinates of the centre of the cell that shows parameter ``name``."""
        cell = self.layout.cell_of(name) if self.layout is not None else None
        if cell is None:
            raise KeyError(f"no parameter named {name!r} in this network")
        block, row, col = cell
        return self.vb.mapViewToScene(QtCore.QPointF(*block.cell_centre(row, col)))

    def scene_point_of_cell(self, kind: str, layer: int, row: int, col: int = 0) -> QtCore.QPointF:
        """Scene coordinates of the centre of any cell (``kind``: x, w, b, z, a or delta)."""
        return self.vb.mapViewToScene(QtCore.QPointF(*self.layout.block(kind, layer).cell_centre(row, col)))

    def current_value(self, name: str) -> float | None:
        """The shown value of parameter ``name``, or None."""
        cell = self.layout.cell_of(name) if self.layout is not None else None
        if cell is None or self._state is None:
            return None
        block, row, col = cell
        if block.kind == "w":
            return float(self._state.weights[block.layer - 1][row, col])
        return float(self._state.biases[block.layer - 1][row])

    def node_positions(self) -> np.ndarray:
        return self.layout.node_centres() if self.layout is not None else np.zeros((0, 2))

    def text_at(self, scene_pos: QtCore.QPointF) -> str:
        """Rich text of the cell under ``scene_pos`` (``view_hover.cell_text``); "" outside every cell."""
        hit = self.layout.hit(*self._view_point(scene_pos)) if self.layout is not None else None
        return "" if hit is None or self._state is None else cell_text(self._state, *hit, self._scale)

    @property
    def hover_text(self) -> str:
        """The text of the hover box now ("" while hidden)."""
        return self.hover.text


__all__ = ["CompactNetwork", "diverging_lut", "magnitude_lut"]
