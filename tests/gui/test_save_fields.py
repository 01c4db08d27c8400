"""Save keeps what a scenario file says about itself: a function preset's title and description
survive a change of formula, Save As and reopening (issue 12), in both descent tabs."""

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog

from gui.window.scenario_files import RESOURCES
from tests.gui.test_tab_files import SaveDialog, type_formula


@pytest.mark.parametrize("preset, formula", [("lecture-quartic.json", "x^2 - 3*x"),
                                             ("rosenbrock-race.json", "x1^2 + 3*x2^2")])
def test_save_as_keeps_a_function_scenarios_title_and_description(window, qtbot, tmp_path, monkeypatch,
                                                                   preset, formula):
    original = json.loads((RESOURCES / preset).read_text(encoding="utf-8"))
    assert original["title"] and original["description"]
    assert window.open_scenario(str(RESOURCES / preset))
    ws = window.current_workspace
    type_formula(qtbot, ws, formula)
    qtbot.waitUntil(lambda: ws.controller.expression_text == formula, timeout=5000)
    target = tmp_path / "mine.json"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog(target))
    window.activateWindow()
    window.tabs.setFocus()
    qtbot.keyClick(window.tabs, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    saved = json.loads(target.read_text(encoding="utf-8"))
    assert saved["function"]["expression"] == formula
    assert (saved["title"], saved["description"]) == (original["title"], original["description"])
    ws.mark_clean()
    assert window.open_scenario(str(target))
    assert (ws.controller.title, ws.controller.description) == (original["title"], original["description"])
    assert ws.controller.expression_text == formula
