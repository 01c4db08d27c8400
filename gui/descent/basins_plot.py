"""The basins strip under the 1-D plot: each x coloured by the minimum a start there reaches.

The labels come from the engine (``engine.basins``, runs of the engine's own sessions); this view
only maps label -> colour and shows a legend of the minima.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt

from engine.numbers import format_number
from gui.common import style

ELSEWHERE_COLOUR = (200, 200, 200, 255)
DIVERGES_COLOUR = (60, 60, 60, 255)


class BasinsStrip(pg.PlotWidget):
    """A one-row image over x; light grey where a run stops elsewhere, dark grey where it diverges."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("basins")
        p = self.getPlotItem()
        style.style_plot(p)
        p.showGrid(x=False, y=False)
        p.hideAxis("left")
        p.hideAxis("bottom")
        p.setMenuEnabled(False)
        p.setMouseEnabled(x=False, y=False)
        # Nothing to do with the keyboard here: Tab goes from the curve straight to f'.
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.image = pg.ImageItem(axisOrder="row-major")
        p.addItem(self.image)
        p.vb.disableAutoRange()
        p.setYRange(0, 1, padding=0)
        self.setFixedHeight(70)
        self.setToolTip("Basins: each x is coloured by where a descent started there ends, "
                        "with the current method and settings")
        self.labels = np.array([], dtype=np.int64)
        self.caption = ""

    def show_basins(self, xs: np.ndarray, labels: np.ndarray, minima: np.ndarray) -> None:
        """``labels[i]``: index of the minimum reached from ``xs[i]``; -1 elsewhere, -2 diverges."""
        self.labels = np.asarray(labels)
        n = len(minima)
        palette = np.array([pg.mkColor(style.series_colour(i + 2)).getRgb() for i in range(n)]
                           + [ELSEWHERE_COLOUR, DIVERGES_COLOUR], dtype=np.ubyte)
        index = np.where(self.labels >= 0, self.labels, np.where(self.labels == -2, n + 1, n))
        self.image.setImage(palette[index][None, :, :], levels=None)
        dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
        self.image.setRect(QRectF(xs[0] - dx / 2, 0, xs[-1] - xs[0] + dx, 1))
        seen = set(self.labels.tolist())
        parts = [f"<span style='color:{pg.mkColor(style.series_colour(i + 2)).name()}'>■</span> "
                 f"x = {format_number(m)}" for i, m in enumerate(np.ravel(minima)) if i in seen]
        if -1 in seen:
            parts.append("<span style='color:#c8c8c8'>■</span> elsewhere")
        if -2 in seen:
            parts.append("<span style='color:#3c3c3c'>■</span> diverges")
        # Short enough for the plot's width on a 1280-pixel projector; the tooltip explains.
        self.caption = "<b>Basins:</b> " + "  ".join(parts)
        self.getPlotItem().setTitle(self.caption, size=f"{style.BASE_POINT_SIZE - 1}pt")

    def show_note(self, message: str) -> None:
        """Replace the caption only (the colours stay until new ones arrive)."""
        self.getPlotItem().setTitle(message, size=f"{style.BASE_POINT_SIZE - 1}pt")
