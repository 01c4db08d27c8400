"""The network tab's moves over a large data set, made in the background.

On a large data set (``is_large``: 100,000 observations take ~0.1-1 s a move) a Step, Back, Reset,
a jump along the history and building a session ("Use these data", Randomise, a new architecture)
run in a worker thread (``gui.common.background``): the move is made on a twin of the session
(``engine.session_fork``), and what the views read afterwards (R, the pass over every observation,
the pass before it, the nudge table's sums, the accuracy) is computed there into the twin's caches.
Meanwhile the panels show the state before the move, untouched, and a progress line with Cancel
sits under the step buttons; more step requests queue (a few), an edit or a new scenario drops
them. When the work is done the session adopts its twin at once and the views redraw from caches;
Cancel drops the twin, and nothing changed. Small data sets (the lecture example) move on the GUI
thread as before: ``move`` and ``build`` then return False and the caller does the work itself.
"""

from __future__ import annotations

from collections import deque
from contextlib import contextmanager
from typing import Callable

from PySide6 import QtCore

from engine.session_fork import adopt, fork
from engine.training import TrainingSession
from gui.common.background import BackgroundRunner
from gui.network import explanations

#: n_obs x (parameters + nodes) above which a move runs in the background (~30 ms on the GUI
#: thread at this size; 100,000 observations of the classifier are 5.4 million).
LARGE_WORK = 1_000_000
#: Step requests kept while one is computed (held keys would queue without end otherwise).
MAX_QUEUED = 3

__all__ = ["BackgroundSteps", "is_large", "steps", "warm"]


def is_large(n_obs: int, network) -> bool:
    """True when a move of a session of ``network`` on ``n_obs`` observations, and the redraw after
    it, would hold the window too long."""
    return n_obs * (network.n_params + sum(network.sizes)) > LARGE_WORK


def steps(session: TrainingSession, granularity: str, n: int) -> None:
    """``n`` steps of ``granularity``, fewer when the run stops."""
    for _ in range(n):
        if session.step(granularity) is None:
            break


def warm(session: TrainingSession, progress: Callable[[float], None] = lambda f: None) -> float | None:
    """Compute into ``session``'s caches what the network tab's views read at its cursor (the same
    calls they make, so the same numbers); returns the training accuracy (None unless the loss
    classifies), which the session does not cache."""
    s = session
    s.losses()  # R at the last update
    progress(0.4)
    rec = s.record()
    t, p = s.cursor
    if p > 0:
        s.partial()
    elif t > 0 and s.mode == "full_batch":
        s.record_at(t - 1)  # what the network keeps showing between iterations
    progress(0.7)
    # the nudge table's sums over every observation, cached in the record: its sum column where the
    # record computes one, else every observation's contributions within the table's limit
    if hasattr(type(rec), "contribution_sum"):
        rec.contribution_sum  # noqa: B018
    elif s.n_obs * s.network.n_params * s.network.n_outputs <= getattr(explanations, "NUDGE_MAX_WORK", 0):
        rec.contributions  # noqa: B018
    progress(0.85)
    return s.accuracy()


def run_frame(session: TrainingSession, n: int) -> int:
    """Run mode's frame: ``n`` whole iterations on the engine's lean path (a half-done iteration is
    finished first, so the lean path starts at an update boundary); returns how many were taken."""
    taken = 0
    if session.cursor[1] > 0:
        session.step_iteration()
        taken = 1
    return taken + session.run(max(n - taken, 0))


def move_job(job, twin: TrainingSession, move: Callable[[TrainingSession], object]):
    """The worker's part of a move: ``move(twin)``, then :func:`warm`."""
    job.progress(0.0)
    outcome = move(twin)
    job.progress(0.2)
    return twin, warm(twin, job.progress), outcome


def build_job(job, build: Callable[[], TrainingSession]):
    """The worker's part of a new session: ``build()``, then :func:`warm`."""
    job.progress(0.0)
    session = build()
    job.progress(0.2)
    return session, warm(session, job.progress), None


