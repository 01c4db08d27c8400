"""The chain-rule graph tab: a student steps the lecture example and reads the graph."""

import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QEnterEvent
from PySide6.QtWidgets import QApplication

from engine.compute_graph import R_KEY
from gui.network.graph_view import LIT


@pytest.fixture
def net_ws(window, qtbot):
    ws = window.workspace_for_kind("network")
    window.tabs.setCurrentWidget(ws)
    return ws


def show_graph(ws, qtbot, phases, name="w(1)[1,1]"):
    for _ in range(phases):
        ws.controller.step_granularity("phase")
    ws.select_parameter(name)
    ws.view_tabs.setCurrentIndex(1)
    qtbot.waitUntil(lambda: ws.graph.graph is not None)
    return ws.graph


def node_texts(graph):
    return [label.textItem.toPlainText().replace("−", "-") for label in graph.labels]


def test_the_graph_shows_values_adjoints_and_the_selected_parameters_path(net_ws, qtbot):
    graph = show_graph(net_ws, qtbot, 5)
    texts = node_texts(graph)
    assert any(t.startswith("z(1)1") and "-0.1000" in t and "-0.1169" in t for t in texts), texts
    assert any(t.startswith("a(2)1") and "0.8095" in t and "-0.7810" in t for t in texts), texts
    # the path edges of dR/dw(1)[1,1] are drawn in the path colour: five edges, ten points
    assert len(graph.paths.getData()[0]) == 10
    # the factors under the graph, with the lecture's numbers
    factors = [label.text().replace("−", "-") for label in graph.factor_labels]
    assert len(factors) == 4 and "-0.7810" in factors[0] and "0.6" in factors[1]
    assert "0.2494" in factors[2] and factors[3].endswith("= 3")


def test_adjoints_fill_in_right_to_left_during_the_backward_pass(net_ws, qtbot):
    graph = show_graph(net_ws, qtbot, 3)  # forward and loss of observation 1 done
    assert all(n.adjoint is None for n in graph.graph.nodes if n.key[0] in ("z", "a"))
    net_ws.controller.step_granularity("phase")  # backward through layer 2
    assert graph.graph.node(("z", 2, 1)).adjoint is not None
    assert graph.graph.node(("z", 1, 1)).adjoint is None
    assert any("…" in t for t in node_texts(graph))
    net_ws.controller.step_granularity("phase")  # and through layer 1
    assert graph.graph.node(("z", 1, 1)).adjoint == pytest.approx(-0.11686, abs=1e-4)


def test_hovering_a_factor_lights_its_edges_and_hovering_an_edge_lights_its_factor(net_ws, qtbot):
    graph = show_graph(net_ws, qtbot, 5)
    label = graph.factor_labels[1]  # da(2)_1/da(1)_1 = g'(z(2)_1) w(2)[1,1]: two edges
    qtbot.mouseMove(label, label.rect().center())
    # the offscreen platform does not synthesise Enter events from a move: send the one a real
    # pointer produces
    centre = QPointF(label.rect().center())
    QApplication.sendEvent(label, QEnterEvent(centre, label.mapToGlobal(centre), label.mapToGlobal(centre)))
    qtbot.waitUntil(lambda: graph.lit.getData()[0] is not None and len(graph.lit.getData()[0]) == 4)
    assert LIT in label.styleSheet()
    # the edge from the parameter into z(1)_1, under the pointer in the graph
    (x0, y0), (x1, y1) = graph.positions[("theta", 1, 1)], graph.positions[("z", 1, 1)]
    scene = graph.vb.mapViewToScene(pg.Point((x0 + x1) / 2, (y0 + y1) / 2))
    graph._on_mouse_moved(scene)
    assert LIT in graph.factor_labels[3].styleSheet() and LIT not in label.styleSheet()


def test_the_graph_follows_the_selection_and_the_observation(net_ws, qtbot):
    graph = show_graph(net_ws, qtbot, 10, "w(2)[1,2]")
    # w(2)[1,2] joins at z(2)_1 (dz/dw = a(1)_2): three links to R
    assert graph.graph.path_edges == {(("theta", 2, 1), ("z", 2, 1)), (("z", 2, 1), ("a", 2, 1)),
                                      (("a", 2, 1), R_KEY)}
    net_ws.observation.setValue(2)
    assert graph.graph.observation == 1
    assert graph.graph.node(("x", 0, 1)).value == -1.0  # observation 2: x = (-1, 1)


def test_the_chain_rule_panels_factors_and_the_graphs_edges_light_each_other(net_ws, qtbot):
    graph = show_graph(net_ws, qtbot, 5)
    # hovering the factor's symbol in the chain-rule panel (a link there, for its hover only)
    net_ws.chain.formula.linkHovered.emit("factor:2")  # da(1)_1/dz(1)_1: one edge, z(1)_1 -> a(1)_1
    assert len(graph.lit.getData()[0]) == 2
    (x0, y0), (x1, y1) = graph.positions[("z", 1, 1)], graph.positions[("a", 1, 1)]
    assert list(graph.lit.getData()[0]) == [x0, x1]
    net_ws.chain.formula.linkHovered.emit("")
    assert len(graph.lit.getData()[0]) == 0
    # and the pointer on the parameter's edge in the graph marks dz/dw in the panel (once the
    # step's own highlight of the new factors has faded)
    qtbot.waitUntil(lambda: not net_ws.chain.flash.active, timeout=3000)
    (x0, y0), (x1, y1) = graph.positions[("theta", 1, 1)], graph.positions[("z", 1, 1)]
    graph._on_mouse_moved(graph.vb.mapViewToScene(pg.Point((x0 + x1) / 2, (y0 + y1) / 2)))
    assert net_ws.chain._marked == frozenset({3}) and "background-color" in net_ws.chain.formula.text()
