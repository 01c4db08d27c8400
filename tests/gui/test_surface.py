"""The 2-D tab's 3-D surface: where it puts things, and what it says where OpenGL cannot start.

The drawing itself is checked in a real window with OpenGL by ``test_surface_gl.py``.
"""

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.presets import folder
from gui.descent import surface_view
from gui.descent.surface_geometry import HEIGHT, Box, Heights, display_heights, path_vertices

RACE = folder() / "lecture-2d-race.json"


def test_box_maps_the_plot_range_and_the_height_scale_by_hand():
    box = Box((0.0, 2.0), (-1.0, 3.0), Heights(log=False, offset=0.0, bottom=1.0, top=5.0))
    x, y = box.xy(np.array([0.0, 1.0, 2.0]), np.array([-1.0, 1.0, 3.0]))
    assert x.tolist() == [-1.0, 0.0, 1.0] and y.tolist() == [-1.0, 0.0, 1.0]
    # f = 1 is the bottom, 5 the top, 3 half-way; above the top is drawn at the top
    assert box.height(np.array([1.0, 3.0, 5.0, 50.0])).tolist() == [0.0, HEIGHT / 2, HEIGHT, HEIGHT]


def test_log_heights_start_half_a_level_below_the_minimum():
    z = np.array([[0.0, 1.0], [10.0, 100.0]])
    h = display_heights(z, log_scaled=True, first_level=0.02)
    # offset = min - tiny - (first level - min) / 2 = -0.01 (to 1e-12)
    assert h.offset == pytest.approx(-0.01, abs=1e-11)
    assert h.of(np.array([0.0]))[0] == pytest.approx(np.log10(0.01), abs=1e-9)
    assert h.bottom == pytest.approx(-2.0, abs=1e-9)


def test_path_vertices_leave_out_points_off_the_plot_and_non_finite_values():
    box = Box((0.0, 1.0), (0.0, 1.0), Heights(False, 0.0, 0.0, 2.0))
    xy = np.array([[0.5, 0.5], [2.0, 0.5], [0.0, 1.0], [np.nan, 0.2], [1.0, 0.0]])
    f = np.array([1.0, 1.0, 2.0, 1.0, np.inf])
    v = path_vertices(box, xy, f, lift=0.0)
    assert v.tolist() == [[0.0, 0.0, HEIGHT / 2], [-1.0, 1.0, HEIGHT]]


def test_the_2d_tab_offers_the_surface_beside_the_contour(ws2):
    tabs = ws2.views
    assert [tabs.tabText(i) for i in range(tabs.count())] == ["Contour", "3-D surface", "Iterates"]
    assert tabs.currentWidget() is ws2.contour  # the contour stays the first view


def test_without_opengl_the_tab_says_why_and_the_contour_keeps_working(ws2, qtbot, monkeypatch):
    monkeypatch.setattr(surface_view, "gl_unavailable_reason", lambda: "this display offers no OpenGL context")
    ws2.views.setCurrentWidget(ws2.surface)
    qtbot.waitUntil(lambda: ws2.surface.reason is not None)
    text = ws2.surface.message.text()
    assert "cannot be shown here" in text and "no OpenGL context" in text
    assert ws2.surface.message.isVisible() and ws2.surface.gl is None
    ws2.controller.step(5)  # stepping with the 3-D tab showing draws nothing and raises nothing
    ws2.views.setCurrentWidget(ws2.contour)
    assert ws2.contour.paths[0].line.getData()[0].size == 6


def test_paths_reach_the_surface_view_while_it_is_shown(window, qtbot, monkeypatch):
    monkeypatch.setattr(surface_view, "gl_unavailable_reason", lambda: "no OpenGL in this test")
    assert window.open_scenario(str(RACE))
    ws2 = window.current_workspace
    ws2.views.setCurrentWidget(ws2.surface)
    ws2.controller.step(40)
    session = ws2.controller.sessions[0]
    verts = ws2.surface.path_vertices(0)
    # lecture 2-D function: the plot range of its preset, mapped to [-1, 1] by hand
    (x0, x1), (y0, y1) = ws2.contour.ranges
    cx, cy = np.ravel(session.current.x)
    assert verts[-1, 0] == pytest.approx(2 * (cx - x0) / (x1 - x0) - 1)
    assert verts[-1, 1] == pytest.approx(2 * (cy - y0) / (y1 - y0) - 1)
    assert len(verts) == 41  # every iterate 0..40 lies inside the plotted range
    # gradient descent goes downhill, so the drawn path goes down too
    assert verts[-1, 2] < verts[0, 2]
    assert len(ws2.controller.sessions) == 3 and all(
        len(ws2.surface.path_vertices(i)) == 41 for i in range(3))


def test_gl_reason_is_a_sentence_when_no_context_can_start(app):
    reason = surface_view.gl_unavailable_reason()
    assert reason is None or (isinstance(reason, str) and len(reason) > 10)


def test_the_2d_tab_lists_the_first_racers_iterates_with_the_hessians_eigenvalues(ws2, qtbot):
    ws2.views.setCurrentWidget(ws2.iterates)
    ws2.controller.step(3)
    model = ws2.iterates.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert "eig ∇²f(xᵢ)" in headers and "sᵢ" in headers
    assert model.rowCount() == 4
    # lecture 2-D function at the start (0.5, 2): the Hessian, by hand, is
    # [[12 x1^2 x2^2 + 2 (x2-1)^4, 8 x1^3 x2 + 8 (x1-1)(x2-1)^3], [., 2 x1^4 + 12 (x1-1)^2 (x2-1)^2]]
    h = np.array([[12 * 0.25 * 4 + 2, 8 * 0.125 * 2 + 8 * (-0.5)], [8 * 0.125 * 2 + 8 * (-0.5), 2 * 0.0625 + 12 * 0.25]])
    expected = np.linalg.eigvalsh(h)
    cell = model.data(model.index(0, headers.index("eig ∇²f(xᵢ)")))
    shown = [float(v) for v in cell.strip("()[] ").replace("−", "-").split(",")]
    assert sorted(shown) == pytest.approx(sorted(expected), rel=1e-3)
