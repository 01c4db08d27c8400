"""The main window: workspaces, files (open/save/errors), shortcuts, fonts, the exception hook."""

import json

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from engine.scenario import load_scenario
from gui.app import ExceptionHook
from tests.gui.conftest import select_workspace


def test_workspace_tabs_and_dock(window):
    titles = [window.tabs.tabText(i) for i in range(window.tabs.count())]
    assert titles == ["1-D descent", "2-D descent", "Network"]
    assert window.settings_dock.objectName() == "settingsDock"
    view_menu = [m for m in window.menuBar().findChildren(type(window.recent_menu))
                 if m.title() == "&View"][0]
    assert window.settings_dock.toggleViewAction() in view_menu.actions()
    for kind in ("function1d", "function2d"):
        ws = select_workspace(window, kind)
        assert window.side_stack.currentWidget().widget() is ws.side_panel()
        assert window.status_label.text() == ws.controller.status_text != ""


def test_shortcuts_are_the_documented_ones(window):
    a = window.actions
    assert a.step.shortcut().toString() == "Space"
    assert a.run.shortcut().toString() == "Shift+Space"
    assert a.back.shortcut().toString() == "Backspace"
    assert a.reset.shortcut().toString() == "Ctrl+R"
    assert a.open.shortcut().toString() == "Ctrl+O"
    assert a.save.shortcut().toString() == "Ctrl+S"


def test_step_back_reset_actions_drive_the_current_workspace(window, ws1):
    c = ws1.controller
    window.actions.step.trigger()
    window.actions.step.trigger()
    assert c.cursor == 2
    window.actions.back.trigger()
    assert c.cursor == 1
    window.actions.reset.trigger()
    assert c.cursor == 0 and c.history_length == 1


def write(path, obj):
    path.write_text(json.dumps(obj) if not isinstance(obj, str) else obj, encoding="utf-8")
    return str(path)


def test_open_broken_scenario_shows_message_and_keeps_work(window, ws1, tmp_path):
    c = ws1.controller
    c.set_start([0.75])
    c.step(4)
    before = (c.start.copy(), c.cursor, c.objective.expression)
    bad = write(tmp_path / "bad.json", {"format": "stepwise-scenario", "version": 1,
                                        "kind": "function1d", "function": {"preset": "lecture_quartic"},
                                        "start": [1, 2], "optimizer": {"name": "gd", "lr": 0.01}})
    assert window.open_scenario(bad) is False
    headline, detail = window.last_error
    assert headline == "Could not open scenario"
    assert "start" in detail and "bad.json" in detail
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None and box.isVisible() and box.text() == headline
    assert box.informativeText() == detail
    box.close()
    assert window.current_workspace is ws1
    assert (c.start[0], c.cursor, c.objective.expression) == (before[0][0], before[1], before[2])

    not_json = write(tmp_path / "notjson.json", "{ this is not json")
    assert window.open_scenario(not_json) is False
    assert "line 1" in window.last_error[1]
    assert c.cursor == 4


def test_open_and_save_round_trip(window, tmp_path):
    path = write(tmp_path / "race.json", {
        "format": "stepwise-scenario", "version": 1, "kind": "function2d", "title": "t",
        "function": {"expression": "x1^2 + 3*x2^2"}, "start": [1.5, -1.0],
        "optimizer": {"name": "gd", "lr": 0.05}, "compare": [{"name": "adam", "lr": 0.1}]})
    assert window.open_scenario(path)
    ws = window.current_workspace
    assert ws.kinds == ("function2d",)
    c = ws.controller
    assert list(c.start) == [1.5, -1.0] and [s.name for s in c.specs] == ["gd", "adam"]
    assert c.objective.value(np.array([1.0, 1.0])) == pytest.approx(4.0)
    assert not ws.is_dirty
    c.set_start([0.5, 0.5])
    assert ws.is_dirty
    out = tmp_path / "saved.json"
    assert window.save_to(str(out))
    assert not ws.is_dirty
    again = load_scenario(out)
    assert again.start == (0.5, 0.5) and again.function.expression == "x1^2 + 3*x2^2"
    assert [s.name for s in (again.optimizer, *again.compare)] == ["gd", "adam"]
    assert window.recent.paths()[0] == str(out)
    assert window.recent_menu.actions()[0].text() == str(out)


