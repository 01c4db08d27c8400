"""Edit > Undo / Redo of the descent tabs' edits (Ctrl+Z, Ctrl+Shift+Z), driven like a person."""

import shutil

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from gui.window.scenario_files import RESOURCES
from tests.gui.conftest import select_workspace
from tests.gui.test_descent1d import type_number
from tests.gui.test_tab_files import Question, choose, type_formula


def press(qtbot, window, key, modifiers=Qt.KeyboardModifier.ControlModifier) -> None:
    """A shortcut as a person presses it, with the window active and no text field focused."""
    window.activateWindow()
    window.tabs.setFocus()
    qtbot.keyClick(window.tabs, key, modifiers)


def undo(qtbot, window) -> None:
    press(qtbot, window, Qt.Key.Key_Z)


def redo(qtbot, window) -> None:
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)


def test_ctrl_z_undoes_a_learning_rate_change_and_ctrl_shift_z_redoes_it(window, ws1, qtbot):
    box = ws1.panel.hyper_boxes["lr"]
    assert ws1.controller.specs[0].lr == 0.01
    type_number(qtbot, box, "0.05")
    assert ws1.controller.specs[0].lr == 0.05
    assert window.edit_menu.undo.text() == "&Undo Change learning rate"
    undo(qtbot, window)
    assert ws1.controller.specs[0].lr == 0.01 and box.value() == 0.01
    assert not ws1.is_dirty
    redo(qtbot, window)
    assert ws1.controller.specs[0].lr == 0.05 and box.value() == 0.05
    assert ws1.is_dirty


def test_typing_a_formula_is_one_undo_step(window, ws1, qtbot):
    c = ws1.controller
    assert c.preset_name == "lecture_quartic"
    type_formula(qtbot, ws1, "x^2 - 3*x")
    assert c.expression_text == "x^2 - 3*x"
    assert ws1.undo_stack.count() == 1
    undo(qtbot, window)
    assert c.preset_name == "lecture_quartic" and c.expression_text == ""
    assert ws1.panel.preset_combo.currentData() == "lecture_quartic"
    redo(qtbot, window)
    assert c.expression_text == "x^2 - 3*x" and ws1.panel.formula_edit.text() == "x^2 - 3*x"


def test_each_setting_undoes_in_turn(window, ws1, qtbot):
    c = ws1.controller
    type_number(qtbot, ws1.panel.start_boxes[0], "0.5")
    choose(ws1.panel.method_combo, "momentum")
    choose(ws1.panel.deriv_combo, "finite")
    assert (c.start[0], c.specs[0].name, c.derivative_mode) == (0.5, "momentum", "finite")
    undo(qtbot, window)
    assert (c.start[0], c.specs[0].name, c.derivative_mode) == (0.5, "momentum", "exact")
    undo(qtbot, window)
    assert (c.start[0], c.specs[0].name) == (0.5, "gd")
    assert ws1.panel.method_combo.currentData() == "gd"
    undo(qtbot, window)
    assert c.start[0] == -1.0 and ws1.panel.start_boxes[0].value() == -1.0
    assert not window.edit_menu.undo.isEnabled()


def test_racing_optimizers_undo_and_redo(window, ws2, qtbot):
    c = ws2.controller
    qtbot.mouseClick(ws2.panel.add_button, Qt.MouseButton.LeftButton)
    assert len(c.specs) == 2 and ws2.panel.race_list.count() == 2
    undo(qtbot, window)
    assert len(c.specs) == 1 and ws2.panel.race_list.count() == 1
    redo(qtbot, window)
    assert len(c.specs) == 2 and ws2.contour is not None


def test_undo_back_to_the_saved_work_is_clean(window, qtbot, tmp_path):
    path = tmp_path / "quartic.json"
    shutil.copy(RESOURCES / "lecture-quartic.json", path)
    assert window.open_scenario(str(path))
    ws1 = window.current_workspace
    assert not window.edit_menu.undo.isEnabled()
    type_number(qtbot, ws1.panel.start_boxes[0], "0.5")
    assert window.save_to(str(path)) and not ws1.is_dirty
    type_number(qtbot, ws1.panel.start_boxes[0], "0.25")
    assert ws1.is_dirty and window.isWindowModified()
    undo(qtbot, window)
    assert ws1.controller.start[0] == 0.5 and not ws1.is_dirty and not window.isWindowModified()
    undo(qtbot, window)
    assert ws1.controller.start[0] == -1.0 and ws1.is_dirty  # before the save: not what the file holds
    redo(qtbot, window)
    assert not ws1.is_dirty


def test_opening_a_file_starts_a_fresh_history(window, ws1, qtbot, tmp_path, monkeypatch):
    type_number(qtbot, ws1.panel.start_boxes[0], "0.5")
    assert ws1.undo_stack.count() == 1
    question = Question(QMessageBox.StandardButton.Discard)
    monkeypatch.setattr(QMessageBox, "question", question)
    assert window.open_scenario(str(RESOURCES / "lecture-quartic-local.json"))
    assert ws1.undo_stack.count() == 0 and not window.edit_menu.undo.isEnabled()
    assert len(question.asked) == 1


def test_undo_acts_on_the_current_tab_only_and_stepping_is_not_undone(window, ws1, qtbot):
    type_number(qtbot, ws1.panel.start_boxes[0], "0.5")
    window.actions.step.trigger()
    window.actions.step.trigger()
    assert ws1.undo_stack.count() == 1 and ws1.controller.cursor == 2
    ws2 = select_workspace(window, "function2d")
    assert not window.edit_menu.undo.isEnabled()
    undo(qtbot, window)
    assert ws1.controller.start[0] == 0.5 and ws2.undo_stack.count() == 0
    select_workspace(window, "network")
    assert not window.edit_menu.undo.isEnabled() and not window.edit_menu.redo.isEnabled()
    select_workspace(window, "function1d")
    assert window.edit_menu.undo.isEnabled()
    undo(qtbot, window)
    assert ws1.controller.start[0] == -1.0


def test_edit_menu_sits_after_file(window):
    titles = [a.text() for a in window.menuBar().actions()]
    assert titles[:3] == ["&File", "&Edit", "&Run"]
    assert window.edit_menu.undo.shortcut().toString() == "Ctrl+Z"
    assert window.edit_menu.redo.shortcut().toString() == "Ctrl+Shift+Z"
