"""The fit: prediction curve over the data (1-D input regression), decision regions (2-D
classification), a confusion matrix (a classifier of any other input size: iris, digits), or
output against target for anything else (e.g. the lecture's 2-input example).

The controller evaluates the network on a coarse grid through the engine's ``predict``;
this plot only colours and draws.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6 import QtWidgets

from gui.network.view_items import cache_axes
from gui.common.style import CURVE_COLOUR, OKABE_ITO, ITERATE_COLOUR, style_plot

CLASS_COLOURS = np.array([[0x00, 0x72, 0xB2], [0xD5, 0x5E, 0x00], [0x00, 0x9E, 0x73],
                          [0xCC, 0x79, 0xA7], [0xE6, 0x9F, 0x00], [0x56, 0xB4, 0xE9]], dtype=float)


class NetworkFitPlot(pg.PlotWidget):
    """One plot that switches between ``regression``, ``classification``, ``confusion`` and
    ``scatter`` modes."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkFitPlot")
        item = self.getPlotItem()
        style_plot(item)
        item.setMenuEnabled(False)
        item.disableAutoRange()
        cache_axes(item)
        self.image = pg.ImageItem()
        self.image.setZValue(-10)
        item.addItem(self.image)
        self.curve = item.plot(pen=pg.mkPen(ITERATE_COLOUR, width=3))
        self.diagonal = item.plot(pen=pg.mkPen("#808080", width=1, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.points = pg.ScatterPlotItem(size=10, pen=pg.mkPen("k", width=1))
        item.addItem(self.points)
        self.mode = ""
        self._brush_cache: dict[int, object] = {}
        #: the confusion matrix's count labels, one per cell, made once per number of classes
        self._counts: list[pg.TextItem] = []
        #: the counts shown (tests read them), rows = true class
        self.confusion: np.ndarray | None = None
        self._ticks_for: int | None = None

    def _set_mode(self, mode: str, title: str, xlabel: str, ylabel: str) -> None:
        if mode == self.mode:
            return
        self.mode = mode
        item = self.getPlotItem()
        item.setTitle(title)
        item.setLabel("bottom", xlabel)
        item.setLabel("left", ylabel)
        self.image.setVisible(mode in ("classification", "confusion"))
        self.curve.setVisible(mode == "regression")
        self.diagonal.setVisible(mode == "scatter")
        self.points.setVisible(mode != "confusion")
        for label in self._counts:
            label.setVisible(mode == "confusion")
        if mode != "confusion":  # back to data coordinates
            item.invertY(False)
            item.getAxis("bottom").setTicks(None)
            item.getAxis("left").setTicks(None)
            self._ticks_for = None

    def show_regression(self, x: np.ndarray, y: np.ndarray, grid: np.ndarray, prediction: np.ndarray,
                        xlabel: str = "x", ylabel: str = "y") -> None:
        """Data ``x, y (n,)`` as points; the network's ``prediction (m,)`` over ``grid (m,)`` as a curve."""
        self._set_mode("regression", "Fit: prediction over the data", xlabel, ylabel)
        self.points.setData(x=np.asarray(x, float), y=np.asarray(y, float), brush=pg.mkBrush(CURVE_COLOUR))
        self.curve.setData(np.asarray(grid, float), np.asarray(prediction, float))
        self._range(np.r_[x, grid], np.r_[y, prediction[np.isfinite(prediction)]])

    def show_classification(self, x: np.ndarray, labels: np.ndarray, xs: np.ndarray, ys: np.ndarray,
                            probabilities: np.ndarray, xlabel: str = "x1", ylabel: str = "x2") -> None:
        """Points ``x (n, 2)`` with class ``labels (n,)``; ``probabilities (len(ys), len(xs), k)`` on the grid."""
        self._set_mode("classification", "Decision regions", xlabel, ylabel)
        p = np.nan_to_num(np.asarray(probabilities, float))
        k = p.shape[-1]
        colours = CLASS_COLOURS[np.arange(k) % len(CLASS_COLOURS)]
        rgb = p @ colours
        # Lighten towards white so the data points stay visible over the regions.
        rgb = 255 - 0.55 * (255 - rgb)
        self.image.setImage(np.clip(rgb, 0, 255).astype(np.uint8), levels=(0, 255))
        dx = (xs[-1] - xs[0]) / max(len(xs) - 1, 1)
        dy = (ys[-1] - ys[0]) / max(len(ys) - 1, 1)
        self.image.setRect(pg.QtCore.QRectF(xs[0] - dx / 2, ys[0] - dy / 2, dx * len(xs), dy * len(ys)))
        lab = np.asarray(labels).astype(int)
        brushes = [self._brush(c) for c in lab]
        self.points.setData(pos=np.asarray(x, float), brush=brushes)
        self._range(np.array([xs[0], xs[-1]]), np.array([ys[0], ys[-1]]))

    def show_scatter(self, targets: np.ndarray, outputs: np.ndarray) -> None:
        """Output against target per observation (both ``(n,)``); the dashed line is a perfect fit."""
        self._set_mode("scatter", "Output vs target", "target y", "output")
        t, o = np.asarray(targets, float), np.asarray(outputs, float)
        self.points.setData(x=t, y=o, brush=pg.mkBrush(ITERATE_COLOUR))
        both = np.r_[t, o[np.isfinite(o)]]
        lo, hi = float(both.min()), float(both.max())
        self.diagonal.setData([lo - 1, hi + 1], [lo - 1, hi + 1])
        self._range(np.array([lo, hi]), np.array([lo, hi]))

    def show_confusion(self, counts: np.ndarray, title: str, where: str = "") -> None:
        """A confusion matrix ``counts (K, K)``, row = true class, column = predicted class: each cell
        shaded by its share of the row, with its count written in it when there is room; ``where``
        says which observations (under the axis)."""
        self._set_mode("confusion", title, "predicted class", "true class")
        item = self.getPlotItem()
        item.setTitle(title)
        item.setLabel("bottom", f"predicted{' (' + where + ')' if where else ' class'}")
        m = np.asarray(counts, dtype=float)
        k = m.shape[0]
        self.confusion = m
        share = m / np.maximum(m.sum(axis=1, keepdims=True), 1.0)
        # white to the app's blue; the image's rows are its x axis, so the matrix goes in transposed
        blue = CLASS_COLOURS[0]
        rgb = 255 - share[..., None] * (255 - blue)
        self.image.setImage(np.clip(rgb, 0, 255).astype(np.uint8).transpose(1, 0, 2), levels=(0, 255))
        self.image.setRect(pg.QtCore.QRectF(-0.5, -0.5, k, k))
        if len(self._counts) != k * k:
            for label in self._counts:
                self.getPlotItem().removeItem(label)
            self._counts = []
            for i in range(k):
                for j in range(k):
                    label = pg.TextItem("", anchor=(0.5, 0.5))
                    label.setPos(j, i)
                    self.getPlotItem().addItem(label)
                    self._counts.append(label)
        if self._ticks_for != k:
            step = 1 if k <= 6 else 3  # ten labels do not fit a plot a fifth of a projector high
            ticks = [[(c, str(c)) for c in range(0, k, step)], [(c, "") for c in range(k)]]
            self.getPlotItem().getAxis("bottom").setTicks(ticks)
            self.getPlotItem().getAxis("left").setTicks(ticks)
            self.getPlotItem().invertY(True)  # true class 0 at the top, as a confusion matrix is printed
            self._ticks_for = k
        for i in range(k):
            for j in range(k):
                label = self._counts[i * k + j]
                # counts only where a cell has room for them (up to 5 classes, e.g. iris)
                label.setText(f"{int(m[i, j])}" if m[i, j] and k <= 5 else "")
                label.setColor("w" if share[i, j] > 0.6 else "k")
        self.getPlotItem().setRange(xRange=(-0.5, k - 0.5), yRange=(-0.5, k - 0.5), padding=0)

    def _brush(self, c: int):
        if c not in self._brush_cache:
            self._brush_cache[c] = pg.mkBrush(OKABE_ITO[c % 6])
        return self._brush_cache[c]

    def _range(self, xs: np.ndarray, ys: np.ndarray) -> None:
        """Show the data; keep the current range while it still fits them well, because every
        range change repaints both axes (~5 ms each with projector-sized tick labels)."""
        xs, ys = xs[np.isfinite(xs)], ys[np.isfinite(ys)]
        if not len(xs) or not len(ys):
            return
        (x0, x1), (y0, y1) = self.getPlotItem().viewRange()
        new_x = _stable(x0, x1, float(xs.min()), float(xs.max()))
        new_y = _stable(y0, y1, float(ys.min()), float(ys.max()))
        if new_x != (x0, x1) or new_y != (y0, y1):
            self.getPlotItem().setRange(xRange=new_x, yRange=new_y, padding=0)


def _stable(v0: float, v1: float, lo: float, hi: float) -> tuple[float, float]:
    """``(v0, v1)`` if it holds ``[lo, hi]`` and the data fill at least half of it, else a padded fit."""
    span = hi - lo
    if v0 <= lo and hi <= v1 and span >= 0.5 * (v1 - v0) and span > 0:
        return v0, v1
    d = span * 0.06 if span > 0 else 0.5
    return lo - d, hi + d
