"""The phases of one update, their names for people, and what an unfinished update knows.

One update over its batch of observations runs these phases, in order::

    for each observation in the batch: forward layer 1..L, loss, backward layer L..1
    then: update

so an observation takes ``2L + 1`` phases and the update one more. A training session's
cursor is ``(t, p)``: ``t`` updates done, ``p`` phases of update ``t + 1`` done.
:func:`batch_phase` names phase ``p`` ("Forward: inputs → layer 1, observation 1"),
:func:`step_back` moves the cursor back by a phase, an observation or an iteration, and
:class:`PartialState` tells which z, a, delta and gradient entries the phases done so far
have computed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from engine.optimizers import OptimizerSpec
from engine.pass_record import PassRecord
from engine.training_mode import TrainingError

#: How far one Step moves: one phase, one observation's phases, or the rest of the update.
GRANULARITIES = ("phase", "observation", "iteration")


@dataclass(frozen=True)
class Phase:
    """One phase of an update: ``kind`` in forward, loss, backward, update.

    ``layer``: the layer computed (forward: z, a of that layer; backward: its delta);
    ``observation``: dataset row (0-based) or None for the update; ``text`` for people,
    e.g. "Forward: inputs → layer 1, observation 1".
    """

    kind: str
    layer: int | None
    observation: int | None
    text: str


def check_granularity(granularity: str) -> str:
    """``granularity`` if it is one of GRANULARITIES, else TrainingError listing them."""
    if granularity not in GRANULARITIES:
        raise TrainingError(f"unknown granularity {granularity!r}; choose one of "
                            f"{', '.join(GRANULARITIES)}")
    return granularity


def phases_per_observation(depth: int) -> int:
    """Forward through ``depth`` layers, the loss, backward through them: ``2 depth + 1`` phases."""
    return 2 * depth + 1


def batch_phase(depth: int, rows: np.ndarray, p: int) -> Phase:
    """Phase ``p`` (0-based) of an update over the dataset ``rows``, before its update phase."""
    per = phases_per_observation(depth)
    if not 0 <= p < len(rows) * per:
        raise IndexError(f"phase {p} out of range 0..{len(rows) * per}")
    i, r = divmod(p, per)
    obs = int(rows[i])
    tail = f"observation {obs + 1}"
    if r < depth:
        src = "inputs" if r == 0 else f"layer {r}"
        return Phase("forward", r + 1, obs, f"Forward: {src} → layer {r + 1}, {tail}")
    if r == depth:
        return Phase("loss", None, obs, f"Loss: {tail}")
    l = 2 * depth + 1 - r  # L, L-1, ..., 1
    src = "loss" if l == depth else f"layer {l + 1}"
    return Phase("backward", l, obs, f"Backward: {src} → layer {l}, {tail}")


def update_phase(spec: OptimizerSpec) -> Phase:
    """The last phase of every update: the optimizer's step, e.g. "Update: gd, lr 0.1"."""
    return Phase("update", None, None, f"Update: {spec.name}, lr {spec.lr:g}")


class UpdatePhases:
    """The update Phase of each spec, made once: stepping asks for it at every update."""

    def __init__(self) -> None:
        self._phases: dict[int, tuple[OptimizerSpec, Phase]] = {}

    def of(self, spec: OptimizerSpec) -> Phase:
        """:func:`update_phase` of ``spec``, the same object every time for the same spec."""
        phase = self._phases.get(id(spec))
        if phase is None or phase[0] is not spec:
            phase = (spec, update_phase(spec))
            self._phases[id(spec)] = phase
        return phase[1]


def step_back(t: int, p: int, granularity: str, depth: int,
              n_phases: Callable[[int], int]) -> tuple[int, int]:
    """The cursor one ``granularity`` before ``(t, p)`` (not at ``(0, 0)``).

    ``n_phases(t)``: phases of update ``t + 1``. Back from the start of an update lands on the
    previous update's last phase (phase or observation), or on its start (iteration).
    """
    per = phases_per_observation(depth)
    if p == 0:
        t -= 1
        end = n_phases(t) - 1
        return t, {"phase": end, "observation": end, "iteration": 0}[granularity]
    if granularity == "phase":
        return t, p - 1
    if granularity == "observation":
        return t, (p - 1) // per * per
    return t, 0


