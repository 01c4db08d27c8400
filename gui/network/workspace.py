"""The network workspace: stepping through back propagation in front of a class.

Layout: step controls and the phase in words on top; the network view beside the
explanation panels (chain rule; nudge table / finite-difference check); loss, fit and
loss-landscape plots below (``NetworkLayout``, which presentation mode rearranges). Settings
(editor, data, parameter table) go to the side dock.
Every view redraws from the controller's session after ``record_changed``; in Run mode the
costly views (fit grid, explanation tables) refresh a few times per second only. What the views
show is read in ``view_state``; the explanation column (``ExplanationPanels``) and the lecture
banner (``LectureBanner``) are widgets of their own that the workspace owns.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from gui.common.caption import StatusCaption, with_caption
from gui.common.style import ERROR_COLOUR, configure_pyqtgraph
from gui.common.workspace import KeyBinding, Workspace
from gui.network.controller import NetworkController
from gui.network.data_panel import NetworkDataPanel
from gui.network.editor import NetworkEditor
from gui.network.edits import network_history
from gui.network.explanations import RUNNING_TABLE_MAX_ROWS, ExplanationPanels
from gui.network.graph_view import graph_tabs
from gui.network.fit_plot import NetworkFitPlot
from gui.network.layout import NetworkLayout
from gui.network.landscape_plot import LandscapePlot
from gui.network.lecture_banner import LectureBanner
from gui.network.loss_plot import NetworkLossPlot
from gui.network.parameter_table import ParameterTable
from gui.network.side_panel import settings_tabs
from gui.network.steps_bar import NetworkSteps
from gui.network.view import NetworkView
from gui.network.view_state import (editor_config, grid_axes, landscape_path, landscape_range, phase_text,
                                     show_fit, test_loss_points, view_caption, view_state)
from gui.network.where_to_look import WhereToLook

SLOW_REFRESH_S = 0.25     # fit grid and explanation tables while running: 4 times a second
ERROR_SHOWN_MS = 12000
#: One key per step size (the buttons' tooltips name them too).
STEP_KEYS = (("P", "phase", "Phase ▶: one phase"),
             ("O", "observation", "Observation ▶▶: finish the observation"),
             ("I", "iteration", "Iteration ▶▶▶: finish the iteration"))

__all__ = ["NetworkWorkspace"]


class NetworkWorkspace(Workspace):
    """Tab "Network": the lecture's back-propagation example by default."""

    title = "Network"
    kinds = ("network",)
    has_step_controls = True

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        configure_pyqtgraph()
        self.controller = NetworkController(self)
        self.selected = "w(1)[1,1]"
        self._last_slow = 0.0
        self._grid_key = None
        self._theta_key = None
        self._landscape_range = None
        self._slow_pending = False
        self._create_widgets()
        self._create_side_panel()
        self._connect()
        self.where_to_look = WhereToLook(self)
        self._on_session_reset()

    def _create_widgets(self) -> None:
        # Opaque: a label or table updated on a step then repaints the workspace only, not the
        # main window, tab widget and splitters beneath it (several megapixels per step otherwise).
        self.setAutoFillBackground(True)
        self.steps = NetworkSteps(self, work=self.controller.moves.runner)  # with a step's background work
        self.view = NetworkView(self)
        self.view.setMinimumSize(300, 140)  # with its caption under it, still on a 1024x700 screen
        self.explanations = ExplanationPanels(self.controller, self)
        e = self.explanations
        # the panels the workspace wires to its controller and the tests drive
        self.chain, self.nudge, self.fd, self.tables = e.chain, e.nudge, e.fd, e.tables
        self.observation, self.copy_button = e.observation, e.copy_button
        self.loss_plot = NetworkLossPlot(self)
        self.fit_plot = NetworkFitPlot(self)
        self.landscape = LandscapePlot(self)
        self.lecture_note = LectureBanner(self)
        self.caption = StatusCaption(self, "networkCaption")  # what the step computed, in words
        # the network view and the chain rule as a graph share the view's place, the caption under them
        self.arrangement = NetworkLayout(self, with_caption(graph_tabs(self), self.caption), self.explanations, [
            (self.loss_plot, "Loss"), (self.fit_plot, "Fit"), (self.landscape, "Landscape")], self.lecture_note)
        self.main_split = self.arrangement.widget
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.error_label = QtWidgets.QLabel(self)
        self.error_label.setObjectName("networkError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
        self.error_label.hide()
        self._error_timer = QtCore.QTimer(self)
        self._error_timer.setSingleShot(True)
        self._error_timer.setInterval(ERROR_SHOWN_MS)
        self._error_timer.timeout.connect(self.error_label.hide)
        layout.addWidget(self.steps)
        layout.addWidget(self.error_label)
        layout.addWidget(self.lecture_note)
        layout.addWidget(self.main_split, 1)

    def _create_side_panel(self) -> None:
        self.editor = NetworkEditor()
        self.data_panel = NetworkDataPanel()
        self.params = ParameterTable()
        self._side = settings_tabs(self.editor, self.data_panel, self.params)

    def side_panel(self) -> QtWidgets.QWidget:
        return self._side

    def key_bindings(self) -> list[KeyBinding]:
        """The clicker's keys (at the step size last chosen), and a key for each step size."""
        step = self.controller.step_granularity
        return [*super().key_bindings(), *(KeyBinding(key, what, lambda g=g: step(g)) for key, g, what in STEP_KEYS)]

    def _connect(self) -> None:
        c = self.controller
        c.record_changed.connect(self.refresh)
        c.session_reset.connect(self._on_session_reset)
        c.running_changed.connect(self._on_running)
        c.data_error.connect(self.data_panel.show_error)
        c.error.connect(self.show_error)
        c.edited.connect(self.mark_dirty)
        self.history = network_history(c, self.document, self)
        self.undo_stack = self.history.stack
        s = self.steps
        s.step_requested.connect(c.step_granularity)
        s.back_requested.connect(c.back)
        s.reset_requested.connect(lambda: (c.set_running(False), c.reset()))
        s.run_toggled.connect(c.set_running)
        s.speed_changed.connect(c.set_speed)
        s.jump_requested.connect(c.scrub)
        self.view.parameter_selected.connect(self.select_parameter)
        self.view.parameter_edited.connect(c.set_parameter)
        self.params.parameter_selected.connect(self.select_parameter)
        self.params.value_edited.connect(c.set_parameter)
        self.params.frozen_changed.connect(c.set_frozen)
        self.nudge.parameter_selected.connect(self.select_parameter)
        self.editor.config_changed.connect(c.apply_config)
        self.editor.randomise_requested.connect(c.randomise)
        self.data_panel.lecture_requested.connect(c.use_lecture)
        self.data_panel.builtin_requested.connect(c.use_builtin)
        self.data_panel.csv_requested.connect(c.use_csv)
        self.data_panel.observations_edited.connect(c.edit_observations)
        self.explanations.copy_requested.connect(self.copy_explanation)
        self.lecture_note.linkActivated.connect(self._on_note_link)
        self.landscape.pair_changed.connect(lambda *_: self._refresh_landscape(force=True))
        self.observation.valueChanged.connect(lambda *_: self._refresh_explanations())
        self.tables.currentChanged.connect(lambda *_: self._refresh_explanations())

    # ------------------------------------------------------------------ intents
    def _show_lecture_note(self) -> None:
        """The banner's text for the iteration at the cursor."""
        self.lecture_note.show_at(self.controller.cursor)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt override
        """A short window folds the banner, a tall one unfolds it, unless the person chose."""
        super().resizeEvent(event)
        if self.lecture_note.folded is None and self.lecture_note.isVisible():
            self._show_lecture_note()
        if self.arrangement.presenting:
            self.arrangement.fit()

    def _on_note_link(self, link: str) -> None:
        """The banner's "Fold" (``less``) and "Show them" (``more``) links."""
        self.lecture_note.folded = link == "less"
        self._show_lecture_note()

    def copy_explanation(self, fmt: str) -> str:
        """Put the selected parameter's chain rule and the nudge table on the clipboard as ``fmt``
        (markdown, latex or text); returns the text."""
        return self.explanations.copy(self.selected, fmt)

    def _refresh_explanations(self, nudge: bool = True) -> None:
        """The explanation panels for the selected parameter at the cursor."""
        self.explanations.refresh(self.selected, self._theta_key, nudge)
        self.graph.refresh()
        self.images.update_tab()

    def select_parameter(self, name: str) -> None:
        """Make ``name`` (lecture notation) the parameter the explanation panels explain."""
        if name not in self.controller.session.param_names:
            return
        self.selected = name
        self.view.select(name)
        self.params.select_parameter(name)
        self._refresh_explanations()

    def show_error(self, headline: str, detail: str) -> None:
        """Headline and hint above the panels for a while (the window's status bar shows it too)."""
        self.error_label.setText(f"{headline}: {detail}")
        self.error_label.show()
        self._error_timer.start()

    # ------------------------------------------------------------------ Workspace interface
    def load_scenario(self, scenario) -> None:
        self.controller.load_scenario(scenario)
        self.history.reset()
        self.mark_clean()

    def to_scenario(self):
        return self.controller.to_scenario()

    plot_names = ("network", "loss", "fit", "landscape")  # SPEC section 6, in plot_widgets() order

    def plot_widgets(self) -> list:
        return [self.view, self.loss_plot, self.fit_plot, self.landscape.plot]

    def set_font_size(self, point_size: int) -> None:
        """View > Bigger/Smaller font: plots restyled, explicit fonts and table columns follow."""
        super().set_font_size(point_size)
        self.steps.set_point_size(point_size)
        self.caption.set_point_size(point_size)
        for label in (self.lecture_note, self.error_label):
            font = label.font()
            font.setPointSize(point_size)
            label.setFont(font)
        self.view.set_font_size(point_size)
        self.explanations.set_font_size(point_size)
        self.params.relayout()
        self.refresh(force=True)

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: the explanation column gets the height and the width its tables need
        (``NetworkLayout``), its chain rule in larger type; the plots go behind tabs."""
        self.explanations.set_presentation(on)
        self.refresh(force=True)
        self.arrangement.set_presentation(on)

    def set_log_loss(self, on: bool) -> None:
        changed = on != self.loss_plot.log
        self.loss_plot.set_log(on)
        self.refresh()
        if changed:
            self.log_loss_changed.emit(on)

    def log_loss(self) -> bool:
        return self.loss_plot.log

    # ------------------------------------------------------------------ redrawing
    def _on_session_reset(self) -> None:
        c = self.controller
        s = c.session
        self.view.set_architecture(s.network.sizes)
        self.editor.show_config(editor_config(s, c.seed), s.network.inputs, s.network.n_outputs)
        d = c.dataset
        self.data_panel.show_dataset(d.inputs, d.targets, d.input_names, d.target_names, d.title or c.title)
        self.data_panel.show_source(c.data_spec)
        names = s.param_names
        if self.selected not in names:
            self.selected = names[0]
        self.view.select(self.selected)
        pair = self._default_pair(names)
        self.landscape.set_parameters(names, *pair)
        blocker = QtCore.QSignalBlocker(self.observation)
        self.observation.setMaximum(s.n_obs)
        del blocker
        self._grid_key = None
        self._landscape_range = None
        self.refresh(force=True)

    def _default_pair(self, names: list[str]) -> tuple[str, str]:
        x, y = self.landscape.pair()
        if x in names and y in names and x != y:
            return x, y
        return names[0], names[1] if len(names) > 1 else names[0]

    def refresh(self, force: bool = False) -> None:
        """Redraw every view from the session at the cursor."""
        c = self.controller
        s = c.session
        t, p = s.cursor
        if force:
            self.explanations.forget()
        self.steps.show_position(phase_text(s), c.history_scale.position(s, c.granularity), (t, p) != (0, 0),
                                 c.finished)
        self.steps.show_granularity(c.granularity)
        self.steps.set_speed(c.speed)  # the window's own speed slider may have changed it
        state = view_state(s, self.where_to_look.finished_pass())
        self.view.show_state(state)
        self.view.set_caption(view_caption(s, state))
        # Loss, landscape, fit, parameters and the nudge table depend on the parameters only, so a
        # phase step inside an iteration leaves them (and their repaint) alone.
        key = (id(s), t, s.theta().tobytes(), self.loss_plot.log, s.frozen)
        theta_changed = force or key != self._theta_key
        self._theta_key = key
        if theta_changed:
            # The printed lecture's numbers are those of iteration 0; later the banner keeps its
            # place (so the layout does not jump) and says so.
            self.lecture_note.setVisible(c.is_lecture_example)
            self._show_lecture_note()
            # Up to the cursor only, so that Back shows exactly what was shown before.
            losses = c.losses()[: t + 1]
            self.loss_plot.show_losses(np.arange(len(losses)), losses, t)
            self.loss_plot.show_test_losses(*test_loss_points(s, t))
            self._refresh_landscape()
        now = time.perf_counter()
        slow_due = force or not c.running or now - self._last_slow >= SLOW_REFRESH_S
        if slow_due and (theta_changed or self._slow_pending):
            self._last_slow = now
            self._slow_pending = False
            self._refresh_params()
            show_fit(self.controller, self.fit_plot)
            self._refresh_explanations(nudge=True)
        else:
            self._slow_pending = self._slow_pending or theta_changed
            if not c.running:
                self._refresh_explanations(nudge=False)

    def _refresh_params(self) -> None:
        s = self.controller.session
        if self.controller.running and (s.network.n_params > RUNNING_TABLE_MAX_ROWS or not self.params.isVisible()):
            return
        rec = s.record()
        self.params.show_parameters(s.param_names, s.theta(), rec.gradient, s.frozen)
        self.params.select_parameter(self.selected)

    def _refresh_landscape(self, force: bool = False) -> None:
        s = self.controller.session
        x, y = self.landscape.pair()
        names = s.param_names
        if x not in names or y not in names:
            return
        path = landscape_path(s, x, y)
        self.landscape.show_path(path[:, 0], path[:, 1])
        # The slice depends on every other parameter: recompute when they moved, but never per frame.
        key = (x, y, s.theta().tobytes())
        if not force and (self.controller.running or key == self._grid_key):
            return
        self._grid_key = key
        self._landscape_range = landscape_range(path, self._landscape_range, force)
        xs, ys = grid_axes(self._landscape_range)
        self.landscape.request_grid(s, x, y, xs, ys)  # computed in the background

    def _on_running(self, on: bool) -> None:
        self.steps.show_running(on)
        if not on:
            self.refresh(force=True)
