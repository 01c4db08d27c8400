"""The main window's scenario files: open, save, save as and plot export, with their dialogs.

:class:`ScenarioFiles` is owned by the window and knows which file the current work came from;
it reaches the window only through :class:`FileHost`, so it imports nothing of it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, cast

from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from engine import presets
from gui.common.workspace import Workspace
from gui.window.actions import RecentFiles

RESOURCES = presets.folder()
SCENARIO_FILTER = "Stepwise scenarios (*.json);;All files (*)"
LAST_FOLDER_KEY = "files/lastFolder"


class FileHost(Protocol):
    """What the files need from the window: its workspaces, a way to show one and to report errors,
    the recent-files list and its title."""

    workspaces: list[Workspace]
    recent: RecentFiles

    @property
    def current_workspace(self) -> Workspace: ...

    def workspace_for_kind(self, kind: str) -> Workspace | None: ...

    def show_workspace(self, ws: Workspace) -> None: ...

    def show_error(self, headline: str, detail: str) -> None: ...

    def setWindowTitle(self, title: str) -> None: ...  # noqa: N802 - Qt's name


class ScenarioFiles:
    """Open / save / export for the main window; ``path`` is the file the current work came from."""

    def __init__(self, window: FileHost) -> None:
        self._window = window
        self.path: str | None = None

    @property
    def _parent(self) -> QWidget:
        """The window, as the parent of the file dialogs."""
        return cast(QWidget, self._window)

    def ask_open(self) -> None:
        """File > Open: choose a scenario file, starting in the folder the person last used."""
        path, _ = QFileDialog.getOpenFileName(self._parent, "Open scenario", self.last_folder(),
                                              SCENARIO_FILTER)
        if path:
            self.open(path)

    def last_folder(self) -> str:
        """Where Open starts: the last folder opened or saved in (QSettings), else home; never the presets."""
        folder = self._window.recent.settings.value(LAST_FOLDER_KEY, "", type=str)
        return folder if folder and Path(folder).is_dir() else str(Path.home())

    def open(self, path: str, remember: bool = True) -> bool:
        """Load ``path`` (or a preset's name) into the workspace for its kind; on a problem keep the work."""
        from engine.optimizers import OptimizerError
        from engine.scenario import ScenarioError, load_scenario

        w = self._window
        try:
            path = presets.resolve(path)
            scenario = load_scenario(path)
            ws = w.workspace_for_kind(scenario.kind)
            if ws is None:
                w.show_error("Could not open scenario",
                             f"{os.path.basename(path)}: this build has no workspace for "
                             f"{scenario.kind!r} scenarios.")
                return False
            ws.load_scenario(scenario)
        except (ScenarioError, OptimizerError, ValueError, OSError) as exc:
            w.show_error("Could not open scenario", f"{os.path.basename(path)}: {exc}")
            return False
        ws.mark_clean()
        w.show_workspace(ws)
        self._name_work(path, remember)
        return True

    def save(self) -> bool:
        """File > Save: to the file the work came from, else ask for a name."""
        if self.path is None:
            return self.save_as()
        return self.save_to(self.path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self._parent, "Save scenario", self.path or str(Path.home()),
                                              SCENARIO_FILTER)
        return self.save_to(path) if path else False

    def save_to(self, path: str) -> bool:
        """Write the current workspace's scenario to ``path``; errors go to the window's ``show_error``."""
        from engine.scenario import ScenarioError, save_scenario

        w = self._window
        ws = w.current_workspace
        try:
            save_scenario(ws.to_scenario(), path)
        except NotImplementedError:
            w.show_error("Could not save", f"The {ws.title} workspace cannot be saved yet.")
            return False
        except (ScenarioError, ValueError, OSError) as exc:
            w.show_error("Could not save scenario", str(exc))
            return False
        ws.mark_clean()
        self._name_work(path, remember=True)
        return True

    def _name_work(self, path: str, remember: bool) -> None:
        """The work now comes from ``path``: remember it, and say so in the window's title."""
        self.path = path
        if remember:
            self._window.recent.add(path)
            if not presets.is_builtin(path):
                self._window.recent.settings.setValue(LAST_FOLDER_KEY, str(Path(path).resolve().parent))
        self._window.setWindowTitle(f"Stepwise — {os.path.basename(path)}")

    def ask_export(self, fmt: str) -> None:
        """File > Export plot: choose where the current workspace's main plot goes."""
        if not self._window.current_workspace.plot_widgets():
            self._window.show_error("Nothing to export", "This workspace has no plot.")
            return
        path, _ = QFileDialog.getSaveFileName(self._parent, f"Export plot as {fmt.upper()}",
                                              str(Path.home() / f"stepwise-plot.{fmt}"),
                                              f"{fmt.upper()} files (*.{fmt})")
        if path:
            self.export_plot(path, fmt)

    def export_plot(self, path: str, fmt: str = "png") -> None:
        """Write the current workspace's main plot to ``path`` (PNG or SVG)."""
        from gui.common.export import export_scene

        try:
            export_scene(self._window.current_workspace.plot_widgets()[0].scene(), path, fmt)
        except OSError as exc:
            self._window.show_error("Could not export plot", str(exc))

    def confirm_unsaved(self) -> bool:
        """Ask to save unsaved work before quitting; False when the person cancels (or saving fails)."""
        if not any(ws.is_dirty for ws in self._window.workspaces):
            return True
        answer = QMessageBox.question(
            self._parent, "Unsaved changes", "Save your changes before quitting?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel)
        return not (answer == QMessageBox.StandardButton.Cancel or (
            answer == QMessageBox.StandardButton.Save and not self.save()))
