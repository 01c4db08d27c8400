"""The network view for wide layers (SPEC 1.6): a 64-16-10 and a 784-16-10 softmax network drawn as
matrices and strips of cells, every parameter selected by a click on its cell, hover texts and
strips holding the engine's numbers, and a few dozen scene items whatever the parameter count."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore, QtGui
from PySide6.QtTest import QTest

from engine.backprop import backward
from engine.network import parse_param_name
from engine.numbers import format_number
from engine.scenario import build_network, training_arrays
from gui.network.parameter_table import html_name
from tests.gui.wide_networks import wide_scenario

#: Parameters clicked through the whole window: the corners and an inner cell of each matrix, the
#: ends and the middle of each bias strip.
CLICKED = ("w(1)[1,1]", "w(1)[16,64]", "w(1)[1,64]", "w(1)[16,1]", "w(1)[7,33]", "w(2)[1,1]", "w(2)[10,16]",
           "w(2)[4,9]", "b(1)[1]", "b(1)[16]", "b(1)[8]", "b(2)[1]", "b(2)[10]", "b(2)[5]")


def plain(html: str) -> str:
    return QtGui.QTextDocumentFragment.fromHtml(html).toPlainText()


def load(qtbot, ws, scenario, phases: int = 0):
    ws.load_scenario(scenario)
    for _ in range(phases):
        qtbot.mouseClick(ws.steps.buttons["phase"], QtCore.Qt.MouseButton.LeftButton)
    return ws.controller.session


def click_at(qtbot, view, scene: QtCore.QPointF) -> None:
    QTest.mouseClick(view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=view.mapFromScene(scene))
    qtbot.wait(5)


def hover(view, scene: QtCore.QPointF) -> str:
    """Move the pointer over ``scene`` as a person would; the plain text the view shows there."""
    QTest.mouseMove(view.viewport(), view.mapFromScene(scene))
    return plain(view.compact.hover_text)


@pytest.fixture
def digits_like(qtbot, network_ws):
    """The window's network tab with a 64-16-10 network on 100 synthetic 8x8 images, stepped through
    observation 1 and observation 2's backward pass into layer 2 (9 phases)."""
    scenario = wide_scenario(side=8, n=100)
    session = load(qtbot, network_ws, scenario, phases=9)
    assert session.network.sizes == (64, 16, 10) and session.network.n_params == 1210
    return network_ws, scenario


def test_every_parameter_of_a_64_16_10_network_has_a_cell_a_click_selects(qtbot, digits_like):
    ws, _ = digits_like
    view = ws.view
    assert view.compact.active and len(view.edge_widths()) == 0
    names = ws.controller.session.param_names
    hit = []
    for name in names:
        # the pixel a click at the cell's centre lands on, as the mouse would deliver it
        pixel = view.mapFromScene(view.scene_point_of(name))
        hit.append(view.parameter_at(view.mapToScene(pixel)))
    assert hit == names
    # any cell of a node's value strips selects its bias too
    for kind in ("z", "a", "delta"):
        assert view.parameter_at(view.compact.scene_point_of_cell(kind, 1, 4)) == "b(1)[5]"
    assert view.parameter_at(view.compact.scene_point_of_cell("x", 0, 3)) is None  # an input has no parameter


