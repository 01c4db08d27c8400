"""Undo and redo of a tab's edits, with Qt's undo framework.

:class:`ScenarioHistory` keeps a ``QUndoStack`` of the tab's work as snapshots (a scenario, or
what a tab keeps beside it): after every edit (the controller's ``edited``) it pushes a
:class:`ScenarioEdit` holding the snapshot before and after, and undoing restores the one before
through the controller, which is not an edit. The tab's unsaved flag follows the stack: undoing
back to what was saved makes it clean. Stepping is navigation (Back), never undo, so it pushes
nothing. The descent tabs use it as it is; the network tab (``gui.network.edits``) passes its own
snapshot, comparison and edit names, and an ``about_to_edit`` signal, because what it saves (the
network at the cursor) moves as it steps.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, SignalInstance
from PySide6.QtGui import QUndoCommand, QUndoStack

from gui.common.document import Document

#: Consecutive edits of a typed formula merge into one undo step (one per keystroke otherwise).
TYPING_ID = 1
#: Edits kept for undo per tab (each holds two snapshots, which share their arrays).
UNDO_LIMIT = 200

#: What a change of each scenario field is called in Edit > Undo …
FIELD_NAMES = {"function": "function", "derivatives": "derivatives", "start": "start point",
               "optimizer": "optimizer", "compare": "racing optimizers", "tolerance": "tolerance",
               "max_iterations": "iteration limit"}


def describe(before: dict, after: dict) -> str:
    """A descent tab's edit in words, for the Edit menu: "Change learning rate", "Change start point"."""
    changed = [key for key in FIELD_NAMES if before.get(key) != after.get(key)]
    if changed == ["optimizer"]:
        old, new = before["optimizer"], after["optimizer"]
        keys = [k for k in {*old, *new} if old.get(k) != new.get(k)]
        if keys == ["lr"]:
            return "Change learning rate"
    if changed == ["function"] and "expression" in after["function"]:
        return "Type formula"
    return "Change " + (" and ".join(FIELD_NAMES[key] for key in changed) if changed else "settings")


class ScenarioEdit(QUndoCommand):
    """One edit: the snapshot before and after it; undo and redo restore one of them."""

    def __init__(self, history: "ScenarioHistory", before: Any, after: Any) -> None:
        self._history, self.before, self.after = history, before, after
        super().__init__(history.describe(before, after))
        self._done = True  # pushed after the edit took effect: the first redo has nothing to do

    def id(self) -> int:  # noqa: A003 - Qt's name
        """Typing a formula merges with the typing just before it."""
        return TYPING_ID if self.text() == "Type formula" else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        """Keep this edit's "before" and take the later keystroke's "after"."""
        if not isinstance(other, ScenarioEdit):
            return False
        self.after = other.after
        self.setObsolete(self._history.same(self.before, self.after))
        return True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._history.restore(self.after)

    def undo(self) -> None:
        self._history.restore(self.before)


def _describe_scenarios(before: Any, after: Any) -> str:
    return describe(before.to_dict(), after.to_dict())


def _same(before: Any, after: Any) -> bool:
    return bool(before == after)


class ScenarioHistory(QObject):
    """A tab's undo stack; ``snapshot()`` is the tab's work and ``restore(s)`` puts ``s`` back
    without counting as an edit.

    By default a snapshot is a scenario, compared by its file form and named by :func:`describe`;
    ``describe(before, after)`` and ``same(a, b)`` replace them. With ``about_to_edit`` (a signal
    the controller emits just before it applies an edit) the "before" of an edit is the work as it
    was at that moment; without it, the work after the previous edit (the same for a tab whose
    saved work does not move as it steps).
    """

    def __init__(self, edited: SignalInstance, snapshot: Callable[[], Any], restore: Callable[[Any], None],
                 document: Document, parent: QObject | None = None, *,
                 about_to_edit: SignalInstance | None = None,
                 describe: Callable[[Any, Any], str] = _describe_scenarios,
                 same: Callable[[Any, Any], bool] = _same) -> None:
        super().__init__(parent)
        self.stack = QUndoStack(self)
        self.stack.setUndoLimit(UNDO_LIMIT)
        self._snapshot, self._restore, self._document = snapshot, restore, document
        self.describe, self.same = describe, same
        self._state = snapshot()
        self._restoring = False
        edited.connect(self._on_edited)
        if about_to_edit is not None:
            about_to_edit.connect(self._on_about_to_edit)
        self.stack.cleanChanged.connect(self._on_clean_changed)
        document.changed.connect(self._on_document)

    def reset(self) -> None:
        """New work (a file was opened): nothing to undo, and the work as it is now is the start."""
        self.stack.clear()
        self._state = self._snapshot()

    def restore(self, state: Any) -> None:
        """Put ``state`` back (undo or redo)."""
        self._restoring = True
        try:
            self._restore(state)
        finally:
            self._restoring = False
        self._state = state

    def _on_about_to_edit(self) -> None:
        if not self._restoring:
            self._state = self._snapshot()

    def _on_edited(self) -> None:
        if self._restoring:
            return
        before, after = self._state, self._snapshot()
        self._state = after
        if not self.same(before, after):
            self.stack.push(ScenarioEdit(self, before, after))

    def _on_clean_changed(self, clean: bool) -> None:
        """Undoing back to the saved work makes the tab clean; leaving it makes it unsaved."""
        if clean:
            self._document.mark_clean()
        else:
            self._document.mark_dirty()

    def _on_document(self) -> None:
        """Saved (or marked clean): the current state is the stack's clean one. Marked unsaved
        without an edit pushed (work loaded as new, a recovery): no state on the stack is the file's."""
        if not self._document.dirty:
            if not self.stack.isClean():
                self.stack.setClean()
        elif self.stack.isClean():
            QTimer.singleShot(0, self, self._unsaved_without_edit)  # an edit pushes its step first

    def _unsaved_without_edit(self) -> None:
        if self._document.dirty and self.stack.isClean():
            self.stack.resetClean()