def test_font_size_actions(window):
    size = QApplication.font().pointSize()
    window.actions.font_bigger.trigger()
    assert QApplication.font().pointSize() == size + 1
    ws = select_workspace(window, "function2d")
    axis = ws.loss.getPlotItem().getAxis("bottom")
    assert axis.labelStyle["font-size"] == f"{size + 1}pt" and axis.labelText == "iteration i"
    assert axis.style["tickFont"].pointSize() == size
    window.actions.font_smaller.trigger()
    window.actions.font_smaller.trigger()
    assert QApplication.font().pointSize() == size - 1


def test_export_plot_png_and_svg(window, ws2, tmp_path):
    window.export_plot(str(tmp_path / "plot.png"), "png")
    window.export_plot(str(tmp_path / "plot.svg"), "svg")
    assert (tmp_path / "plot.png").stat().st_size > 1000
    assert "<svg" in (tmp_path / "plot.svg").read_text(encoding="utf-8")[:2000]


def test_space_key_steps_the_current_workspace(window, ws1, qtbot):
    window.activateWindow()
    window.tabs.setFocus()
    qtbot.keyClick(window.tabs, Qt.Key.Key_Space)
    assert ws1.controller.cursor == 1


class CountingHook(ExceptionHook):
    """The real hook with the dialog replaced by a counter (the dialog itself is modal)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.shown = []

    def show(self, message):
        self.shown.append(message)


def test_exception_hook_logs_every_error_but_shows_one_dialog(app):
    hook = CountingHook(min_interval_s=60)
    for i in range(5):
        try:
            raise RuntimeError(f"boom {i}")
        except RuntimeError as exc:
            hook(type(exc), exc, exc.__traceback__)
    assert hook.count == 5
    assert hook.shown == ["boom 0"]
    assert hook.log_path is not None
    text = hook.log_path.read_text(encoding="utf-8")
    assert "RuntimeError: boom 4" in text


def test_lazy_launch_builds_the_descent_workspaces_after_showing(app, qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from gui.window.main_window import MainWindow
    from gui.descent.workspace_1d import Descent1DWorkspace

    w = MainWindow(None, settings=QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat),
                   lazy=True)
    try:
        w.show()
        qtbot.waitUntil(lambda: isinstance(w.workspaces[0], Descent1DWorkspace), timeout=10_000)
        assert w.tabs.widget(0) is w.workspaces[0]
        assert w.side_stack.widget(0).widget() is w.workspaces[0].side_panel()
        w.tabs.setCurrentIndex(0)
        w.actions.step.trigger()
        assert w.workspaces[0].controller.cursor == 1
        assert w.status_label.text() == w.workspaces[0].controller.status_text
    finally:
        for ws in w.workspaces:
            ws.mark_clean()
        w.close()


def test_every_function_scenario_in_resources_opens_and_steps(window):
    from gui.window.main_window import RESOURCES

    opened = 0
    for path in sorted(RESOURCES.glob("*.json")):
        kind = json.loads(path.read_text(encoding="utf-8")).get("kind")
        if kind not in ("function1d", "function2d"):
            continue
        assert window.open_scenario(str(path)), window.last_error
        ws = window.current_workspace
        assert kind in ws.kinds
        scenario = load_scenario(path)
        assert tuple(ws.controller.start) == scenario.start
        ws.controller.step(5)
        assert ws.controller.cursor <= 5 and ws.controller.history_length >= 2
        opened += 1
    assert opened >= 3


def test_render_screenshot_writes_the_window(app, tmp_path):
    from PySide6.QtGui import QImage

    from gui.window.main_window import RESOURCES
    from gui.screenshot import WINDOW_SIZE, ScreenshotError, render_screenshot

    out = tmp_path / "shot.png"
    render_screenshot(str(RESOURCES / "lecture-quartic.json"), 3, str(out), "descent1d")
    image = QImage(str(out))
    assert (image.width(), image.height()) == WINDOW_SIZE
    with pytest.raises(ScreenshotError, match="unknown workspace"):
        render_screenshot(str(RESOURCES / "lecture-quartic.json"), 3, str(out), "sideways")
    with pytest.raises(ScreenshotError, match="Could not open"):
        render_screenshot(str(tmp_path / "missing.json"), 3, str(out))


def test_quit_with_unsaved_changes_asks_and_cancel_keeps_the_window(window, ws1, qtbot):
    from PySide6.QtCore import QTimer

    ws1.controller.set_start([0.25])
    assert ws1.is_dirty
    asked = []

    def answer_cancel():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            asked.append(box.text())
            box.button(QMessageBox.StandardButton.Cancel).click()
        else:
            QTimer.singleShot(20, answer_cancel)

    QTimer.singleShot(20, answer_cancel)
    assert window.close() is False
    assert asked == ["1-D descent has unsaved changes. Save them before quitting?"]
    assert window.isVisible() and ws1.controller.start[0] == 0.25


def test_shift_space_runs_and_pauses(window, ws1, qtbot):
    window.activateWindow()
    window.tabs.setFocus()
    qtbot.keyClick(window.tabs, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)
    assert ws1.controller.running and window.actions.run.text() == "Pause"
    qtbot.keyClick(window.tabs, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)
    assert not ws1.controller.running and window.actions.run.text() == "Run"


from hypothesis import given, strategies as st  # noqa: E402

from gui.window.step_controls import slider_from_speed, speed_from_slider  # noqa: E402
from engine.numbers import format_number  # noqa: E402
from gui.common.style import decimate, rich_number  # noqa: E402


@given(st.integers(0, 1000))
def test_speed_slider_is_log_scaled_from_1_to_5000(position):
    speed = speed_from_slider(position)
    assert 1.0 <= speed <= 5000.0 + 1e-9
    assert slider_from_speed(speed) == position


@given(st.integers(1, 300_000), st.integers(2, 3000))
def test_decimate_keeps_first_and_last_and_stays_small(n, limit):
    idx = decimate(n, limit)
    assert idx[0] == 0 and idx[-1] == n - 1
    assert len(idx) <= limit + 1
    assert (idx.size == 1) or bool((idx[1:] > idx[:-1]).all())


@pytest.mark.parametrize("value, text, rich", [
    (1.14790435, "1.148", "1.148"), (-96.81168, "-96.81", "−96.81"), (0.0, "0", "0"),
    (1.99e-6, "1.99e-6", "1.99e−6"), (1.9900001e-6, "1.990e-6", "1.990e−6"), (float("inf"), "inf", "∞"), (float("-inf"), "-inf", "−∞"),
    (float("nan"), "nan", "NaN"), (123456.0, "1.235e5", "1.235e5")])
def test_numbers_are_shown_with_four_significant_figures(value, text, rich):
    """Tables and the status bar show the engine's text; rich-text labels typeset it."""
    assert format_number(value) == text
    assert rich_number(value) == rich


