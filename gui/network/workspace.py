"""The network workspace: stepping through back propagation in front of a class.

Layout: step controls and the phase in words on top; the network view beside the
explanation panels (chain rule; nudge table / finite-difference check); loss, fit and
loss-landscape plots below. Settings (editor, data, parameter table) go to the side dock.
Every view redraws from the controller's session after ``record_changed``; in Run mode the
costly views (fit grid, explanation tables) refresh a few times per second only. The widgets
are built in ``network_layout``, what the views show is read in ``network_state``, and the
explanation panels are refreshed by ``network_explain``.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from gui.network.controller import NetworkController
from gui.network.nudge_table import LECTURE_NOTE, LECTURE_NOTE_FOLDED
from gui.common.style import configure_pyqtgraph
from gui.common.workspace import Workspace
from gui.network.explanations import RUNNING_TABLE_MAX_ROWS, ExplanationRefresh
from gui.network.layout import NetworkLayout
from gui.network.view_state import (editor_config, grid_axes, landscape_range, phase_text, show_fit,
                                     view_caption, view_state)

SLOW_REFRESH_S = 0.25     # fit grid and explanation tables while running: 4 times a second
LECTURE_LATER = ("Lecture example after training: the printed lecture's numbers are those of iteration 0 "
                 "(Reset, or drag the history slider to 0, to compare them).")

#: Below this window height the banner starts folded, so the nudge table keeps its rows.
FOLD_BELOW_PX = 860

__all__ = ["NetworkWorkspace"]


class NetworkWorkspace(NetworkLayout, ExplanationRefresh, Workspace):
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
        self._note_folded: bool | None = None  # None: folded when the window is short
        self._create_widgets()
        self._create_side_panel()
        self._connect()
        self._on_session_reset()

    def side_panel(self) -> QtWidgets.QWidget:
        return self._side

    def _create_shortcuts(self) -> None:
        """Presentation clickers send Page Down / Page Up: step and back at the chosen granularity."""
        for key, slot in ((QtGui.QKeySequence.StandardKey.MoveToNextPage, lambda: self.controller.step(1)),
                          (QtGui.QKeySequence.StandardKey.MoveToPreviousPage, self.controller.back)):
            shortcut = QtGui.QShortcut(QtGui.QKeySequence(key), self)
            shortcut.setContext(QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

    def _connect(self) -> None:
        self._create_shortcuts()
        c = self.controller
        c.record_changed.connect(self.refresh)
        c.session_reset.connect(self._on_session_reset)
        c.running_changed.connect(self._on_running)
        c.data_error.connect(self.data_panel.show_error)
        c.error.connect(self.show_error)
        s = self.steps
        s.step_requested.connect(c.step_granularity)
        s.back_requested.connect(c.back)
        s.reset_requested.connect(lambda: (c.set_running(False), c.reset()))
        s.run_toggled.connect(c.set_running)
        s.speed_changed.connect(c.set_speed)
        s.jump_requested.connect(c.jump)
        self.view.parameter_selected.connect(self.select_parameter)
        self.view.parameter_edited.connect(self._edit_parameter)
        self.params.parameter_selected.connect(self.select_parameter)
        self.params.value_edited.connect(self._edit_parameter)
        self.params.frozen_changed.connect(c.set_frozen)
        self.nudge.parameter_selected.connect(self.select_parameter)
        self.editor.config_changed.connect(self._apply_config)
        self.editor.randomise_requested.connect(c.randomise)
        self.data_panel.lecture_requested.connect(c.use_lecture)
        self.data_panel.builtin_requested.connect(c.use_builtin)
        self.data_panel.csv_requested.connect(c.use_csv)
        self.data_panel.observations_edited.connect(c.edit_observations)
        self.landscape.pair_changed.connect(lambda *_: self._refresh_landscape(force=True))
        self.observation.valueChanged.connect(lambda *_: self._refresh_explanations())
        self.tables.currentChanged.connect(lambda *_: self._refresh_explanations())

    # ------------------------------------------------------------------ intents
    def _show_lecture_note(self) -> None:
        """The banner's text: the slips at iteration 0 (folded to one line if asked or if the
        window is short), a pointer back to iteration 0 later on."""
        folded = self._note_folded
        if folded is None:
            folded = self.window().height() < FOLD_BELOW_PX
        if self.controller.cursor > 0:
            text = LECTURE_LATER
        elif folded:
            text = LECTURE_NOTE_FOLDED
        else:
            text = LECTURE_NOTE + " <a href='less'>Fold</a>"
        if self.lecture_note.text() != text:  # a new text re-lays out the whole workspace
            self.lecture_note.setText(text)

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._note_folded is None and self.lecture_note.isVisible():
            self._show_lecture_note()

    def _on_note_link(self, link: str) -> None:
        self._note_folded = link == "less"
        self._show_lecture_note()

    def select_parameter(self, name: str) -> None:
        """Make ``name`` (lecture notation) the parameter the explanation panels explain."""
        if name not in self.controller.session.param_names:
            return
        self.selected = name
        self.view.select(name)
        self.params.select_parameter(name)
        self._refresh_explanations()

    def _edit_parameter(self, name: str, value: float) -> None:
        self.controller.set_parameter(name, value)
        self.mark_dirty()

    def _apply_config(self, cfg: dict) -> None:
        self.controller.apply_config(cfg)
        self.mark_dirty()

    def show_error(self, headline: str, detail: str) -> None:
        """Headline and hint above the panels for a while (the window's status bar shows it too)."""
        self.error_label.setText(f"{headline}: {detail}")
        self.error_label.show()
        self._error_timer.start()

    # ------------------------------------------------------------------ Workspace interface
    def load_scenario(self, scenario) -> None:
        self.controller.load_scenario(scenario)
        self.mark_clean()

    def to_scenario(self):
        return self.controller.to_scenario()

    def plot_widgets(self) -> list:
        return [self.view, self.loss_plot, self.fit_plot, self.landscape.plot]

    def set_font_size(self, point_size: int) -> None:
        """View > Bigger/Smaller font: plots restyled, explicit fonts and table columns follow."""
        super().set_font_size(point_size)
        self.steps.set_point_size(point_size)
        for label in (self.lecture_note, self.error_label):
            font = label.font()
            font.setPointSize(point_size)
            label.setFont(font)
        self.nudge.relayout()
        self.params.relayout()
        self.refresh(force=True)

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
            self._forget_explanations()
        self.steps.show_position(phase_text(s), t, c.history_length, t, c.finished)
        self.steps.show_granularity(c.granularity)
        self.steps.set_speed(c.speed)  # the window's own speed slider may have changed it
        self.view.show_state(view_state(s))
        self.view.set_caption(view_caption(s))
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
        t = s.cursor[0]
        stride = max(1, (t + 1) // 2000)
        path = s.parameter_path([x, y], stride)
        path = path[: t // stride + 1]
        if len(path) == 0 or path[-1, 0] != s.theta()[s.network.param_index(x)]:
            path = np.vstack([path, [[s.theta()[s.network.param_index(x)], s.theta()[s.network.param_index(y)]]]])
        self.landscape.show_path(path[:, 0], path[:, 1])
        # The slice depends on every other parameter: recompute when they moved, but never per frame.
        key = (x, y, s.theta().tobytes())
        if not force and (self.controller.running or key == self._grid_key):
            return
        self._grid_key = key
        self._landscape_range = landscape_range(path, self._landscape_range, force)
        xs, ys = grid_axes(self._landscape_range)
        self.landscape.show_grid(xs, ys, s.landscape(x, y, xs, ys))

    def _on_running(self, on: bool) -> None:
        self.steps.show_running(on)
        if not on:
            self.refresh(force=True)