def test_clicked_cells_are_explained_by_the_chain_rule_and_the_parameter_table(qtbot, digits_like):
    ws, scenario = digits_like
    view = ws.view
    s = ws.controller.session
    net, X, Y = training_arrays(scenario)
    rec = backward(net, X, Y, "cross_entropy")  # the iteration's pass, computed here from the scenario
    obs = ws.explanations.explained_observation()
    assert obs == 1  # observation 2's backward pass is under way
    # the observation's 64 inputs are summed up in one line, its 10 one-hot targets written out
    heading = ws.chain.heading.text()
    assert f"x = ({format_number(X[1, 0])}, " in heading and "(64 values)" in heading
    assert "y = (" + ", ".join("1" if k == 1 else "0" for k in range(10)) + ")" in heading
    for name in CLICKED:
        click_at(qtbot, view, view.scene_point_of(name))
        assert ws.selected == name and view.selected() == name
        assert html_name(name) in ws.explanations.selected_label.text()
        assert html_name(name) in ws.chain.formula_text()
        idx = net.param_index(name)
        # the chain rule's product is this observation's gradient entry
        assert ws.chain.result() == pytest.approx(rec.per_obs_grad[obs, idx], rel=1e-9, abs=1e-15)
        assert np.prod(ws.chain.factor_values()) == pytest.approx(ws.chain.result(), rel=1e-9, abs=1e-15)
        row = ws.params.currentRow()
        assert ws.params.names()[row] == name
        assert ws.params.shown_value(name) == format_number(net.theta()[idx])
        assert ws.nudge.table.currentRow() == s.param_names.index(name) + 1
        assert ws.nudge.sensitivity(1, name) == pytest.approx(rec.sensitivities[0, 0, idx], rel=1e-9, abs=1e-15)
        # the selection's frame is drawn round the cell
        assert view.compact.selection.isVisible()
        assert view.compact.selection.sceneBoundingRect().contains(view.scene_point_of(name))
        # and round the nodes it joins: node j of its layer, for a weight also node k of the layer before
        ref = parse_param_name(name)
        xs, ys = view.compact.joined.getData()
        corners = set(zip(np.round(xs, 9), np.round(ys, 9)))
        rows = [(ref.layer, ref.j - 1)] + ([(ref.layer - 1, ref.k - 1)] if ref.kind == "w" else [])
        for l, j in rows:
            block = view.compact.layout.block("x" if l == 0 else "b", l)
            x, y, _, _ = block.cell_rect(j, 0)
            assert (round(x, 9), round(y, 9)) in corners, (name, l, j)
        assert len(xs) == 8 * len(rows)
    # a click on a node's z cell selects its bias, as a click on a node does
    click_at(qtbot, view, view.compact.scene_point_of_cell("z", 2, 6))
    assert ws.selected == "b(2)[7]"
    assert ws.chain.factor_values()[-1] == 1.0  # dz/db = 1


def test_double_click_on_a_cell_edits_that_weight(qtbot, digits_like):
    ws, _ = digits_like
    view = ws.view
    pos = view.mapFromScene(view.scene_point_of("w(2)[3,5]"))
    QTest.mouseDClick(view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=pos)
    editor = view._editor
    assert editor is not None and editor.isVisible()
    assert float(editor.text()) == ws.controller.session.network.param("w(2)[3,5]")
    editor.setText("0.75")
    QTest.keyClick(editor, QtCore.Qt.Key.Key_Return)
    assert ws.controller.session.network_at().param("w(2)[3,5]") == 0.75
    assert view.current_value("w(2)[3,5]") == 0.75


