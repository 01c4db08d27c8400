"""Autosave and recovery: unsaved work survives a crash or a kill.

A few seconds after each edit (a debounced ``QTimer``), :class:`Autosave` writes the scenario of
every tab with unsaved work, atomically (``engine.scenario.save_scenario``), to a folder of its own
under the application's data folder (``QStandardPaths.AppDataLocation``/autosave/<instance>), with
an ``index.json`` naming each tab, its kind and the file it came from; a tab's file is removed when
its work is saved or undone back to the file, and the whole folder when the window closes. Each
running window holds a ``QLockFile`` in its folder, so the next start tells a folder left by a
window that died (its lock is stale: no process holds it) from one of a window still running, and
offers the work back (Restore / Discard, naming the tabs). Stale temporary files of killed saves
are removed at start: in the autosave folders, and beside the files Stepwise wrote (Open Recent).
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Protocol, cast

from PySide6.QtCore import QLockFile, QObject, QStandardPaths, QTimer
from PySide6.QtWidgets import QMessageBox, QWidget

from gui.common.workspace import Workspace

#: How long after the last edit the work is written ("a few seconds").
AUTOSAVE_DELAY_MS = 3000
#: A temporary file of an atomic save older than this was left by a save that was killed.
STALE_TMP_S = 60.0
INDEX = "index.json"
LOCK = "instance.lock"

__all__ = ["AUTOSAVE_DELAY_MS", "Autosave", "data_folder", "remove_stale_temporaries"]


def data_folder() -> Path:
    """The application's data folder (``QStandardPaths.AppDataLocation``; the temporary folder's
    ``Stepwise`` when the system names none, never the working folder); tests replace it."""
    text = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(text) if text else Path(tempfile.gettempdir()) / "Stepwise"


class AutosaveHost(Protocol):
    """What autosave needs from the window: its workspaces, the recent files and a way to report."""

    workspaces: list[Workspace]

    def workspace_for_kind(self, kind: str) -> Workspace | None: ...

    def show_workspace(self, ws: Workspace) -> None: ...

    def show_error(self, headline: str, detail: str) -> None: ...


class Autosave(QObject):
    """The window's autosave folder, its debounced writes, and the offer to recover a dead window's."""

    def __init__(self, window: AutosaveHost) -> None:
        super().__init__(cast(QObject, window))
        self._window = window
        self.root = data_folder() / "autosave"
        #: This window's folder, made at the first write (a window without unsaved work leaves nothing).
        self.folder = self.root / f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._lock = QLockFile(str(self.folder / LOCK))
        self._lock.setStaleLockTime(0)  # stale only when its process is gone, never by age
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(AUTOSAVE_DELAY_MS)
        self.timer.timeout.connect(self.write)
        #: Folders of windows that died, with their tabs' entries, found at start.
        self.orphans: list[tuple[Path, list[dict]]] = []
        self._orphan_locks: list[QLockFile] = []
        #: The recovery question while it is shown (tests press its buttons).
        self.offer: QMessageBox | None = None
        self.restore_button = None
        # After the window is built (its recent files are read then) and shown.
        QTimer.singleShot(0, self, self._start)

    # -- writing ----------------------------------------------------------------------------------
    def watch(self, ws: Workspace) -> None:
        """Write ``ws``'s work a few seconds after each of its edits, undos and saves."""
        ws.document.changed.connect(self.schedule)
        if ws.controller is not None:
            ws.controller.edited.connect(self.schedule)
        if ws.undo_stack is not None:
            ws.undo_stack.indexChanged.connect(self.schedule)

    def schedule(self, *_args) -> None:
        """(Re)start the countdown: one write after the edits stop for a few seconds."""
        self.timer.start()

    def write(self) -> None:
        """Write every tab with unsaved work now (and forget the tabs without)."""
        from engine.scenario import ScenarioError, save_scenario

        self.timer.stop()
        entries = []
        if any(ws.is_dirty for ws in self._window.workspaces) and not self._lock.isLocked():
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError:
                return  # no data folder to write to: the work is only in the window
            self._lock.tryLock(0)
        for ws in self._window.workspaces:
            if not ws.kinds or ws.controller is None:
                continue
            name = f"{ws.kinds[0]}.json"
            target = self.folder / name
            if not ws.is_dirty:
                if self.folder.is_dir():
                    target.unlink(missing_ok=True)
                continue
            try:
                save_scenario(ws.to_scenario(), target)
            except (NotImplementedError, ScenarioError, ValueError, OSError):
                if not target.exists():
                    continue  # nothing of this tab can be kept; the others still are
            entries.append({"kind": ws.kinds[0], "file": name, "path": ws.document.path, "title": ws.title})
        try:
            if entries:
                _write_json(self.folder / INDEX, {"tabs": entries, "time": time.time()})
            elif self.folder.is_dir():
                (self.folder / INDEX).unlink(missing_ok=True)
        except OSError:
            pass  # a full disk: the files written so far stay, the next write tries again

    def finish(self) -> None:
        """The window closes normally: its autosave folder goes, lock and all."""
        self.timer.stop()
        self._lock.unlock()
        shutil.rmtree(self.folder, ignore_errors=True)
        self._release_orphans()

    # -- recovery ---------------------------------------------------------------------------------
    def _start(self) -> None:
        recent = getattr(self._window, "recent", None)
        remove_stale_temporaries(recent.paths() if recent is not None else [])
        self.orphans = self._find_orphans()
        if self.orphans:
            self.offer_recovery()

    def _find_orphans(self) -> list[tuple[Path, list[dict]]]:
        """Folders of windows that died with unsaved work (their locks are taken, so that no other
        starting window offers them too); folders left without work are removed."""
        found = []
        if not self.root.is_dir():
            return found
        for folder in sorted(self.root.iterdir()):
            if not folder.is_dir() or folder == self.folder:
                continue
            lock = QLockFile(str(folder / LOCK))
            lock.setStaleLockTime(0)
            if not lock.tryLock(0):
                continue  # a window still running
            _remove_temporaries(folder)
            tabs = _read_index(folder)
            if tabs:
                self._orphan_locks.append(lock)
                found.append((folder, tabs))
            else:
                lock.unlock()
                shutil.rmtree(folder, ignore_errors=True)
        return found

    def offer_recovery(self) -> QMessageBox:
        """Ask whether to restore the work a window that did not close normally left unsaved."""
        titles = []
        for _folder, tabs in self.orphans:
            titles += [t["title"] for t in tabs if t["title"] not in titles]
        names = titles[0] if len(titles) == 1 else ", ".join(titles[:-1]) + " and " + titles[-1]
        box = QMessageBox(QMessageBox.Icon.Question, "Recover unsaved work",
                          f"Stepwise did not close normally last time. The unsaved work of the {names} "
                          f"tab{'s' if len(titles) > 1 else ''} was kept.", parent=cast(QWidget, self._window))
        box.setObjectName("recoveryBox")
        box.setInformativeText("Restore it? Discard deletes it for good.")
        self.restore_button = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Discard)
        # Escape (or Later) keeps the work for the next start without deciding now.
        self.later_button = box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
        box.setEscapeButton(self.later_button)
        box.setDefaultButton(self.restore_button)
        box.buttonClicked.connect(self._on_answer)
        box.finished.connect(self._on_closed)
        self.offer = box
        box.open()
        return box

    def _on_answer(self, button) -> None:
        if button is self.restore_button:
            self.restore()
        elif button is not self.later_button:
            self.discard()

    def _on_closed(self, _result: int) -> None:
        """Closed without an answer: the work stays for the next start."""
        self.offer = None
        self._release_orphans()

    def restore(self) -> list[Workspace]:
        """Load each tab's kept work into its tab, unsaved and tied to the file it came from; the
        newest work of a kind wins when several windows died. Returns the tabs restored."""
        from engine.optimizers import OptimizerError
        from engine.scenario import ScenarioError, load_scenario

        newest: dict[str, tuple[Path, dict]] = {}
        for folder, tabs in self.orphans:
            for tab in tabs:
                newest[tab["kind"]] = (folder, tab)
        restored = []
        for kind, (folder, tab) in newest.items():
            ws = self._window.workspace_for_kind(kind)
            if ws is None:
                continue
            try:
                ws.load_scenario(load_scenario(folder / tab["file"]))
            except (ScenarioError, OptimizerError, ValueError, OSError) as exc:
                self._window.show_error("Could not restore unsaved work", f"{tab['title']}: {exc}")
                continue
            path = tab.get("path")
            if isinstance(path, str) and path:
                ws.document.set_file(path, kind)
            if ws.undo_stack is not None:
                ws.undo_stack.resetClean()  # no undo step is what a file holds
            ws.mark_dirty()
            restored.append(ws)
        if restored:
            self._window.show_workspace(restored[0])
        self.discard()
        self.write()  # the restored work is this window's now
        return restored

    def discard(self) -> None:
        """Delete the kept work of the windows that died (the question, if shown, is answered)."""
        box, self.offer = self.offer, None
        if box is not None:
            box.done(0)
        for folder, _tabs in self.orphans:
            shutil.rmtree(folder, ignore_errors=True)
        self.orphans = []
        self._release_orphans()

    def _release_orphans(self) -> None:
        for lock in self._orphan_locks:
            lock.unlock()
        self._orphan_locks = []


