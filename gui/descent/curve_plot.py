"""The 1-D objective f(x) with numbered iterates joined by arrows, the tangent line, minima markers.

Items are created once; ``show_objective`` recomputes the curve (once per objective) and
``show_record`` moves the iterates and the tangent. Clicking the plot emits ``start_clicked(x)``.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QFontMetricsF

from engine.numbers import format_number
from gui.common import style
from gui.common.clip import clip_polyline, inside
from gui.descent.off_plot import OffPlotNote

N_CURVE = 800
N_LABELS = 20
N_ARROWS = 20
LABEL_GAP = 4.0  # pixels kept clear around each iterate number
LABEL_ANCHOR = (0.5, 1.3)  # centred above its point, a third of a line clear of the marker


def plot_range_1d(objective) -> tuple[float, float]:
    lo, hi = np.ravel(np.asarray(objective.plot_range, dtype=np.float64))[:2]
    return float(lo), float(hi)


def sampled_curve(objective, order: int = 0) -> tuple[np.ndarray, np.ndarray, tuple[float, float] | None]:
    """f (``order`` 0) or f' (1) at N_CURVE points over the plot range, and a padded y range of its
    finite values (None when it has none), shared by the f and f' plots."""
    lo, hi = plot_range_1d(objective)
    xs = np.linspace(lo, hi, N_CURVE)
    with np.errstate(all="ignore"):
        ys = np.asarray(objective.curve(xs, order=order), dtype=np.float64)
    finite = ys[np.isfinite(ys)]
    y_range = style.padded_range(float(finite.min()), float(finite.max()), 0.06, 0.06) if finite.size else None
    return xs, ys, y_range


def label_indices(k: int, limit: int = N_LABELS) -> np.ndarray:
    """Which iterates 0..k get a number: all of the first ``limit``, then evenly thinned + the last."""
    if k + 1 <= limit:
        return np.arange(k + 1)
    idx = np.unique(np.linspace(0, k, limit).round().astype(int))
    return idx


