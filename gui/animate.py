"""Offscreen animation of a run (``python main.py animate``): the window of ``screenshot``, stepped
frame by frame through :class:`gui.common.animation.FrameRecorder`.

Like ``gui/screenshot.py`` it builds a whole application and window, so it sits above both.
"""

from __future__ import annotations

from pathlib import Path

from gui.screenshot import WINDOW_SIZE, WORKSPACE_NAMES, ScreenshotError, _check_kind, _settle


def render_animation(scenario_path: str, steps: int, out: str, *, every: int = 1,
                     workspace: str | None = None, plot: str | None = None,
                     size: tuple[int, int] | None = None, fps: float = 5.0) -> int:
    """Open ``scenario_path`` offscreen and write one frame per recorded step to ``out`` (GIF or
    MP4): the window, or the plot ``plot`` (SPEC section 6 names). Returns the number of frames."""
    from PySide6.QtCore import QSettings

    from gui.app import create_application
    from gui.common.animation import AnimationError, FrameRecorder, open_sink
    from gui.common.export import find_plot, render_image
    from gui.window.main_window import MainWindow

    sink = open_sink(out, fps)  # a bad format or a missing extra before Qt starts
    app = create_application()
    settings = QSettings(str(Path(out).with_suffix(".ini")) + ".tmp", QSettings.Format.IniFormat)
    window = MainWindow(None, settings=settings)
    try:
        window.resize(*(size or WINDOW_SIZE))
        window.show()
        app.processEvents()
        if not window.open_scenario(scenario_path, remember=False):
            raise ScreenshotError(" ".join(window.last_error or ("could not open", scenario_path)))
        if workspace is not None:
            if workspace not in WORKSPACE_NAMES:
                raise ScreenshotError(f"unknown workspace {workspace!r}; choose one of descent1d, descent2d, network")
            _check_kind(window.current_workspace.kinds, workspace, WORKSPACE_NAMES[workspace], scenario_path)
            window.tabs.setCurrentWidget(window.workspace_for_kind(WORKSPACE_NAMES[workspace]))
        ws = window.current_workspace
        if ws.controller is None:
            raise ScreenshotError(f"the {ws.title} tab has nothing to step")
        _settle(app, window)
        try:
            widget = find_plot(ws, plot) if plot is not None else None
        except ValueError as exc:
            raise ScreenshotError(str(exc)) from None

        def render():
            return render_image(widget) if widget is not None else window.grab().toImage()

        try:
            recorder = FrameRecorder(ws.controller, render, steps, every, sink, settle=lambda: _settle(app, window))
            while recorder.advance():
                pass
            recorder.finish()
        except AnimationError as exc:
            raise ScreenshotError(str(exc)) from None
        return recorder.frames
    except BaseException:
        sink.abort()  # no empty or partial file is left behind
        raise
    finally:
        for tab in window.workspaces:
            tab.mark_clean()
        window.close()
        window.deleteLater()
        app.processEvents()
        Path(settings.fileName()).unlink(missing_ok=True)
