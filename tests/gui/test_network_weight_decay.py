"""Weight decay on the Network tab: a column of its own in the nudge table, a factor of its own in
the chain rule, and a gradient check of R with its decay term; kept through an edit and Save."""

import json
from pathlib import Path

import pytest
from PySide6 import QtCore
from PySide6.QtWidgets import QLabel

RESOURCES = Path(__file__).resolve().parents[2] / "resources" / "scenarios"
LAMBDA = 0.1


@pytest.fixture
def decay_ws(window, tmp_path):
    """The lecture example with R's term lambda/2 sum w^2 (lambda = 0.1), opened from a file."""
    scenario = json.loads((RESOURCES / "lecture-backprop.json").read_text(encoding="utf-8"))
    scenario["weight_decay"] = LAMBDA
    path = tmp_path / "decay.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    assert window.open_scenario(str(path)), window.last_error
    ws = window.workspace_for_kind("network")
    window.tabs.setCurrentWidget(ws)
    return ws


def press(qtbot, ws, key: str, times: int = 1) -> None:
    for _ in range(times):
        qtbot.mouseClick(ws.steps.buttons[key], QtCore.Qt.MouseButton.LeftButton)


def column(ws, header_start: str) -> int:
    t = ws.nudge.table
    return next(c for c in range(t.columnCount()) if t.horizontalHeaderItem(c).text().startswith(header_start))


def test_the_nudge_table_has_a_decay_column_and_the_gradient_adds_it(qtbot, decay_ws):
    ws = decay_ws
    press(qtbot, ws, "phase", 10)  # both observations' backward passes, weights as in the file
    assert ws.steps.phase_label.text().startswith("Done: Backward: layer 2 → layer 1, observation 2")
    decay, total, neg_grad = column(ws, "weight decay"), column(ws, "Σ over obs"), column(ws, "−∇R")
    assert decay == total + 1 and neg_grad == decay + 1
    # -lambda w from the file's weights, 0 for a bias (biases are not decayed)
    assert float(ws.nudge.cell_text("w(1)[1,1]", decay)) == pytest.approx(-LAMBDA * 0.2)
    assert float(ws.nudge.cell_text("w(2)[1,2]", decay)) == pytest.approx(-LAMBDA * 0.2)
    assert float(ws.nudge.cell_text("w(1)[2,2]", decay)) == pytest.approx(-LAMBDA * 0.5)
    assert float(ws.nudge.cell_text("b(2)[1]", decay)) == 0.0
    for name in ("w(1)[1,1]", "w(2)[1,1]", "b(1)[2]"):
        # sse: -grad R = 2 sum_i e_i d out/d theta - lambda w, to the 4 figures shown
        expected = 2 * float(ws.nudge.cell_text(name, total)) + float(ws.nudge.cell_text(name, decay))
        assert float(ws.nudge.cell_text(name, neg_grad)) == pytest.approx(expected, rel=2e-3, abs=2e-4)
    assert "λ" in ws.nudge.caption.text()


def test_the_chain_rule_shows_the_decay_term(qtbot, decay_ws):
    ws = decay_ws
    press(qtbot, ws, "phase", 5)
    ws.select_parameter("w(1)[1,1]")
    text = ws.findChild(QLabel, "chainRuleFormula").text()
    assert "λ" in text


def test_the_gradient_check_differences_r_with_its_decay_term(qtbot, decay_ws):
    ws = decay_ws
    press(qtbot, ws, "phase", 10)
    neg_grad = column(ws, "−∇R")
    backprop = -float(ws.nudge.cell_text("w(1)[1,1]", neg_grad))
    ws.tables.setCurrentIndex(ws.tables.count() - 1)  # Gradient check
    qtbot.waitUntil(lambda: ws.fd.max_error is not None, timeout=10_000)
    assert ws.fd.max_error < 1e-6
    t = ws.fd.table
    row = next(r for r in range(t.rowCount()) if t.item(r, 0).text() == "w(1)[1,1]")
    for c in (1, 2):  # back propagation and central differences, both of R with the decay term
        assert float(t.item(row, c).text()) == pytest.approx(backprop, rel=2e-3)


def test_decay_and_the_held_out_share_survive_an_edit_and_save(qtbot, window, tmp_path):
    """Adding a hidden layer builds a new session: R keeps its decay term and the held-out share;
    Save writes both."""
    from engine.scenario import load_scenario

    scenario = json.loads((RESOURCES / "digits-64-16-10.json").read_text(encoding="utf-8"))
    scenario["weight_decay"] = 0.01
    path = tmp_path / "digits-decay.json"
    path.write_text(json.dumps(scenario), encoding="utf-8")
    assert window.open_scenario(str(path)), window.last_error
    ws = window.workspace_for_kind("network")
    window.tabs.setCurrentWidget(ws)
    before = ws.controller.session
    assert before.held_out.n_obs == 300 and before.weight_decay == 0.01
    qtbot.mouseClick(ws.editor.add_layer, QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ws.controller.session is not before, timeout=10_000)
    s = ws.controller.session
    assert len(s.network.layers) == 3 and s.weight_decay == 0.01
    assert s.held_out is not None and s.held_out.n_obs == 300 and s.n_obs == 300
    assert "held out: R = " in window.status_label.text() and "accuracy" in window.status_label.text()
    out = tmp_path / "mine.json"
    ws.document.set_file(str(out), "network")
    assert window.files.save_workspace(ws)
    saved = load_scenario(out)
    assert (saved.test_fraction, saved.weight_decay, len(saved.network.layers)) == (0.5, 0.01, 3)