class BackgroundSteps(QtCore.QObject):
    """Moves and new sessions of ``controller`` (a ``NetworkController``) in the background when the
    session is large. ``runner`` is the job runner a ``ProgressLine`` shows."""

    def __init__(self, controller) -> None:
        super().__init__(controller)
        self.controller = controller
        self.runner = BackgroundRunner(self, "computing…")
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self._on_failed)
        self.runner.cancelled.connect(self._on_cancelled)
        self._queue: deque = deque()
        #: the job under way: ("move", the session it forked, what to call with the move's outcome
        #: or None) or ("build", apply, fail)
        self._job: tuple | None = None
        controller.edits.about_to_edit.connect(self.drop)
        self._synchronous = 0

    @contextmanager
    def synchronous(self):
        """Within: every move and new session is made at once, on the GUI thread (an animation's
        frames are rendered right after each step, under a progress dialog of their own)."""
        self._synchronous += 1
        try:
            yield
        finally:
            self._synchronous -= 1

    @property
    def busy(self) -> bool:
        return self.runner.busy

    def move(self, fn: Callable[[TrainingSession], object], label: str = "computing the step…",
             then: Callable[[object], None] | None = None) -> bool:
        """Make ``fn(session)`` (a step, Back, a jump) in the background when the session is large
        or a job is under way (then queued); False: the caller makes it now, on the GUI thread.
        ``then(outcome)`` follows the redraw with what ``fn`` returned."""
        if self._synchronous:
            self.drop()
            return False
        if self.runner.busy:
            if len(self._queue) < MAX_QUEUED:
                self._queue.append(fn)
            return True
        session = self.controller.session
        if not is_large(session.n_obs, session.network):
            return False
        self._job = ("move", session, then)
        self.runner.label = label
        self.runner.submit(move_job, fork(session), fn)
        return True

    def frame(self, n: int) -> int:
        """Run mode's frame over a large data set: ``n`` iterations in the background, unless the last
        frame's are still being computed (then none: the run goes as fast as the machine allows).
        Returns 0, the iterations taken now; the controller's ``frame_stepped`` follows when they are."""
        if not self.runner.busy:
            self.move(lambda s: run_frame(s, n), "running…", self.controller.frame_stepped.emit)
        return 0

    def build(self, session_of: Callable[[], TrainingSession], large: bool,
              apply: Callable[[TrainingSession], None], fail: Callable[[Exception], None], errors: tuple) -> None:
        """Build a session (``session_of()``), in the background when ``large``; then
        ``apply(session)``, or ``fail(exception)`` for one of ``errors`` (any, in the background)."""
        self.drop()
        if large and not self._synchronous:
            self._job = ("build", apply, fail)
            self.runner.label = "preparing the data…"
            self.runner.submit(build_job, session_of)
            return
        try:
            session = session_of()
        except errors as exc:
            fail(exc)
            return
        apply(session)

    def drop(self) -> None:
        """Forget the queued moves and the job under way (an edit or a new scenario comes first; a
        new session being built is not used, and the data panel says so)."""
        job, self._job = self._job, None
        self._queue.clear()
        self.runner.cancel()
        if job is not None and job[0] == "build":
            self.controller.data_error.emit("Not used: another change came first; the data are unchanged.")

    def _on_finished(self, result) -> None:
        job, self._job = self._job, None
        if job is None:
            return
        c = self.controller
        session, accuracy, outcome = result
        if job[0] == "move":
            if c.session is not job[1]:
                return  # the session was replaced meanwhile
            adopt(c.session, session)
            c.keep_accuracy(c.session, accuracy)
            c._changed()
            if job[2] is not None:
                job[2](outcome)
        else:
            c.keep_accuracy(session, accuracy)
            job[1](session)
        self._next()

    def _next(self) -> None:
        """The next queued move: in the background again, or at once when the session is small."""
        while self._queue and not self.runner.busy:
            fn = self._queue.popleft()
            if not self.move(fn):
                fn(self.controller.session)
                self.controller._changed()

    def _on_failed(self, exc: Exception) -> None:
        job, self._job = self._job, None
        self._queue.clear()
        if job is None:
            return
        if job[0] == "build":
            job[2](exc)
        else:
            self.controller.error.emit("Cannot compute the step", str(exc))

    def _on_cancelled(self) -> None:
        """Cancel: the twin or the new session is dropped; the tab shows what it showed before."""
        job, self._job = self._job, None
        self._queue.clear()
        if job is not None and job[0] == "build":
            self.controller.data_error.emit("Cancelled; the data are unchanged.")
