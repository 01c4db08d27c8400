"""The 1-D workspace driven like a person would: typing, clicking Step, dragging the slider."""

import time

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from gui.descent.controller import DEFAULT_PRESET
from tests.gui.conftest import click_view

LECTURE_MINIMUM = 1.1479  # the quartic's local minimum reached from x0 = 0.5 (SPEC 1.1)


def type_number(qtbot, box, text):
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, text)
    qtbot.keyClick(box, Qt.Key.Key_Return)


def choose_lecture_quartic(ws):
    combo = ws.panel.preset_combo
    index = combo.findData(DEFAULT_PRESET[1])
    assert index >= 0, "the lecture quartic is offered as a preset"
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def click_step(qtbot, window):
    qtbot.mouseClick(window.step_controls.buttons["step"], Qt.MouseButton.LeftButton)


def test_lecture_quartic_from_half_converges_to_1_1479(window, ws1, qtbot):
    choose_lecture_quartic(ws1)
    f = ws1.controller.objective
    assert f.value(np.array([0.0])) == pytest.approx(10.0)
    assert f.value(np.array([1.0])) == pytest.approx(6.0)
    type_number(qtbot, ws1.panel.start_boxes[0], "0.5")
    type_number(qtbot, ws1.panel.hyper_boxes["lr"], "0.01")
    c = ws1.controller
    assert c.start[0] == 0.5 and c.specs[0].name == "gd" and c.specs[0].lr == 0.01

    for _ in range(500):
        if c.finished:
            break
        click_step(qtbot, window)
    assert c.finished
    assert "converged" in window.status_label.text().lower()
    session = c.sessions[0]
    x_last = float(np.ravel(session.current.x)[0])
    assert x_last == pytest.approx(LECTURE_MINIMUM, abs=5e-5)
    # What is drawn is exactly what the engine holds.
    xs, ys = ws1.curve.current.getData()
    assert xs[0] == x_last and ys[0] == pytest.approx(float(session.current.value))
    path_x, _ = ws1.curve.path.getData()
    assert path_x[0] == 0.5 and path_x[-1] == x_last
    assert ws1.table.model().rowCount() == c.cursor + 1
    assert ws1.table.model().index(c.cursor, 0).data() == str(c.cursor)


def test_broken_formula_shows_message_and_keeps_previous_function(ws1, qtbot):
    edit = ws1.panel.formula_edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "x**2 ")
    qtbot.waitUntil(lambda: not ws1.panel.compiling, timeout=5000)  # compiled after a pause in typing
    c = ws1.controller
    assert c.objective.value(np.array([3.0])) == pytest.approx(9.0)
    assert ws1.panel.formula_error.text() == ""
    qtbot.keyClicks(edit, "+ )")
    qtbot.waitUntil(lambda: not ws1.panel.compiling, timeout=5000)
    message = ws1.panel.formula_error.text()
    assert message, "the error is shown under the field"
    assert "column" in message and "previous function is still in use" in message
    assert c.objective.value(np.array([3.0])) == pytest.approx(9.0)
    # The curve still shows x**2.
    xs, ys = ws1.curve.curve.getData()
    assert np.allclose(ys, xs ** 2)


def test_click_on_curve_moves_start(ws1, qtbot):
    vb = ws1.curve.getPlotItem().vb
    target = -1.5
    click_view(qtbot, ws1.curve, vb, target, float(np.mean(vb.viewRange()[1])))
    c = ws1.controller
    span = np.diff(vb.viewRange()[0])[0]
    assert c.start[0] == pytest.approx(target, abs=span / 200)
    assert ws1.panel.start_boxes[0].value() == pytest.approx(c.start[0], abs=1e-6)
    assert c.cursor == 0 and ws1.curve.current.getData()[0][0] == c.start[0]


