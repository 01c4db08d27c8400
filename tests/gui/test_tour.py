"""Help > Lecture tour: a lecturer walks lecture 10 with Page Down / Page Up, station by station."""

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from engine.tours import TourError


def start_tour(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.tour.action.trigger()
    assert window.tour.running and window.tour.index == 0
    return window.tour


def page_down(window, qtbot):
    before = window.tour.index
    qtbot.keyClick(window, Qt.Key.Key_PageDown)
    qtbot.waitUntil(lambda: window.tour.index == before + 1)


def descent(window):
    return window.current_workspace.controller.sessions[0]


def chain_text(window):
    return window.current_workspace.findChild(QLabel, "chainRuleFormula").text().replace("−", "-")


# What each station's caption says is on screen, checked independently of the tour file:
# the kind of tab, and the numbers the lecture gives (lecture 10 and SPEC section 2).
def check_station(window, index):
    ws = window.current_workspace
    bar_title = window.tour.bar.title.text()
    if index == 0:
        s = descent(window)
        assert "1-D" in ws.title and float(np.ravel(s.current.x)[0]) == -1.0 and s.cursor == 0
    elif index == 1:
        assert float(np.ravel(descent(window).current.x)[0]) == pytest.approx(1.148, abs=2e-3)
    elif index == 2:
        s = descent(window)
        assert s.status.state == "diverged" and "0.0156" in s.status.reason
    elif index == 3:
        s = descent(window)
        assert float(np.ravel(s.current.x)[0]) == pytest.approx(0.2217, abs=1e-4)
        assert s.status.state == "converged"
    elif index == 4:
        assert "2-D" in ws.title and descent(window).cursor == 30
    elif index == 5:
        phase = ws.controller.session.last_phase
        assert (phase.kind, phase.layer, phase.observation) == ("backward", 2, 0)
        assert ws.selected == "w(2)[1,1]" and "-0.3710" in chain_text(window)
    elif index == 6:
        phase = ws.controller.session.last_phase
        assert (phase.kind, phase.layer, phase.observation) == ("backward", 1, 0) and ws.selected == "w(1)[1,1]"
    elif index == 7:
        phase = ws.controller.session.last_phase
        assert (phase.kind, phase.layer, phase.observation) == ("backward", 1, 1)
    elif index == 8:
        assert ws.controller.session.last_phase.kind == "update"
    elif index == 9:
        assert "1-D" in ws.title and window.current_workspace.controller.expression_text == "(1.2 - x)^2"
    elif index == 10:
        assert "exp(-x)" in window.current_workspace.controller.expression_text
    elif index == 11:
        assert ws.selected == "w(1)[1,1]" and "-0.3506" in chain_text(window)
    assert bar_title


def test_page_down_walks_every_station_and_each_sets_what_its_caption_describes(window, qtbot):
    tour = start_tour(window, qtbot)
    check_station(window, 0)
    for index in range(1, len(tour.tour.stations)):
        page_down(window, qtbot)
        check_station(window, index)
        assert window.tour.bar.position.text() == f"Station {index + 1} of {len(tour.tour.stations)}"
    assert not window.tour.bar.next.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_PageUp)
    qtbot.waitUntil(lambda: window.tour.index == len(tour.tour.stations) - 2)
    check_station(window, window.tour.index)


def test_ending_the_tour_gives_the_page_keys_back_to_stepping(window, qtbot):
    start_tour(window, qtbot)
    window.tour.go(5)
    qtbot.mouseClick(window.tour.bar.findChild(QPushButton, "tourClose"), Qt.MouseButton.LeftButton)
    assert not window.tour.running and not window.tour.bar.isVisible()
    ws = window.current_workspace
    before = ws.controller.session.cursor
    qtbot.keyClick(window, Qt.Key.Key_PageDown)  # a clicker's forward key steps again
    qtbot.waitUntil(lambda: ws.controller.session.cursor != before)


def test_a_tour_does_not_replace_unsaved_work_without_asking(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    window.current_workspace.mark_dirty()
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Cancel)
    window.tour.action.trigger()
    assert asked and not window.tour.running


def test_next_asks_before_it_replaces_what_was_changed_at_a_station(window, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    start_tour(window, qtbot)
    ws = window.current_workspace
    box = ws.panel.start_boxes[0]
    box.setFocus()
    box.selectAll()
    qtbot.keyClicks(box, "0.3")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: ws.is_dirty)
    answers = [QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Discard]
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a[2]) or answers.pop(0))
    window.tour.next()  # Cancel: the station and the edit stay
    assert window.tour.index == 0 and ws.controller.start[0] == 0.3 and "unsaved" in asked[0]
    window.tour.next()  # Discard: on to the next station
    assert window.tour.index == 1 and len(asked) == 2
    check_station(window, 1)


def test_a_bad_tour_file_is_reported_and_nothing_changes(window, qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QFileDialog

    bad = tmp_path / "mine.json"
    bad.write_text('{"format": "stepwise-tour", "version": 1, "stations": [{"title": "x"}]}')
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bad), ""))
    window.tour.ask_open()
    assert window.last_error[0] == "Could not open tour"
    assert "stations[0]" in window.last_error[1] and "mine.json" in window.last_error[1]
    assert not window.tour.running
