"""Undo and redo of a tab's edits, with Qt's undo framework.

:class:`ScenarioHistory` keeps a ``QUndoStack`` of the tab's work as scenarios: after every edit
(the controller's ``edited``) it pushes a :class:`ScenarioEdit` holding the scenario before and
after, and undoing restores the one before through the controller's ``load``, which is not an
edit. The tab's unsaved flag follows the stack: undoing back to what was saved makes it clean.
Stepping is navigation (Back), never undo, so it pushes nothing.
"""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QObject
from PySide6.QtGui import QUndoCommand, QUndoStack

from gui.common.document import Document

#: Consecutive edits of a typed formula merge into one undo step (one per keystroke otherwise).
TYPING_ID = 1

#: What a change of each scenario field is called in Edit > Undo …
FIELD_NAMES = {"function": "function", "derivatives": "derivatives", "start": "start point",
               "optimizer": "optimizer", "compare": "racing optimizers", "tolerance": "tolerance",
               "max_iterations": "iteration limit"}


def describe(before: dict, after: dict) -> str:
    """The edit in words, for the Edit menu: "Change learning rate", "Change start point", ..."""
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
    """One edit: the scenario before and after it; undo and redo restore one of them."""

    def __init__(self, history: "ScenarioHistory", before: Any, after: Any) -> None:
        self._history, self.before, self.after = history, before, after
        self._before_dict, self._after_dict = before.to_dict(), after.to_dict()
        super().__init__(describe(self._before_dict, self._after_dict))
        self._done = True  # pushed after the edit took effect: the first redo has nothing to do

    def id(self) -> int:  # noqa: A003 - Qt's name
        """Typing a formula merges with the typing just before it."""
        return TYPING_ID if self.text() == "Type formula" else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt's name
        """Keep this edit's "before" and take the later keystroke's "after"."""
        if not isinstance(other, ScenarioEdit):
            return False
        self.after, self._after_dict = other.after, other._after_dict
        self.setObsolete(self._before_dict == self._after_dict)
        return True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._history.restore(self.after)

    def undo(self) -> None:
        self._history.restore(self.before)


class ScenarioHistory(QObject):
    """A tab's undo stack; ``snapshot()`` is the tab's work as a scenario and ``restore(s)`` puts
    ``s`` back without counting as an edit."""

    def __init__(self, edited, snapshot: Callable[[], Any], restore: Callable[[Any], None],
                 document: Document, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stack = QUndoStack(self)
        self._snapshot, self._restore, self._document = snapshot, restore, document
        self._state = snapshot()
        self._restoring = False
        edited.connect(self._on_edited)
        self.stack.cleanChanged.connect(self._on_clean_changed)
        document.changed.connect(self._on_document)

    def reset(self) -> None:
        """New work (a file was opened): nothing to undo, and the work as it is now is the start."""
        self.stack.clear()
        self._state = self._snapshot()

    def restore(self, scenario: Any) -> None:
        """Put ``scenario`` back (undo or redo)."""
        self._restoring = True
        try:
            self._restore(scenario)
        finally:
            self._restoring = False
        self._state = scenario

    def _on_edited(self) -> None:
        if self._restoring:
            return
        before, after = self._state, self._snapshot()
        self._state = after
        if before != after:
            self.stack.push(ScenarioEdit(self, before, after))

    def _on_clean_changed(self, clean: bool) -> None:
        """Undoing back to the saved work makes the tab clean; leaving it makes it unsaved."""
        if clean:
            self._document.mark_clean()
        else:
            self._document.mark_dirty()

    def _on_document(self) -> None:
        """The work was saved (or marked clean): the current state is the stack's clean one."""
        if not self._document.dirty and not self.stack.isClean():
            self.stack.setClean()
