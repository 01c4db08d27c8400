"""Data panel: the lecture's observations, built-in sets (size, noise, seed), CSV import, and a table.

The panel only emits requests; the controller builds the session and answers with
``show_dataset`` or ``show_error`` (so a bad CSV's line-numbered message lands here). A built-in
set or a CSV file is made or read first in the background (``gui.common.background``), with
progress and Cancel; the request then carries the data set, and the controller applies it.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtWidgets

from engine.data import DATASET_NAMES, DATASETS, DataError, load_csv, make_dataset, preview_csv
from engine.numbers import format_number as fmt
from gui.common.background import BackgroundRunner, ProgressLine
from gui.common.style import ERROR_COLOUR

EDITABLE_ROWS = 50  # larger sets are shown read-only: nobody edits 500 rows by hand


def builtin_job(job, name: str, n: int, noise: float, seed: int):
    """The background job: ``engine.data.make_dataset``."""
    job.progress(0.0)
    return make_dataset(name, n, noise, seed)


def csv_job(job, path: str, inputs: list, targets: list):
    """The background job: ``engine.data.load_csv`` with progress."""
    return load_csv(path, inputs, targets, progress=job.progress)


class NetworkDataPanel(QtWidgets.QWidget):
    """Choose the observations; emits ``lecture_requested``, ``builtin_requested(name, n, noise, seed,
    dataset)``, ``csv_requested(path, inputs, targets, dataset)`` (the data set made or read in the
    background) and ``observations_edited(inputs (n_obs, n_in), targets (n_obs, n_out))``."""

    lecture_requested = QtCore.Signal()
    builtin_requested = QtCore.Signal(str, int, float, int, object)
    csv_requested = QtCore.Signal(str, list, list, object)
    observations_edited = QtCore.Signal(object, object)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("networkDataPanel")
        form = QtWidgets.QFormLayout(self)
        self.source = QtWidgets.QComboBox(self)
        self.source.setSizeAdjustPolicy(QtWidgets.QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.source.setMinimumContentsLength(10)
        self.source.addItem("Lecture (2 observations)", "lecture")
        for name in DATASET_NAMES:
            self.source.addItem(f"{DATASETS[name].title} ({DATASETS[name].task})", name)
        self.source.addItem("CSV file…", "csv")
        form.addRow("Data:", self.source)

        self.n = QtWidgets.QSpinBox(self)
        self.n.setRange(1, 100000)
        self.n.setValue(100)
        self.noise = QtWidgets.QDoubleSpinBox(self)
        self.noise.setRange(0.0, 10.0)
        self.noise.setSingleStep(0.05)
        self.noise.setDecimals(3)
        self.noise.setValue(0.1)
        self.seed = QtWidgets.QSpinBox(self)
        self.seed.setRange(0, 2**31 - 1)
        for box in (self.n, self.noise, self.seed):
            # sized for their largest values otherwise, which widens the dock
            box.setMinimumWidth(box.fontMetrics().horizontalAdvance("000000") + 30)
            box.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
        self.generate = QtWidgets.QPushButton("Use these data", self)
        self.generate.setObjectName("useDataButton")
        form.addRow("Size n:", self.n)
        form.addRow("Noise:", self.noise)
        form.addRow("Seed:", self.seed)

        self.csv_path = QtWidgets.QLineEdit(self)
        self.csv_path.setPlaceholderText("path/to/data.csv")
        browse = QtWidgets.QPushButton("Browse…", self)
        row = QtWidgets.QHBoxLayout()
        row.addWidget(self.csv_path, 1)
        row.addWidget(browse)
        form.addRow("CSV:", row)
        self.input_cols = QtWidgets.QLineEdit(self)
        self.input_cols.setPlaceholderText("input columns, e.g. x1, x2")
        self.target_cols = QtWidgets.QLineEdit(self)
        self.target_cols.setPlaceholderText("target columns, e.g. y")
        form.addRow("Inputs:", self.input_cols)
        form.addRow("Targets:", self.target_cols)
        self.preview = QtWidgets.QTableWidget(0, 0, self)
        self.preview.setMaximumHeight(140)
        self.preview.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        form.addRow("Preview:", self.preview)
        form.addRow(self.generate)
        self.loader = BackgroundRunner(self, "loading…")
        self.loader.finished.connect(self._on_loaded)
        self.loader.failed.connect(lambda exc: self.show_error(str(exc)))
        self.loading = ProgressLine(self.loader, self)
        self.loading.setObjectName("dataProgress")
        self.loading.cancel_button.clicked.connect(lambda: self.show_error("Loading cancelled; the data are unchanged."))
        form.addRow(self.loading)
        self._request: tuple | None = None

        self.message = QtWidgets.QLabel(self)
        self.message.setObjectName("dataMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.message)
        self.table = QtWidgets.QTableWidget(0, 0, self)
        self.table.setObjectName("observationTable")
        self.table.verticalHeader().setDefaultSectionSize(28)
        form.addRow(self.table)

        self.source.currentIndexChanged.connect(self._on_source)
        self.generate.clicked.connect(self.request)
        browse.clicked.connect(self._browse)
        self.csv_path.editingFinished.connect(self.refresh_preview)
        self.table.itemChanged.connect(self._on_table_edit)
        self._on_source()

    # ---------------------------------------------------------------- requests
    def request(self) -> None:
        """Emit the request the current choices describe."""
        kind = self.source.currentData()
        self.message.clear()
        if kind == "lecture":
            self.lecture_requested.emit()
        elif kind == "csv":
            ins = [c.strip() for c in self.input_cols.text().split(",") if c.strip()]
            outs = [c.strip() for c in self.target_cols.text().split(",") if c.strip()]
            self._request = ("csv", self.csv_path.text().strip(), ins, outs)
            self.loader.submit(csv_job, *self._request[1:])
        else:
            self._request = ("builtin", kind, self.n.value(), self.noise.value(), self.seed.value())
            self.loader.submit(builtin_job, *self._request[1:])

    def _on_loaded(self, data) -> None:
        """The data set of the request arrived from the background: hand it to the controller."""
        kind, *args = self._request
        signal = self.csv_requested if kind == "csv" else self.builtin_requested
        signal.emit(*args, data)

    def _on_source(self, *_, keep_size: bool = False):
        kind = self.source.currentData()
        builtin = kind not in ("lecture", "csv")
        for w in (self.n, self.noise, self.seed):
            w.setEnabled(builtin)
        # A real data set (iris, digits) has as many observations as its file and no drawn noise.
        size = DATASETS[kind].size if builtin else None
        if size is not None:
            self.n.setMaximum(size)
            if not keep_size:  # chosen by the person: the whole file; shown from a scenario: its n
                self.n.setValue(size)
                self.noise.setValue(0.0)
            self.noise.setEnabled(False)
        else:
            self.n.setMaximum(100000)
        for w in (self.csv_path, self.input_cols, self.target_cols, self.preview):
            w.setEnabled(kind == "csv")

    def _browse(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(self, "Open CSV", "", "CSV files (*.csv *.txt);;All files (*)")
        if path:
            self.csv_path.setText(path)
            self.refresh_preview()

    def refresh_preview(self) -> None:
        """Show the header and first rows of the chosen CSV; pre-fill the column choice."""
        path = self.csv_path.text().strip()
        if not path:
            return
        try:
            header, rows = preview_csv(path)
        except (DataError, OSError) as exc:
            self.show_error(str(exc))
            return
        self.preview.clear()
        self.preview.setColumnCount(len(header))
        self.preview.setRowCount(len(rows))
        self.preview.setHorizontalHeaderLabels(header)
        for r, cells in enumerate(rows):
            for c, cell in enumerate(cells[:len(header)]):
                self.preview.setItem(r, c, QtWidgets.QTableWidgetItem(cell))
        if not self.input_cols.text() and len(header) >= 2:
            self.input_cols.setText(", ".join(header[:-1]))
            self.target_cols.setText(header[-1])
        self.message.clear()

    # ---------------------------------------------------------------- shown state
    def show_source(self, spec) -> None:
        """Set the choosers to an ``engine.scenario.DataSpec`` (without requesting anything)."""
        widgets = (self.source, self.n, self.noise, self.seed, self.csv_path, self.input_cols, self.target_cols)
        blockers = [QtCore.QSignalBlocker(w) for w in widgets]
        if spec.source == "dataset":
            self.source.setCurrentIndex(self.source.findData(spec.name))
            self.n.setValue(int(spec.n))
            self.noise.setValue(float(spec.noise))
            self.seed.setValue(int(spec.seed))
        elif spec.source == "csv":
            self.source.setCurrentIndex(self.source.findData("csv"))
            self.csv_path.setText(spec.resolved or spec.path)
            self.input_cols.setText(", ".join(map(str, spec.columns_in)))
            self.target_cols.setText(", ".join(map(str, spec.columns_out)))
        else:
            self.source.setCurrentIndex(self.source.findData("lecture"))
        del blockers
        self._on_source(keep_size=True)

    def show_error(self, text: str) -> None:
        self.message.setStyleSheet(f"color: {ERROR_COLOUR}")
        self.message.setText(text)

    def show_dataset(self, inputs: np.ndarray, targets: np.ndarray, input_names, target_names,
                     title: str = "") -> None:
        """Fill the observation table: ``inputs (n_obs, n_in)``, ``targets (n_obs, n_out)``."""
        blocker = QtCore.QSignalBlocker(self.table)
        x, y = np.asarray(inputs), np.asarray(targets)
        names = list(input_names) + list(target_names)
        self.table.clear()
        self.table.setColumnCount(len(names))
        self.table.setHorizontalHeaderLabels(names)
        shown = min(len(x), 500)
        self.table.setRowCount(shown)
        editable = len(x) <= EDITABLE_ROWS
        flags = QtCore.Qt.ItemFlag.ItemIsEnabled | QtCore.Qt.ItemFlag.ItemIsSelectable
        if editable:
            flags |= QtCore.Qt.ItemFlag.ItemIsEditable
        data = np.hstack([x, y])
        for r in range(shown):
            for c in range(data.shape[1]):
                item = QtWidgets.QTableWidgetItem(fmt(data[r, c]))
                item.setData(QtCore.Qt.ItemDataRole.UserRole, float(data[r, c]))
                item.setFlags(flags)
                self.table.setItem(r, c, item)
        self._n_in = x.shape[1]
        self._data = data
        self.message.setStyleSheet("")
        more = f" (first {shown} shown)" if shown < len(x) else ""
        edit = "; edit a cell to change an observation" if editable else ""
        self.message.setText(f"{title}: {len(x)} observations{more}{edit}")
        del blocker

    def _on_table_edit(self, item: QtWidgets.QTableWidgetItem) -> None:
        try:
            value = float(item.text().strip().replace("−", "-"))
        except ValueError:
            value = float("nan")
        if not np.isfinite(value):
            blocker = QtCore.QSignalBlocker(self.table)
            item.setText(fmt(self._data[item.row(), item.column()]))
            del blocker
            self.show_error(f"row {item.row() + 1}: {item.text()!r} is not a finite number")
            return
        data = self._data.copy()
        data[item.row(), item.column()] = value
        self.observations_edited.emit(data[:, :self._n_in], data[:, self._n_in:])
