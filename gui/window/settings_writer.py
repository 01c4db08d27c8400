"""Settings written when they change, not only on a clean quit (a kill loses nothing of them).

:class:`SettingsWriter` writes the window's geometry and dock state, the text size and the run
speed, then ``QSettings.sync()``: half a second after the window is moved or resized (debounced),
after each text-size or speed change, and when the window closes. Open Recent and the last folder
are synced where they are set (``gui.window.scenario_files``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSettings, QTimer

#: Quiet time after a move, resize or speed change before the settings are written.
SETTINGS_DELAY_MS = 500

__all__ = ["SETTINGS_DELAY_MS", "SettingsWriter"]


class SettingsWriter(QObject):
    """Writes ``window``'s settings to ``settings`` shortly after they change."""

    def __init__(self, window, settings: QSettings) -> None:
        super().__init__(window)
        self._window, self._settings = window, settings
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SETTINGS_DELAY_MS)
        self.timer.timeout.connect(self.write)
        window.installEventFilter(self)
        window.step_controls.speed_changed.connect(self.schedule)
        for action in (window.actions.font_bigger, window.actions.font_smaller):
            action.triggered.connect(self.schedule)

    def schedule(self, *_args) -> None:
        """Write once the changes stop for a moment."""
        self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self._window and event.type() in (QEvent.Type.Move, QEvent.Type.Resize):
            self.schedule()
        return False

    def write(self) -> None:
        """Geometry, dock state, text size and speed, written through to the settings file now."""
        self.timer.stop()
        w, s = self._window, self._settings
        if not w.view.presenting:  # full screen and a hidden dock are not the window to come back to
            s.setValue("window/geometry", w.saveGeometry())
            s.setValue("window/state", w.saveState())
        s.setValue("view/fontSize", w.view.remembered_font_size)
        s.setValue("run/speed", w.step_controls.speed())
        s.sync()
