"""Both hyperparameter editors show what the optimizer registry holds: AdamW's weight decay."""

import numpy as np
import pytest
from PySide6 import QtCore

from tests.gui.test_descent1d import type_number

ADAMW_KEYS = {"lr", "beta1", "beta2", "eps", "weight_decay"}


def test_method_panel_shows_adamw_weight_decay_and_applies_it(ws1, qtbot):
    panel, c = ws1.panel, ws1.controller
    lr = c.specs[0].lr
    index = panel.method_combo.findData("adamw")
    assert panel.method_combo.itemText(index) == "AdamW"
    panel.method_combo.setCurrentIndex(index)
    panel.method_combo.activated.emit(index)
    assert c.specs[0].name == "adamw" and c.specs[0].lr == lr
    assert {k for k, box in panel.hyper_boxes.items() if not box.isHidden()} == ADAMW_KEYS
    box = panel.hyper_boxes["weight_decay"]
    assert panel.hyper_labels["weight_decay"].text() == "weight decay λ"
    assert box.value() == 0.01 and c.specs[0].params["weight_decay"] == 0.01
    type_number(qtbot, box, "0.5")
    assert c.specs[0].params["weight_decay"] == 0.5
    x0 = float(c.start[0])
    g0 = float(c.sessions[0].current.gradient[0])
    c.step(1)
    # AdamW's first step: x0 (1 - lr λ), then Adam's lr g / (|g| + eps)
    expected = x0 * (1 - lr * 0.5) - lr * g0 / (abs(g0) + 1e-8)
    assert float(c.sessions[0].current.x[0]) == pytest.approx(expected, rel=1e-12)


def test_network_editor_shows_adamw_weight_decay_and_applies_it(qtbot, network_ws):
    ws = network_ws
    editor = ws.editor
    editor.optimizer.setCurrentIndex(editor.optimizer.findData("adamw"))
    s = ws.controller.session
    assert s.spec.name == "adamw"
    assert set(editor.hyper) == ADAMW_KEYS
    box = editor.hyper["weight_decay"]
    assert editor._hyper_form.labelForField(box).text() == "weight decay λ:"
    assert box.value() == 0.01 and box.minimum() == 0.0
    box.setValue(0.5)
    s = ws.controller.session
    assert s.spec.params["weight_decay"] == 0.5 and s.spec.lr == 0.001
    theta0 = np.array(s.theta())
    g0 = np.array(s.batch_record().gradient)
    qtbot.mouseClick(ws.steps.buttons["iteration"], QtCore.Qt.MouseButton.LeftButton)
    assert s.cursor == (1, 0)
    expected = theta0 * (1 - 0.001 * 0.5) - 0.001 * g0 / (np.abs(g0) + 1e-8)
    np.testing.assert_allclose(s.theta(), expected, rtol=1e-12)
