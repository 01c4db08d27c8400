"""The main window's scenario files: open, save and save as, with their dialogs (File > Export is
``gui/window/exports.py``).

:class:`ScenarioFiles` is owned by the window. Every tab keeps its own file and unsaved state in
its workspace's :class:`~gui.common.document.Document`: Save writes the current tab's scenario to
that tab's file only, never over a built-in preset or a file that holds another kind of scenario
(Save As instead, saying why), and Open or quit ask first when work would be lost, naming the
tabs. It owns the window's :class:`~gui.window.autosave.Autosave` (unsaved work kept a few seconds
after each edit, offered back after a crash). It reaches the window only through :class:`FileHost`,
so it imports nothing of it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Protocol, cast

from PySide6.QtWidgets import QFileDialog, QMessageBox, QTabWidget, QWidget

from engine import presets
from gui.common.document import file_kind, is_preset_path
from gui.common.workspace import Workspace
from gui.window.actions import RecentFiles
from gui.window.autosave import Autosave

RESOURCES = presets.folder()

__all__ = ["RESOURCES", "SCENARIO_FILTER", "FileHost", "ScenarioFiles", "tab_names"]

SCENARIO_FILTER = "Stepwise scenarios (*.json);;All files (*)"
LAST_FOLDER_KEY = "files/lastFolder"


class FileHost(Protocol):
    """What the files need from the window: its workspaces and tabs, a way to show one and to report
    errors, the recent-files list and its title."""

    workspaces: list[Workspace]
    recent: RecentFiles
    tabs: QTabWidget

    @property
    def current_workspace(self) -> Workspace: ...

    def workspace_for_kind(self, kind: str) -> Workspace | None: ...

    def show_workspace(self, ws: Workspace) -> None: ...

    def show_error(self, headline: str, detail: str) -> None: ...

    def setWindowTitle(self, title: str) -> None: ...  # noqa: N802 - Qt's name

    def setWindowModified(self, modified: bool) -> None: ...  # noqa: N802 - Qt's name


class ScenarioFiles:
    """Open / save / export for the main window; each workspace's ``document`` is its tab's file."""

    def __init__(self, window: FileHost, autosave: bool = True) -> None:
        self._window = window
        window.tabs.currentChanged.connect(lambda _index: self.show_title())
        #: Unsaved work written to the data folder (None: a window that keeps nothing, e.g. screenshots).
        self.autosave = Autosave(window) if autosave else None

    @property
    def _parent(self) -> QWidget:
        """The window, as the parent of the file dialogs."""
        return cast(QWidget, self._window)

    def watch(self, ws: Workspace) -> None:
        """Keep the title and the tab's text in step with ``ws``'s file and unsaved state."""
        ws.document.changed.connect(self.show_title)
        if self.autosave is not None:
            self.autosave.watch(ws)
        self.show_title()

    def finish(self) -> None:
        """The window closes normally: no unsaved work is kept for a recovery."""
        if self.autosave is not None:
            self.autosave.finish()

    def show_title(self) -> None:
        """The title names the current tab's file and marks its unsaved work; tabs with unsaved
        work carry a star."""
        w = self._window
        ws = w.current_workspace
        doc = ws.document
        name = doc.file_name or ws.title
        w.setWindowTitle(f"Stepwise — {name}{' (built-in)' if doc.is_preset else ''}[*]")
        w.setWindowModified(doc.dirty)
        for tab in w.workspaces:
            index = w.tabs.indexOf(tab)
            if index >= 0:
                w.tabs.setTabText(index, f"{tab.title} *" if tab.is_dirty else tab.title)

    # -- opening ----------------------------------------------------------------------------------
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
        """Load ``path`` (or a preset's name) into the tab for its kind, asking first if that tab has
        unsaved work; on any problem (or Cancel) keep the current work."""
        from engine.optimizers import OptimizerError
        from engine.scenario import ScenarioError, load_scenario

        w = self._window
        name = os.path.basename(path)
        try:
            path = presets.resolve(path)
            scenario = load_scenario(path)
            ws = w.workspace_for_kind(scenario.kind)
            if ws is None:
                w.show_error("Could not open scenario",
                             f"{name}: this build has no workspace for {scenario.kind!r} scenarios.")
                return False
            if ws.is_dirty and not self._confirm([ws], f"opening {name}"):
                return False
            ws.load_scenario(scenario)
        except (ScenarioError, OptimizerError, ValueError, OSError) as exc:
            w.show_error("Could not open scenario", f"{name}: {exc}")
            return False
        ws.mark_clean()
        ws.document.set_file(path, scenario.kind)
        w.show_workspace(ws)
        if remember:
            self._remember(path)
        self.show_title()
        return True

    # -- saving -----------------------------------------------------------------------------------
    def save(self) -> bool:
        """File > Save: the current tab to its own file (Save As when it has none, or may not write it)."""
        return self.save_workspace(self._window.current_workspace)

    def save_workspace(self, ws: Workspace) -> bool:
        """Save ``ws``'s work to its tab's file; Save As, with the reason, when there is no file, the
        file is a built-in preset or it now holds another kind of scenario."""
        path = ws.document.path
        if path is None:
            return self.save_as(ws)
        reason = refusal(path, ws.kinds[0] if ws.kinds else "", ws.title)
        return self.save_as(ws, reason) if reason else self._write(ws, path)

    def save_as(self, ws: Workspace | None = None, reason: str = "") -> bool:
        """File > Save As: choose a new file for ``ws`` (the current tab by default), which it shows."""
        w = self._window
        ws = ws or w.current_workspace
        w.show_workspace(ws)
        doc = ws.document
        if doc.path and not doc.is_preset:
            start = doc.path
        else:
            start = str(Path.home() / (doc.file_name or f"{ws.title.replace(' ', '-').lower()}.json"))
        caption = f"Save the {ws.title} scenario" + (f" — {reason}" if reason else "")
        path, _ = QFileDialog.getSaveFileName(self._parent, caption, start, SCENARIO_FILTER)
        return self._write(ws, path) if path else False

    def save_to(self, path: str) -> bool:
        """Write the current tab's scenario to ``path``; errors go to the window's ``show_error``."""
        return self._write(self._window.current_workspace, path)

    def _write(self, ws: Workspace, path: str) -> bool:
        """Write ``ws``'s scenario to ``path`` unless :func:`refusal` forbids it; the tab's file is then
        ``path`` and its work is saved."""
        from engine.scenario import ScenarioError, save_scenario

        w = self._window
        try:
            scenario = ws.to_scenario()
        except NotImplementedError:
            w.show_error("Could not save", f"The {ws.title} workspace cannot be saved yet.")
            return False
        reason = refusal(path, scenario.kind, ws.title)
        if reason:
            w.show_error("Could not save scenario", reason)
            return False
        try:
            save_scenario(scenario, path)
        except (ScenarioError, ValueError, OSError) as exc:
            w.show_error("Could not save scenario", str(exc))
            return False
        ws.document.set_file(path, scenario.kind)
        self._remember(path)
        self.show_title()
        return True

    def _remember(self, path: str) -> None:
        """Add ``path`` to Open Recent, and its folder as where Open starts (never the presets')."""
        self._window.recent.add(path)
        if not presets.is_builtin(path):
            self._window.recent.settings.setValue(LAST_FOLDER_KEY, str(Path(path).resolve().parent))
        self._window.recent.settings.sync()  # on disk now, not only at a clean quit

    # -- unsaved work -----------------------------------------------------------------------------
    def confirm_unsaved(self) -> bool:
        """Before quitting: ask when any tab has unsaved work, naming the tabs; Save saves each of
        them. False when the person cancels (or a save fails or is cancelled)."""
        current = self._window.current_workspace
        ordered = [current, *(ws for ws in self._window.workspaces if ws is not current)]
        return self._confirm([ws for ws in ordered if ws.is_dirty], "quitting")

    def _confirm(self, tabs: list[Workspace], doing: str) -> bool:
        """Save / Discard / Cancel for the unsaved work of ``tabs`` before ``doing`` something; True
        when it may go ahead."""
        if not tabs:
            return True
        verb = "has" if len(tabs) == 1 else "have"
        answer = QMessageBox.question(
            self._parent, "Unsaved changes",
            f"{tab_names(tabs)} {verb} unsaved changes. Save them before {doing}?",
            QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel)
        if answer == QMessageBox.StandardButton.Discard:
            return True
        if answer != QMessageBox.StandardButton.Save:
            return False
        return all(self.save_workspace(ws) for ws in tabs)


def tab_names(tabs: list[Workspace]) -> str:
    """The tabs' titles as words: "Network", "Network and 1-D descent", "A, B and C"."""
    titles = [ws.title for ws in tabs]
    return titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]


def refusal(path: str, kind: str, title: str) -> str:
    """Why the ``title`` tab's ``kind`` scenario may not be written to ``path``, or "" when it may."""
    name = os.path.basename(path)
    if is_preset_path(path):
        return f"{name} is a built-in example and is never overwritten: choose a name of your own"
    held = file_kind(path)
    if held is not None and held != kind:
        return (f"{name} holds a {held} scenario, which the {title} tab's {kind} scenario would "
                f"replace: choose another name")
    return ""
