"""f(x_i) against the iteration i for each racing optimizer, linear or log scale.

Ranges grow in jumps (doubling) instead of autoranging every frame, which costs ~2 ms per plot.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from gui import style


class LossPlot(pg.PlotWidget):
    """One curve per session; ``show_series(i, iterations, values)`` updates curve ``i``."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("lossPlot")
        p = self.getPlotItem()
        style.style_plot(p)
        style.axis_label(p, "bottom", "iteration i")
        style.axis_label(p, "left", "f(x<sub>i</sub>)")
        p.setMenuEnabled(False)
        p.vb.disableAutoRange()
        self.curves: list[pg.PlotCurveItem] = []
        self.log = False
        self._x_max = 10.0
        self._y = (np.inf, -np.inf)

    def set_series_count(self, n: int) -> None:
        """Exactly ``n`` curves, coloured like the paths; resets the ranges."""
        p = self.getPlotItem()
        while len(self.curves) > n:
            p.removeItem(self.curves.pop())
        while len(self.curves) < n:
            colour = style.series_colour(len(self.curves))
            curve = pg.PlotCurveItem(pen=pg.mkPen(colour, width=2.5))
            p.addItem(curve)
            self.curves.append(curve)
        self._x_max = 10.0
        self._y = (np.inf, -np.inf)
        self.setXRange(0, self._x_max, padding=0.02)

    def set_log(self, on: bool) -> None:
        self.log = on
        self.getPlotItem().setLogMode(y=on)
        self._y = (np.inf, -np.inf)

    def show_series(self, i: int, iterations: np.ndarray, values: np.ndarray) -> None:
        with np.errstate(all="ignore"):
            shown = np.where(values > 0, values, np.nan) if self.log else values
        self.curves[i].setData(iterations, shown, connect="finite")
        self._grow(iterations, shown)

    def _grow(self, iterations: np.ndarray, values: np.ndarray) -> None:
        if len(iterations) and iterations[-1] > self._x_max:
            while self._x_max < iterations[-1]:
                self._x_max *= 2
            self.setXRange(0, self._x_max, padding=0.02)
        finite = values[np.isfinite(values)]
        if not finite.size:
            return
        if self.log:
            finite = np.log10(finite)
        lo, hi = float(finite.min()), float(finite.max())
        if lo < self._y[0] or hi > self._y[1]:
            # Grow with a margin so a slowly falling loss does not rescale (and re-render the
            # axis) on every frame.
            lo, hi = min(lo, self._y[0]), max(hi, self._y[1])
            span = (hi - lo) or 1.0
            self._y = (lo - 0.1 * span, hi + 0.05 * span)
            self.setYRange(*self._y, padding=0)
