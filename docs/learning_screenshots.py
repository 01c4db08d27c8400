"""Renders the learning-by-doing screenshots in docs/ at 1280x800 (offscreen, ``make screenshots``):
the lecture tour, predict-then-reveal, the practice window and the chain-rule graph."""

import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings

from gui.app import create_application

app = create_application()

from gui.window.main_window import MainWindow  # noqa: E402

DOCS = Path(__file__).resolve().parent


def settle() -> None:
    for _ in range(30):
        app.processEvents()


def window() -> MainWindow:
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat)
    w = MainWindow(None, settings=settings, autosave=False)
    w.resize(1280, 800)
    w.show()
    settle()
    return w


def close(w: MainWindow) -> None:
    for ws in w.workspaces:
        ws.mark_clean()
    w.close()
    w.deleteLater()
    settle()


def tour() -> None:
    w = window()
    w.tour.action.trigger()
    w.tour.go(5)  # the nudge argument at layer 2
    settle()
    w.grab().save(str(DOCS / "tour.png"))
    close(w)


def predict() -> None:
    w = window()
    w.predict.show()
    c = w.current_workspace.controller
    for _ in range(4):
        c.step_granularity("phase")
    w.current_workspace.select_parameter("w(1)[1,1]")
    w.predict.fields[0].setText("-0.2226")  # sigma(z) where sigma'(z) belongs
    w.predict.check(1)
    w.predict.fields[1].setText("-0.0367")
    w.predict.check(2)
    settle()
    w.grab().save(str(DOCS / "predict.png"))
    close(w)


def practice() -> None:
    w = window()
    p = w.practice.show()
    p.resize(1280, 800)
    p.seed.setValue(3)
    rows = p.rows
    rows[0].field.setText("-0.569")
    p.check(1)
    rows[1].field.setText("-0.51")
    p.check(2)
    for i, r in enumerate(rows, 1):
        if r.question.kind == "gradient":  # a sign slip, named
            r.field.setText(f"{-r.question.answer:.3g}")
            p.check(i)
            break
    for i, r in enumerate(rows, 1):
        if r.question.kind == "loss":  # a near miss
            r.field.setText(f"{r.question.answer * 1.01:.4g}")
            p.check(i)
            break
    settle()
    p.grab().save(str(DOCS / "practice.png"))
    p.close()
    close(w)


def graph() -> None:
    w = window()
    ws = w.current_workspace
    for _ in range(5):
        ws.controller.step_granularity("phase")
    ws.select_parameter("w(1)[1,1]")
    ws.view_tabs.setCurrentIndex(1)
    settle()
    ws.graph.light(ws.graph.factor_labels[1].edges)
    settle()
    w.grab().save(str(DOCS / "chain-graph.png"))
    close(w)


for shot in (tour, predict, practice, graph):
    shot()
sys.exit(0)
