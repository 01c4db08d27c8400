"""The 2-D descent workspace (SPEC 1.2): contour with racing paths and -grad arrows, loss below."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QSignalBlocker, Qt
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QSplitter, QTabWidget, QVBoxLayout, QWidget

from engine.numbers import format_number
from engine.optimizers import TITLES
from gui.common import style
from gui.common.caption import StatusCaption
from gui.descent.controller import DescentController
from gui.descent.function_panel import FunctionPanel
from gui.descent.contour_plot import Contour2DPlot
from gui.descent.loss_plot import AUTO_LOG_DECADES, LossPlot
from gui.descent.iterate_table import IterateTable
from gui.descent.surface_view import SurfaceView
from gui.descent.reasoning_2d import Reasoning2D
from gui.common.undo import ScenarioHistory
from gui.common.workspace import Workspace


#: Points of each loss curve drawn: about one per pixel column. A thick antialiased line through
#: 2000 closely packed points costs ~12 ms a frame to stroke.
LOSS_POINTS = 800


def gather_path(session, upto: int) -> tuple[np.ndarray, np.ndarray]:
    """Decimated iterates 0..upto: xy ``(k, 2)`` (at most ~2000 rows, the last always in)."""
    return session.path(upto)[style.decimate(upto + 1)]


def gather_loss(session, upto: int) -> tuple[np.ndarray, np.ndarray]:
    """Decimated (iteration numbers, f values) 0..upto for the loss plot."""
    idx = style.decimate(upto + 1, LOSS_POINTS)
    return idx.astype(np.float64), session.values(upto)[idx]


class Descent2DWorkspace(Workspace):
    title = "2-D descent"
    kinds = ("function2d",)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = DescentController(2, self)
        self.panel = FunctionPanel(self.controller, race=True)
        self.contour = Contour2DPlot()
        self.loss = LossPlot()
        self.surface = SurfaceView()
        self.views = QTabWidget(self, objectName="surfaceViews")
        self.views.setDocumentMode(True)
        self.views.addTab(self.contour, "Contour")
        self.views.addTab(self.surface, "3-D surface")
        self.views.setTabToolTip(1, "The function as a surface you can turn, with every path on it")
        self.iterates = IterateTable(self.controller)
        self.views.addTab(self.iterates, "Iterates")
        self.views.setTabToolTip(2, "The first racer's iterates: x, f, ∇f, the step size sᵢ, the Hessian's "
                                    "eigenvalues, and the method's own columns")
        self.views.currentChanged.connect(lambda _i: self.redraw())
        self.reasoning = Reasoning2D(self.contour.plot)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.views)
        splitter.addWidget(self._loss_box())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.caption = StatusCaption(self, "descentCaption")  # the status sentence, readable
        layout.addWidget(self.caption)

        c = self.controller
        c.objective_changed.connect(self._show_objective)
        c.session_reset.connect(self._on_reset)
        c.record_changed.connect(self.redraw)
        c.edited.connect(self.mark_dirty)
        self.history = ScenarioHistory(c.edited, c.to_scenario, c.load, self.document, self)
        self.undo_stack = self.history.stack
        self.contour.start_clicked.connect(self._on_start_clicked)
        self.caption.follow(c)
        self._show_objective()
        self._on_reset()
        self.redraw()
        self.mark_clean()

    def _show_objective(self) -> None:
        objective = self.controller.objective
        self.contour.show_objective(objective)
        self.surface.show_objective(objective, *self.contour.ranges, self.contour.heights)

    def _loss_box(self) -> QWidget:
        """The loss plot with its scale switch beside it, where a lecturer looks for it."""
        box = QWidget()
        row = QHBoxLayout(box)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.loss, 1)
        self.log_check = QCheckBox("log\nscale", objectName="lossLogCheck")
        self.log_check.setToolTip(f"Loss on a logarithmic axis. Switches on by itself when the losses "
                                  f"span {AUTO_LOG_DECADES:g} decades or more, until you choose.")
        row.addWidget(self.log_check, 0, Qt.AlignmentFlag.AlignTop)
        self.log_check.toggled.connect(self.set_log_loss)
        self.loss.log_changed.connect(self._show_log)
        return box

    def _show_log(self, on: bool) -> None:
        with QSignalBlocker(self.log_check):
            self.log_check.setChecked(on)
        self.log_loss_changed.emit(on)

    def log_loss(self) -> bool:
        return self.loss.log

    def _on_start_clicked(self, x1: float, x2: float) -> None:
        (a0, a1), (b0, b1) = self.contour.plot.viewRange()
        self.controller.set_start([style.round_to_view(x1, a1 - a0), style.round_to_view(x2, b1 - b0)])

    def side_panel(self) -> QWidget:
        return self.panel

    plot_names = ("contour", "loss")  # SPEC section 6, in plot_widgets() order

    def plot_widgets(self) -> list:
        return [self.contour, self.loss]

    def set_font_size(self, point_size: int) -> None:
        super().set_font_size(point_size)
        self.surface.set_font_size(point_size)
        self.caption.set_point_size(point_size)

    def set_log_loss(self, on: bool) -> None:
        self.loss.set_log(on)
        self.redraw()

    def _on_reset(self) -> None:
        c = self.controller
        names = [f"{TITLES[s.name]} (lr {format_number(s.lr)})" for s in c.specs]
        self.contour.set_paths(names)
        self.surface.set_paths(names)
        self.reasoning.set_count(len(c.specs))
        self.contour.show_start(c.start)
        self.loss.set_series_count(len(c.specs))

    def redraw(self) -> None:
        """Paths, current points, -grad arrows and loss curves from the shown records."""
        on_surface = self.surface.isVisible()
        for i, s in enumerate(self.controller.sessions):
            current = s.current
            self.contour.show_path(i, gather_path(s, s.cursor), np.ravel(current.x), current.gradient,
                                   current.index)
            if on_surface:
                idx = style.decimate(s.cursor + 1)
                self.surface.show_path(i, s.path(s.cursor)[idx], s.values(s.cursor)[idx])
            self.loss.show_series(i, *gather_loss(s, s.cursor))
            self.reasoning.show(i, s)

    def load_scenario(self, scenario) -> None:
        self.controller.load(scenario)
        self.history.reset()

    def to_scenario(self):
        return self.controller.to_scenario(title="2-D descent")
