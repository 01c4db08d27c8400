"""Clicking and editing on the network view: which parameter a click lands on (a click selects
it), and double-click opens a small line edit over it; Enter commits (the view emits
``parameter_edited``), Escape cancels.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from gui.network.parameter_table import bias_name, weight_name
from gui.network.view_geometry import hit_test


class InPlaceEditor(QtWidgets.QLineEdit):
    """The line edit itself: emits ``committed(text)`` on Enter, hides on Escape."""

    committed = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.setFont(QtGui.QFont(self.font().family(), 13))
        self.returnPressed.connect(lambda: self.committed.emit(self.text()))
        self.hide()

    def keyPressEvent(self, ev: QtGui.QKeyEvent) -> None:  # noqa: N802 - Qt override
        if ev.key() == QtCore.Qt.Key.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(ev)


class PickAndEdit:
    """Mixed into :class:`gui.network.view.NetworkView`, which provides ``viewbox``,
    ``edges``, ``_state``, ``_positions``, ``_node_px``, ``_edge_index``, ``_node_index``,
    ``select`` and the ``parameter_selected``/``parameter_edited`` signals."""

    _editor: InPlaceEditor | None = None
    _editing: str | None = None

    def parameter_at(self, scene_pos: QtCore.QPointF) -> str | None:
        """The parameter under a scene point: a node's bias first, else the nearest edge (<8 px)."""
        if not len(self._positions):
            return None
        vb = self.viewbox

        def to_scene(points: np.ndarray) -> np.ndarray:
            mapped = (vb.mapViewToScene(QtCore.QPointF(x, y)) for x, y in points)
            return np.array([[q.x(), q.y()] for q in mapped]).reshape(-1, 2)

        segs = self.edges.segments()
        hit = hit_test(to_scene(self._positions), to_scene(segs[:, :2]), to_scene(segs[:, 2:]),
                       np.array([scene_pos.x(), scene_pos.y()]), self._node_px)
        if hit is None:
            return None
        kind, i = hit
        if kind == "node":
            l, j = self._node_index[i]
            return bias_name(l, j) if l > 0 else None
        return weight_name(*self._edge_index[i])

    def scene_point_of(self, name: str) -> QtCore.QPointF:
        """Scene coordinates of a parameter's node (bias) or edge midpoint (weight), for clicks."""
        for i, (l, j) in enumerate(self._node_index):
            if l > 0 and name == bias_name(l, j):
                x, y = self._positions[i]
                return self.viewbox.mapViewToScene(QtCore.QPointF(x, y))
        for i, (l, j, k) in enumerate(self._edge_index):
            if name == weight_name(l, j, k):
                x0, y0, x1, y1 = self.edges.segments()[i]
                # a third of the way from the target keeps clear of crossing edges' midpoints
                return self.viewbox.mapViewToScene(QtCore.QPointF(x1 + (x0 - x1) * 0.3, y1 + (y0 - y1) * 0.3))
        raise KeyError(f"no parameter named {name!r} in this network")

    def _on_click(self, ev) -> None:
        name = self.parameter_at(ev.scenePos())
        if name is None:
            return
        ev.accept()
        self.select(name)
        self.parameter_selected.emit(name)

    def mouseDoubleClickEvent(self, ev: QtGui.QMouseEvent) -> None:  # noqa: N802 - Qt override
        # Handled on the view rather than through pyqtgraph's scene clicks, which only report a
        # double click when the preceding single click reached the scene as well.
        scene_pos = self.mapToScene(ev.position().toPoint())
        name = self.parameter_at(scene_pos)
        if name is None:
            super().mouseDoubleClickEvent(ev)
            return
        ev.accept()
        self.select(name)
        self.parameter_selected.emit(name)
        self.begin_edit(name, scene_pos)

    def begin_edit(self, name: str, scene_pos: QtCore.QPointF | None = None) -> QtWidgets.QLineEdit:
        """Open a small line edit over the parameter; Enter commits, Escape cancels."""
        if self._editor is None:
            self._editor = InPlaceEditor(self)
            self._editor.committed.connect(self._commit_edit)
        if scene_pos is None:
            scene_pos = self.scene_point_of(name)
        value = self.current_value(name)
        self._editing = name
        ed = self._editor
        ed.setText("" if value is None else repr(float(value)))
        ed.setToolTip(f"New value of {name}")
        pt = self.mapFromScene(scene_pos)
        ed.resize(max(130, ed.sizeHint().width()), ed.sizeHint().height())
        ed.move(int(pt.x() - ed.width() / 2), int(pt.y() - ed.height() / 2))
        ed.show()
        ed.setFocus()
        ed.selectAll()
        return ed

    def current_value(self, name: str) -> float | None:
        """The shown value of ``name`` (lecture notation), or None before anything is shown."""
        if self._state is None:
            return None
        for (l, j, k) in self._edge_index:
            if name == weight_name(l, j, k):
                return float(self._state.weights[l - 1][j, k])
        for (l, j) in self._node_index:
            if l > 0 and name == bias_name(l, j):
                return float(self._state.biases[l - 1][j])
        return None

    def _commit_edit(self, text: str) -> None:
        name, self._editing = self._editing, None
        try:
            value = float(text.strip().replace("−", "-"))
        except ValueError:
            self._editor.setStyleSheet("background: #ffd6d6")
            self._editor.setToolTip(f"{text!r} is not a number; type e.g. 0.25")
            self._editing = name
            return
        self._editor.setStyleSheet("")
        self._editor.hide()
        if name is not None and np.isfinite(value):
            self.parameter_edited.emit(name, value)