def test_lecture_notation_as_rich_text():
    from engine.notation import Derivative, Formula, Math, Symbol
    from gui.network.parameter_table import html_name
    from gui.common.style import rich

    assert rich(Symbol("w", 1, (1, 2))) == "w<sup>(1)</sup><sub>12</sub>"
    assert rich(Derivative(Symbol("R"), Symbol("delta", 2, (1,)))) == "∂R/∂δ<sup>(2)</sup><sub>1</sub>"
    assert rich((Math("-2("), 1.2, Math(" - "), 0.80948, Math(")"))) == "−2(1.2 − 0.8095)"
    assert rich(("cross-entropy: ", Formula("1 if z > 0 else -1"))) == "cross-entropy: 1 if z &gt; 0 else −1"
    assert html_name("w(1)[12,3]") == "w<sup>(1)</sup><sub>12,3</sub>"
    assert html_name("b(2)[1]") == "b<sup>(2)</sup><sub>1</sub>"
    assert html_name("not a name") == "not a name"


def test_font_size_and_speed_are_remembered(app, tmp_path):
    from PySide6.QtCore import QSettings

    from gui.window.main_window import MainWindow

    ini = str(tmp_path / "remember.ini")
    first = MainWindow(None, settings=QSettings(ini, QSettings.Format.IniFormat))
    first.set_font_size(17)
    first.step_controls.set_speed(500)
    for ws in first.workspaces:
        ws.mark_clean()
    first.close()
    second = MainWindow(None, settings=QSettings(ini, QSettings.Format.IniFormat))
    try:
        assert second._font_size == 17 and QApplication.font().pointSize() == 17
        assert second.step_controls.speed() == pytest.approx(500, rel=0.01)
        assert second.workspaces[0].controller.speed == pytest.approx(second.step_controls.speed())
    finally:
        second.set_font_size(13)
        for ws in second.workspaces:
            ws.mark_clean()
        second.close()


