"""Finite-difference check: every back-propagated gradient entry beside its central-difference estimate.

Two forward passes over all observations per parameter: on a large data set that takes seconds, so
``check_in_background`` runs it as a background job with a progress bar and Cancel.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtGui, QtWidgets

from engine.gradient_check import finite_difference_check
from engine.numbers import format_number
from gui.common.background import BackgroundRunner, ProgressLine
from gui.common.style import ERROR_COLOUR

GOOD_REL_ERROR = 1e-5


def check_job(job, net, X, Y, loss: str, weight_decay: float = 0.0):
    """The background job: ``engine.gradient_check.finite_difference_check`` with progress."""
    return finite_difference_check(net, X, Y, loss, progress=job.progress, weight_decay=weight_decay)


class FDCheckPanel(QtWidgets.QWidget):
    """Table of (parameter, backprop, numeric, relative error) and the largest relative error."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("fdCheckPanel")
        layout = QtWidgets.QVBoxLayout(self)
        self.summary = QtWidgets.QLabel("", self)
        self.summary.setObjectName("fdSummary")
        self.summary.setWordWrap(True)
        self.table = QtWidgets.QTableWidget(0, 4, self)
        self.table.setObjectName("fdTable")
        self.table.setHorizontalHeaderLabels(["Parameter", "Back propagation", "Central difference",
                                              "Relative error"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(
            QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        self.runner = BackgroundRunner(self, "checking…")
        self.runner.finished.connect(self.show_fd)
        self.runner.failed.connect(lambda exc: self.show_message(f"The check failed: {exc}"))
        self.progress = ProgressLine(self.runner, self)
        self.progress.cancel_button.clicked.connect(
            lambda: self.show_message("The check was cancelled; it runs again when the parameters change."))
        self.progress.setObjectName("fdProgress")
        layout.addWidget(self.summary)
        layout.addWidget(self.progress)
        layout.addWidget(self.table, 1)
        self.max_error: float | None = None
        self._submitted: tuple | None = None
        self._pending: tuple | None = None

    def show_check(self, names: list[str], backprop: np.ndarray, numeric: np.ndarray,
                   rel_error: np.ndarray, h: float | None = None) -> None:
        """All arrays ``(n_params,)``; ``h`` is the difference step, named in the summary."""
        rel = np.asarray(rel_error, dtype=float)
        finite = rel[np.isfinite(rel)]
        self.max_error = float(finite.max()) if finite.size else float("nan")
        ok = finite.size == rel.size and self.max_error < GOOD_REL_ERROR
        step = f" (h = {format_number(h, 2)})" if h else ""
        verdict = "agree" if ok else "DISAGREE"
        self.summary.setStyleSheet("" if ok else f"color: {ERROR_COLOUR}")
        self.summary.setText(f"Back propagation and central differences{step} {verdict}: "
                             f"largest relative error {format_number(self.max_error, 2)}")
        self.table.setRowCount(len(names))
        bad = QtGui.QBrush(QtGui.QColor("#ffd6d6"))
        for r, name in enumerate(names):
            cells = (name, format_number(backprop[r], 6), format_number(numeric[r], 6),
                     format_number(rel[r], 2))
            for c, text in enumerate(cells):
                item = QtWidgets.QTableWidgetItem(text)
                if c == 3 and not (np.isfinite(rel[r]) and rel[r] < GOOD_REL_ERROR):
                    item.setBackground(bad)
                self.table.setItem(r, c, item)

    def check_in_background(self, net, X, Y, loss: str, weight_decay: float = 0.0) -> None:
        """Run the check for ``net`` on ``X``, ``Y`` off the GUI thread; the table shows it when done."""
        self.max_error = None
        self.summary.setStyleSheet("")
        self.summary.setText("Computing central differences…")
        self._submitted = (net, X, Y, loss, weight_decay)
        self._pending = None
        self.runner.submit(check_job, *self._submitted)

    def hideEvent(self, event: QtGui.QHideEvent) -> None:  # noqa: N802 - Qt override
        """A check still running waits until the tab is shown again."""
        super().hideEvent(event)
        if self.runner.busy:
            self.runner.cancel()
            self._pending = self._submitted

    def showEvent(self, event: QtGui.QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if self._pending is not None:
            self.check_in_background(*self._pending)

    def show_fd(self, check) -> None:
        """Show an ``engine.gradient_check.FDCheck``."""
        self.show_check(check.names, check.backprop, check.numeric, check.rel_error, check.h)

    def show_message(self, text: str) -> None:
        self.runner.cancel()
        self._pending = None
        self.max_error = None
        self.summary.setText(text)
        self.table.setRowCount(0)
