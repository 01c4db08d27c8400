"""The 2-D workspace: click-to-start on the contour, racing optimizers, history, long runs."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.optimizers import make_spec
from tests.gui.conftest import click_view


def test_click_on_contour_moves_start_there(ws2, qtbot):
    vb = ws2.contour.plot.vb
    (x0, x1), (y0, y1) = vb.viewRange()
    target = (x0 + 0.3 * (x1 - x0), y0 + 0.7 * (y1 - y0))
    click_view(qtbot, ws2.contour, vb, *target)
    c = ws2.controller
    tol = (abs(x1 - x0) / 300, abs(y1 - y0) / 300)
    assert c.start[0] == pytest.approx(target[0], abs=tol[0])
    assert c.start[1] == pytest.approx(target[1], abs=tol[1])
    assert [b.value() for b in ws2.panel.start_boxes] == pytest.approx(list(c.start), abs=1e-6)
    sx, sy = ws2.contour.start.getData()
    assert (sx[0], sy[0]) == (c.start[0], c.start[1])
    assert np.array_equal(c.sessions[0].history[0].x, c.start)
    assert c.cursor == 0


def test_add_optimizer_races_on_the_same_surface(window, ws2, qtbot):
    c = ws2.controller
    qtbot.mouseClick(ws2.panel.add_button, Qt.MouseButton.LeftButton)
    assert len(c.sessions) == 2 and c.specs[1].name == "momentum"
    assert len(ws2.contour.paths) == 2 and len(ws2.loss.curves) == 2
    assert len(ws2.contour.legend.items) == 2
    pens = {p.line.opts["pen"].color().name() for p in ws2.contour.paths}
    assert len(pens) == 2, "each optimizer has its own colour"
    for _ in range(5):
        qtbot.mouseClick(window.step_controls.buttons["step"], Qt.MouseButton.LeftButton)
    for i, s in enumerate(c.sessions):
        xs, ys = ws2.contour.paths[i].line.getData()
        assert len(xs) == 6
        assert np.allclose(np.column_stack([xs, ys]), s.path())
        assert np.allclose(ws2.loss.curves[i].getData()[1], s.values())
    assert not np.allclose(c.sessions[0].path(), c.sessions[1].path())
    assert "gd" in window.status_label.text() and "momentum" in window.status_label.text()


def test_gradient_arrow_points_downhill(ws2):
    c = ws2.controller
    c.step(3)
    item = ws2.contour.paths[0]
    lx, ly = item.grad_line.getData()
    x = c.sessions[0].current.x
    g = c.sessions[0].current.gradient
    assert (lx[0], ly[0]) == (x[0], x[1])
    direction = np.array([lx[1] - lx[0], ly[1] - ly[0]])
    assert np.dot(direction, -g) > 0
    cos = np.dot(direction / np.linalg.norm(direction), -g / np.linalg.norm(g))
    # The view scales the axes differently, so the drawn arrow is -grad in screen units.
    assert cos > 0.5


def test_back_and_slider_restore_paths_and_loss(window, ws2, qtbot):
    c = ws2.controller
    c.add_optimizer(make_spec("adam", lr=0.05))
    c.step(20)
    window.step_controls.history_slider.setValue(5)
    assert c.cursor == 5
    for i, s in enumerate(c.sessions):
        xs, ys = ws2.contour.paths[i].line.getData()
        assert len(xs) == 6 and (xs[-1], ys[-1]) == tuple(s.history[5].x)
        cx, cy = ws2.contour.paths[i].current.getData()
        assert (cx[0], cy[0]) == tuple(s.history[5].x)
        assert len(ws2.loss.curves[i].getData()[0]) == 6
    qtbot.mouseClick(window.step_controls.buttons["back"], Qt.MouseButton.LeftButton)
    assert c.cursor == 4
    assert tuple(ws2.contour.paths[1].current.getData()[0][:1]) == (c.sessions[1].history[4].x[0],)
    assert "iteration 4 of 20" in window.step_controls.position_label.text()


def test_long_run_draws_a_decimated_path_ending_at_the_current_point(ws2):
    c = ws2.controller
    c.set_preset("rosenbrock")
    c.set_max_iter(100_000)
    c.set_tolerance(1e-300)
    c.set_optimizer(make_spec("gd", lr=1e-5))
    c.step(30_000)
    assert c.cursor == 30_000
    xs, ys = ws2.contour.paths[0].line.getData()
    assert len(xs) <= 2001
    assert (xs[-1], ys[-1]) == tuple(c.sessions[0].current.x)
    assert (xs[0], ys[0]) == tuple(c.start)
    lx, _ = ws2.loss.curves[0].getData()
    assert len(lx) <= 2001 and lx[-1] == 30_000


def test_log_loss_axis(window, ws2):
    ws2.controller.step(10)
    window.actions.log_loss.trigger()
    assert ws2.loss.getPlotItem().ctrl.logYCheck.isChecked() or ws2.loss.log
    _, ys = ws2.loss.curves[0].getData()
    # PlotCurveItem ignores the axis' log mode, so the curve itself must hold log10 f.
    assert np.allclose(ys, np.log10(ws2.controller.sessions[0].values()))
    lo, hi = ws2.loss.getPlotItem().vb.viewRange()[1]
    assert lo <= ys.min() and ys.max() <= hi
    window.actions.log_loss.trigger()
    assert not ws2.loss.log
    assert np.allclose(ws2.loss.curves[0].getData()[1], ws2.controller.sessions[0].values())


def test_newton_uses_the_hessian(ws2):
    c = ws2.controller
    c.set_preset("quadratic_bowl")
    c.set_optimizer(make_spec("newton"))
    c.step(1)
    assert np.allclose(c.sessions[0].current.x, [0.0, 0.0], atol=1e-12)
    assert c.finished or c.sessions[0].status.state == "running"


def test_loss_axis_shows_plain_values(window, ws2, app):
    window.set_font_size(14)
    ws2.controller.step(5)
    axis = ws2.loss.getPlotItem().getAxis("left")
    assert axis.autoSIPrefixScale == 1.0
    lo, hi = ws2.loss.getPlotItem().vb.viewRange()[1]
    values = ws2.controller.sessions[0].values()
    assert lo <= values.min() and values.max() <= hi


def test_racers_are_ready_before_the_first_step(window, ws2, qtbot):
    qtbot.mouseClick(ws2.panel.add_button, Qt.MouseButton.LeftButton)
    text = window.status_label.text()
    assert text.startswith("Iteration 0: gd: ready") and "momentum: ready" in text
    assert "running" not in text and "press Step (Space) or Run" in text
    qtbot.mouseClick(window.step_controls.buttons["step"], Qt.MouseButton.LeftButton)
    text = window.status_label.text()
    assert "gd: running" in text and "press Step" not in text
