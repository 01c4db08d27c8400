"""Editing the network and its data from the side panels: architecture, settings, data sets, CSV."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PySide6 import QtCore

from engine.scenario import parse_scenario
from tests.gui.conftest import generate_builtin, load_csv_in_panel, use_data


def test_adding_a_hidden_node_redraws_the_view_and_keeps_training(qtbot, network_ws):
    ws = network_ws
    before = ws.controller.network
    ws.editor.units[0].setValue(3)
    net = ws.controller.network
    assert net.sizes == (2, 3, 1)
    assert len(ws.view.node_positions()) == 6
    assert len(ws.view.edge_widths()) == 2 * 3 + 3 * 1
    # the lecture's weights are kept for the nodes that were there
    np.testing.assert_array_equal(net.layers[0].W[:2], before.layers[0].W)
    np.testing.assert_array_equal(net.layers[1].W[:, :2], before.layers[1].W)
    assert len(ws.params.names()) == 3 * 3 + 4
    assert not ws.lecture_note.isVisible()
    losses0 = ws.controller.session.losses()[0]
    for _ in range(20):
        qtbot.mouseClick(ws.steps.buttons["iteration"], QtCore.Qt.MouseButton.LeftButton)
    s = ws.controller.session
    assert s.cursor == (20, 0) and s.status.state == "running"
    assert s.losses()[-1] < losses0
    assert ws.loss_plot.curve.getData()[0].shape == (21,)
    # a label for the new node shows its values once computed
    qtbot.mouseClick(ws.steps.buttons["phase"], QtCore.Qt.MouseButton.LeftButton)
    i = ws.view._node_index.index((1, 2))
    assert "a(1)3 = " in ws.view._labels[i].textItem.toPlainText()
    assert ws.view._labels[i].textItem.toPlainText().split("\n")[1] != "a(1)3 = "


def test_adding_and_removing_a_hidden_layer(qtbot, network_ws):
    ws = network_ws
    qtbot.mouseClick(ws.editor.add_layer, QtCore.Qt.MouseButton.LeftButton)
    assert ws.controller.network.sizes == (2, 2, 2, 1)
    assert len(ws.editor.units) == 2
    ws.editor.activations[1].setCurrentText("tanh")
    assert ws.controller.network.activations == ("sigmoid", "tanh", "identity")
    qtbot.mouseClick(ws.steps.buttons["iteration"], QtCore.Qt.MouseButton.LeftButton)
    assert ws.controller.session.cursor == (1, 0)
    qtbot.mouseClick(ws.editor.remove_layer, QtCore.Qt.MouseButton.LeftButton)
    assert ws.controller.network.sizes == (2, 2, 1)
    assert len(ws.view.edge_widths()) == 6


def test_optimizer_change_keeps_history_before_the_cursor(qtbot, network_ws):
    ws = network_ws
    for _ in range(3):
        qtbot.mouseClick(ws.steps.buttons["iteration"], QtCore.Qt.MouseButton.LeftButton)
    theta3 = np.array(ws.controller.session.theta())
    ws.editor.hyper["lr"].setValue(0.5)
    s = ws.controller.session
    assert s.spec.lr == 0.5 and s.cursor == (3, 0)
    np.testing.assert_array_equal(s.theta(), theta3)
    ws.editor.optimizer.setCurrentIndex(ws.editor.optimizer.findData("adam"))
    assert ws.controller.session.spec.name == "adam"
    assert set(ws.editor.hyper) == {"lr", "beta1", "beta2", "eps"}


def test_incompatible_loss_is_refused_with_a_message(qtbot, network_ws):
    ws = network_ws
    with qtbot.waitSignal(ws.controller.error) as blocker:
        ws.editor.loss.setCurrentText("cross_entropy")
    assert "class indices" in blocker.args[1]  # y = 1.2 and 0.7 are not class labels
    assert ws.error_label.isVisible() and "class indices" in ws.error_label.text()
    assert ws.controller.loss_name == "sse"
    assert ws.editor.loss.currentText() == "sse"  # the editor shows what is in force


def test_frozen_parameter_does_not_move(qtbot, network_ws):
    ws = network_ws
    row = ws.params.names().index("w(1)[1,1]")
    ws.params.item(row, 3).setCheckState(QtCore.Qt.CheckState.Checked)
    assert ws.controller.session.frozen == {"w(1)[1,1]"}
    dotted = ws.view.edge_dotted()
    assert sum(dotted) == 1 and dotted[ws.view._edge_index.index((1, 0, 0))]
    qtbot.mouseClick(ws.steps.buttons["iteration"], QtCore.Qt.MouseButton.LeftButton)
    assert ws.controller.network.param("w(1)[1,1]") == 0.2
    assert ws.controller.network.param("w(1)[1,2]") != 0.4


def test_randomise_with_a_seed_is_reproducible(qtbot, network_ws):
    ws = network_ws
    ws.editor.seed.setValue(7)
    qtbot.mouseClick(ws.editor.randomise, QtCore.Qt.MouseButton.LeftButton)
    first = np.array(ws.controller.session.theta())
    qtbot.mouseClick(ws.editor.randomise, QtCore.Qt.MouseButton.LeftButton)
    np.testing.assert_array_equal(ws.controller.session.theta(), first)
    assert ws.controller.network.param("w(1)[1,1]") != 0.2
    assert ws.controller.network.sizes == (2, 2, 1)


def test_bad_csv_shows_its_line_numbered_message(qtbot, network_ws, tmp_path):
    ws = network_ws
    path = tmp_path / "bad.csv"
    path.write_text("x1,x2,y\n1,2,3\n4,5,6\n7,abc,9\n")
    panel = ws.data_panel
    load_csv_in_panel(panel, path)
    assert panel.preview.rowCount() == 3 and panel.input_cols.text() == "x1, x2"
    theta = np.array(ws.controller.session.theta())
    use_data(qtbot, panel)
    text = panel.message.text()
    assert "line 4" in text and "abc" in text and "x2" in text
    np.testing.assert_array_equal(ws.controller.session.theta(), theta)  # nothing was lost


def test_good_csv_replaces_the_observations(qtbot, network_ws, tmp_path):
    ws = network_ws
    path = tmp_path / "good.csv"
    path.write_text("a,b,target\n1,2,0.5\n2,1,0.25\n0,0,0.1\n")
    panel = ws.data_panel
    load_csv_in_panel(panel, path)
    use_data(qtbot, panel)
    s = ws.controller.session
    assert s.n_obs == 3 and s.X.tolist() == [[1, 2], [2, 1], [0, 0]]
    assert panel.table.rowCount() == 3 and panel.table.item(2, 2).text() == "0.1"
    assert ws.observation.maximum() == 3


def test_editing_an_observation_in_the_table(qtbot, network_ws):
    ws = network_ws
    item = ws.data_panel.table.item(0, 2)
    assert item.text() == "1.2"
    item.setText("1.5")
    assert ws.controller.session.Y[0, 0] == 1.5
    qtbot.mouseClick(ws.steps.buttons["phase"], QtCore.Qt.MouseButton.LeftButton)
    assert "y = 1.5" in ws.chain.heading.text()


def test_builtin_regression_set_shows_a_fit_curve(qtbot, network_ws):
    ws = network_ws
    panel = ws.data_panel
    generate_builtin(qtbot, panel, "sine", 40)
    s = ws.controller.session
    assert s.n_obs == 40 and s.network.sizes == (1, 8, 1)
    assert ws.fit_plot.mode == "regression"
    x, y = ws.fit_plot.curve.getData()
    np.testing.assert_allclose(y, s.predict(x[:, None])[:, 0])


def test_scenario_round_trip_keeps_the_edited_network(qtbot, network_ws):
    ws = network_ws
    ws.controller.set_parameter("w(2)[1,2]", -0.7)
    scenario = ws.to_scenario()
    again = parse_scenario(scenario.to_dict())
    assert again == scenario
    ws.controller.use_lecture()
    ws.load_scenario(again)
    assert ws.controller.network.param("w(2)[1,2]") == -0.7
    assert not ws.is_dirty


def test_loss_change_brings_its_output_activation(qtbot, network_ws):
    ws = network_ws
    ws.controller.use_builtin("xor", 40, 0.1, 0)
    assert ws.controller.network.activations[-1] == "softmax"
    ws.editor.loss.setCurrentText("binary_cross_entropy")
    net = ws.controller.network
    assert ws.controller.loss_name == "binary_cross_entropy"
    assert net.activations[-1] == "sigmoid" and net.n_outputs == 1
    assert ws.editor.output_activation.currentText() == "sigmoid"
    assert ws.fit_plot.mode == "classification"
    ws.controller.run_iterations(5)
    assert ws.controller.session.cursor == (5, 0)


@pytest.mark.parametrize("mode, updates", [("online", 2), ("mini_batch", 2)])
def test_online_and_mini_batch_update_per_batch(qtbot, network_ws, mode, updates):
    ws = network_ws
    ws.editor.batch_size.setValue(1)
    ws.editor.training.setCurrentIndex(ws.editor.training.findData(mode))
    s = ws.controller.session
    assert s.mode == mode and s.batch_size == 1
    # one observation's phases, then the update: "Observation" twice finishes an update
    qtbot.mouseClick(ws.steps.buttons["observation"], QtCore.Qt.MouseButton.LeftButton)
    assert ws.steps.phase_label.text().startswith("Done: Backward: layer 2 → layer 1")
    qtbot.mouseClick(ws.steps.buttons["observation"], QtCore.Qt.MouseButton.LeftButton)
    assert s.cursor == (1, 0)
    for _ in range(updates - 1):
        qtbot.mouseClick(ws.steps.buttons["iteration"], QtCore.Qt.MouseButton.LeftButton)
    assert s.cursor == (updates, 0)
    assert ws.loss_plot.curve.getData()[0].shape == (updates + 1,)


def test_divergence_is_a_status_not_a_crash(qtbot, network_ws):
    ws = network_ws
    ws.editor.hyper["lr"].setValue(50.0)
    c = ws.controller
    c.set_speed(2000.0)
    c.set_running(True)
    qtbot.waitUntil(lambda: not c.running, timeout=10000)
    assert c.session.status.state == "diverged"
    assert "diverged" in c.status_text
    assert c.finished and not ws.steps.buttons["phase"].isEnabled()
    assert np.all(np.isfinite(c.session.theta()))


def _network_presets() -> list:
    from pathlib import Path
    import json

    folder = Path(__file__).resolve().parents[2] / "resources" / "scenarios"
    return sorted(p for p in folder.glob("*.json") if json.loads(p.read_text()).get("kind") == "network")


@pytest.mark.parametrize("path", _network_presets(), ids=lambda p: p.stem)
def test_every_network_preset_loads_and_steps(qtbot, network_ws, path):
    from engine.scenario import load_scenario

    ws = network_ws
    scenario = load_scenario(path)
    ws.load_scenario(scenario)
    s = ws.controller.session
    if scenario.data.source == "dataset":
        assert ws.data_panel.source.currentData() == scenario.data.name
        assert ws.data_panel.n.value() == scenario.data.n
    assert len(ws.view.node_positions()) == sum(s.network.sizes)
    for key in ("phase", "phase", "observation", "iteration", "iteration"):
        qtbot.mouseClick(ws.steps.buttons[key], QtCore.Qt.MouseButton.LeftButton)
    assert s.cursor[0] == 2
    assert np.isfinite(s.losses()[:3]).all()
    assert ws.chain.result() is not None
    assert ws.loss_plot.curve.getData()[0].shape == (3,)


def test_tall_columns_show_values_in_node_tooltips_not_overlapping_labels(qtbot, network_ws):
    """Eight hidden nodes: three lines of text a node would cover the next node, so the values move
    into each node's tooltip."""
    ws = network_ws
    ws.editor.units[0].setValue(8)
    qtbot.waitUntil(lambda: ws.controller.network.sizes[1] == 8, timeout=5000)
    view = ws.view
    assert view._labels == []
    for _ in range(3):
        ws.controller.step_granularity("phase")
    hidden = [i for i, (l, _) in enumerate(view._node_index) if l == 1]
    tip = view._node_tip(0.0, 0.0, hidden[0])
    assert re.search(r"z<sup>\(1\)</sup><sub>1</sub> = -?\d", tip), tip  # computed, so shown
    assert re.search(r"δ<sup>\(1\)</sup><sub>1</sub> = <", tip), tip  # backward not yet: blank
