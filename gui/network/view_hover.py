"""The compact network view's hover box: the numbers of the cell under the pointer in a box inside
the view beside it (a weight's value and gradient so far; a node's bias, z, a and δ), following
every pointer move. Owned by :class:`gui.network.view_compact.CompactNetwork`.
"""

from __future__ import annotations

import pyqtgraph as pg
from PySide6 import QtCore

from engine.numbers import format_number
from gui.network.view_items import node_label_html
from gui.network.view_matrix import Block

HOVER_GAP_PX = 14        # between the pointer and the box
HOVER_PT = 11


def cell_text(st, block: Block, row: int, col: int, scale: float = 1.0) -> str:
    """Rich text of one cell in state ``st`` (a ``ViewState``): a weight's value, the nodes it joins
    and its gradient so far; or a node's bias (and its gradient), z, a and δ; an input's x."""
    l = block.layer
    if block.kind == "w":
        name = f"w({l})[{row + 1},{col + 1}]"
        lines = [f"{name} = {format_number(st.weights[l - 1][row, col])}", f"into node {row + 1} of layer {l}",
                 f"from {'input' if l == 1 else 'node'} {col + 1}{'' if l == 1 else f' of layer {l - 1}'}"]
        if st.backward and st.grad_w is not None:
            lines.append(f"∂R/∂w so far = {format_number(st.grad_w[l - 1][row, col])}")
        return f'<div style="font-size:{HOVER_PT * scale:.1f}pt">{"<br>".join(lines)}</div>'
    html = node_label_html(st, l, row)
    if l == 0:
        return html
    bias = f"b({l})[{row + 1}] = {format_number(st.biases[l - 1][row])}"
    if st.backward and st.grad_b is not None:
        bias += f"<br>∂R/∂b so far = {format_number(st.grad_b[l - 1][row])}"
    return html.replace('">', f'">node {row + 1} of layer {l}<br>{bias}<br>', 1)


class HoverBox(QtCore.QObject):
    """The box (``label``, a scene item rather than a tooltip window, which would take the pointer's
    next moves) over ``compact``'s view; ``text`` is what it shows, "" when hidden. It follows every
    move of the viewport, not pyqtgraph's sigMouseMoved, which drops moves within 10 ms of the last:
    a pointer come to rest could then be named by the cell next to the one it is on."""

    def __init__(self, compact) -> None:
        super().__init__(compact)
        self.compact = compact
        self.text = ""
        self.label = pg.TextItem(color="#101010", fill=pg.mkBrush(255, 255, 255, 240), border=pg.mkPen("#606060"))
        self.label.setVisible(False)
        compact.view.viewport().installEventFilter(self)

    def reset(self) -> None:
        """Hidden, and written afresh at the next move (a new architecture or text size)."""
        self.text = ""
        self.label.setVisible(False)

    def eventFilter(self, obj: QtCore.QObject, ev: QtCore.QEvent) -> bool:  # noqa: N802 - Qt override
        if ev.type() == QtCore.QEvent.Type.MouseMove and self.compact.active:
            self.move_to(self.compact.view.mapToScene(ev.position().toPoint()))
        elif ev.type() == QtCore.QEvent.Type.Leave and self.compact.active:
            self.reset()
        return False

    def move_to(self, scene_pos: QtCore.QPointF) -> None:
        """The numbers of the cell under ``scene_pos`` right of and below it where the box fits in the
        view, else left of or above it, kept inside the view; hidden outside every cell."""
        text = self.compact.text_at(scene_pos)
        label = self.label
        if text != self.text:
            self.text = text
            label.setHtml(text)
        label.setVisible(bool(text))
        if not text:
            return
        vb = self.compact.vb
        size, box = label.textItem.boundingRect(), vb.sceneBoundingRect()
        w, h, gap = size.width(), size.height(), HOVER_GAP_PX
        x = scene_pos.x() + gap if box.right() - scene_pos.x() >= gap + w else scene_pos.x() - gap - w
        y = scene_pos.y() + gap if box.bottom() - scene_pos.y() >= gap + h else scene_pos.y() - gap - h
        x = max(box.left(), min(x, box.right() - w))
        y = max(box.top(), min(y, box.bottom() - h))
        label.setAnchor((0.0, 0.0))
        label.setPos(vb.mapSceneToView(QtCore.QPointF(x, y)))
