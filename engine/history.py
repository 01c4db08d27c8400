"""The history of a training run: what every update left behind, kept small enough for millions.

A :class:`TrainingHistory` holds, per update, the parameters, the full-data loss R at them and
the loss of the batch the next update uses, in float64 chunks ``(rows, n_params + 2)`` (88 bytes
an update for the lecture network); the :class:`Settings` (optimizer, frozen parameters) in force
from each update on; and the optimizer states at checkpoints every ``every`` updates
(:class:`StateCheckpoints`), the ones in between replayed on demand. A state depends only on the
gradients, which are recomputed from the stored parameters bit for bit, so a replayed state
equals the one the run had. Editing the past (new settings, a changed parameter) drops the
history after that point; nothing stored is ever changed behind a reader's back.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from engine.arrays import readonly
from engine.optimizers import OptimizerSpec, OptState
from engine.status import RUNNING, Status


@dataclass(frozen=True)
class Settings:
    """From update ``start`` on: the optimizer ``spec`` and the ``frozen`` mask ``(n_params,)`` of bools."""

    start: int
    spec: OptimizerSpec
    frozen: np.ndarray
    any_frozen: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "any_frozen", bool(self.frozen.any()))


class StateCheckpoints:
    """Optimizer states after every ``every``-th update (and where settings changed); the states
    in between are replayed from the nearest one and a few recent ones kept in a cache."""

    def __init__(self, every: int, initial: OptState) -> None:
        self.every = every
        self._states: dict[int, OptState] = {0: initial}
        self._keys = [0]
        self._cache: dict[int, OptState] = {}

    def keep(self, t: int, state: OptState) -> None:
        """Keep ``state``, the optimizer state after ``t`` updates, as a checkpoint."""
        if t not in self._states:
            bisect.insort(self._keys, t)
        self._states[t] = state

    def drop_after(self, t: int) -> None:
        """Forget every state after ``t`` updates (history beyond is being dropped)."""
        for k in [k for k in self._keys if k > t]:
            del self._states[k]
        self._keys = [k for k in self._keys if k <= t]
        self._cache = {k: v for k, v in self._cache.items() if k <= t}

    def state_at(self, t: int, replay: Callable[[int, OptState], OptState]) -> OptState:
        """The state after ``t`` updates; ``replay(k, state)`` gives the state after update ``k + 1``."""
        if t in self._cache:
            return self._cache[t]
        i = bisect.bisect_right(self._keys, t) - 1
        start = self._keys[i]
        cached = [k for k in self._cache if start < k <= t]
        if cached:
            start = max(cached)
            state = self._cache[start]
        else:
            state = self._states[start]
        if len(self._cache) > 4 * self.every:
            self._cache.clear()
        for k in range(start, t):
            state = replay(k, state)
            self._cache[k + 1] = state
        return state

    @property
    def stored(self) -> int:
        """States held (checkpoints and cache), for the memory account."""
        return len(self._states) + len(self._cache)


class TrainingHistory:
    """A run from ``theta0 (n_params,)`` with R ``loss0`` there, under ``settings`` from update 0 on.

    Per update, in float64 chunks ``(rows, n_params + 2)``: the parameters, R at them (NaN until
    known) and the loss of the batch the next update uses. ``end_state`` and ``end_status``: the
    optimizer state after the last stored update and how the run stands there.
    ``replay(history, k, state)`` gives the optimizer state after update ``k + 1`` from the one
    before it (``engine.network_update.Updater.replay``).
    """

    def __init__(self, theta0: np.ndarray, loss0: float, settings: Settings, state0: OptState,
                 checkpoint_every: int,
                 replay: Callable[["TrainingHistory", int, OptState], OptState]) -> None:
        self.n_params = theta0.size
        self.rows = int(min(65536, max(16, 2 ** 21 // (8 * (self.n_params + 2)))))
        self.chunks: list[np.ndarray] = []
        self.count = 0
        self.append(theta0, loss0)
        self.timeline = [Settings(0, settings.spec, settings.frozen)]
        self.every = checkpoint_every
        self.end_state = state0
        self.end_status = Status(RUNNING, "", 0)
        self._states = StateCheckpoints(checkpoint_every, state0)
        self._replay = replay

    def append(self, theta: np.ndarray, loss: float = math.nan) -> None:
        """Store the parameters after one more update, with R at them when known."""
        c, r = divmod(self.count, self.rows)
        if c == len(self.chunks):
            self.chunks.append(np.empty((self.rows, self.n_params + 2)))
        row = self.chunks[c][r]
        row[:-2] = theta
        row[-2] = loss
        row[-1] = math.nan
        self.count += 1

    def _row(self, k: int) -> np.ndarray:
        if not 0 <= k < self.count:
            raise IndexError(f"update {k} out of range 0..{self.count - 1}")
        c, r = divmod(k, self.rows)
        return self.chunks[c][r]

    def theta(self, k: int) -> np.ndarray:
        """Parameters after ``k`` updates ``(n_params,)``, read-only."""
        return readonly(self._row(k)[:-2])

    def loss(self, k: int) -> float:
        """R after ``k`` updates (NaN until known)."""
        return float(self._row(k)[-2])

    def set_loss(self, k: int, value: float) -> None:
        """Record R after ``k`` updates once it is computed."""
        self._row(k)[-2] = value

    def set_batch_loss(self, k: int, value: float) -> None:
        """Record the loss of the batch that update ``k + 1`` uses, at the parameters it starts from."""
        self._row(k)[-1] = value

    def set_theta(self, k: int, theta: np.ndarray) -> None:
        """Replace the parameters after ``k`` updates (an edit at the end of history)."""
        self._row(k)[:-2] = theta

    def settings_at(self, t: int) -> Settings:
        """The settings in force for update ``t + 1``."""
        timeline = self.timeline
        if len(timeline) == 1:
            return timeline[0]
        return timeline[bisect.bisect_right([s.start for s in timeline], t) - 1]

    def state_at(self, t: int) -> OptState:
        """Optimizer state after ``t`` updates, replayed from the nearest checkpoint."""
        if t == self.count - 1:
            return self.end_state
        return self._states.state_at(t, lambda k, state: self._replay(self, k, state))

    def commit(self, t: int, theta: np.ndarray, loss: float, state: OptState) -> None:
        """Store ``theta`` (R ``loss``, NaN if unknown) and ``state``, the result of update ``t + 1``."""
        self.append(theta, loss)
        self.end_state = state
        if (t + 1) % self.every == 0:
            self._states.keep(t + 1, state)

    def truncate(self, t: int) -> None:
        """Drop everything after update ``t``; the run is running again from there."""
        state = self.state_at(t)
        self.count = t + 1
        del self.chunks[(self.count + self.rows - 1) // self.rows:]
        self.timeline = [s for s in self.timeline if s.start <= t]
        self._states.drop_after(t)
        self.end_state = state
        self.end_status = Status(RUNNING, "", t)

    def change(self, settings: Settings, state: OptState) -> None:
        """Put ``settings`` in force from update ``settings.start`` on, starting from ``state``."""
        t = settings.start
        self.truncate(t)
        self.timeline = [s for s in self.timeline if s.start < t] + [settings]
        self._states.keep(t, state)
        self.end_state = state

    def column(self, j: int, stride: int = 1) -> np.ndarray:
        """Column ``j`` (a parameter; ``n_params``: R; ``n_params + 1``: batch loss), every ``stride``-th."""
        parts = [ch[:, j] for ch in self.chunks]
        if not parts:
            return np.empty(0)
        return np.concatenate(parts)[:self.count:stride]

    def memory_bytes(self) -> int:
        """Bytes held: the chunks and every optimizer state kept (checkpoints and cache)."""
        per_state = sum(a.nbytes + 112 for a in self.end_state.arrays().values()) + 64
        return sum(ch.nbytes for ch in self.chunks) + per_state * self._states.stored


__all__ = ["Settings", "StateCheckpoints", "TrainingHistory"]
