"""Filled contour of f(x1, x2) with isolines, a colour bar, descent paths and the -grad f arrow.

The grid, the image and the isolines (contourpy, drawn as ONE curve with NaN separators) are
computed once per objective; each step only moves the paths, markers and arrows.
"""

from __future__ import annotations

import contourpy
import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtWidgets import QGraphicsItem

from engine.numbers import format_vector
from gui.common import style
from gui.common.clip import clip_polyline, inside
from gui.descent.off_plot import OffPlotNote
from gui.descent.surface_geometry import display_heights

GRID = 300
N_LEVELS = 14


def plot_range_2d(objective) -> tuple[tuple[float, float], tuple[float, float]]:
    r = np.ravel(np.asarray(objective.plot_range, dtype=np.float64))
    if r.size == 2:
        return (float(r[0]), float(r[1])), (float(r[0]), float(r[1]))
    return (float(r[0]), float(r[1])), (float(r[2]), float(r[3]))


def contour_levels(z: np.ndarray, n: int = N_LEVELS) -> tuple[np.ndarray, bool]:
    """Isoline levels for grid ``z``; log-spaced (above the minimum) when the range is wide."""
    finite = z[np.isfinite(z)]
    lo, hi = float(finite.min()), float(np.percentile(finite, 98))
    if hi <= lo:
        return np.array([lo]), False
    span = hi - lo
    # Wide range: most of the view sits near the bottom, so equal steps would all crowd the rim.
    if span / max(float(np.percentile(finite, 10)) - lo, 1e-300) > 50:
        offsets = np.geomspace(span * 1e-4, span, n)
        return lo + offsets, True
    return np.linspace(lo, hi, n + 2)[1:-1], False


def isolines(xs: np.ndarray, ys: np.ndarray, z: np.ndarray, levels) -> tuple[np.ndarray, np.ndarray]:
    """All contour lines as one polyline with NaN gaps: ``(x, y)`` for ``connect="finite"``."""
    gen = contourpy.contour_generator(xs, ys, np.ma.masked_invalid(z), line_type="Separate")
    parts_x, parts_y = [], []
    for level in levels:
        for line in gen.lines(float(level)):
            parts_x.extend([line[:, 0], [np.nan]])
            parts_y.extend([line[:, 1], [np.nan]])
    if not parts_x:
        return np.array([]), np.array([])
    return np.concatenate(parts_x), np.concatenate(parts_y)


class PathItems:
    """The drawn items of one optimizer's path: line, markers, current point and -grad arrow."""

    def __init__(self, plot_item: pg.PlotItem, colour, name: str) -> None:
        self.line = pg.PlotCurveItem(pen=pg.mkPen(colour, width=2.5))
        self.markers = pg.ScatterPlotItem(size=7, brush=pg.mkBrush(colour), pen=pg.mkPen("w", width=0.8))
        self.current = pg.ScatterPlotItem(size=15, brush=pg.mkBrush(colour), pen=pg.mkPen("k", width=2))
        self.grad_line = pg.PlotCurveItem(pen=pg.mkPen(colour, width=3))
        self.grad_head = pg.ArrowItem(headLen=16, tipAngle=32, brush=colour, pen=pg.mkPen("k"))
        self.items = (self.line, self.markers, self.grad_line, self.grad_head, self.current)
        for item in self.items:
            plot_item.addItem(item)
        self.off_note = OffPlotNote(plot_item, colour)

    def remove(self, plot_item: pg.PlotItem) -> None:
        for item in (*self.items, self.off_note.text):
            plot_item.removeItem(item)


