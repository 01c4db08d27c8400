"""Background work for the window: a job runner with progress, Cancel and results on the GUI thread.

Anything that can hold the GUI thread for more than ~100 ms (a loss landscape over many
observations, the finite-difference check, the basins map, a large data set or CSV, compiling a
typed formula) runs as a job of a :class:`BackgroundRunner`: the job's function runs in a worker
thread and receives a :class:`Job`, through which it reports progress (``job.progress(f)``, also the
``progress`` callable the engine's long functions take) and may hand over a first, coarse result
(``job.partial(value)``). Its result arrives on the GUI thread as the runner's ``finished`` signal.
Submitting a new job supersedes the running one: that one is cancelled (its next progress report
raises ``engine.progress.Cancelled``) and whatever it still delivers is dropped. A
:class:`ProgressLine` shows "working…", a progress bar and Cancel while a runner is busy.
"""

from __future__ import annotations

import queue
import sys
import threading
import time
import weakref
from typing import Any, Callable

from PySide6 import QtCore, QtWidgets

from engine.progress import Cancelled

#: Seconds between two progress signals of one job (the bar need not move faster).
PROGRESS_INTERVAL_S = 0.05
#: Seconds a thread may keep the interpreter while another waits (Python's default is 5 ms). The
#: GUI thread gives the interpreter up on many calls into Qt while it paints and waits up to this
#: long for it each time a job is running, so a shorter turn keeps a repaint short.
SWITCH_INTERVAL_S = 0.0005

__all__ = ["BackgroundRunner", "Job", "ProgressLine"]

#: What a worker thread is done with: its job's function, arguments, result or exception, released
#: on the GUI thread (``_release``). Dropped in the worker, the last reference to an object that
#: owns Qt objects (a bound method of a widget, a traceback's locals) would destroy them in the
#: worker thread, which can deadlock Qt's connection lock against the interpreter's.
_DONE_WITH: queue.SimpleQueue = queue.SimpleQueue()


def _release() -> None:
    """Drop, on the GUI thread, what the worker threads have finished with."""
    while True:
        try:
            _DONE_WITH.get_nowait()
        except queue.Empty:
            return


class _Mailbox:
    """What a worker thread and its runner share, all plain Python: the queue of jobs, the queue of
    the worker's reports, and whether the runner still exists. The worker never touches a Qt
    object: it only puts reports here, and the runner's timer reads them on the GUI thread. (A
    signal emitted from a worker thread takes Qt's connection locks, which can deadlock against the
    interpreter's lock while the GUI thread destroys a window.)"""

    def __init__(self) -> None:
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.reports: queue.SimpleQueue = queue.SimpleQueue()
        self.alive = True

    def report(self, name: str, serial: int, value: Any) -> None:
        if self.alive:
            self.reports.put((name, serial, value))

    def close(self) -> None:
        """The runner is gone: its worker ends after the job it is running, sending nothing more."""
        self.alive = False
        self.jobs.put(None)


class Job:
    """What a job's function sees in its worker thread."""

    def __init__(self, serial: int, mailbox: _Mailbox | None = None) -> None:
        self.serial = serial
        self._mailbox = mailbox or _Mailbox()
        self._cancel = threading.Event()
        self._last = 0.0

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set() or not self._mailbox.alive

    def cancel(self) -> None:
        self._cancel.set()

    def check(self) -> None:
        """Raise ``Cancelled`` when the job was cancelled or superseded; let the GUI thread run."""
        if self.cancelled:
            raise Cancelled()
        # Pure-Python work keeps the interpreter for 5 ms at a time; giving it up here lets the
        # GUI thread's events through between two pieces of work.
        time.sleep(0)

    def progress(self, fraction: float) -> None:
        """Report the fraction done (0..1); raises ``Cancelled`` once the job is no longer wanted."""
        self.check()
        now = time.perf_counter()
        if now - self._last >= PROGRESS_INTERVAL_S or fraction >= 1.0:
            self._last = now
            self._mailbox.report("progressed", self.serial, float(fraction))

    def partial(self, value: Any) -> None:
        """Hand over a first result (e.g. a coarse grid) while the job goes on."""
        self.check()
        self._mailbox.report("partial", self.serial, value)


