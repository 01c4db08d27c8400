"""The iterate table and the nudge table: context menu Copy / Save as CSV…, and Edit > Copy (Ctrl+C)
while the table has the focus."""

import csv

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from tests.gui.conftest import select_workspace


def _menu_texts(view):
    return [a.text() for a in view.actions()]


def _quartic(window):
    assert window.open_scenario("lecture-quartic", remember=False)
    ws = select_workspace(window, "function1d")
    ws.controller.step(2)
    return ws


def test_ctrl_c_copies_the_whole_iterate_table(window, qtbot):
    ws = _quartic(window)
    table = ws.table
    assert table.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    assert _menu_texts(table) == ["Copy", "Save as CSV…"]
    QGuiApplication.clipboard().clear()
    window.activateWindow()
    table.setFocus()
    qtbot.waitUntil(table.hasFocus)
    qtbot.keyClick(table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    lines = QGuiApplication.clipboard().text().splitlines()
    assert lines[0].split("\t") == ["i", "xᵢ", "f(xᵢ)", "f′(xᵢ)", "sᵢ", "f″(xᵢ)", "step"]
    rows = [line.split("\t") for line in lines[1:]]
    assert [r[0] for r in rows] == ["0", "1", "2"]
    # f(x) = 3x^4 + 5x^3 - 20x^2 + 8x + 10 from x0 = -1: f = -20, f' = 51; x1 = -1 - 0.01 * 51
    assert float(rows[0][1]) == -1.0 and float(rows[0][2]) == -20.0 and float(rows[0][3]) == 51.0
    assert float(rows[1][1]) == -1.51


def test_save_as_csv_writes_the_table_and_reports_a_failure(window, monkeypatch, tmp_path):
    ws = _quartic(window)
    save = next(a for a in ws.table.actions() if a.text() == "Save as CSV…")
    out = tmp_path / "iterates.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), ""))
    save.trigger()
    rows = list(csv.reader(out.open(encoding="utf-8")))
    assert rows[0][0] == "i" and len(rows) == 4 and float(rows[3][1]) < float(rows[2][1]) < -1.0
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "no" / "x.csv"), ""))
    save.trigger()
    assert window.last_error[0] == "Could not save the table"
    assert "No such file or directory" in window.last_error[1]


def test_the_nudge_tables_copy_has_the_parameter_names(window, network_ws):
    network_ws.controller.step(1)
    grid = network_ws.findChild(type(network_ws.nudge.table), "nudgeGrid")
    assert _menu_texts(grid) == ["Copy", "Save as CSV…"]
    QGuiApplication.clipboard().clear()
    next(a for a in grid.actions() if a.text() == "Copy").trigger()
    lines = QGuiApplication.clipboard().text().splitlines()
    labels = [line.split("\t")[0] for line in lines[1:]]
    assert labels == ["residual e", "w(1)[1,1]", "w(1)[1,2]", "b(1)[1]", "w(1)[2,1]", "w(1)[2,2]", "b(1)[2]",
                      "w(2)[1,1]", "w(2)[1,2]", "b(2)[1]"]
    # d output / d b(2)[1] = 1 for the linear output, for both observations
    b2 = lines[-1].split("\t")
    assert b2[1] == "1" and b2[3] == "1"
    assert len(lines[0].split("\t")) == grid.columnCount() + 1
