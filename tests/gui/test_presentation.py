"""View > Presentation mode on a 1280x800 projector (the offscreen screens of ``tests/screens.json``):
F11 enters and Esc leaves, the settings dock hides and comes back, text grows in widgets, plots and
node labels, and what the lecture needs shows whole without scrolling: the chain rule through its
result, every row and column of the nudge table, and the 1-D and 2-D tabs' plots and tables."""

import pytest
from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QCursor, QFontInfo
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget

from gui.common import style

PROJECTOR = (1280, 800)


@pytest.fixture
def projector(window, qtbot):
    """The window on the 1280x800 screen, active so that its shortcuts fire."""
    screen = next((s for s in QApplication.screens() if s.size().toTuple() == PROJECTOR), None)
    if screen is None:
        pytest.skip("no 1280x800 screen on this display (run with the offscreen screens)")
    before = QCursor.pos()
    QCursor.setPos(screen.geometry().center())
    window.setGeometry(QRect(screen.geometry().topLeft() + QPoint(40, 60), QSize(1180, 700)))
    window.activateWindow()
    qtbot.waitActive(window)
    yield window
    QCursor.setPos(before)


def present(qtbot, window) -> None:
    """Press F11 as a lecturer would and wait until the window fills the screen."""
    qtbot.keyClick(window, Qt.Key.Key_F11)
    qtbot.waitUntil(lambda: window.geometry().size().toTuple() == PROJECTOR, timeout=3000)
    QApplication.processEvents()


def inside(widget: QWidget, rect: QRect, viewport: QWidget) -> bool:
    """True when ``rect`` (in ``widget``'s coordinates) lies inside the part of ``viewport`` that
    shows (no parent clips it) and inside the window."""
    top_left = widget.mapTo(viewport, rect.topLeft())
    mapped = QRect(top_left, rect.size())
    window = viewport.window()
    on_screen = QRect(viewport.mapTo(window, QPoint(0, 0)), viewport.size())
    shown = widget.visibleRegion().boundingRect()
    return viewport.rect().contains(mapped) and shown.contains(rect) and window.rect().contains(on_screen)


def backward_pass_done(qtbot, ws) -> None:
    """Observation 1's forward, loss and backward phases, w(1)[1,1] explained."""
    for _ in range(5):
        qtbot.keyClick(ws.window(), Qt.Key.Key_P)
    ws.select_parameter("w(1)[1,1]")
    QApplication.processEvents()


def test_f11_enters_full_screen_without_the_dock_and_esc_restores_the_window(qtbot, projector, network_ws):
    window = projector
    before = window.geometry()
    dock_width = window.settings_dock.width()
    assert window.settings_dock.isVisible()
    present(qtbot, window)
    assert window.isFullScreen()
    assert window.actions.presentation.isChecked()
    assert not window.settings_dock.isVisible()
    assert window.geometry() == window.screen().geometry()
    qtbot.keyClick(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not window.isFullScreen(), timeout=3000)
    assert not window.actions.presentation.isChecked()
    assert window.settings_dock.isVisible()
    try:
        qtbot.waitUntil(lambda: window.geometry() == before, timeout=3000)
    except Exception:
        raise AssertionError((window.geometry(), before))
    assert QApplication.font().pointSize() == style.BASE_POINT_SIZE
    assert window.settings_dock.width() == dock_width
    # the network tab's plots are back in their row below, every one of them shown
    ws = network_ws
    assert all(w.isVisible() and w.height() >= 100 for w in (ws.loss_plot, ws.fit_plot, ws.landscape))
    assert ws.lecture_note.isVisible() and ws.lecture_note.parentWidget() is ws


def test_esc_does_nothing_outside_presentation_mode(qtbot, projector, network_ws):
    qtbot.keyClick(projector, Qt.Key.Key_Escape)
    QApplication.processEvents()
    assert not projector.isFullScreen() and projector.settings_dock.isVisible()