def test_back_and_history_slider_restore_every_plot(window, ws1, qtbot):
    c = ws1.controller
    for _ in range(10):
        click_step(qtbot, window)
    assert c.cursor == 10
    qtbot.mouseClick(window.step_controls.buttons["back"], Qt.MouseButton.LeftButton)
    session = c.sessions[0]
    it9 = session.history[9]
    assert c.cursor == 9
    assert ws1.curve.current.getData()[0][0] == float(np.ravel(it9.x)[0])
    assert ws1.derivative.current.getData()[1][0] == float(np.ravel(it9.gradient)[0])
    assert ws1.table.model().rowCount() == 10

    window.step_controls.history_slider.setValue(3)
    it3 = session.history[3]
    assert c.cursor == 3
    assert ws1.curve.current.getData()[0][0] == float(np.ravel(it3.x)[0])
    assert len(ws1.curve.path.getData()[0]) == 4
    assert ws1.derivative.current.getData()[1][0] == float(np.ravel(it3.gradient)[0])
    assert ws1.table.model().rowCount() == 4
    assert "iteration 3 of 10" in window.step_controls.position_label.text()
    # Stepping on from an earlier iterate reproduces the same record.
    click_step(qtbot, window)
    assert float(np.ravel(session.current.x)[0]) == float(np.ravel(session.history[4].x)[0])


def test_diverging_run_reports_status_and_stops_without_dialog(window, ws1, qtbot):
    type_number(qtbot, ws1.panel.start_boxes[0], "2")
    type_number(qtbot, ws1.panel.hyper_boxes["lr"], "0.5")
    c = ws1.controller
    window.step_controls.set_speed(2000)
    window.actions.run.trigger()
    assert c.running
    qtbot.waitUntil(lambda: not c.running, timeout=5000)
    assert c.sessions[0].status.state == "diverged"
    assert "diverged" in window.status_label.text().lower()
    assert not window.actions.run.isChecked()
    assert not any(isinstance(w, QMessageBox) and w.isVisible() for w in QApplication.topLevelWidgets())


def test_basins_colour_each_start_by_the_minimum_it_reaches(ws1):
    ws1.update_basins()
    labels = ws1.basins.labels
    minima = [float(np.ravel(point)[0]) for point, _value in ws1.controller.objective.minima]
    assert len(minima) == 2 and set(labels.tolist()) >= {0, 1}
    xs = np.linspace(*ws1.curve.curve.getData()[0][[0, -1]], len(labels))
    for j, m in enumerate(minima):
        near = np.argmin(np.abs(xs - m))
        assert labels[near] == j, f"a start at the minimum x={m} stays in its own basin"


def test_basins_recompute_in_the_background_when_the_method_changes(ws1, qtbot):
    from engine.optimizers import make_spec

    qtbot.waitUntil(lambda: not ws1.basins.runner.busy, timeout=20_000)
    c = ws1.controller
    c.set_optimizer(make_spec("gd", lr=0.002))
    assert ws1.basins.runner.busy, "a new method starts a new basin computation"
    qtbot.waitUntil(lambda: not ws1.basins.runner.busy, timeout=20_000)
    background = ws1.basins.labels.copy()
    c.set_start([0.1])
    assert not ws1.basins.runner.busy, "moving the start point does not change the basins"
    ws1.update_basins()
    assert np.array_equal(ws1.basins.labels, background)


def test_method_shows_only_its_hyperparameters_and_applies_them(ws1, qtbot):
    panel = ws1.panel
    combo = panel.method_combo
    index = combo.findData("adam")
    combo.setCurrentIndex(index)
    combo.activated.emit(index)
    c = ws1.controller
    assert c.specs[0].name == "adam"
    visible = {k for k, box in panel.hyper_boxes.items() if not box.isHidden()}
    assert visible == {"lr", "beta1", "beta2", "eps"}
    type_number(qtbot, panel.hyper_boxes["beta1"], "0.8")
    assert c.specs[0].params["beta1"] == 0.8
    index = panel.schedule_combo.findData("decay")
    panel.schedule_combo.setCurrentIndex(index)
    panel.schedule_combo.activated.emit(index)
    assert c.specs[0].schedule == "decay" and not panel.decay_box.isHidden()
    type_number(qtbot, panel.decay_box, "0.5")
    assert c.specs[0].decay_k == 0.5
    c.step(3)
    assert c.sessions[0].history[3].lr == pytest.approx(c.specs[0].lr / (1 + 0.5 * 2))


def test_finite_difference_derivatives(ws1):
    panel = ws1.panel
    index = panel.deriv_combo.findData("finite")
    panel.deriv_combo.setCurrentIndex(index)
    panel.deriv_combo.activated.emit(index)
    c = ws1.controller
    assert c.derivative_mode == "finite" and not panel.h_box.isHidden()
    g = c.sessions[0].current.gradient[0]
    assert g == pytest.approx(51.0, rel=1e-6) and g != 51.0


