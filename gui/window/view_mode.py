"""The window's View menu state: the text size for projectors, the loss axis's log scale and
presentation mode (F11: full screen, no settings dock, large text; Esc leaves).

One object owns these so the window only wires them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QRect, QSignalBlocker, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QFontMetrics, QKeySequence
from PySide6.QtWidgets import QApplication

from gui.common import style
from gui.common.workspace import Workspace

if TYPE_CHECKING:
    from gui.window.main_window import MainWindow


#: The screen presentation mode's text size is made for (a 1280x800 projector).
PRESENTATION_SCREEN = (1280, 800)


def presentation_point_size(width: int, height: int) -> int:
    """Presentation mode's text size on a ``width`` x ``height`` screen: in proportion to a
    1280x800 projector's, so that its layouts fit a smaller screen and fill a larger one."""
    scale = min(width / PRESENTATION_SCREEN[0], height / PRESENTATION_SCREEN[1])
    return max(style.BASE_POINT_SIZE, min(style.MAX_POINT_SIZE, int(style.PRESENTATION_POINT_SIZE * scale)))


class ViewMode:
    """Font size and log-loss tick of ``window``, kept in step with every workspace."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.font_size = style.BASE_POINT_SIZE
        #: What presentation mode replaced, restored when it ends: (font size, window state flags,
        #: geometry, docks' state); None while not presenting.
        self._before: tuple[int, Qt.WindowState, QRect, QByteArray] | None = None
        #: Esc leaves presentation mode; the key does nothing otherwise (so editors keep their Esc).
        self.leave = QAction("Leave presentation mode", window)
        self.leave.setObjectName("leave_presentation")
        self.leave.setShortcut(QKeySequence(Qt.Key.Key_Escape))
        self.leave.setStatusTip("Leave presentation mode")
        self.leave.setEnabled(False)
        window.addAction(self.leave)

    def connect(self) -> None:
        a = self.window.actions
        a.font_bigger.triggered.connect(lambda: self.set_font_size(self.font_size + 1))
        a.font_smaller.triggered.connect(lambda: self.set_font_size(self.font_size - 1))
        a.log_loss.toggled.connect(lambda on: self.window.current_workspace.set_log_loss(on))
        a.presentation.toggled.connect(self.set_presentation)
        self.leave.triggered.connect(lambda: self.set_presentation(False))

    @property
    def presenting(self) -> bool:
        return self._before is not None

    @property
    def remembered_font_size(self) -> int:
        """The text size the settings keep: while presenting, the one presentation mode replaced."""
        return self._before[0] if self._before is not None else self.font_size

    def set_presentation(self, on: bool, size: QSize | None = None) -> None:
        """Full screen, the settings dock hidden and every text larger (:func:`presentation_point_size`),
        each workspace in its projector layout; leaving restores the window, the dock and the text
        size as they were. ``size``: the screen to lay out for, if not the window's (screenshots)."""
        w = self.window
        with QSignalBlocker(w.actions.presentation):
            w.actions.presentation.setChecked(on)
        if on == self.presenting:
            return
        self.leave.setEnabled(on)
        if on:
            self._before = (self.font_size, w.windowState(), w.geometry(), w.saveState())
            area = w.screen().geometry()
            if size is not None:
                area.setSize(size)
            w.settings_dock.hide()
            self.set_font_size(max(self.font_size, presentation_point_size(area.width(), area.height())))
            for ws in w.workspaces:
                ws.set_presentation(True)
            w.showFullScreen()
            # Without a window manager (a bare X server) nothing resizes the window for it.
            w.setGeometry(area)
            return
        size, state, geometry, docks = self._before
        self._before = None
        self.set_font_size(size)
        for ws in w.workspaces:
            ws.set_presentation(False)
        w.restoreState(docks)  # the settings dock shown as it was
        # the smaller text's layouts now, so the window's minimum size no longer holds it large
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        if state & Qt.WindowState.WindowMaximized:
            w.showMaximized()
        else:
            w.showNormal()
            w.setGeometry(geometry)
        # once more after the platform has applied the normal state (it may restore its own size)
        QTimer.singleShot(0, w, lambda: self._restore_geometry(geometry, docks, state))

    def _restore_geometry(self, geometry: QRect, docks: QByteArray, state: Qt.WindowState) -> None:
        if not state & Qt.WindowState.WindowMaximized:
            self.window.setGeometry(geometry)
        self.window.restoreState(docks)  # the dock's width, now that the window has its own

    def watch(self, ws: Workspace) -> None:
        """Follow ``ws``'s own log-scale switch and give it the current text size."""
        ws.log_loss_changed.connect(lambda on, ws=ws: self.show_log_loss(ws, on))

    def adopt(self, ws: Workspace) -> None:
        """A workspace built after the window (the lazy descent tabs) takes the text size and layout."""
        ws.set_font_size(self.font_size)
        if self.presenting:
            ws.set_presentation(True)

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
        fence = label.parentWidget()
        if hasattr(fence, "refresh"):
            fence.refresh()  # the status bar makes room now, not a layout pass later
        if self.presenting:
            for ws in self.window.workspaces:
                ws.set_presentation(True)  # the projector layout follows the new text size
