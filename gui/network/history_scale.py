"""What the network's history slider counts: iterations, or phases when stepping by phase.

At phase and observation granularity every phase of the history is a slider position, so a
lecturer can drag back into the middle of an iteration; at iteration granularity each iteration is
one. The phases of each update are the engine's (``TrainingSession.n_phases``); this module only
numbers them, and remembers the furthest phase visited so that Back keeps it on the slider.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.training import TrainingSession

#: Beyond this many updates a phase is narrower than a pixel of the slider: it counts iterations.
PHASE_SLIDER_MAX_UPDATES = 5000


@dataclass(frozen=True)
class SliderPosition:
    """The slider's ``value`` in ``0..maximum`` and the words beside it."""

    value: int
    maximum: int
    text: str


class HistoryScale:
    """Slider positions of one session's history at a granularity, and the cursor of a position."""

    def __init__(self) -> None:
        self._session: TrainingSession | None = None
        self._starts = np.zeros(1, dtype=np.int64)  # phases before update t, t = 0..len - 1
        self._reach: tuple[tuple[int, int], int] = ((0, 0), 0)

    def counts_phases(self, session: TrainingSession, granularity: str) -> bool:
        """True when each slider position is a phase (not an iteration)."""
        return granularity != "iteration" and session.n_updates <= PHASE_SLIDER_MAX_UPDATES

    def _phase_starts(self, session: TrainingSession) -> np.ndarray:
        """Phases done before each update 0..n_updates (extended as the history grows)."""
        if session is not self._session:
            self._session = session
            self._starts = np.zeros(1, dtype=np.int64)
        have = len(self._starts) - 1
        if session.n_updates > have:
            counts = np.fromiter((session.n_phases(t) for t in range(have, session.n_updates)),
                                 dtype=np.int64, count=session.n_updates - have)
            self._starts = np.concatenate([self._starts, self._starts[-1] + np.cumsum(counts)])
        return self._starts

    def position(self, session: TrainingSession, granularity: str) -> SliderPosition:
        """Where the slider stands for the session's cursor, and how far it reaches."""
        t, p = session.cursor
        n = session.n_updates
        if not self.counts_phases(session, granularity):
            return SliderPosition(t, n, f"iteration {t} of {n}")
        starts = self._phase_starts(session)
        value = int(starts[t]) + p
        key = (id(session), n)
        reach = max(value, int(starts[n]), self._reach[1] if self._reach[0] == key else 0)
        self._reach = (key, reach)
        return SliderPosition(value, reach, f"phase {value} of {reach}, iteration {t}")

    def cursor_at(self, session: TrainingSession, granularity: str, value: int) -> tuple[int, int]:
        """``(t, p)`` of slider position ``value``: update t, then p of its phases."""
        value = max(0, int(value))
        if not self.counts_phases(session, granularity):
            return value, 0
        starts = self._phase_starts(session)
        t = int(np.searchsorted(starts, value, side="right")) - 1
        return t, min(value - int(starts[t]), session.n_phases(t) - 1)

    def go_to(self, session: TrainingSession, granularity: str, value: int) -> None:
        """Move the session's cursor to slider position ``value`` (an earlier iteration's end,
        then its phases replayed: a phase inside an update computes nothing new)."""
        t, p = self.cursor_at(session, granularity, value)
        last = session.last_granularity
        session.jump(t)
        for _ in range(p):
            session.step_phase()
        session.last_granularity = last  # Back keeps going by the unit the person stepped with
