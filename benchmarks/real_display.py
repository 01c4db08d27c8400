"""Measurements of the real app in a real window, run by ``bench_gui_real.py`` (one per process).

    python benchmarks/real_display.py run network|descent2d|digits [--seconds S]
    python benchmarks/real_display.py step network|descent2d|digits [--steps N]
    python benchmarks/real_display.py bare [--seconds S]
    python benchmarks/real_display.py launch main|bare [--repeat N]
    python benchmarks/real_display.py stale

Each prints ``result: <key> = <value>`` lines. Under ``xvfb-run`` with ``QT_QPA_PLATFORM=xcb``
the pixels really go to an X server; with ``QT_QPA_PLATFORM=offscreen`` the same code gives the
offscreen figures beside them. The window fills the screen's available area (1280x800 under the
benchmark's Xvfb), the speed slider is put at its maximum, and frames are paint events that reach
a plot's viewport, not timer ticks.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

DIVERGE = ROOT / "resources" / "scenarios" / "lecture-quartic-diverge.json"
SCENARIOS = {"network": ROOT / "resources" / "scenarios" / "xor-classifier.json",
             "descent2d": ROOT / "resources" / "scenarios" / "lecture-2d.json",
             "race2d": ROOT / "resources" / "scenarios" / "lecture-2d-race.json"}
KINDS = {"network": "network", "descent2d": "function2d", "race2d": "function2d", "digits": "network"}
#: The 1,210-parameter network of SPEC section 7: the shipped preset where there is one, else the same
#: architecture on synthetic 8x8 images (``tests/gui/wide_networks.py``).
DIGITS_PRESET = "digits-64-16-10"


def scenario_path(kind: str) -> Path:
    """The scenario file a workload opens; the digits one written to a temporary file when no preset ships."""
    if kind != "digits":
        return SCENARIOS[kind]
    from engine.presets import PresetError, resolve

    try:
        return Path(resolve(DIGITS_PRESET))
    except PresetError:
        import json

        from tests.gui.wide_networks import wide_scenario

        out = Path(tempfile.mkdtemp()) / "digits-like-64-16-10.json"
        out.write_text(json.dumps(wide_scenario(side=8, hidden=16, classes=10, n=300).to_dict()))
        return out


def result(key: str, value: float) -> None:
    print(f"result: {key} = {value:.6g}", flush=True)


class PaintLog:
    """Counts paint events per watched widget and remembers when the latest one arrived."""

    def __init__(self) -> None:
        from PySide6.QtCore import QEvent, QObject

        log = self

        class Filter(QObject):
            def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
                if event.type() == QEvent.Type.Paint:
                    log.counts[obj] = log.counts.get(obj, 0) + 1
                    log.total += 1
                return False

        self.counts: dict = {}
        self.total = 0
        self.filter = Filter()

    def watch(self, widget) -> None:
        widget.installEventFilter(self.filter)
        self.counts.setdefault(widget, 0)


def _viewports(ws) -> dict:
    """Every plot's viewport in the workspace, by the plot's object name (or class name)."""
    out = {}
    for plot in ws.plot_widgets():
        name = plot.objectName() or type(plot).__name__
        out[name] = plot.viewport() if hasattr(plot, "viewport") else plot
    return out


def window_rect(app):
    """The screen's available area; 1280x800 offscreen, where the virtual screen is smaller."""
    from PySide6.QtCore import QRect

    if app.platformName() == "offscreen":
        return QRect(0, 0, 1280, 800)
    return app.primaryScreen().availableGeometry()


def open_window(kind: str):
    """The app's window filling the screen, on the workspace for ``kind`` with its scenario open."""
    from PySide6.QtCore import QSettings

    from gui.app import create_application
    from gui.window.main_window import MainWindow

    app = create_application()
    tmp = tempfile.mkdtemp()
    window = MainWindow(None, settings=QSettings(str(Path(tmp) / "s.ini"), QSettings.Format.IniFormat))
    window.setGeometry(window_rect(app))
    window.show()
    settle(app, 0.3)
    scenario = scenario_path(kind)
    if not window.open_scenario(str(scenario), remember=False):
        raise SystemExit(f"could not open {scenario}: {window.last_error}")
    ws = window.workspace_for_kind(KINDS[kind])
    window.tabs.setCurrentWidget(ws)
    if kind in ("descent2d", "race2d"):
        # Keep running for the whole measurement instead of converging or stopping at 10,000.
        ws.controller.set_tolerance(1e-300)
        ws.controller.set_max_iter(10_000_000)
    settle(app, 0.5)
    return app, window, ws


def settle(app, seconds: float) -> None:
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        app.processEvents()
        time.sleep(0.001)