def phase_before(t: int, p: int) -> tuple[int, int] | None:
    """``(t, p)`` of the phase that led to cursor ``(t, p)``; ``p = -1`` is update t's last phase."""
    if t == 0 and p == 0:
        return None
    return (t, p - 1) if p > 0 else (t - 1, -1)


@dataclass(frozen=True, eq=False)
class PartialState:
    """What the current update has computed after ``phase_index`` of its phases.

    ``rows``: the batch's dataset rows; positions ``i`` below index the batch (0-based).
    ``z(i, l)``, ``a(i, l)``, ``delta(i, l)`` give a read-only ``(n_l,)`` vector or None
    while unknown; ``a(i, 0)`` is the input. ``loss_of(i)`` is observation i's share of R
    or None. ``gradient`` ``(n_params,)`` sums what the finished backward phases give (with weight
    decay, its term lambda w is added once every observation of the batch is done).
    ``record`` holds every value of the batch (use the accessors to respect what is known).
    """

    update: int
    phase_index: int
    n_phases: int
    rows: np.ndarray
    record: PassRecord
    gradient: np.ndarray

    @property
    def _per_obs(self) -> int:
        return phases_per_observation(self.record.structure.depth)

    def _done(self, i: int) -> int:
        """Phases of batch observation ``i`` that are done (0..2L+1)."""
        return int(min(max(self.phase_index - i * self._per_obs, 0), self._per_obs))

    def z(self, i: int, l: int) -> np.ndarray | None:
        """z of layer ``l`` for batch observation ``i`` once its forward phase is done."""
        return self.record.z[l][i] if l >= 1 and self._done(i) >= l else None

    def a(self, i: int, l: int) -> np.ndarray | None:
        """a of layer ``l`` (``l = 0``: the input) once known."""
        return self.record.a[l][i] if l == 0 or self._done(i) >= l else None

    def output(self, i: int) -> np.ndarray | None:
        """The network output for batch observation ``i`` once the forward pass is done."""
        return self.a(i, self.record.structure.depth)

    def loss_of(self, i: int) -> float | None:
        """Observation ``i``'s share of R once its loss phase is done."""
        L = self.record.structure.depth
        return float(self.record.per_obs_loss[i]) if self._done(i) >= L + 1 else None

    def delta(self, i: int, l: int) -> np.ndarray | None:
        """delta = dR/dz of layer ``l`` once its backward phase is done."""
        L = self.record.structure.depth
        return self.record.delta[l][i] if l >= 1 and self._done(i) >= 2 * L + 2 - l else None

    @property
    def observations_done(self) -> int:
        """Batch observations whose phases are all done."""
        return min(self.phase_index // self._per_obs, len(self.rows))

    @property
    def complete(self) -> bool:
        """Every observation's phases are done; only the update is left."""
        return self.phase_index >= self.n_phases - 1


def partial_state(update: int, phase_index: int, n_phases: int, rec: PassRecord) -> PartialState:
    """The PartialState of update ``update + 1`` after ``phase_index`` phases over the batch ``rec``."""
    depth = rec.structure.depth
    done_obs, r = divmod(phase_index, phases_per_observation(depth))
    grad = _partial_gradient(rec, done_obs, max(0, r - depth - 1))
    if rec.weight_decay and done_obs >= rec.n_obs:  # the decay term lambda w joins once, with the last
        grad = rec.gradient                         # observation: the batch's whole dR/dtheta
    return PartialState(update, phase_index, n_phases, rec.rows, rec, grad)


def _partial_gradient(rec: PassRecord, done_obs: int, layers_done: int) -> np.ndarray:
    """Gradient from observations ``0..done_obs-1`` plus the top ``layers_done`` layers of the next."""
    net = rec.structure
    L = net.depth
    offs = net.layer_offsets()
    grad = np.zeros(net.n_params)
    for l in range(1, L + 1):
        upto = done_obs + (1 if L - l < layers_done and done_obs < rec.n_obs else 0)
        if upto == 0:
            continue
        d = rec.delta[l][:upto]
        a_prev = rec.a[l - 1][:upto]
        block = np.hstack([d.T @ a_prev, d.sum(axis=0)[:, None]])
        grad[offs[l - 1]:offs[l]] = block.ravel()
    grad.setflags(write=False)
    return grad


__all__ = ["GRANULARITIES", "PartialState", "Phase", "UpdatePhases", "batch_phase", "check_granularity",
           "partial_state", "phase_before", "phases_per_observation", "step_back", "update_phase"]
