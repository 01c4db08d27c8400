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
- ``set_font_size(point_size)`` and ``set_log_loss(on)``: View menu hooks (defaults provided);
- ``has_step_controls`` (class attribute): True when the workspace shows its own, richer step
  controls (the Network workspace's phase / observation / iteration bar); the main window then
  hides its shared bar so there is one set of controls on screen.

The controller offers intents and emits facts (data flows one way):

- intents: ``step(n=1)``, ``back()``, ``jump(k)``, ``reset()``, ``set_running(on)``,
  ``set_speed(iterations_per_second)``;
- state: ``history_length`` (number of records, >= 1), ``cursor`` (index of the shown record),
  ``finished`` (no further step possible), ``running`` (run mode on), ``status_text`` (words);
- signals: ``record_changed()`` after any move, ``session_reset()`` after a new session,
  ``status_changed(str)``, ``running_changed(bool)``, ``error(str, str)`` (headline, detail) for
  problems that are the user's input, shown by the panel or the main window, and ``edited()``
  after every edit that changes what Save would write (stepping is navigation, not an edit).

:class:`SteppingController` implements run mode (a ~60 Hz ``QTimer`` that asks ``step(n)`` for a
chunk of iterations per frame) so every workspace's controller behaves the same.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from gui.common.document import Document

FRAME_MS = 16
#: Most time one run-mode frame may spend stepping, so painting keeps 30+ frames per second
#: even when the requested speed is more than the engine can do.
FRAME_BUDGET_S = 0.012


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
            self._last_tick = time.perf_counter()
            self._timer.start()
        else:
            self._timer.stop()
        self.running_changed.emit(on)

    def set_frame_interval(self, ms: int) -> None:
        """Run-mode frame period (default ~60 Hz); tests and benchmarks may ask for faster frames."""
        self._timer.setInterval(max(0, int(ms)))

    def _on_frame(self) -> None:
        n = self._frame_quota()
        self.frames += 1
        if n > 0:
            self._run_frame(n)
        if self.finished:
            self.set_running(False)

    def _frame_quota(self) -> int:
        """Iterations this frame owes at the requested speed (fractions carried to the next)."""
        now = time.perf_counter()
        # Clamp the elapsed time so a stalled frame does not trigger a huge catch-up chunk.
        elapsed = min(now - self._last_tick, 0.1)
        self._last_tick = now
        self._carry += self._speed * elapsed
        n = int(self._carry)
        self._carry -= n
        return n

    def _run_frame(self, n: int) -> None:
        """Take ``n`` steps, fewer when their measured cost would overrun the frame budget."""
        if self._step_cost > 0 and n * self._step_cost > FRAME_BUDGET_S:
            n = max(1, int(FRAME_BUDGET_S / self._step_cost))
            self._carry = 0.0  # drop the backlog: the run goes as fast as frames allow
        t0 = time.perf_counter()
        self.last_step_seconds = None
        self.step(n)
        spent = self.last_step_seconds
        cost = (time.perf_counter() - t0 if spent is None else spent) / n
        self._step_cost = cost if self._step_cost == 0 else 0.7 * self._step_cost + 0.3 * cost


class Workspace(QWidget):
    """Base class of the workspaces shown as tabs in the main window (see the module docstring)."""

    #: The loss axis turned log or linear (by the person or by the plot itself).
    log_loss_changed = Signal(bool)

    title = "Workspace"
    kinds: tuple[str, ...] = ()
    has_step_controls = False
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

    def is_busy(self) -> bool:
        """True while background work (e.g. a basins map) is still being computed between events."""
        return False

    def set_font_size(self, point_size: int) -> None:
        from gui.common.style import style_plot

        for widget in self.plot_widgets():
            for item in _plot_items(widget):
                style_plot(item, point_size)

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
