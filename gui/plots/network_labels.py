"""Room for the network view's text: the view's range keeps every node label inside it with margins
in pixels, and the caption and legend shrink rather than widen the layout past the view.

Mixed into :class:`gui.plots.network_view.NetworkView`, which provides ``viewbox``, ``caption``,
``colorbar_title``, ``sizes``, ``_positions``, ``_node_index``, ``_node_px``, ``_labels`` and
``_layout``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui

from gui.plots.network_items import label_size_px, node_label_html

CAPTION_STYLE = {"size": "13pt", "color": "#202020"}
LEGEND_STYLE = {"size": "11pt", "color": "#202020"}
LABEL_MIN_PT = 8
# Stacking inside the view: edges, then nodes over their ends, then the labels over both.
Z_EDGES, Z_NODES, Z_LABELS = 1.0, 2.0, 3.0
VIEW_MARGIN_PX = 6
MAX_MARGIN_SHARE = 0.5


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
    _reserved = (0.0, 0.0, 0.0)  # input label width, value label width and height (px)

    def _reset_label_room(self) -> None:
        """Room for short labels, before any is shown (it grows to fit wider ones as they appear)."""
        self._reserved = (label_size_px(node_label_html(_SAMPLE, 0, 0))[0],
                          *label_size_px(node_label_html(_SAMPLE, 1, 0)))

    def _fit_view(self) -> None:
        """Range the view so that every node and the labels around it fit, with margins in pixels:
        room left of the inputs for ``x = ...``, below the nodes for z, a, δ, beside the last
        column for half a label. The margins never take more than MAX_MARGIN_SHARE of the view
        (labels then overlap edges rather than nodes being crammed together). Before the first
        layout a range in view units stands in."""
        layout = self._layout
        if layout is None or not len(self._positions):
            return
        w, h = self.viewbox.width(), self.viewbox.height()
        r = self._node_px / 2
        if self._labels:
            input_w, value_w, value_h = self._reserved
            left, right, bottom = r + 4 + input_w, max(r, value_w / 2), r + 4 + value_h
        else:
            left = right = bottom = r
        left, right, bottom, top = (m + VIEW_MARGIN_PX for m in (left, right, bottom, r))
        if w < 80 or h < 80:
            view_range = layout.view_range()
            self.viewbox.setRange(xRange=view_range[0], yRange=view_range[1], padding=0)
            return
        # Short of room, the value labels (right, below) give way first: they may overlap edges,
        # whereas a cut-off x = ... at the left would lose the number
        right = max(min(right, MAX_MARGIN_SHARE * w - left), r + VIEW_MARGIN_PX)
        bottom = max(min(bottom, MAX_MARGIN_SHARE * h - top), r + VIEW_MARGIN_PX)
        kx = min(1.0, MAX_MARGIN_SHARE * w / (left + right))
        ky = min(1.0, MAX_MARGIN_SHARE * h / (top + bottom))
        left, right, top, bottom = left * kx, right * kx, top * ky, bottom * ky
        xs, ys = self._positions[:, 0], self._positions[:, 1]
        sx = max(float(xs.max() - xs.min()), 1.0)
        sy = max(float(ys.max() - ys.min()), 1.0)
        ux, uy = sx / (w - left - right), sy / (h - top - bottom)
        self.viewbox.setRange(xRange=(xs.min() - left * ux, xs.min() + sx + right * ux),
                              yRange=(ys.min() - bottom * uy, ys.min() + sy + top * uy), padding=0)

    def _reserve_label_room(self) -> None:
        """Grow the room kept for labels to the widest and tallest shown so far (never shrink, so
        the picture does not jump from one observation to the next)."""
        input_w, value_w, value_h = self._reserved
        last = len(self.sizes) - 1
        for label, (l, _) in zip(self._labels, self._node_index):
            rect = label.textItem.boundingRect()
            if l == 0:
                input_w = max(input_w, rect.width())
            else:
                value_h = max(value_h, rect.height())
                if l == last:
                    value_w = max(value_w, rect.width())
        grown = (input_w, value_w, value_h)
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
