"""Network editor: hidden layers (nodes, activation), output activation, loss, training mode,
optimizer and hyperparameters, and randomising the parameters with a seed.

The panel holds no network: it shows a plain configuration dict and emits the edited
dict (``config_changed``); the controller turns it into a new engine session.
"""

from __future__ import annotations

import math

from PySide6 import QtCore, QtWidgets

from engine.activations import HIDDEN_ACTIVATION_NAMES, ACTIVATION_NAMES
from engine.losses import LOSS_NAMES
from engine.optimizers import FIRST_ORDER_NAMES, Hyper, get_optimizer
from engine.training_mode import DEFAULT_BATCH_SIZE, TRAINING_KINDS, TRAINING_TIPS, TRAINING_TITLES

MAX_UNITS = 64
MAX_HIDDEN_LAYERS = 6
#: Top of the boxes of hyperparameters that have no upper bound (a learning rate, eps).
MAX_HYPER = 1e6


def _narrow(box: QtWidgets.QComboBox) -> QtWidgets.QComboBox:
    """A combo box that does not widen the side panel to its longest entry."""
    box.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    box.setMinimumContentsLength(8)
    return box


def _spin(lo: int, hi: int, value: int) -> QtWidgets.QSpinBox:
    box = QtWidgets.QSpinBox()
    box.setRange(lo, hi)
    box.setValue(value)
    box.setKeyboardTracking(False)
    return _shrinkable(box)


def _hyper_box(h: Hyper, value: float) -> QtWidgets.QDoubleSpinBox:
    """A box for hyperparameter ``h`` over its allowed interval (ends included: the engine's
    message explains an excluded end), with decimals enough for three figures of the default."""
    box = _shrinkable(QtWidgets.QDoubleSpinBox())
    digits = 2 - math.floor(math.log10(h.default)) if h.default > 0 else 0
    box.setDecimals(max(6, digits))
    box.setRange(h.allowed.low, min(h.allowed.high, MAX_HYPER))
    box.setStepType(QtWidgets.QAbstractSpinBox.StepType.AdaptiveDecimalStepType)
    box.setKeyboardTracking(False)
    box.setValue(value)
    box.setObjectName(f"hyper_{h.key}")
    return box


def _shrinkable(box: QtWidgets.QAbstractSpinBox) -> QtWidgets.QAbstractSpinBox:
    """Spin boxes size themselves for their largest value (2^31 for a seed): let the dock decide."""
    box.setMinimumWidth(box.fontMetrics().horizontalAdvance("0.0000000") + 30)
    box.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
    return box