class Curve1DPlot(pg.PlotWidget):
    """f(x) with the descent path of one session."""

    start_clicked = Signal(float)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("curve1d")
        self.setToolTip("Click to start the descent there; drag to pan, wheel to zoom")
        p = self.getPlotItem()
        style.style_plot(p)
        style.axis_label(p, "bottom", "x")
        style.axis_label(p, "left", "f(x)")
        p.setMenuEnabled(False)
        self.curve = pg.PlotCurveItem(pen=pg.mkPen(style.CURVE_COLOUR, width=2.5))
        self.tangent = pg.PlotCurveItem(pen=pg.mkPen(style.TANGENT_COLOUR, width=2,
                                                     style=Qt.PenStyle.DashLine))
        iterate = pg.mkColor(style.ITERATE_COLOUR)
        self.path = pg.PlotCurveItem(pen=pg.mkPen(iterate, width=1.5))
        self.points = pg.ScatterPlotItem(size=10, brush=pg.mkBrush(iterate), pen=pg.mkPen("w"))
        self.current = pg.ScatterPlotItem(size=16, brush=pg.mkBrush(iterate),
                                          pen=pg.mkPen("k", width=2))
        self.minima = pg.ScatterPlotItem(size=18, symbol="star",
                                         brush=pg.mkBrush(style.MINIMUM_COLOUR), pen=pg.mkPen("k"))
        for item in (self.curve, self.tangent, self.path, self.points, self.minima, self.current):
            p.addItem(item)
        self.arrows = [pg.ArrowItem(angle=0, headLen=12, tipAngle=30, brush=iterate, pen=None)
                       for _ in range(N_ARROWS)]
        self.labels = [pg.TextItem("", color=style.ITERATE_COLOUR, anchor=LABEL_ANCHOR)
                       for _ in range(N_LABELS)]
        font = style.ui_font(style.BASE_POINT_SIZE - 1, bold=True)
        for item in self.arrows + self.labels:
            if isinstance(item, pg.TextItem):
                item.setFont(font)
            item.setVisible(False)
            p.addItem(item)
        self.off_note = OffPlotNote(p)
        p.vb.disableAutoRange()
        self.scene().sigMouseClicked.connect(self._on_click)
        self._y_range = (0.0, 1.0)
        self._record: tuple | None = None
        # The drawn path is clipped to the view: draw it again when the view moves.
        p.vb.sigRangeChanged.connect(self._redraw_record)

    def show_objective(self, objective) -> None:
        """Curve and minima for a new objective; fixes the ranges (no autorange while running)."""
        xs, ys, y_range = sampled_curve(objective)
        self.curve.setData(xs, ys, connect="finite")
        minima = [(float(np.ravel(p)[0]), float(v)) for p, v in (objective.minima or ())]
        self.minima.setData([m[0] for m in minima], [m[1] for m in minima])
        if y_range is not None:
            self._y_range = y_range
        self.setXRange(float(xs[0]), float(xs[-1]), padding=0.02)
        self.setYRange(*self._y_range, padding=0)

    def show_record(self, xs: np.ndarray, fs: np.ndarray, numbers: np.ndarray, x: float, f: float,
                    slope: float) -> None:
        """Iterates ``xs``/``fs`` (decimated, iteration ``numbers``), current point and tangent.

        What is drawn is clipped to the view (``gui.common.clip``): a diverged path's far points
        would otherwise leave stale segments on the screen.
        """
        self._record = (xs, fs, numbers, x, f, slope)
        view = self.viewRange()
        self.path.setData(*clip_polyline(xs, fs, view), connect="finite")
        mx, my = style.thin_markers(xs, fs)
        near = inside(mx, my, view)
        self.points.setData(mx[near], my[near])
        self.current.setData([x], [f])  # the engine's value, near or far: a lone symbol leaves no trail
        lo, hi = view[0]
        half = 0.12 * (hi - lo)
        with np.errstate(all="ignore"):  # a huge slope overflows to inf, which the curve leaves undrawn
            tangent = clip_polyline([x - half, x + half], [f - slope * half, f + slope * half], view)
        self.tangent.setData(*tangent, connect="finite")
        self._place_labels(xs, fs, numbers)
        self._place_arrows(xs, fs)
        k = int(numbers[-1]) if len(numbers) else 0
        self.off_note.show_point(x, f, f"iterate {k}", f"x = {format_number(x)}, f = {format_number(f)}")

    def _redraw_record(self, *_args) -> None:
        """The record again for a moved view: what is clipped off it has changed."""
        if self._record is not None:
            self.show_record(*self._record)

    def _place_labels(self, xs, fs, numbers) -> None:
        """Number the iterates; newest first, skipping any whose text would touch a placed number
        (near convergence the iterates crowd together: the newest keeps its number)."""
        k = int(numbers[-1]) if len(numbers) else 0
        wanted = set(label_indices(k).tolist())
        vb = self.getPlotItem().vb
        metrics = QFontMetricsF(self.labels[0].textItem.font())
        near = inside(xs, fs, self.viewRange())
        placed: list[QRectF] = []
        shown = []
        for i, x, f, ok in zip(numbers[::-1], xs[::-1], fs[::-1], near[::-1]):
            if int(i) not in wanted or not ok:
                continue
            pos = vb.mapViewToScene(pg.Point(float(x), float(f)))
            w, h = metrics.horizontalAdvance(str(int(i))), metrics.height()
            rect = QRectF(pos.x() - LABEL_ANCHOR[0] * w, pos.y() - LABEL_ANCHOR[1] * h, w, h).adjusted(
                -LABEL_GAP, -LABEL_GAP, LABEL_GAP, LABEL_GAP)
            if any(rect.intersects(other) for other in placed):
                continue
            placed.append(rect)
            shown.append((i, x, f))
            if len(shown) == N_LABELS:
                break
        for label, (i, x, f) in zip(self.labels, shown):
            label.setText(str(int(i)))
            label.setPos(float(x), float(f))
            label.setVisible(True)
        for label in self.labels[len(shown):]:
            label.setVisible(False)

    def _place_arrows(self, xs, fs) -> None:
        """Arrow heads at the end of the last segments, pointing along each step (in screen space)."""
        n = len(xs)
        segments = range(max(1, n - N_ARROWS), n)
        vb = self.getPlotItem().vb
        near = inside(xs, fs, self.viewRange())
        used = 0
        for j in segments:
            if not near[j]:
                continue  # the head would sit far off the plot
            a, b = vb.mapViewToScene(pg.Point(xs[j - 1], fs[j - 1])), vb.mapViewToScene(pg.Point(xs[j], fs[j]))
            dx, dy = b.x() - a.x(), b.y() - a.y()
            if not (np.isfinite(dx) and np.isfinite(dy)) or dx * dx + dy * dy < 16:
                continue
            arrow = self.arrows[used]
            # ArrowItem's angle 0 points left; the head sits at the step's end point.
            arrow.setStyle(angle=float(np.degrees(np.arctan2(dy, dx))) + 180.0)
            arrow.setPos(float(xs[j]), float(fs[j]))
            arrow.setVisible(True)
            used += 1
        for arrow in self.arrows[used:]:
            arrow.setVisible(False)

    def _on_click(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        vb = self.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        self.start_clicked.emit(float(vb.mapSceneToView(event.scenePos()).x()))
