"""The "Method" box of the descent side panel: optimizer, its hyperparameters, schedule, derivatives.

Edits become controller intents for the optimizer picked in the race list (``selected()``);
``refresh()`` writes the controller's state back under signal blockers so nothing echoes. A bad
setting is shown under the box in red and the previous setting stays in use.
"""

from __future__ import annotations

import math
import re
from typing import Callable

from PySide6.QtCore import QSignalBlocker
from PySide6.QtWidgets import (QComboBox, QDoubleSpinBox, QFormLayout, QGroupBox, QLabel, QSpinBox,
                               QWidget)

from engine.optimizers import (OPTIMIZERS, SCHEDULE_NAMES, Hyper, OptimizerError, get_optimizer,
                               make_spec)
from gui.common import style

SCHEDULE_TITLES = {"constant": "constant", "decay": "decay lr/(1+k·i)",
                   "backtracking": "backtracking (Armijo)"}
#: k given when "decay" is picked while k is 0: with k = 0 the decay schedule is the constant one,
#: and a class would see no difference at all.
DEFAULT_DECAY_K = 0.1


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


class PlainSpinBox(QDoubleSpinBox):
    """Shows -1.35, not -1.350000: the digits that mean something, like every other number."""

    def textFromValue(self, value: float) -> str:
        text = f"{value:.{self.decimals()}f}"
        text = text.rstrip("0").rstrip(".") if "." in text else text
        return "0" if text == "-0" else text


def number_box(low: float, high: float, decimals: int = 6) -> QDoubleSpinBox:
    """A spin box that applies its value on Enter or focus-out, not on every keystroke."""
    box = PlainSpinBox()
    box.setRange(low, high)
    box.setDecimals(decimals)
    box.setKeyboardTracking(False)
    box.setSingleStep(0.1)
    return box


def hyper_box(h: Hyper) -> QDoubleSpinBox:
    """A box for hyperparameter ``h`` over its allowed interval (ends included: the engine's
    message explains an excluded end); unbounded ones are scientific (eps 1e-08)."""
    if math.isinf(h.allowed.high):
        box = SciSpinBox()
        box.setRange(h.allowed.low, 1e12)
    else:
        box = number_box(h.allowed.low, h.allowed.high)
    box.setObjectName(f"hyper_{h.key}")
    return box


def form_order() -> list[Hyper]:
    """Every registered hyperparameter once, in an order that keeps each optimizer's own: a key
    met for the first time goes before the entry's next key already placed, else at the end."""
    order: list[Hyper] = []
    for entry in OPTIMIZERS.values():
        for i, h in enumerate(entry.hyper):
            keys = [o.key for o in order]
            if h.key not in keys:
                later = [keys.index(n.key) for n in entry.hyper[i + 1:] if n.key in keys]
                order.insert(later[0] if later else len(order), h)
    return order


def narrow(widget: QWidget, characters: int = 12) -> QWidget:
    """Let a combo or spin box shrink to ``characters`` wide, so the side panel leaves the plots
    room on a 1280-pixel projector (their size hints fit the longest item or the widest range)."""
    if isinstance(widget, QComboBox):
        widget.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        widget.setMinimumContentsLength(characters)
    else:
        widget.setMinimumWidth(widget.fontMetrics().horizontalAdvance("0" * characters) + 30)
    return widget