class NetworkEditor(QtWidgets.QWidget):
    """Config keys: ``hidden`` [(units, activation)], ``output_activation``, ``loss``, ``training``,
    ``batch_size``, ``optimizer`` {"name", hyperparameters...}, ``seed``."""

    config_changed = QtCore.Signal(dict)
    randomise_requested = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkEditor")
        self._updating = False
        outer = QtWidgets.QVBoxLayout(self)

        layers_box = QtWidgets.QGroupBox("Layers", self)
        self._layers_layout = QtWidgets.QGridLayout(layers_box)
        outer.addWidget(layers_box)
        buttons = QtWidgets.QHBoxLayout()
        self.add_layer = QtWidgets.QPushButton("+ Hidden layer", self)
        self.add_layer.setObjectName("addLayerButton")
        self.remove_layer = QtWidgets.QPushButton("− Hidden layer", self)
        self.remove_layer.setObjectName("removeLayerButton")
        buttons.addWidget(self.add_layer)
        buttons.addWidget(self.remove_layer)
        outer.addLayout(buttons)
        self.units: list[QtWidgets.QSpinBox] = []
        self.activations: list[QtWidgets.QComboBox] = []
        self.output_activation = _narrow(QtWidgets.QComboBox(self))
        self.output_activation.addItems(ACTIVATION_NAMES)

        form = QtWidgets.QFormLayout()
        outer.addLayout(form)
        self.loss = _narrow(QtWidgets.QComboBox(self))
        self.loss.addItems(LOSS_NAMES)
        form.addRow("Loss:", self.loss)
        self.training = _narrow(QtWidgets.QComboBox(self))
        for i, kind in enumerate(TRAINING_KINDS):
            self.training.addItem(TRAINING_TITLES[kind], kind)
            self.training.setItemData(i, TRAINING_TIPS[kind], QtCore.Qt.ItemDataRole.ToolTipRole)
        form.addRow("Training:", self.training)
        self.batch_size = _spin(1, 100000, DEFAULT_BATCH_SIZE)
        form.addRow("Batch size k:", self.batch_size)
        self.optimizer = _narrow(QtWidgets.QComboBox(self))
        for name in FIRST_ORDER_NAMES:  # networks give no Hessian for second-order methods
            self.optimizer.addItem(get_optimizer(name).title, name)
        form.addRow("Optimizer:", self.optimizer)
        self._hyper_form = QtWidgets.QFormLayout()
        form.addRow(self._hyper_form)
        self.hyper: dict[str, QtWidgets.QDoubleSpinBox] = {}
        seed_row = QtWidgets.QHBoxLayout()
        self.seed = _spin(0, 2**31 - 1, 0)
        self.randomise = QtWidgets.QPushButton("Randomise", self)
        self.randomise.setToolTip("Draw every weight Glorot-uniform from the seed (biases 0)")
        self.randomise.setObjectName("randomiseButton")
        seed_row.addWidget(self.seed)
        seed_row.addWidget(self.randomise)
        form.addRow("Seed:", seed_row)
        outer.addStretch(1)

        self.add_layer.clicked.connect(self._on_add_layer)
        self.remove_layer.clicked.connect(self._on_remove_layer)
        self.output_activation.currentTextChanged.connect(self._emit)
        self.loss.currentTextChanged.connect(self._emit)
        self.training.currentIndexChanged.connect(self._emit)
        self.batch_size.valueChanged.connect(self._emit)
        self.optimizer.currentIndexChanged.connect(self._on_optimizer)
        self.randomise.clicked.connect(lambda: self.randomise_requested.emit(self.seed.value()))

    # ------------------------------------------------------------------ showing
    def show_config(self, config: dict, n_inputs: int, n_outputs: int) -> None:
        """Write ``config`` into the widgets without echoing ``config_changed``."""
        self._updating = True
        try:
            self._rebuild_layers(config["hidden"], n_inputs, n_outputs)
            self.output_activation.setCurrentText(config["output_activation"])
            self.loss.setCurrentText(config["loss"])
            self.training.setCurrentIndex(TRAINING_KINDS.index(config["training"]))
            self.batch_size.setValue(int(config.get("batch_size") or DEFAULT_BATCH_SIZE))
            self.batch_size.setEnabled(config["training"] == "mini_batch")
            opt = config["optimizer"]
            self.optimizer.setCurrentIndex(max(self.optimizer.findData(opt["name"]), 0))
            self._rebuild_hyper(opt)
            self.seed.setValue(int(config.get("seed", 0)))
            self.remove_layer.setEnabled(len(config["hidden"]) > 0)
            self.add_layer.setEnabled(len(config["hidden"]) < MAX_HIDDEN_LAYERS)
        finally:
            self._updating = False

    def _rebuild_layers(self, hidden: list, n_inputs: int, n_outputs: int) -> None:
        grid = self._layers_layout
        while grid.count():
            w = grid.takeAt(0).widget()
            if w is not None and w is not self.output_activation:
                # hide now: deleteLater only runs when control returns to the event loop
                w.hide()
                w.deleteLater()
        grid.addWidget(QtWidgets.QLabel("Layer"), 0, 0)
        grid.addWidget(QtWidgets.QLabel("Nodes"), 0, 1)
        grid.addWidget(QtWidgets.QLabel("Activation"), 0, 2)
        grid.addWidget(QtWidgets.QLabel("0 (inputs)"), 1, 0)
        grid.addWidget(QtWidgets.QLabel(str(n_inputs)), 1, 1)
        self.units, self.activations = [], []
        for i, (units, act) in enumerate(hidden):
            spin = _spin(1, MAX_UNITS, int(units))
            spin.setObjectName(f"unitsLayer{i + 1}")
            combo = _narrow(QtWidgets.QComboBox())
            combo.addItems(HIDDEN_ACTIVATION_NAMES)
            combo.setCurrentText(act)
            spin.valueChanged.connect(self._emit)
            combo.currentTextChanged.connect(self._emit)
            grid.addWidget(QtWidgets.QLabel(f"{i + 1} (hidden)"), i + 2, 0)
            grid.addWidget(spin, i + 2, 1)
            grid.addWidget(combo, i + 2, 2)
            self.units.append(spin)
            self.activations.append(combo)
        row = len(hidden) + 2
        grid.addWidget(QtWidgets.QLabel(f"{len(hidden) + 1} (output)"), row, 0)
        grid.addWidget(QtWidgets.QLabel(str(n_outputs)), row, 1)
        grid.addWidget(self.output_activation, row, 2)

    def _rebuild_hyper(self, opt: dict) -> None:
        form = self._hyper_form
        while form.rowCount():
            # not removeRow (deletes at once): the box being edited may be the one emitting
            row = form.takeRow(0)
            for item in (row.labelItem, row.fieldItem):
                if item is not None and item.widget() is not None:
                    item.widget().hide()
                    item.widget().deleteLater()
        self.hyper = {}
        for h in get_optimizer(opt["name"]).hyper:
            box = _hyper_box(h, float(opt.get(h.key, h.default)))
            box.valueChanged.connect(self._emit)
            form.addRow(f"{h.label}:", box)
            self.hyper[h.key] = box

    # ------------------------------------------------------------------ editing
    def current_config(self) -> dict:
        """The configuration the widgets show now."""
        return {
            "hidden": [(s.value(), c.currentText()) for s, c in zip(self.units, self.activations)],
            "output_activation": self.output_activation.currentText(),
            "loss": self.loss.currentText(),
            "training": self.training.currentData(),
            "batch_size": self.batch_size.value(),
            "optimizer": {"name": self.optimizer.currentData(),
                          **{k: box.value() for k, box in self.hyper.items()}},
            "seed": self.seed.value(),
        }

    def _emit(self, *_):
        if self._updating:
            return
        self.batch_size.setEnabled(self.training.currentData() == "mini_batch")
        self.config_changed.emit(self.current_config())

    def _on_optimizer(self, *_):
        if self._updating:
            return
        name = self.optimizer.currentData()
        self._updating = True
        try:
            self._rebuild_hyper({"name": name})
        finally:
            self._updating = False
        self._emit()

    def _on_add_layer(self) -> None:
        cfg = self.current_config()
        last = cfg["hidden"][-1] if cfg["hidden"] else (2, "sigmoid")
        cfg["hidden"].append(last)
        self.config_changed.emit(cfg)

    def _on_remove_layer(self) -> None:
        cfg = self.current_config()
        if cfg["hidden"]:
            cfg["hidden"].pop()
            self.config_changed.emit(cfg)