def _speed_slider_and_run(window, ws):
    """The speed slider and the Run button the person would use on this workspace."""
    if ws.has_step_controls:
        return ws.steps.speed, ws.steps.buttons["run"]
    controls = window.step_controls
    return controls.speed_slider, controls.buttons["run"]


def measure_run(kind: str, seconds: float) -> None:
    """Frames per second of each plot and iterations per second, speed slider at its maximum."""
    app, window, ws = open_window(kind)
    slider, run_button = _speed_slider_and_run(window, ws)
    slider.setValue(slider.maximum())
    c = ws.controller
    log = PaintLog()
    viewports = _viewports(ws)
    for w in viewports.values():
        log.watch(w)
    settle(app, 0.2)
    it0 = c.cursor
    before = dict(log.counts)
    run_button.click()
    t0 = time.perf_counter()
    # The event loop as app.exec() runs it; a timer ends the measurement.
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()
    elapsed = time.perf_counter() - t0
    running = c.running
    it1 = c.cursor
    counts = {name: (log.counts[w] - before[w]) / elapsed for name, w in viewports.items()}
    run_button.click()
    busiest = max(counts, key=counts.get)
    result("requested_it_per_s", c.speed)
    result("it_per_s", (it1 - it0) / elapsed)
    result("fps", counts[busiest])
    print(f"result: busiest = {busiest}", flush=True)
    for name, fps in counts.items():
        result(f"fps.{name}", fps)
    result("still_running", float(running))
    close(window)


def measure_step(kind: str, steps: int) -> None:
    """Step latency: from the step request until the last paint it caused has been drawn."""
    app, window, ws = open_window(kind)
    log = PaintLog()
    for w in _all_widgets(window):
        log.watch(w)
    c = ws.controller
    if ws.has_step_controls:
        buttons = [ws.steps.buttons[g] for g in ("phase", "phase", "observation", "iteration")]
    else:
        buttons = [window.step_controls.buttons["step"]]
    times = []
    for i in range(steps):
        settle(app, 0.05)
        button = buttons[i % len(buttons)]
        n0 = log.total
        t0 = time.perf_counter()
        button.click()
        last = None
        while True:
            before = log.total
            app.processEvents()
            now = time.perf_counter()
            if log.total > before:
                last = now
            if (last is not None and now - last > 0.05) or now - t0 > 1.0:
                break
            time.sleep(0.0005)
        if last is not None and log.total > n0:
            times.append((last - t0) * 1000.0)
    times.sort()
    result("step_median_ms", statistics.median(times))
    result("step_p95_ms", times[int(round(0.95 * (len(times) - 1)))])
    result("step_samples", len(times))
    result("cursor", c.cursor)
    close(window)


def _all_widgets(window) -> list:
    from PySide6.QtWidgets import QWidget

    return [window, *window.findChildren(QWidget)]


def close(window) -> None:
    for ws in window.workspaces:
        ws.mark_clean()
    window.close()


BARE_PLOTS = 3
BARE_POINTS = 1000


def bare_window():
    """The reference: a bare window with three pyqtgraph plots of 1,000 points each."""
    import numpy as np
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

    app = QApplication.instance() or QApplication(sys.argv)
    window = QWidget()
    layout = QVBoxLayout(window)
    plots, curves = [], []
    x = np.linspace(0, 10, BARE_POINTS)
    for i in range(BARE_PLOTS):
        plot = pg.PlotWidget()
        curves.append(plot.plot(x, np.sin(x + i), pen=pg.mkPen("y", width=2)))
        plot.getPlotItem().vb.disableAutoRange()
        plot.setRange(xRange=(0, 10), yRange=(-1.5, 1.5), padding=0)
        layout.addWidget(plot)
        plots.append(plot)
    window.setGeometry(window_rect(app))
    return app, window, plots, curves, x


def measure_bare(seconds: float) -> None:
    """Frames per second of the bare window's plots, animated by a zero-interval timer."""
    import numpy as np
    from PySide6.QtCore import QEventLoop, QTimer

    app, window, plots, curves, x = bare_window()
    window.show()
    settle(app, 0.3)
    log = PaintLog()
    log.watch(plots[0].viewport())
    phase = [0.0]

    def frame() -> None:
        phase[0] += 0.05
        for i, curve in enumerate(curves):
            curve.setData(x, np.sin(x + i + phase[0]))

    timer = QTimer()
    timer.setInterval(0)
    timer.timeout.connect(frame)
    timer.start()
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    t0 = time.perf_counter()
    loop.exec()
    result("fps", log.counts[plots[0].viewport()] / (time.perf_counter() - t0))
    timer.stop()


