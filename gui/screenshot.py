"""Offscreen rendering of the window after N steps (``python main.py screenshot``, the docs images).

It builds a whole application and its window, so it sits above both: ``main.py`` calls it, and
nothing in the window imports it (File > Export plot needs only ``gui.common.export``).
"""

from __future__ import annotations

import time
from pathlib import Path

WINDOW_SIZE = (1600, 1000)
WORKSPACE_NAMES = {"descent1d": "function1d", "1d": "function1d", "descent2d": "function2d",
                   "2d": "function2d", "network": "network"}


class ScreenshotError(ValueError):
    """The scenario could not be opened or the workspace name is unknown; the message says which."""


def render_screenshot(scenario_path: str, steps: int, out: str, workspace: str | None = None, *,
                      phases: int = 0, select: str | None = None,
                      size: tuple[int, int] | None = None, plot: str | None = None,
                      scale: float = 1.0, presentation: bool = False) -> None:
    """Open ``scenario_path`` in a fixed-size window, take ``steps`` steps, save the window to ``out``.

    ``workspace``: ``descent1d``, ``descent2d`` or ``network`` (default: the scenario's own kind).
    Network only: ``phases`` more single phases after the steps (a slide mid backward pass) and
    ``select``, the parameter the explanation panels explain. ``size``: window (width, height).
    ``presentation``: in View > Presentation mode, full screen at ``size`` (a projector's screen).
    """
    from PySide6.QtCore import QSettings, QSize

    from gui.app import create_application
    from gui.window.main_window import MainWindow

    app = create_application()
    kind = None
    if workspace is not None:
        if workspace not in WORKSPACE_NAMES:
            raise ScreenshotError(f"unknown workspace {workspace!r}; choose one of "
                                  "descent1d, descent2d, network")
        kind = WORKSPACE_NAMES[workspace]
    settings = QSettings(str(Path(out).with_suffix(".ini")) + ".tmp", QSettings.Format.IniFormat)
    window = MainWindow(None, settings=settings, autosave=False)
    try:
        window.resize(*(size or WINDOW_SIZE))
        window.show()
        app.processEvents()
        if not window.open_scenario(scenario_path, remember=False):
            raise ScreenshotError(" ".join(window.last_error or ("could not open", scenario_path)))
        if kind is not None:
            _check_kind(window.current_workspace.kinds, workspace, kind, scenario_path)
            ws = window.workspace_for_kind(kind)
            if ws is None:
                raise ScreenshotError(f"this build has no {workspace} workspace")
            window.tabs.setCurrentWidget(ws)
        controller = window.current_workspace.controller
        if controller is not None and steps > 0:
            controller.step(int(steps))
        _network_extras(window.current_workspace, phases, select)
        if presentation:
            window.view.set_presentation(True, QSize(*(size or WINDOW_SIZE)))
            app.processEvents()
            window.setGeometry(0, 0, *(size or WINDOW_SIZE))  # the offscreen screen is smaller
        _settle(app, window)
        _save(window, out, plot, scale)
    finally:
        for ws in window.workspaces:
            ws.mark_clean()
        window.close()
        window.deleteLater()
        app.processEvents()
        Path(settings.fileName()).unlink(missing_ok=True)


def _save(window, out: str, plot: str | None, scale: float) -> None:
    """The window as a PNG, or one plot as PNG or SVG; OSError with the reason when it cannot be written."""
    from gui.common.export import export_plot, find_plot, image_bytes, write_bytes

    try:
        if plot is not None:
            export_plot(find_plot(window.current_workspace, plot), out, scale=scale)
            return
        suffix = Path(out).suffix.lstrip(".").upper() or "PNG"
        if suffix == "SVG":
            raise ValueError(f"{Path(out).name}: the window is written as .png; one plot (--plot NAME) also as .svg")
        if scale != 1:
            raise ValueError("--scale applies to one plot (--plot NAME)")
        write_bytes(out, image_bytes(window.grab().toImage(), suffix))
    except ValueError as exc:
        raise ScreenshotError(str(exc)) from None


def _check_kind(opened: tuple[str, ...], workspace: str, kind: str, scenario_path: str) -> None:
    """A workspace that cannot show the scenario is bad input: it would only picture its own defaults."""
    if kind not in opened:
        fits = ", ".join(name for name, k in WORKSPACE_NAMES.items() if k in opened and len(name) > 2)
        raise ScreenshotError(f"--workspace {workspace} shows {kind} scenarios; {Path(scenario_path).name} "
                              f"is a {'/'.join(opened)} scenario (use --workspace {fits} or leave it out)")


def _network_extras(ws, phases: int, select: str | None) -> None:
    """Single phases and a selected parameter, for workspaces that have them (the network)."""
    if phases > 0:
        if not hasattr(ws.controller, "step_granularity"):
            raise ScreenshotError("--phases applies to the network workspace only")
        for _ in range(int(phases)):
            ws.controller.step_granularity("phase")
    if select is not None:
        names = getattr(getattr(ws.controller, "session", None), "param_names", None)
        if names is None:
            raise ScreenshotError("--select applies to the network workspace only")
        if select not in names:
            raise ScreenshotError(f"--select {select}: no such parameter; this network has "
                                  f"{', '.join(names[:6])}{', ...' if len(names) > 6 else ''}")
        ws.select_parameter(select)


def _settle(app, window, timeout_s: float = 10.0) -> None:
    """Process events until background work (basins) is done, so the picture is complete."""
    deadline = time.monotonic() + timeout_s
    for _ in range(5):
        app.processEvents()
    while window.current_workspace.is_busy() and time.monotonic() < deadline:
        app.processEvents()
    from gui.common.flash import Flash

    for flash in window.findChildren(Flash):  # a step's passing highlight: the same picture every time
        flash.stop()
    app.processEvents()
