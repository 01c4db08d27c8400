"""The basins strip under the 1-D plot: each x coloured by the minimum a start there reaches.

The labels come from the controller (``basin_labels``, runs of the engine's own sessions); this
view only maps label -> colour and shows a legend of the minima.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from gui import style

NO_BASIN = (200, 200, 200, 255)


class BasinsStrip(pg.PlotWidget):
    """A one-row image over x; grey where the run diverges or stops elsewhere."""

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
        self.image = pg.ImageItem(axisOrder="row-major")
        p.addItem(self.image)
        p.vb.disableAutoRange()
        p.setYRange(0, 1, padding=0)
        self.setFixedHeight(70)
        self.labels = np.array([], dtype=np.int64)
        self.caption = ""

    def show_basins(self, xs: np.ndarray, labels: np.ndarray, minima: np.ndarray) -> None:
        """``labels[i]``: index of the minimum reached from ``xs[i]`` (``-1``: none)."""
        self.labels = np.asarray(labels)
        palette = np.array([pg.mkColor(style.series_colour(i + 2)).getRgb() for i in range(len(minima))]
                           + [NO_BASIN], dtype=np.ubyte)
        rgba = palette[np.where(self.labels >= 0, self.labels, len(minima))]
        self.image.setImage(rgba[None, :, :], levels=None)
        dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
        self.image.setRect(QRectF(xs[0] - dx / 2, 0, xs[-1] - xs[0] + dx, 1))
        seen = set(self.labels[self.labels >= 0].tolist())
        parts = [f"<span style='color:{pg.mkColor(style.series_colour(i + 2)).name()}'>■</span> "
                 f"x = {style.fmt(m)}" for i, m in enumerate(np.ravel(minima)) if i in seen]
        self.caption = ("<b>Basins</b> — a start here reaches: " + "  ".join(parts)
                        + "  <span style='color:#999'>■</span> neither")
        self.getPlotItem().setTitle(self.caption, size=f"{style.BASE_POINT_SIZE - 1}pt")

    def show_note(self, message: str) -> None:
        """Replace the caption only (the colours stay until new ones arrive)."""
        self.getPlotItem().setTitle(message, size=f"{style.BASE_POINT_SIZE - 1}pt")

    def clear_basins(self, message: str) -> None:
        self.image.clear()
        self.caption = message
        self.getPlotItem().setTitle(message, size=f"{style.BASE_POINT_SIZE - 1}pt")
