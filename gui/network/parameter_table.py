"""Parameter table: every weight and bias by its lecture name, value (editable), gradient, frozen.

Also home of ``html_name``, a parameter's lecture name as rich text, which the network panels
share: ``w(l)[j,k]`` is the weight into node j of layer l from node k of layer l-1, ``b(l)[j]``
a bias (1-based).
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from engine.network import NetworkError, parse_param_name
from engine.notation import Symbol
from engine.numbers import format_number
from gui.common.flash import TableFlash
from gui.common.style import rich_symbol


def html_name(name: str) -> str:
    """Rich text with real sub/superscripts: ``w(1)[1,2]`` -> w<sup>(1)</sup><sub>12</sub>."""
    try:
        return rich_symbol(Symbol.parameter(parse_param_name(name)))
    except NetworkError:
        return name


class ParameterTable(QtWidgets.QTableWidget):
    """One row per parameter; editing a value or ticking Frozen emits an intent, never edits a model.
    The value and gradient cells that an update changed flash (``flash``)."""

    value_edited = QtCore.Signal(str, float)
    frozen_changed = QtCore.Signal(str, bool)
    parameter_selected = QtCore.Signal(str)

    COLUMNS = ("Parameter", "Value", "∂R/∂θ", "Frozen")

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(0, len(self.COLUMNS), parent)
        self.setObjectName("parameterTable")
        self.setHorizontalHeaderLabels(self.COLUMNS)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setStretchLastSection(True)
        self.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QtWidgets.QAbstractItemView.SelectionMode.SingleSelection)
        self._names: list[str] = []
        self._values = np.zeros(0)
        self.flash = TableFlash(self)
        self.itemChanged.connect(self._on_item_changed)
        self.currentCellChanged.connect(self._on_current)

    def names(self) -> list[str]:
        return list(self._names)

    def show_parameters(self, names: list[str], values: np.ndarray, gradient: np.ndarray | None,
                        frozen: frozenset | set = frozenset()) -> None:
        """Refresh the rows; ``values``/``gradient``: ``(n_params,)``, gradient ``None`` if unknown."""
        blocker = QtCore.QSignalBlocker(self)
        if list(names) != self._names:
            self.setRowCount(len(names))
            for r, name in enumerate(names):
                item = QtWidgets.QTableWidgetItem(name)
                item.setFlags(item.flags() & ~QtCore.Qt.ItemFlag.ItemIsEditable)
                self.setItem(r, 0, item)
                self.setItem(r, 1, QtWidgets.QTableWidgetItem())
                g = QtWidgets.QTableWidgetItem()
                g.setFlags(g.flags() & ~QtCore.Qt.ItemFlag.ItemIsEditable)
                self.setItem(r, 2, g)
                f = QtWidgets.QTableWidgetItem()
                f.setFlags(QtCore.Qt.ItemFlag.ItemIsUserCheckable | QtCore.Qt.ItemFlag.ItemIsEnabled
                           | QtCore.Qt.ItemFlag.ItemIsSelectable)
                self.setItem(r, 3, f)
            self._names = list(names)
            resize = True
        else:
            resize = False
        self._values = np.asarray(values, dtype=float).copy()
        changed = []
        for r, name in enumerate(names):
            texts = (format_number(self._values[r]), "" if gradient is None else format_number(gradient[r]))
            for c, text in enumerate(texts, start=1):
                item = self.item(r, c)
                if item.text() != text:
                    changed.append((r, c))
                    item.setText(text)
                    if c == 1:
                        item.setToolTip(repr(float(self._values[r])))
            # each set repaints and signals even when nothing changes: 1,210 rows made a Step slow
            state = QtCore.Qt.CheckState.Checked if name in frozen else QtCore.Qt.CheckState.Unchecked
            box = self.item(r, 3)
            if box.checkState() != state:
                box.setCheckState(state)
        if resize:
            # Once per layout, sized for the widest number format: resizing to contents on every
            # update costs milliseconds per cell.
            self.resizeColumnsToContents()
            width = self.fontMetrics().horizontalAdvance("−0.000e-00") + 8
            for c in (1, 2):
                self.setColumnWidth(c, max(self.columnWidth(c), width))
            self.flash.flash.stop()  # new rows: nothing to compare with
        elif changed:
            self.flash.flash_cells(changed)
        del blocker

    def relayout(self) -> None:
        """Rebuild the rows at the next update (after a font change the column widths are stale)."""
        self._names = []

    def select_parameter(self, name: str) -> None:
        if name in self._names:
            blocker = QtCore.QSignalBlocker(self)
            self.selectRow(self._names.index(name))
            del blocker

    def shown_value(self, name: str) -> str:
        return self.item(self._names.index(name), 1).text()

    def shown_gradient(self, name: str) -> str:
        return self.item(self._names.index(name), 2).text()

    def _on_item_changed(self, item: QtWidgets.QTableWidgetItem) -> None:
        r, c = item.row(), item.column()
        name = self._names[r]
        if c == 3:
            self.frozen_changed.emit(name, item.checkState() == QtCore.Qt.CheckState.Checked)
            return
        if c != 1:
            return
        try:
            value = float(item.text().strip().replace("−", "-"))
        except ValueError:
            value = float("nan")
        blocker = QtCore.QSignalBlocker(self)
        if not np.isfinite(value):
            item.setText(format_number(self._values[r]))
            item.setBackground(QtGui.QColor("#ffd6d6"))
            item.setToolTip(f"{name} needs a finite number, e.g. 0.25")
            del blocker
            return
        item.setBackground(QtGui.QBrush())
        del blocker
        self.value_edited.emit(name, value)

    def _on_current(self, row: int, *_):
        if 0 <= row < len(self._names):
            self.parameter_selected.emit(self._names[row])
