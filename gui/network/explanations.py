"""The network workspace's explanation panels: the chain rule of the selected parameter for one
observation, the nudge table and the finite-difference check. Each is recomputed only when what
it shows changed, and the table tabs only while visible (a hidden tab refreshes when shown).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui

from engine.backprop import chain_rule, finite_difference_check
from engine.notes import explanation_notes
from engine.numbers import format_vector
from gui.network.parameter_table import html_name
from gui.network.view_state import current_observation

FD_MAX_WORK = 2_000_000   # n_params * n_obs above which the check is skipped (2 n_params losses)
NUDGE_MAX_WORK = 2_000_000
RUNNING_TABLE_MAX_ROWS = 120  # tables with more rows refresh when Run mode pauses


class ExplanationRefresh:
    """Mixed into :class:`gui.network.workspace.NetworkWorkspace`, which provides ``controller``,
    ``selected``, ``observation``, ``selected_label``, ``chain``, ``tables``, ``nudge``, ``fd``,
    ``copy_button``, ``_copied_timer`` and ``_theta_key`` (changes whenever the parameters or the session do)."""

    _chain_key: tuple | None = None
    _fd_key: tuple | None = None

    def copy_explanation(self, fmt: str) -> str:
        """Put the selected parameter's chain rule and the nudge table on the clipboard as ``fmt``
        (markdown, latex or text) and say so on the button for a moment; returns the text."""
        obs = min(self._explained_observation(), self.controller.session.n_obs - 1)
        s = self.controller.session
        text = explanation_notes(s.network_at(), s.X, s.Y, s.loss.name, self.selected, obs, fmt)
        QtGui.QGuiApplication.clipboard().setText(text)
        self.copy_button.setText("Copied ✓")
        self._copied_timer.start()
        return text

    def _forget_explanations(self) -> None:
        """Recompute every explanation at the next refresh (font change, new session)."""
        self._chain_key = self._fd_key = None

    def _explained_observation(self) -> int:
        """0-based dataset row: the current phase's observation while stepping, else the spin box."""
        obs = current_observation(self.controller.session)
        if obs is not None and self.controller.session.cursor[1] > 0:
            if self.observation.value() != obs + 1:
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
        self.selected_label.setText(f"Selected: <b>{html_name(self.selected)}</b>")
        obs = min(self._explained_observation(), s.n_obs - 1)
        rec = s.record()
        key = (self._theta_key, self.selected, obs)
        if key != self._chain_key:
            self._chain_key = key
            self._show_chain(rec, obs)
        current = self.tables.currentWidget()
        if current is self.nudge:
            # a big table refreshed while running costs more than the frame it delays
            if nudge and not (c.running and len(s.param_names) > RUNNING_TABLE_MAX_ROWS):
                self._show_nudges(rec, obs)
        elif current is self.fd and not c.running and self._fd_key != self._theta_key:
            self._fd_key = self._theta_key
            self._show_fd()

    def _show_chain(self, rec, obs: int) -> None:
        s = self.controller.session
        cr = chain_rule(s.network_at(), rec, self.selected, obs)
        idx = s.network.param_index(self.selected)
        heading = f"Observation {obs + 1}: x = {format_vector(s.X[obs])}, y = {format_vector(s.Y[obs])}"
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
        self.fd.show_fd(finite_difference_check(s.network_at(), s.X, s.Y, s.loss.name))