class BackgroundRunner(QtCore.QObject):
    """Runs one kind of job at a time in a worker thread; the latest submitted job is the one that
    counts. Signals (GUI thread): ``progress(fraction)``, ``partial(value)``, ``finished(result)``,
    ``failed(exception)``, ``cancelled()``, ``busy_changed(busy)``."""

    progress = QtCore.Signal(float)
    partial = QtCore.Signal(object)
    finished = QtCore.Signal(object)
    failed = QtCore.Signal(object)
    cancelled = QtCore.Signal()
    busy_changed = QtCore.Signal(bool)

    #: Milliseconds between two looks at the worker's reports while a job is under way.
    POLL_MS = 10

    def __init__(self, parent: QtCore.QObject | None = None, label: str = "working…") -> None:
        super().__init__(parent)
        self.label = label
        self._serial = 0
        self._job: Job | None = None
        self._thread: threading.Thread | None = None
        self._mailbox = _Mailbox()
        #: jobs submitted whose worker has not yet said it is done with them
        self._outstanding = 0
        self._poll = QtCore.QTimer(self)
        self._poll.setInterval(self.POLL_MS)
        self._poll.timeout.connect(self._read_reports)
        # When the runner goes (its window closed), its worker thread ends too. A finalizer, not a
        # handler of ``destroyed``: it needs no Qt connection and holds nothing of the runner.
        weakref.finalize(self, self._mailbox.close)

    @property
    def busy(self) -> bool:
        return self._job is not None

    def submit(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> int:
        """Run ``fn(job, *args, **kwargs)`` in a worker thread, superseding the running job; returns
        the job's serial number."""
        _release()
        was_busy = self.busy
        if self._job is not None:
            self._job.cancel()
        self._serial += 1
        job = self._job = Job(self._serial, self._mailbox)
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL_S))
        self._outstanding += 1
        self._mailbox.jobs.put((job, fn, args, kwargs))
        if self._thread is None:
            # one worker thread per runner, started once (a thread start costs a few ms a step)
            self._thread = threading.Thread(target=self._serve, args=(self._mailbox,),
                                            daemon=True, name=f"background-{self.label}")
            self._thread.start()
        self._poll.start()
        if not was_busy:
            self.busy_changed.emit(True)
        return job.serial

    @staticmethod
    def _serve(mailbox: _Mailbox) -> None:
        """The worker thread: run the queued jobs in turn, skipping those cancelled meanwhile; it
        ends when its runner is gone."""
        while True:
            item = mailbox.jobs.get()
            if item is None or not mailbox.alive:
                _DONE_WITH.put(item)
                return
            job, fn, args, kwargs = item
            outcome = None
            try:
                if not job.cancelled:
                    try:
                        outcome = fn(job, *args, **kwargs)
                        mailbox.report("done", job.serial, outcome)
                    except Cancelled as stop:
                        outcome = stop  # its traceback's frames too are released on the GUI thread
                    except Exception as exc:  # noqa: BLE001 - handed to the GUI thread, which decides
                        outcome = exc
                        mailbox.report("failed", job.serial, exc)
            finally:
                _DONE_WITH.put((item, outcome))
                mailbox.report("ended", job.serial, None)
                del item, job, fn, args, kwargs, outcome

    def cancel(self) -> None:
        """Stop the running job (Cancel): nothing it computes is shown."""
        if self._job is None:
            return
        self._job.cancel()
        self._job = None
        self.busy_changed.emit(False)
        self.cancelled.emit()

    def _read_reports(self) -> None:
        """On the GUI thread: deliver what the worker reported since the last look."""
        while True:
            try:
                name, serial, value = self._mailbox.reports.get_nowait()
            except queue.Empty:
                break
            if name == "ended":
                self._outstanding -= 1
            elif self._current(serial):
                if name == "progressed":
                    self.progress.emit(value)
                elif name == "partial":
                    self.partial.emit(value)
                elif name == "done":
                    self._end()
                    self.finished.emit(value)
                elif name == "failed":
                    self._end()
                    self.failed.emit(value)
            del value
        _release()
        if self._outstanding <= 0:
            self._poll.stop()

    def _current(self, serial: int) -> bool:
        return self._job is not None and serial == self._job.serial

    def _end(self) -> None:
        self._job = None
        self.busy_changed.emit(False)


class ProgressLine(QtWidgets.QWidget):
    """ "working…", a progress bar and Cancel, shown while ``runner`` is busy (hidden otherwise).

    ``cancellable=False`` leaves out the button (a formula compile is bounded by its budget).
    """

    def __init__(self, runner: BackgroundRunner, parent: QtWidgets.QWidget | None = None,
                 cancellable: bool = True, bar: bool = True) -> None:
        super().__init__(parent)
        self.runner = runner
        row = QtWidgets.QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        self.label = QtWidgets.QLabel(runner.label, self)
        self.label.setObjectName("workingLabel")
        row.addWidget(self.label)
        self.bar = QtWidgets.QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(12)
        self.bar.setVisible(bar)
        row.addWidget(self.bar, 1)
        self.cancel_button = QtWidgets.QPushButton("Cancel", self)
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.clicked.connect(runner.cancel)
        row.addWidget(self.cancel_button)
        if not bar:
            row.addStretch(1)
        # Keeps its height while hidden, so the panel around it does not jump on every job.
        policy = self.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.setSizePolicy(policy)
        runner.busy_changed.connect(self._on_busy)
        runner.progress.connect(self._on_progress)
        self.hide()

    def _on_busy(self, busy: bool) -> None:
        self.bar.setValue(0)
        self.setVisible(busy)

    def _on_progress(self, fraction: float) -> None:
        self.bar.setValue(int(round(1000 * fraction)))
