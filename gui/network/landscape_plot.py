"""Loss-landscape slice: R over two chosen parameters with all others fixed, with the training path.

The grid comes from the engine's ``landscape``; isolines are traced once per grid with
contourpy (pyqtgraph's IsocurveItem is ~100x slower) and drawn as one NaN-separated curve.
Only the path and the current point change on a step. The grid is computed in the background
(``request_grid``; a coarse grid is shown first when the fine one will take a while), only while
the plot is visible, with a progress bar and Cancel beside the choosers.
"""

from __future__ import annotations

import time

import contourpy
import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtGui, QtWidgets

from engine.landscape import landscape
from gui.common.background import BackgroundRunner, ProgressLine
from gui.network.view_items import cache_axes
from gui.common.style import ITERATE_COLOUR, MAGNITUDE_MAP, style_plot

N_LEVELS = 14
TITLE = "Loss landscape: R over the two chosen parameters, all other parameters fixed"
#: Every COARSE-th grid line makes the first grid; it is shown when it took longer than COARSE_S.
COARSE = 4
COARSE_S = 0.02
#: Grid points x observations x nodes below which the grid is computed at once (well under 1 ms,
#: e.g. the lecture example: 3,600 x 2 x 5); larger grids are computed in the background.
AT_ONCE_WORK = 200_000


def grid_job(job, net, loss, X, Y, x: str, y: str, xs: np.ndarray, ys: np.ndarray, theta: np.ndarray,
             weight_decay: float = 0.0):
    """The background job: ``(x, y, xs, ys, values)`` of R over the grid, after a coarse one."""
    cx, cy = xs[::COARSE], ys[::COARSE]
    share = cx.size * cy.size / (cx.size * cy.size + xs.size * ys.size)
    start = time.perf_counter()
    coarse = landscape(net, loss, X, Y, x, y, cx, cy, theta, progress=lambda f: job.progress(share * f),
                       weight_decay=weight_decay)
    if time.perf_counter() - start > COARSE_S:
        job.partial((x, y, cx, cy, coarse))
    values = landscape(net, loss, X, Y, x, y, xs, ys, theta,
                       progress=lambda f: job.progress(share + (1 - share) * f), weight_decay=weight_decay)
    return x, y, xs, ys, values


def contour_levels(values: np.ndarray, n: int = N_LEVELS) -> np.ndarray:
    """Log-spaced levels when the finite positive values span more than two decades, else linear."""
    v = values[np.isfinite(values)]
    if not v.size:
        return np.zeros(0)
    lo, hi = float(v.min()), float(v.max())
    if hi <= lo:
        return np.zeros(0)
    if lo > 0 and hi / lo > 100:
        return np.geomspace(lo, hi, n + 2)[1:-1]
    return np.linspace(lo, hi, n + 2)[1:-1]


