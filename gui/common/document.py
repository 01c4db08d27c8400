"""One tab's document: the file its work came from and whether that work has changed since.

Each workspace owns a :class:`Document`, so the tabs never share a file path or an unsaved flag:
Save writes a tab's scenario to that tab's file only, and the quit prompt can name every tab with
unsaved work. The built-in presets (files under ``resources/scenarios``) are documents too, but
read-only ones: Save on a preset becomes Save As.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from engine import presets

#: Larger files are not read just to learn their kind (no scenario is this big).
KIND_PEEK_LIMIT = 64 * 1024 * 1024


class Document(QObject):
    """A tab's file (``path``, the ``kind`` of scenario it holds) and unsaved state (``dirty``)."""

    #: The path, kind or unsaved state changed (the window's title and tab text follow it).
    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path: str | None = None
        self.kind: str | None = None
        self.dirty = False

    @property
    def is_preset(self) -> bool:
        """True when the file is one of the built-in presets, which are never written to."""
        return self.path is not None and is_preset_path(self.path)

    @property
    def file_name(self) -> str | None:
        """The file's name without its folder, or None before the tab has a file."""
        return os.path.basename(self.path) if self.path else None

    def set_file(self, path: str, kind: str) -> None:
        """The tab's work now comes from (or was saved to) ``path``, a ``kind`` scenario; it is clean."""
        self.path, self.kind, self.dirty = path, kind, False
        self.changed.emit()

    def set_untitled(self, kind: str) -> None:
        """The tab now holds new work of ``kind`` that has no file yet (Save asks for a name)."""
        self.path, self.kind = None, kind
        self.changed.emit()

    def mark_dirty(self) -> None:
        """An edit changed what Save would write."""
        if not self.dirty:
            self.dirty = True
            self.changed.emit()

    def mark_clean(self) -> None:
        """What Save would write is what the file holds (just loaded or saved)."""
        if self.dirty:
            self.dirty = False
            self.changed.emit()


def is_preset_path(path: str | os.PathLike) -> bool:
    """True for a built-in preset's file (``engine.presets`` knows where they are installed)."""
    return presets.is_builtin(path)


def file_kind(path: str | os.PathLike) -> str | None:
    """The ``kind`` of the scenario a file holds now, or None when it is absent or not a scenario.

    Save asks it before writing, so that one kind of scenario never replaces a file of another.
    """
    try:
        p = Path(path)
        if not p.is_file() or p.stat().st_size > KIND_PEEK_LIMIT:
            return None
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if isinstance(data, dict) and data.get("format") == "stepwise-scenario":
        kind = data.get("kind")
        return kind if isinstance(kind, str) else None
    return None
