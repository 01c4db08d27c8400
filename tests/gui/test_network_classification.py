"""Classification demo in Run mode: XOR with a 2-4-4-2 softmax network, decision regions live."""

from __future__ import annotations

import time

import numpy as np
from PySide6 import QtCore

from tests.gui.conftest import generate_builtin


def test_xor_trains_to_95_percent_in_run_mode_with_live_regions(qtbot, network_ws):
    ws = network_ws
    panel = ws.data_panel
    generate_builtin(qtbot, panel, "xor", 200)
    c = ws.controller
    s = c.session
    assert s.network.sizes == (2, 4, 4, 2) and s.loss.name == "cross_entropy"
    assert ws.fit_plot.mode == "classification"
    assert c.training_accuracy() < 0.95
    images = []

    def sample():
        img = ws.fit_plot.image.image
        key = img.tobytes()
        if (not images or images[-1][1] != key) and c.running:
            images.append((s.cursor[0], key))

    c.record_changed.connect(sample)
    # slow enough that the run lasts a few refreshes of the decision regions (4 per second)
    # ~110 iterations reach 95%: at 100 it/s the run spans several region refreshes (4 a second)
    ws.steps.set_speed(100.0)
    c.set_speed(100.0)
    qtbot.mouseClick(ws.steps.buttons["run"], QtCore.Qt.MouseButton.LeftButton)
    assert c.running and ws.steps.buttons["run"].text() == "Pause"
    qtbot.waitUntil(lambda: c.training_accuracy() > 0.95, timeout=30000)
    qtbot.mouseClick(ws.steps.buttons["run"], QtCore.Qt.MouseButton.LeftButton)
    assert not c.running
    iterations = s.cursor[0]
    assert 0 < iterations <= 5000
    assert len(images) >= 3, "decision regions should redraw while running"
    assert images[-1][0] > images[0][0]
    # the regions agree with the engine's predictions at the end
    img = ws.fit_plot.image.image
    assert img.shape == (50, 50, 3)
    # the labelled points: most sit in a region of their own colour
    assert "training accuracy" in c.status_text
    acc = c.training_accuracy()
    assert acc > 0.95
    losses = s.losses()
    assert losses[-1] < 0.5 * losses[0]


def test_run_mode_paints_hundreds_of_frames(qtbot, network_ws):
    """Guards against the PySide6 6.12 / Python 3.11 crash on void calls (SPEC 8)."""
    ws = network_ws
    c = ws.controller
    from engine.optimizers import make_spec

    c.session.set_spec(make_spec("gd", lr=0.002))  # at 0.1 the lecture example converges in ~300 steps
    c.set_speed(2000.0)
    c.set_running(True)
    start = time.perf_counter()
    frames0 = c.frames
    while c.frames - frames0 < 200 and time.perf_counter() - start < 20:
        qtbot.wait(5)
        ws.view.viewport().repaint()
    c.set_running(False)
    assert c.frames - frames0 >= 200
    assert c.session.cursor[0] > 200 and c.session.status.state == "running"
    assert np.all(np.isfinite(c.session.theta()))


def test_history_slider_and_log_loss(qtbot, network_ws):
    ws = network_ws
    c = ws.controller
    c.run_iterations(50)
    ws.steps.history.setValue(10)
    assert c.session.cursor == (10, 0)
    assert ws.loss_plot.curve.getData()[0].shape == (11,)
    ws.set_log_loss(True)
    assert ws.loss_plot.log
    x, y = ws.loss_plot.curve.getData()  # pyqtgraph hands back log10 values in log mode
    np.testing.assert_allclose(10 ** y, c.session.losses()[:11], rtol=1e-12)
    path_x, _ = ws.landscape.path.getData()
    assert path_x.shape == (11,)
    qtbot.waitUntil(lambda: not ws.landscape.runner.busy, timeout=5000)  # computed in the background
    assert ws.landscape.n_line_points > 0
