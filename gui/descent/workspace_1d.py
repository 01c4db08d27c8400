"""The 1-D descent workspace (SPEC 1.1): f with numbered iterates, f' below, basins, the table."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget

from gui.common import style
from gui.common.caption import StatusCaption
from gui.descent.controller import DescentController
from gui.descent.function_panel import FunctionPanel
from gui.descent.iterate_table import IterateTable
from gui.descent.basins_plot import BasinsStrip
from gui.descent.curve_plot import Curve1DPlot, plot_range_1d
from gui.descent.derivative_plot import Derivative1DPlot
from gui.descent.reasoning_1d import Reasoning1D
from gui.common.undo import ScenarioHistory
from gui.common.workspace import Workspace

#: Largest share of the workspace's width the iterate table takes unless dragged wider.
TABLE_SHARE = 0.45
BASIN_STARTS = 121
BASIN_MAX_ITER = 400


def gather(session, upto: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Decimated iterates 0..upto of ``session``: (numbers, x, f, f') as float arrays."""
    idx = style.decimate(upto + 1)
    xs = session.path(upto)[idx, 0]
    fs = session.values(upto)[idx]
    # One vectorised call instead of building up to 2000 Iterate records per frame; the
    # current point's slope is taken from its record by the caller.
    with np.errstate(all="ignore"):
        ds = np.asarray(session.objective.gradients(xs[:, None])[:, 0], dtype=np.float64)
    return idx, xs, fs, ds


class Descent1DWorkspace(Workspace):
    title = "1-D descent"
    kinds = ("function1d",)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = DescentController(1, self)
        self.panel = FunctionPanel(self.controller)
        self.curve = Curve1DPlot()
        self.basins = BasinsStrip()
        self.derivative = Derivative1DPlot()
        self.derivative.setXLink(self.curve)
        self.basins.setXLink(self.curve)
        self.table = IterateTable(self.controller)
        self.reasoning = Reasoning1D(self.curve.getPlotItem())

        plots = QWidget()
        column = QVBoxLayout(plots)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.curve, 3)
        column.addWidget(self.basins)
        column.addWidget(self.derivative, 2)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(plots)
        splitter.addWidget(self.table)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 0)
        self.splitter = splitter
        self._split_by_hand = False
        splitter.splitterMoved.connect(lambda *_: setattr(self, "_split_by_hand", True))
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)
        self.caption = StatusCaption(self, "descentCaption")  # the status sentence, readable
        layout.addWidget(self.caption)

        self._basin_key = None
        c = self.controller
        c.objective_changed.connect(self._on_objective)
        c.session_reset.connect(self.schedule_basins)
        c.record_changed.connect(self.redraw)
        c.edited.connect(self.mark_dirty)
        self.history = ScenarioHistory(c.edited, c.to_scenario, c.load, self.document, self)
        self.undo_stack = self.history.stack
        self.curve.start_clicked.connect(self._on_start_clicked)
        self.caption.follow(c)
        self._on_objective()
        self.redraw()
        self.schedule_basins()
        self.mark_clean()

    def _on_start_clicked(self, x: float) -> None:
        (x0, x1), _ = self.curve.viewRange()
        self.controller.set_start([style.round_to_view(x, x1 - x0)])

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if not self._split_by_hand:
            self._split()

    def _split(self) -> None:
        """The table gets the width its numbers want (its size hint) while the plots keep at least
        TABLE_SHARE of the room; on a narrow projector it gets only its minimum."""
        total = self.splitter.width() - self.splitter.handleWidth()
        table = min(self.table.sizeHint().width(),
                    max(self.table.minimumWidth(), int(TABLE_SHARE * total)))
        self.splitter.setSizes([total - table, table])

    def side_panel(self) -> QWidget:
        return self.panel

    def is_busy(self) -> bool:
        return self.basins.runner.busy

    plot_names = ("function", "derivative", "basins")  # SPEC section 6, in plot_widgets() order

    def plot_widgets(self) -> list:
        return [self.curve, self.derivative, self.basins]

    def set_font_size(self, point_size: int) -> None:
        super().set_font_size(point_size)
        self.caption.set_point_size(point_size)

    def _on_objective(self) -> None:
        self.curve.show_objective(self.controller.objective)
        self.derivative.show_objective(self.controller.objective)

    def redraw(self) -> None:
        """Every plot from the shown record of the session (decimated for long runs)."""
        s = self.controller.sessions[0]
        numbers, xs, fs, ds = gather(s, s.cursor)
        slope = float(s.current.gradient[0])
        self.curve.show_record(xs, fs, numbers, xs[-1], fs[-1], slope)
        self.derivative.show_record(xs, ds, xs[-1], slope)
        self.reasoning.show(s)

    def _basin_inputs(self):
        c = self.controller
        return (c.objective, c.specs[0], max(c.tol, 1e-6))

    def _basin_starts(self) -> np.ndarray:
        return np.linspace(*plot_range_1d(self.controller.objective), BASIN_STARTS)

    def update_basins(self) -> None:
        """Recolour the strip now for the current objective and method (blocks until done)."""
        from gui.descent.basins_plot import basins_of

        self.basins.runner.cancel()
        objective, spec, tol = self._basin_inputs()
        self.basins.show_basins(*basins_of(objective, spec, tol, BASIN_MAX_ITER, self._basin_starts()))

    def schedule_basins(self) -> None:
        """Recompute the basins in the background, if the function or method changed."""
        key = tuple(id(v) if i == 0 else v for i, v in enumerate(self._basin_inputs()))
        if key == self._basin_key:
            return  # a new start point does not move the basins
        self._basin_key = key
        objective, spec, tol = self._basin_inputs()
        self.basins.compute(objective, spec, tol, BASIN_MAX_ITER, self._basin_starts())

    def load_scenario(self, scenario) -> None:
        self.controller.load(scenario)
        self.history.reset()

    def to_scenario(self):
        return self.controller.to_scenario(title="1-D descent")
