"""Application start-up: QApplication, pyqtgraph defaults, the last-resort exception hook, the window.

Heavy modules (sympy, the engine, the workspaces) are imported only after the QApplication exists,
so the window shows quickly; ``STARTUP`` records the time from :func:`main` to the first show.
"""

from __future__ import annotations

import datetime
import os
import sys
import time
import traceback
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QStandardPaths
from PySide6.QtGui import QPixmapCache
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

STARTUP: dict[str, float] = {}
#: Environment variable naming a file to which paint events are logged (benchmarks read it).
PAINT_LOG_ENV = "STEPWISE_PAINT_LOG"
_BLAS_LIMIT = None


def limit_blas_threads() -> None:
    """One BLAS thread for the whole app (SPEC section 8).

    The GUI's matrices are small; on a 2-core machine a multi-threaded BLAS beside the GUI
    thread stalls painting for far longer than it saves in arithmetic.
    """
    global _BLAS_LIMIT
    if _BLAS_LIMIT is None:
        from threadpoolctl import threadpool_limits

        _BLAS_LIMIT = threadpool_limits(limits=1, user_api="blas")


def log_dir() -> Path:
    """Where crash logs go: the user's application data directory."""
    base = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(base or Path.home() / ".stepwise")


class ExceptionHook:
    """Logs any uncaught exception to a file and shows ONE "Unexpected error" dialog.

    A reentrancy guard and a rate limit stop dialog storms: an error raised every frame by a
    timer produces one dialog and log entries, not hundreds of windows.
    """

    def __init__(self, min_interval_s: float = 5.0, show_dialog: bool = True) -> None:
        self.min_interval_s = min_interval_s
        self.show_dialog = show_dialog
        self._showing = False
        self._last_shown = -1e9
        self.count = 0
        self.log_path: Path | None = None

    def install(self) -> None:
        sys.excepthook = self

    def __call__(self, exc_type, exc_value, exc_tb) -> None:
        self.count += 1
        text = "".join(traceback.format_exception(exc_type, exc_value, exc_tb))
        self.log_path = self._write_log(text)
        sys.stderr.write(text)
        now = time.monotonic()
        if not self.show_dialog or self._showing or now - self._last_shown < self.min_interval_s:
            return
        if QApplication.instance() is None:
            return
        self._showing = True
        self._last_shown = now
        try:
            self.show(str(exc_value))
        finally:
            self._showing = False

    def show(self, message: str) -> None:
        """The single dialog: what happened, where the details are, what to do now."""
        where = f"The details were saved to\n{self.log_path}" if self.log_path else \
            "The details could not be saved to a log file."
        QMessageBox.critical(None, "Unexpected error",
                             f"Stepwise hit an unexpected error: {message}\n\n{where}\n\n"
                             "Your work is still open; saving it now is a good idea.")

    @staticmethod
    def _write_log(text: str) -> Path | None:
        try:
            directory = log_dir()
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / "stepwise-errors.log"
            with path.open("a", encoding="utf-8") as f:
                f.write(f"--- {datetime.datetime.now().isoformat(timespec='seconds')}\n{text}\n")
            return path
        except OSError:
            return None


def create_application(argv: list[str] | None = None) -> QApplication:
    """The QApplication (reused if one exists) with names, font and pyqtgraph configured."""
    from gui.common import style

    app = QApplication.instance()
    if app is None:
        app = QApplication(list(argv or [sys.argv[0] if sys.argv else "stepwise"]))
    app.setOrganizationName("Stepwise")
    app.setApplicationName("Stepwise")
    font = app.font()
    font.setPointSize(style.BASE_POINT_SIZE)
    app.setFont(font)
    style.configure_pyqtgraph()
    limit_blas_threads()
    # Plots cache their static layers (contour surface, isolines, axes with grids) as pixmaps;
    # Qt's default 10 MB pixmap cache holds only two or three at full-screen size and would
    # re-stroke thousands of isoline segments (~170 ms) whenever one is evicted.
    QPixmapCache.setCacheLimit(256 * 1024)
    collect_on_the_gui_thread()
    return app


_COLLECTOR = None


def collect_on_the_gui_thread() -> None:
    """Python's cyclic garbage collector runs only from a timer of the GUI thread (see
    ``gui.common.collector``: run by itself inside a Qt destructor, it hung the window)."""
    global _COLLECTOR
    if _COLLECTOR is None:
        from gui.common.collector import GuiThreadCollector

        _COLLECTOR = GuiThreadCollector()


class PaintLog(QObject):
    """Appends ``<time.monotonic()> <name>`` for each paint of a window or a named widget.

    Switched on by :data:`PAINT_LOG_ENV`, so a benchmark can time a real launch to the first
    paint on the screen without a hook of its own inside the process.
    """

    def __init__(self, path: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._file = open(path, "a", encoding="utf-8", buffering=1)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.Paint and isinstance(obj, QWidget) and (
                obj.isWindow() or obj.objectName()):
            self._file.write(f"{time.monotonic():.6f} {obj.objectName() or type(obj).__name__}\n")
        return False


def main(argv: list[str]) -> int:
    """Open the window (on ``argv[0]`` if it names a scenario file) and run the event loop."""
    t0 = time.perf_counter()
    app = create_application()
    hook = ExceptionHook()
    hook.install()
    if os.environ.get(PAINT_LOG_ENV):
        app.installEventFilter(PaintLog(os.environ[PAINT_LOG_ENV], app))
    from gui.window.main_window import MainWindow

    scenario = argv[0] if argv else None
    window = MainWindow(scenario, lazy=True, getting_started=True)
    window.show()
    STARTUP["show_ms"] = (time.perf_counter() - t0) * 1000.0
    return app.exec()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
