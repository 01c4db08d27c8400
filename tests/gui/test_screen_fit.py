"""The window fits the screen it opens on: 1280x800 projector, 1366x768 laptop, 1920x1080 monitor and
a 1024x700 screen (the offscreen screens of ``tests/screens.json``), and a saved geometry from a
larger screen is not restored off screen."""

import pytest
from PySide6.QtCore import QPoint, QRect, QSettings
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import QApplication, QWidget


def screen_of_size(width: int, height: int):
    screen = next((s for s in QApplication.screens() if s.size().toTuple() == (width, height)), None)
    if screen is None:
        pytest.skip(f"no {width}x{height} screen on this display (run with the offscreen screens)")
    return screen


@pytest.fixture
def pointer_on():
    """Move the mouse pointer to a screen, as a lecturer does before starting the app; put it back."""
    before = QCursor.pos()

    def move(screen) -> None:
        QCursor.setPos(screen.geometry().center())

    yield move
    QCursor.setPos(before)


def open_window(qtbot, settings_path):
    from gui.window.main_window import MainWindow

    window = MainWindow(None, settings=QSettings(str(settings_path), QSettings.Format.IniFormat))
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def close_window(window) -> None:
    for ws in window.workspaces:
        ws.mark_clean()
    window.close()


def global_rect(widget: QWidget) -> QRect:
    return QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size())


def panels(window, ws) -> list[QWidget]:
    """What a person must see on this tab: its step bar, its plots and tables, the settings dock
    and the status line."""
    bar = ws.steps if ws.has_step_controls else window.step_controls
    shown = [bar, window.settings_dock, window.status_label, *ws.plot_widgets()]
    if hasattr(ws, "explanations"):
        shown += [ws.explanations.chain, ws.nudge.table]
    if hasattr(ws, "table"):
        shown.append(ws.table)
    return shown


@pytest.mark.parametrize("size", [(1280, 800), (1366, 768), (1920, 1080), (1024, 700)])
def test_window_opens_inside_the_screen_with_every_panel_on_it(qtbot, tmp_path, pointer_on, size):
    screen = screen_of_size(*size)
    pointer_on(screen)
    window = open_window(qtbot, tmp_path / "fresh.ini")
    try:
        area = screen.availableGeometry()
        assert window.screen() is screen
        assert area.contains(window.frameGeometry()), (window.frameGeometry(), area)
        for ws in window.workspaces:
            window.show_workspace(ws)
            QApplication.processEvents()
            assert area.contains(window.frameGeometry()), (ws.title, window.frameGeometry())
            for widget in panels(window, ws):
                rect = global_rect(widget)
                assert widget.isVisible(), (ws.title, widget.objectName())
                assert area.contains(rect), (ws.title, type(widget).__name__, rect, area)
                assert rect.width() >= 40 and rect.height() >= 20, (ws.title, type(widget).__name__, rect)
        if size == (1920, 1080):
            assert window.size().toTuple() == (1500, 950)  # room enough: the preferred size
    finally:
        close_window(window)


def test_the_step_buttons_of_the_1d_tab_are_on_a_1280x800_projector(qtbot, tmp_path, pointer_on):
    projector = screen_of_size(1280, 800)
    pointer_on(projector)
    window = open_window(qtbot, tmp_path / "fresh.ini")
    try:
        window.show_workspace(window.workspace_for_kind("function1d"))
        QApplication.processEvents()
        for name in ("reset", "back", "step", "run"):
            button = window.step_controls.buttons[name]
            assert button.isVisible()
            assert projector.availableGeometry().contains(global_rect(button)), name
    finally:
        close_window(window)


def test_a_geometry_saved_on_a_larger_screen_is_not_restored_off_a_projector(qtbot, tmp_path, pointer_on):
    projector = screen_of_size(1280, 800)
    pointer_on(projector)
    ini = tmp_path / "saved.ini"
    first = open_window(qtbot, ini)
    first.setGeometry(0, 0, 1500, 950)  # as it was on a bigger monitor, before the projector
    close_window(first)
    assert QSettings(str(ini), QSettings.Format.IniFormat).value("window/geometry") is not None
    second = open_window(qtbot, ini)
    try:
        assert projector.availableGeometry().contains(second.frameGeometry()), second.frameGeometry()
        assert second.width() <= 1280 and second.height() <= 800
    finally:
        close_window(second)


def test_a_saved_geometry_that_fits_is_restored(qtbot, tmp_path, pointer_on):
    projector = screen_of_size(1280, 800)
    pointer_on(projector)
    ini = tmp_path / "saved.ini"
    first = open_window(qtbot, ini)
    first.setGeometry(60, 50, 1100, 700)
    close_window(first)
    second = open_window(qtbot, ini)
    try:
        assert second.geometry() == QRect(60, 50, 1100, 700)
    finally:
        close_window(second)
