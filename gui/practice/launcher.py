"""Help > Practice exercises…: opens the practice window and takes its network to the Network tab."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

if TYPE_CHECKING:
    from gui.practice.window import PracticeWindow
    from gui.window.main_window import MainWindow


class PracticeLauncher:
    """The Help menu's practice entry for ``window``; the practice window is built on first use."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.practice: PracticeWindow | None = None
        self.action = QAction("&Practice exercises…", window)
        self.action.setObjectName("practice")
        self.action.setStatusTip("Small networks to work through by hand, with your answers checked")
        self.action.triggered.connect(self.show)
        help_menu = next((a.menu() for a in window.menuBar().actions()
                          if isinstance(a.menu(), QMenu) and a.text().replace("&", "") == "Help"), None)
        if help_menu is not None:
            first = help_menu.actions()[1] if len(help_menu.actions()) > 1 else None
            help_menu.insertAction(first, self.action)

    def show(self) -> PracticeWindow:
        """Bring up the practice window (one per main window)."""
        from gui.practice.window import PracticeWindow

        if self.practice is None:
            self.practice = PracticeWindow(parent=self.window)
            self.practice.open_in_network.connect(self.open_in_network)
        self.practice.show()
        self.practice.raise_()
        self.practice.activateWindow()
        return self.practice

    def open_in_network(self, scenario: dict) -> bool:
        """Load the exercise's network and data into the Network tab, as new unsaved work (asking
        first if that tab has unsaved work of its own)."""
        from engine.scenario_validation import parse_scenario

        w = self.window
        ws = w.workspace_for_kind("network")
        if ws is None:
            return False
        if ws.is_dirty and not w.files._confirm([ws], "opening the practice exercise"):
            return False
        ws.load_scenario(parse_scenario(scenario))
        ws.document.set_untitled("network")
        ws.mark_dirty()
        w.show_workspace(ws)
        w.files.show_title()
        w.raise_()
        return True
