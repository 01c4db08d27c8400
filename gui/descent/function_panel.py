"""Side panel of the descent workspaces: function, start point, racing optimizers, then the method box.

Every edit becomes one controller intent; ``refresh()`` writes the controller's state back into the
widgets under signal blockers so nothing echoes. Formula errors show under the field, in red, with
a caret under the offending column; the last valid function stays active. A typed formula is compiled a short pause after the last
keystroke (``DEBOUNCE_MS``), in the background (``gui.common.background``), with "working…" beside
the field; a result for text that has changed since is dropped.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QFormLayout, QGroupBox, QHBoxLayout, QLabel, QLineEdit,
                               QListWidget, QListWidgetItem, QPushButton, QVBoxLayout, QWidget)

from engine.numbers import format_number
from engine.optimizers import TITLES, next_racer
from gui.common import style
from gui.common.background import BackgroundRunner, ProgressLine
from gui.descent.method_panel import MethodBox, narrow, number_box


#: Milliseconds after the last keystroke before a typed formula is compiled.
DEBOUNCE_MS = 300


def _compile(job, compile_formula, text: str):
    """The background job: ``(text, objective)``; a refusal is raised as FormulaError."""
    return text, compile_formula(text)


def rich_formula(text: str) -> str:
    """Plain formula text as rich text: powers as superscripts, x1 as x with subscript 1."""
    out = html.escape(text)
    out = re.sub(r"\*\*\(([^()]*)\)", r"<sup>\1</sup>", out)
    out = re.sub(r"\*\*(-?[\w.]+)", r"<sup>\1</sup>", out)
    out = re.sub(r"(?<![A-Za-z0-9_])x([12])(?![A-Za-z0-9_])", r"x<sub>\1</sub>", out)
    return out.replace("*", "·")


class FunctionPanel(QWidget):
    """Settings for a ``DescentController``; ``race=True`` adds the list of racing optimizers."""

    def __init__(self, controller, race: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.dim = controller.dim
        self.selected = 0
        self.compiler = BackgroundRunner(self, "working…")
        self.compiler.finished.connect(self._on_compiled)
        self.compiler.failed.connect(self._on_refused)
        self._compile_timer = QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._compile_timer.timeout.connect(self._compile_typed)
        self._submitted = ""
        layout = QVBoxLayout(self)
        layout.addWidget(self._function_group())
        layout.addWidget(self._start_group())
        if race:
            layout.addWidget(self._race_group())
        else:
            self.race_list = None
        self.method_box = MethodBox(controller, lambda: self.selected)
        layout.addWidget(self.method_box)
        # The method widgets are reached through the panel, as before the box had a file of its own.
        for name in ("method_combo", "hyper_boxes", "hyper_labels", "schedule_combo", "decay_box",
                     "decay_label", "deriv_combo", "h_box", "h_label", "tol_box", "max_iter_box",
                     "method_error"):
            setattr(self, name, getattr(self.method_box, name))
        layout.addStretch(1)
        controller.settings_changed.connect(self.refresh)
        controller.formula_error.connect(self.show_formula_error)
        controller.formula_ok.connect(lambda: self.formula_error.setText(""))
        controller.objective_changed.connect(self._show_typed_formula)
        self.refresh()

    # -- construction -----------------------------------------------------------------------------
    def _function_group(self) -> QGroupBox:
        from engine import functions

        box = QGroupBox("Function")
        form = QVBoxLayout(box)
        self.preset_combo = narrow(QComboBox(objectName="presetCombo"), 14)
        for p in functions.presets_for(self.dim):
            self.preset_combo.addItem(p.title, p.name)
        self.preset_combo.addItem("Typed formula", None)
        form.addWidget(self.preset_combo)
        variables = "x" if self.dim == 1 else "x1, x2"
        self.formula_edit = QLineEdit(objectName="formulaEdit")
        self.formula_edit.setPlaceholderText(f"f({variables}) = …  e.g. x**4 - 3*x")
        self.working = ProgressLine(self.compiler, box, cancellable=False, bar=False)
        self.working.setObjectName("formulaWorking")
        heading = QHBoxLayout()
        heading.addWidget(QLabel(f"f({variables}) ="))
        heading.addWidget(self.working, 1)
        form.addLayout(heading)
        form.addWidget(self.formula_edit)
        self.formula_error = QLabel(objectName="formulaError")
        self.formula_error.setStyleSheet(f"color: {style.ERROR_COLOUR};")
        self.formula_error.setTextFormat(Qt.TextFormat.RichText)
        self.formula_error.setWordWrap(True)
        form.addWidget(self.formula_error)
        self.derivatives_label = QLabel(objectName="derivativesLabel")
        self.derivatives_label.setTextFormat(Qt.TextFormat.RichText)
        self.derivatives_label.setWordWrap(True)
        form.addWidget(self.derivatives_label)
        self.preset_combo.activated.connect(self._on_preset)
        self.formula_edit.textEdited.connect(self._on_formula)
        return box

    def _start_group(self) -> QGroupBox:
        box = QGroupBox("Start point (or click the plot)")
        form = QFormLayout(box)
        self.start_boxes = []
        names = ["x"] if self.dim == 1 else ["x1", "x2"]
        for i, name in enumerate(names):
            spin = narrow(number_box(-1e6, 1e6), 10)
            spin.setObjectName(f"start_{name}")
            label = "x<sub>0</sub>" if self.dim == 1 else f"x<sub>{i + 1}</sub> at start"
            form.addRow(QLabel(label), spin)
            spin.valueChanged.connect(self._on_start)
            self.start_boxes.append(spin)
        return box

    def _race_group(self) -> QGroupBox:
        box = QGroupBox("Optimizers racing on this surface")
        col = QVBoxLayout(box)
        self.race_list = QListWidget(objectName="raceList")
        self.race_list.setMaximumHeight(120)
        col.addWidget(self.race_list)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add optimizer", objectName="addOptimizer")
        self.remove_button = QPushButton("Remove", objectName="removeOptimizer")
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.remove_button)
        col.addLayout(buttons)
        self.race_list.currentRowChanged.connect(self._on_select)
        self.add_button.clicked.connect(self._on_add)
        self.remove_button.clicked.connect(self._on_remove)
        return box

    # -- controller -> widgets -------------------------------------------------------------------------
    def _show_typed_formula(self) -> None:
        """A typed formula that arrives from elsewhere (an opened scenario) appears in the field;
        while the person is typing in it, their text stays as it is."""
        c = self.controller
        if c.preset_name is None and not self.formula_edit.hasFocus():
            self.formula_edit.setText(c.expression_text)

    def refresh(self) -> None:
        c = self.controller
        self.selected = min(self.selected, len(c.specs) - 1)
        widgets = [self.preset_combo, *self.start_boxes]
        if self.race_list is not None:
            widgets.append(self.race_list)
        blockers = [QSignalBlocker(w) for w in widgets]
        index = self.preset_combo.findData(c.preset_name)
        self.preset_combo.setCurrentIndex(index if index >= 0 else self.preset_combo.count() - 1)
        if c.preset_name is not None and not self.formula_edit.hasFocus():
            self.formula_edit.setText(c.objective.expression)
        for box, value in zip(self.start_boxes, c.start):
            box.setValue(float(value))
        self.method_box.refresh()
        if self.race_list is not None:
            self.race_list.clear()
            for i, s in enumerate(c.specs):
                item = QListWidgetItem(f"{i + 1}. {TITLES[s.name]}  (lr {format_number(s.lr)})")
                item.setForeground(QColor(style.series_colour(i)))
                self.race_list.addItem(item)
            self.race_list.setCurrentRow(self.selected)
            self.remove_button.setEnabled(len(c.specs) > 1)
        del blockers
        self._show_derivatives()

    def _show_derivatives(self) -> None:
        try:
            texts = self.controller.objective.derivative_texts()
        except (ValueError, ArithmeticError) as exc:
            self.derivatives_label.setText(html.escape(str(exc)))
            return
        # Plain lines (not a table) so a narrow panel can wrap them.
        self.derivatives_label.setText("<br>".join(f"{rich_formula(label)} = {rich_formula(text)}"
                                                   for label, text in texts))

    def show_formula_error(self, message: str, column: int) -> None:
        text = html.escape(message)
        if column >= 0:
            formula = self.formula_edit.text()
            caret = "&nbsp;" * column + "^"
            text += (f"<pre style='margin:0'>{html.escape(formula)}\n{caret}</pre>"
                     f"(column {column + 1}; the previous function is still in use)")
        else:
            text += " (the previous function is still in use)"
        self.formula_error.setText(text)

    # -- widgets -> controller -------------------------------------------------------------------------
    def _on_preset(self, index: int) -> None:
        name = self.preset_combo.itemData(index)
        if name is None:
            self.formula_edit.setFocus()
            return
        self.formula_error.setText("")
        self.controller.set_preset(name)

    @property
    def compiling(self) -> bool:
        """True while a typed formula waits for the pause or compiles."""
        return self._compile_timer.isActive() or self.compiler.busy

    def _on_formula(self, text: str) -> None:
        if text.strip():
            self._compile_timer.start()  # restarted by every keystroke
        else:
            self._compile_timer.stop()
            self.compiler.cancel()
            self.formula_error.setText("Type a formula (the previous function is still in use).")

    def _compile_typed(self) -> None:
        text = self.formula_edit.text()
        if text.strip():
            self._submitted = text
            self.compiler.submit(_compile, self.controller.compile_formula, text)

    def _on_compiled(self, result) -> None:
        text, objective = result
        if text == self.formula_edit.text():  # else the person typed on: a new compile follows
            self.controller.set_formula(text, objective)

    def _on_refused(self, exc) -> None:
        if self._submitted != self.formula_edit.text():
            return  # the text changed meanwhile: a new compile follows
        position = getattr(exc, "position", None)
        message = str(getattr(exc, "message", exc))
        self.controller.formula_error.emit(message, -1 if position is None else int(position))

    def _on_start(self, _value: float = 0.0) -> None:
        self.controller.set_start([box.value() for box in self.start_boxes])

    def _on_select(self, row: int) -> None:
        if row >= 0 and row != self.selected:
            self.selected = row
            self.refresh()

    def _on_add(self) -> None:
        specs = self.controller.specs
        racer = next_racer({s.name for s in specs}, specs[0].lr)
        self.selected = len(specs)
        self.controller.add_optimizer(racer)

    def _on_remove(self) -> None:
        i = self.selected
        self.selected = max(0, i - 1)
        self.controller.remove_optimizer(i)
