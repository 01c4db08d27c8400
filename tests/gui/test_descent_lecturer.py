"""What a lecturer meets preparing a class: schedules that show, log losses, runs that leave the plot,
a table that follows the current iterate, status sentences that are not cut off."""

import numpy as np
import pytest
from PySide6.QtCore import QRect, Qt

from tests.gui.conftest import click_view, select_workspace
from tests.gui.test_descent1d import type_number


def choose(combo, data):
    index = combo.findData(data)
    assert index >= 0
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def click_step(qtbot, window, times=1):
    for _ in range(times):
        qtbot.mouseClick(window.step_controls.buttons["step"], Qt.MouseButton.LeftButton)


def note_inside_view(plot_item, note):
    (x0, x1), (y0, y1) = plot_item.vb.viewRange()
    pos = note.text.pos()
    return x0 <= pos.x() <= x1 and y0 <= pos.y() <= y1


def test_picking_the_decay_schedule_gives_a_decay_that_shows(window, ws1, qtbot):
    panel, c = ws1.panel, ws1.controller
    choose(panel.schedule_combo, "decay")
    # With k = 0 "decay" would step exactly like "constant".
    assert c.specs[0].schedule == "decay" and c.specs[0].decay_k == pytest.approx(0.1)
    assert not panel.decay_box.isHidden() and panel.decay_box.value() == pytest.approx(0.1)
    click_step(qtbot, window, 3)
    assert c.sessions[0].history[3].lr == pytest.approx(0.01 / (1 + 0.1 * 2))
    type_number(qtbot, panel.decay_box, "0")
    assert c.specs[0].decay_k == 0.0, "a k the person types, even 0, is kept"


def test_rosenbrock_loss_switches_to_log_and_the_switch_shows_it(window, ws2, qtbot):
    c = ws2.controller
    choose(ws2.panel.preset_combo, "rosenbrock")
    assert not ws2.loss.log and not ws2.log_check.isChecked()
    click_step(qtbot, window, 4)  # lr 0.01 diverges: f reaches ~1e35
    values = c.sessions[0].values()
    assert values.max() / values.min() > 1e3
    assert ws2.loss.log and ws2.log_check.isChecked()
    _, ys = ws2.loss.curves[0].getData()
    assert np.allclose(ys, np.log10(values))
    lo, hi = ws2.loss.getPlotItem().vb.viewRange()[1]
    assert lo <= ys.min() and ys.max() <= hi
    # The person's choice wins from then on, also after a reset.
    qtbot.mouseClick(ws2.log_check, Qt.MouseButton.LeftButton)
    assert not ws2.loss.log and not ws2.loss.auto_log
    assert np.allclose(ws2.loss.curves[0].getData()[1], values)
    qtbot.mouseClick(window.step_controls.buttons["reset"], Qt.MouseButton.LeftButton)
    click_step(qtbot, window, 4)
    assert not ws2.loss.log and not ws2.log_check.isChecked()


def test_a_loss_within_a_few_decades_stays_linear(window, ws2, qtbot):
    click_step(qtbot, window, 20)
    values = ws2.controller.sessions[0].values()
    assert values.max() / values.min() < 1e3
    assert not ws2.loss.log and not ws2.log_check.isChecked()
    assert np.allclose(ws2.loss.curves[0].getData()[1], values)


def test_view_menu_log_loss_ticks_the_switch(window, ws2):
    window.actions.log_loss.trigger()
    assert ws2.loss.log and ws2.log_check.isChecked()


def test_view_menu_follows_the_loss_plots_own_switch(window, ws2, qtbot):
    assert not window.actions.log_loss.isChecked()
    qtbot.mouseClick(ws2.log_check, Qt.MouseButton.LeftButton)
    assert ws2.loss.log and window.actions.log_loss.isChecked()
    window.tabs.setCurrentWidget(window.workspace_for_kind("function1d"))
    assert not window.actions.log_loss.isChecked(), "the 1-D tab has no log loss axis"
    window.tabs.setCurrentWidget(ws2)
    assert window.actions.log_loss.isChecked()


