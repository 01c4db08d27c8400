"""The Edit menu: Undo and Redo of the current tab's edits (Ctrl+Z, Ctrl+Shift+Z).

Each workspace that can undo owns a ``QUndoStack`` (``Workspace.undo_stack``); one ``QUndoGroup``
holds them and makes the current tab's stack the active one, so the two actions always undo and
redo in the tab on screen and say what they would undo ("Undo Change learning rate").
"""

from __future__ import annotations

from typing import Protocol, cast

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence, QUndoGroup
from PySide6.QtWidgets import QMenuBar, QTabWidget

from gui.common.workspace import Workspace


class UndoHost(Protocol):
    """What the Edit menu needs from the window: its menu bar, its tabs and the current one."""

    tabs: QTabWidget

    @property
    def current_workspace(self) -> Workspace: ...

    def menuBar(self) -> QMenuBar: ...  # noqa: N802 - Qt's name


class EditMenu:
    """Edit > Undo / Redo, inserted after the File menu, following the current tab."""

    def __init__(self, window: UndoHost) -> None:
        self._window = window
        parent = cast(QObject, window)
        self.group = QUndoGroup(parent)
        self.undo = self.group.createUndoAction(parent, "&Undo")
        self.undo.setObjectName("undo")
        self.undo.setShortcuts([QKeySequence("Ctrl+Z")])
        self.undo.setStatusTip("Undo the last edit of this tab (stepping is not an edit: use Back)")
        self.redo = self.group.createRedoAction(parent, "&Redo")
        self.redo.setObjectName("redo")
        self.redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.redo.setStatusTip("Redo the edit just undone")
        bar = window.menuBar()
        menu = bar.addMenu("&Edit")
        menu.addAction(self.undo)
        menu.addAction(self.redo)
        menus = bar.actions()
        if len(menus) > 2:
            bar.insertMenu(menus[1], menu)  # after File, where people look for it
        window.tabs.currentChanged.connect(lambda _index: self.follow())
        self.follow()

    def actions(self) -> tuple[QAction, QAction]:
        """Undo and Redo, for the keyboard-shortcuts table."""
        return self.undo, self.redo

    def follow(self) -> None:
        """Undo and Redo act on the current tab (disabled on a tab with nothing to undo)."""
        stack = self._window.current_workspace.undo_stack
        if stack is not None and stack not in self.group.stacks():
            self.group.addStack(stack)
        self.group.setActiveStack(stack)
