"""The basins strip under the 1-D plot: each x coloured by the minimum a start there reaches.

The labels come from the engine (``engine.basins``, runs of the engine's own sessions); this view
only maps label -> colour and shows a legend of the minima. The runs take a while (121 starts of
up to 400 iterations), so ``compute`` does them in the background (``gui.common.background``),
with a progress bar and Cancel over the strip; a newer request supersedes an older one.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt

from engine.basins import basin_labels
from engine.numbers import format_number
from gui.common import style
from gui.common.background import BackgroundRunner, ProgressLine

ELSEWHERE_COLOUR = (200, 200, 200, 255)
DIVERGES_COLOUR = (60, 60, 60, 255)
RECOMPUTING = "Basins: recomputing for this function and method…"


def basins_of(objective, spec, tol: float, max_iter: int, xs: np.ndarray, progress=None):
    """``(xs, labels, minima)`` of runs started at each of ``xs`` (``engine.basins.basin_labels``)."""
    labels, minima = basin_labels(objective, spec, np.asarray(xs, float)[:, None], tol, max_iter, progress)
    return xs, labels, minima[:, 0]


def basins_job(job, *args):
    """The background job: :func:`basins_of` with progress."""
    return basins_of(*args, progress=job.progress)


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
        self.runner = BackgroundRunner(self, "basins…")
        self.runner.finished.connect(lambda result: self.show_basins(*result))
        self.runner.failed.connect(lambda exc: self.show_note(f"Basins: not computed ({exc})"))
        # Over the strip's left end, outside any layout.
        self.progress = ProgressLine(self.runner, self)
        self.progress.setObjectName("basinsProgress")
        self.progress.bar.setFixedWidth(80)
        self.progress.move(4, 4)
        self.progress.adjustSize()
        self.progress.cancel_button.clicked.connect(
            lambda: self.show_note("Basins: cancelled (computed again when the function or method changes)"))

    def compute(self, objective, spec, tol: float, max_iter: int, xs: np.ndarray) -> None:
        """Recolour the strip for runs from each of ``xs``, computed in the background."""
        self.show_note(RECOMPUTING)
        self.runner.submit(basins_job, objective, spec, tol, max_iter, np.asarray(xs, float))

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
