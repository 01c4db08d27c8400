"""The table of iterates (i, x_i, f(x_i), f'(x_i), step, s_i, f''(x_i), ...): a virtual model over
the session history; the columns are ``gui.descent.iterate_columns``.

Only rows up to the shown iterate exist; rows are formatted on demand, so a 100,000-iteration
history costs nothing until scrolled to.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QSize, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from gui.common.table_copy import install_table_copy
from gui.descent.iterate_columns import column_widths, columns
from gui.common.flash import TableFlash


class IterateModel(QAbstractTableModel):
    """Rows 0..cursor of one session of a ``DescentController`` (session ``index``)."""

    def __init__(self, controller, index: int = 0, parent=None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.session_index = index
        self._rows = 0
        self._columns = columns(self._session())
        controller.session_reset.connect(self.reset)

    def _session(self):
        sessions = self.controller.sessions
        return sessions[min(self.session_index, len(sessions) - 1)]

    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._rows

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._columns)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and section < len(self._columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._columns[section].header
            if role == Qt.ItemDataRole.ToolTipRole:
                return self._columns[section].tip
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        session = self._session()
        return self._columns[index.column()].text(session, session.history[index.row()])

    def sync(self) -> None:
        """Match the row count to the shown iterate; touched rows repaint."""
        rows = self._session().cursor + 1
        if rows > self._rows:
            self.beginInsertRows(QModelIndex(), self._rows, rows - 1)
            self._rows = rows
            self.endInsertRows()
        elif rows < self._rows:
            self.beginRemoveRows(QModelIndex(), rows, self._rows - 1)
            self._rows = rows
            self.endRemoveRows()

    def reset(self) -> None:
        self.beginResetModel()
        self._rows = self._session().cursor + 1
        self._columns = columns(self._session())
        self.endResetModel()


#: The columns always have room for numbers this wide (most 4-significant-figure values); the
#: table asks for room for the widest ("-0.0006993") and, squeezed, shows it whole in the tooltip.
COMMON_NUMBER = "-0.08888"
WIDEST_NUMBER = "-0.0008888"

#: While running, the table catches up at most this often: relaying out and repainting it costs
#: ~12 ms, too much for every frame. Rows never disappear from the history, so a late table is
#: only behind, never wrong.
RUN_SYNC_S = 0.15


class IterateTable(QTableView):
    """The table view; follows the newest row while stepping."""

    def __init__(self, controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("iterateTable")
        self.model_ = IterateModel(controller, parent=self)
        self.setModel(self.model_)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        # Widths set by column_widths, not ResizeToContents: that would measure every one of
        # 100,000 rows per step. The method's columns scroll into view when the table is narrow.
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self._fit_to_font()
        self.setAlternatingRowColors(True)
        install_table_copy(self, "iterates")  # context menu Copy / Save as CSV…, Edit > Copy
        self.controller = controller
        self._last_sync = 0.0
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._sync)
        controller.record_changed.connect(self._on_record)
        controller.running_changed.connect(lambda on: None if on else self._sync())
        controller.session_reset.connect(self._fit_to_font)  # the columns follow the optimizer
        self.flash = TableFlash(self)  # a step's new row, for a moment (never while running)
        self.flash.quiet = lambda: controller.running
        controller.session_reset.connect(self.flash.flash.stop)

    def _fit_to_font(self) -> None:
        metrics = self.fontMetrics()
        self.verticalHeader().setDefaultSectionSize(metrics.height() + 6)
        index_width = metrics.horizontalAdvance("100000") + 8
        self.horizontalHeader().resizeSection(0, index_width)
        columns = self.model_.columnCount() - 1
        chrome = index_width + self.verticalScrollBar().sizeHint().width() + 2 * self.frameWidth()
        # The plots come first on a 1280-pixel projector: at least room for the common numbers of
        # the first four columns (x, f, f', step); the method's further columns share that room.
        self.setMinimumWidth(chrome + min(columns, 4) * (metrics.horizontalAdvance(COMMON_NUMBER) + 14))
        self._wanted_width = chrome + columns * (metrics.horizontalAdvance(WIDEST_NUMBER) + 14)
        self.updateGeometry()
        self._fit_columns()

    def _fit_columns(self) -> None:
        metrics = self.fontMetrics()
        header = self.horizontalHeader()
        room = self.viewport().width() - header.sectionSize(0)
        widths = column_widths(room, self.model_.columnCount() - 1,
                               metrics.horizontalAdvance(COMMON_NUMBER) + 14,
                               metrics.horizontalAdvance(WIDEST_NUMBER) + 14)
        for column, width in enumerate(widths, start=1):
            header.resizeSection(column, width)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit_columns()

    def sizeHint(self) -> QSize:
        return QSize(self._wanted_width, super().sizeHint().height())

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_to_font()

    def _on_record(self) -> None:
        if not self.controller.running:
            self._sync()
            return
        wait = RUN_SYNC_S - (time.perf_counter() - self._last_sync)
        if wait <= 0:
            self._sync()
        elif not self._timer.isActive():
            self._timer.start(int(wait * 1000) + 1)

    def _sync(self) -> None:
        self._timer.stop()
        self._last_sync = time.perf_counter()
        rows = self.model_.rowCount()
        self.model_.sync()
        self._follow()
        if self.model_.rowCount() > rows:
            self.flash.flash_row(self.model_.rowCount() - 1)
        elif self.model_.rowCount() < rows:
            self.flash.flash.stop()

    def _follow(self) -> None:
        """Highlight the shown iterate's row (the last one) and scroll it into view."""
        last = self.model_.rowCount() - 1
        if last >= 0 and self.isVisible():
            self.selectRow(last)
            self.scrollToBottom()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        # Steps taken while another workspace was shown did not scroll this table.
        self._follow()
