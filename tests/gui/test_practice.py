"""Help > Practice exercises: a student types answers, presses Enter, and reads the verdicts."""

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton


def open_practice(window, qtbot, seed=3):
    action = window.practice.action
    action.trigger()
    practice = window.practice.practice
    qtbot.waitExposed(practice)
    practice.seed.setValue(seed)
    return practice


def hand_z11(practice):
    sc = practice.exercise.scenario_dict()
    layer = sc["network"]["layers"][0]
    x = np.asarray(sc["data"]["inputs"][0])
    return float(np.dot(layer["weights"][0], x) + layer["biases"][0])


def test_the_help_menu_opens_the_practice_window_with_a_sheet_and_questions(window, qtbot):
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "Help")
    assert "Practice exercises…" in [a.text().replace("&", "") for a in help_menu.actions()]
    practice = open_practice(window, qtbot)
    assert "Weights and biases" in practice.sheet.toPlainText()
    assert "Answer" not in practice.sheet.toPlainText()
    fields = practice.questions.findChildren(QLineEdit)
    assert len(fields) == len(practice.exercise.questions) >= 8
    assert practice.score.text().startswith("0 of")


def test_typing_the_right_value_and_enter_says_right(window, qtbot):
    practice = open_practice(window, qtbot)
    field = practice.findChild(QLineEdit, "answer1")
    qtbot.keyClicks(field, f"{hand_z11(practice):.4g}")
    qtbot.keyClick(field, Qt.Key.Key_Return)
    verdict = practice.findChild(QLabel, "verdict1")
    assert verdict.text().startswith("Right")
    assert practice.score.text().startswith("1 of")
    assert practice.findChild(QLineEdit, "answer2").hasFocus() or not practice.isActiveWindow()


def test_a_wrong_value_is_marked_and_does_not_score(window, qtbot):
    practice = open_practice(window, qtbot)
    field = practice.findChild(QLineEdit, "answer1")
    qtbot.keyClicks(field, f"{hand_z11(practice) + 3:.4g}")
    qtbot.mouseClick(practice.findChild(QPushButton, "check1"), Qt.MouseButton.LeftButton)
    verdict = practice.findChild(QLabel, "verdict1")
    assert verdict.text().startswith("Not")
    assert "#D55E00" in verdict.styleSheet()
    assert practice.score.text().startswith("0 of")


def test_the_same_seed_gives_the_same_exercise_and_show_answers_reveals_them(window, qtbot):
    practice = open_practice(window, qtbot, seed=8)
    first = practice.exercise.scenario_dict()
    practice.seed.setValue(9)
    assert practice.exercise.scenario_dict() != first
    practice.seed.setValue(8)
    assert practice.exercise.scenario_dict() == first
    qtbot.mouseClick(practice.answers, Qt.MouseButton.LeftButton)
    field = practice.findChild(QLineEdit, "answer1")
    assert float(field.placeholderText().replace("−", "-")) == \
        float(f"{hand_z11(practice):.4g}")


def test_open_in_the_network_tab_loads_the_exercise_as_new_unsaved_work(window, qtbot):
    practice = open_practice(window, qtbot, seed=5)
    sizes = [practice.exercise.network.inputs] + [l.units for l in practice.exercise.network.layers]
    qtbot.mouseClick(practice.findChild(QPushButton, "practiceOpen"), Qt.MouseButton.LeftButton)
    ws = window.current_workspace
    assert ws is window.workspace_for_kind("network")
    session = ws.controller.session
    assert list(session.network_at().sizes) == sizes
    assert np.array_equal(session.theta(), practice.exercise.network.theta())
    assert ws.document.path is None and ws.is_dirty
