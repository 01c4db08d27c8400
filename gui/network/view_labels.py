"""The network view's text: the values under each node, in a view ranged so that every label fits
with margins in pixels (:class:`LabelPlacer`), and the caption and legend, which shrink rather
than widen the layout past the view (:class:`LineFitter`). Both are owned by
:class:`gui.network.view.NetworkView`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui

from gui.common.flash import Flash
from gui.network.view_geometry import Layout
from gui.network.view_items import Z_LABELS, NodeLabel, changed_lines, label_size_px, node_label_html, node_values

CAPTION_STYLE = {"size": "13pt", "color": "#202020"}
LEGEND_STYLE = {"size": "11pt", "color": "#202020"}
LABEL_MIN_PT = 8
VIEW_MARGIN_PX = 6
# Label text sizes tried, largest first, until neighbouring columns' labels no longer overlap.
LABEL_SCALES = (1.0, 0.9, 0.8, 0.7)


@dataclass(frozen=True)
class _LabelSample:
    """Values as wide as short labels get, for reserving room before any is shown (the room grows
    to fit wider ones as they appear)."""

    inputs: np.ndarray = field(default_factory=lambda: np.array([-2.0]))
    z: tuple = (np.array([-0.1234]),)
    a: tuple = (np.array([-0.1234]),)
    delta: tuple = (np.array([-0.1234]),)


_SAMPLE = _LabelSample()


class LabelPlacer:
    """The node labels in ``viewbox``: built per architecture, filled with each state's values, and
    the view ranged so that every node and the labels around it fit, with margins in pixels: where
    the inputs' labels go (left of the nodes, or above), and how large all labels are. The lines
    a step filled with new numbers flash (``flash``, a child of ``owner``)."""

    def __init__(self, viewbox: pg.ViewBox, owner: QtCore.QObject | None = None) -> None:
        self.viewbox = viewbox
        self._layout: Layout | None = None
        self._labels: list[NodeLabel] = []
        self._html: dict[int, str] = {}
        self._values: dict[int, dict] | None = None  # None: nothing shown yet, so nothing changed
        self._marks: dict[int, frozenset] = {}
        self._state = None
        self.flash = Flash(self._paint_marks, owner)
        # input label width and height, value label width and height (px)
        self._reserved = (0.0, 0.0, 0.0, 0.0)
        #: The labels' size relative to their design (the window's text size over the base size).
        self.text_scale = 1.0

    def rebuild(self, layout: Layout) -> list[NodeLabel]:
        """Labels for a new architecture (none when its values are in the nodes' tooltips only),
        with room for short labels until wider ones are shown; returns them, inputs first."""
        for item in self._labels:
            self.viewbox.removeItem(item)
        self.flash.stop()
        self._layout = layout
        self._labels = []
        self._html = {}
        self._values = None
        self._reserved = (*label_size_px(node_label_html(_SAMPLE, 0, 0)),
                          *label_size_px(node_label_html(_SAMPLE, 1, 0)))
        if layout.labelled:
            for (x, y), (l, _) in zip(layout.positions, layout.node_index):
                label = NodeLabel("left" if l == 0 else "below", radius_px=layout.node_px / 2)
                label.setPos(x, y)
                self.viewbox.addItem(label)
                label.setZValue(Z_LABELS)
                self._labels.append(label)
        return self._labels

    def show(self, state) -> None:
        """Each node's values in ``state`` (a ``ViewState``) as far as the current phase has computed
        them; the room for labels grows to fit them."""
        if not self._labels:
            return
        # Between iterations nothing is computed yet: empty "z = / a = / δ =" rows would only clutter.
        nothing = all(v is None for v in tuple(state.z) + tuple(state.a) + tuple(state.delta))
        self.flash.cancel()  # every label is written again below
        self._state = state
        values = {i: node_values(state, l, j) for i, (l, j) in enumerate(self._layout.node_index)}
        before, self._values = self._values, values
        self._marks = {}
        if before is not None and not self.flash.quiet():
            self._marks = {i: m for i, v in values.items() if (m := changed_lines(before.get(i, {}), v))
                           and (self._layout.node_index[i][0] == 0 or not nothing)}
        changed = False
        for i, (l, j) in enumerate(self._layout.node_index):
            visible = l == 0 or not nothing
            if self._labels[i].isVisible() != visible:
                self._labels[i].setVisible(visible)
            # a label that flashes is written at once in its first shade (one setHtml, not two)
            marked = self._marks.get(i, frozenset())
            changed = self._set_html(i, node_label_html(state, l, j, marked, 1.0 if marked else 0.0)) or changed
        if changed:
            self.grow_to_labels()
        if self._marks:
            self.flash.start()

    def labels(self) -> list[NodeLabel]:
        return list(self._labels)

    def _set_html(self, i: int, html: str) -> bool:
        if self._html.get(i) == html:  # setHtml re-lays out the text: skip when unchanged
            return False
        self._html[i] = html
        self._labels[i].setHtml(html)
        return True

    def _paint_marks(self, level: float) -> None:
        """The flashing lines at ``level`` (0: as normal)."""
        if self._state is None or self._layout is None:
            return
        for i, marked in self._marks.items():
            if i < len(self._labels):
                l, j = self._layout.node_index[i]
                self._set_html(i, node_label_html(self._state, l, j, marked, level))

    def flashing(self) -> dict[tuple[int, int], frozenset]:
        """(layer, node) -> the highlighted lines of each label flashing now (for tests)."""
        if not self.flash.active or self._layout is None:
            return {}
        return {self._layout.node_index[i]: m for i, m in self._marks.items()}

    def fit(self) -> None:
        """Range the view so that every node and the labels around it fit, with margins in pixels.

        Inputs' labels go left of them where the view is wide enough, else above them; where the
        columns are still too close for the labels under their nodes, the labels' text shrinks
        (down to the last of LABEL_SCALES). Before the first layout a range in view units stands in."""
        layout = self._layout
        if layout is None or not len(layout.positions):
            return
        w, h = self.viewbox.width(), self.viewbox.height()
        if w < 80 or h < 80:
            view_range = layout.view_range()
            self.viewbox.setRange(xRange=view_range[0], yRange=view_range[1], padding=0)
            return
        place, k, (left, right, top, bottom) = self._label_plan(w, h)
        for label, (l, _) in zip(self._labels, layout.node_index):
            label.set_placement(place if l == 0 else "below", k)
        xs, ys = layout.positions[:, 0], layout.positions[:, 1]
        sx = max(float(xs.max() - xs.min()), 1.0)
        sy = max(float(ys.max() - ys.min()), 1.0)
        ux, uy = sx / max(w - left - right, 1.0), sy / max(h - top - bottom, 1.0)
        self.viewbox.setRange(xRange=(xs.min() - left * ux, xs.min() + sx + right * ux),
                              yRange=(ys.min() - bottom * uy, ys.min() + sy + top * uy), padding=0)

    def _label_plan(self, w: float, h: float) -> tuple[str, float, tuple]:
        """Where the inputs' labels go, the labels' scale and the margins (left, right, top, bottom)
        in pixels: the first of left/above at full size, then smaller, with no label overlapping
        one of another column or another node; if there is none, the one with the least overlap.
        (Labels in one tall column may overlap each other whatever the size.)"""
        r = self._layout.node_px / 2
        m = VIEW_MARGIN_PX
        if not self._labels:
            return "left", 1.0, (r + m, r + m, r + m, r + m)
        input_w, input_h, value_w, value_h = self._reserved
        best = None
        for k in (scale * self.text_scale for scale in LABEL_SCALES):
            for place in ("left", "above"):
                if place == "left":
                    left, top = r + 4 + input_w * k, r
                else:
                    left, top = max(r, input_w * k / 2), r + 4 + input_h * k
                margins = (left + m, max(r, value_w * k / 2) + m, top + m, r + 4 + value_h * k + m)
                if w - margins[0] - margins[1] < 40 or h - margins[2] - margins[3] < 40:
                    continue
                overlap = self._label_overlap(w, h, margins, place, k)
                if overlap == 0:
                    return place, k, margins
                if best is None or overlap < best[0]:
                    best = (overlap, place, k, margins)
        if best is None:  # a view too small for any: the labels just follow
            return "left", LABEL_SCALES[-1] * self.text_scale, (r + m, r + m, r + m, r + m)
        return best[1:]

    def _label_overlap(self, w: float, h: float, margins: tuple, place: str, k: float) -> float:
        """Area (px²) where labels of different columns would overlap each other, or any label
        another node, with these margins."""
        left, right, top, bottom = margins
        layout = self._layout
        r = layout.node_px / 2
        input_w, input_h, value_w, value_h = (v * k for v in self._reserved)
        xs, ys = layout.positions[:, 0], layout.positions[:, 1]
        sx = max(float(xs.max() - xs.min()), 1.0)
        sy = max(float(ys.max() - ys.min()), 1.0)
        px = left + (xs - xs.min()) * (w - left - right) / sx
        py = top + (ys.max() - ys) * (h - top - bottom) / sy
        layer = np.array([l for l, _ in layout.node_index])
        inp = layer == 0
        x0 = np.where(inp, px - r - 4 - input_w if place == "left" else px - input_w / 2, px - value_w / 2)
        y0 = np.where(inp, py - input_h / 2 if place == "left" else py - r - 4 - input_h, py + r + 4)
        x1 = x0 + np.where(inp, input_w, value_w)
        y1 = y0 + np.where(inp, input_h, value_h)
        dx = np.minimum(x1[:, None], x1[None, :]) - np.maximum(x0[:, None], x0[None, :])
        dy = np.minimum(y1[:, None], y1[None, :]) - np.maximum(y0[:, None], y0[None, :])
        area = np.clip(dx, 0, None) * np.clip(dy, 0, None)
        between_columns = float(area[layer[:, None] != layer[None, :]].sum() / 2)
        # a label over another node hides its colour, the thing the backward pass is about
        ndx = np.minimum(x1[:, None], px[None, :] + r) - np.maximum(x0[:, None], px[None, :] - r)
        ndy = np.minimum(y1[:, None], py[None, :] + r) - np.maximum(y0[:, None], py[None, :] - r)
        on_nodes = np.clip(ndx, 0, None) * np.clip(ndy, 0, None)
        np.fill_diagonal(on_nodes, 0.0)
        return between_columns + float(on_nodes.sum())

    def grow_to_labels(self) -> None:
        """Grow the room kept for labels to the widest and tallest shown so far (never shrink, so
        the picture does not jump from one observation to the next); sizes at full scale."""
        input_w, input_h, value_w, value_h = self._reserved
        for label, (l, _) in zip(self._labels, self._layout.node_index):
            rect = label.textItem.boundingRect()
            if l == 0:
                input_w, input_h = max(input_w, rect.width()), max(input_h, rect.height())
            else:
                value_w, value_h = max(value_w, rect.width()), max(value_h, rect.height())
        grown = (input_w, input_h, value_w, value_h)
        if any(g > old + 2 for g, old in zip(grown, self._reserved)):
            self._reserved = grown
            self.fit()


class LineFitter:
    """Sets the lines of text above and below the network (a LabelItem each) at their style's size,
    or smaller where ``widget`` is too narrow for them, and refits them when it is resized.

    A LabelItem neither wraps nor elides, and its minimum width would widen the whole layout past
    the view: the colour bar and the ends of both lines were cut off at 1280x800."""

    def __init__(self, widget: pg.GraphicsLayoutWidget) -> None:
        self.widget = widget
        self._fitted: dict[pg.LabelItem, tuple[str, float, dict]] = {}  # label -> (text, point size, style)
        #: The lines' size relative to their style (the window's text size over the base size).
        self.scale = 1.0

    def fit(self, label: pg.LabelItem, text: str, style: dict) -> None:
        """Show ``text`` in ``label`` at ``style``'s size, or smaller if the widget is too narrow."""
        font = QtGui.QFont(self.widget.font())
        base = round(float(style["size"].removesuffix("pt")) * self.scale)
        font.setPointSizeF(base)
        plain = QtGui.QTextDocumentFragment.fromHtml(text).toPlainText()
        wanted = QtGui.QFontMetricsF(font).horizontalAdvance(plain) + 24
        room = max(self.widget.width(), 1)
        pt = base if wanted <= room else max(LABEL_MIN_PT, int(base * room / wanted))
        if self._fitted.get(label, (None, None))[:2] != (text, pt):  # a new text re-lays out the view
            self._fitted[label] = (text, pt, style)
            label.setText(text, size=f"{pt:g}pt", color=style["color"])
            label.setMinimumWidth(0)
            self.widget.ci.layout.invalidate()

    def refit(self) -> None:
        """Fit every line again to the widget's width (after a resize)."""
        for label, (text, _, style) in list(self._fitted.items()):
            self.fit(label, text, style)
