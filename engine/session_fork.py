"""A training session's move made on a twin, for a caller that makes it somewhere else.

Stepping, going back, jumping or resetting a session over many observations, and reading what a
view shows afterwards (the pass over every observation, R, the accuracy), takes time in
proportion to the data. A caller that must not wait (a window) makes the move on a
:func:`fork` of the session, anywhere (a worker thread), while the session itself stays as it was
and may still be read; :func:`adopt` then makes the session what its twin became, at once, or the
twin is dropped and nothing changed (Cancel). The twin runs the session's own code, so what it
computes is bit for bit what the session would have computed.

A twin shares everything a move only reads (the network, the data, the kernel, the packed
history) and copies what a move writes: the history's last chunk, its settings timeline and
optimizer checkpoints, and the record cache. This module knows those parts of
``engine.training.TrainingSession`` and ``engine.history.TrainingHistory``.
"""

from __future__ import annotations

import copy

import numpy as np

from engine.history import StateCheckpoints, TrainingHistory
from engine.pass_record import RecordCache
from engine.training import TrainingSession


def _fork_checkpoints(states: StateCheckpoints) -> StateCheckpoints:
    twin = copy.copy(states)
    twin._states = dict(states._states)
    twin._keys = list(states._keys)
    twin._cache = dict(states._cache)
    return twin


def _fork_history(hist: TrainingHistory) -> TrainingHistory:
    """A history whose appends and loss entries leave ``hist`` alone: only its last chunk (the one
    written) is copied, the full chunks before it are shared."""
    twin = copy.copy(hist)
    twin._thetas = list(hist._thetas)
    twin._losses = list(hist._losses)
    last = (hist.count - 1) // hist.rows
    if isinstance(twin._thetas[last], np.ndarray):
        twin._thetas[last] = twin._thetas[last].copy()
    twin._losses[last] = twin._losses[last].copy()
    twin.timeline = list(hist.timeline)
    twin._states = _fork_checkpoints(hist._states)
    return twin


def _fork_records(records: RecordCache) -> RecordCache:
    twin = copy.copy(records)
    twin._records = dict(records._records)
    return twin


def fork(session: TrainingSession) -> TrainingSession:
    """A twin of ``session``: its moves (step, back, jump, run, reset) and reads leave ``session``
    unchanged. Costs a copy of one history chunk (at most a few MB), not of the data."""
    twin = copy.copy(session)
    twin._hist = _fork_history(session._hist)
    twin._records = _fork_records(session._records)
    return twin


def adopt(session: TrainingSession, twin: TrainingSession) -> None:
    """Make ``session`` what ``twin`` (a :func:`fork` of it, not moved since) has become; at once,
    whatever the move cost. ``twin`` is not to be used afterwards."""
    session.__dict__.update(twin.__dict__)


__all__ = ["adopt", "fork"]
