"""The history of a training run: what every update left behind, kept small enough for millions.

A :class:`TrainingHistory` holds, per update, the parameters, the full-data loss R at them and
the loss of the batch the next update uses, in float64 chunks of ``rows`` updates (88 bytes an
update for the lecture network); a full chunk's parameters are packed losslessly (:func:`pack`:
a slow or settled run packs to a fraction, 10^6 updates of the lecture network to a few MB) and
unpacked when read; the :class:`Settings` (optimizer, frozen parameters) in force
from each update on; and the optimizer states at checkpoints every ``every`` updates
(:class:`StateCheckpoints`), the ones in between replayed on demand. A state depends only on the
gradients, which are recomputed from the stored parameters bit for bit, so a replayed state
equals the one the run had. Editing the past (new settings, a changed parameter) drops the
history after that point; nothing stored is ever changed behind a reader's back.
"""

from __future__ import annotations

import bisect
import math
import zlib
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

    Per update, in float64 chunks of ``rows`` updates: the parameters (packed once their chunk is
    full), R at them (NaN until known) and the loss of the batch the next update uses. ``end_state`` and ``end_status``: the
    optimizer state after the last stored update and how the run stands there.
    ``replay(history, k, state)`` gives the optimizer state after update ``k + 1`` from the one
    before it (``engine.network_update.Updater.replay``).
    """

    def __init__(self, theta0: np.ndarray, loss0: float, settings: Settings, state0: OptState,
                 checkpoint_every: int,
                 replay: Callable[["TrainingHistory", int, OptState], OptState]) -> None:
        self.n_params = theta0.size
        self.rows = int(min(65536, max(16, 2 ** 21 // (8 * (self.n_params + 2)))))
        #: Per chunk of ``rows`` updates: the parameters, dense ``(rows, n_params)`` float64 for the
        #: chunk being written (and any that would not pack smaller), else packed columns (:func:`pack`).
        self._thetas: list[np.ndarray | tuple[bytes, ...]] = []
        #: Per chunk: R and the batch loss, ``(rows, 2)`` float64, always dense (the loss curve).
        self._losses: list[np.ndarray] = []
        self._unpacked: tuple[int, np.ndarray] | None = None  # the last chunk read from its packing
        self.count = 0
        #: bumped whenever stored parameters are replaced or dropped (appending is no change), with
        #: the first update each revision touched, so a cache of values per update stays right
        self.revision = 0
        self._changes: list[tuple[int, int]] = []
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
        if c == len(self._thetas):
            if c > 0:
                self._pack(c - 1)
            self._thetas.append(np.empty((self.rows, self.n_params)))
            self._losses.append(np.empty((self.rows, 2)))
        self._thetas[c][r] = theta  # type: ignore[index]
        self._losses[c][r] = (loss, math.nan)
        self.count += 1

    def _pack(self, c: int) -> None:
        """Keep full chunk ``c``'s parameters packed when that is smaller (it is never written again)."""
        block = self._thetas[c]
        if isinstance(block, np.ndarray):
            packed = pack(block)
            if sum(len(b) for b in packed) < block.nbytes:
                self._thetas[c] = packed

    def _block(self, c: int) -> np.ndarray:
        """Chunk ``c``'s parameters ``(rows, n_params)``, unpacked if need be (the last one is kept)."""
        block = self._thetas[c]
        if isinstance(block, np.ndarray):
            return block
        if self._unpacked is None or self._unpacked[0] != c:
            self._unpacked = (c, unpack(block, self.rows, self.n_params))
        return self._unpacked[1]

    def _at(self, k: int) -> tuple[int, int]:
        if not 0 <= k < self.count:
            raise IndexError(f"update {k} out of range 0..{self.count - 1}")
        return divmod(k, self.rows)

    def theta(self, k: int) -> np.ndarray:
        """Parameters after ``k`` updates ``(n_params,)``, read-only."""
        c, r = self._at(k)
        return readonly(self._block(c)[r])

    def loss(self, k: int) -> float:
        """R after ``k`` updates (NaN until known)."""
        c, r = self._at(k)
        return float(self._losses[c][r, 0])

    def set_loss(self, k: int, value: float) -> None:
        """Record R after ``k`` updates once it is computed."""
        c, r = self._at(k)
        self._losses[c][r, 0] = value

    def set_batch_loss(self, k: int, value: float) -> None:
        """Record the loss of the batch that update ``k + 1`` uses, at the parameters it starts from."""
        c, r = self._at(k)
        self._losses[c][r, 1] = value

    def first_change_since(self, revision: int) -> int | None:
        """The first update whose stored parameters changed after ``revision`` (None if none did)."""
        if revision >= self.revision:
            return None
        if not self._changes or self._changes[0][0] > revision + 1:
            return 0  # older than the changes kept: assume everything changed
        return min(k for rev, k in self._changes if rev > revision)

    def _touch(self, k: int) -> None:
        self.revision += 1
        self._changes = [*self._changes[-63:], (self.revision, k)]

    def set_theta(self, k: int, theta: np.ndarray) -> None:
        """Replace the parameters after ``k`` updates (an edit at the end of history)."""
        self._touch(k)
        c, r = self._at(k)
        self._dense(c)[r] = theta

    def _dense(self, c: int) -> np.ndarray:
        """Chunk ``c``'s parameters as a dense array that may be written (unpacked for good)."""
        block = self._thetas[c]
        if not isinstance(block, np.ndarray):
            block = np.array(self._block(c))
            self._thetas[c] = block
            self._unpacked = None
        return block

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
        self._touch(t + 1)
        self.count = t + 1
        keep = (self.count + self.rows - 1) // self.rows
        del self._thetas[keep:]
        del self._losses[keep:]
        self._dense(keep - 1)  # the chunk being written is dense again
        self._unpacked = None
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
        parts = []
        for c in range((self.count + self.rows - 1) // self.rows):
            first = c * self.rows
            offset = (-first) % stride  # the first row of this chunk on the stride
            n = min(self.rows, self.count - first)
            if offset >= n:
                continue
            block = self._thetas[c]
            if j < self.n_params and isinstance(block, tuple) and (self._unpacked or (None,))[0] != c:
                parts.append(_unpack_column(block[j], self.rows)[offset:n:stride].copy())
            elif j < self.n_params:
                parts.append(self._block(c)[offset:n:stride, j].copy())
            else:
                parts.append(self._losses[c][offset:n:stride, j - self.n_params])
        return np.concatenate(parts) if parts else np.empty(0)

    def memory_bytes(self) -> int:
        """Bytes held: the parameters (packed or not), the losses and every optimizer state kept
        (checkpoints and cache)."""
        per_state = sum(a.nbytes + 112 for a in self.end_state.arrays().values()) + 64
        thetas = sum(b.nbytes if isinstance(b, np.ndarray) else sum(map(len, b)) for b in self._thetas)
        cached = self._unpacked[1].nbytes if self._unpacked is not None else 0
        return thetas + cached + sum(ch.nbytes for ch in self._losses) + per_state * self._states.stored


#: A byte plane whose share of nonzero bytes is above this looks random: zlib spends most of its time
#: on such planes and gains almost nothing (a 1,210-parameter network moving under Adam: planes 0-5
#: are ~95% nonzero, planes 6-7 ~5%), so a column's low planes up to the last such one are stored as
#: they are and only the planes above go through zlib. Mostly-zero planes (a slow or settled run) all do.
RANDOM_SHARE = 0.9


def pack(block: np.ndarray) -> tuple[bytes, ...]:
    """A chunk of parameter rows ``(rows, n)`` float64, losslessly smaller, one stream a column (so
    a parameter's path reads one): each value XOR the one before (consecutive parameters share
    their sign, exponent and leading digits, so the XOR is mostly zero bits), bytes grouped by
    significance (byte planes), the random-looking low planes kept as they are, the rest zlib."""
    rows = block.shape[0]
    bits = np.ascontiguousarray(block).view(np.uint64)
    delta = bits.copy()
    delta[1:] ^= bits[:-1]
    # (n, 8, rows): per column its byte planes, least significant first (all columns at once)
    planes = np.ascontiguousarray(delta.view(np.uint8).reshape(rows, block.shape[1], 8).transpose(1, 2, 0))
    random = np.count_nonzero(planes, axis=2) > RANDOM_SHARE * rows  # (n, 8)
    # raw planes of a column: 0 .. k-1, k = how many low planes in a row look random
    raw = np.argmin(np.concatenate([random, np.zeros((random.shape[0], 1), dtype=bool)], axis=1), axis=1)
    return tuple(_pack_planes(planes[j], int(raw[j])) for j in range(block.shape[1]))


def unpack(data: tuple[bytes, ...], rows: int, n: int) -> np.ndarray:
    """The ``(rows, n)`` float64 chunk that :func:`pack` packed, bit for bit."""
    out = np.empty((rows, n))
    for j, column in enumerate(data):
        out[:, j] = _unpack_column(column, rows)
    return out


def _pack_column(values: np.ndarray) -> bytes:
    """One column ``(rows,)`` packed as :func:`pack` packs each of a block's columns."""
    return pack(np.asarray(values, dtype=np.float64).reshape(-1, 1))[0]


def _pack_planes(planes: np.ndarray, raw: int) -> bytes:
    """A column's byte planes ``(8, rows)``: one byte ``raw``, the ``raw`` lowest planes as they are,
    then the others through zlib."""
    return bytes((raw,)) + planes[:raw].tobytes() + zlib.compress(planes[raw:], 1)


def _unpack_column(data: bytes, rows: int) -> np.ndarray:
    raw = data[0]
    n = raw * rows
    planes = np.empty((8, rows), dtype=np.uint8)
    planes[:raw] = np.frombuffer(data, dtype=np.uint8, count=n, offset=1).reshape(raw, rows)
    planes[raw:] = np.frombuffer(zlib.decompress(data[1 + n:]), dtype=np.uint8).reshape(8 - raw, rows)
    delta = np.ascontiguousarray(planes.T).view(np.uint64).reshape(rows)
    return np.bitwise_xor.accumulate(delta).view(np.float64)


__all__ = ["Settings", "StateCheckpoints", "TrainingHistory"]
