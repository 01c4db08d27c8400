"""File > Export > As script…: the dialog, the file written, and the script it holds runs alone and prints
the trace of the tab's scenario (the engine's, computed here)."""

import json
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QMenu

from engine.trace import scenario_trace
from tests.gui.conftest import select_workspace
from tests.gui.test_tab_files import SaveDialog


def script_action(window):
    """File > Export > As script… (or File > Export as script… where the File menu has no Export
    submenu), found in the menus as a person would."""
    file_menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "File")
    assert isinstance(file_menu, QMenu)
    menus = [file_menu] + [a.menu() for a in file_menu.actions() if a.menu()]
    found = [a for menu in menus for a in menu.actions()
             if a.text().replace("&", "") in ("As script…", "Export as script…")]
    assert len(found) == 1, [a.text() for menu in menus for a in menu.actions()]
    assert found[0].isEnabled()
    return found[0]


def answer_dialog(qtbot, window, form: str, steps: int):
    """Choose the form and type the number of updates in the open dialog, then press OK."""
    dialog = window.script_export.dialog
    assert dialog is not None and dialog.isVisible()
    dialog.form.setCurrentIndex(dialog.form.findData(form))
    dialog.steps.selectAll()
    qtbot.keyClicks(dialog.steps, str(steps))
    qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)


def run_script(path) -> dict:
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


def assert_close(got, want):
    if isinstance(want, dict):
        for key in want:
            assert_close(got[key], want[key])
    elif isinstance(want, list):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert_close(g, w)
    elif isinstance(want, float):
        assert got == pytest.approx(want, rel=1e-9, abs=1e-9)
    else:
        assert got == want


def test_export_the_network_tab_as_a_numpy_script(window, network_ws, qtbot, tmp_path, monkeypatch):
    network_ws.controller.set_parameter("w(1)[1,1]", 0.75)  # the tab's current settings are what is written
    target = tmp_path / "lecture.py"
    dialog = SaveDialog(target)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    script_action(window).trigger()
    answer_dialog(qtbot, window, "numpy", 4)
    assert dialog.captions == ["Export as script"]
    assert target.exists()
    got = run_script(target)
    want = scenario_trace(network_ws.to_scenario(), 4)
    assert got["steps"][0]["parameters"]["w(1)[1,1]"] == 0.75
    assert [s["step"] for s in got["steps"]] == [0, 1, 2, 3, 4]
    assert_close(got, want)


def test_a_function_tab_offers_numpy_only(window, qtbot, tmp_path, monkeypatch):
    ws = select_workspace(window, "function1d")
    target = tmp_path / "quartic.py"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog(target))
    script_action(window).trigger()
    dialog = window.script_export.dialog
    pytorch = dialog.form.model().item(dialog.form.findData("pytorch"))
    assert not pytorch.isEnabled() and dialog.chosen_form == "numpy"
    answer_dialog(qtbot, window, "numpy", 6)
    got = run_script(target)
    want = scenario_trace(ws.to_scenario(), 6)
    assert got["status"] == want["status"]
    assert_close(got["steps"], want["steps"])


def test_cancel_writes_nothing_and_a_failed_write_says_why(window, network_ws, qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog())  # Cancel in the file dialog
    script_action(window).trigger()
    answer_dialog(qtbot, window, "pytorch", 2)
    assert not any(p.suffix == ".py" for p in tmp_path.rglob("*"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog(tmp_path / "missing" / "x.py"))
    script_action(window).trigger()
    answer_dialog(qtbot, window, "pytorch", 2)
    assert window.last_error is not None
    headline, detail = window.last_error
    assert headline == "Could not export script" and "No such file or directory" in detail
