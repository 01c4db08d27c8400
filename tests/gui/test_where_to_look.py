"""Where to look, at a 1280x800 projector: after a step what it changed is highlighted for a moment
(and nothing else), the highlight fades, the network keeps its numbers after a whole iteration,
the status sentences are in the workspace at a readable size, and Run mode piles up no highlights."""

from __future__ import annotations

import math
import re

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QFontMetrics

from engine.optimizers import make_spec
from gui.common.flash import DURATION_MS, WARM, Flash, flashes_active
from tests.gui.conftest import select_workspace
from tests.gui.test_descent1d import type_number
from tests.gui.test_network_lecture import label_text, press

PROJECTOR = (1280, 800)


@pytest.fixture
def projector(window, qtbot):
    window.resize(*PROJECTOR)
    qtbot.wait(20)
    window.activateWindow()
    return window


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-z))


def number(text: str, line: str) -> float:
    """The number after ``line`` (e.g. ``"z(1)1"``) in a node label's plain text."""
    m = re.search(re.escape(line) + r" = (-?[0-9.e-]+)", text.replace("−", "-"))
    assert m, (line, text)
    return float(m.group(1))


def test_a_phase_step_highlights_what_it_computed_and_nothing_else(qtbot, projector, network_ws):
    ws = network_ws
    press(qtbot, ws, "phase")  # forward, inputs -> layer 1, observation 1
    # z and a of both hidden nodes are new; the output and the inputs (shown before) are not
    assert ws.view.flashing_labels() == {(1, 0): {"z", "a"}, (1, 1): {"z", "a"}}
    warm = WARM.lower()
    html = ws.view._placer._html
    hidden, output = ws.view._offsets[1], ws.view._offsets[2]
    assert "background-color" in html[hidden] and "background-color" not in html[output]
    assert "background-color" not in html[0]  # the input x1 did not change
    press(qtbot, ws, "phase")  # layer 1 -> layer 2
    assert ws.view.flashing_labels() == {(2, 0): {"z", "a"}}
    assert "background-color" not in ws.view._placer._html[hidden]  # the earlier highlight ended
    # w(1)[1,1] is explained: dR/da(2)_1 · da(2)_1/da(1)_1 · da(1)_1/dz(1)_1 · dz(1)_1/dw(1)[1,1]
    assert ws.selected == "w(1)[1,1]"
    press(qtbot, ws, "phase")  # the loss fills in dR/da(2)_1
    assert ws.chain.flashing() == {0}
    assert warm in ws.chain.formula.text().lower()
    press(qtbot, ws, "phase")  # backward through layer 2: δ(2) and the factor from layer 2
    assert ws.view.flashing_labels() == {(2, 0): {"δ"}}
    assert ws.chain.flashing() == {1}
    press(qtbot, ws, "phase")  # backward through layer 1: δ(1) and the last two factors
    assert ws.view.flashing_labels() == {(1, 0): {"δ"}, (1, 1): {"δ"}}
    assert ws.chain.flashing() == {2, 3}
    assert "δ(1) computed" in ws.caption.text()
    assert ws.params.flash.flashing() == set()  # no parameter moved inside the iteration


