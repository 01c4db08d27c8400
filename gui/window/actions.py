"""Every QAction of the main window, built in one place and reused by menus, toolbar and buttons.

Also the menus made of them, and the small things those actions open: the recent-files list and
the Help dialogs, whose shortcut table lists the actions' keys and the workspaces' own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QMessageBox, QWidget

from gui.common.workspace import Workspace


@dataclass
class Actions:
    open: QAction
    save: QAction
    save_as: QAction
    export_plot: QAction
    export_animation: QAction
    export_trace: QAction
    quit: QAction
    step: QAction
    run: QAction
    back: QAction
    reset: QAction
    font_bigger: QAction
    font_smaller: QAction
    log_loss: QAction
    presentation: QAction
    about: QAction
    shortcuts: QAction
    getting_started: QAction


def _action(parent: QWidget, text: str, shortcut=None, tip: str = "", checkable: bool = False,
            name: str = "") -> QAction:
    action = QAction(text, parent)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip + (f" ({action.shortcut().toString()})" if shortcut else ""))
    action.setCheckable(checkable)
    action.setObjectName(name or text.replace("&", "").replace("…", "").strip().lower())
    return action


def build_actions(parent: QWidget) -> Actions:
    """All actions, parented to ``parent`` (the main window) so their shortcuts work everywhere."""
    return Actions(
        open=_action(parent, "&Open…", QKeySequence.StandardKey.Open, "Open a scenario file", name="open"),
        save=_action(parent, "&Save", QKeySequence.StandardKey.Save, "Save the current scenario", name="save"),
        save_as=_action(parent, "Save &As…", QKeySequence.StandardKey.SaveAs,
                        "Save the current scenario under a new name", name="save_as"),
        export_plot=_action(parent, "&Plot…", None, "Save one plot of this tab as a PNG (1x to 4x) or an "
                            "SVG drawing", name="export_plot"),
        export_animation=_action(parent, "&Animation…", None, "Save the run from the shown step as a GIF "
                                 "or MP4, one frame per step", name="export_animation"),
        export_trace=_action(parent, "&Trace…", None, "Save this tab's steps up to the shown one as JSON "
                             "or CSV, as `stepwise run` writes them", name="export_trace"),
        quit=_action(parent, "&Quit", QKeySequence.StandardKey.Quit, "Quit Stepwise", name="quit"),
        step=_action(parent, "Step", "Space", "Take one step (on the Network tab, of the size chosen last)",
                     name="step"),
        run=_action(parent, "Run", "Shift+Space", "Run or pause", checkable=True, name="run"),
        back=_action(parent, "Back", "Backspace", "Go back one step", name="back"),
        reset=_action(parent, "Reset", "Ctrl+R", "Return to the start point", name="reset"),
        font_bigger=_action(parent, "&Bigger font", QKeySequence.StandardKey.ZoomIn,
                            "Larger text for projectors", name="font_bigger"),
        font_smaller=_action(parent, "&Smaller font", QKeySequence.StandardKey.ZoomOut,
                             "Smaller text", name="font_smaller"),
        log_loss=_action(parent, "&Log scale for loss", None, "Show the loss on a log axis",
                         checkable=True, name="log_loss"),
        presentation=_action(parent, "&Presentation mode", "F11", "Presentation mode: full screen, large "
                             "text (Esc leaves)", checkable=True, name="presentation"),
        about=_action(parent, "&About Stepwise", None, "About Stepwise", name="about"),
        shortcuts=_action(parent, "&Keyboard shortcuts", None, "List the keyboard shortcuts",
                          name="shortcuts"),
        getting_started=_action(parent, "&Getting started", None, "What to press first: the step "
                                "buttons and their keys", name="getting_started"),
    )


#: File > Export, in menu order: a new export is one action in :class:`Actions` and its name here.
EXPORT_ACTIONS = ("export_plot", "export_animation", "export_trace")


def build_menus(bar: QMenuBar, a: Actions, dock_toggle: QAction) -> QMenu:
    """File, Run, View and Help menus from the actions (``dock_toggle`` shows or hides the settings
    dock); returns the File > Open Recent menu, which :class:`RecentFiles` fills."""
    file_menu = bar.addMenu("&File")
    file_menu.addAction(a.open)
    recent_menu = file_menu.addMenu("Open &Recent")
    file_menu.addAction(a.save)
    file_menu.addAction(a.save_as)
    file_menu.addSeparator()
    export_menu = file_menu.addMenu("E&xport")
    export_menu.setObjectName("exportMenu")
    for name in EXPORT_ACTIONS:
        export_menu.addAction(getattr(a, name))
    file_menu.addSeparator()
    file_menu.addAction(a.quit)
    run_menu = bar.addMenu("&Run")
    for action in (a.step, a.run, a.back, a.reset):
        run_menu.addAction(action)
    view_menu = bar.addMenu("&View")
    view_menu.addAction(dock_toggle)
    view_menu.addSeparator()
    view_menu.addAction(a.font_bigger)
    view_menu.addAction(a.font_smaller)
    view_menu.addAction(a.log_loss)
    view_menu.addSeparator()
    view_menu.addAction(a.presentation)
    help_menu = bar.addMenu("&Help")
    help_menu.addAction(a.getting_started)
    help_menu.addAction(a.shortcuts)
    help_menu.addAction(a.about)
    return recent_menu


MAX_RECENT = 8


class RecentFiles:
    """File > Open Recent: the last few scenario paths, kept in QSettings (UI state only)."""

    def __init__(self, settings: QSettings, menu: QMenu, open_path) -> None:
        self.settings, self.menu, self.open_path = settings, menu, open_path
        self.refresh()

    def paths(self) -> list[str]:
        value = self.settings.value("files/recent", [])
        return [value] if isinstance(value, str) else list(value or [])

    def add(self, path: str) -> None:
        rest = [p for p in self.paths() if p != path]
        self.settings.setValue("files/recent", [path, *rest][:MAX_RECENT])
        self.refresh()

    def refresh(self) -> None:
        # The entry that opened a file may still be firing: taken out of the menu now, deleted once
        # control is back in the event loop (QMenu.clear() would delete it under its own signal).
        for action in self.menu.actions():
            self.menu.removeAction(action)
            action.deleteLater()
        for path in self.paths():
            action = self.menu.addAction(path)
            action.triggered.connect(lambda checked=False, p=path: self.open_path(p))
        self.menu.setEnabled(bool(self.paths()))


def show_about(parent: QWidget) -> None:
    QMessageBox.about(parent, "About Stepwise",
                      "<h3>Stepwise</h3><p>Step through gradient descent and back propagation "
                      "one iteration at a time, and see why each step goes where it goes.</p>")


def show_shortcuts(parent: QWidget, actions: Actions, workspaces: Sequence[Workspace],
                   extra: Sequence[QAction] = ()) -> QMessageBox:
    """Help > Keyboard shortcuts: every key of the window and of its tabs, in one table."""
    box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts", shortcuts_html(actions, workspaces, extra),
                      QMessageBox.StandardButton.Close, parent)
    box.setObjectName("shortcutsBox")
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def shortcuts_html(actions: Actions, workspaces: Sequence[Workspace], extra: Sequence[QAction] = ()) -> str:
    """The shortcut table as rich text: key, what it does, where it works."""
    rows = "".join(f"<tr><td><b>{key}</b></td><td>&nbsp;&nbsp;{what}</td><td>&nbsp;&nbsp;<i>{where}</i></td></tr>"
                   for key, what, where in shortcut_table(actions, workspaces, extra=extra))
    return f"<table>{rows}</table>"


#: The actions with keys, in the order the table lists them (stepping first).
TABLE_ACTIONS = ("step", "run", "back", "reset", "open", "save", "save_as", "font_bigger", "font_smaller",
                 "presentation", "quit")
EVERY_TAB = "every tab"


def shortcut_table(actions: Actions, workspaces: Sequence[Workspace],
                   names: Sequence[str] = TABLE_ACTIONS, extra: Sequence[QAction] = ()) -> list[tuple[str, str, str]]:
    """(key, what it does, where) for the actions ``names`` that have a key and the ``extra`` ones
    (e.g. Edit > Undo, built by their own menu), then every key a workspace binds
    (``Workspace.key_bindings``, the list its shortcuts are installed from)."""
    rows = []
    for action in [getattr(actions, name) for name in names] + list(extra):
        key = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if key:
            rows.append((key, action.statusTip(), EVERY_TAB))
    tabs: dict[tuple[str, str], list[str]] = {}
    for ws in workspaces:
        for binding in ws.key_bindings():
            key = binding.sequence.toString(QKeySequence.SequenceFormat.NativeText)
            tabs.setdefault((key, binding.what), []).append(ws.title)
    titles = [ws.title for ws in workspaces]
    for (key, what), where in tabs.items():
        rows.append((key, what, EVERY_TAB if where == titles else " and ".join(where) + " tab"))
    return rows