def test_the_view_menu_and_the_shortcut_table_list_presentation_mode(projector):
    from gui.window.actions import shortcut_table

    view_menu = next(a.menu() for a in projector.menuBar().actions() if a.text() == "&View")
    assert projector.actions.presentation in view_menu.actions()
    rows = shortcut_table(projector.actions, projector.workspaces, extra=[projector.view.leave])
    keys = {key: what for key, what, _ in rows}
    assert "presentation mode" in keys["F11"].lower()
    assert "presentation" in keys["Esc"].lower()


def test_text_grows_in_widgets_plot_axes_and_node_labels_and_shrinks_back(qtbot, projector, network_ws):
    ws = network_ws
    bottom = ws.loss_plot.getPlotItem().getAxis("bottom")
    tick_before = bottom.style["tickFont"].pointSize()
    label_scale_before = ws.view._placer.text_scale
    table_before = QFontInfo(ws.nudge.table.font()).pixelSize()
    present(qtbot, projector)
    assert QApplication.font().pointSize() == style.PRESENTATION_POINT_SIZE > style.BASE_POINT_SIZE
    assert QFontInfo(ws.nudge.table.font()).pixelSize() > table_before
    assert bottom.style["tickFont"].pointSize() > tick_before
    assert f"{style.PRESENTATION_POINT_SIZE}pt" in bottom.labelStyle["font-size"]
    assert ws.view._placer.text_scale > label_scale_before
    assert ws.chain.formula.font().pointSize() > style.PRESENTATION_POINT_SIZE
    title = ws.loss_plot.getPlotItem().titleLabel
    assert title.opts["size"] == f"{style.PRESENTATION_POINT_SIZE}pt"
    assert title.item.boundingRect().height() <= title.geometry().height() + 1  # not clipped by its row
    assert ws.view.colorbar.axis.style["tickFont"].pointSize() == style.PRESENTATION_POINT_SIZE - 1
    projector.view.set_presentation(False)
    assert bottom.style["tickFont"].pointSize() == tick_before
    assert ws.view._placer.text_scale == pytest.approx(label_scale_before)


def test_the_whole_nudge_table_and_chain_rule_show_after_the_backward_pass(qtbot, projector, network_ws):
    ws = network_ws
    present(qtbot, projector)
    backward_pass_done(qtbot, ws)
    assert ws.chain.result() == pytest.approx(-0.3506, abs=5e-5)  # the lecture's dR1/dw(1)[1,1]
    table = ws.nudge.table
    assert table.rowCount() == 10 and table.columnCount() == 6  # residual e + 9 parameters; 2 x 2 + sum + -grad R
    for r in range(table.rowCount()):
        for c in range(table.columnCount()):
            rect = table.visualRect(table.model().index(r, c))
            assert inside(table.viewport(), rect, table.viewport()), (r, c, rect, table.viewport().rect())
    header = table.horizontalHeader()
    for c in range(table.columnCount()):
        rect = QRect(header.sectionViewportPosition(c), 0, header.sectionSize(c), header.height())
        assert inside(header.viewport(), rect, header.viewport()), (c, rect)
    assert "0.4042" in table.item(1, 5).text()  # -grad R of w(1)[1,1]: 2 x 0.2021
    # the chain rule's last line (its result) inside the scroll area's viewport
    scroll = ws.explanations.chain_scroll
    label = ws.chain.formula
    assert "0.3506" in label.text()
    assert not scroll.verticalScrollBar().isVisible() or scroll.verticalScrollBar().maximum() == 0
    assert inside(label, label.rect(), scroll.viewport()), (label.geometry(), scroll.viewport().rect())


@pytest.mark.parametrize("kind", ["function1d", "function2d"])
def test_descent_tabs_show_plot_table_and_status_unclipped(qtbot, projector, kind):
    from tests.gui.conftest import select_workspace

    ws = select_workspace(projector, kind)
    present(qtbot, projector)
    for _ in range(5):
        ws.controller.step(1)
    QApplication.processEvents()
    shown = [*ws.plot_widgets(), projector.status_label]
    if hasattr(ws, "table"):
        shown.append(ws.table)
    if not ws.has_step_controls:
        shown.append(projector.step_controls)
    if kind == "function2d":  # the racers' legend and the colour bar's scale grow too
        labels = [label for _, label in ws.contour.legend.items]
        assert labels and all(label.opts["size"] == f"{style.PRESENTATION_POINT_SIZE}pt" for label in labels)
        assert ws.contour.colour_bar.axis.style["tickFont"].pointSize() == style.PRESENTATION_POINT_SIZE - 1
    for widget in shown:
        assert widget.isVisible(), widget.objectName()
        shown = widget.viewport() if isinstance(widget, QAbstractScrollArea) else widget  # plots, tables
        assert inside(shown, shown.rect(), projector), (type(widget).__name__, widget.geometry())
        least = (200, 60) if widget in ws.plot_widgets() else (60, 20)
        assert widget.width() >= least[0] and widget.height() >= least[1], (type(widget).__name__, widget.size())