def _read_index(folder: Path) -> list[dict]:
    """The tabs an autosave folder holds (entries whose files exist), or [] when it holds none."""
    try:
        data = json.loads((folder / INDEX).read_text(encoding="utf-8"))
        tabs = [t for t in data["tabs"] if isinstance(t, dict)]
        return [t for t in tabs if isinstance(t.get("file"), str) and isinstance(t.get("kind"), str)
                and isinstance(t.get("title"), str) and (folder / Path(t["file"]).name).is_file()]
    except (OSError, ValueError, KeyError, TypeError, RecursionError):
        return []


def _write_json(path: Path, data: dict) -> None:
    """Write ``data`` to ``path`` atomically (a temporary file in the same folder, then rename)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _remove_temporaries(folder: Path) -> None:
    """Every temporary file in a dead window's autosave folder (no save of its is running)."""
    for tmp in folder.glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


def remove_stale_temporaries(paths: list[str], older_than_s: float = STALE_TMP_S) -> list[Path]:
    """Remove the temporary files that killed saves left beside ``paths`` (files Stepwise wrote:
    ``.<name>.<random>.tmp``, older than ``older_than_s`` so that no running save loses its own).
    Returns the files removed."""
    removed = []
    now = time.time()
    for text in paths:
        p = Path(text)
        try:
            for tmp in p.parent.glob(f".{glob.escape(p.name)}.*.tmp"):
                if tmp.is_file() and now - tmp.stat().st_mtime > older_than_s:
                    tmp.unlink()
                    removed.append(tmp)
        except OSError:
            continue
    return removed
