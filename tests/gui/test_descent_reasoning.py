"""The optimizer's reasoning on the descent plots, driven like a person: Newton's parabola and
2-D model, the line search's trials and Armijo line, momentum's velocity, the table's s_i and f''
columns, Armijo's constants in the method panel (with undo) and a bouncing run stopped."""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from tests.gui.test_descent1d import click_step, type_number
from tests.gui.test_descent_lecturer import choose
from tests.gui.test_undo import undo


def f(x):
    return 3 * x ** 4 + 5 * x ** 3 - 20 * x ** 2 + 8 * x + 10


def fp(x):
    return 12 * x ** 3 + 15 * x ** 2 - 40 * x + 8


def _cell(table, row, header):
    model = table.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    return model.index(row, headers.index(header)).data()


def test_newton_parabola_at_0_3_opens_downward_with_its_vertex_where_the_step_lands(window, ws1, qtbot):
    choose(ws1.panel.method_combo, "newton")
    type_number(qtbot, ws1.panel.start_boxes[0], "0.3")
    r = ws1.reasoning
    assert r.model.isVisible() and r.vertex.isVisible()
    xs, ys = r.model.getData()
    finite = np.isfinite(xs) & np.isfinite(ys)
    xs, ys = xs[finite], ys[finite]
    # q(x) = f(0.3) - 2.326 (x - 0.3) - 13.88 (x - 0.3)^2 at every drawn point
    assert ys == pytest.approx(f(0.3) - 2.326 * (xs - 0.3) - 13.88 * (xs - 0.3) ** 2, abs=1e-9)
    vertex = 0.3 - 2.326 / 27.76
    vx, vy = r.vertex.getData()
    assert vx[0] == pytest.approx(vertex, abs=1e-12)
    assert vy[0] == pytest.approx(f(0.3) - 2.326 * (vertex - 0.3) - 13.88 * (vertex - 0.3) ** 2)
    note = r.model_note.toPlainText()
    assert r.model_note.isVisible() and "f″ = -27.76 < 0" in note and "maximum ◆ x = 0.2162" in note
    assert _cell(ws1.table, 0, "f″(xᵢ)") == "-27.76"
    click_step(qtbot, window)
    assert ws1.controller.sessions[0].current.x[0] == pytest.approx(vertex, abs=1e-12)
    assert _cell(ws1.table, 1, "sᵢ") == "-0.03602"          # 1/f''(0.3) = 1/-27.76
    # gradient descent draws no model
    choose(ws1.panel.method_combo, "gd")
    assert not r.model.isVisible() and not r.vertex.isVisible()


def test_backtracking_trials_are_drawn_hollow_and_filled_under_the_armijo_line(window, ws1, qtbot):
    panel = ws1.panel.method_box
    choose(panel.schedule_combo, "backtracking")
    assert panel.armijo_box.isVisible() and panel.shrink_box.isVisible()
    type_number(qtbot, panel.armijo_box, "0.3")
    type_number(qtbot, ws1.panel.hyper_boxes["lr"], "0.1")
    type_number(qtbot, ws1.panel.start_boxes[0], "1.6")
    assert ws1.controller.specs[0].armijo_c == 0.3
    r = ws1.reasoning
    assert not r.accepted.isVisible()  # nothing tried before the first step
    click_step(qtbot, window)
    click_step(qtbot, window)
    x1 = ws1.controller.sessions[0].history[1].x[0]
    g = fp(x1)
    # update 2 tries s = 0.1, 0.05, 0.025 (rejected) and 0.0125 (accepted)
    tried = [x1 - s * g for s in (0.1, 0.05, 0.025, 0.0125)]
    rx, ry = r.rejected.getData()
    # the far trials (f in the thousands) are left off the view; the near rejected one is drawn
    assert all(min(abs(x - t) for t in tried[:3]) < 1e-12 for x in rx)
    assert tried[2] == pytest.approx(-3.0889, abs=1e-4) and any(abs(x - tried[2]) < 1e-12 for x in rx)
    assert ry == pytest.approx([f(x) for x in rx])
    ax, ay = r.accepted.getData()
    assert ax == pytest.approx([tried[3]]) and ay == pytest.approx([f(tried[3])])
    lx, ly = r.armijo.getData()
    assert lx[0] == pytest.approx(x1) and ly[0] == pytest.approx(f(x1))
    assert (ly[-1] - ly[0]) / (lx[-1] - lx[0]) == pytest.approx(0.3 * g)   # slope c f'(x)
    assert _cell(ws1.table, 2, "trials") == "4"