def test_run_button_stays_off_when_the_run_has_finished(window, ws1):
    c = ws1.controller
    c.set_start([1.147904355667118])
    c.step(50)
    assert c.finished
    window.actions.run.trigger()
    assert not c.running and not window.actions.run.isChecked()


@pytest.mark.parametrize("dim", [1, 2])
def test_every_preset_loads_and_steps(window, dim):
    from engine import functions

    ws = window.workspace_for_kind("function1d" if dim == 1 else "function2d")
    window.tabs.setCurrentWidget(ws)
    c = ws.controller
    for p in functions.presets_for(dim):
        index = ws.panel.preset_combo.findData(p.name)
        ws.panel.preset_combo.setCurrentIndex(index)
        ws.panel.preset_combo.activated.emit(index)
        assert c.objective.name == p.name
        assert list(c.start) == list(p.default_start)
        c.step(20)
        shown = ws.curve.current.getData()[0][0] if dim == 1 else ws.contour.paths[0].current.getData()[0][0]
        assert shown == c.sessions[0].current.x[0] or not np.isfinite(shown)


def test_a_zero_step_size_is_refused_with_a_message(ws1, qtbot):
    c = ws1.controller
    type_number(qtbot, ws1.panel.hyper_boxes["lr"], "0")
    assert "learning rate must be > 0" in ws1.panel.method_error.text()
    assert c.specs[0].lr == 0.01
    assert ws1.panel.hyper_boxes["lr"].value() == 0.01
    type_number(qtbot, ws1.panel.hyper_boxes["lr"], "0.02")
    assert c.specs[0].lr == 0.02 and ws1.panel.method_error.text() == ""


@pytest.mark.parametrize("text", ["1e308", "x*1e308"])
def test_a_formula_of_huge_values_plots_with_a_finite_range(ws1, text):
    assert ws1.controller.set_formula(text)
    (x0, x1), (y0, y1) = ws1.curve.viewRange()
    assert all(np.isfinite(v) for v in (x0, x1, y0, y1))
    assert all(np.isfinite(v) for v in np.ravel(ws1.derivative.viewRange()))


def test_a_formula_too_slow_to_differentiate_is_refused_within_two_seconds(ws1):
    start = time.perf_counter()
    assert not ws1.controller.set_formula("tanh(asin(x)^999)")
    assert time.perf_counter() - start < 2.5
    assert "too slow to differentiate" in ws1.panel.formula_error.text()


def test_status_before_anything_runs_says_ready_and_what_to_press(window, ws1, qtbot):
    """Nothing runs at the start point: the status says it is ready, not "Running"."""
    choose_lecture_quartic(ws1)
    text = window.status_label.text()
    assert text.startswith("Ready: iteration 0, x = -1, f = -20")
    assert "press Step (Space) or Run" in text and "Running" not in text
    click_step(qtbot, window)
    text = window.status_label.text()
    assert text.startswith("Running: iteration 1") and "press Step" not in text
    qtbot.mouseClick(window.step_controls.buttons["back"], Qt.MouseButton.LeftButton)
    assert window.status_label.text().startswith("Ready: iteration 0")


def test_iterate_numbers_never_touch_near_convergence(window, qtbot):
    """The iterates crowd together as the run converges: the numbers shown never overlap, and
    the newest iterate keeps its number."""
    assert window.open_scenario("resources/scenarios/lecture-quartic-local.json", remember=False)
    window.resize(1280, 800)
    ws = window.current_workspace
    for _ in range(60):
        click_step(qtbot, window)
        shown = [label for label in ws.curve.labels if label.isVisible()]
        rects = [label.sceneBoundingRect() for label in shown]
        touching = [(shown[i].toPlainText(), shown[j].toPlainText())
                    for i in range(len(rects)) for j in range(i) if rects[i].intersects(rects[j])]
        assert not touching, (ws.controller.cursor, touching)
        assert str(ws.controller.cursor) in [label.toPlainText() for label in shown]
        if ws.controller.finished:
            break
    assert ws.controller.finished
