"""The lecture's nudge table: per observation the sensitivity d output/dθ, the residual e and the
contribution e × sensitivity, their sum over observations, next to −∇R.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from engine.numbers import format_number
from engine.nudge import nudge_columns
from gui.common.flash import TableFlash
from gui.common.style import rich_number
from gui.common.table_copy import install_table_copy

MAX_OBS_COLUMNS = 4  # wider tables stop being readable on a projector; the sum still covers all
#: As wide as a number gets in ``engine.numbers.format_number``'s four significant figures.
WIDEST_NUMBER = "−0.000000"
CELL_PADDING = 10
#: Most of the screen's width and height a table shown whole may ask for (presentation mode).
FIT_SHARE = (0.72, 0.45)


class NudgeTable(QtWidgets.QWidget):
    """Rows: parameters; columns: s<sub>i</sub>, e<sub>i</sub>·s<sub>i</sub> per observation, Σ, −∇R."""

    parameter_selected = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("nudgeTable")
        layout = QtWidgets.QVBoxLayout(self)
        self.caption = QtWidgets.QLabel(self)
        self.caption.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.caption.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, 0, self)
        self.table.setObjectName("nudgeGrid")
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        install_table_copy(self.table, "nudge-table")  # context menu Copy / Save as CSV…, Edit > Copy
        layout.addWidget(self.caption)
        layout.addWidget(self.table, 1)
        self._names: list[str] = []
        self._structure: tuple | None = None
        self._cells: dict[tuple[str, str], float] = {}
        self._fit_contents = False
        self.table.cellClicked.connect(self._on_click)
        self.flash = TableFlash(self.table)  # the cells a step changed
        self._changed: list[tuple[int, int]] = []
        self.caption.setToolTip("Each observation's residual e = y − output weights how much a nudge to "
                                "a parameter (its sensitivity d out/dθ) moves the output toward the "
                                "target; summed over the observations this is −∇R, up to the loss's "
                                "constant factor")

    def show_message(self, text: str) -> None:
        self.caption.setText(text)
        self.table.setRowCount(0)
        self._structure = None
        self._cells = {}

    def show_record(self, rec, names: list[str], rows: list[int], selected: str | None = None) -> None:
        """Show an ``engine.backprop.PassRecord``: observations ``rows`` (0-based) in columns,
        output 1's sensitivities, every output's residual-weighted contributions, sums over all."""
        cols = nudge_columns(rec, rows)
        decay = " − λw" if cols.has_decay else ""
        factor = rec.contribution_factor
        if factor is not None:
            caption = (f"e = y − output;  with {rec.loss_name}, "
                       f"−∇R = {rich_number(factor)} × Σ e · d out/dθ{decay}")
        else:
            caption = ("Sensitivities of output 1 and residual-weighted contributions; with "
                       f"{rec.loss_name} the gradient is not a multiple of their sum.")
        if cols.has_decay:
            caption += f" (weight decay: R holds λ/2 Σ w², λ = {rich_number(cols.weight_decay)})."
        self.show_nudges(list(cols.names), cols.residuals[:, 0], cols.sensitivities[:, 0, :], cols.contributions,
                         cols.total, cols.neg_gradient, observations=[i + 1 for i in rows],
                         selected=selected, caption=caption, decay=cols.decay if cols.has_decay else None)

    def show_nudges(self, names: list[str], residuals: np.ndarray, sensitivities: np.ndarray,
                    contributions: np.ndarray, total: np.ndarray, neg_gradient: np.ndarray,
                    observations: list[int] | None = None, selected: str | None = None,
                    caption: str = "", decay: np.ndarray | None = None) -> None:
        """``residuals (n_obs,)``; ``sensitivities``/``contributions`` ``(n_obs, n_params)``;
        ``total``/``neg_gradient`` ``(n_params,)``; ``observations``: 1-based labels of the rows given;
        ``decay (n_params,)``: weight decay's −λw, a column of its own when given."""
        n_obs = len(residuals)
        obs = observations or list(range(1, n_obs + 1))
        shown = list(range(min(n_obs, MAX_OBS_COLUMNS)))
        headers = []
        for i in shown:
            headers += [f"d out/dθ\nobs {obs[i]}", f"e·d out/dθ\nobs {obs[i]}"]
        headers += ["Σ over obs\ne·d out/dθ", *(["weight decay\n−λw"] if decay is not None else []), "−∇R"]
        total_column = len(shown) * 2
        structure = (list(names), headers)
        rebuilt = structure != self._structure
        if rebuilt:
            self._build(names, headers)
            self._structure = structure
        self._changed = []
        self._names = list(names)
        self._cells = {}
        for c, i in enumerate(shown):
            self._set_cell(0, 2 * c, f"e = {format_number(residuals[i])}")
            self._cells[("e", str(obs[i]))] = float(residuals[i])
        for r, name in enumerate(names, start=1):
            for c, i in enumerate(shown):
                s, e = float(sensitivities[i, r - 1]), float(contributions[i, r - 1])
                self._set_cell(r, 2 * c, format_number(s))
                self._set_cell(r, 2 * c + 1, format_number(e))
                self._cells[("s", f"{obs[i]}:{name}")] = s
                self._cells[("c", f"{obs[i]}:{name}")] = e
            self._set_cell(r, total_column, format_number(total[r - 1]))
            if decay is not None:
                self._set_cell(r, total_column + 1, format_number(decay[r - 1]))
                self._cells[("decay", name)] = float(decay[r - 1])
            self._set_cell(r, len(headers) - 1, format_number(neg_gradient[r - 1]))
        if rebuilt:
            self.flash.flash.stop()
        elif self._changed:
            self.flash.flash_cells(self._changed)
        more = f" (first {len(shown)} of {n_obs} observations shown; the sums cover all)" if n_obs > len(shown) else ""
        self.caption.setText((caption or "How a nudge to each parameter moves the output, weighted by "
                              "the residual e = y − output") + more)
        if selected in self._names:
            row = self._names.index(selected) + 1
            selection = self.table.selectionModel()
            if not selection.isRowSelected(row) or len(selection.selectedRows()) != 1:
                self.table.selectRow(row)

    def _set_cell(self, row: int, column: int, text: str) -> None:
        # every setText repaints the cell even when the text is the same
        item = self.table.item(row, column)
        if item.text() != text:
            item.setText(text)
            self._changed.append((row, column))

    def _build(self, names: list[str], headers: list[str]) -> None:
        """Create the items once per layout; later updates only change their text (setItem is slow)."""
        t = self.table
        t.clearSpans()
        t.setColumnCount(len(headers))
        t.setRowCount(len(names) + 1)
        t.setHorizontalHeaderLabels(headers)
        t.setVerticalHeaderLabels(["residual e"] + list(names))
        bold = QtGui.QFont(t.font())
        bold.setBold(True)
        for r in range(len(names) + 1):
            for c in range(len(headers)):
                item = QtWidgets.QTableWidgetItem()
                if r == 0:
                    item.setFont(bold)
                t.setItem(r, c, item)
        for c in range(0, 2 * sum(h.startswith("d out/dθ") for h in headers), 2):
            t.setSpan(0, c, 1, 2)
        self._size_columns(headers)
        self._fit()

    def _size_columns(self, headers: list[str]) -> None:
        """Each column as wide as its header or the widest number ``format_number`` writes, in the
        table's font now (a view's own sizing measures only the rows it has laid out)."""
        t = self.table
        numbers = QtGui.QFontMetrics(t.font()).horizontalAdvance(WIDEST_NUMBER)
        bold = QtGui.QFont(t.font())
        bold.setBold(True)
        titles = QtGui.QFontMetrics(bold)
        for c, header in enumerate(headers):
            title = max(titles.horizontalAdvance(line) for line in header.split("\n"))
            t.setColumnWidth(c, max(numbers, title) + CELL_PADDING)

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt override
        """A new font reaches the table after the window asked for it: size the columns again."""
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange and self._structure is not None:
            self._size_columns(self._structure[1])
            self._fit()

    def set_fit_contents(self, on: bool) -> None:
        """Presentation mode: rows as tall as their text and the table as large as its cells, so that
        every row and column shows without scrolling (the layout gives it the room)."""
        self._fit_contents = on
        margin = 1 if on else 9
        self.layout().setContentsMargins(margin, margin, margin, margin)
        self.layout().setSpacing(2 if on else 6)
        self.relayout()
        self._fit()

    def _fit(self) -> None:
        t = self.table
        rows = t.verticalHeader()
        if not self._fit_contents:
            rows.resetDefaultSectionSize()
            for r in range(t.rowCount()):
                rows.resizeSection(r, rows.defaultSectionSize())
            t.setMinimumSize(0, 0)
            return
        height = t.fontMetrics().height() + 1
        rows.setDefaultSectionSize(height)
        for r in range(t.rowCount()):
            rows.resizeSection(r, height)
        frame = 2 * t.frameWidth()
        # a larger network's or data set's table scrolls rather than push the window off the screen
        room = self.screen().geometry().size().expandedTo(self.window().size())
        t.setMinimumSize(min(rows.sizeHint().width() + t.horizontalHeader().length() + frame,
                             int(FIT_SHARE[0] * room.width())),
                         min(t.horizontalHeader().sizeHint().height() + rows.length() + frame,
                             int(FIT_SHARE[1] * room.height())))

    def relayout(self) -> None:
        """Rebuild the cells at the next update (after a font change the column widths are stale)."""
        self._structure = None

    def cell_text(self, row_label: str, column: int) -> str:
        """Text shown in the row named ``row_label`` (a parameter or ``residual e``), column ``column``."""
        labels = ["residual e"] + self._names
        return self.table.item(labels.index(row_label), column).text()

    def sensitivity(self, observation: int, name: str) -> float:
        return self._cells[("s", f"{observation}:{name}")]

    def residual(self, observation: int) -> float:
        return self._cells[("e", str(observation))]

    def _on_click(self, row: int, _col: int) -> None:
        if row >= 1:
            self.parameter_selected.emit(self._names[row - 1])