def test_hover_texts_and_strips_hold_the_engines_numbers(qtbot, digits_like):
    ws, scenario = digits_like
    view = ws.view
    s = ws.controller.session
    part = s.partial()
    i = int(np.flatnonzero(part.rows == 1)[0])  # observation 2, whose backward pass is under way
    net = build_network(scenario)
    X, _ = training_arrays(scenario)[1:]
    W2 = net.layers[1].W
    grad = net.split_params(part.gradient)
    text = hover(view, view.scene_point_of("w(2)[3,7]"))
    assert f"w(2)[3,7] = {format_number(W2[2, 6])}" in text
    assert f"∂R/∂w so far = {format_number(grad[0][1][2, 6])}" in text
    # the pointer moving quickly along a row of w(1): every cell it rests on names itself
    W1 = net.layers[0].W
    for k in range(1, 7):
        text = hover(view, view.scene_point_of(f"w(1)[2,{k}]"))
        assert text.startswith(f"w(1)[2,{k}] = {format_number(W1[1, k - 1])}")
    text = hover(view, view.compact.scene_point_of_cell("a", 1, 4))
    assert f"b(1)[5] = {format_number(net.layers[0].b[4])}" in text
    z1 = X[1] @ net.layers[0].W.T + net.layers[0].b  # layer 1 of observation 2, by hand
    assert f"z(1)5 = {format_number(z1[4])}" in text and f"a(1)5 = {format_number(np.tanh(z1[4]))}" in text
    assert text.rstrip().endswith("δ(1)5 =")  # the backward pass has not reached layer 1 yet
    text = hover(view, view.compact.scene_point_of_cell("delta", 2, 2))
    assert f"δ(2)3 = {format_number(part.delta(i, 2)[2])}" in text
    assert f"x4 = {format_number(X[1, 3])}" in hover(view, view.compact.scene_point_of_cell("x", 0, 3))
    # what the strips and the matrices draw (node 1 at the top, so the image's rows run upwards)
    images = view.compact.images
    np.testing.assert_allclose(images[("z", 1)].image[::-1, 0], z1, rtol=1e-12)
    np.testing.assert_allclose(images[("a", 1)].image[::-1, 0], np.tanh(z1), rtol=1e-12)
    np.testing.assert_allclose(images[("w", 2)].image[::-1], np.abs(grad[0][1]), rtol=1e-12)  # backward: |∂R/∂w|
    np.testing.assert_allclose(images[("x", 0)].image[::-1, 0], X[1])
    assert not images[("delta", 1)].isVisible() and images[("delta", 2)].isVisible()
    assert view.colorbar.isVisible()
    # after the update the matrices show the weights again, blue for w > 0
    qtbot.mouseClick(ws.steps.buttons["iteration"], QtCore.Qt.MouseButton.LeftButton)
    W1 = ws.controller.session.network_at().layers[0].W
    np.testing.assert_allclose(images[("w", 1)].image[::-1], W1)
    assert not view.colorbar.isVisible()


def test_a_784_16_10_network_draws_as_a_few_images(qtbot, network_ws):
    ws = network_ws
    view = ws.view
    before = len(view.scene().items())
    s = load(qtbot, ws, wide_scenario(side=28, n=40), phases=4)
    assert s.network.sizes == (784, 16, 10) and s.network.n_params == 12730
    qtbot.wait(20)
    items = view.scene().items()
    assert len(items) < 100, len(items)
    assert len(items) < before + 60
    assert view.compact.images[("w", 1)].image.shape == (16, 784)
    assert view.compact.images[("x", 0)].image.shape == (784, 1)
    # a bias strip is still a click away
    click_at(qtbot, view, view.scene_point_of("b(1)[9]"))
    assert ws.selected == "b(1)[9]"
    assert view.parameter_at(view.scene_point_of("w(1)[16,784]")) == "w(1)[16,784]"


def test_up_to_eight_nodes_a_layer_the_view_keeps_nodes_and_edges(qtbot, network_ws):
    ws = network_ws
    view = ws.view
    ws.editor.units[0].setValue(8)
    qtbot.waitUntil(lambda: ws.controller.network.sizes == (2, 8, 1), timeout=5000)
    assert not view.compact.active
    assert len(view.edge_widths()) == 2 * 8 + 8 and len(view.node_positions()) == 11
    ws.editor.units[0].setValue(9)
    qtbot.waitUntil(lambda: ws.controller.network.sizes == (2, 9, 1), timeout=5000)
    assert view.compact.active and len(view.edge_widths()) == 0
    assert len(view.node_positions()) == 12
    assert view.parameter_at(view.scene_point_of("w(1)[9,2]")) == "w(1)[9,2]"
    ws.editor.units[0].setValue(8)
    qtbot.waitUntil(lambda: ws.controller.network.sizes == (2, 8, 1), timeout=5000)
    assert not view.compact.active and view.compact.images == {}
    assert len(view.edge_widths()) == 24


