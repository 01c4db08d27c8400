"""File > Export (Plot…, Animation…, Trace…) and Edit > Copy for the window's tables.

:class:`Exports` is owned by the window and reaches it only through :class:`ExportHost`. A plot is
written by ``gui.common.export`` (the code of ``screenshot --plot``), an animation frame by frame by
``gui.common.animation`` from a timer, under a progress dialog with Cancel (the window keeps
painting), a trace by ``engine.trace`` (what ``run`` writes) for the tab's history up to the shown
step. Every failure to write is shown with its reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, cast

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QAction, QColor, QImage, QKeySequence, QPainter
from PySide6.QtWidgets import QApplication, QFileDialog, QMenuBar, QProgressDialog, QWidget

from gui.common.animation import AnimationError, FrameRecorder, caption_height, open_sink
from gui.common.export import export_plot, named_plots, plot_size, render_image
from gui.common.table_copy import copy_table, focused_table
from gui.common.workspace import Workspace
from gui.window.export_dialogs import AnimationDialog, PlotExportDialog

TRACE_FILTERS = {"json": "JSON trace, as run --format json writes (*.json)",
                 "csv": "CSV trace, as run --format csv writes (*.csv)"}


class ExportHost(Protocol):
    """What the exports need from the window: the current tab, its error box and its menu bar."""

    @property
    def current_workspace(self) -> Workspace: ...

    def show_error(self, headline: str, detail: str) -> None: ...

    def menuBar(self) -> QMenuBar: ...  # noqa: N802 - Qt's name


def _reason(exc: BaseException) -> str:
    """An error's reason in one line: for a file, the name and the system's words."""
    if isinstance(exc, OSError) and exc.strerror:
        return f"{Path(exc.filename).name if exc.filename else ''}: {exc.strerror}".lstrip(": ")
    return " ".join(str(exc).split()) or type(exc).__name__


def fitted(image: QImage, size: tuple[int, int]) -> QImage:
    """``image`` scaled to fit ``size`` (its shape kept), centred on a white frame of that size."""
    width, height = size
    if (image.width(), image.height()) == (width, height):
        return image
    scaled = image.scaled(width, height, Qt.AspectRatioMode.KeepAspectRatio,
                          Qt.TransformationMode.SmoothTransformation)
    frame = QImage(width, height, QImage.Format.Format_ARGB32)
    frame.fill(QColor("white"))
    painter = QPainter(frame)
    painter.drawImage((width - scaled.width()) // 2, (height - scaled.height()) // 2, scaled)
    painter.end()
    return frame


class AnimationRun(QObject):
    """One animation being written: a frame per timer tick, a progress dialog whose Cancel stops it;
    the tab returns to the step it showed."""

    def __init__(self, window: ExportHost, recorder: FrameRecorder, path: str) -> None:
        super().__init__(cast(QObject, window))
        self._window, self.recorder, self.path = window, recorder, path
        self.result: str | None = None  # "written", "cancelled" or "failed" when over
        self.progress = QProgressDialog(f"Rendering {Path(path).name}…", "Cancel", 0, recorder.total,
                                        cast(QWidget, window))
        self.progress.setObjectName("animationProgress")
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(0)
        self.progress.setValue(0)
        self.timer = QTimer(self)
        self.timer.setInterval(0)
        self.timer.timeout.connect(self._tick)
        self.timer.start()

    def _tick(self) -> None:
        if self.progress.wasCanceled():
            self.recorder.cancel()
            self._end("cancelled")
            return
        try:
            more = self.recorder.advance()
            self.progress.setLabelText(f"Frame {self.recorder.frames} of {self.recorder.total}")
            self.progress.setValue(self.recorder.done)
            if not more:
                self.recorder.finish()
                self._end("written")
        except (OSError, AnimationError) as exc:
            self.recorder.cancel()
            self._end("failed")
            self._window.show_error("Could not write the animation", _reason(exc))

    def _end(self, result: str) -> None:
        self.timer.stop()
        self.result = result
        self.progress.reset()
        self.progress.hide()
        controller = self.recorder.controller
        if controller.cursor != self.recorder.start:
            controller.jump(self.recorder.start)


class Exports:
    """The window's File > Export actions and Edit > Copy (see the module docstring)."""

    def __init__(self, window: ExportHost, actions) -> None:
        self._window = window
        self.animation: AnimationRun | None = None
        actions.export_plot.triggered.connect(self.ask_plot)
        actions.export_animation.triggered.connect(self.ask_animation)
        actions.export_trace.triggered.connect(self.ask_trace)
        self.copy_action = self._add_edit_copy()

    @property
    def _parent(self) -> QWidget:
        return cast(QWidget, self._window)

    # -- plots ------------------------------------------------------------------------------------
    def ask_plot(self) -> PlotExportDialog | None:
        """File > Export > Plot…: choose the plot, format and scale, then the file."""
        ws = self._window.current_workspace
        if not named_plots(ws):
            self._window.show_error("Nothing to export", f"The {ws.title} tab has no plot.")
            return None
        dialog = PlotExportDialog(ws, self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._save_plot(*dialog.chosen()))
        dialog.open()
        return dialog

    def _save_plot(self, name: str, fmt: str, scale: float) -> None:
        path, _ = QFileDialog.getSaveFileName(self._parent, f"Export the {name} plot",
                                              str(Path.home() / f"stepwise-{name}.{fmt}"),
                                              f"{fmt.upper()} files (*.{fmt})")
        if path:
            self.export_plot(path, name, fmt, scale)

    def export_plot(self, path: str, name: str | None = None, fmt: str | None = None,
                    scale: float = 1.0) -> bool:
        """Write the current tab's plot ``name`` (default: its first) to ``path``; False, and the
        reason shown, when it cannot be written."""
        plots = dict(named_plots(self._window.current_workspace))
        widget = plots.get(name) if name is not None else next(iter(plots.values()), None)
        if widget is None:
            self._window.show_error("Could not export the plot", f"this tab has no plot {name!r}")
            return False
        try:
            export_plot(widget, path, fmt, scale)
        except (OSError, ValueError) as exc:
            self._window.show_error("Could not export the plot", _reason(exc))
            return False
        return True

    # -- animations -------------------------------------------------------------------------------
    def ask_animation(self) -> AnimationDialog | None:
        """File > Export > Animation…: steps, every, plot, size and speed, then the file."""
        ws = self._window.current_workspace
        if ws.controller is None:
            self._window.show_error("Nothing to animate", f"The {ws.title} tab has nothing to step.")
            return None
        dialog = AnimationDialog(ws, self._parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self._choose_animation_file(dialog.target(), dialog.chosen()))
        dialog.open()
        return dialog

    def _choose_animation_file(self, target: QWidget, options: dict) -> None:
        path, _ = QFileDialog.getSaveFileName(self._parent, "Save the animation",
                                              str(Path.home() / "stepwise-run.gif"),
                                              "GIF animation (*.gif);;MP4 video (*.mp4)")
        if path:
            self.animate(path, target, **options)

    def animate(self, path: str, target: QWidget, steps: int, every: int = 1, plot=None,
                size: tuple[int, int] | None = None, fps: float = 5.0) -> AnimationRun | None:
        """Start writing the animation of ``steps`` steps from the shown one: frames of ``size``
        pixels, ``target`` (a plot, or the tab) fitted above the step's caption. Returns the run
        (None when it cannot start)."""
        ws = self._window.current_workspace
        width, height = size or plot_size(target)
        box = (width, max(16, height - caption_height(width)))  # the step's caption fills the rest
        is_plot = target is not ws

        def render() -> QImage:
            if is_plot:
                w, h = plot_size(target)
                scale = min(4.0, max(1.0, min(box[0] / w, box[1] / h)))
                return fitted(render_image(target, scale), box)
            return fitted(target.grab().toImage(), box)

        try:
            sink = open_sink(path, fps)
        except (OSError, AnimationError) as exc:
            self._window.show_error("Could not write the animation", _reason(exc))
            return None
        try:
            recorder = FrameRecorder(ws.controller, render, steps, every, sink, settle=QApplication.processEvents)
        except AnimationError as exc:
            sink.abort()
            self._window.show_error("Could not write the animation", _reason(exc))
            return None
        self.animation = AnimationRun(self._window, recorder, path)
        return self.animation

    # -- traces -----------------------------------------------------------------------------------
    def ask_trace(self) -> None:
        """File > Export > Trace…: the tab's steps up to the shown one, as JSON or CSV."""
        path, chosen = QFileDialog.getSaveFileName(self._parent, "Export the trace",
                                                   str(Path.home() / "stepwise-trace.json"),
                                                   ";;".join(TRACE_FILTERS.values()))
        if path:
            fmt = "csv" if chosen == TRACE_FILTERS["csv"] or path.lower().endswith(".csv") else "json"
            self.export_trace(path, fmt)

    def export_trace(self, path: str, fmt: str = "json") -> bool:
        """Write the trace of the current tab up to its shown step; False, with the reason, on failure."""
        from engine.trace import descent_trace, format_trace, training_trace

        ws = self._window.current_workspace
        controller = ws.controller
        try:
            if hasattr(controller, "sessions"):  # the descent tabs: the first racer, as `run` does
                trace = descent_trace(controller.sessions[0], controller.cursor)
            else:
                trace = training_trace(controller.session, controller.cursor)
            text = format_trace(trace, ws.kinds[0], fmt)
            with open(path, "w", encoding="utf-8") as handle:
                handle.write(text)
        except (OSError, ValueError) as exc:
            self._window.show_error("Could not export the trace", _reason(exc))
            return False
        return True

    # -- Edit > Copy ------------------------------------------------------------------------------
    def _add_edit_copy(self) -> QAction:
        """Edit > Copy (Ctrl+C): the whole iterate or nudge table while it has the focus."""
        action = QAction("&Copy", cast(QObject, self._window))
        action.setObjectName("copy")
        action.setShortcut(QKeySequence(QKeySequence.StandardKey.Copy))
        action.setStatusTip("Copy the table that has the focus (the iterates, the nudge table)")
        action.triggered.connect(self.copy)
        cast(QWidget, self._window).addAction(action)
        for menu_action in self._window.menuBar().actions():
            if menu_action.text().replace("&", "") == "Edit" and menu_action.menu() is not None:
                menu_action.menu().addSeparator()
                menu_action.menu().addAction(action)
        return action

    def copy(self) -> None:
        """Copy the focused table; any other focused widget's own selection otherwise."""
        table = focused_table()
        if table is not None:
            copy_table(table)
            return
        widget = QApplication.focusWidget()
        if widget is not None and hasattr(widget, "copy"):
            widget.copy()
