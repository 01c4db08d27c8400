"""Fixtures for the window tests: a real MainWindow with its settings in a temporary file."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402
from PySide6.QtCore import QSettings, QStandardPaths  # noqa: E402

QStandardPaths.setTestModeEnabled(True)


@pytest.fixture(autouse=True)
def data_folder(tmp_path_factory, monkeypatch):
    """The application's data folder (autosave): a temporary folder of its own for each test."""
    folder = tmp_path_factory.mktemp("app-data")
    monkeypatch.setattr("gui.window.autosave.data_folder", lambda: folder)
    return folder


@pytest.fixture
def app(qapp):
    from gui.app import create_application

    return create_application()


@pytest.fixture
def window(app, qtbot, tmp_path):
    """The main window at a fixed size; closed without the unsaved-changes prompt afterwards."""
    from gui.window.main_window import MainWindow

    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(None, settings=settings)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    yield w
    for ws in w.workspaces:
        ws.mark_clean()
        if ws.controller is not None:
            ws.controller.set_running(False)
    w.close()
    w.deleteLater()


def select_workspace(window, kind):
    ws = window.workspace_for_kind(kind)
    window.tabs.setCurrentWidget(ws)
    return ws


@pytest.fixture
def ws1(window):
    return select_workspace(window, "function1d")


@pytest.fixture
def ws2(window):
    return select_workspace(window, "function2d")


def click_view(qtbot, plot_widget, view_box, x, y):
    """Left-click the plot at data coordinates ``(x, y)`` as a mouse would (press, then release)."""
    import pyqtgraph as pg
    from PySide6.QtCore import Qt

    pos = plot_widget.mapFromScene(view_box.mapViewToScene(pg.Point(x, y)))
    qtbot.mousePress(plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    qtbot.mouseRelease(plot_widget.viewport(), Qt.MouseButton.LeftButton, pos=pos, delay=30)


@pytest.fixture
def network_ws(window):
    """The main window opens on the network workspace with the lecture example loaded."""
    ws = window.workspace_for_kind("network")
    assert window.current_workspace is ws
    return ws


def load_csv_in_panel(panel, path) -> None:
    """Choose CSV as the data source and type the file's path, as a person would; shows its preview."""
    panel.source.setCurrentIndex(panel.source.findData("csv"))
    panel.csv_path.setText(str(path))
    panel.refresh_preview()


def generate_builtin(qtbot, panel, name: str, n: int) -> None:
    """Pick a built-in data set of ``n`` observations and click Generate."""
    from PySide6 import QtCore

    panel.source.setCurrentIndex(panel.source.findData(name))
    panel.n.setValue(n)
    use_data(qtbot, panel)


def use_data(qtbot, panel) -> None:
    """Click "Use these data" and wait until the data set made or read in the background is used."""
    from PySide6 import QtCore

    qtbot.mouseClick(panel.generate, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not panel.loader.busy and not network_busy(panel), timeout=10_000)


def network_busy(widget) -> bool:
    """True while the network tab of ``widget``'s window builds a session or steps in the background
    (over a large data set)."""
    find = getattr(widget.window(), "workspace_for_kind", None)
    return find is not None and find("network").is_busy()