def test_1d_iterate_that_leaves_the_plot_is_named_at_the_edge(window, ws1, qtbot):
    type_number(qtbot, ws1.panel.hyper_boxes["lr"], "0.03")
    note = ws1.curve.off_note
    click_step(qtbot, window, 4)
    assert not note.text.isVisible()
    click_step(qtbot, window)
    x = ws1.controller.sessions[0].current.x[0]
    f = ws1.controller.sessions[0].current.value
    (_, _), (_, y1) = ws1.curve.getPlotItem().vb.viewRange()
    assert f > y1, "iterate 5 of this run lies above the drawn range"
    text = note.text.toPlainText()
    assert note.text.isVisible() and "iterate 5 is off the plot" in text
    assert f"x = {x:.4g}" in text and f"f = {f:.4g}" in text
    assert text.split("\n")[0][-1] in "↑↗↖"
    assert note_inside_view(ws1.curve.getPlotItem(), note)
    qtbot.mouseClick(window.step_controls.buttons["back"], Qt.MouseButton.LeftButton)
    assert not note.text.isVisible()


def test_2d_diverged_iterate_is_named_at_the_edge_below_the_legend(window, ws2, qtbot):
    choose(ws2.panel.preset_combo, "rosenbrock")
    click_step(qtbot, window, 4)
    note = ws2.contour.paths[0].off_note
    text = note.text.toPlainText()
    assert note.text.isVisible()
    assert text.startswith("iterate 4 is off the plot ↗")
    assert "(x₁, x₂) = (2.537e8, 3.181e5)" in text
    assert note_inside_view(ws2.contour.plot, note)
    legend = ws2.contour.legend.sceneBoundingRect()
    assert not note.text.sceneBoundingRect().intersects(legend)
    qtbot.mouseClick(window.step_controls.buttons["reset"], Qt.MouseButton.LeftButton)
    assert not ws2.contour.paths[0].off_note.text.isVisible()
    assert note.text.scene() is None, "the old path's note left the plot with its path"


def test_table_highlights_and_shows_the_current_row(window, ws1, qtbot):
    table = ws1.table
    type_number(qtbot, ws1.panel.hyper_boxes["lr"], "0.001")  # slow enough for 60 rows
    ws1.controller.step(60)
    rows = table.selectionModel().selectedRows()
    assert [r.row() for r in rows] == [60]
    rect = table.visualRect(table.model().index(60, 1))
    assert table.viewport().rect().contains(rect)
    qtbot.mouseClick(window.step_controls.buttons["back"], Qt.MouseButton.LeftButton)
    assert [r.row() for r in table.selectionModel().selectedRows()] == [59]
    # Steps taken while the 2-D workspace is shown: the table catches up when it is shown again.
    select_workspace(window, "function2d")
    ws1.controller.jump(10)
    select_workspace(window, "function1d")
    assert [r.row() for r in table.selectionModel().selectedRows()] == [10]
    assert table.viewport().rect().intersects(table.visualRect(table.model().index(10, 1)))


def test_table_has_room_for_common_numbers_and_the_plots_come_first(window, ws1):
    table = ws1.table
    window.resize(1280, 800)
    window.show()
    need = table.fontMetrics().horizontalAdvance("-0.08888")
    assert all(table.columnWidth(column) > need for column in range(1, 5))
    assert ws1.curve.width() > 0.6 * table.width(), "the plots are not squeezed by the table"
    window.set_font_size(20)
    need = table.fontMetrics().horizontalAdvance("-0.08888")
    assert all(table.columnWidth(column) > need for column in range(1, 5))


def test_on_a_wide_window_the_table_shows_the_widest_numbers_whole(window, ws1, qtbot):
    table = ws1.table
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.width() == 1600)
    need = table.fontMetrics().horizontalAdvance("-0.0006993")
    assert all(table.columnWidth(column) > need for column in range(1, 5))
    assert table.width() <= table.sizeHint().width() + 2, "the plots get everything else"


