"""Side panel of the descent workspaces: function, start point, method and its settings.

Every edit becomes one controller intent; ``refresh()`` writes the controller's state back into the
widgets under signal blockers so nothing echoes. Formula errors show under the field, in red, with
a caret under the offending column; the last valid function stays active.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QHBoxLayout,
                               QLabel, QLineEdit, QListWidget, QListWidgetItem, QPushButton,
                               QSpinBox, QVBoxLayout, QWidget)

from engine.optimizers import DEFAULTS, OPTIMIZER_NAMES, SCHEDULE_NAMES, TITLES, make_spec
from gui import style

HYPER_LABELS = {"lr": "step size / lr", "momentum": "momentum μ", "alpha": "alpha α",
                "beta1": "beta₁", "beta2": "beta₂", "eps": "eps ε", "damping": "damping"}
SCHEDULE_TITLES = {"constant": "constant", "decay": "decay lr/(1+k·i)",
                   "backtracking": "backtracking (Armijo)"}


class SciSpinBox(QDoubleSpinBox):
    """A spin box that shows and accepts numbers like 1e-08 (for tolerances and tiny eps)."""

    def __init__(self, parent: QWidget | None = None, objectName: str = "") -> None:
        super().__init__(parent)
        self.setObjectName(objectName)
        self.setDecimals(300)
        self.setRange(0.0, 1e12)
        self.setKeyboardTracking(False)

    def textFromValue(self, value: float) -> str:
        return f"{value:.6g}"

    def valueFromText(self, text: str) -> float:
        try:
            return float(text)
        except ValueError:
            return self.value()

    def validate(self, text: str, pos: int):
        from PySide6.QtGui import QValidator

        if re.fullmatch(r"[0-9.eE+-]*", text) is None:
            return QValidator.State.Invalid, text, pos
        try:
            float(text)
        except ValueError:
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Acceptable, text, pos

    def stepBy(self, steps: int) -> None:
        self.setValue(self.value() * (10.0 ** steps))


def rich_formula(text: str) -> str:
    """Plain formula text as rich text: powers as superscripts, x1 as x with subscript 1."""
    out = html.escape(text)
    out = re.sub(r"\*\*\(([^()]*)\)", r"<sup>\1</sup>", out)
    out = re.sub(r"\*\*(-?[\w.]+)", r"<sup>\1</sup>", out)
    out = re.sub(r"(?<![A-Za-z0-9_])x([12])(?![A-Za-z0-9_])", r"x<sub>\1</sub>", out)
    return out.replace("*", "·")


def _number_box(low: float, high: float, decimals: int = 6) -> QDoubleSpinBox:
    box = QDoubleSpinBox()
    box.setRange(low, high)
    box.setDecimals(decimals)
    box.setKeyboardTracking(False)
    box.setSingleStep(0.1)
    return box


class FunctionPanel(QWidget):
    """Settings for a ``DescentController``; ``race=True`` adds the list of racing optimizers."""

    def __init__(self, controller, race: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.dim = controller.dim
        self.selected = 0
        layout = QVBoxLayout(self)
        layout.addWidget(self._function_group())
        layout.addWidget(self._start_group())
        if race:
            layout.addWidget(self._race_group())
        else:
            self.race_list = None
        layout.addWidget(self._method_group())
        layout.addStretch(1)
        controller.settings_changed.connect(self.refresh)
        controller.formula_error.connect(self.show_formula_error)
        controller.formula_ok.connect(lambda: self.formula_error.setText(""))
        self.refresh()

    # -- construction -----------------------------------------------------------------------------
    def _function_group(self) -> QGroupBox:
        from engine import functions

        box = QGroupBox("Function")
        form = QVBoxLayout(box)
        self.preset_combo = QComboBox(objectName="presetCombo")
        for p in functions.presets_for(self.dim):
            self.preset_combo.addItem(p.title, p.name)
        self.preset_combo.addItem("Typed formula", None)
        form.addWidget(self.preset_combo)
        variables = "x" if self.dim == 1 else "x1, x2"
        self.formula_edit = QLineEdit(objectName="formulaEdit")
        self.formula_edit.setPlaceholderText(f"f({variables}) = …  e.g. x**4 - 3*x")
        form.addWidget(QLabel(f"f({variables}) ="))
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
            spin = _number_box(-1e6, 1e6)
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

    def _method_group(self) -> QGroupBox:
        box = QGroupBox("Method")
        form = QFormLayout(box)
        self.method_combo = QComboBox(objectName="methodCombo")
        for name in OPTIMIZER_NAMES:
            self.method_combo.addItem(TITLES[name], name)
        form.addRow("method", self.method_combo)
        self.hyper_boxes: dict[str, QDoubleSpinBox] = {}
        self.hyper_labels: dict[str, QLabel] = {}
        for key in ("lr", "momentum", "alpha", "beta1", "beta2", "eps", "damping"):
            spin = SciSpinBox() if key in ("eps", "lr", "damping") else _number_box(0.0, 0.999999)
            spin.setObjectName(f"hyper_{key}")
            label = QLabel(HYPER_LABELS[key])
            form.addRow(label, spin)
            spin.valueChanged.connect(self._on_spec_edited)
            self.hyper_boxes[key], self.hyper_labels[key] = spin, label
        self.schedule_combo = QComboBox(objectName="scheduleCombo")
        for name in SCHEDULE_NAMES:
            self.schedule_combo.addItem(SCHEDULE_TITLES[name], name)
        form.addRow("schedule", self.schedule_combo)
        self.decay_box = SciSpinBox(objectName="decayK")
        self.decay_label = QLabel("decay k")
        form.addRow(self.decay_label, self.decay_box)
        self.deriv_combo = QComboBox(objectName="derivCombo")
        self.deriv_combo.addItem("exact (symbolic)", "exact")
        self.deriv_combo.addItem("finite differences", "finite")
        form.addRow("derivatives", self.deriv_combo)
        self.h_box = SciSpinBox(objectName="fdStep")
        self.h_label = QLabel("difference step h")
        form.addRow(self.h_label, self.h_box)
        self.tol_box = SciSpinBox(objectName="tolerance")
        form.addRow("tolerance", self.tol_box)
        self.max_iter_box = QSpinBox(objectName="maxIter")
        self.max_iter_box.setRange(1, 10_000_000)
        self.max_iter_box.setKeyboardTracking(False)
        form.addRow("max iterations", self.max_iter_box)
        self.method_error = QLabel(objectName="methodError")
        self.method_error.setStyleSheet(f"color: {style.ERROR_COLOUR};")
        self.method_error.setWordWrap(True)
        form.addRow(self.method_error)
        self.method_combo.activated.connect(self._on_method)
        self.schedule_combo.activated.connect(self._on_spec_edited)
        self.decay_box.valueChanged.connect(self._on_spec_edited)
        self.deriv_combo.activated.connect(self._on_derivatives)
        self.h_box.valueChanged.connect(self._on_derivatives)
        self.tol_box.valueChanged.connect(lambda v: self.controller.set_tolerance(v))
        self.max_iter_box.valueChanged.connect(lambda v: self.controller.set_max_iter(v))
        return box

    # -- controller -> widgets -------------------------------------------------------------------------
    def refresh(self) -> None:
        c = self.controller
        self.selected = min(self.selected, len(c.specs) - 1)
        spec = c.specs[self.selected]
        widgets = [self.preset_combo, self.method_combo, self.schedule_combo, self.decay_box,
                   self.deriv_combo, self.h_box, self.tol_box, self.max_iter_box,
                   *self.start_boxes, *self.hyper_boxes.values()]
        if self.race_list is not None:
            widgets.append(self.race_list)
        blockers = [QSignalBlocker(w) for w in widgets]
        index = self.preset_combo.findData(c.preset_name)
        self.preset_combo.setCurrentIndex(index if index >= 0 else self.preset_combo.count() - 1)
        if c.preset_name is not None and not self.formula_edit.hasFocus():
            self.formula_edit.setText(c.objective.expression)
        for box, value in zip(self.start_boxes, c.start):
            box.setValue(float(value))
        self.method_combo.setCurrentIndex(self.method_combo.findData(spec.name))
        for key, box in self.hyper_boxes.items():
            relevant = key in DEFAULTS[spec.name]
            box.setVisible(relevant)
            self.hyper_labels[key].setVisible(relevant)
            if relevant:
                box.setValue(spec.params[key])
        self.schedule_combo.setCurrentIndex(self.schedule_combo.findData(spec.schedule))
        self.decay_box.setValue(spec.decay_k)
        self.decay_box.setVisible(spec.schedule == "decay")
        self.decay_label.setVisible(spec.schedule == "decay")
        self.deriv_combo.setCurrentIndex(self.deriv_combo.findData(c.derivative_mode))
        self.h_box.setValue(c.h)
        self.h_box.setVisible(c.derivative_mode != "exact")
        self.h_label.setVisible(c.derivative_mode != "exact")
        self.tol_box.setValue(c.tol)
        self.max_iter_box.setValue(c.max_iter)
        if self.race_list is not None:
            self.race_list.clear()
            for i, s in enumerate(c.specs):
                item = QListWidgetItem(f"{i + 1}. {TITLES[s.name]}  (lr {style.fmt(s.lr)})")
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

    def _on_formula(self, text: str) -> None:
        if text.strip():
            self.controller.set_formula(text)
        else:
            self.formula_error.setText("Type a formula (the previous function is still in use).")

    def _on_start(self, _value: float = 0.0) -> None:
        self.controller.set_start([box.value() for box in self.start_boxes])

    def _on_method(self, index: int) -> None:
        name = self.method_combo.itemData(index)
        old = self.controller.specs[self.selected]
        params = {"lr": old.lr} if name != "newton" and old.name != "newton" else {}
        self._apply(name, params, old.schedule, old.decay_k)

    def _on_spec_edited(self, *_args) -> None:
        spec = self.controller.specs[self.selected]
        params = {k: box.value() for k, box in self.hyper_boxes.items() if k in DEFAULTS[spec.name]}
        self._apply(spec.name, params, self.schedule_combo.currentData(), self.decay_box.value())

    def _apply(self, name: str, params: dict, schedule: str, decay_k: float) -> None:
        from engine.optimizers import OptimizerError

        try:
            spec = make_spec(name, schedule=schedule, decay_k=decay_k, **params)
        except OptimizerError as exc:
            self.method_error.setText(f"{exc} (the previous setting is still in use)")
            self.refresh()
            return
        self.method_error.setText("")
        self.controller.set_optimizer(spec, self.selected)

    def _on_derivatives(self, *_args) -> None:
        self.controller.set_derivatives(self.deriv_combo.currentData(), self.h_box.value())

    def _on_select(self, row: int) -> None:
        if row >= 0 and row != self.selected:
            self.selected = row
            self.refresh()

    def _on_add(self) -> None:
        used = {s.name for s in self.controller.specs}
        name = next((n for n in ("momentum", "adam", "nesterov", "rmsprop", "adagrad", "gd")
                     if n not in used), "gd")
        self.selected = len(self.controller.specs)
        self.controller.add_optimizer(make_spec(name, lr=self.controller.specs[0].lr)
                                      if name != "adam" else make_spec("adam", lr=0.05))

    def _on_remove(self) -> None:
        i = self.selected
        self.selected = max(0, i - 1)
        self.controller.remove_optimizer(i)
