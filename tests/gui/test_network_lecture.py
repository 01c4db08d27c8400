"""The network workspace driven like a lecturer would: the lecture example, step by step.

Real engine, real widgets: buttons are clicked, values are read back from what the panels show.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6 import QtCore
from PySide6.QtTest import QTest

from engine.backprop import backward, forward
from engine.data import lecture_data
from engine.network import lecture_network, parse_param_name

# SPEC section 2: d output/d theta for observation 1, in theta order.
SENSITIVITIES_OBS1 = {"w(1)[1,1]": 0.449, "w(1)[1,2]": -0.299, "b(1)[1]": 0.150, "w(1)[2,1]": 0.141,
                      "w(1)[2,2]": -0.094, "b(1)[2]": 0.047, "w(2)[1,1]": 0.475, "w(2)[1,2]": 0.622,
                      "b(2)[1]": 1.0}
# ... as the nudge table shows them: 4 significant figures, as "Copy as" writes them
SHOWN_OBS1 = {"w(1)[1,1]": "0.4489", "w(1)[1,2]": "-0.2993", "b(1)[1]": "0.1496", "w(1)[2,1]": "0.1410",
              "w(1)[2,2]": "-0.09400", "b(1)[2]": "0.04700", "w(2)[1,1]": "0.4750", "w(2)[1,2]": "0.6225",
              "b(2)[1]": "1"}
# theta after one gd step with lr 0.1 from the lecture's start, as the parameter table shows it
THETA_1 = {"w(1)[1,1]": "0.2404", "w(1)[1,2]": "0.3713", "b(1)[1]": "0.1063", "w(1)[2,1]": "0.3126",
           "w(1)[2,2]": "0.4911", "b(1)[2]": "0.6021", "w(2)[1,1]": "0.6161", "w(2)[1,2]": "0.2234",
           "b(2)[1]": "0.4416"}


def click(qtbot, ws, name: str, double: bool = False) -> None:
    """Click ``name`` where a person would: on its node, or on the visible part of its edge (the
    point a third of the way from the edge's target lies on that node when the edge is short)."""
    view = ws.view
    scene = view.scene_point_of(name)
    ref = parse_param_name(name)
    if ref.kind == "w":
        centre = view.scene_point_of(f"b({ref.layer})[{ref.j}]")
        away = scene - centre
        step = away / max(math.hypot(away.x(), away.y()), 1e-9) * 2.0
        for _ in range(40):
            if view.parameter_at(scene) == name and view.parameter_at(scene + step) == name:
                break
            scene += step
        scene += step  # off the node's rim, in whole pixels too
    pt = view.mapFromScene(scene)
    if double:
        QTest.mouseDClick(view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=pt)
    else:
        QTest.mouseClick(view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=pt)
    qtbot.wait(10)


def press(qtbot, ws, key: str, times: int = 1) -> None:
    for _ in range(times):
        qtbot.mouseClick(ws.steps.buttons[key], QtCore.Qt.MouseButton.LeftButton)


def label_text(ws, layer: int, node: int) -> str:
    """Plain text of the value label under node ``node`` (0-based) of ``layer``."""
    view = ws.view
    i = list(view._node_index).index((layer, node))
    return view._labels[i].textItem.toPlainText()


def test_phase_steps_to_end_of_observation_1_backward(qtbot, network_ws):
    ws = network_ws
    assert ws.controller.is_lecture_example
    assert ws.lecture_note.isVisible()
    assert "0.3905" in ws.lecture_note.text() and "0.311" in ws.lecture_note.text()
    press(qtbot, ws, "phase", 5)
    assert ws.steps.phase_label.text() == "Done: Backward: layer 2 → layer 1, observation 1"
    out = label_text(ws, 2, 0)
    assert "z(2)1 = 0.8095" in out and "a(2)1 = 0.8095" in out
    hidden = label_text(ws, 1, 0) + label_text(ws, 1, 1)
    assert "a(1)1 = 0.4750" in hidden and "a(1)2 = 0.6225" in hidden
    assert "z(1)1 = -0.1000" in hidden and "z(1)2 = 0.5000" in hidden
    assert ws.nudge.cell_text("residual e", 0) == "e = 0.3905"
    for name, want in SENSITIVITIES_OBS1.items():
        value = ws.nudge.sensitivity(1, name)
        assert round(value, 3) == pytest.approx(want, abs=1e-9), name
        assert ws.nudge.cell_text(name, 0) == SHOWN_OBS1[name]
        contribution = float(ws.nudge.cell_text(name, 1))
        assert contribution == pytest.approx(0.3905 * want, abs=2e-3), name
    # observation 2 (printed lecture has 0.455 / 0.622 here)
    assert round(ws.nudge.sensitivity(2, "w(2)[1,1]"), 3) == 0.574
    assert round(ws.nudge.sensitivity(2, "w(2)[1,2]"), 3) == 0.690


def test_nodes_are_blank_until_their_phase_computed_them(qtbot, network_ws):
    ws = network_ws
    assert label_text(ws, 2, 0).split("\n")[1].strip() == "a(2)1 ="
    press(qtbot, ws, "phase", 1)  # forward into layer 1 only
    assert "a(1)1 = 0.475" in label_text(ws, 1, 0)
    assert label_text(ws, 2, 0).split("\n")[1].strip() == "a(2)1 ="
    assert label_text(ws, 1, 0).rstrip().endswith("δ(1)1 =")
    press(qtbot, ws, "phase", 3)  # forward 2, loss, backward into layer 2
    assert ws.view.colorbar.isVisible()
    assert label_text(ws, 1, 0).rstrip().endswith("δ(1)1 =")
    assert "δ(2)1 = -0.7810" in label_text(ws, 2, 0)


def test_chain_rule_for_selected_weight_multiplies_to_gradient(qtbot, network_ws):
    ws = network_ws
    press(qtbot, ws, "phase", 5)
    click(qtbot, ws, "w(1)[1,2]")
    assert ws.selected == "w(1)[1,2]"
    click(qtbot, ws, "w(1)[1,1]")
    assert ws.selected == "w(1)[1,1]" and ws.view.selected() == "w(1)[1,1]"
    values = ws.chain.factor_values()
    assert len(values) == 4
    assert values == pytest.approx([-2 * (1.2 - 0.80948), 0.6, 0.24937, 3.0], abs=1e-4)
    product = math.prod(values)
    assert product == pytest.approx(ws.chain.result(), rel=1e-12)
    rec = backward(lecture_network(), lecture_data().inputs, lecture_data().targets, "sse")
    idx = lecture_network().param_index("w(1)[1,1]")
    assert ws.chain.result() == pytest.approx(rec.per_obs_grad[0, idx], rel=1e-12)
    text = ws.chain.formula_text()
    assert "−2(1.2 − 0.8095) · 0.6 · 0.2494 · 3" in text
    assert "<b>−0.3506</b>" in text and f"{product:.4f}" == "-0.3506"
    # the gradient over both observations is the one the parameter table shows
    assert "= −0.4042" in text and f"{rec.gradient[idx]:.4f}" == "-0.4042"
    assert ws.params.shown_gradient("w(1)[1,1]") == "-0.4042"
    # finishing the iteration applies exactly the engine's gradient step
    press(qtbot, ws, "iteration")
    np.testing.assert_allclose(ws.controller.session.theta(), lecture_network().theta() - 0.1 * rec.gradient,
                               rtol=1e-12)
    assert ws.params.shown_value("w(1)[1,1]") == "0.2404" == THETA_1["w(1)[1,1]"]


def test_clicking_a_node_selects_its_bias(qtbot, network_ws):
    ws = network_ws
    click(qtbot, ws, "b(1)[2]")
    assert ws.selected == "b(1)[2]"
    assert ws.chain.factor_values()[-1] == 1.0  # dz/db = 1
    assert math.prod(ws.chain.factor_values()) == pytest.approx(ws.chain.result(), rel=1e-12)


def test_iteration_applies_the_engines_update(qtbot, network_ws):
    ws = network_ws
    net = lecture_network()
    data = lecture_data()
    rec = backward(net, data.inputs, data.targets, "sse")
    expected = net.theta() - 0.1 * rec.gradient
    press(qtbot, ws, "iteration")
    session = ws.controller.session
    assert session.cursor == (1, 0)
    np.testing.assert_allclose(session.theta(), expected, rtol=1e-12, atol=0)
    for name, value in zip(net.param_names(), expected):
        assert ws.params.shown_value(name) == THETA_1[name]
        assert float(THETA_1[name]) == pytest.approx(value, abs=5e-5)
    assert "0.3905" not in ws.lecture_note.text()  # its numbers are iteration 0's
    assert "iteration 0" in ws.lecture_note.text()
    assert ws.loss_plot.curve.getData()[1].shape == (2,)
    assert ws.loss_plot.curve.getData()[1][1] < ws.loss_plot.curve.getData()[1][0]


def _snapshot(ws) -> dict:
    return {
        "phase": ws.steps.phase_label.text(),
        "chain": ws.chain.formula_text(),
        "nudge": [ws.nudge.cell_text(n, c) for n in ("residual e", "w(1)[1,1]", "b(2)[1]") for c in (0, 2)],
        "params": [ws.params.shown_value(n) for n in ws.params.names()],
        "grads": [ws.params.shown_gradient(n) for n in ws.params.names()],
        "labels": [label.textItem.toPlainText() for label in ws.view._labels],
        "edges": list(ws.view.edge_colors()) + list(ws.view.edge_widths()),
        "loss": ws.loss_plot.curve.getData()[1].tolist(),
        "path": ws.landscape.path.getData()[0].tolist(),
    }


def test_back_returns_every_panel_to_the_earlier_state(qtbot, network_ws):
    ws = network_ws
    press(qtbot, ws, "iteration")
    press(qtbot, ws, "phase", 4)
    before = _snapshot(ws)
    press(qtbot, ws, "phase")
    after_phase = _snapshot(ws)
    assert after_phase != before
    press(qtbot, ws, "back")
    assert _snapshot(ws) == before
    press(qtbot, ws, "iteration")
    assert _snapshot(ws) != before
    ws.controller.back()
    assert ws.controller.session.cursor == (1, 0)
    # back by iteration lands at the start of the iteration; stepping the same phases returns
    press(qtbot, ws, "phase", 4)
    assert _snapshot(ws) == before


def test_double_click_edits_a_weight_in_place(qtbot, network_ws):
    ws = network_ws
    click(qtbot, ws, "w(2)[1,1]", double=True)
    editor = ws.view._editor
    assert editor is not None and editor.isVisible()
    editor.selectAll()
    qtbot.keyClicks(editor, "1.5")
    qtbot.keyClick(editor, QtCore.Qt.Key.Key_Return)
    assert not editor.isVisible()
    assert ws.controller.network.param("w(2)[1,1]") == 1.5
    assert not ws.lecture_note.isVisible()  # the printed lecture's numbers no longer apply
    press(qtbot, ws, "phase", 2)
    edited = lecture_network().with_param("w(2)[1,1]", 1.5)
    out = forward(edited, lecture_data().inputs).output[0, 0]
    assert out == pytest.approx(0.80948 + 0.9 * 0.47502, abs=1e-4)
    assert "a(2)1 = 1.237" in label_text(ws, 2, 0) and f"{out:.3f}" == "1.237"
    assert ws.params.shown_value("w(2)[1,1]") == "1.5"


def test_bad_value_typed_in_place_is_refused(qtbot, network_ws):
    ws = network_ws
    ed = ws.view.begin_edit("b(2)[1]")
    ed.setText("abc")
    qtbot.keyClick(ed, QtCore.Qt.Key.Key_Return)
    assert ed.isVisible() and "not a number" in ed.toolTip()
    assert ws.controller.network.param("b(2)[1]") == 0.4


def test_parameter_table_edit_changes_forward_values(qtbot, network_ws):
    ws = network_ws
    row = ws.params.names().index("b(2)[1]")
    ws.params.item(row, 1).setText("0.5")
    assert ws.controller.network.param("b(2)[1]") == 0.5
    press(qtbot, ws, "phase", 2)
    assert "a(2)1 = 0.9095" in label_text(ws, 2, 0)


def test_finite_difference_panel_agrees(qtbot, network_ws):
    ws = network_ws
    ws.tables.setCurrentIndex(ws.tables.count() - 1)  # Gradient check
    qtbot.waitUntil(lambda: not ws.fd.runner.busy, timeout=5000)  # computed in the background
    assert ws.fd.max_error is not None and ws.fd.max_error < 1e-6
    assert ws.fd.table.rowCount() == 9
    assert "agree" in ws.fd.summary.text()


def test_edges_show_weight_size_and_sign_then_gradient_size(qtbot, network_ws):
    from gui.network.view import NEGATIVE, POSITIVE

    ws = network_ws
    view = ws.view
    weights = {(1, 0, 0): 0.2, (1, 0, 1): 0.4, (1, 1, 0): 0.3, (1, 1, 1): 0.5, (2, 0, 0): 0.6, (2, 0, 1): 0.2}
    widths = dict(zip(view._edge_index, view.edge_widths()))
    order = sorted(weights, key=weights.get)
    assert [widths[e] for e in order] == sorted(widths[e] for e in order)
    assert widths[(2, 0, 0)] > widths[(1, 0, 0)]
    assert set(view.edge_colors()) == {POSITIVE}  # every lecture weight is positive
    assert not view.colorbar.isVisible()
    ws.controller.set_parameter("w(1)[2,2]", -0.5)
    colors = dict(zip(view._edge_index, view.edge_colors()))
    assert colors[(1, 1, 1)] == NEGATIVE and colors[(1, 0, 0)] == POSITIVE
    press(qtbot, ws, "phase", 4)  # backward into layer 2: layer-2 gradients known, layer 1 not yet
    assert view.colorbar.isVisible()
    colors = dict(zip(view._edge_index, view.edge_colors()))
    grey = colors[(1, 0, 0)]
    assert grey == colors[(1, 1, 1)]  # zero so far: the faint end of the map
    assert colors[(2, 0, 0)] != grey and colors[(2, 0, 1)] != grey


def test_clicker_keys_step_and_go_back(qtbot, network_ws):
    ws = network_ws
    ws.view.setFocus()
    qtbot.keyClick(ws.view, QtCore.Qt.Key.Key_PageDown)  # whole iterations until a smaller step is chosen
    assert ws.controller.session.cursor == (1, 0)
    press(qtbot, ws, "phase")
    ws.view.setFocus()
    qtbot.keyClick(ws.view, QtCore.Qt.Key.Key_PageDown)
    assert ws.controller.session.cursor == (1, 2)
    assert ws.steps.phase_label.text() == "Done: Forward: layer 1 → layer 2, observation 1"
    qtbot.keyClick(ws.view, QtCore.Qt.Key.Key_PageUp)
    assert ws.controller.session.cursor == (1, 1)


def test_lecture_banner_folds_to_one_line_and_unfolds(network_ws, qtbot):
    """On a short projector screen the slips fold to one line; a click on the link shows them."""
    ws = network_ws
    ws._on_note_link("less")
    assert "Show them" in ws.lecture_note.text() and "0.311" not in ws.lecture_note.text()
    ws._on_note_link("more")
    assert "0.3905" in ws.lecture_note.text() and "0.311" in ws.lecture_note.text()


def test_settings_dock_is_wide_enough_for_the_network_editor(window, network_ws):
    panel = network_ws.side_panel()
    assert window.settings_dock.width() >= panel.minimumWidth()
