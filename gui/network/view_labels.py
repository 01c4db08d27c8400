"""Room for the network view's text: the view's range keeps every node label inside it with margins
in pixels, and the caption and legend shrink rather than widen the layout past the view.

Mixed into :class:`gui.network.view.NetworkView`, which provides ``viewbox``, ``caption``,
``colorbar_title``, ``sizes``, ``_positions``, ``_node_index``, ``_node_px``, ``_labels`` and
``_layout``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

from gui.network.view_items import label_size_px, node_label_html

CAPTION_STYLE = {"size": "13pt", "color": "#202020"}
LEGEND_STYLE = {"size": "11pt", "color": "#202020"}
LABEL_MIN_PT = 8
# Stacking inside the view: edges, then nodes over their ends, then the labels over both.
Z_EDGES, Z_NODES, Z_LABELS = 1.0, 2.0, 3.0
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


class LabelRoom:
    """Fits the view's range around the nodes and their labels, and its caption and legend to its width."""

    # class defaults: the graphics view resizes itself before __init__ gets to set attributes
    _fitted: dict = {}
    _layout = None
    _reserved = (0.0, 0.0, 0.0, 0.0)  # input label width and height, value label width and height (px)

    def _reset_label_room(self) -> None:
        """Room for short labels, before any is shown (it grows to fit wider ones as they appear)."""
        self._reserved = (*label_size_px(node_label_html(_SAMPLE, 0, 0)),
                          *label_size_px(node_label_html(_SAMPLE, 1, 0)))

    def _fit_view(self) -> None:
        """Range the view so that every node and the labels around it fit, with margins in pixels.

        Inputs' labels go left of them where the view is wide enough, else above them; where the
        columns are still too close for the labels under their nodes, the labels' text shrinks
        (down to MIN_LABEL_SCALE). Before the first layout a range in view units stands in."""
        layout = self._layout
        if layout is None or not len(self._positions):
            return
        w, h = self.viewbox.width(), self.viewbox.height()
        if w < 80 or h < 80:
            view_range = layout.view_range()
            self.viewbox.setRange(xRange=view_range[0], yRange=view_range[1], padding=0)
            return
        place, k, (left, right, top, bottom) = self._label_plan(w, h)
        for label, (l, _) in zip(self._labels, self._node_index):
            label.set_placement(place if l == 0 else "below", k)
        xs, ys = self._positions[:, 0], self._positions[:, 1]
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
        r = self._node_px / 2
        m = VIEW_MARGIN_PX
        if not self._labels:
            return "left", 1.0, (r + m, r + m, r + m, r + m)
        input_w, input_h, value_w, value_h = self._reserved
        best = None
        for k in LABEL_SCALES:
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
            return "left", LABEL_SCALES[-1], (r + m, r + m, r + m, r + m)
        return best[1:]

    def _label_overlap(self, w: float, h: float, margins: tuple, place: str, k: float) -> float:
        """Area (px²) where labels of different columns would overlap each other, or any label
        another node, with these margins."""
        left, right, top, bottom = margins
        r = self._node_px / 2
        input_w, input_h, value_w, value_h = (v * k for v in self._reserved)
        xs, ys = self._positions[:, 0], self._positions[:, 1]
        sx = max(float(xs.max() - xs.min()), 1.0)
        sy = max(float(ys.max() - ys.min()), 1.0)
        px = left + (xs - xs.min()) * (w - left - right) / sx
        py = top + (ys.max() - ys) * (h - top - bottom) / sy
        layer = np.array([l for l, _ in self._node_index])
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

    def _reserve_label_room(self) -> None:
        """Grow the room kept for labels to the widest and tallest shown so far (never shrink, so
        the picture does not jump from one observation to the next); sizes at full scale."""
        input_w, input_h, value_w, value_h = self._reserved
        for label, (l, _) in zip(self._labels, self._node_index):
            rect = label.textItem.boundingRect()
            if l == 0:
                input_w, input_h = max(input_w, rect.width()), max(input_h, rect.height())
            else:
                value_w, value_h = max(value_w, rect.width()), max(value_h, rect.height())
        grown = (input_w, input_h, value_w, value_h)
        if any(g > old + 2 for g, old in zip(grown, self._reserved)):
            self._reserved = grown
            self._fit_view()

    def set_caption(self, text: str) -> None:
        """The line above the network, in a smaller size where the view is too narrow for it."""
        self._fit_label(self.caption, text, CAPTION_STYLE)

    def _fit_label(self, label: pg.LabelItem, text: str, style: dict) -> None:
        """Set ``text`` at the style's size, or smaller if the view is too narrow for it.

        A LabelItem neither wraps nor elides, and its minimum width would widen the whole layout
        past the view: the colour bar and the ends of both lines were cut off at 1280x800."""
        font = QtGui.QFont(self.font())
        base = float(style["size"].removesuffix("pt"))
        font.setPointSizeF(base)
        plain = QtGui.QTextDocumentFragment.fromHtml(text).toPlainText()
        wanted = QtGui.QFontMetricsF(font).horizontalAdvance(plain) + 24
        room = max(self.width(), 1)
        pt = base if wanted <= room else max(LABEL_MIN_PT, int(base * room / wanted))
        if self._fitted.get(label) != (text, pt):  # a new text re-lays out the view
            self._fitted[label] = (text, pt)
            label.setText(text, size=f"{pt:g}pt", color=style["color"])
            label.setMinimumWidth(0)
            self.ci.layout.invalidate()

    def resizeEvent(self, event: QtGui.QResizeEvent | None) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        for label, (text, _) in list(self._fitted.items()):
            self._fit_label(label, text, CAPTION_STYLE if label is self.caption else LEGEND_STYLE)