def test_switching_tabs_pauses_the_run_and_resets_the_button(window, ws1):
    window.actions.run.trigger()
    assert ws1.controller.running and window.actions.run.isChecked()
    select_workspace(window, "function2d")
    assert not ws1.controller.running
    assert not window.actions.run.isChecked() and window.actions.run.text() == "Run"


def test_network_workspace_has_one_set_of_step_controls_and_fits_a_projector(qtbot):
    """The Network tab brings its own phase/observation/iteration bar: the shared bar hides, and
    the window fits a 1280x800 projector."""
    from gui.window.main_window import MainWindow

    window = MainWindow("resources/scenarios/lecture-backprop.json")
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    network = window.workspace_for_kind("network")
    window.tabs.setCurrentWidget(network)
    assert not window.step_controls.isVisible()
    assert network.steps.isVisible()
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 760, hint
    window.tabs.setCurrentWidget(window.workspace_for_kind("function1d"))
    assert window.step_controls.isVisible()
    for ws in window.workspaces:
        ws.mark_clean()


def test_status_line_keeps_its_size_when_its_text_changes(window):
    """A status label that resizes with its text re-lays out the whole window on every run frame."""
    label = window.status_label
    before = label.size()
    label.setText("Diverged at iteration 4: |x| exceeded 1e+06 — the step 0.05 is above the stability "
                  "limit 2/f''(x*) = 0.0156 at the minimum x* = -2.6196; try a smaller learning rate " * 2)
    assert label.sizeHint().height() <= before.height() or label.maximumHeight() == before.height()
    label.setText("Iteration 1")
    assert label.minimumHeight() == label.maximumHeight() == before.height()


def test_opening_a_typed_formula_scenario_shows_that_formula(window, tmp_path):
    path = tmp_path / "typed.json"
    path.write_text('{"format": "stepwise-scenario", "version": 1, "kind": "function1d", "title": "typed",'
                    ' "function": {"expression": "x^4 - 3x^2 + 2x"}, "start": [0.2],'
                    ' "optimizer": {"name": "gd", "lr": 0.02}}')
    assert window.open_scenario(str(path))
    ws = window.workspace_for_kind("function1d")
    assert window.current_workspace is ws
    assert ws.panel.formula_edit.text() == "x^4 - 3x^2 + 2x"
    assert "4·x³" in ws.panel.derivatives_label.text().replace("<sup>3</sup>", "³")
