"""Whole-process memory after 10^6 iterations: the history must keep it under 300 MB.

Each case runs in a fresh process (``python bench_memory.py --case NAME``) and reports its peak
resident memory (``VmHWM`` in ``/proc/self/status``, else ``ru_maxrss``) before and after a run
of 1,000,000 iterations, so one case's memory never hides in another's:

- ``engine.descent1d``: ``DescentSession`` on the lecture quartic (gd at a step size so small that
  it never converges), stepped 10^6 times, the path and the values read as the plots read them;
- ``engine.network``: the lecture-backprop network (2-2-1, sigmoid, sse, full batch, gd lr 0.1,
  tolerance 0 so it never stops), 10^6 updates on the lean path, the loss curve read;
- ``gui.descent1d`` and ``gui.network``: the same runs inside the real window (offscreen), driven
  through the tab's controller and redrawn, the figure the issue measured ("the whole process").

The reference on the same run is each case's own process just before its first iteration (all
imports done, the session or window built): ``*.before_mb``. ``*.peak_mb`` is the whole process's
peak and must stay below ``LIMIT_MB``; ``*.history_mb`` is the growth the 10^6 iterations cost.
Prints ``bench: <name> = <value> <unit>`` lines (SPEC section 7); exits 1 when a peak is over.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

N = 1_000_000
LIMIT_MB = 300.0
CASES = ("engine.descent1d", "engine.network", "gui.descent1d", "gui.network")


def peak_mb() -> float:
    """The process's peak resident memory so far, in MB (2^20 bytes)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def quartic_session(n: int):
    """The lecture quartic under gd at lr 1e-7: it crawls, so 10^6 iterations never converge."""
    from engine.descent import DescentSession
    from engine.functions import preset
    from engine.optimizers import make_spec

    objective = preset("lecture_quartic")
    return DescentSession(objective, objective.default_start, make_spec("gd", lr=1e-7),
                          tol=1e-300, max_iter=n)


def network_session():
    """The lecture-backprop scenario with tolerance 0, so the run never stops on its own."""
    from engine import presets
    from engine.scenario import load_scenario
    from engine.scenario_builders import training_arrays
    from engine.training import TrainingSession

    scenario = load_scenario(presets.resolve("lecture-backprop"))
    network, X, Y = training_arrays(scenario)
    return TrainingSession(network, X, Y, scenario.loss, scenario.training, scenario.optimizer,
                           tol=0.0, seed=scenario.seed)


def run_engine(case: str) -> tuple[float, float, int]:
    """Build the case's session, note the peak, run 10^6 iterations and read what a plot reads."""
    if case == "engine.descent1d":
        session = quartic_session(N)
        before = peak_mb()
        session.step(N)
        session.path(), session.values()
        done = session.cursor
    else:
        session = network_session()
        before = peak_mb()
        done = session.run(N)
        session.losses()
    return before, peak_mb(), done


def run_gui(case: str) -> tuple[float, float, int]:
    """The same run inside the real window: the tab's controller steps, the window redraws."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import tempfile

    from PySide6.QtCore import QSettings, QStandardPaths
    from PySide6.QtWidgets import QApplication

    QStandardPaths.setTestModeEnabled(True)
    from gui.app import create_application
    from engine.optimizers import make_spec
    from gui.window.main_window import MainWindow

    app = create_application()
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(None, settings=settings)
        window.resize(1280, 800)
        window.show()
        kind = "function1d" if case == "gui.descent1d" else "network"
        ws = window.workspace_for_kind(kind)
        window.tabs.setCurrentWidget(ws)
        c = ws.controller
        if kind == "network":
            c.session = network_session()
            c.session_reset.emit()
        else:
            c.specs = [make_spec("gd", lr=1e-7)]
            c.tol, c.max_iter = 1e-300, N
            c._rebuild(objective_changed=True)
        for _ in range(3):
            app.processEvents()
        before = peak_mb()
        # in chunks, as Run mode does, with a redraw after each
        for _ in range(10):
            if kind == "network":
                c.run_iterations(N // 10)
            else:
                c.step(N // 10)
            app.processEvents()
        done = c.cursor
        for _ in range(3):
            app.processEvents()
        after = peak_mb()
        window.close()
        QApplication.processEvents()
    return before, after, done


def child(case: str) -> int:
    start = time.perf_counter()
    before, after, done = (run_gui if case.startswith("gui.") else run_engine)(case)
    print(f"{before:.1f} {after:.1f} {done} {time.perf_counter() - start:.1f}", flush=True)
    return 0


def emit(name: str, value: float, unit: str) -> None:
    print(f"bench: {name} = {value:.4g} {unit}", flush=True)


def main(argv: list[str]) -> int:
    if len(argv) >= 2 and argv[0] == "--case":
        return child(argv[1])
    cases = [c for c in CASES if not argv or any(a in c for a in argv)]
    over = []
    for case in cases:
        result = subprocess.run([sys.executable, __file__, "--case", case], cwd=ROOT,
                                capture_output=True, text=True)
        lines = result.stdout.strip().splitlines()
        if result.returncode != 0 or not lines:
            print(f"bench: memory.{case} = failed (exit {result.returncode})", flush=True)
            sys.stderr.write(result.stderr[-2000:])
            over.append(case)
            continue
        before, after, done, seconds = lines[-1].split()
        emit(f"memory.{case}.iterations", int(done), "it")
        emit(f"memory.{case}.before_mb", float(before), "MB")
        emit(f"memory.{case}.peak_mb", float(after), "MB")
        emit(f"memory.{case}.history_mb", float(after) - float(before), "MB")
        emit(f"memory.{case}.run_s", float(seconds), "s")
        if float(after) >= LIMIT_MB or int(done) < N:
            over.append(case)
    emit("memory.limit_mb", LIMIT_MB, "MB")
    if over:
        print(f"over {LIMIT_MB:.0f} MB or short of {N} iterations: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