def test_the_highlight_fades_and_is_gone_within_a_second(qtbot, projector, network_ws):
    ws = network_ws
    press(qtbot, ws, "phase")
    flash = ws.view.label_flash
    assert flash.level == 1.0
    qtbot.wait(DURATION_MS // 2)
    assert 0.0 < flash.level < 1.0  # fading, not a blink
    qtbot.waitUntil(lambda: not flash.active, timeout=DURATION_MS + 600)
    assert ws.view.flashing_labels() == {}
    assert all("background-color" not in h for h in ws.view._placer._html.values())
    assert WARM.lower() not in ws.chain.formula.text().lower()


def test_an_update_highlights_the_parameters_it_moved_not_a_frozen_one(qtbot, projector, network_ws):
    ws = network_ws
    table = ws.params
    row = table.names().index("w(1)[1,2]")
    table.item(row, 3).setCheckState(Qt.CheckState.Checked)  # ticks Frozen, as a click does
    assert "w(1)[1,2]" in ws.controller.session.frozen
    qtbot.waitUntil(lambda: not table.flash.flash.active, timeout=2000)
    press(qtbot, ws, "iteration")
    cells = table.flash.flashing()
    other = table.names().index("w(2)[1,1]")
    assert (other, 1) in cells  # its value moved
    assert (row, 1) not in cells  # the frozen weight kept its value
    assert table.shown_value("w(1)[1,2]") == "0.4"
    # the nudge table's numbers changed with the parameters: they flash as well
    assert ws.nudge.flash.flashing()


def test_after_an_iteration_the_network_keeps_the_values_just_computed(qtbot, projector, network_ws):
    ws = network_ws
    press(qtbot, ws, "iteration")
    assert ws.controller.session.cursor == (1, 0)
    # the iteration's last pass: observation 2, x = (-1, 1), y = 0.7, at the lecture's starting weights
    z11 = 0.2 * -1 + 0.4 * 1 + 0.1
    z12 = 0.3 * -1 + 0.5 * 1 + 0.6
    a11, a12 = sigmoid(z11), sigmoid(z12)
    z2 = 0.6 * a11 + 0.2 * a12 + 0.4
    d2 = -2 * (0.7 - z2)  # sse, identity output
    d11 = d2 * 0.6 * a11 * (1 - a11)
    text = label_text(ws, 1, 0)
    assert number(text, "z(1)1") == pytest.approx(z11, abs=1e-4)
    assert number(text, "a(1)1") == pytest.approx(a11, abs=1e-4)
    assert number(text, "δ(1)1") == pytest.approx(d11, rel=1e-3)
    assert number(label_text(ws, 1, 1), "a(1)2") == pytest.approx(a12, abs=1e-4)
    out = label_text(ws, 2, 0)
    assert number(out, "z(2)1") == pytest.approx(z2, abs=1e-4)
    assert number(out, "δ(2)1") == pytest.approx(d2, abs=1e-4)
    assert number(label_text(ws, 0, 0), "x1") == -1.0
    assert all(label.isVisible() for label in ws.view._placer.labels())
    # ... and says whose values they are
    assert "iteration 1 done: observation 2's values" in ws.view.caption.text
    assert "Iteration 1 done" in ws.caption.text() and "observation 2" in ws.caption.text()
    # the next phase starts observation 1 afresh: its values replace the kept ones
    press(qtbot, ws, "phase")
    assert number(label_text(ws, 0, 0), "x1") == 3.0
    assert "iteration 1 done" not in ws.view.caption.text


def test_back_does_not_flash(qtbot, projector, network_ws):
    ws = network_ws
    press(qtbot, ws, "phase", 6)  # observation 2's first forward phase
    qtbot.waitUntil(lambda: flashes_active(ws) == 0, timeout=2000)
    press(qtbot, ws, "back")  # observation 1's values come back: nothing new to look at
    assert flashes_active(ws) == 0


def test_the_divergence_sentence_is_in_the_1d_workspace_at_a_readable_size(qtbot, projector):
    window = projector
    ws = select_workspace(window, "function1d")
    type_number(qtbot, ws.panel.hyper_boxes["lr"], "0.05")
    for _ in range(10):
        if ws.controller.finished:
            break
        qtbot.mouseClick(window.step_controls.buttons["step"], Qt.MouseButton.LeftButton)
    caption = ws.caption
    text = caption.text()
    assert text.startswith("Diverged")
    assert "the step 0.05 is above the stability limit 2/f''(x*) = 0.0156" in text
    label = caption.label
    assert label.isVisible()
    assert window.rect().contains(QRect(label.mapTo(window, label.rect().topLeft()), label.size()))
    # larger than the status bar's text, and the whole sentence inside the caption's lines
    assert caption.point_size() > window.status_label.font().pointSize()
    margins = label.contentsMargins()
    room = QRect(0, 0, label.width() - margins.left() - margins.right(), 10_000)
    needed = QFontMetrics(label.font()).boundingRect(room, Qt.TextFlag.TextWordWrap, text).height()
    assert needed <= label.height() - margins.top() - margins.bottom()
    assert caption.flash.active  # the new sentence is highlighted too
    # the iterate table's new row flashed with the step
    assert ws.table.flash.flashing() >= {(ws.table.model_.rowCount() - 1, 0)}


def test_the_caption_follows_the_font_size(qtbot, projector):
    window = projector
    ws = select_workspace(window, "function2d")
    network = window.workspace_for_kind("network")
    before = ws.caption.point_size()
    height = network.caption.height()
    window.set_font_size(20)
    assert ws.caption.point_size() >= 20 > before
    # the network's longer sentence may be set a little smaller to fit its lines, which grow
    assert network.caption.point_size() >= 18 and network.caption.height() > height


def starts(root) -> int:
    return sum(f.starts for f in root.findChildren(Flash))


def test_run_mode_piles_up_no_highlights(qtbot, projector, network_ws):
    ws = network_ws
    c = ws.controller
    c.session.set_spec(make_spec("gd", lr=0.002))  # at 0.1 the example converges within a second
    c.set_speed(500.0)
    press(qtbot, ws, "phase", 3)
    assert flashes_active(projector) > 0
    seen = []
    c.record_changed.connect(lambda: seen.append(flashes_active(projector)))
    before = starts(projector)
    qtbot.mouseClick(ws.steps.buttons["run"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: c.frames >= 30, timeout=15_000)
    assert starts(projector) == before  # not one highlight started while running
    qtbot.mouseClick(ws.steps.buttons["run"], Qt.MouseButton.LeftButton)
    assert not c.running
    assert len(seen) >= 20 and max(seen[1:]) == 0  # the one under way ended at the first frame
    # paused: the network shows the last iteration's numbers again
    assert label_text(ws, 1, 0).count("=") == 3 and "δ(1)1 = " in label_text(ws, 1, 0)
    assert not label_text(ws, 1, 0).endswith("= ")


def test_1d_run_mode_does_not_flash_rows(qtbot, projector):
    window = projector
    ws = select_workspace(window, "function1d")
    c = ws.controller
    type_number(qtbot, ws.panel.hyper_boxes["lr"], "0.0001")  # slow enough to run for a while
    c.set_speed(60.0)
    before = starts(window)
    qtbot.mouseClick(window.step_controls.buttons["run"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: c.frames >= 20 or not c.running, timeout=15_000)
    assert starts(window) == before and flashes_active(window) == 0
    c.set_running(False)
