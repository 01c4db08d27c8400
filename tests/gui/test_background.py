"""Background work: the window stays responsive while a formula compiles or a landscape, gradient
check, basins map or data set is computed; each reports progress, can be cancelled, and shows the
same numbers as the synchronous engine functions."""

import time

import numpy as np
import pytest
from PySide6.QtCore import QTimer

from tests.gui.conftest import select_workspace

#: Longest pause of the event loop allowed while work runs in the background. The aim is ~100 ms
#: (benchmarks/bench_gui_background.py measures it); the bound leaves room for a loaded test
#: machine and still fails by far when the work runs on the GUI thread (a second or more).
MAX_GAP_S = 0.25


class Heartbeat:
    """A 10 ms timer that records the longest gap between its ticks (how long events waited)."""

    def __init__(self) -> None:
        self.timer = QTimer(interval=10)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self._last = None

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.gaps.append(now - self._last)
        self._last = now

    def __enter__(self):
        self._last = time.perf_counter()
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.stop()

    @property
    def longest(self) -> float:
        return max(self.gaps, default=0.0)


def type_slowly(qtbot, edit, text: str) -> None:
    """Type character by character as a person does (about 30 ms a key)."""
    edit.setFocus()
    for ch in text:
        qtbot.keyClicks(edit, ch)
        qtbot.wait(30)


def test_a_slow_formula_compiles_off_the_gui_thread_and_is_refused(ws1, qtbot):
    panel = ws1.panel
    edit = panel.formula_edit
    edit.setFocus()
    edit.selectAll()
    edit.del_()
    before = ws1.controller.objective
    with Heartbeat() as beat:
        type_slowly(qtbot, edit, "tanh(asin(x)^999)")
        qtbot.waitUntil(lambda: panel.working.isVisible(), timeout=2000)
        assert panel.working.label.text() == "working…"
        qtbot.waitUntil(lambda: not panel.compiling, timeout=8000)
    assert beat.gaps, "the heartbeat ran"
    assert beat.longest < MAX_GAP_S, f"the event loop stopped for {beat.longest:.3f} s"
    assert "too slow to differentiate" in panel.formula_error.text()
    assert not panel.working.isVisible()
    assert ws1.controller.objective is before, "the previous function is still in use"


def test_typing_fast_compiles_once_after_the_pause(ws1, qtbot, monkeypatch):
    c = ws1.controller
    texts = []
    compile_formula = c.compile_formula
    monkeypatch.setattr(c, "compile_formula", lambda text: (texts.append(text), compile_formula(text))[1])
    edit = ws1.panel.formula_edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "x^2 - 3*x")
    assert texts == [], "nothing compiles while the keys come"
    qtbot.waitUntil(lambda: not ws1.panel.compiling, timeout=5000)
    assert texts == ["x^2 - 3*x"]
    assert c.expression_text == "x^2 - 3*x"
    assert c.objective.value(np.array([2.0])) == pytest.approx(-2.0)  # 4 - 6


def test_a_result_for_text_changed_meanwhile_is_dropped(ws1, qtbot):
    panel = ws1.panel
    edit = panel.formula_edit
    edit.setFocus()
    edit.selectAll()
    qtbot.keyClicks(edit, "x^2")
    panel._compile_timer.stop()
    panel._compile_typed()  # the compile of "x^2" has started ...
    qtbot.keyClicks(edit, " + 1")  # ... and the person types on
    qtbot.waitUntil(lambda: not panel.compiling, timeout=5000)
    assert ws1.controller.expression_text == "x^2 + 1"
    assert ws1.controller.objective.value(np.array([2.0])) == pytest.approx(5.0)
