"""Background work: the longest pause of the event loop while slow work runs (issue: ~100 ms).

A 10 ms heartbeat timer records the gaps between its ticks while (1) ``tanh(asin(x)^999)`` is typed
in the 1-D formula field and refused after its 1 s budget, (2) the network tab's loss landscape is
computed for the built-in sine set of 3,000 observations, (3) a CSV of ``CSV_ROWS`` rows is read
("Use these data"). Each line gives the longest gap and the 95th percentile, and how long the work
took. Offscreen, at 1280x800. Then (4) the network tab with the built-in circles set of ``LARGE_N``
observations: "Use these data", one Step (an iteration) and Back, each once with the session's
work on the GUI thread as it was before (``before``: ``background_steps.LARGE_WORK`` set out of
reach) and once in the background (``after``); the gap includes the redraw that follows (the
heartbeat runs on for ``SETTLE_S``); the landscape plot is hidden (its grid is a job of its own).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from PySide6 import QtCore  # noqa: E402

CSV_ROWS = 1_000_000
LARGE_N = 100_000
SETTLE_S = 0.3


class Heartbeat:
    """Gaps between the ticks of a 10 ms timer, in seconds."""

    def __init__(self) -> None:
        self.timer = QtCore.QTimer(interval=10)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self.last = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self.last)
        self.last = now

    def start(self) -> None:
        self.gaps.clear()
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()


def spin(app, until, limit_s: float = 120.0) -> float:
    """Process events until ``until()``; the seconds it took."""
    start = time.perf_counter()
    while not until() and time.perf_counter() - start < limit_s:
        app.processEvents()
        time.sleep(0.001)
    return time.perf_counter() - start


def report(name: str, beat: Heartbeat, seconds: float) -> None:
    gaps = sorted(beat.gaps)
    p95 = gaps[int(0.95 * (len(gaps) - 1))] if gaps else 0.0
    print(f"bench: gui.background.{name}.longest_gap_ms = {1000 * max(gaps, default=0):.0f} ms  "
          f"(p95 {1000 * p95:.0f} ms, median {1000 * statistics.median(gaps or [0]):.0f} ms, "
          f"work {seconds:.2f} s)", flush=True)


def main() -> None:
    from gui.app import create_application
    from gui.window.main_window import MainWindow

    app = create_application()
    settings = QtCore.QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QtCore.QSettings.Format.IniFormat)
    window = MainWindow(None, settings=settings)
    window.resize(1280, 800)
    window.show()
    beat = Heartbeat()
    if sys.argv[1:] == ["large"]:  # only part (4)
        spin(app, lambda: False, 1.0)
        large_data_steps(app, window, beat)
        for w in window.workspaces:
            w.mark_clean()
        window.close()
        return

    ws1 = window.workspace_for_kind("function1d")
    window.tabs.setCurrentWidget(ws1)
    spin(app, lambda: not ws1.is_busy())
    edit = ws1.panel.formula_edit
    edit.setFocus()
    beat.start()
    start = time.perf_counter()
    edit.clear()
    for ch in "tanh(asin(x)^999)":
        edit.insert(ch)
        edit.textEdited.emit(edit.text())
        spin(app, lambda: False, 0.03)
    spin(app, lambda: not ws1.panel.compiling)
    beat.stop()
    refused = "too slow" in ws1.panel.formula_error.text()
    report("formula_999", beat, time.perf_counter() - start)
    print(f"bench: gui.background.formula_999.refused = {int(refused)}", flush=True)

    ws = window.workspace_for_kind("network")
    window.tabs.setCurrentWidget(ws)
    panel = ws.data_panel
    panel.source.setCurrentIndex(panel.source.findData("sine"))
    panel.n.setValue(3000)
    panel.request()
    spin(app, lambda: not panel.loader.busy)
    beat.start()
    seconds = spin(app, lambda: not ws.landscape.runner.busy)
    beat.stop()
    report("landscape_3000_obs", beat, seconds)

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.csv"
        rng = np.random.default_rng(0)
        np.savetxt(path, rng.normal(size=(CSV_ROWS, 3)), delimiter=",", header="x1,x2,y", comments="",
                   fmt="%.10g")
        panel.source.setCurrentIndex(panel.source.findData("csv"))
        panel.csv_path.setText(str(path))
        panel.refresh_preview()
        ws.landscape.hide()  # the reading alone; the grid over 10^6 observations is a job of its own
        beat.start()
        panel.request()
        seconds = spin(app, lambda: not panel.loader.busy, 300)
        beat.stop()
        report(f"csv_{CSV_ROWS}_rows", beat, seconds)
        print(f"bench: gui.background.csv_rows_loaded = {ws.controller.session.n_obs}", flush=True)
    large_data_steps(app, window, beat)
    for w in window.workspaces:
        w.mark_clean()
    window.close()


def large_data_steps(app, window, beat: Heartbeat) -> None:
    """Use these data / Step / Back over ``LARGE_N`` observations, before and after."""
    import gui.network.background_steps as steps

    ws = window.workspace_for_kind("network")
    window.tabs.setCurrentWidget(ws)
    ws.landscape.hide()
    panel = ws.data_panel
    large_work = steps.LARGE_WORK
    for when in ("before", "after"):
        steps.LARGE_WORK = float("inf") if when == "before" else large_work
        ws.controller.use_lecture()
        spin(app, lambda: False, SETTLE_S)
        panel.source.setCurrentIndex(panel.source.findData("circles"))
        panel.n.setValue(LARGE_N)
        actions = (("use", panel.request), ("step", lambda: ws.controller.step_granularity("iteration")),
                   ("back", ws.controller.back))
        for name, act in actions:
            beat.start()
            start = time.perf_counter()
            act()
            spin(app, lambda: not panel.loader.busy and not ws.is_busy())
            seconds = time.perf_counter() - start
            spin(app, lambda: False, SETTLE_S)
            beat.stop()
            report(f"network_{LARGE_N}_obs.{name}.{when}", beat, seconds)
        assert ws.controller.session.n_obs == LARGE_N and ws.controller.cursor == 0
    steps.LARGE_WORK = large_work


if __name__ == "__main__":
    main()
