"""A diverged run leaves no stale path on the 1-D plot: drawn data stay near the view.

On a real screen, the s = 0.05 divergence run (x ~ 2.6e6, f ~ 1.5e26) left orange segments on
the plot through a new start, Reset and a Newton run: Qt's repaint region of an item that far out
overflows. The offscreen platform cannot show stale pixels, so these tests check the cause: every
drawn coordinate lies within the view enlarged by ``gui.common.clip.MARGIN`` spans, and after the
sequence the plot's items hold what a fresh window's hold. (``benchmarks/real_display.py stale``
compares the screen with the widget's own render under Xvfb.)
"""

from pathlib import Path

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QComboBox

from gui.common.clip import MARGIN, clip_polyline, view_box
from tests.gui.conftest import click_view

DIVERGE = Path(__file__).resolve().parents[2] / "resources" / "scenarios" / "lecture-quartic-diverge.json"
VIEW = ((0.0, 10.0), (0.0, 5.0))


def test_a_path_inside_the_view_is_drawn_unchanged():
    xs, ys = np.array([1.0, 2.0, 3.0]), np.array([1.0, 4.0, 2.0])
    cx, cy = clip_polyline(xs, ys, VIEW)
    assert np.array_equal(cx, xs) and np.array_equal(cy, ys)


def test_a_diverging_segment_is_cut_at_the_box_along_its_own_direction():
    xs, ys = np.array([1.0, 2.0, 2e6, 3e6]), np.array([1.0, 2.0, 1e6, 2e26])
    cx, cy = clip_polyline(xs, ys, VIEW)
    x0, x1, y0, y1 = view_box(VIEW)
    assert np.array_equal(cx[:2], xs[:2]) and np.array_equal(cy[:2], ys[:2])
    assert len(cx) == 3, "the segment leaving the box ends on it; the one beyond is dropped"
    assert cy[2] == pytest.approx(y1) and x0 <= cx[2] <= x1
    slope = (ys[2] - ys[1]) / (xs[2] - xs[1])
    assert (cy[2] - cy[1]) / (cx[2] - cx[1]) == pytest.approx(slope)


def test_a_path_that_leaves_and_comes_back_has_a_gap_outside():
    xs, ys = np.array([1.0, 1e9, 1e9, 2.0]), np.array([1.0, 1.0, 2.0, 2.0])
    cx, cy = clip_polyline(xs, ys, VIEW)
    x0, x1, _, _ = view_box(VIEW)
    assert np.isnan(cx).sum() == 1 and np.nanmax(cx) == pytest.approx(x1)
    assert (cx[0], cy[0]) == (1.0, 1.0) and (cx[-1], cy[-1]) == (2.0, 2.0)


def drawn(plot, skip: tuple = ()) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(kind, x, y) of every visible data item of ``plot``'s plot item (but ``skip``): what it paints."""
    out = []
    for item in plot.getPlotItem().items:
        if not item.isVisible() or item in skip:
            continue
        if isinstance(item, (pg.PlotCurveItem, pg.ScatterPlotItem)):
            x, y = item.getData()
            out.append((type(item).__name__, np.asarray(x, float), np.asarray(y, float)))
        elif isinstance(item, (pg.TextItem, pg.ArrowItem)):
            out.append((type(item).__name__, np.array([item.pos().x()]), np.array([item.pos().y()])))
    return out


def assert_drawn_near_the_view(plot) -> None:
    """Paths, markers, tangent, labels and arrows near the view; the current point is the
    engine's value wherever it is (one symbol far off paints nothing and leaves no trail)."""
    x0, x1, y0, y1 = view_box(plot.viewRange(), MARGIN)
    for kind, x, y in drawn(plot, skip=(plot.current,)):
        x, y = x[np.isfinite(x)], y[np.isfinite(y)]
        assert np.all((x >= x0) & (x <= x1)), f"{kind} draws x up to {np.abs(x).max():.3g}"
        assert np.all((y >= y0) & (y <= y1)), f"{kind} draws y up to {np.abs(y).max():.3g}"


def step(qtbot, window, n: int) -> None:
    for _ in range(n):
        qtbot.mouseClick(window.step_controls.buttons["step"], Qt.MouseButton.LeftButton)


def newton_from(ws1, qtbot, window, start: float | None) -> None:
    """Newton-Raphson chosen in the method box (after a click at ``start`` on the curve), 4 steps."""
    if start is not None:
        vb = ws1.curve.getPlotItem().vb
        click_view(qtbot, ws1.curve, vb, start, float(ws1.controller.objective.value(np.array([start]))))
        window.actions.reset.trigger()
    combo = ws1.panel.findChild(QComboBox, "methodCombo")
    combo.setCurrentIndex(combo.findText("Newton-Raphson"))
    step(qtbot, window, 4)


def test_the_divergence_sequence_leaves_the_plot_as_a_fresh_window_shows_it(window, ws1, qtbot, tmp_path):
    window.resize(1920, 1080)
    assert window.open_scenario(str(DIVERGE), remember=False)
    step(qtbot, window, 8)
    assert float(ws1.controller.sessions[0].current.x[0]) > 1e6, "the premise: the run diverged"
    for plot in (ws1.curve, ws1.derivative):
        assert_drawn_near_the_view(plot)
    newton_from(ws1, qtbot, window, 0.3)
    for plot in (ws1.curve, ws1.derivative):
        assert_drawn_near_the_view(plot)

    from gui.window.main_window import MainWindow

    fresh = MainWindow(None, settings=QSettings(str(tmp_path / "fresh.ini"), QSettings.Format.IniFormat))
    try:
        fresh.resize(1920, 1080)
        fresh.show()
        qtbot.waitExposed(fresh)
        assert fresh.open_scenario(str(DIVERGE), remember=False)
        ws_fresh = fresh.current_workspace
        ws_fresh.controller.set_start(ws1.controller.start)
        newton_from(ws_fresh, qtbot, fresh, None)
        assert ws_fresh.controller.cursor == ws1.controller.cursor == 4
        for ours, theirs in ((ws1.curve, ws_fresh.curve), (ws1.derivative, ws_fresh.derivative)):
            a, b = drawn(ours), drawn(theirs)
            assert [kind for kind, *_ in a] == [kind for kind, *_ in b]
            for (kind, ax, ay), (_, bx, by) in zip(a, b):
                assert np.allclose(ax, bx, equal_nan=True) and np.allclose(ay, by, equal_nan=True), kind
    finally:
        for ws in fresh.workspaces:
            ws.mark_clean()
        fresh.close()
        fresh.deleteLater()
