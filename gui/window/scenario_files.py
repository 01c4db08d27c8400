"""File handling of the main window: open, save, save as and plot export, with their dialogs.

A mixin for ``MainWindow`` (which supplies ``current_workspace``, ``workspace_for_kind``, ``tabs``,
``recent``, ``workspaces`` and ``show_error``), so the window's public methods stay where callers expect them.
"""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "scenarios"
SCENARIO_FILTER = "Stepwise scenarios (*.json);;All files (*)"


class ScenarioFilesMixin:
    """Open / save / export for the main window; ``_path`` is the file the work came from."""

    _path: str | None = None

    def _on_open(self) -> None:
        start = str(Path(self._path).parent) if self._path else str(RESOURCES)
        path, _ = QFileDialog.getOpenFileName(self, "Open scenario", start, SCENARIO_FILTER)
        if path:
            self.open_scenario(path)

    def open_scenario(self, path: str, remember: bool = True) -> bool:
        """Load ``path`` into the workspace for its kind; on any problem keep the current work."""
        from engine.optimizers import OptimizerError
        from engine.scenario import ScenarioError, load_scenario

        try:
            scenario = load_scenario(path)
            ws = self.workspace_for_kind(scenario.kind)
            if ws is None:
                self.show_error("Could not open scenario",
                                f"{os.path.basename(path)}: this build has no workspace for "
                                f"{scenario.kind!r} scenarios.")
                return False
            ws.load_scenario(scenario)
        except (ScenarioError, OptimizerError, ValueError, OSError) as exc:
            self.show_error("Could not open scenario", f"{os.path.basename(path)}: {exc}")
            return False
        ws.mark_clean()
        self.tabs.setCurrentWidget(ws)
        self._path = path
        if remember:
            self.recent.add(path)
        self.setWindowTitle(f"Stepwise — {os.path.basename(path)}")
        return True

    def save(self) -> bool:
        if self._path is None:
            return self.save_as()
        return self.save_to(self._path)

    def save_as(self) -> bool:
        path, _ = QFileDialog.getSaveFileName(self, "Save scenario", self._path or str(Path.home()),
                                              SCENARIO_FILTER)
        return self.save_to(path) if path else False

    def save_to(self, path: str) -> bool:
        """Write the current workspace's scenario to ``path``; errors go to :meth:`show_error`."""
        from engine.scenario import ScenarioError, save_scenario

        ws = self.current_workspace
        try:
            save_scenario(ws.to_scenario(), path)
        except NotImplementedError:
            self.show_error("Could not save", f"The {ws.title} workspace cannot be saved yet.")
            return False
        except (ScenarioError, ValueError, OSError) as exc:
            self.show_error("Could not save scenario", str(exc))
            return False
        ws.mark_clean()
        self._path = path
        self.recent.add(path)
        self.setWindowTitle(f"Stepwise — {os.path.basename(path)}")
        return True

    def _export(self, fmt: str) -> None:
        widgets = self.current_workspace.plot_widgets()
        if not widgets:
            self.show_error("Nothing to export", "This workspace has no plot.")
            return
        path, _ = QFileDialog.getSaveFileName(self, f"Export plot as {fmt.upper()}",
                                              str(Path.home() / f"stepwise-plot.{fmt}"),
                                              f"{fmt.upper()} files (*.{fmt})")
        if path:
            self.export_plot(path, fmt)

    def export_plot(self, path: str, fmt: str = "png") -> None:
        """Write the current workspace's main plot to ``path`` (PNG or SVG)."""
        from gui.common.export import export_scene

        try:
            export_scene(self.current_workspace.plot_widgets()[0].scene(), path, fmt)
        except OSError as exc:
            self.show_error("Could not export plot", str(exc))

    def confirm_unsaved(self) -> bool:
        """Ask to save unsaved work before quitting; False when the person cancels (or saving fails)."""
        if not any(ws.is_dirty for ws in self.workspaces):
            return True
        answer = QMessageBox.question(
            self, "Unsaved changes", "Save your changes before quitting?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel)
        return not (answer == QMessageBox.StandardButton.Cancel or (
            answer == QMessageBox.StandardButton.Save and not self.save()))
