"""The network workspace: stepping through back propagation in front of a class.

Layout: step controls and the phase in words on top; the network view beside the
explanation panels (chain rule; nudge table / finite-difference check); loss, fit and
loss-landscape plots below. Settings (editor, data, parameter table) go to the side dock.
Every view redraws from the controller's session after ``record_changed``; in Run mode the
costly views (fit grid, explanation tables) refresh a few times per second only.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from gui.network_controller import NetworkController
from gui.panels.chain_rule_panel import ChainRulePanel
from gui.panels.fd_check_panel import FDCheckPanel
from gui.panels.network_data import NetworkDataPanel
from gui.panels.network_editor import NetworkEditor
from gui.panels.network_steps import NetworkSteps
from gui.panels.nudge_table import LECTURE_NOTE, NudgeTable
from gui.panels.parameter_table import ParameterTable, html_name
from gui.plots.landscape import LandscapePlot
from gui.plots.network_fit import NetworkFitPlot
from gui.plots.network_loss import NetworkLossPlot
from gui.plots.network_view import NetworkView, ViewState
from gui.style import ERROR_COLOUR, configure_pyqtgraph, fmt_vector
from gui.workspaces.base import Workspace

ERROR_SHOWN_MS = 12000
SLOW_REFRESH_S = 0.25     # fit grid and explanation tables while running: 4 times a second
FIT_GRID = 50             # decision-region grid per side
LANDSCAPE_GRID = 60
FD_MAX_WORK = 2_000_000   # n_params * n_obs above which the check is skipped (2 n_params losses)
NUDGE_MAX_WORK = 2_000_000
RUNNING_TABLE_MAX_ROWS = 120  # tables with more rows refresh when Run mode pauses
LECTURE_LATER = ("Lecture example after training: the printed lecture's numbers are those of iteration 0 "
                 "(Reset, or drag the history slider to 0, to compare them).")


def unflatten(theta: np.ndarray, sizes: tuple[int, ...]) -> tuple[tuple, tuple]:
    """Split a theta-ordered vector ``(n_params,)`` into per-layer ``W (n_l, n_{l-1})`` and ``b (n_l,)``."""
    Ws, bs, start = [], [], 0
    for l in range(1, len(sizes)):
        n, p = sizes[l], sizes[l - 1]
        block = np.asarray(theta[start:start + n * (p + 1)]).reshape(n, p + 1)
        Ws.append(block[:, :p])
        bs.append(block[:, p])
        start += n * (p + 1)
    return tuple(Ws), tuple(bs)


class NetworkWorkspace(Workspace):
    """Tab "Network": the lecture's back-propagation example by default."""

    title = "Network"
    kinds = ("network",)

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
        self._on_session_reset()

    # ------------------------------------------------------------------ construction
    def _create_widgets(self) -> None:
        self.steps = NetworkSteps(self)
        self.view = NetworkView(self)
        self.view.setMinimumSize(420, 300)
        self.chain = ChainRulePanel(self)
        self.nudge = NudgeTable(self)
        self.fd = FDCheckPanel(self)
        self.loss_plot = NetworkLossPlot(self)
        self.fit_plot = NetworkFitPlot(self)
        self.landscape = LandscapePlot(self)

        header = QtWidgets.QHBoxLayout()
        self.selected_label = QtWidgets.QLabel(self)
        self.selected_label.setObjectName("selectedParameter")
        self.selected_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.observation = QtWidgets.QSpinBox(self)
        self.observation.setObjectName("explainObservation")
        self.observation.setPrefix("observation ")
        self.observation.setMinimum(1)
        header.addWidget(self.selected_label, 1)
        header.addWidget(self.observation)
        explain = QtWidgets.QWidget(self)
        ev = QtWidgets.QVBoxLayout(explain)
        ev.setContentsMargins(0, 0, 0, 0)
        ev.addLayout(header)
        self.explain_split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical, explain)
        self.explain_split.addWidget(self.chain)
        self.tables = QtWidgets.QTabWidget(explain)
        self.tables.setObjectName("explanationTabs")
        self.tables.addTab(self.nudge, "Nudge table")
        factors = QtWidgets.QScrollArea(explain)
        factors.setWidgetResizable(True)
        factors.setWidget(self.chain.table)
        self.tables.addTab(factors, "Chain-rule factors")
        self.tables.addTab(self.fd, "Finite-difference check")
        self.explain_split.addWidget(self.tables)
        self.explain_split.setSizes([230, 550])
        ev.addWidget(self.explain_split, 1)

        top = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal, self)
        top.addWidget(self.view)
        top.addWidget(explain)
        top.setSizes([560, 640])
        bottom = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal, self)
        for w in (self.loss_plot, self.fit_plot, self.landscape):
            w.setMinimumHeight(220)
            bottom.addWidget(w)
        bottom.setSizes([420, 420, 520])
        self.main_split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical, self)
        self.main_split.addWidget(top)
        self.main_split.addWidget(bottom)
        self.main_split.setSizes([780, 220])
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.lecture_note = QtWidgets.QLabel(LECTURE_NOTE, self)
        self.lecture_note.setObjectName("lectureNote")
        self.lecture_note.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.lecture_note.setWordWrap(True)
        self.lecture_note.setStyleSheet("background: #fff4d6; border: 1px solid #d8b25c; padding: 4px;")
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
        self._side = QtWidgets.QTabWidget()
        self._side.setObjectName("networkSettings")
        for widget, name in ((self.editor, "Network"), (self.data_panel, "Data")):
            scroll = QtWidgets.QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(widget)
            self._side.addTab(scroll, name)
        self._side.addTab(self.params, "Parameters")

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
        self.loss_plot.set_log(on)
        self.refresh()

    # ------------------------------------------------------------------ redrawing
    def _on_session_reset(self) -> None:
        c = self.controller
        s = c.session
        self.view.set_architecture(s.network.sizes)
        self.editor.show_config(c.config(), s.network.inputs, s.network.n_outputs)
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
        self.steps.show_position(c.phase_text, t, c.history_length, t, c.finished)
        self.steps.show_granularity(c.granularity)
        self.steps.set_speed(c.speed)  # the window's own speed slider may have changed it
        self.view.show_state(self._view_state())
        caption = self._caption()
        if self.view.caption.text != caption:  # a new caption re-lays out the view
            self.view.caption.setText(caption)
        # Loss, landscape, fit, parameters and the nudge table depend on the parameters only, so a
        # phase step inside an iteration leaves them (and their repaint) alone.
        key = (id(s), t, s.theta().tobytes(), self.loss_plot.log, s.frozen)
        theta_changed = force or key != self._theta_key
        self._theta_key = key
        if theta_changed:
            # The printed lecture's numbers are those of iteration 0; later the banner keeps its
            # place (so the layout does not jump) and says so.
            self.lecture_note.setVisible(c.is_lecture_example)
            text = LECTURE_NOTE if t == 0 else LECTURE_LATER
            if self.lecture_note.text() != text:  # a new text re-lays out the whole workspace
                self.lecture_note.setText(text)
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
            self._refresh_fit()
            self._refresh_explanations(nudge=True)
        else:
            self._slow_pending = self._slow_pending or theta_changed
            if not c.running:
                self._refresh_explanations(nudge=False)

    def _caption(self) -> str:
        c = self.controller
        obs = c.current_observation()
        sizes = "-".join(map(str, c.session.network.sizes))
        where = f" · observation {obs + 1}" if obs is not None and c.session.cursor[1] > 0 else ""
        return f"{sizes} network, {c.loss_name} loss{where}"

    def _view_state(self) -> ViewState:
        c = self.controller
        s = c.session
        net = s.network_at()
        Ws = tuple(layer.W for layer in net.layers)
        bs = tuple(layer.b for layer in net.layers)
        L = net.depth
        t, p = s.cursor
        frozen = frozenset(s.frozen)
        if p == 0:
            nxt = s.next_phase
            obs = nxt.observation if nxt is not None else None
            inputs = s.X[obs] if obs is not None else None
            last = s.last_phase
            focus_edges = 0 if last is not None and last.kind == "update" else None
            return ViewState(Ws, bs, inputs, (None,) * L, (None,) * L, (None,) * L,
                             focus_edges_layer=focus_edges, frozen=frozen)
        part = s.partial()
        last = s.last_phase
        obs = last.observation if last is not None and last.observation is not None else int(part.rows[-1])
        i = int(np.flatnonzero(part.rows == obs)[0]) if obs in part.rows else len(part.rows) - 1
        z = tuple(part.z(i, l) for l in range(1, L + 1))
        a = tuple(part.a(i, l) for l in range(1, L + 1))
        d = tuple(part.delta(i, l) for l in range(1, L + 1))
        backward = last is not None and last.kind in ("backward", "update") or part.complete
        gw, gb = unflatten(part.gradient, net.sizes) if backward else (None, None)
        focus_nodes: tuple = ()
        focus_edges = None
        if last is not None:
            if last.kind in ("forward", "backward") and last.layer is not None:
                focus_nodes = tuple((last.layer, j) for j in range(net.sizes[last.layer]))
                focus_edges = last.layer
            elif last.kind == "loss":
                focus_nodes = tuple((L, j) for j in range(net.sizes[L]))
        return ViewState(Ws, bs, part.record.a[0][i], z, a, d, gw, gb, backward, focus_nodes,
                         focus_edges, frozen)

    def _refresh_params(self) -> None:
        s = self.controller.session
        if self.controller.running and (s.network.n_params > RUNNING_TABLE_MAX_ROWS or not self.params.isVisible()):
            return
        rec = s.record()
        self.params.show_parameters(s.param_names, s.theta(), rec.gradient, s.frozen)
        self.params.select_parameter(self.selected)

    def _refresh_fit(self) -> None:
        c = self.controller
        s = c.session
        X, Y = s.X, s.Y
        if c.is_classification and X.shape[1] == 2:
            lo, hi = X.min(axis=0), X.max(axis=0)
            pad = 0.1 * np.maximum(hi - lo, 1e-9)
            xs = np.linspace(lo[0] - pad[0], hi[0] + pad[0], FIT_GRID)
            ys = np.linspace(lo[1] - pad[1], hi[1] + pad[1], FIT_GRID)
            grid = np.column_stack([np.tile(xs, len(ys)), np.repeat(ys, len(xs))])
            probs = s.predict(grid)
            labels = np.argmax(Y, axis=1) if Y.shape[1] > 1 else (Y[:, 0] >= 0.5).astype(int)
            if probs.shape[1] == 1:
                probs = np.column_stack([1.0 - probs[:, 0], probs[:, 0]])
            self.fit_plot.show_classification(X, labels, xs, ys, probs.reshape(len(ys), len(xs), -1),
                                              *c.dataset.input_names[:2])
        elif X.shape[1] == 1 and Y.shape[1] == 1 and not c.is_classification:
            lo, hi = float(X.min()), float(X.max())
            pad = 0.05 * max(hi - lo, 1e-9)
            grid = np.linspace(lo - pad, hi + pad, 200)
            pred = s.predict(grid[:, None])[:, 0]
            self.fit_plot.show_regression(X[:, 0], Y[:, 0], grid, pred, c.dataset.input_names[0],
                                          c.dataset.target_names[0])
        else:
            self.fit_plot.show_scatter(Y[:, 0], s.predict(X)[:, 0])

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
        xs, ys = self._landscape_axes(path, force)
        self.landscape.show_grid(xs, ys, s.landscape(x, y, xs, ys))

    def _landscape_axes(self, path: np.ndarray, force: bool) -> tuple[np.ndarray, np.ndarray]:
        """Grid axes around the path; the previous ones while the path stays well inside them, so
        the axes (and their costly repaint) change only when the path nears an edge."""
        old = self._landscape_range
        if not force and old is not None:
            (x0, x1), (y0, y1) = old
            mx, my = 0.1 * (x1 - x0), 0.1 * (y1 - y0)
            if (path[:, 0].min() >= x0 + mx and path[:, 0].max() <= x1 - mx
                    and path[:, 1].min() >= y0 + my and path[:, 1].max() <= y1 - my):
                return np.linspace(x0, x1, LANDSCAPE_GRID), np.linspace(y0, y1, LANDSCAPE_GRID)
        half_x = max(1.0, 0.75 * float(np.ptp(path[:, 0])))
        half_y = max(1.0, 0.75 * float(np.ptp(path[:, 1])))
        cx, cy = float(path[:, 0].mean()), float(path[:, 1].mean())
        self._landscape_range = ((cx - half_x, cx + half_x), (cy - half_y, cy + half_y))
        return (np.linspace(cx - half_x, cx + half_x, LANDSCAPE_GRID),
                np.linspace(cy - half_y, cy + half_y, LANDSCAPE_GRID))

    def _on_running(self, on: bool) -> None:
        self.steps.show_running(on)
        if not on:
            self.refresh(force=True)

    # ------------------------------------------------------------------ explanations
    def _explained_observation(self) -> int:
        """0-based dataset row: the current phase's observation while stepping, else the spin box."""
        obs = self.controller.current_observation()
        if obs is not None and self.controller.session.cursor[1] > 0:
            blocker = QtCore.QSignalBlocker(self.observation)
            self.observation.setValue(obs + 1)
            del blocker
            return obs
        return self.observation.value() - 1

    def _refresh_explanations(self, nudge: bool = True) -> None:
        c = self.controller
        s = c.session
        if self.selected not in s.param_names:
            return
        self.selected_label.setText(f"Selected: <b>{html_name(self.selected)}</b> "
                                    f"(click an edge or a node to choose)")
        obs = min(self._explained_observation(), s.n_obs - 1)
        rec = s.record()
        self._show_chain(rec, obs)
        if self.tables.currentWidget() is self.nudge:
            # a big table refreshed while running costs more than the frame it delays
            if nudge and not (c.running and len(s.param_names) > RUNNING_TABLE_MAX_ROWS):
                self._show_nudges(rec, obs)
        elif not c.running:
            self._show_fd()

    def _show_chain(self, rec, obs: int) -> None:
        s = self.controller.session
        cr = self.controller.chain_rule(self.selected, obs)
        idx = s.network.param_index(self.selected)
        heading = f"Observation {obs + 1}: x = {fmt_vector(s.X[obs])}, y = {fmt_vector(s.Y[obs])}"
        self.chain.show_chain_rule(cr, heading, float(rec.gradient[idx]), s.n_obs)

    def _show_nudges(self, rec, obs: int) -> None:
        s = self.controller.session
        names = s.param_names
        if s.n_obs * len(names) * rec.output.shape[1] > NUDGE_MAX_WORK:
            self.nudge.show_message("The nudge table is shown for small data sets and networks only.")
            return
        shown = list(range(min(s.n_obs, 4)))
        if obs not in shown:
            shown = shown[:3] + [obs]
        self.nudge.show_record(rec, names, shown, self.selected)

    def _show_fd(self) -> None:
        s = self.controller.session
        if s.network.n_params * s.n_obs > FD_MAX_WORK:
            self.fd.show_message("The finite-difference check is skipped for this large network.")
            return
        self.fd.show_fd(self.controller.finite_difference_check())