BARE_LAUNCH = """
import os, sys, time
sys.path.insert(0, {root!r})
from benchmarks.real_display import bare_window
from PySide6.QtCore import QEvent, QObject

app, window, plots, curves, x = bare_window()


class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            with open(os.environ["STEPWISE_PAINT_LOG"], "a") as f:
                f.write(f"{{time.monotonic():.6f}} bare\\n")
            app.removeEventFilter(self)
        return False


first = FirstPaint()
app.installEventFilter(first)
window.show()
app.exec()
"""


def launch_once(which: str, log_path: Path, config: Path) -> float:
    """Seconds from starting the process to its window's first paint (read from the paint log)."""
    env = {**os.environ, "STEPWISE_PAINT_LOG": str(log_path), "XDG_CONFIG_HOME": str(config),
           "XDG_DATA_HOME": str(config), "PYTHONPATH": str(ROOT)}
    if which == "main":
        argv = [sys.executable, str(ROOT / "main.py")]
    else:
        argv = [sys.executable, "-c", BARE_LAUNCH.format(root=str(ROOT))]
    log_path.unlink(missing_ok=True)
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, env=env, cwd=ROOT)
    first = None
    deadline = t0 + 30.0
    while first is None and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
        if log_path.exists():
            lines = log_path.read_text().split("\n")
            if len(lines) > 1:
                first = float(lines[0].split()[0])
    # Let the deferred start-up work run too, so the next launch starts from a quiet machine.
    time.sleep(1.0)
    proc.terminate()
    proc.wait(10)
    if first is None:
        raise SystemExit(f"{which}: no paint logged within 30 s")
    return first - t0


def measure_launch(which: str, repeat: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        times = [launch_once(which, Path(tmp) / "paint.log", Path(tmp) / "config") for _ in range(repeat)]
    result("launch_s", statistics.median(times))
    result("launch_s_min", min(times))


def screen_vs_render(app, widget) -> int:
    """Pixels where the screen (``QScreen.grabWindow`` over ``widget``) differs from its own render."""
    import numpy as np
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QImage

    origin = widget.mapToGlobal(QPoint(0, 0))
    images = (app.primaryScreen().grabWindow(0, origin.x(), origin.y(), widget.width(), widget.height()),
              widget.grab())
    arrays = []
    for pixmap in images:
        image = pixmap.toImage().convertToFormat(QImage.Format.Format_RGB32)
        count = image.height() * image.bytesPerLine() // 4
        rows = np.frombuffer(image.constBits(), dtype=np.uint32, count=count)
        arrays.append(rows.reshape(image.height(), -1)[:, : image.width()])
    return int((arrays[0] != arrays[1]).sum())


def measure_stale() -> None:
    """The evidence's sequence on the 1-D plot: the s = 0.05 run diverges (8 steps), a click at
    x = 0.3 sets a new start, Reset, Newton-Raphson, 4 steps; then screen against render."""
    import pyqtgraph as pg
    from PySide6.QtCore import QSettings, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QComboBox

    from gui.app import create_application
    from gui.window.main_window import MainWindow

    app = create_application()
    window = MainWindow(None, settings=QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"),
                                                 QSettings.Format.IniFormat))
    window.setGeometry(window_rect(app))
    window.show()
    settle(app, 0.3)
    window.open_scenario(str(DIVERGE), remember=False)
    ws = window.current_workspace
    while ws.is_busy():
        app.processEvents()

    def steps(n: int) -> None:
        for _ in range(n):
            window.actions.step.trigger()
            settle(app, 0.15)

    steps(8)
    diverged = screen_vs_render(app, ws.curve.viewport())
    vb = ws.curve.getPlotItem().vb
    at = vb.mapViewToScene(pg.Point(0.3, float(ws.controller.objective.value([0.3]))))
    QTest.mouseClick(ws.curve.viewport(), Qt.MouseButton.LeftButton, pos=ws.curve.mapFromScene(at))
    settle(app, 0.3)
    window.actions.reset.trigger()
    combo = ws.panel.findChild(QComboBox, "methodCombo")
    combo.setCurrentIndex(combo.findText("Newton-Raphson"))
    settle(app, 0.3)
    steps(4)
    settle(app, 0.5)
    result("diverged_px", diverged)
    result("after_newton_px", screen_vs_render(app, ws.curve.viewport()))
    close(window)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("what", choices=("run", "step", "bare", "launch", "stale"))
    parser.add_argument("target", nargs="?", default="network")
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--steps", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    if args.what == "run":
        measure_run(args.target, args.seconds)
    elif args.what == "step":
        measure_step(args.target, args.steps)
    elif args.what == "bare":
        measure_bare(args.seconds)
    elif args.what == "stale":
        measure_stale()
    else:
        measure_launch(args.target, args.repeat)


if __name__ == "__main__":
    main()
