"""Back and the history slider at every granularity, driven like a lecturer: buttons and the slider,
checked against what the node labels, the chain rule and the nudge table show."""

from __future__ import annotations

import re

from PySide6 import QtCore

from tests.gui.test_network_lecture import label_text, press


def shown(ws) -> dict:
    """What the audience sees of the step: the phase, every node label, the chain rule, the nudge table."""
    nudge = ws.nudge.table
    return {
        "phase": ws.steps.phase_label.text(),
        "labels": [label.textItem.toPlainText() for label in ws.view._labels],
        "chain": ws.chain.formula_text(),
        "nudge": [nudge.item(r, c).text() if nudge.item(r, c) else ""
                  for r in range(nudge.rowCount()) for c in range(nudge.columnCount())],
    }


def test_back_is_enabled_in_the_middle_of_an_iteration_and_phase_restores_the_view(qtbot, network_ws):
    ws = network_ws
    back = ws.steps.buttons["back"]
    assert not back.isEnabled()  # nothing to go back to yet
    press(qtbot, ws, "phase", 2)
    after_two = shown(ws)
    press(qtbot, ws, "phase")
    after_three = shown(ws)
    assert after_three != after_two
    assert ws.controller.session.cursor == (0, 3)
    assert back.isEnabled()
    qtbot.mouseClick(back, QtCore.Qt.MouseButton.LeftButton)
    assert ws.controller.session.cursor == (0, 2)
    assert shown(ws) == after_two
    press(qtbot, ws, "phase")
    assert shown(ws) == after_three
    press(qtbot, ws, "back", 3)
    assert ws.controller.session.cursor == (0, 0) and not back.isEnabled()


def test_back_is_enabled_mid_iteration_after_observation_steps(qtbot, network_ws):
    ws = network_ws
    press(qtbot, ws, "observation")
    after_one = shown(ws)
    press(qtbot, ws, "observation")
    assert ws.steps.buttons["back"].isEnabled()
    press(qtbot, ws, "back")
    assert shown(ws) == after_one
    press(qtbot, ws, "back")
    assert ws.controller.session.cursor == (0, 0)
    assert not ws.steps.buttons["back"].isEnabled()


def test_history_slider_scrubs_phases_when_stepping_by_phase(qtbot, network_ws):
    ws = network_ws
    slider = ws.steps.history
    views = [shown(ws)]
    for _ in range(3):
        press(qtbot, ws, "phase")
        views.append(shown(ws))
    assert (slider.minimum(), slider.maximum(), slider.value()) == (0, 3, 3)
    assert ws.steps.position_label.text() == "phase 3 of 3, iteration 0"
    slider.setValue(1)  # dragged back one notch at a time, as a hand would
    assert ws.controller.session.cursor == (0, 1)
    assert shown(ws) == views[1]
    assert slider.maximum() == 3  # the phases visited stay on the slider
    slider.setValue(3)
    assert shown(ws) == views[3]
    slider.setValue(0)
    assert shown(ws) == views[0] and not ws.steps.buttons["back"].isEnabled()


def test_history_slider_counts_every_phase_of_earlier_iterations(qtbot, network_ws):
    ws = network_ws
    session = ws.controller.session
    per_iteration = session.n_phases(0)  # 2 observations x (2 layers forward, loss, 2 back) + update
    press(qtbot, ws, "iteration", 2)
    assert ws.steps.history.maximum() == 2  # iteration granularity: one notch per iteration
    press(qtbot, ws, "phase")
    assert ws.steps.history.maximum() == 2 * per_iteration + 1
    ws.steps.history.setValue(per_iteration + 4)
    assert session.cursor == (1, 4)
    assert "observation 1" in ws.steps.phase_label.text()
    assert re.search(r"δ\(2\)1 = -?\d", label_text(ws, 2, 0))  # its backward phase is done
    assert label_text(ws, 1, 0).rstrip().endswith("δ(1)1 =")  # layer 1's is not
    press(qtbot, ws, "back")  # Back still goes by phase after the slider
    assert session.cursor == (1, 3)


def test_history_slider_counts_iterations_when_stepping_by_iteration(qtbot, network_ws):
    ws = network_ws
    press(qtbot, ws, "iteration", 3)
    slider = ws.steps.history
    assert (slider.maximum(), slider.value()) == (3, 3)
    assert ws.steps.position_label.text() == "iteration 3 of 3"
    slider.setValue(1)
    assert ws.controller.session.cursor == (1, 0)
    assert ws.steps.buttons["back"].isEnabled()
