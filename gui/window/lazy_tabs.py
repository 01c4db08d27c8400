"""The lazy launch: the window shows with stand-ins for the descent tabs, which need sympy
(~0.3 s to import), and builds them just after its first paint has reached the screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSignalBlocker, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from gui.window.screen_fit import scrolling_panel

if TYPE_CHECKING:
    from gui.window.main_window import MainWindow

#: After the first paint, long enough for it to reach the screen before sympy loads.
LAZY_BUILD_DELAY_MS = 150


class LazyTabs(QObject):
    """Watches for ``window``'s first paint (a loaded machine may take longer than any fixed
    delay), then builds the descent tabs in place of their stand-ins."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched, event) -> bool:
        if event.type() == QEvent.Type.Paint and isinstance(watched, QWidget) and watched.window() is self.window:
            QApplication.instance().removeEventFilter(self)
            QTimer.singleShot(LAZY_BUILD_DELAY_MS, self.window, self.window.ensure_workspaces)
        return False


def replace_stand_ins(w: MainWindow, built: list) -> None:
    """Put the ``built`` descent workspaces where their stand-ins are, wired like the others."""
    current = w.tabs.currentIndex()
    for i, ws in enumerate(built):
        old = w.workspaces[i]
        w.workspaces[i] = ws
        with QSignalBlocker(w.tabs):
            w.tabs.removeTab(i)
            w.tabs.insertTab(i, ws, ws.title)
        old_scroll = w.side_stack.widget(i)
        w.side_stack.removeWidget(old_scroll)
        old_scroll.deleteLater()
        w.side_stack.insertWidget(i, scrolling_panel(ws.side_panel()))
        old.deleteLater()
        w._connect_workspace(ws)
        w.view.adopt(ws)
    with QSignalBlocker(w.tabs):
        w.tabs.setCurrentIndex(current)
    w._on_tab_changed(current)
