"""First steps: the getting-started guide on first start, Help > Getting started, and a complete
Help > Keyboard shortcuts with keys for Phase and Observation."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QMessageBox


def native(key) -> str:
    return QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText)


def launch(qtbot, ini):
    """The window as ``python main.py`` opens it (the guide offered), on settings in ``ini``."""
    from gui.window.main_window import MainWindow

    window = MainWindow(None, settings=QSettings(str(ini), QSettings.Format.IniFormat), getting_started=True)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def close(window) -> None:
    for ws in window.workspaces:
        ws.mark_clean()
    window.close()


def guide_shown(window) -> bool:
    guide = window.getting_started
    return guide is not None and guide.isVisible()


def help_action(window, text: str) -> QAction:
    menu = next(m for m in window.menuBar().findChildren(type(window.recent_menu)) if m.title() == "&Help")
    return next(a for a in menu.actions() if a.text().replace("&", "") == text)


def test_the_guide_shows_on_first_start_and_says_what_to_press(qtbot, tmp_path):
    window = launch(qtbot, tmp_path / "first.ini")
    try:
        assert guide_shown(window)
        guide = window.getting_started
        text = guide.text.text()
        for words in ("Phase ▶", "Observation ▶▶", "Iteration ▶▶▶", "Space", "Backspace",
                      native(Qt.Key.Key_PageDown), native(Qt.Key.Key_PageUp)):
            assert words in text, words
        # the whole card on screen, below the Network tab's step buttons (they stay visible)
        card = QRect(guide.mapTo(window, QPoint(0, 0)), guide.size())
        assert window.rect().contains(card)
        steps = window.current_workspace.steps
        buttons = QRect(steps.buttons["phase"].mapTo(window, QPoint(0, 0)), steps.buttons["phase"].size())
        assert not card.intersects(buttons)
        assert guide.text.heightForWidth(guide.text.width()) <= guide.text.height() + 2  # nothing cut off
    finally:
        close(window)


def test_dismissing_the_guide_sticks_and_help_shows_it_again(qtbot, tmp_path):
    ini = tmp_path / "dismiss.ini"
    first = launch(qtbot, ini)
    qtbot.mouseClick(first.getting_started.ok_button, Qt.MouseButton.LeftButton)
    assert not guide_shown(first)
    close(first)
    second = launch(qtbot, ini)
    try:
        assert not guide_shown(second)
        help_action(second, "Getting started").trigger()
        assert guide_shown(second)
    finally:
        close(second)


def test_the_guide_does_not_cover_a_window_that_did_not_ask_for_it(window):
    assert not guide_shown(window)  # tests and screenshots build the window without the guide


def open_shortcuts(window, qtbot) -> QMessageBox:
    help_action(window, "Keyboard shortcuts").trigger()
    box = window.findChild(QMessageBox, "shortcutsBox")
    assert box is not None and box.isVisible()
    return box


def test_keyboard_shortcuts_lists_every_key_of_the_actions_and_the_tabs(window, qtbot):
    box = open_shortcuts(window, qtbot)
    try:
        text = box.text()
        for action in window.findChildren(QAction):
            key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            if key:
                assert f"<b>{key}</b>" in text, (action.text(), key)
        for ws in window.workspaces:
            for shortcut in ws.findChildren(QShortcut):
                key = shortcut.key().toString(QKeySequence.SequenceFormat.NativeText)
                assert f"<b>{key}</b>" in text, (ws.title, key)
        for key in (native(Qt.Key.Key_PageDown), native(Qt.Key.Key_PageUp), "P", "O", "I"):
            assert f"<b>{key}</b>" in text, key
        assert "Phase ▶: one phase" in text and "Network tab" in text
        assert "every tab" in text  # Page Down / Page Up step every workspace
    finally:
        box.close()


@pytest.mark.parametrize(("key", "cursor"), [(Qt.Key.Key_P, (0, 1)), (Qt.Key.Key_O, (0, 5)),
                                             (Qt.Key.Key_I, (1, 0))])
def test_the_step_size_keys_step_the_network(window, network_ws, qtbot, key, cursor):
    window.activateWindow()
    qtbot.waitActive(window)
    network_ws.view.setFocus()
    qtbot.keyClick(network_ws.view, key)
    assert network_ws.controller.session.cursor == cursor
    qtbot.keyClick(network_ws.view, Qt.Key.Key_Space)  # Space repeats the size the key chose
    expected = {(0, 1): (0, 2), (0, 5): (0, 10), (1, 0): (2, 0)}[cursor]
    assert network_ws.controller.session.cursor == expected


def test_the_clicker_keys_step_every_tab_even_with_a_setting_focused(window, ws1, qtbot):
    window.activateWindow()
    qtbot.waitActive(window)
    box = ws1.panel.start_boxes[0]
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_PageDown)
    assert ws1.controller.cursor == 1
    qtbot.keyClick(box, Qt.Key.Key_PageDown)
    qtbot.keyClick(box, Qt.Key.Key_PageUp)
    assert ws1.controller.cursor == 1


def test_typing_a_letter_in_a_field_types_it(window, network_ws, qtbot):
    """P, O and I step the network, but not while a person types in a field."""
    window.activateWindow()
    qtbot.waitActive(window)
    field = network_ws.observation.lineEdit()
    network_ws.observation.setFocus()
    qtbot.keyClicks(field, "pio")
    assert network_ws.controller.session.cursor == (0, 0)
    network_ws.view.setFocus()
    qtbot.keyClick(network_ws.view, Qt.Key.Key_P)
    assert network_ws.controller.session.cursor == (0, 1)
