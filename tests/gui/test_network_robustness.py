"""A lecturer clicking around at random: no sequence of these actions may raise or corrupt the views."""

from __future__ import annotations

import random

import numpy as np
import pytest
from PySide6 import QtCore


def _actions(ws, qtbot, rng: random.Random):
    c = ws.controller
    names = lambda: c.session.param_names  # noqa: E731 - the list changes with the architecture

    def click(key):
        return lambda: qtbot.mouseClick(ws.steps.buttons[key], QtCore.Qt.MouseButton.LeftButton)

    def units():
        if ws.editor.units:
            rng.choice(ws.editor.units).setValue(rng.randint(1, 5))

    def activation():
        if ws.editor.activations:
            rng.choice(ws.editor.activations).setCurrentText(rng.choice(["sigmoid", "tanh", "relu", "softplus"]))

    def edit():
        c.set_parameter(rng.choice(names()), rng.uniform(-2, 2))

    def freeze():
        c.set_frozen(rng.choice(names()), rng.random() < 0.5)

    def select():
        ws.select_parameter(rng.choice(names()))

    def history():
        ws.steps.history.setValue(rng.randint(0, ws.steps.history.maximum()))

    def training():
        ws.editor.training.setCurrentIndex(rng.randrange(3))

    def optimizer():
        ws.editor.optimizer.setCurrentIndex(rng.randrange(ws.editor.optimizer.count()))

    def data():
        choice = rng.choice(["lecture", "sine", "xor", "circles"])
        if choice == "lecture":
            c.use_lecture()
        else:
            c.use_builtin(choice, rng.randint(4, 30), 0.1, rng.randint(0, 5))

    def tab():
        ws.tables.setCurrentIndex(rng.randrange(ws.tables.count()))

    def run_a_little():
        c.run_iterations(rng.randint(1, 30))

    return [click("phase")] * 4 + [click("observation")] * 2 + [click("iteration"), click("back"),
            click("reset"), units, activation, edit, freeze, select, history, training, optimizer,
            data, tab, run_a_little, lambda: qtbot.mouseClick(ws.editor.add_layer, QtCore.Qt.MouseButton.LeftButton),
            lambda: qtbot.mouseClick(ws.editor.remove_layer, QtCore.Qt.MouseButton.LeftButton),
            lambda: ws.set_log_loss(rng.random() < 0.5)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_lecturer_never_breaks_the_workspace(qtbot, network_ws, seed):
    ws = network_ws
    rng = random.Random(seed)
    actions = _actions(ws, qtbot, rng)
    for _ in range(120):
        rng.choice(actions)()
        s = ws.controller.session
        # every view agrees with the session after every action
        assert len(ws.view.node_positions()) == sum(s.network.sizes)
        assert ws.params.names() == s.param_names or ws.controller.running
        assert ws.selected in s.param_names
        assert np.all(np.isfinite(s.theta()))
        t = s.cursor[0]
        assert ws.loss_plot.curve.getData()[0] is None or len(ws.loss_plot.curve.getData()[0]) <= t + 1
