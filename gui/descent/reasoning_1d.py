"""The optimizer's reasoning on the 1-D plot of f: Newton's parabola and the line search's trials.

- Newton-Raphson: the quadratic model q(x) = f(x_i) + f'(x_i)(x - x_i) + 1/2 f''(x_i)(x - x_i)^2
  at the current iterate (dashed), its stationary point marked with a diamond where the step
  lands, and a note: the model's minimum, or, where f'' < 0, that Newton heads for a maximum.
- Backtracking: the trials of the update that reached the current iterate (rejected hollow,
  accepted filled) and the Armijo line f(x_i) + c f'(x_i)(x - x_i), i.e. f(x_i) - c s f'(x_i)^2 at
  step size s, that a trial has to lie under.

The geometry is ``engine.descent_models``'; this module only draws it, clipped to the view.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from engine.descent_models import line_search, newton_model
from engine.numbers import format_number
from engine.optimizers import get_optimizer
from engine.status import DIVERGED
from gui.common import style
from gui.common.clip import clip_polyline, inside

MODEL_COLOUR = style.OKABE_ITO[3]
TRIAL_COLOUR = style.OKABE_ITO[4]
N_MODEL = 200


def _note(colour) -> pg.TextItem:
    text = pg.TextItem("", color=colour, anchor=(0.0, 0.0), fill=pg.mkBrush(255, 255, 255, 215),
                       border=pg.mkPen(colour, width=1.2))
    text.setFont(style.ui_font(style.BASE_POINT_SIZE - 1, bold=True))
    text.setZValue(50)
    return text


def _pin(note: pg.TextItem, view, row: int) -> None:
    """Put ``note`` in the view's top-left corner, ``row`` lines down (it moves with the view)."""
    (x0, x1), (y0, y1) = view
    note.setAnchor((0.0, float(row) * -1.15))
    note.setPos(x0 + 0.02 * (x1 - x0), y1 - 0.02 * (y1 - y0))
    note.setVisible(bool(note.toPlainText()))


class Reasoning1D:
    """Newton's model and the line search's trials in the plot item ``plot_item``."""

    def __init__(self, plot_item: pg.PlotItem) -> None:
        self.plot_item = plot_item
        self.model = pg.PlotCurveItem(pen=pg.mkPen(MODEL_COLOUR, width=2.5, style=Qt.PenStyle.DashLine))
        self.landing = pg.PlotCurveItem(pen=pg.mkPen(MODEL_COLOUR, width=1.5, style=Qt.PenStyle.DotLine))
        self.vertex = pg.ScatterPlotItem(size=15, symbol="d", brush=pg.mkBrush(MODEL_COLOUR),
                                         pen=pg.mkPen("k", width=1.2))
        self.model_note = _note(MODEL_COLOUR)
        self.armijo = pg.PlotCurveItem(pen=pg.mkPen(TRIAL_COLOUR, width=2, style=Qt.PenStyle.DotLine))
        self.rejected = pg.ScatterPlotItem(size=14, symbol="o", brush=pg.mkBrush(255, 255, 255, 0),
                                           pen=pg.mkPen(TRIAL_COLOUR, width=2.2))
        self.accepted = pg.ScatterPlotItem(size=14, symbol="o", brush=pg.mkBrush(TRIAL_COLOUR),
                                           pen=pg.mkPen("k", width=1.2))
        self.armijo_note = _note(TRIAL_COLOUR)
        self.newton_items = (self.model, self.landing, self.vertex, self.model_note)
        self.search_items = (self.armijo, self.rejected, self.accepted, self.armijo_note)
        for item in (*self.newton_items, *self.search_items):
            plot_item.addItem(item)
            item.setVisible(False)
        self._session = None
        plot_item.vb.sigRangeChanged.connect(self._redraw)

    def show(self, session) -> None:
        """Draw what the session's method reasons with at its current iterate (nothing otherwise)."""
        self._session = session
        self._redraw()

    def _redraw(self, *_args) -> None:
        session = self._session
        if session is None:
            return
        view = self.plot_item.viewRange()
        newton = get_optimizer(session.spec.name).needs_hessian and session.status.state != DIVERGED
        shown = newton and self._show_newton(session, view)
        for item in self.newton_items:
            item.setVisible(shown)
        searched = session.spec.schedule == "backtracking" and self._show_search(session, view)
        for item in self.search_items:
            item.setVisible(searched)

    def _show_newton(self, session, view) -> bool:
        it = session.current
        model = newton_model(session.objective, it.x, session.spec.params.get("damping", 0.0))
        if not np.all(np.isfinite(model.hessian)) or not np.isfinite(model.value):
            return False
        x = float(it.x[0])
        star = model.stationary
        (x0, x1), _ = view
        half = 0.2 * (x1 - x0)
        if star is not None:
            half = max(half, 1.4 * abs(float(star[0]) - x))
        xs = np.linspace(x - half, x + half, N_MODEL)
        with np.errstate(all="ignore"):
            ys = model.curve(xs)
        self.model.setData(*clip_polyline(xs, ys, view), connect="finite")
        fpp = format_number(float(model.hessian[0, 0]), 4)
        if star is None:
            self.vertex.setData([], [])
            self.landing.setData([], [])
            self.model_note.setText(f"f″ = {fpp}: the model is a line, Newton has no step")
            _pin(self.model_note, view, 0)
            return True
        xv = float(star[0])
        qv = float(model.curve(np.array([xv]))[0])
        with np.errstate(all="ignore"):
            fv = float(session.objective.value(np.array([xv])))
        self.vertex.setData([xv], [qv])
        self.landing.setData(*clip_polyline([xv, xv], [qv, fv], view), connect="finite")
        if model.concave:
            text = (f"Newton's model q(x):\nf″ = {fpp} < 0, so the\nstep heads for its\n"
                    f"maximum ◆ x = {format_number(xv, 4)}")
        else:
            text = (f"Newton's model q(x):\nf″ = {fpp} > 0, the step\nlands at its minimum\n"
                    f"◆ x = {format_number(xv, 4)}")
        self.model_note.setText(text)
        _pin(self.model_note, view, 0)
        return True

    def _show_search(self, session, view) -> bool:
        k = session.cursor
        if k == 0:
            return False
        ls = line_search(session.history[k - 1], session.current, session.spec.armijo_c)
        if ls is None:
            return False
        xs, fs = ls.points[:, 0], ls.values
        near = inside(xs, fs, view)
        self.rejected.setData(xs[near & ~ls.accepted], fs[near & ~ls.accepted])
        self.accepted.setData(xs[near & ls.accepted], fs[near & ls.accepted])
        self.armijo.setData(*clip_polyline(ls.armijo_x, ls.armijo_y, view), connect="finite")
        rejected = int((~ls.accepted).sum())
        off = rejected - int((near & ~ls.accepted).sum())
        beyond = f"\n   ({off} of them off the plot)" if off else ""
        self.armijo_note.setText(f"Armijo line f − c·s·f′², c = {session.spec.armijo_c:g}\n"
                                 f"○ {rejected} rejected: above it{beyond}\n● accepted: under it")
        _pin(self.armijo_note, view, 1 if self.model.isVisible() else 0)
        return True


__all__ = ["Reasoning1D"]
