"""The explanation column beside the network view: the selected parameter and the observation
explained, its chain rule, and the nudge table / chain-rule factors / gradient check tabs with
"Copy as". Each panel is recomputed only when what it shows changed, and the table tabs only
while visible (a hidden tab refreshes when shown).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from engine.chain_rule import chain_rule
from engine.notes import explanation_notes
from gui.network.chain_rule_panel import ChainRulePanel
from gui.network.fd_check_panel import FDCheckPanel
from gui.network.nudge_table import NudgeTable
from gui.network.parameter_table import html_name
from gui.network.view_matrix import short_vector
from gui.network.view_state import current_observation

FD_MAX_WORK = 2_000_000   # n_params * n_obs above which the check is skipped (2 n_params losses)
NUDGE_MAX_ROWS = 1_300  # one row a parameter: the 1,210 of the digits network and fewer
RUNNING_TABLE_MAX_ROWS = 120  # tables with more rows refresh when Run mode pauses
COPIED_SHOWN_MS = 1500
COPY_TEXT = "Copy as ▾"
COPY_FORMATS = (("Markdown", "markdown"), ("LaTeX", "latex"), ("Plain text", "text"))
TAB_TIPS = ("Nudge table: each observation's residual times d output/dθ",
            "Chain-rule factors of the selected parameter",
            "Finite-difference check of every gradient entry")


class ExplanationPanels(QtWidgets.QWidget):
    """The panels that explain one parameter at the cursor of ``controller``'s session; emits
    ``copy_requested(fmt)`` from the "Copy as" menu (markdown, latex or text)."""

    copy_requested = QtCore.Signal(str)

    def __init__(self, controller, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self._chain_key: tuple | None = None
        self._fd_key: tuple | None = None
        self.chain = ChainRulePanel(self)
        self.nudge = NudgeTable(self)
        self.fd = FDCheckPanel(self)
        header = QtWidgets.QHBoxLayout()
        self.selected_label = QtWidgets.QLabel(self)
        self.selected_label.setObjectName("selectedParameter")
        self.selected_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        # Wraps rather than widening the window: the workspace must fit a 1280x800 projector.
        self.selected_label.setWordWrap(True)
        self.selected_label.setToolTip("Click an edge (weight) or a node (bias) in the network, or a row "
                                       "of a table, to explain another parameter")
        self.observation = QtWidgets.QSpinBox(self)
        self.observation.setObjectName("explainObservation")
        self.observation.setPrefix("observation ")
        self.observation.setMinimum(1)
        header.addWidget(self.selected_label, 1)
        header.addWidget(self.observation)
        column = QtWidgets.QVBoxLayout(self)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(header)
        self.split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical, self)
        self.chain_scroll = chain_scroll = QtWidgets.QScrollArea(self)
        chain_scroll.setWidgetResizable(True)
        chain_scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        chain_scroll.setWidget(self.chain)
        self.split.addWidget(chain_scroll)
        self.presenting = False
        self.tables = QtWidgets.QTabWidget(self)
        self.tables.setObjectName("explanationTabs")
        self.tables.addTab(self.nudge, "Nudge table")
        factors = QtWidgets.QScrollArea(self)
        factors.setWidgetResizable(True)
        factors.setWidget(self.chain.table)
        self.tables.addTab(factors, "Factors")
        check = QtWidgets.QScrollArea(self)  # scrolls rather than make the window taller than 700 px
        check.setWidgetResizable(True)
        check.setWidget(self.fd)
        self.tables.addTab(check, "Gradient check")
        self.tables.setCornerWidget(self._create_copy_button(), QtCore.Qt.Corner.TopRightCorner)
        # At 1280 px the three tabs and the button share ~470 px: short names, and no scroll arrows
        # that would hide a tab
        self.tables.setElideMode(QtCore.Qt.TextElideMode.ElideRight)
        self.tables.tabBar().setUsesScrollButtons(False)
        for i, tip in enumerate(TAB_TIPS):
            self.tables.setTabToolTip(i, tip)
        self.split.addWidget(self.tables)
        self.split.setSizes([230, 550])
        self._handle_width = self.split.handleWidth()
        column.addWidget(self.split, 1)

    def set_font_size(self, point_size: int) -> None:
        """A new text size: the chain rule's type and the tables' columns follow."""
        self.chain.set_point_size(point_size)
        self.nudge.relayout()
        self.forget()

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: the chain rule large and as tall as its text, the nudge table whole."""
        self.presenting = on
        self.chain.set_presentation(on)
        self.nudge.set_fit_contents(on)
        for i in range(self.split.count()):
            self.split.setCollapsible(i, not on)
        self.layout().setSpacing(2 if on else 6)
        self.split.setHandleWidth(2 if on else self._handle_width)
        self.forget()

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.fit_chain()

    def changeEvent(self, event: QtCore.QEvent) -> None:  # noqa: N802 - Qt override
        super().changeEvent(event)
        if event.type() == QtCore.QEvent.Type.FontChange:
            self.fit_chain()

    def fit_chain(self) -> None:
        """In presentation mode the chain rule gets the height of its text, the tables the rest."""
        if not self.presenting:
            return
        # its width without the scroll bar, which then no longer shows; a few pixels of rounding to spare
        need = self.chain.heightForWidth(self.chain_scroll.width()) + 4
        total = sum(self.split.sizes())
        if need > 0 and total > 0:
            self.split.setSizes([need, max(total - need, 0)])

    def _create_copy_button(self) -> QtWidgets.QToolButton:
        """"Copy as ▾": the chain rule and the nudge table as Markdown, LaTeX or plain text."""
        self.copy_button = QtWidgets.QToolButton(self)
        self.copy_button.setObjectName("copyExplanation")
        self.copy_button.setText(COPY_TEXT)
        self.copy_button.setToolTip("Copy the chain rule of the selected parameter and the nudge table "
                                    "to the clipboard, for lecture notes or slides")
        self.copy_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        self.copy_button.setStyleSheet("QToolButton::menu-indicator { image: none; }")  # ▾ is in the text
        menu = QtWidgets.QMenu(self.copy_button)
        for label, fmt in COPY_FORMATS:
            action = menu.addAction(label)
            action.setData(fmt)
            action.triggered.connect(lambda _=False, f=fmt: self.copy_requested.emit(f))
        self.copy_button.setMenu(menu)
        self._copied_timer = QtCore.QTimer(self)
        self._copied_timer.setSingleShot(True)
        self._copied_timer.setInterval(COPIED_SHOWN_MS)
        self._copied_timer.timeout.connect(lambda: self.copy_button.setText(COPY_TEXT))
        return self.copy_button

    def copy(self, selected: str, fmt: str) -> str:
        """Put ``selected``'s chain rule and the nudge table on the clipboard as ``fmt`` (markdown,
        latex or text) and say so on the button for a moment; returns the text."""
        s = self.controller.session
        obs = min(self.explained_observation(), s.n_obs - 1)
        text = explanation_notes(s.network_at(), s.X, s.Y, s.loss.name, selected, obs, fmt)
        QtGui.QGuiApplication.clipboard().setText(text)
        self.copy_button.setText("Copied ✓")
        self._copied_timer.start()
        return text

    def forget(self) -> None:
        """Recompute every explanation at the next refresh (font change, new session)."""
        self._chain_key = self._fd_key = None

    def explained_observation(self) -> int:
        """0-based dataset row: the current phase's observation while stepping, else the spin box."""
        obs = current_observation(self.controller.session)
        if obs is not None and self.controller.session.cursor[1] > 0:
            if self.observation.value() != obs + 1:
                blocker = QtCore.QSignalBlocker(self.observation)
                self.observation.setValue(obs + 1)
                del blocker
            return obs
        return self.observation.value() - 1

    def refresh(self, selected: str, params_key: tuple | None, nudge: bool = True) -> None:
        """Explain ``selected`` at the cursor; ``params_key`` changes whenever the parameters or the
        session do, so unchanged panels are left alone. ``nudge``: refresh the nudge table too."""
        c = self.controller
        s = c.session
        if selected not in s.param_names:
            return
        obs = min(self.explained_observation(), s.n_obs - 1)
        rec = s.record()
        key = (params_key, selected, obs)
        if key != self._chain_key:
            self._chain_key = key
            self._show_chain(rec, selected, obs)
            # on a projector the observation's line joins this one: the chain rule gets its room
            shown = f" · {self.chain.heading.text()}" if self.presenting else ""
            self.selected_label.setText(f"Selected: <b>{html_name(selected)}</b>{shown}")
        current = self.tables.currentWidget()
        if current is self.nudge:
            # a big table refreshed while running costs more than the frame it delays
            if nudge and not (c.running and len(s.param_names) > RUNNING_TABLE_MAX_ROWS):
                self._show_nudges(rec, selected, obs)
        elif current is self.fd.parentWidget().parentWidget() and not c.running and self._fd_key != params_key:
            self._fd_key = params_key
            self._show_fd()

    def _show_chain(self, rec, selected: str, obs: int) -> None:
        s = self.controller.session
        cr = chain_rule(s.network_at(), rec, selected, obs)
        idx = s.network.param_index(selected)
        heading = f"Observation {obs + 1}: x = {short_vector(s.X[obs])}, y = {short_vector(s.Y[obs])}"
        self.chain.show_chain_rule(cr, heading, float(rec.gradient[idx]), s.n_obs)
        self.fit_chain()

    def _show_nudges(self, rec, selected: str, obs: int) -> None:
        s = self.controller.session
        names = s.param_names
        if len(names) > NUDGE_MAX_ROWS:
            self.nudge.show_message(f"The nudge table is shown for networks of up to {NUDGE_MAX_ROWS:,} "
                                    "parameters.")
            return
        shown = list(range(min(s.n_obs, 4)))
        if obs not in shown:
            shown = shown[:3] + [obs]
        self.nudge.show_record(rec, names, shown, selected)

    def _show_fd(self) -> None:
        s = self.controller.session
        if s.network.n_params * s.n_obs > FD_MAX_WORK:
            self.fd.show_message("The finite-difference check is skipped for this large network.")
            return
        self.fd.check_in_background(s.network_at(), s.X, s.Y, s.loss.name, s.weight_decay)
