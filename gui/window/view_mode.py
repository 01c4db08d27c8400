"""The window's View menu state: the text size for projectors and the loss axis's log scale.

One object owns these so the window only wires them; presentation mode belongs here too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSignalBlocker
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication

from gui.common import style
from gui.common.workspace import Workspace

if TYPE_CHECKING:
    from gui.window.main_window import MainWindow


class ViewMode:
    """Font size and log-loss tick of ``window``, kept in step with every workspace."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.font_size = style.BASE_POINT_SIZE

    def connect(self) -> None:
        a = self.window.actions
        a.font_bigger.triggered.connect(lambda: self.set_font_size(self.font_size + 1))
        a.font_smaller.triggered.connect(lambda: self.set_font_size(self.font_size - 1))
        a.log_loss.toggled.connect(lambda on: self.window.current_workspace.set_log_loss(on))

    def watch(self, ws: Workspace) -> None:
        """Follow ``ws``'s own log-scale switch and give it the current text size."""
        ws.log_loss_changed.connect(lambda on, ws=ws: self.show_log_loss(ws, on))

    def show_log_loss(self, ws: Workspace, on: bool) -> None:
        """Keep View > Log scale ticked as the current workspace's loss axis really is."""
        if ws is self.window.current_workspace:
            with QSignalBlocker(self.window.actions.log_loss):
                self.window.actions.log_loss.setChecked(on)

    def set_font_size(self, point_size: int) -> None:
        """Interface and plot text size, for projectors (View > Bigger/Smaller font)."""
        self.font_size = max(style.MIN_POINT_SIZE, min(style.MAX_POINT_SIZE, int(point_size)))
        app = QApplication.instance()
        font = app.font()
        font.setPointSize(self.font_size)
        app.setFont(font)
        for ws in self.window.workspaces:
            ws.set_font_size(self.font_size)
        label = self.window.status_label
        label.setFixedHeight(2 * QFontMetrics(font).lineSpacing() + 4)