class MethodBox(QGroupBox):
    """Method settings of the optimizer ``selected()`` of a ``DescentController``."""

    def __init__(self, controller, selected: Callable[[], int], parent: QWidget | None = None) -> None:
        super().__init__("Method", parent)
        self.controller = controller
        self._selected = selected
        form = QFormLayout(self)
        self.method_combo = QComboBox(objectName="methodCombo")
        for entry in OPTIMIZERS.values():
            self.method_combo.addItem(entry.title, entry.name)
        form.addRow("method", self.method_combo)
        self.hyper_boxes: dict[str, QDoubleSpinBox] = {}
        self.hyper_labels: dict[str, QLabel] = {}
        for h in form_order():
            spin, label = hyper_box(h), QLabel(h.label)
            form.addRow(label, spin)
            spin.valueChanged.connect(self._on_spec_edited)
            self.hyper_boxes[h.key], self.hyper_labels[h.key] = spin, label
        self.schedule_combo = QComboBox(objectName="scheduleCombo")
        for name in SCHEDULE_NAMES:
            self.schedule_combo.addItem(SCHEDULE_TITLES[name], name)
        form.addRow("schedule", self.schedule_combo)
        self.decay_box = SciSpinBox(objectName="decayK")
        self.decay_label = QLabel("decay k")
        form.addRow(self.decay_label, self.decay_box)
        # Armijo's constants: accept t when f(x + t d) <= f(x) + c t grad.d, else t <- shrink t
        self.armijo_box = SciSpinBox(objectName="armijoC")
        self.armijo_box.setRange(0.0, 1.0)
        self.armijo_label = QLabel("Armijo c")
        self.armijo_box.setToolTip("Sufficient decrease: a trial step t is accepted when "
                                   "f(x − t·s·f′) ≤ f(x) − c·t·s·f′², in (0, 1)")
        form.addRow(self.armijo_label, self.armijo_box)
        self.shrink_box = number_box(0.0, 1.0, 4)
        self.shrink_box.setObjectName("armijoShrink")
        self.shrink_box.setToolTip("A rejected trial step t becomes shrink·t, in (0, 1)")
        self.shrink_label = QLabel("shrink")
        form.addRow(self.shrink_label, self.shrink_box)
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
        for widget in (self.method_combo, self.schedule_combo, self.deriv_combo):
            narrow(widget)
        self.method_combo.activated.connect(self._on_method)
        self.schedule_combo.activated.connect(self._on_spec_edited)
        self.decay_box.valueChanged.connect(self._on_spec_edited)
        self.armijo_box.valueChanged.connect(self._on_spec_edited)
        self.shrink_box.valueChanged.connect(self._on_spec_edited)
        self.deriv_combo.activated.connect(self._on_derivatives)
        self.h_box.valueChanged.connect(self._on_derivatives)
        self.tol_box.valueChanged.connect(lambda v: self.controller.set_tolerance(v))
        self.max_iter_box.valueChanged.connect(lambda v: self.controller.set_max_iter(v))

    def input_widgets(self) -> list[QWidget]:
        """Every widget whose signals must be blocked while :meth:`refresh` writes into it."""
        return [self.method_combo, self.schedule_combo, self.decay_box, self.armijo_box,
                self.shrink_box, self.deriv_combo, self.h_box,
                self.tol_box, self.max_iter_box, *self.hyper_boxes.values()]

    # -- controller -> widgets -------------------------------------------------------------------------
    def refresh(self) -> None:
        c = self.controller
        spec = c.specs[self._selected()]
        blockers = [QSignalBlocker(w) for w in self.input_widgets()]
        self.method_combo.setCurrentIndex(self.method_combo.findData(spec.name))
        for key, box in self.hyper_boxes.items():
            relevant = key in spec.params
            box.setVisible(relevant)
            self.hyper_labels[key].setVisible(relevant)
            if relevant:
                box.setValue(spec.params[key])
        self.schedule_combo.setCurrentIndex(self.schedule_combo.findData(spec.schedule))
        self.decay_box.setValue(spec.decay_k)
        self.decay_box.setVisible(spec.schedule == "decay")
        self.decay_label.setVisible(spec.schedule == "decay")
        self.armijo_box.setValue(spec.armijo_c)
        self.shrink_box.setValue(spec.shrink)
        for widget in (self.armijo_box, self.armijo_label, self.shrink_box, self.shrink_label):
            widget.setVisible(spec.schedule == "backtracking")
        self.deriv_combo.setCurrentIndex(self.deriv_combo.findData(c.derivative_mode))
        self.h_box.setValue(c.h)
        self.h_box.setVisible(c.derivative_mode != "exact")
        self.h_label.setVisible(c.derivative_mode != "exact")
        self.tol_box.setValue(c.tol)
        self.max_iter_box.setValue(c.max_iter)
        del blockers

    # -- widgets -> controller -------------------------------------------------------------------------
    def _on_method(self, index: int) -> None:
        name = self.method_combo.itemData(index)
        old = self.controller.specs[self._selected()]
        # a step size carries over between gradient methods; a Newton step is a fraction of H^-1 g
        second_order = get_optimizer(name).needs_hessian or get_optimizer(old.name).needs_hessian
        params = {} if second_order else {"lr": old.lr}
        self._apply(name, params, old.schedule, old.decay_k, old.armijo_c, old.shrink)

    def _on_spec_edited(self, *_args) -> None:
        spec = self.controller.specs[self._selected()]
        params = {k: box.value() for k, box in self.hyper_boxes.items() if k in spec.params}
        schedule, decay_k = self.schedule_combo.currentData(), self.decay_box.value()
        if schedule == "decay" and spec.schedule != "decay" and decay_k == 0:
            decay_k = DEFAULT_DECAY_K
        self._apply(spec.name, params, schedule, decay_k, self.armijo_box.value(),
                    self.shrink_box.value())

    def _apply(self, name: str, params: dict, schedule: str, decay_k: float, armijo_c: float,
               shrink: float) -> None:
        try:
            spec = make_spec(name, schedule=schedule, decay_k=decay_k, armijo_c=armijo_c,
                             shrink=shrink, **params)
        except OptimizerError as exc:
            self.method_error.setText(f"{exc} (the previous setting is still in use)")
            self.refresh()
            return
        self.method_error.setText("")
        self.controller.set_optimizer(spec, self._selected())

    def _on_derivatives(self, *_args) -> None:
        self.controller.set_derivatives(self.deriv_combo.currentData(), self.h_box.value())
