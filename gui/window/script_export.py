"""File > Export > As script…: the current tab's scenario as a standalone numpy or PyTorch script.

:class:`ScriptExport` owns the QAction and its dialog (:class:`ScriptDialog`: the form and the
number of updates), then asks where to write the file. The script itself is written by
``engine.code_export`` — the same text as ``stepwise export`` — from the tab's scenario at its
current settings (what File > Save would write), and, run alone, prints the trace of
``stepwise run``. It reaches the window through :class:`ScriptHost`, so it imports nothing of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol, cast

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QLabel, QMenu,
                               QMenuBar, QSpinBox, QWidget)

from engine.code_export import ExportError, export_script
from gui.common.workspace import Workspace

SCRIPT_FILTER = "Python scripts (*.py);;All files (*)"
DEFAULT_STEPS = 100
MAX_STEPS = 1_000_000
#: The forms offered, as the command line's ``--to`` names them, with their menu text.
FORMS = (("numpy", "numpy (written-out back propagation and optimizer)"),
         ("pytorch", "PyTorch (torch.nn layers, torch.optim)"))


class ScriptHost(Protocol):
    """What the export needs from the window: the current tab and a way to report an error."""

    @property
    def current_workspace(self) -> Workspace: ...

    def show_error(self, headline: str, detail: str) -> None: ...


class ScriptDialog(QDialog):
    """Which form (numpy or PyTorch; PyTorch for networks only) and how many updates the script takes."""

    def __init__(self, kind: str, title: str, steps: int, form: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("scriptExportDialog")
        self.setWindowTitle("Export as script")
        layout = QFormLayout(self)
        intro = QLabel(f"The {title} tab's scenario, at its current settings (what Save writes), as a "
                       "standalone Python script that prints the same trace as "
                       "<tt>stepwise run … --format json</tt>.")
        intro.setWordWrap(True)
        layout.addRow(intro)
        self.form = QComboBox(self)
        self.form.setObjectName("scriptForm")
        for key, text in FORMS:
            self.form.addItem(text, key)
        if kind != "network":
            item = self.form.model().item(self.form.findData("pytorch"))
            item.setEnabled(False)
            item.setToolTip("PyTorch scripts are written for network scenarios")
            form = "numpy"
        self.form.setCurrentIndex(max(self.form.findData(form), 0))
        layout.addRow("Form:", self.form)
        self.steps = QSpinBox(self)
        self.steps.setObjectName("scriptSteps")
        self.steps.setRange(0, MAX_STEPS)
        self.steps.setValue(steps)
        self.steps.setToolTip("Updates the script takes (iterations for 1-D and 2-D descent)")
        layout.addRow("Updates:", self.steps)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                   self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.buttons = buttons
        layout.addRow(buttons)

    @property
    def chosen_form(self) -> str:
        return str(self.form.currentData())


class ScriptExport(QObject):
    """File > Export > As script…: the action, its dialog, the file dialog and the writing."""

    def __init__(self, window: ScriptHost) -> None:
        super().__init__(cast(QObject, window))
        self._window = window
        self.action = QAction("As &script…", cast(QObject, window))
        self.action.setObjectName("export_script")
        self.action.setStatusTip("Save the current tab's run as a standalone numpy or PyTorch script")
        self.action.triggered.connect(self.ask)
        self.dialog: ScriptDialog | None = None
        self._steps, self._form = DEFAULT_STEPS, "numpy"

    def install(self, bar: QMenuBar) -> None:
        """Put the action into File > Export (the menu called ``exportMenu``) when the window has one,
        else into the File menu after its last Export entry, as "Export as script…"."""
        export_menu = bar.findChild(QMenu, "exportMenu")
        if export_menu is not None:
            export_menu.addAction(self.action)
            return
        file_menu = next(a.menu() for a in bar.actions() if a.menu() and a.text().replace("&", "") == "File")
        self.action.setText("Export as &script…")
        actions = file_menu.actions()
        exports = [i for i, a in enumerate(actions) if a.text().replace("&", "").startswith("Export")]
        index = exports[-1] + 1 if exports else len(actions)
        if index < len(actions):
            file_menu.insertAction(actions[index], self.action)
        else:
            file_menu.addAction(self.action)

    @property
    def _parent(self) -> QWidget:
        return cast(QWidget, self._window)

    def ask(self) -> None:
        """Open the dialog for the current tab; on OK, ask where to write the script."""
        ws = self._window.current_workspace
        try:
            scenario = ws.to_scenario()
        except NotImplementedError:
            self._window.show_error("Nothing to export", f"The {ws.title} tab has no scenario to write as a script.")
            return
        except ValueError as exc:
            self._window.show_error("Could not export script", str(exc))
            return
        dialog = ScriptDialog(scenario.kind, ws.title, self._steps, self._form, self._parent)
        dialog.accepted.connect(lambda: self._chosen(dialog, scenario, ws))
        dialog.finished.connect(lambda _result: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _chosen(self, dialog: ScriptDialog, scenario, ws: Workspace) -> None:
        self._steps, self._form = dialog.steps.value(), dialog.chosen_form
        doc = ws.document
        stem = Path(doc.file_name).stem if doc.file_name else ws.title.replace(" ", "-").lower()
        start = Path(doc.path).parent if doc.path and not doc.is_preset else Path.home()
        path, _ = QFileDialog.getSaveFileName(self._parent, "Export as script",
                                              str(start / f"{stem}-{self._form}.py"), SCRIPT_FILTER)
        if path:
            self.write(scenario, self._form, self._steps, path, stem)

    def write(self, scenario, form: str, steps: int, path: str, name: str = "SCENARIO") -> bool:
        """Write ``scenario`` as a ``form`` script of ``steps`` updates to ``path``; errors are shown."""
        try:
            text = export_script(scenario, form, steps, name=name)
            Path(path).write_text(text, encoding="utf-8")
        except (ExportError, ValueError, OSError) as exc:
            self._window.show_error("Could not export script", str(exc))
            return False
        return True


__all__ = ["FORMS", "ScriptDialog", "ScriptExport", "ScriptHost"]
