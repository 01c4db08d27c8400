"""The workspace plug-in interface: what the main window needs from a workspace and its controller.

A workspace is a ``QWidget`` (the plots, shown as a tab) that subclasses :class:`Workspace` and sets:

- ``title`` (class attribute): the tab text, e.g. ``"1-D descent"``;
- ``kinds`` (class attribute): the scenario kinds it opens, e.g. ``("function1d",)``;
- ``controller``: a :class:`SteppingController` (a QObject) that owns the engine session(s);
- ``side_panel() -> QWidget``: settings shown in the side dock while the workspace is current;
- ``load_scenario(scenario)``: replace the current work with a loaded ``engine.scenario.Scenario``
  (raise the engine's own exception types if it cannot; the main window shows them);
- ``to_scenario()``: the current work as a scenario the main window can save;
- ``document``: its :class:`~gui.common.document.Document` (the tab's file and unsaved state);
  ``is_dirty`` / ``mark_dirty()`` / ``mark_clean()`` read and set its unsaved flag;
- ``undo_stack``: a ``QUndoStack`` of its edits for Edit > Undo / Redo (None: nothing to undo);
- ``plot_widgets() -> list[pg.PlotWidget | pg.GraphicsLayoutWidget]``: for File > Export plot;
  ``plot_names``: their names, as ``screenshot --plot`` and File > Export > Plot name them;
- ``set_font_size(point_size)``, ``set_presentation(on)`` and ``set_log_loss(on)``: View menu hooks
  (defaults provided);
- ``key_bindings()``: the keys the tab answers while shown (default: a presentation clicker's
  Page Down / Page Up step and go back); the window installs them and Help lists them;
- ``has_step_controls`` (class attribute): True when the workspace shows its own, richer step
  controls (the Network workspace's phase / observation / iteration bar); the main window then
  hides its shared bar so there is one set of controls on screen.

The controller offers intents and emits facts (data flows one way):

- intents: ``step(n=1)``, ``back()``, ``jump(k)``, ``reset()``, ``set_running(on)``,
  ``set_speed(iterations_per_second)``;
- state: ``history_length`` (number of records, >= 1), ``cursor`` (index of the shown record),
  ``finished`` (no further step possible), ``running`` (run mode on), ``busy`` (a move computed in
  the background), ``status_text`` (words);
- signals: ``record_changed()`` after any move, ``session_reset()`` after a new session,
  ``status_changed(str)``, ``running_changed(bool)``, ``error(str, str)`` (headline, detail) for
  problems that are the user's input, shown by the panel or the main window, and ``edited()``
  after every edit that changes what Save would write (stepping is navigation, not an edit).

:class:`SteppingController` implements run mode (a ~60 Hz ``QTimer`` that asks ``step(n)`` for a
chunk of iterations per frame) so every workspace's controller behaves the same.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QUndoStack
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.common.document import Document

FRAME_MS = 16
#: Share of the measured frame period that one run-mode frame may spend stepping: painting keeps
#: the rest, so frames stay frequent even when the requested speed is more than the engine can do,
#: and a slow display (longer frames) gets more iterations per frame, not fewer per second.
STEP_SHARE = 0.5
#: The shortest frame period the budget assumes (a 60 Hz display), so fast timers do not starve it.
MIN_FRAME_PERIOD_S = 1 / 60
#: Longest gap between frames that the quota and the period follow: a stall (a dialog, a slow
#: redraw) does not trigger a huge catch-up chunk.
MAX_FRAME_GAP_S = 0.25


class SteppingController(QObject):
    """Base class of workspace controllers: signals, run mode and the stepping interface.

    Subclasses implement :meth:`step`, :meth:`back`, :meth:`jump`, :meth:`reset` and the
    properties :attr:`history_length`, :attr:`cursor`, :attr:`finished`, :attr:`status_text`.
    """

    record_changed = Signal()
    session_reset = Signal()
    status_changed = Signal(str)
    running_changed = Signal(bool)
    error = Signal(str, str)
    edited = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._speed = 60.0
        self._carry = 0.0
        self._last_tick = 0.0
        self._step_cost = 0.0
        self._frame_period = MIN_FRAME_PERIOD_S
        #: Seconds since some fixed point; run mode's only clock (a test may put a fake one here).
        self.clock = time.perf_counter
        #: Seconds the last ``step(n)`` spent in the engine (subclasses set it, excluding redraws).
        self.last_step_seconds: float | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._on_frame)
        self.frames = 0

    # -- interface for subclasses -------------------------------------------------------------
    def step(self, n: int = 1) -> None:
        raise NotImplementedError

    def back(self) -> None:
        raise NotImplementedError

    def jump(self, k: int) -> None:
        raise NotImplementedError

    def reset(self) -> None:
        raise NotImplementedError

    @property
    def history_length(self) -> int:
        raise NotImplementedError

    @property
    def cursor(self) -> int:
        raise NotImplementedError

    @property
    def finished(self) -> bool:
        raise NotImplementedError

    @property
    def status_text(self) -> str:
        raise NotImplementedError

    @property
    def busy(self) -> bool:
        """True while a move is being computed in the background (the network tab's large data sets)."""
        return False

    # -- run mode -------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._timer.isActive()

    @property
    def speed(self) -> float:
        """Run-mode speed in iterations per second."""
        return self._speed

    def set_speed(self, iterations_per_second: float) -> None:
        self._speed = max(0.1, float(iterations_per_second))

    def set_running(self, on: bool) -> None:
        if on == self.running:
            return
        if on:
            if self.finished:
                return
            self._carry = 1.0  # the first frame moves at once, even at low speeds
            self._last_tick = self.clock()
            self._frame_period = MIN_FRAME_PERIOD_S
            self._step_cost = 0.0  # measured afresh: the session may have changed since the last run
            self._timer.start()
        else:
            self._timer.stop()
        self.running_changed.emit(on)

    def set_frame_interval(self, ms: int) -> None:
        """Run-mode frame period (default ~60 Hz); tests and benchmarks may ask for faster frames."""
        self._timer.setInterval(max(0, int(ms)))

    @property
    def frame_budget_s(self) -> float:
        """Seconds the next run-mode frame may spend stepping: a share of the measured frame period."""
        return STEP_SHARE * self._frame_period

    def _on_frame(self) -> None:
        n = self._frame_quota()
        self.frames += 1
        if n > 0:
            self._run_frame(n)
        if self.finished:
            self.set_running(False)

    def _frame_quota(self) -> int:
        """Iterations this frame owes at the requested speed (fractions carried to the next).

        The quota follows the time elapsed since the last frame, so the requested speed is
        delivered at any frame rate; the same gap, smoothed, is the frame period of the budget.
        """
        now = self.clock()
        elapsed = min(now - self._last_tick, MAX_FRAME_GAP_S)
        self._last_tick = now
        self._frame_period = max(MIN_FRAME_PERIOD_S, 0.8 * self._frame_period + 0.2 * elapsed)
        self._carry += self._speed * elapsed
        n = int(self._carry)
        self._carry -= n
        return n

    def _run_frame(self, n: int) -> None:
        """Take ``n`` steps, fewer when their measured cost would overrun the frame budget.

        Until the cost is measured (the first frame of a run) one step is taken, so a heavy
        network at a high speed does not freeze the window for its first frame.
        """
        budget = self.frame_budget_s
        if self._step_cost == 0:
            self._carry += n - 1  # owed to the next frames, which know the cost
            n = 1
        elif n * self._step_cost > budget:
            n = max(1, int(budget / self._step_cost))
            self._carry = 0.0  # drop the backlog: the run goes as fast as frames allow
        t0 = self.clock()
        self.last_step_seconds = None
        taken = self._take_steps(n)
        spent = self.last_step_seconds
        cost = (self.clock() - t0 if spent is None else spent) / max(taken, 1)
        self._step_cost = cost if self._step_cost == 0 else 0.7 * self._step_cost + 0.3 * cost

    def _take_steps(self, n: int) -> int:
        """Run mode's ``n`` steps of one frame; returns how many were taken (subclasses may use a
        leaner path than :meth:`step`)."""
        self.step(n)
        return n


@dataclass(frozen=True)
class KeyBinding:
    """A key a workspace answers while its tab is shown: installed as a shortcut and listed in
    Help > Keyboard shortcuts from this one description."""

    key: QKeySequence.StandardKey | str
    what: str
    slot: Callable[[], None]

    @property
    def sequence(self) -> QKeySequence:
        return QKeySequence(self.key)


class Workspace(QWidget):
    """Base class of the workspaces shown as tabs in the main window (see the module docstring)."""

    #: The loss axis turned log or linear (by the person or by the plot itself).
    log_loss_changed = Signal(bool)

    title = "Workspace"
    kinds: tuple[str, ...] = ()
    has_step_controls = False
    plot_names: tuple[str, ...] = ()
    undo_stack: QUndoStack | None = None

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = Document(self)

    controller: SteppingController

    def side_panel(self) -> QWidget:
        raise NotImplementedError

    def load_scenario(self, scenario) -> None:
        raise NotImplementedError

    def to_scenario(self):
        raise NotImplementedError

    @property
    def is_dirty(self) -> bool:
        """True when the tab holds edits its file does not."""
        return self.document.dirty

    def mark_dirty(self) -> None:
        """An edit was made (connected to the controller's ``edited``)."""
        self.document.mark_dirty()

    def mark_clean(self) -> None:
        """The tab's work is what its file holds."""
        self.document.mark_clean()

    def plot_widgets(self) -> list:
        return []

    def key_bindings(self) -> list[KeyBinding]:
        """A presentation clicker sends Page Down / Page Up: the next step and back."""
        if self.controller is None:
            return []
        return [KeyBinding(QKeySequence.StandardKey.MoveToNextPage,
                           "Next step (a presentation clicker's forward key)", lambda: self.controller.step(1)),
                KeyBinding(QKeySequence.StandardKey.MoveToPreviousPage,
                           "Back one step (a presentation clicker's back key)", lambda: self.controller.back())]

    def install_key_bindings(self) -> None:
        """One shortcut per key binding, live while this tab is shown, wherever the focus is in the
        window (a clicker works after a setting was edited too)."""
        for binding in self.key_bindings():
            shortcut = QShortcut(binding.sequence, self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(binding.slot)

    def is_busy(self) -> bool:
        """True while background work (e.g. a basins map) is still being computed between events."""
        controller = getattr(self, "controller", None)
        return controller is not None and controller.busy

    def set_font_size(self, point_size: int) -> None:
        from gui.common.style import style_plot

        for widget in self.plot_widgets():
            for item in _plot_items(widget):
                style_plot(item, point_size)

    def set_presentation(self, on: bool) -> None:
        """View > Presentation mode: a layout for a projector (workspaces that need one override this)."""

    def set_log_loss(self, on: bool) -> None:
        """Loss axis on a log scale (workspaces with a loss plot override this)."""

    def log_loss(self) -> bool:
        """Whether the loss axis is on a log scale now (for the View menu's tick)."""
        return False


def _plot_items(widget) -> list:
    import pyqtgraph as pg

    if isinstance(widget, pg.PlotWidget):
        return [widget.getPlotItem()]
    if isinstance(widget, pg.GraphicsLayoutWidget):
        return [item for item in widget.ci.items if isinstance(item, pg.PlotItem)]
    return []


class PlaceholderWorkspace(Workspace):
    """Stands in for a workspace whose module is not available in this build."""

    def __init__(self, title: str, message: str, parent: QWidget | None = None,
                 kinds: tuple[str, ...] = ()) -> None:
        super().__init__(parent)
        self.title = title
        self.kinds = kinds
        self.controller = None
        label = QLabel(message, self)
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        label.setWordWrap(True)
        QVBoxLayout(self).addWidget(label)
        self._panel = QLabel("No settings for this workspace yet.")

    def side_panel(self) -> QWidget:
        return self._panel
