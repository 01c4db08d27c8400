"""f'(x) below the f(x) plot (x-linked): the slope that sets each step, with the iterates on it."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from gui.common import style
from gui.common.clip import inside
from gui.descent.curve_plot import sampled_curve


class Derivative1DPlot(pg.PlotWidget):
    """f'(x) over the plot range, a zero line, and f'(x_i) at the iterates."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("derivative1d")
        p = self.getPlotItem()
        style.style_plot(p)
        style.axis_label(p, "bottom", "x")
        style.axis_label(p, "left", "f′(x)")
        p.setMenuEnabled(False)
        self.zero = pg.InfiniteLine(pos=0, angle=0, pen=pg.mkPen("#888888", width=1))
        self.curve = pg.PlotCurveItem(pen=pg.mkPen(style.TANGENT_COLOUR, width=2.5))
        colour = pg.mkColor(style.ITERATE_COLOUR)
        self.points = pg.ScatterPlotItem(size=8, brush=pg.mkBrush(colour), pen=None)
        self.current = pg.ScatterPlotItem(size=14, brush=pg.mkBrush(colour), pen=pg.mkPen("k", width=2))
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen(colour, width=1, style=Qt.PenStyle.DotLine))
        for item in (self.zero, self.curve, self.marker, self.points, self.current):
            p.addItem(item)
        p.vb.disableAutoRange()
        self._record: tuple | None = None
        p.vb.sigRangeChanged.connect(self._redraw_record)

    def show_objective(self, objective) -> None:
        """Sample f' once per objective (the engine's gradient, exact or finite-difference)."""
        xs, ds, y_range = sampled_curve(objective, order=1)
        self.curve.setData(xs, ds, connect="finite")
        if y_range is not None:
            self.setYRange(*y_range, padding=0)

    def show_record(self, xs: np.ndarray, ds: np.ndarray, x: float, d: float) -> None:
        """Iterates ``xs`` with slopes ``ds`` (decimated) and the current point ``(x, d)``; points far
        off the view are not drawn (``gui.common.clip``)."""
        self._record = (xs, ds, x, d)
        view = self.viewRange()
        mx, md = style.thin_markers(xs, ds)
        near = inside(mx, md, view)
        self.points.setData(mx[near], md[near])
        self.current.setData([x], [d])
        self.marker.setPos(x)

    def _redraw_record(self, *_args) -> None:
        """The markers again for a moved view: which of them are near it has changed."""
        if self._record is not None:
            self.show_record(*self._record)
