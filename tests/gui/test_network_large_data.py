"""The network tab over 100,000 observations: "Use these data", Step and Back are computed in the
background (the event loop keeps turning, a progress line with Cancel shows), the panels show the
state before until the result is in, more steps queue, Cancel and an edit leave everything as it
was, and what is shown equals the engine's own synchronous session. The lecture example still
steps at once on the GUI thread."""

import time

import numpy as np
from PySide6.QtCore import Qt, QTimer

from engine.data import DATASETS, make_dataset
from engine.network import glorot
from engine.optimizers import make_spec
from engine.training import TrainingMode, TrainingSession
from tests.gui.test_background import Heartbeat

N = 100_000
NAME = "circles"


def reference() -> TrainingSession:
    """The engine's session for the data set the panel asks for: noise 0.1, seed 0, network seed 0."""
    data = make_dataset(NAME, N, 0.1, 0)
    info = DATASETS[NAME]
    net = glorot(2, info.setup.layer_sizes(info.n_outputs), info.setup.activations(), np.random.default_rng(0))
    return TrainingSession(net, data.inputs, data.targets, info.setup.loss, TrainingMode(),
                           make_spec(info.setup.optimizer, lr=info.setup.lr))


class WorkBeat(Heartbeat):
    """The heartbeat's gaps that began while ``busy()``: the event loop's pauses while the work is
    computed (the redraw after it costs what a small data set's does; the benchmark times it)."""

    def __init__(self, busy) -> None:
        super().__init__()
        self._busy, self._was_busy = busy, False

    def _tick(self) -> None:
        now, busy = time.perf_counter(), self._busy()
        if self._last is not None and (self._was_busy or busy):
            self.gaps.append(now - self._last)
        self._last, self._was_busy = now, busy

    def check(self) -> None:
        """As the heartbeat's (a job over before the first tick leaves nothing to check)."""
        if self.gaps:
            super().check()


def choose_large_set(panel) -> None:
    panel.source.setCurrentIndex(panel.source.findData(NAME))
    panel.n.setValue(N)
    panel.noise.setValue(0.1)
    panel.seed.setValue(0)


def click(qtbot, button) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def turned_while_busy(ws) -> list:
    """A zero-delay timer posted now: it records whether the tab was still busy when the event
    loop ran it (True only when the work is not holding the GUI thread)."""
    seen: list = []
    QTimer.singleShot(0, lambda: seen.append(ws.is_busy()))
    return seen


def wait_idle(qtbot, ws, timeout=20_000) -> None:
    qtbot.waitUntil(lambda: not ws.is_busy(), timeout=timeout)


def shown_loss(ws) -> float:
    """The last point of the loss curve, as drawn."""
    return float(ws.loss_plot.curve.getData()[1][-1])


def same_as(ws, ref: TrainingSession) -> None:
    s = ws.controller.session
    assert s.cursor == ref.cursor and s.n_updates == ref.n_updates
    np.testing.assert_array_equal(s.theta(), ref.theta())
    np.testing.assert_array_equal(s.losses(), ref.losses())
    np.testing.assert_array_equal(s.record().gradient, ref.record().gradient)
    assert shown_loss(ws) == ref.losses()[ref.cursor[0]]
    assert ws.controller.training_accuracy() == ref.accuracy()
    shown = [float(ws.params.item(r, 1).toolTip()) for r in range(ws.params.rowCount())]  # repr of each value
    assert shown == list(ref.theta())


def use_large_set(qtbot, ws) -> None:
    panel = ws.data_panel
    choose_large_set(panel)
    click(qtbot, panel.generate)
    qtbot.waitUntil(lambda: not panel.loader.busy, timeout=20_000)
    wait_idle(qtbot, ws)


