"""View > Predict, then reveal: a class predicts the next values, then reveals them.

Expected numbers are the lecture's, worked by hand: z(1)_1 = 3(0.2) - 2(0.4) + 0.1 = -0.1;
delta(1)_1 = -0.7810 * 0.6 * sigma'(-0.1) = -0.1169, and -0.2226 with sigma(-0.1) = 0.4750 in its
place; on the quartic from x0 = -1 with s = 0.01, f'(-1) = 51 so x_1 = -1.51.
"""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit

import pytest


@pytest.fixture
def dock(window, qtbot):
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    action = next(a for a in window.findChildren(type(window.actions.step)) if a.objectName() == "predict")
    action.trigger()
    qtbot.waitUntil(window.predict.isVisible)
    return window.predict


def predict(qtbot, dock, n, text):
    field = dock.findChild(QLineEdit, f"predict{n}")
    field.clear()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, Qt.Key.Key_Return)
    return dock.findChild(QLabel, f"predictVerdict{n}").text()


def test_the_next_phase_is_shown_as_question_marks_and_a_right_prediction_is_right(window, dock, qtbot):
    assert dock.heading.text() == "Next: Forward: inputs → layer 1, observation 1"
    prompts = [w.text() for w in dock.rows.findChildren(QLabel) if w.text().endswith("= ?")]
    assert len(prompts) == 4 and prompts[0].startswith("z<sup>(1)</sup>")
    assert predict(qtbot, dock, 1, "-0.1").startswith("Right")
    assert predict(qtbot, dock, 1, "0.1").startswith("Not")


def test_a_wrong_delta_names_the_first_factor_that_differs(window, dock, qtbot):
    c = window.current_workspace.controller
    for _ in range(4):
        c.step_granularity("phase")
    assert "layer 2 → layer 1" in dock.heading.text()
    message = predict(qtbot, dock, 1, "-0.2226")
    assert "sigmoid(z) = 0.4750" in message and "sigmoid'(z)" in message and "0.2494" in message
    assert predict(qtbot, dock, 1, "-0.118").startswith("Close")
    assert predict(qtbot, dock, 1, "-0.117").startswith("Right")


def test_reveal_and_the_step_key_take_the_step_and_show_what_it_computed(window, dock, qtbot):
    ws = window.current_workspace
    predict(qtbot, dock, 1, "-0.2")
    qtbot.mouseClick(dock.reveal, Qt.MouseButton.LeftButton)
    assert ws.controller.session.cursor == (0, 1)
    assert "−0.1000" in dock.revealed.text() and "(you: -0.2)" in dock.revealed.text()
    assert dock.heading.text().startswith("Next: Forward: layer 1 → layer 2")
    qtbot.keyClick(window, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: ws.controller.session.cursor == (0, 2))
    assert "0.8095" in dock.revealed.text() and dock.heading.text() == "Next: Loss: observation 1"


def test_on_the_1d_tab_the_next_iterate_is_predicted_with_the_slips_named(window, dock, qtbot):
    assert window.open_scenario("lecture-quartic", remember=False)
    assert "x<sub>1</sub> = ?" in [w.text() for w in dock.rows.findChildren(QLabel)]
    assert predict(qtbot, dock, 1, "-1.51").startswith("Right")
    assert "uphill" in predict(qtbot, dock, 1, "-0.49")
    assert "without the step size" in predict(qtbot, dock, 1, "-52")
    ws = window.current_workspace
    assert ws.controller.sessions[0].cursor == 0  # predicting does not step
    qtbot.mouseClick(dock.reveal, Qt.MouseButton.LeftButton)
    assert ws.controller.sessions[0].cursor == 1 and "x<sub>1</sub> = −1.51 " in dock.revealed.text()
