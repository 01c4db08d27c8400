"""A note at the edge of a plot saying where the current iterate went when it left the view.

A diverging run jumps far outside the drawn range within a few steps; without a note the class sees
the point simply vanish. The note sits just inside the edge nearest the point, with an arrow
pointing out towards it, e.g. "iterate 4 is off the plot →" over "x = 6.3, f = 7.1".
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui.common import style

#: Arrow for (horizontal, vertical) side: -1 left/below, 0 inside, +1 right/above.
ARROWS = {(1, 0): "→", (-1, 0): "←", (0, 1): "↑", (0, -1): "↓",
          (1, 1): "↗", (-1, 1): "↖", (1, -1): "↘", (-1, -1): "↙"}
#: Pixels between the note and the edge of the view, and between stacked notes.
MARGIN_PX = 8
GAP_PX = 4


def off_side(value: float, lo: float, hi: float) -> int:
    """-1 below ``lo``, +1 above ``hi``, 0 inside (NaN counts as inside: it has no side)."""
    if value < lo:
        return -1
    if value > hi:
        return 1
    return 0


class OffPlotNote:
    """One text item in ``plot_item``; :meth:`show_point` shows or hides it for a point."""

    def __init__(self, plot_item: pg.PlotItem, colour=style.ITERATE_COLOUR) -> None:
        self.plot_item = plot_item
        self.text = pg.TextItem("", color=colour, fill=pg.mkBrush(255, 255, 255, 230),
                                border=pg.mkPen(colour, width=1.5))
        self.text.setFont(style.ui_font(style.BASE_POINT_SIZE - 1, bold=True))
        self.text.setZValue(100)
        self.text.setVisible(False)
        plot_item.addItem(self.text, ignoreBounds=True)

    def show_point(self, x: float, y: float, name: str, detail: str, row: int = 0,
                   top_px: float = 0.0) -> bool:
        """Show the note if ``(x, y)`` lies outside the view: "``name`` is off the plot ↗" over
        ``detail`` (where it is). ``row`` stacks the notes of several paths; ``top_px`` pixels are
        left free at the top (for a legend). True when shown."""
        vb = self.plot_item.vb
        (x0, x1), (y0, y1) = vb.viewRange()
        finite = bool(np.isfinite(x) and np.isfinite(y))
        sx, sy = (off_side(x, x0, x1), off_side(y, y0, y1)) if finite else (0, 0)
        if finite and (sx, sy) == (0, 0):
            self.text.setVisible(False)
            return False
        headline = f"{name} is off the plot {ARROWS[(sx, sy)]}" if finite \
            else f"{name} is not a finite number"
        self.text.setText(f"{headline}\n{detail}")
        w, h = x1 - x0, y1 - y0
        # Data units per pixel: the note keeps pixel distances whatever the zoom.
        ux, uy = w / max(vb.width(), 1.0), h / max(vb.height(), 1.0)
        px = float(np.clip(x, x0 + MARGIN_PX * ux, x1 - MARGIN_PX * ux)) if finite else 0.5 * (x0 + x1)
        py = float(np.clip(y, y0 + MARGIN_PX * uy, y1 - MARGIN_PX * uy)) if finite else y1
        stacked = row * (self.text.boundingRect().height() + GAP_PX)
        if py > y0 + 0.5 * h:
            py = min(py, y1 - (MARGIN_PX + top_px) * uy) - stacked * uy
        else:
            py += stacked * uy
        # The anchor follows the position along the edge, so the text stays inside the view.
        self.text.setAnchor((float(np.clip((px - x0) / w, 0, 1)),
                             float(np.clip(1.0 - (py - y0) / h, 0, 1))))
        self.text.setPos(px, py)
        self.text.setVisible(True)
        return True

    def hide(self) -> None:
        self.text.setVisible(False)
