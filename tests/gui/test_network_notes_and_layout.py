"""Copying the explanation for lecture notes, and where the network view and its plots put things:
labels clear of nodes and above edges, the loss plot's first point drawn whole, the landscape
given room, nothing cut off at a 1280x800 projector.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtGui

from engine.notes import explanation_notes
from gui.network.view import Z_EDGES, Z_LABELS, Z_NODES


def copy_as(qtbot, ws, label: str) -> str:
    """Choose ``label`` in the "Copy as ▾" menu (the button opens its menu on a click; the menu's
    own event loop would block the test, so the action is triggered as the menu would)."""
    QtGui.QGuiApplication.clipboard().clear()
    actions = {a.text(): a for a in ws.copy_button.menu().actions()}
    assert set(actions) == {"Markdown", "LaTeX", "Plain text"}
    actions[label].trigger()
    qtbot.wait(5)
    return QtGui.QGuiApplication.clipboard().text()


def test_copy_as_markdown_puts_the_lecture_numbers_on_the_clipboard(qtbot, network_ws):
    ws = network_ws
    assert ws.copy_button.text() == "Copy as ▾"
    assert ws.tables.cornerWidget(QtCore.Qt.Corner.TopRightCorner) is ws.copy_button
    text = copy_as(qtbot, ws, "Markdown")
    assert "0.8095" in text and "0.3905" in text
    assert text.startswith("## w(1)[1,1], observation 1: x = (3, -2), y = 1.2")
    # the chain rule of w(1)[1,1] and its value, then the nudge table as a Markdown table
    assert "| dR/da(2)_1 | -2(y - a) = -2(1.2 - 0.8095) | -0.7810 |" in text
    assert "| dR_1/dw(1)[1,1] | product of the factors | -0.3506 |" in text
    assert "dR/dw(1)[1,1] = -0.4042" in text
    row = next(line for line in text.splitlines() if line.startswith("| b(1)[2] |"))
    assert row.split("|")[2].strip() == "0.04700"  # SPEC: 0.047, the printed lecture's 0.045 corrected
    assert "0.311" in text  # the note on the printed lecture's slips comes along
    assert ws.copy_button.text() == "Copied ✓"
    qtbot.waitUntil(lambda: ws.copy_button.text() == "Copy as ▾", timeout=3000)


def test_copy_follows_selection_observation_and_format(qtbot, network_ws):
    ws = network_ws
    ws.select_parameter("b(2)[1]")
    ws.observation.setValue(2)
    latex = copy_as(qtbot, ws, "LaTeX")
    assert latex.startswith(r"\subsection*{b(2)[1], observation 2")
    assert r"\begin{tabular}" in latex and "$0.3653$" in latex  # dR_2/db(2)[1] = -2(0.7 - 0.8827)
    plain = copy_as(qtbot, ws, "Plain text")
    assert "|" not in plain.splitlines()[0] and "-0.1827" in plain and "0.3653" in plain


def test_copy_after_an_iteration_explains_the_current_parameters(qtbot, network_ws):
    ws = network_ws
    ws.controller.step_granularity("iteration")
    text = copy_as(qtbot, ws, "Markdown")
    s = ws.controller.session
    assert s.cursor[0] == 1
    assert "0.3905" not in text  # the residual has moved on from iteration 0's
    grad = s.record().gradient[s.network.param_index("w(1)[1,1]")]
    assert f"dR/dw(1)[1,1] = {grad:.4g}" in text or f"dR/dw(1)[1,1] = {grad:.4f}" in text


def test_notes_refuse_unknown_names_observations_and_formats():
    from engine.data import lecture_data
    from engine.network import lecture_network

    d = lecture_data()
    with pytest.raises(ValueError, match="w\\(9\\)\\[1,1\\]"):
        explanation_notes(lecture_network(), d.inputs, d.targets, "sse", "w(9)[1,1]", 0)
    with pytest.raises(ValueError, match="observation 3: the data have observations 1 to 2"):
        explanation_notes(lecture_network(), d.inputs, d.targets, "sse", "w(1)[1,1]", 2)
    with pytest.raises(ValueError, match="'html'"):
        explanation_notes(lecture_network(), d.inputs, d.targets, "sse", "w(1)[1,1]", 0, "html")


def _scene_rect(view, label):
    return label.mapRectToScene(label.boundingRect())


def _node_scene_centres(view):
    return [view.viewbox.mapViewToScene(QtCore.QPointF(*p)) for p in view.node_positions()]


def test_labels_are_drawn_above_edges_and_nodes(qtbot, network_ws):
    view = network_ws.view
    assert Z_EDGES < Z_NODES < Z_LABELS
    assert view.edges.zValue() == Z_EDGES and view.nodes.zValue() == Z_NODES
    assert view._labels and all(label.zValue() == Z_LABELS for label in view._labels)


def _phases_shown(qtbot, window, ws, size):
    window.resize(*size)
    for _ in range(5):
        ws.controller.step_granularity("phase")
    qtbot.wait(50)


# at 1280x800 the caption under the network leaves the inputs room on their left; an XGA projector
# (1024x768) is narrow enough for them to go above
@pytest.mark.parametrize("size, place", [((1920, 1080), "left"), ((1024, 768), "above")])
def test_input_labels_clear_their_node_and_others_sit_below(qtbot, window, network_ws, size, place):
    _phases_shown(qtbot, window, network_ws, size)
    view = network_ws.view
    r = view._node_px / 2
    for (l, _), label, centre in zip(view._node_index, view._labels, _node_scene_centres(view)):
        rect = _scene_rect(view, label)
        if l == 0:
            # left of the node where there is room (its edges leave to the right), else above it
            assert label.place == place
            if place == "left":
                assert rect.right() <= centre.x() - r + 1 and abs(rect.center().y() - centre.y()) < 2
            else:
                assert rect.bottom() <= centre.y() - r + 1 and abs(rect.center().x() - centre.x()) < 2
        else:
            assert label.place == "below"
            assert rect.top() >= centre.y() + r - 1  # below the node: the circle stays whole
            assert abs(rect.center().x() - centre.x()) < 2


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800)])
def test_no_label_covers_another_label_or_node(qtbot, window, network_ws, size):
    _phases_shown(qtbot, window, network_ws, size)
    view = network_ws.view
    r = view._node_px / 2
    rects = [_scene_rect(view, label) for label in view._labels]
    nodes = [QtCore.QRectF(c.x() - r, c.y() - r, 2 * r, 2 * r) for c in _node_scene_centres(view)]
    for i, a in enumerate(rects):
        for j, b in enumerate(rects):
            if i < j:
                assert not a.intersects(b), (view._labels[i].toPlainText(), view._labels[j].toPlainText())
        for j, node in enumerate(nodes):
            if j != i:
                assert not a.intersects(node), (view._labels[i].toPlainText(), view._node_index[j])
    # the text stays large enough to read from the back of a room
    assert min(label.scale() for label in view._labels) >= 0.8


@pytest.mark.parametrize("size", [(1920, 1080), (1280, 800)])
def test_every_node_label_and_caption_fits_inside_the_view(qtbot, window, network_ws, size):
    _phases_shown(qtbot, window, network_ws, size)
    view = network_ws.view
    box = view.viewbox.mapRectToScene(view.viewbox.boundingRect())
    for label in view._labels:
        rect = _scene_rect(view, label)
        assert box.adjusted(-1, -1, 1, 1).contains(rect), (label.toPlainText(), rect, box)
    # the caption and the legend are not wider than the view, and the colour bar is inside it
    scene_width = view.width()
    for item in (view.caption, view.colorbar_title):
        assert item.item.mapRectToScene(item.item.boundingRect()).right() <= scene_width + 1
    bar = view.colorbar.mapRectToScene(view.colorbar.boundingRect())
    assert view.colorbar.isVisible() and bar.right() <= scene_width + 1


def test_loss_plot_keeps_room_around_the_first_point(qtbot, network_ws):
    plot = network_ws.loss_plot
    (x0, x1), (y0, y1) = plot.getPlotItem().viewRange()
    assert x0 < 0 < x1  # the marker at iteration 0 is drawn whole, not cut in half at the edge
    width_px = plot.getPlotItem().getViewBox().width()
    assert (0 - x0) / (x1 - x0) * width_px >= 6  # at least the marker's radius
    loss0 = network_ws.controller.losses()[0]
    height_px = plot.getPlotItem().getViewBox().height()
    assert y0 < loss0 < y1 and (y1 - loss0) / (y1 - y0) * height_px >= 6


def test_loss_plot_range_still_grows_in_steps(qtbot, network_ws):
    ws = network_ws
    ws.controller.run_iterations(30)
    (x0, x1), _ = ws.loss_plot.getPlotItem().viewRange()
    assert x1 == pytest.approx(45.0) and x0 == pytest.approx(-0.04 * 45.0)
    ws.controller.run_iterations(5)  # 35 iterations: inside the range, which stays put
    (x0b, x1b), _ = ws.loss_plot.getPlotItem().viewRange()
    assert (x0b, x1b) == (x0, x1)


def test_landscape_has_no_title_line_and_readable_choosers(qtbot, window, network_ws):
    window.resize(1280, 800)
    qtbot.wait(50)
    land = network_ws.landscape
    assert land.plot.getPlotItem().titleLabel.text == ""  # the caption sits beside the choosers
    for box in (land.param_x, land.param_y):
        assert box.currentText() in ("w(1)[1,1]", "w(1)[1,2]")
    plot_h = land.plot.getPlotItem().getViewBox().height()
    assert plot_h >= 60, plot_h


def test_tabs_and_copy_button_fit_at_1280(qtbot, window, network_ws):
    window.resize(1280, 800)
    qtbot.wait(50)
    tabs = network_ws.tables
    bar = tabs.tabBar()
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Nudge table", "Factors", "Gradient check"]
    right = max(bar.tabRect(i).right() for i in range(bar.count()))
    assert right < network_ws.copy_button.geometry().left() + 2
    assert np.all([bar.tabRect(i).width() >= bar.fontMetrics().horizontalAdvance(tabs.tabText(i))
                   for i in range(bar.count())])  # nothing elided