def test_images_tab_shows_the_observation_and_each_hidden_nodes_weights(qtbot, digits_like):
    ws, scenario = digits_like
    tabs = ws.view_tabs
    panel = ws.images
    index = tabs.indexOf(panel)
    assert tabs.isTabVisible(index)
    tabs.setCurrentIndex(index)
    qtbot.waitUntil(panel.isVisible, timeout=2000)
    qtbot.wait(50)  # laid out
    X = training_arrays(scenario)[1]
    W1 = build_network(scenario).layers[0].W
    # observation 2 (its backward pass is under way) as an 8x8 picture, row by row
    np.testing.assert_array_equal(panel.observation.image, X[1].reshape(8, 8))
    assert panel.obs_title.text.startswith("Observation 2")
    # node 6's weights are the second tile of the grid's second row (4 tiles a row, 1 pixel apart)
    np.testing.assert_array_equal(panel.weights.image[9:17, 9:17], W1[5].reshape(8, 8))
    assert np.isnan(panel.weights.image[8, :]).all()
    # a click on the pixel in row 3, column 5 of node 6's tile selects w(1)[6,21]
    scene = panel.scene_point_of(5, 2 * 8 + 4)
    QTest.mouseMove(panel.plot.viewport(), panel.plot.mapFromScene(scene))
    QTest.mouseClick(panel.plot.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=panel.plot.mapFromScene(scene))
    assert ws.selected == "w(1)[6,21]"
    assert ws.params.names()[ws.params.currentRow()] == "w(1)[6,21]"
    assert html_name("w(1)[6,21]") in ws.chain.formula_text()
    assert panel.hover.text().startswith(f"w(1)[6,21] = {format_number(W1[5, 20])}")
    assert panel.tile_frame.isVisible()
    # the lecture's two inputs make no picture: no tab
    ws.controller.use_lecture()
    assert not tabs.isTabVisible(index)


def test_frozen_parameters_are_crossed_and_text_follows_the_text_size(qtbot, digits_like):
    ws, _ = digits_like
    view = ws.view
    ws.controller.set_frozen("w(2)[4,9]", True)
    ws.controller.set_frozen("b(1)[3]", True)
    pts = np.column_stack(view.compact.frozen.getData())
    want = [view.compact.layout.block("w", 2).cell_centre(3, 8), view.compact.layout.block("b", 1).cell_centre(2, 0)]
    assert sorted(map(tuple, pts.round(9))) == sorted(map(tuple, np.round(want, 9)))
    ws.window().set_font_size(17)  # View > Bigger font, from the base size 13
    titles = [item.textItem.toHtml() for item, _ in view.compact._titles]
    assert len(titles) == 1 + 5 * 2 + 3  # the blocks', and the layers' names
    assert all(f"font-size:{10 * 17 / 13:.1f}pt" in t for t in titles)


def test_gradient_check_covers_a_clicked_cells_parameter(qtbot, digits_like):
    ws, scenario = digits_like
    view = ws.view
    click_at(qtbot, view, view.scene_point_of("w(1)[9,40]"))
    ws.tables.setCurrentIndex(2)  # the "Gradient check" tab
    qtbot.waitUntil(lambda: ws.fd.max_error is not None, timeout=20_000)
    assert ws.fd.table.rowCount() == 1210
    names = [ws.fd.table.item(r, 0).text() for r in range(1210)]
    row = names.index("w(1)[9,40]")
    net, X, Y = training_arrays(scenario)
    rec = backward(net, X, Y, "cross_entropy")
    idx = net.param_index("w(1)[9,40]")
    assert ws.fd.table.item(row, 1).text() == format_number(rec.gradient[idx], 6)
    assert ws.params.shown_gradient("w(1)[9,40]") == format_number(rec.gradient[idx])
    assert ws.fd.max_error < 1e-4
