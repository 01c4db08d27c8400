"""Loss against iteration, linear or log scale, with the shown iterate marked.

Items are built once; long histories are decimated to a few thousand points and the view
range is set by hand (autorange on every frame costs ~2 ms per plot).
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from gui.network.view_items import cache_axes
from gui.common.log_axis import LogAxis
from gui.common.style import ITERATE_COLOUR, CURVE_COLOUR, OKABE_ITO, style_plot

#: the held-out loss: Okabe-Ito bluish green beside the training loss's colour
TEST_COLOUR = OKABE_ITO[2]
MAX_POINTS = 1500  # a few per horizontal pixel of the plot
# Room around the data as a share of the range: the 12 px marker at iteration 0 or at the highest
# loss stays whole in a plot ~200 px wide and ~60 px high (a 1280x800 projector).
X_MARGIN = 0.04
Y_MARGIN = 0.12


def decimate(x: np.ndarray, y: np.ndarray, max_points: int = MAX_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Every k-th point so at most ``max_points`` remain, always keeping the last one."""
    n = len(x)
    if n <= max_points:
        return x, y
    idx = np.unique(np.r_[np.arange(0, n, int(np.ceil(n / max_points))), n - 1])
    return x[idx], y[idx]


class NetworkLossPlot(pg.PlotWidget):
    """R(θ) per iteration; ``show_losses`` updates the curve and the marker in place."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent, axisItems={"left": LogAxis("left")})
        self.setObjectName("networkLossPlot")
        item = self.getPlotItem()
        item.setTitle("Loss")
        item.setLabel("bottom", "iteration")
        item.setLabel("left", "loss R(θ)")
        style_plot(item)
        item.disableAutoRange()
        item.setMenuEnabled(False)
        item.getAxis("left").enableAutoSIPrefix(False)
        cache_axes(item)
        self.curve = item.plot(pen=pg.mkPen(CURVE_COLOUR, width=2))
        #: the held-out observations' loss, dashed, when the scenario keeps some back
        self.test_curve = item.plot(pen=pg.mkPen(TEST_COLOUR, width=2, style=QtCore.Qt.PenStyle.DashLine))
        self.legend = item.addLegend(offset=(-10, 10))
        self.legend.setVisible(False)
        self.marker = item.plot(pen=None, symbol="o", symbolSize=12,
                                symbolBrush=pg.mkBrush(ITERATE_COLOUR), symbolPen=pg.mkPen("k"))
        self._log = False
        self._range_log = False

    def set_log(self, on: bool) -> None:
        self._log = bool(on)
        self.getPlotItem().setLogMode(y=self._log)
        self.getPlotItem().setLabel("left", "R(θ) (log)" if on else "loss R(θ)")  # fits a short plot

    @property
    def log(self) -> bool:
        return self._log

    def show_losses(self, iterations: np.ndarray, losses: np.ndarray, current: int | None = None) -> None:
        """``iterations``/``losses`` ``(n,)``: one point per completed iterate; ``current`` marks one."""
        y = np.asarray(losses, dtype=float)
        # indices first, so a 10^6-point history costs no full-length copies (decimate's points)
        idx = np.flatnonzero(np.isfinite(y) & ((y > 0) if self._log else True))
        if len(idx) > MAX_POINTS:
            idx = np.unique(np.r_[idx[::int(np.ceil(len(idx) / MAX_POINTS))], idx[-1]])
        x, y = np.asarray(iterations)[idx].astype(float), y[idx]
        self.curve.setData(x, y)
        if current is not None and 0 <= current < len(losses) and np.isfinite(losses[current]) \
                and (losses[current] > 0 or not self._log):
            self.marker.setData([float(iterations[current])], [float(losses[current])])
        else:
            self.marker.setData([], [])
        if len(y):
            self._fit_range(float(x.max()), float(y.min()), float(y.max()))

    def show_test_losses(self, iterations: np.ndarray | None, losses: np.ndarray | None) -> None:
        """The held-out loss after updates ``iterations`` (None: no held-out part, nothing drawn),
        beside the training loss, as TensorFlow Playground shows them."""
        if iterations is None or losses is None:
            self.test_curve.setData([], [])
            if self.legend.isVisible():
                self.legend.clear()
                self.legend.setVisible(False)
            return
        y = np.asarray(losses, dtype=float)
        keep = np.isfinite(y) & ((y > 0) if self._log else True)
        self.test_curve.setData(np.asarray(iterations, float)[keep], y[keep])
        if not self.legend.isVisible():
            self.legend.addItem(self.curve, "training")
            self.legend.addItem(self.test_curve, "held out")
            self.legend.setVisible(True)
        if keep.any():
            (_x0, x1), (y0, y1) = self.getPlotItem().viewRange()
            lo, hi = float(y[keep].min()), float(y[keep].max())
            if self._log:
                lo, hi = np.log10(lo), np.log10(hi)
            if lo < y0 or hi > y1:  # the training loss set the range; make room for both
                span = max(hi, y1) - min(lo, y0)
                self.getPlotItem().setRange(yRange=(min(lo, y0) - 0.05 * span, max(hi, y1) + 0.05 * span),
                                            padding=0)

    def _fit_range(self, x_max: float, lo: float, hi: float) -> None:
        """Grow the x range in steps of 1.5x and change the y range only when the data leave it or
        fill less than a quarter of it: each range change repaints the axes (~2 ms a frame)."""
        if self._log:
            lo, hi = np.log10(lo), np.log10(hi)
        span = hi - lo if hi > lo else max(0.2 * abs(hi), 1e-3)
        (x0, x1), (y0, y1) = self.getPlotItem().viewRange()
        new_x = x1 if (x_max <= x1 <= max(1.5 * x_max, 10.0) and x1 >= 10.0 and np.isclose(x0, x_margin(x1))) \
            else max(1.5 * x_max, 10.0)
        new_y = (y0, y1)
        top_room = Y_MARGIN * span
        if lo < y0 or hi + 0.5 * top_room > y1 or span < 0.25 * (y1 - y0) or self._range_log != self._log:
            # headroom below: a falling loss would otherwise move the axis on every frame
            bottom = lo - 0.3 * span
            if not self._log and lo >= 0:
                bottom = max(bottom, -Y_MARGIN * span)  # a loss is never negative
            new_y = (bottom, hi + top_room)
        if not np.allclose((x_margin(new_x), new_x, *new_y), (x0, x1, y0, y1), rtol=1e-12, atol=0):
            self.getPlotItem().setRange(xRange=(x_margin(new_x), new_x), yRange=new_y, padding=0)
        self._range_log = self._log


def x_margin(x_max: float) -> float:
    """Left end of the x range: a little before iteration 0, so that its marker is drawn whole."""
    return -X_MARGIN * x_max
