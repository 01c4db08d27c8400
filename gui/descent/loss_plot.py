"""f(x_i) against the iteration i for each racing optimizer, linear or log scale.

Ranges grow in jumps (doubling) instead of autoranging every frame, which costs ~2 ms per plot.
Until the person picks a scale, the plot switches itself to log once the positive losses span
:data:`AUTO_LOG_DECADES` decades (Rosenbrock, a diverging run): on a linear axis those show as a
flat line and a wall.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from PySide6.QtCore import Signal

from gui.common import style
from gui.common.log_axis import LogAxis

#: Decades of positive loss values beyond which the automatic scale becomes logarithmic.
AUTO_LOG_DECADES = 3.0


class LossPlot(pg.PlotWidget):
    """One curve per session; ``show_series(i, iterations, values)`` updates curve ``i``.

    ``log_changed(on)`` is emitted whenever the scale changes, by the person or automatically.
    """

    log_changed = Signal(bool)

    def __init__(self, parent=None) -> None:
        super().__init__(parent, axisItems={"left": LogAxis("left")})
        self.setObjectName("lossPlot")
        p = self.getPlotItem()
        style.style_plot(p)
        style.axis_label(p, "bottom", "iteration i")
        style.axis_label(p, "left", "f(x<sub>i</sub>)")
        p.setMenuEnabled(False)
        p.vb.disableAutoRange()
        self.curves: list[pg.PlotCurveItem] = []
        self.log = False
        self.auto_log = True
        self._series: dict[int, tuple[np.ndarray, np.ndarray]] = {}
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
        self._series.clear()
        self.setXRange(0, self._x_max, padding=0.02)
        if self.auto_log and self.log:
            self._apply_log(False)

    def set_log(self, on: bool) -> None:
        """The person's choice of scale; it ends the automatic choice."""
        self.auto_log = False
        self._apply_log(on)

    def _apply_log(self, on: bool) -> None:
        changed = on != self.log
        self.log = on
        self.getPlotItem().setLogMode(y=on)
        self._y = (np.inf, -np.inf)
        # PlotCurveItem does not follow the axis' log mode: redraw the kept series in log10.
        for i, (iterations, values) in list(self._series.items()):
            self._draw(i, iterations, values)
        if changed:
            self.log_changed.emit(on)

    def _wants_log(self) -> bool:
        """True when every loss shown is positive and they span AUTO_LOG_DECADES or more."""
        values = [v[np.isfinite(v)] for _, v in self._series.values()]
        values = np.concatenate(values) if values else np.array([])
        if not values.size or values.min() <= 0:
            return False
        return bool(np.log10(values.max() / values.min()) >= AUTO_LOG_DECADES)

    def show_series(self, i: int, iterations: np.ndarray, values: np.ndarray) -> None:
        self._series[i] = (iterations, values)
        if self.auto_log and self._wants_log() != self.log:
            self._apply_log(not self.log)
            return
        self._draw(i, iterations, values)

    def _draw(self, i: int, iterations: np.ndarray, values: np.ndarray) -> None:
        with np.errstate(all="ignore"):
            shown = np.log10(np.where(values > 0, values, np.nan)) if self.log else values
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
        lo, hi = float(finite.min()), float(finite.max())
        if lo < self._y[0] or hi > self._y[1]:
            # Grow with a margin so a slowly falling loss does not rescale (and re-render the
            # axis) on every frame.
            lo, hi = min(lo, self._y[0]), max(hi, self._y[1])
            self._y = style.padded_range(lo, hi, 0.1, 0.05)
            self.setYRange(*self._y, padding=0)
