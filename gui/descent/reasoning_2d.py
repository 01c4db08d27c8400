"""The optimizer's reasoning on the 2-D contour plot, per racing optimizer, in its colour.

- Newton-Raphson: the quadratic model's isolines around the current point (dashed), the Newton step
  to the model's stationary point (a diamond) and, where the model is not a bowl, a note that Newton
  heads for a saddle point or a maximum.
- Backtracking: the trials of the update that reached the current point (rejected hollow, accepted
  filled).
- Momentum-type optimizers: the velocity -m as a dashed arrow beside -grad f, on the same scale,
  so a velocity that outruns the gradient (the overshoot) is seen.

The geometry is ``engine.descent_models``'; this module only draws it, clipped to the view.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from engine.descent_models import line_search, newton_model, velocity
from engine.optimizers import get_optimizer
from engine.status import DIVERGED
from gui.common import style
from gui.common.clip import clip_polyline, inside
from gui.descent.contour_plot import isolines

#: The -grad arrow's length as a share of the view (gui.descent.contour_plot), and the longest
#: velocity arrow drawn on its scale.
GRAD_SHARE = 0.12
MAX_VELOCITY_SHARE = 0.45
KIND_NOTES = {"maximum": "model maximum: Newton heads uphill",
              "saddle point": "model saddle point: Newton heads for a saddle"}


class ReasoningItems:
    """The items of one racer: model isolines, Newton step, trial points, velocity arrow."""

    def __init__(self, plot_item: pg.PlotItem, colour) -> None:
        self.model_lines = pg.PlotCurveItem(pen=pg.mkPen(colour, width=1.6, style=Qt.PenStyle.DashLine))
        self.newton_step = pg.PlotCurveItem(pen=pg.mkPen(colour, width=2.5, style=Qt.PenStyle.DashDotLine))
        self.stationary = pg.ScatterPlotItem(size=15, symbol="d", brush=pg.mkBrush(colour),
                                             pen=pg.mkPen("w", width=1.5))
        self.note = pg.TextItem("", color=colour, anchor=(0.5, -0.5), fill=pg.mkBrush(255, 255, 255, 215))
        self.note.setFont(style.ui_font(style.BASE_POINT_SIZE - 1, bold=True))
        self.rejected = pg.ScatterPlotItem(size=11, symbol="o", brush=pg.mkBrush(255, 255, 255, 0),
                                           pen=pg.mkPen(colour, width=2.2))
        self.accepted = pg.ScatterPlotItem(size=11, symbol="o", brush=pg.mkBrush(colour),
                                           pen=pg.mkPen("w", width=1.2))
        self.velocity_line = pg.PlotCurveItem(pen=pg.mkPen(colour, width=2.5, style=Qt.PenStyle.DashLine))
        self.velocity_head = pg.ArrowItem(headLen=14, tipAngle=32, brush=pg.mkBrush("w"),
                                          pen=pg.mkPen(colour, width=2))
        self.newton_items = (self.model_lines, self.newton_step, self.stationary, self.note)
        self.search_items = (self.rejected, self.accepted)
        self.velocity_items = (self.velocity_line, self.velocity_head)
        self.items = (*self.newton_items, *self.search_items, *self.velocity_items)
        for item in self.items:
            plot_item.addItem(item)
            item.setVisible(False)

    def remove(self, plot_item: pg.PlotItem) -> None:
        for item in self.items:
            plot_item.removeItem(item)


class Reasoning2D:
    """One :class:`ReasoningItems` per racing optimizer in ``plot_item``."""

    def __init__(self, plot_item: pg.PlotItem) -> None:
        self.plot_item = plot_item
        self.racers: list[ReasoningItems] = []
        self._sessions: dict[int, object] = {}
        plot_item.vb.sigRangeChanged.connect(self._redraw)

    def set_count(self, n: int) -> None:
        """Items for ``n`` racers, in the series colours."""
        for racer in self.racers:
            racer.remove(self.plot_item)
        self._sessions.clear()
        self.racers = [ReasoningItems(self.plot_item, style.series_colour(i)) for i in range(n)]

    def show(self, i: int, session) -> None:
        """Draw what racer ``i``'s method reasons with at its current iterate."""
        self._sessions[i] = session
        self._draw(i, session)

    def _redraw(self, *_args) -> None:
        for i, session in list(self._sessions.items()):
            if i < len(self.racers):
                self._draw(i, session)

    def _draw(self, i: int, session) -> None:
        items = self.racers[i]
        view = self.plot_item.viewRange()
        alive = session.status.state != DIVERGED
        on = alive and get_optimizer(session.spec.name).needs_hessian and self._newton(items, session, view)
        for item in items.newton_items:
            item.setVisible(on)
        if on and not items.note.toPlainText():
            items.note.setVisible(False)
        on = alive and session.spec.schedule == "backtracking" and self._search(items, session, view)
        for item in items.search_items:
            item.setVisible(on)
        on = alive and self._velocity(items, session, view)
        for item in items.velocity_items:
            item.setVisible(on)

    @staticmethod
    def _newton(items: ReasoningItems, session, view) -> bool:
        it = session.current
        model = newton_model(session.objective, it.x, session.spec.params.get("damping", 0.0))
        if not (np.all(np.isfinite(model.hessian)) and np.isfinite(model.value)):
            return False
        (x0, x1), (y0, y1) = view
        star = model.stationary
        reach = np.abs(star - it.x) if star is not None else np.zeros(2)
        half = (max(1.3 * reach[0], 0.1 * (x1 - x0)), max(1.3 * reach[1], 0.1 * (y1 - y0)))
        with np.errstate(all="ignore"):
            xs, ys, q, levels = model.contours(half)
        lx, ly = isolines(xs, ys, q, levels)
        items.model_lines.setData(*clip_polyline(lx, ly, view), connect="finite")
        if star is None:
            items.newton_step.setData([], [])
            items.stationary.setData([], [])
            items.note.setText("")
            return True
        items.newton_step.setData(*clip_polyline([it.x[0], star[0]], [it.x[1], star[1]], view),
                                  connect="finite")
        near = bool(inside([star[0]], [star[1]], view)[0])
        items.stationary.setData([star[0]] if near else [], [star[1]] if near else [])
        note = KIND_NOTES.get(model.kind, "")
        items.note.setText(note)
        items.note.setPos(float(star[0]), float(star[1]))
        items.note.setVisible(bool(note) and bool(inside([star[0]], [star[1]], view, margin=0.0)[0]))
        return True

    @staticmethod
    def _search(items: ReasoningItems, session, view) -> bool:
        k = session.cursor
        if k == 0:
            return False
        ls = line_search(session.history[k - 1], session.current, session.spec.armijo_c)
        if ls is None:
            return False
        px, py = ls.points[:, 0], ls.points[:, 1]
        near = inside(px, py, view)
        items.rejected.setData(px[near & ~ls.accepted], py[near & ~ls.accepted])
        items.accepted.setData(px[near & ls.accepted], py[near & ls.accepted])
        return True

    @staticmethod
    def _velocity(items: ReasoningItems, session, view) -> bool:
        it = session.current
        v = velocity(it)
        if v is None or not np.all(np.isfinite(v)) or not np.any(v):
            return False
        (x0, x1), (y0, y1) = view
        w, h = (x1 - x0) or 1.0, (y1 - y0) or 1.0
        g = -np.asarray(it.gradient, dtype=np.float64)
        g_norm = float(np.hypot(g[0] / w, g[1] / h))
        v_norm = float(np.hypot(v[0] / w, v[1] / h))
        scale = GRAD_SHARE / (g_norm if np.isfinite(g_norm) and g_norm > 0 else v_norm)
        share = v_norm * scale
        if share > MAX_VELOCITY_SHARE:
            scale *= MAX_VELOCITY_SHARE / share
        cx, cy = float(it.x[0]), float(it.x[1])
        if not inside([cx], [cy], view, margin=0.0)[0]:
            return False
        tip = (cx + scale * v[0], cy + scale * v[1])
        items.velocity_line.setData([cx, tip[0]], [cy, tip[1]])
        vb = items.velocity_line.getViewBox()
        if vb is not None:
            a, b = vb.mapViewToScene(pg.Point(cx, cy)), vb.mapViewToScene(pg.Point(*tip))
            items.velocity_head.setStyle(angle=float(np.degrees(np.arctan2(b.y() - a.y(), b.x() - a.x())) + 180.0))
        items.velocity_head.setPos(*tip)
        return True


__all__ = ["Reasoning2D", "ReasoningItems"]