class Contour2DPlot(pg.GraphicsLayoutWidget):
    """The surface and the racing paths; clicking emits ``start_clicked(x1, x2)``."""

    start_clicked = Signal(float, float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("contour2d")
        self.setToolTip("Click to start the descent there; drag to pan, wheel to zoom")
        self.plot = self.addPlot(row=0, col=0)
        p = self.plot
        style.style_plot(p)
        p.showGrid(x=False, y=False)
        style.axis_label(p, "bottom", "x<sub>1</sub>")
        style.axis_label(p, "left", "x<sub>2</sub>")
        p.setMenuEnabled(False)
        self.image = pg.ImageItem(axisOrder="row-major")
        p.addItem(self.image)
        self.lines = pg.PlotCurveItem(pen=pg.mkPen((255, 255, 255, 170), width=1.2))
        p.addItem(self.lines)
        # The surface only changes with the objective or the view: paint it from a pixmap cache
        # (antialiased isolines cost ~50 ms a frame to stroke).
        for item in (self.image, self.lines):
            item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.minima = pg.ScatterPlotItem(size=20, symbol="star", brush=pg.mkBrush("#FFFFFF"),
                                         pen=pg.mkPen("k", width=1.5))
        self.start = pg.ScatterPlotItem(size=16, symbol="s", brush=pg.mkBrush(style.START_COLOUR),
                                        pen=pg.mkPen("k", width=2))
        p.addItem(self.minima)
        p.addItem(self.start)
        self.legend = p.addLegend(offset=(-10, 10), labelTextSize=f"{style.BASE_POINT_SIZE}pt",
                                  brush=pg.mkBrush(255, 255, 255, 220))
        self.colour_bar = pg.ColorBarItem(colorMap=pg.colormap.get(style.MAGNITUDE_MAP),
                                          interactive=False, width=18, label="f")
        self.colour_bar.setImageItem(self.image)
        self.addItem(self.colour_bar, row=0, col=1)
        self.paths: list[PathItems] = []
        self._shown: dict[int, tuple] = {}
        self.log_scaled = False
        p.vb.disableAutoRange()
        p.vb.setAspectLocked(False)
        self.scene().sigMouseClicked.connect(self._on_click)
        # The drawn paths are clipped to the view (and the arrows scaled to it): redraw when it moves.
        p.vb.sigRangeChanged.connect(self._redraw_paths)

    # -- once per objective -----------------------------------------------------------------------
    def show_objective(self, objective) -> None:
        (x0, x1), (y0, y1) = plot_range_2d(objective)
        xs, ys = np.linspace(x0, x1, GRID), np.linspace(y0, y1, GRID)
        with np.errstate(all="ignore"):
            z = np.asarray(objective.grid(xs, ys), dtype=np.float64)
        levels, self.log_scaled = contour_levels(z)
        self.ranges = ((x0, x1), (y0, y1))
        self.heights = display_heights(z, self.log_scaled, float(levels[0]))
        self.image.setImage(self.heights.of(z))
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.colour_bar.setLevels((self.heights.bottom, self.heights.top))
        self.colour_bar.getAxis("left").setLabel("log₁₀(f − min)" if self.log_scaled else "f")
        lx, ly = isolines(xs, ys, z, levels)
        self.lines.setData(lx, ly, connect="finite")
        minima = np.asarray([np.ravel(p) for p, _v in (objective.minima or ())], dtype=np.float64)
        self.minima.setData(minima[:, 0] if minima.size else [], minima[:, 1] if minima.size else [])
        self.plot.setXRange(x0, x1, padding=0)
        self.plot.setYRange(y0, y1, padding=0)

    # -- once per session set ---------------------------------------------------------------------
    def set_paths(self, names: list[str]) -> None:
        """One coloured path item set per racing optimizer, with legend entries ``names``."""
        for path in self.paths:
            path.remove(self.plot)
        self.legend.clear()
        self._shown.clear()
        self.paths = [PathItems(self.plot, style.series_colour(i), name) for i, name in enumerate(names)]
        for path, name in zip(self.paths, names):
            self.legend.addItem(path.line, name)

    def show_start(self, x) -> None:
        self.start.setData([float(x[0])], [float(x[1])])

    # -- every step -----------------------------------------------------------------------------
    def show_path(self, i: int, xy: np.ndarray, current, grad, index: int | None = None) -> None:
        """Path ``xy`` ``(k, 2)`` (decimated), the current point (iteration ``index``) and the
        -grad arrow from it; a note at the edge when the point has left the view. What is drawn
        is clipped to the view (``gui.common.clip``): far points would leave stale segments."""
        self._shown[i] = (xy, current, grad, index)
        path = self.paths[i]
        view = self.plot.viewRange()
        path.line.setData(*clip_polyline(xy[:, 0], xy[:, 1], view), connect="finite")
        mx, my = style.thin_markers(xy[:, 0], xy[:, 1])
        near = inside(mx, my, view)
        path.markers.setData(mx[near], my[near])
        cx, cy = float(current[0]), float(current[1])
        on_plot = bool(inside([cx], [cy], view)[0])
        path.current.setData([cx], [cy])  # the engine's value, near or far: a lone symbol leaves no trail
        name = "iterate" if index is None else f"iterate {index}"
        legend = self.legend.boundingRect().height() + 10 if self.legend.isVisible() else 0.0
        path.off_note.show_point(cx, cy, name, f"(x₁, x₂) = {format_vector([cx, cy])}", row=i,
                                 top_px=legend)
        g = -np.asarray(grad, dtype=np.float64).ravel()
        (vx0, vx1), (vy0, vy1) = self.plot.viewRange()
        norm = np.hypot(g[0] / (vx1 - vx0), g[1] / (vy1 - vy0))
        visible = bool(np.isfinite(norm) and norm > 0 and on_plot)
        path.grad_line.setVisible(visible)
        path.grad_head.setVisible(visible)
        if not visible:
            return
        # Arrow length: a fixed 12 % of the view, so the direction reads at any gradient size.
        tip = (cx + 0.12 * g[0] / norm, cy + 0.12 * g[1] / norm)
        path.grad_line.setData([cx, tip[0]], [cy, tip[1]])
        vb = self.plot.vb
        a, b = vb.mapViewToScene(pg.Point(cx, cy)), vb.mapViewToScene(pg.Point(*tip))
        angle = np.degrees(np.arctan2(b.y() - a.y(), b.x() - a.x())) + 180.0
        path.grad_head.setStyle(angle=float(angle))
        path.grad_head.setPos(*tip)

    def _redraw_paths(self, *_args) -> None:
        """Every path again for a moved view."""
        for i, shown in list(self._shown.items()):
            if i < len(self.paths):
                self.show_path(i, *shown)

    def _on_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        vb = self.plot.vb
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        pos = vb.mapSceneToView(event.scenePos())
        self.start_clicked.emit(float(pos.x()), float(pos.y()))