def test_a_splitter_dragged_by_hand_stays_where_it_was_put(window, ws1, qtbot):
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.width() == 1600)
    splitter = ws1.splitter
    total = sum(splitter.sizes())
    # far enough that the table is wider than it asks to be (with s_i, f'' and the step columns)
    splitter.moveSplitter(int(0.2 * total), 1)
    splitter.splitterMoved.emit(int(0.2 * total), 1)  # what a drag emits
    wide = ws1.table.width()
    assert wide > ws1.table.sizeHint().width() + 100
    window.resize(1500, 1000)
    qtbot.waitUntil(lambda: window.width() == 1500)
    assert ws1.table.width() >= wide - 110, "the table was not snapped back to its preferred width"


def test_table_cells_carry_their_full_text_as_tooltip(ws1):
    ws1.controller.step(10)
    model = ws1.table.model()
    for column in range(5):
        index = model.index(10, column)
        assert model.data(index, Qt.ItemDataRole.ToolTipRole) == model.data(index)
    assert model.data(model.index(10, 3)) == f"{ws1.controller.sessions[0].history[10].gradient[0]:.4g}".replace("e-0", "e-")


def test_long_status_sentence_wraps_instead_of_being_cut(window, ws2, qtbot):
    choose(ws2.panel.preset_combo, "rosenbrock")
    click_step(qtbot, window, 4)
    label = window.status_label
    assert "try a smaller learning rate" in label.text()
    assert label.wordWrap()
    lines = label.heightForWidth(label.width()) / label.fontMetrics().lineSpacing()
    assert lines <= 2.5 and label.height() >= label.heightForWidth(label.width()) - 2


def test_a_clicked_start_is_rounded_to_four_figures_and_shown_without_padding(ws1, ws2, window, qtbot):
    select_workspace(window, "function1d")
    vb = ws1.curve.getPlotItem().vb
    click_view(qtbot, ws1.curve, vb, -1.3476, float(np.mean(vb.viewRange()[1])))
    x0 = ws1.controller.start[0]
    assert x0 == pytest.approx(-1.3476, abs=0.03)
    assert x0 == round(x0, 3), "a 6-wide view rounds to thousandths"
    text = ws1.panel.start_boxes[0].text()
    assert float(text) == x0 and not text.endswith("0")
    select_workspace(window, "function2d")
    vb = ws2.contour.plot.vb
    click_view(qtbot, ws2.contour, vb, 0.3141, 1.2718)
    assert all(v == round(v, 3) for v in ws2.controller.start)
    assert [box.text() for box in ws2.panel.start_boxes] == [f"{v:g}" for v in ws2.controller.start]
    assert ws1.panel.hyper_boxes["lr"].text() == "0.01"


@pytest.mark.parametrize("value, text", [(-1.0, "-1"), (0.5, "0.5"), (-0.0, "0"), (12.25, "12.25")])
def test_start_box_text(ws1, value, text):
    box = ws1.panel.start_boxes[0]
    assert box.textFromValue(value) == text
    assert box.valueFromText(text) == value


def test_history_slider_keeps_a_usable_length_at_1280(window, ws1, qtbot):
    window.resize(1280, 800)
    qtbot.waitUntil(lambda: window.width() <= 1280 or window.minimumSizeHint().width() > 1280)
    if window.minimumSizeHint().width() > 1280:
        pytest.skip("another workspace forces the window wider than 1280 px")
    ws1.controller.step(30)
    bar = window.step_controls
    assert bar.history_slider.width() >= 120
    assert bar.speed_label.width() >= bar.speed_label.fontMetrics().horizontalAdvance("5000 it/s")


def test_tab_walks_the_side_panel_in_reading_order(window, ws1, qtbot):
    from PySide6.QtWidgets import QApplication

    ws1.panel.preset_combo.setFocus()
    order = []
    for _ in range(14):
        order.append(QApplication.focusWidget().objectName())
        window.focusNextChild()
    expected = ["presetCombo", "formulaEdit", "start_x", "methodCombo", "hyper_lr", "scheduleCombo",
                "derivCombo", "tolerance", "maxIter"]
    assert order[:len(expected)] == expected
    assert "basins" not in order and {"curve1d", "derivative1d", "iterateTable"} <= set(order)