def test_armijo_constants_are_undone_like_the_other_method_fields(window, ws1, qtbot):
    panel = ws1.panel.method_box
    choose(panel.schedule_combo, "backtracking")
    type_number(qtbot, panel.shrink_box, "0.7")
    assert ws1.controller.specs[0].shrink == 0.7
    undo(qtbot, window)
    assert ws1.controller.specs[0].shrink == 0.5 and panel.shrink_box.value() == 0.5
    assert ws1.controller.specs[0].schedule == "backtracking"


def test_bouncing_step_size_is_stopped_and_the_window_names_the_limit(window, ws1, qtbot):
    type_number(qtbot, ws1.panel.start_boxes[0], "0.5")
    type_number(qtbot, ws1.panel.hyper_boxes["lr"], "0.05")
    ws1.controller.step(400)
    s = ws1.controller.sessions[0]
    assert s.status.state == "stopped" and s.cursor < 300
    text = window.status_label.text()
    assert "0.0478" in text and "try s = 0.04" in text


def test_momentum_velocity_arrow_points_along_minus_m_beside_minus_grad(window, ws2, qtbot):
    choose(ws2.panel.method_combo, "momentum")
    for _ in range(3):
        click_step(qtbot, window)
    s = ws2.controller.sessions[0]
    items = ws2.reasoning.racers[0]
    assert items.velocity_line.isVisible() and items.velocity_head.isVisible()
    (x0, x1), (y0, y1) = items.velocity_line.getData()
    m = np.asarray(s.current.opt_state.m)
    assert (x0, y0) == pytest.approx(tuple(s.current.x))
    direction = np.array([x1 - x0, y1 - y0])
    cos = float(direction @ -m) / (np.linalg.norm(direction) * np.linalg.norm(m))
    assert cos == pytest.approx(1.0, abs=1e-9)
    # on the -grad arrow's scale: the two arrows' lengths (in view spans) are as |m| to |grad f|
    (vx0, vx1), (vy0, vy1) = ws2.contour.plot.viewRange()
    w, h = vx1 - vx0, vy1 - vy0
    gx, gy = ws2.contour.paths[0].grad_line.getData()
    grad_len = np.hypot((gx[1] - gx[0]) / w, (gy[1] - gy[0]) / h)
    vel_len = np.hypot(direction[0] / w, direction[1] / h)
    g = np.asarray(s.current.gradient)
    expected = np.hypot(m[0] / w, m[1] / h) / np.hypot(g[0] / w, g[1] / h)
    assert vel_len / grad_len == pytest.approx(min(expected, 0.45 / 0.12), rel=1e-6)
    assert not ws2.reasoning.racers[0].model_lines.isVisible()


def test_newton_2d_model_contours_and_step_to_the_stationary_point(window, ws2, qtbot):
    choose(ws2.panel.method_combo, "newton")
    items = ws2.reasoning.racers[0]
    assert items.model_lines.isVisible() and items.newton_step.isVisible()
    s = ws2.controller.sessions[0]
    sx, sy = items.newton_step.getData()
    assert (sx[0], sy[0]) == pytest.approx(tuple(s.current.x))
    click_step(qtbot, window)
    assert s.current.x == pytest.approx([sx[-1], sy[-1]], abs=1e-12)   # the step lands there