def isolines(xs: np.ndarray, ys: np.ndarray, values: np.ndarray, levels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All isolines of ``values (len(ys), len(xs))`` as x, y arrays with NaN between lines."""
    gen = contourpy.contour_generator(xs, ys, np.ma.masked_invalid(values),
                                      line_type=contourpy.LineType.Separate)
    parts_x, parts_y = [], []
    for level in levels:
        for line in gen.lines(float(level)):
            parts_x += [line[:, 0], [np.nan]]
            parts_y += [line[:, 1], [np.nan]]
    if not parts_x:
        return np.zeros(0), np.zeros(0)
    return np.concatenate(parts_x), np.concatenate(parts_y)


class LandscapePlot(QtWidgets.QWidget):
    """Two parameter choosers above a contour plot; emits ``pair_changed(name_x, name_y)``."""

    pair_changed = QtCore.Signal(str, str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("landscapePlot")
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QtWidgets.QHBoxLayout()
        self.param_x = QtWidgets.QComboBox(self)
        self.param_y = QtWidgets.QComboBox(self)
        # The caption sits beside the choosers rather than above the plot: the plot row is ~150 px
        # high on a 1280x800 projector and a title line would leave the contour a flat strip.
        caption = QtWidgets.QLabel("<b>Landscape</b> x", self)
        caption.setToolTip(TITLE)
        row.addWidget(caption)
        row.addWidget(self.param_x, 1)
        row.addWidget(QtWidgets.QLabel("y", self))
        row.addWidget(self.param_y, 1)
        for box in (self.param_x, self.param_y):
            # "w(1)[1,1]" must stay readable when the plots share 1280 px
            box.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToContents)
        layout.addLayout(row)
        self.plot = pg.PlotWidget(self)
        item = self.plot.getPlotItem()
        style_plot(item)
        item.setMenuEnabled(False)
        item.disableAutoRange()
        self.plot.setToolTip(TITLE)
        cache_axes(item)
        layout.addWidget(self.plot, 1)
        # Over the plot's top-left corner, outside the layout: the row of choosers and the plots'
        # splitter keep their sizes while a grid is computed.
        self.runner = BackgroundRunner(self, "computing…")
        self.progress = ProgressLine(self.runner, self.plot)
        self.progress.setObjectName("landscapeProgress")
        self.progress.setAutoFillBackground(True)
        self.progress.bar.setFixedWidth(80)
        self.progress.move(4, 4)
        self.progress.adjustSize()
        self.runner.partial.connect(self._on_grid)
        self.runner.finished.connect(self._on_grid)
        self._pending: tuple | None = None
        self._submitted: tuple | None = None
        self.image = pg.ImageItem()
        self.image.setColorMap(pg.colormap.get(MAGNITUDE_MAP))
        self.image.setZValue(-10)
        item.addItem(self.image)
        self.lines = pg.PlotCurveItem(pen=pg.mkPen((0, 0, 0, 150), width=1), connect="finite")
        item.addItem(self.lines)
        # The grid and its isolines change once per slice, the path every frame: keep the static
        # layers as cached pixmaps so a frame repaints only the path.
        for static in (self.image, self.lines):
            static.setCacheMode(QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.path = item.plot(pen=pg.mkPen(ITERATE_COLOUR, width=3))
        self.current = item.plot(pen=None, symbol="o", symbolSize=14,
                                 symbolBrush=pg.mkBrush(ITERATE_COLOUR), symbolPen=pg.mkPen("w", width=2))
        self._names: list[str] = []
        self._view: tuple | None = None
        self.grid: tuple | None = None
        self.n_line_points = 0
        self.param_x.currentTextChanged.connect(self._emit_pair)
        self.param_y.currentTextChanged.connect(self._emit_pair)

    def set_parameters(self, names: list[str], x: str, y: str) -> None:
        """Fill the choosers (``names`` in lecture notation) without emitting; a grid still being
        computed for the previous network is dropped."""
        self.runner.cancel()
        self._pending = None
        self._names = list(names)
        for box, pick in ((self.param_x, x), (self.param_y, y)):
            blocker = QtCore.QSignalBlocker(box)
            box.clear()
            box.addItems(names)
            box.setCurrentText(pick)
            del blocker

    def pair(self) -> tuple[str, str]:
        return self.param_x.currentText(), self.param_y.currentText()

    def _emit_pair(self, *_):
        x, y = self.pair()
        if x and y:
            self.pair_changed.emit(x, y)

    def request_grid(self, session, x: str, y: str, xs: np.ndarray, ys: np.ndarray) -> None:
        """Compute R over ``xs`` x ``ys`` at the session's cursor in the background and show it;
        while the plot is hidden the request waits until it is shown."""
        s = session
        args = (s.network, s.loss, s.X, s.Y, x, y, np.asarray(xs, float), np.asarray(ys, float),
                np.array(s.theta(), dtype=np.float64), s.weight_decay)
        if not self.isVisible():
            self.runner.cancel()
            self._pending = args
            return
        self._pending = None
        gx, gy = args[6], args[7]
        if gx.size * gy.size * s.n_obs * sum(s.network.sizes) <= AT_ONCE_WORK:
            self.runner.cancel()
            # cheaper than a second repaint later
            self.show_grid(gx, gy, landscape(*args[:-1], weight_decay=args[-1]))
            return
        self._submitted = args
        self.runner.submit(grid_job, *args)

    def hideEvent(self, event: QtGui.QHideEvent) -> None:  # noqa: N802 - Qt override
        """A grid still being computed waits until the plot is shown again."""
        super().hideEvent(event)
        if self.runner.busy:
            self.runner.cancel()
            self._pending = self._submitted

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._pending is not None:
            args, self._pending = self._pending, None
            self._submitted = args
            self.runner.submit(grid_job, *args)

    def _on_grid(self, result) -> None:
        x, y, xs, ys, values = result
        if (x, y) == self.pair():
            self.show_grid(xs, ys, values)

    def show_grid(self, xs: np.ndarray, ys: np.ndarray, values: np.ndarray) -> None:
        """``values (len(ys), len(xs))`` of R; redraws the image and the isolines (once per grid)."""
        v = np.asarray(values, float)
        self.grid = (np.asarray(xs, float), np.asarray(ys, float), v)
        levels = contour_levels(v)
        finite = v[np.isfinite(v)]
        shade = np.log10(np.maximum(v, 1e-300)) if finite.size and finite.min() > 0 else v
        self.image.setImage(np.nan_to_num(shade, nan=np.nanmax(shade) if finite.size else 0.0))
        dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
        dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
        self.image.setRect(QtCore.QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys)))
        lx, ly = isolines(np.asarray(xs, float), np.asarray(ys, float), v, levels)
        self.lines.setData(lx, ly)
        x, y = self.pair()
        item = self.plot.getPlotItem()
        # labels and range only when they change: either repaints the axes (~5 ms each)
        view = ((x, y), (float(xs[0]), float(xs[-1]), float(ys[0]), float(ys[-1])))
        if view != self._view:
            self._view = view
            item.setLabel("bottom", x)
            item.setLabel("left", y)
            item.setRange(xRange=(xs[0], xs[-1]), yRange=(ys[0], ys[-1]), padding=0)
        self.n_line_points = int(np.isfinite(lx).sum())

    def show_path(self, px: np.ndarray, py: np.ndarray) -> None:
        """The training path projected on the two parameters, ``(n,)`` each; the last point is current."""
        self.path.setData(np.asarray(px, float), np.asarray(py, float))
        if len(px):
            self.current.setData([float(px[-1])], [float(py[-1])])
        else:
            self.current.setData([], [])