@pytest.mark.parametrize("screen, points", [((1280, 800), 15), ((1366, 768), 14), ((1024, 700), 13),
                                            ((1920, 1080), 20)])
def test_presentation_text_size_follows_the_screen(screen, points):
    from gui.window.view_mode import presentation_point_size

    # 15 pt on the 1280x800 projector, in proportion to the screen's limiting side elsewhere
    assert presentation_point_size(*screen) == points


def test_esc_in_the_network_s_value_editor_cancels_the_edit_and_stays_in_presentation_mode(
        qtbot, projector, network_ws):
    present(qtbot, projector)
    before = network_ws.controller.session.network.param("w(1)[1,1]")
    editor = network_ws.view.begin_edit("w(1)[1,1]")
    qtbot.waitUntil(editor.hasFocus, timeout=2000)
    qtbot.keyClicks(editor, "9")
    qtbot.keyClick(editor, Qt.Key.Key_Escape)
    assert not editor.isVisible()
    assert projector.view.presenting and projector.isFullScreen()
    assert network_ws.controller.session.network.param("w(1)[1,1]") == before
    qtbot.keyClick(projector, Qt.Key.Key_Escape)  # the next Esc leaves
    qtbot.waitUntil(lambda: not projector.view.presenting, timeout=2000)


@pytest.mark.parametrize("preset", ["xor-classifier", "circles-classifier", "matt-mazur", "sine-regression"])
def test_larger_networks_tables_scroll_rather_than_push_the_window_off_the_projector(qtbot, projector, preset):
    from engine.presets import resolve

    assert projector.open_scenario(str(resolve(preset)), remember=False)
    present(qtbot, projector)
    hint = projector.minimumSizeHint()
    assert hint.width() <= PROJECTOR[0] and hint.height() <= PROJECTOR[1], (preset, hint)
    assert projector.geometry().size().toTuple() == PROJECTOR


def test_after_presentation_mode_the_network_view_fits_its_colour_bar_again(qtbot, projector, network_ws):
    view = network_ws.view
    backward_pass_done(qtbot, network_ws)
    present(qtbot, projector)
    qtbot.keyClick(projector, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not projector.isFullScreen(), timeout=3000)
    qtbot.wait(50)
    bar = view.colorbar.mapRectToScene(view.colorbar.boundingRect())
    assert view.colorbar.isVisible()
    assert bar.right() <= view.width() + 1, (bar, view.width())  # its scale's numbers are not cut off
    assert view.ci.geometry().width() <= view.width() + 1


def test_screenshot_in_presentation_mode_is_the_projector_s_size(tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    out = tmp_path / "presentation.png"
    p = subprocess.run([sys.executable, "main.py", "screenshot", "lecture-backprop", "--steps", "0", "--phases", "5",
                        "--select", "w(1)[1,1]", "--size", "1280x800", "--presentation", "--out", str(out)],
                       cwd=root, capture_output=True, text=True, timeout=120,
                       env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert p.returncode == 0, p.stderr
    data = out.read_bytes()
    assert (int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")) == PROJECTOR


def test_the_settings_keep_the_text_size_chosen_before_presentation_mode(qtbot, projector):
    projector.set_font_size(14)
    present(qtbot, projector)
    assert QApplication.font().pointSize() == style.PRESENTATION_POINT_SIZE
    assert projector.view.remembered_font_size == 14
    projector.close()  # leaves presentation mode first, then writes the settings
    assert projector._settings.value("view/fontSize", type=int) == 14