def test_use_step_and_back_over_100000_observations_keep_the_window_turning(qtbot, network_ws):
    ws = network_ws
    ws.landscape.hide()  # its grid over 100,000 observations is a job of its own (test_background.py)
    panel = ws.data_panel
    lecture = ws.controller.session
    choose_large_set(panel)
    with WorkBeat(ws.is_busy) as beat:
        click(qtbot, panel.generate)
        qtbot.waitUntil(ws.is_busy, timeout=20_000)  # the data set is made, the session is being built
        seen = turned_while_busy(ws)
        assert ws.steps.work.isVisible() and ws.controller.session is lecture, "the lecture is shown meanwhile"
        wait_idle(qtbot, ws)
    beat.check()
    assert seen == [True]
    ref = reference()
    assert ws.controller.session.n_obs == N and ws.is_dirty and not ws.steps.work.isVisible()
    same_as(ws, ref)

    for action, button in (("step", "iteration"), ("step", "iteration"), ("back", "back")):
        with WorkBeat(ws.is_busy) as beat:
            click(qtbot, ws.steps.buttons[button])
            assert ws.is_busy(), f"{action} over {N} observations is computed in the background"
            assert ws.controller.cursor == ref.cursor[0], "the panels show the state before meanwhile"
            seen = turned_while_busy(ws)
            wait_idle(qtbot, ws)
        beat.check()
        assert seen == [True]
        ref.step_iteration() if action == "step" else ref.back()
        same_as(ws, ref)


def test_steps_queue_and_cancel_or_an_edit_leave_all_as_it_was(qtbot, network_ws, window):
    ws = network_ws
    ws.landscape.hide()
    c = ws.controller
    window.activateWindow()
    use_large_set(qtbot, ws)
    ref = reference()
    # three presses of I while the first is computed: all three are taken, in turn
    for _ in range(3):
        qtbot.keyClick(ws, Qt.Key.Key_I)
    assert ws.is_busy()
    wait_idle(qtbot, ws)
    for _ in range(3):
        ref.step_iteration()
    same_as(ws, ref)
    # Cancel while a step is computed: nothing happened
    click(qtbot, ws.steps.buttons["iteration"])
    assert ws.steps.work.isVisible()
    click(qtbot, ws.steps.work.cancel_button)
    assert not ws.is_busy() and not ws.steps.work.isVisible()
    qtbot.wait(300)
    same_as(ws, ref)
    # an edit while a step is computed: the step is dropped, the edit applies to what is shown
    click(qtbot, ws.steps.buttons["iteration"])
    assert ws.is_busy()
    c.set_parameter("w(1)[1,1]", 0.5)  # what the parameter table sends when a value is typed
    assert not ws.is_busy()
    qtbot.wait(300)
    ref.set_parameter("w(1)[1,1]", 0.5)
    same_as(ws, ref)
    # and stepping goes on from there
    click(qtbot, ws.steps.buttons["iteration"])
    wait_idle(qtbot, ws)
    ref.step_iteration()
    same_as(ws, ref)


def test_cancel_while_the_session_is_built_keeps_the_lecture_example(qtbot, network_ws):
    ws = network_ws
    c = ws.controller
    panel = ws.data_panel
    lecture, title, spec = c.session, c.title, c.data_spec
    choose_large_set(panel)
    click(qtbot, panel.generate)
    qtbot.waitUntil(ws.is_busy, timeout=20_000)
    click(qtbot, ws.steps.work.cancel_button)
    assert not ws.is_busy()
    qtbot.wait(500)  # whatever the dropped job still computes is never shown
    assert c.session is lecture and c.title == title and c.data_spec is spec
    assert not ws.is_dirty, "nothing was edited"
    assert "cancelled" in panel.message.text().lower()
    # the lecture example still steps at once, on the GUI thread
    click(qtbot, ws.steps.buttons["iteration"])
    assert not ws.is_busy() and c.cursor == 1 and c.session is lecture


def test_an_edit_while_the_session_is_built_is_applied_and_the_data_are_not_used(qtbot, network_ws):
    ws = network_ws
    c = ws.controller
    panel = ws.data_panel
    lecture = c.session
    choose_large_set(panel)
    click(qtbot, panel.generate)
    qtbot.waitUntil(ws.is_busy, timeout=20_000)
    c.set_parameter("w(1)[1,1]", 0.25)  # typed into the parameter table meanwhile
    assert not ws.is_busy()
    qtbot.wait(500)
    assert c.session is lecture and c.session.n_obs == 2 and c.session.theta()[0] == 0.25
    assert "data are unchanged" in panel.message.text()
