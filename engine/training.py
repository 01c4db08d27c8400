"""Training a network one phase, one observation or one update at a time, with exact rewind.

A :class:`TrainingSession` owns the network shape, the data, the loss, the training mode
(an ``engine.training_mode.TrainingMode``), the optimizer spec and the
frozen parameters, plus the history of parameter vectors and a cursor ``(t, p)``: ``t``
updates done, ``p`` phases of update ``t + 1`` done. One update over its batch of
observations runs these phases, in order::

    for each observation in the batch: forward layer 1..L, loss, backward layer L..1
    then: update

``step_phase()``, ``step_observation()`` (the next observation's phases; when every
observation of the batch is done, the update), ``step_iteration()`` (to the end of the
update) and ``run(n)`` (the lean path: no records, 1000s of updates per second) move the
cursor forward; ``back()``, ``jump(k)`` and ``reset()`` move it back. Moving through
existing history reuses it, so stepping forward again gives identical records.

What the GUI reads: ``record()`` (PassRecord over all observations at the cursor's
parameters, cached), ``partial()`` (what the current update has computed so far; unknown
values are None), ``last_phase`` / ``next_phase``, ``status``, ``losses()``,
``batch_losses()``, ``parameters_at(k)``, ``parameter_path(...)``, ``predict(X)``,
``loss_at(theta)``, ``landscape(name_i, name_j, xs, ys)``, ``accuracy()``.

Divergence is a status, not an exception: when the loss or gradient stops being finite,
or the parameter vector's norm exceeds ``divergence_bound``, the offending update is not stored,
``status.state == "diverged"`` with a reason in words, and stepping stops; every stored
parameter vector is finite. The GUI tells by ``session.status.state`` (or
``status.finished``) and shows ``status.reason``.

Storage: parameters, full-data loss and batch loss per update in float64 chunks
(``(rows, n_params + 2)``: 88 bytes per update for the lecture network); optimizer
states at checkpoints every ``checkpoint_every`` updates, the ones in between replayed on
demand (a state depends only on the gradients, which are recomputed from the stored
parameters bit for bit). Mini-batches come from a permutation per epoch drawn from
``np.random.default_rng([seed, epoch])``, so any update's batch is known without replay.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from engine import optimizers
from engine.arrays import readonly
from engine.backprop import GradientKernel, PassRecord, _as_inputs, _forward, _Layout
from engine.fields import FieldError
from engine.losses import Loss, accuracy, get_loss, prepare_targets
from engine.network import Network, NetworkError
from engine.optimizers import OptimizerSpec, OptState, make_spec
from engine.status import CONVERGED, DIVERGED, RUNNING, Status
from engine.training_mode import TrainingMode

GRANULARITIES = ("phase", "observation", "iteration")


def _norm(a: np.ndarray) -> float:
    """Euclidean norm; NaN or inf when any entry is (so one comparison catches non-finite)."""
    return math.sqrt(a.dot(a))


class TrainingError(ValueError):
    """A training setting is not allowed; the message says what is."""


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


@dataclass(frozen=True, eq=False)
class PartialState:
    """What the current update has computed after ``phase_index`` of its phases.

    ``rows``: the batch's dataset rows; positions ``i`` below index the batch (0-based).
    ``z(i, l)``, ``a(i, l)``, ``delta(i, l)`` give a read-only ``(n_l,)`` vector or None
    while unknown; ``a(i, 0)`` is the input. ``loss_of(i)`` is observation i's share of R
    or None. ``gradient`` ``(n_params,)`` sums what the finished backward phases give.
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
        return 2 * self.record.structure.depth + 1

    def _done(self, i: int) -> int:
        """Phases of batch observation ``i`` that are done (0..2L+1)."""
        return int(min(max(self.phase_index - i * self._per_obs, 0), self._per_obs))

    def z(self, i: int, l: int) -> np.ndarray | None:
        return self.record.z[l][i] if l >= 1 and self._done(i) >= l else None

    def a(self, i: int, l: int) -> np.ndarray | None:
        return self.record.a[l][i] if l == 0 or self._done(i) >= l else None

    def output(self, i: int) -> np.ndarray | None:
        return self.a(i, self.record.structure.depth)

    def loss_of(self, i: int) -> float | None:
        L = self.record.structure.depth
        return float(self.record.per_obs_loss[i]) if self._done(i) >= L + 1 else None

    def delta(self, i: int, l: int) -> np.ndarray | None:
        L = self.record.structure.depth
        return self.record.delta[l][i] if l >= 1 and self._done(i) >= 2 * L + 2 - l else None

    @property
    def observations_done(self) -> int:
        return min(self.phase_index // self._per_obs, len(self.rows))

    @property
    def complete(self) -> bool:
        """Every observation's phases are done; only the update is left."""
        return self.phase_index >= self.n_phases - 1


def _training_mode(training: TrainingMode | str | dict) -> TrainingMode:
    """``training`` as a TrainingMode; its scenario-file form is read with the file's messages."""
    if isinstance(training, TrainingMode):
        return training
    try:
        return TrainingMode.from_json(training)
    except FieldError as e:
        raise TrainingError(str(e)) from None


class _History:
    """Per update, in float64 chunks ``(rows, n_params + 2)``: the parameters, the full-data
    loss R at them (NaN until known) and the loss of the batch the next update uses."""

    def __init__(self, n_params: int) -> None:
        self.n_params = n_params
        self.rows = int(min(65536, max(16, 2 ** 21 // (8 * (n_params + 2)))))
        self.chunks: list[np.ndarray] = []
        self.count = 0

    def append(self, theta: np.ndarray, loss: float = math.nan) -> None:
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
        return readonly(self._row(k)[:-2])

    def loss(self, k: int) -> float:
        return float(self._row(k)[-2])

    def set_loss(self, k: int, value: float) -> None:
        self._row(k)[-2] = value

    def set_batch_loss(self, k: int, value: float) -> None:
        self._row(k)[-1] = value

    def set_theta(self, k: int, theta: np.ndarray) -> None:
        self._row(k)[:-2] = theta

    def truncate(self, count: int) -> None:
        self.count = count
        del self.chunks[(count + self.rows - 1) // self.rows:]

    def column(self, j: int, stride: int = 1) -> np.ndarray:
        parts = [ch[:, j] for ch in self.chunks]
        if not parts:
            return np.empty(0)
        return np.concatenate(parts)[:self.count:stride]

    def nbytes(self) -> int:
        return sum(ch.nbytes for ch in self.chunks)


@dataclass(frozen=True)
class _Settings:
    start: int
    spec: OptimizerSpec
    frozen: np.ndarray  # bool mask (n_params,)
    any_frozen: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "any_frozen", bool(self.frozen.any()))


class TrainingSession:
    """Step through training of ``network`` on ``X (n_obs, inputs)``, ``Y (n_obs, n_out)``.

    ``loss``: a name from ``engine.losses``; ``training``: a TrainingMode or its file form
    (``"full_batch"``, ``"online"`` or ``{"mini_batch": k}``); ``spec``: an OptimizerSpec (default
    gd with lr 0.1; ``newton`` is not available for networks); ``frozen``: parameter
    names that never change; ``seed``: mini-batch shuffles; ``tol``: converged when the norm
    of the full-data gradient (frozen entries excluded) is below ``tol`` (0 disables);
    ``divergence_bound``: largest allowed norm of the parameter vector;
    ``checkpoint_every``: optimizer states kept every so many updates (default 64, or 8
    when a step is expensive), the others replayed on demand.
    """

    def __init__(self, network: Network, X: np.ndarray, Y: np.ndarray, loss: str = "sse",
                 training: TrainingMode | str | dict = TrainingMode(), spec: OptimizerSpec | None = None,
                 frozen: Sequence[str] = (), seed: int = 0, tol: float = 1e-8,
                 divergence_bound: float = 1e8, checkpoint_every: int | None = None) -> None:
        self.network = network
        self.kernel = GradientKernel(network, loss)
        self.loss: Loss = self.kernel.loss
        self.X = readonly(_as_inputs(network, X))
        self.Y = readonly(prepare_targets(self.loss, Y, network.n_outputs))
        if self.Y.shape[0] != self.X.shape[0]:
            raise TrainingError(f"got {self.X.shape[0]} input rows but {self.Y.shape[0]} "
                                "target rows")
        if self.X.shape[0] == 0:
            raise TrainingError("the data set has no observations")
        if not np.all(np.isfinite(self.X)):
            raise TrainingError("inputs must be finite numbers (found NaN or infinity)")
        self.n_obs = self.X.shape[0]
        self._all_rows = np.arange(self.n_obs)
        # z, a and delta of every node for every observation, in bytes
        self._record_bytes = 24 * self.n_obs * sum(network.sizes)
        # a full-data forward pass after every online/mini-batch update costs little here
        self._eager_loss = self.n_obs * sum(network.sizes) <= 200_000
        self._all_rows.setflags(write=False)
        #: the mode in force; a mini-batch larger than the data set is the data set
        self.training = _training_mode(training).for_data(self.n_obs)
        #: the mode's kind ("full_batch", "online", "mini_batch") and observations per update
        self.mode = self.training.kind
        self.batch_size = self.training.observations_per_update(self.n_obs)
        self._full_batch = self.mode == "full_batch"
        self.batches_per_epoch = -(-self.n_obs // self.batch_size)
        self.seed = int(seed)
        if not (tol >= 0 and math.isfinite(tol)):
            raise TrainingError(f"tolerance must be >= 0, got {tol}")
        if not divergence_bound > 0:
            raise TrainingError(f"divergence bound must be > 0, got {divergence_bound}")
        if checkpoint_every is None:
            # replaying up to 63 updates is instant for small problems; keep it short for big ones
            checkpoint_every = 64 if self.n_obs * network.n_params <= 100_000 else 8
        if checkpoint_every < 1:
            raise TrainingError(f"checkpoint interval must be >= 1, got {checkpoint_every}")
        self.tol = float(tol)
        self.divergence_bound = float(divergence_bound)
        self.checkpoint_every = int(checkpoint_every)
        self._names = network.param_names()
        self._index = {name: i for i, name in enumerate(self._names)}
        self._theta0 = network.theta()
        spec = make_spec("gd", lr=0.1) if spec is None else spec
        self._settings = [_Settings(0, self._check_spec(spec), self._mask(frozen))]
        self._perm_cache: dict[int, np.ndarray] = {}
        self.last_granularity = "iteration"
        self._update_phases: dict[int, tuple[OptimizerSpec, Phase]] = {}
        self._start(self._theta0)

    # ------------------------------------------------------------------ setup
    def _start(self, theta0: np.ndarray) -> None:
        self._hist = _History(self.network.n_params)
        self._hist.append(theta0, self.kernel.value(theta0, self.X, self.Y))
        first = self._settings[0]
        self._settings = [_Settings(0, first.spec, first.frozen)]
        self._checkpoints: dict[int, OptState] = {0: optimizers.init(first.spec, theta0)}
        self._checkpoint_keys = [0]
        self._state_cache: dict[int, OptState] = {}
        self._end_state = self._checkpoints[0]
        self._end_status = Status(RUNNING, "", 0)
        self._t = 0
        self._p = 0
        self._records: dict[tuple[str, int], PassRecord] = {}
        # (t, p) of the phase that led to the cursor; p = -1 stands for update t's last phase
        self._last: tuple[int, int] | None = None

    def _check_spec(self, spec: OptimizerSpec) -> OptimizerSpec:
        if optimizers.get_optimizer(spec.name).needs_hessian:
            *others, last = optimizers.FIRST_ORDER_NAMES
            raise TrainingError(f"{spec.name} needs a Hessian, which networks do not provide; "
                                f"choose {', '.join(others)} or {last}")
        return spec

    def _mask(self, frozen: Sequence[str]) -> np.ndarray:
        mask = np.zeros(len(self._names), dtype=bool)
        for name in frozen:
            mask[self.network.param_index(name)] = True
        mask.setflags(write=False)
        return mask

    # ------------------------------------------------------------------ settings
    def _settings_at(self, t: int) -> _Settings:
        settings = self._settings
        if len(settings) == 1:
            return settings[0]
        return settings[bisect.bisect_right([s.start for s in settings], t) - 1]

    @property
    def spec(self) -> OptimizerSpec:
        return self._settings_at(self._t).spec

    @property
    def frozen(self) -> frozenset[str]:
        mask = self._settings_at(self._t).frozen
        return frozenset(n for n, f in zip(self._names, mask) if f)

    def set_spec(self, spec: OptimizerSpec) -> None:
        """Use ``spec`` from the cursor on (later history is dropped). A different optimizer
        starts from a fresh state; a changed hyperparameter keeps the state."""
        spec = self._check_spec(spec)
        old = self._settings_at(self._t)
        state = self._state_at(self._t)
        if spec.name != old.spec.name:
            state = optimizers.init(spec, self._hist.theta(self._t))
        self._change(_Settings(self._t, spec, old.frozen), state)

    def set_frozen(self, names: Sequence[str]) -> None:
        """Freeze exactly ``names`` from the cursor on (later history is dropped)."""
        old = self._settings_at(self._t)
        self._change(_Settings(self._t, old.spec, self._mask(names)), self._state_at(self._t))

    def set_parameter(self, name: str, value: float) -> None:
        """Set parameter ``name`` at the cursor (later history is dropped; the update restarts)."""
        value = float(value)
        if not math.isfinite(value):
            raise NetworkError(f"{name}: value must be a finite number, got {value}")
        index = self.network.param_index(name)
        state = self._state_at(self._t)
        theta = np.array(self._hist.theta(self._t))
        theta[index] = value
        self._truncate()
        self._hist.set_theta(self._t, theta)
        self._hist.set_loss(self._t, self.kernel.value(theta, self.X, self.Y))
        self._end_state = state
        self._records.clear()
        if self._t == 0:
            self._theta0 = theta

    def _change(self, settings: _Settings, state: OptState) -> None:
        self._truncate()
        self._settings = [s for s in self._settings if s.start < settings.start] + [settings]
        self._set_checkpoint(self._t, state)
        self._end_state = state

    def _truncate(self) -> None:
        """Drop history after the cursor's update and restart its phases."""
        t = self._t
        state = self._state_at(t)
        self._hist.truncate(t + 1)
        self._settings = [s for s in self._settings if s.start <= t]
        for k in [k for k in self._checkpoint_keys if k > t]:
            del self._checkpoints[k]
        self._checkpoint_keys = [k for k in self._checkpoint_keys if k <= t]
        self._state_cache = {k: v for k, v in self._state_cache.items() if k <= t}
        self._end_state = state
        self._end_status = Status(RUNNING, "", t)
        self._p = 0
        self._last = None

    # ------------------------------------------------------------------ batches
    def batch_rows(self, t: int) -> np.ndarray:
        """Dataset rows (0-based) of the batch that update ``t + 1`` (index ``t``) uses."""
        if self.mode == "full_batch":
            return self._all_rows
        if self.mode == "online":
            return np.array([t % self.n_obs])
        epoch, b = divmod(t, self.batches_per_epoch)
        perm = self._perm_cache.get(epoch)
        if perm is None:
            perm = np.random.default_rng([self.seed, epoch]).permutation(self.n_obs)
            if len(self._perm_cache) > 8:
                self._perm_cache.clear()
            self._perm_cache[epoch] = perm
        return perm[b * self.batch_size:(b + 1) * self.batch_size]

    def _batch(self, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        rows = self.batch_rows(t)
        if self.mode == "full_batch":
            return rows, self.X, self.Y
        return rows, self.X[rows], self.Y[rows]

    # ------------------------------------------------------------------ optimizer states
    def _set_checkpoint(self, t: int, state: OptState) -> None:
        if t not in self._checkpoints:
            bisect.insort(self._checkpoint_keys, t)
        self._checkpoints[t] = state

    def _masked_gradient(self, t: int) -> tuple[float, np.ndarray]:
        _, Xb, Yb = self._batch(t)
        loss, g = self.kernel(self._hist.theta(t), Xb, Yb)
        mask = self._settings_at(t).frozen
        if mask.any():
            g[mask] = 0.0
        return loss, g

    def _state_at(self, t: int) -> OptState:
        """Optimizer state after ``t`` updates, replayed from the nearest checkpoint."""
        if t == self._hist.count - 1:
            return self._end_state
        if t in self._state_cache:
            return self._state_cache[t]
        i = bisect.bisect_right(self._checkpoint_keys, t) - 1
        start = self._checkpoint_keys[i]
        cached = [k for k in self._state_cache if start < k <= t]
        if cached:
            start = max(cached)
            state = self._state_cache[start]
        else:
            state = self._checkpoints[start]
        if len(self._state_cache) > 4 * self.checkpoint_every:
            self._state_cache.clear()
        for k in range(start, t):
            spec = self._settings_at(k).spec
            if optimizers.get_optimizer(spec.name).stateless:
                state = state.next_count()   # nothing but the count: no gradient to recompute
            else:
                _, g = self._masked_gradient(k)
                _, state = optimizers.update(spec, g, state, self._hist.theta(k))
            self._state_cache[k + 1] = state
        return state

    # ------------------------------------------------------------------ the update
    def _diverge(self, iteration: int, why: str) -> None:
        self._end_status = Status(DIVERGED, f"{why} at iteration {iteration} — try a smaller "
                                            "learning rate", iteration)

    def _update(self, t: int, theta: np.ndarray, loss_b: float, g: np.ndarray,
                Xb: np.ndarray, Yb: np.ndarray, state: OptState) -> tuple[np.ndarray, OptState] | None:
        """Update number t + 1 from ``theta`` with batch gradient ``g``; None when it diverged
        or converged (the status says which). Neither ``theta`` nor ``g`` is modified."""
        settings = self._settings_at(t)
        mask = settings.frozen
        frozen_any = settings.any_frozen
        full_batch = self._full_batch
        if frozen_any:
            g = np.array(g)
            g[mask] = 0.0
        gnorm = _norm(g)
        if not (math.isfinite(loss_b) and math.isfinite(gnorm)):
            self._diverge(t, "loss became infinite" if not math.isfinite(loss_b)
                          else "the gradient became infinite")
            return None
        if full_batch and gnorm < self.tol:
            self._end_status = Status(CONVERGED, f"gradient below {self.tol:g} at iteration {t}",
                                      t)
            return None
        spec = settings.spec
        delta, new_state = optimizers.update(spec, g, state, theta)
        if spec.schedule == "backtracking":
            step, _ = optimizers.armijo_backtracking(
                lambda th: self.kernel.value(th, Xb, Yb), theta, loss_b, g, delta,
                spec.armijo_c, spec.shrink)
            delta = delta * step
        if frozen_any:
            delta[mask] = 0.0
        # theta is finite and bounded, so theta + delta raises no floating-point warning;
        # an inf or NaN in delta carries through to the norm check
        new = theta + delta
        size = _norm(new)
        if not size <= self.divergence_bound:
            self._diverge(t + 1, "parameters became infinite" if not math.isfinite(size)
                          else f"parameters grew beyond {self.divergence_bound:g}")
            return None
        return new, new_state

    def _commit(self, t: int, new: np.ndarray, state: OptState) -> bool:
        """Append theta_{t+1}; for online/mini-batch also its full-data loss when that is cheap
        or an epoch ends (full batch: known from the next gradient), and check convergence."""
        full = math.nan
        if not self._full_batch and (self._eager_loss
                                          or (t + 1) % self.batches_per_epoch == 0):
            full = self.kernel.value(new, self.X, self.Y)
            if not math.isfinite(full):
                self._diverge(t + 1, "loss became infinite")
                return False
        self._hist.append(new, full)
        self._end_state = state
        if (t + 1) % self.checkpoint_every == 0:
            self._set_checkpoint(t + 1, state)
        if (not self._full_batch and self.tol > 0
                and (t + 1) % self.batches_per_epoch == 0):
            _, g = self.kernel(new, self.X, self.Y)
            mask = self._settings_at(t + 1).frozen
            g[mask] = 0.0
            if _norm(g) < self.tol:
                self._end_status = Status(CONVERGED, f"gradient below {self.tol:g} at "
                                                     f"iteration {t + 1}", t + 1)
        return True

    def _advance_update(self) -> bool:
        """Apply update t + 1 at the cursor (reusing history when it exists)."""
        t = self._t
        if t + 1 < self._hist.count:
            self._t = t + 1
            self._p = 0
            return True
        if self._end_status.finished:
            return False
        rec = self.batch_record()
        self._hist.set_batch_loss(t, rec.loss)
        if self.mode == "full_batch":
            self._hist.set_loss(t, rec.loss)
        result = self._update(t, rec.theta, rec.loss, rec.gradient, rec.a[0], rec.targets,
                              self._end_state)
        if result is None or not self._commit(t, *result):
            return False
        self._t = t + 1
        self._p = 0
        return True

    # ------------------------------------------------------------------ phases
    def n_phases(self, t: int | None = None) -> int:
        """Phases of update ``t + 1``: (2L + 1) per batch observation, then the update."""
        t = self._t if t is None else t
        return len(self.batch_rows(t)) * (2 * self.network.depth + 1) + 1

    def phase(self, t: int, p: int) -> Phase:
        """Phase number ``p`` (0-based) of update ``t + 1``."""
        L = self.network.depth
        rows = self.batch_rows(t)
        per = 2 * L + 1
        if p == len(rows) * per:
            return self._update_phase(t)
        if not 0 <= p < len(rows) * per:
            raise IndexError(f"phase {p} out of range 0..{len(rows) * per}")
        i, r = divmod(p, per)
        obs = int(rows[i])
        tail = f"observation {obs + 1}"
        if r < L:
            src = "inputs" if r == 0 else f"layer {r}"
            return Phase("forward", r + 1, obs, f"Forward: {src} → layer {r + 1}, {tail}")
        if r == L:
            return Phase("loss", None, obs, f"Loss: {tail}")
        l = 2 * L + 1 - r  # L, L-1, ..., 1
        src = "loss" if l == L else f"layer {l + 1}"
        return Phase("backward", l, obs, f"Backward: {src} → layer {l}, {tail}")

    def _update_phase(self, t: int) -> Phase:
        spec = self._settings_at(t).spec
        phase = self._update_phases.get(id(spec))
        if phase is None or phase[0] is not spec:
            phase = (spec, Phase("update", None, None, f"Update: {spec.name}, lr {spec.lr:g}"))
            self._update_phases[id(spec)] = phase
        return phase[1]

    @property
    def last_phase(self) -> Phase | None:
        """The phase that led to the cursor's state (None at the start or after run/jump)."""
        if self._last is None:
            return None
        t, p = self._last
        return self._update_phase(t) if p < 0 else self.phase(t, p)

    @property
    def next_phase(self) -> Phase | None:
        if self._t + 1 >= self._hist.count and self._end_status.finished:
            return None
        return self.phase(self._t, self._p)

    @property
    def cursor(self) -> tuple[int, int]:
        """``(t, p)``: t updates done, p phases of the next update done."""
        return self._t, self._p

    def step_phase(self) -> Phase | None:
        """Do the next phase; returns it, or None when the run has stopped."""
        self.last_granularity = "phase"
        return self._step_phases(1)

    def _step_phases(self, count: int) -> Phase | None:
        done = None
        for _ in range(count):
            phase = self.next_phase
            if phase is None:
                break
            if phase.kind == "update":
                if not self._advance_update():
                    break
            else:
                self._p += 1
            done = phase
            self._last = (self._t - 1, -1) if phase.kind == "update" else (self._t, self._p - 1)
        return done

    def step_observation(self) -> Phase | None:
        """Finish the next observation of the batch; when all are done, do the update."""
        self.last_granularity = "observation"
        per = 2 * self.network.depth + 1
        last = self.n_phases() - 1
        if self._p >= last:
            return self._step_phases(1)
        target = min((self._p // per + 1) * per, last)
        return self._step_phases(target - self._p)

    def step_iteration(self) -> Phase | None:
        """Finish the current update (all remaining phases, then the update)."""
        self.last_granularity = "iteration"
        if self._advance_update():
            self._last = (self._t - 1, -1)
            return self._update_phase(self._t - 1)
        return None

    def step(self, granularity: str = "iteration") -> Phase | None:
        """One unit of ``granularity`` (phase, observation or iteration)."""
        if granularity not in GRANULARITIES:
            raise TrainingError(f"unknown granularity {granularity!r}; choose one of "
                                f"{', '.join(GRANULARITIES)}")
        return {"phase": self.step_phase, "observation": self.step_observation,
                "iteration": self.step_iteration}[granularity]()

    def run(self, n_updates: int) -> int:
        """Take up to ``n_updates`` updates on the lean path; returns how many were taken."""
        self.last_granularity = "iteration"
        taken = 0
        while taken < n_updates and self._t + 1 < self._hist.count:
            self._t += 1
            taken += 1
        self._p = 0
        if taken == n_updates or self._end_status.finished:
            self._last = None
            return taken
        t = self._t
        theta = np.array(self._hist.theta(t))
        state = self._end_state
        full = self.mode == "full_batch"
        kernel = self.kernel
        while taken < n_updates:
            _, Xb, Yb = self._batch(t)
            loss_b, g = kernel(theta, Xb, Yb)
            self._hist.set_batch_loss(t, loss_b)
            if full:
                self._hist.set_loss(t, loss_b)
            result = self._update(t, theta, loss_b, g, Xb, Yb, state)
            if result is None or not self._commit(t, *result):
                break
            theta, state = result
            t += 1
            taken += 1
            if self._end_status.finished:
                break
        self._t = t
        self._last = None
        return taken

    # ------------------------------------------------------------------ moving back
    def back(self, granularity: str | None = None) -> bool:
        """Undo one unit (default: the granularity last stepped with); False at the start."""
        g = self.last_granularity if granularity is None else granularity
        if g not in GRANULARITIES:
            raise TrainingError(f"unknown granularity {g!r}; choose one of "
                                f"{', '.join(GRANULARITIES)}")
        t, p = self._t, self._p
        if t == 0 and p == 0:
            return False
        per = 2 * self.network.depth + 1
        if p == 0:
            t -= 1
            end = self.n_phases(t) - 1
            p = {"phase": end, "observation": end, "iteration": 0}[g]
        elif g == "phase":
            p -= 1
        elif g == "observation":
            p = (p - 1) // per * per
        else:
            p = 0
        self._t, self._p = t, p
        self._last = None if (t == 0 and p == 0) else ((t, p - 1) if p > 0 else (t - 1, -1))
        return True

    def jump(self, update_index: int) -> None:
        """Move to the state after ``update_index`` updates (running forward if needed)."""
        if update_index < 0:
            raise IndexError(f"update index must be >= 0, got {update_index}")
        if update_index < self._hist.count:
            self._t, self._p = update_index, 0
        else:
            self._t, self._p = self._hist.count - 1, 0
            self.run(update_index - self._t)
        self._last = None

    def reset(self) -> None:
        """Back to the initial parameters with no history (current settings kept)."""
        settings = self._settings_at(self._t)
        self._settings = [_Settings(0, settings.spec, settings.frozen)]
        self._start(self._theta0)

    # ------------------------------------------------------------------ reading
    @property
    def status(self) -> Status:
        """``running``, or at the end of history ``converged`` / ``diverged`` with a reason."""
        if self._t == self._hist.count - 1 and self._end_status.finished:
            return self._end_status
        return Status(RUNNING, "", self._t)

    @property
    def n_updates(self) -> int:
        """Updates stored in history (the cursor can be anywhere in 0..n_updates)."""
        return self._hist.count - 1

    @property
    def param_names(self) -> list[str]:
        return list(self._names)

    def theta(self) -> np.ndarray:
        """Parameters at the cursor ``(n_params,)`` (read-only)."""
        return self._hist.theta(self._t)

    def network_at(self, k: int | None = None) -> Network:
        """The network with the parameters after ``k`` updates (default: the cursor)."""
        return self.network.with_theta(self._hist.theta(self._t if k is None else k))

    def parameters_at(self, k: int) -> np.ndarray:
        """Parameters after ``k`` updates ``(n_params,)``."""
        return self._hist.theta(k)

    def parameter_path(self, names: Sequence[str], stride: int = 1) -> np.ndarray:
        """Chosen parameters over history, every ``stride``-th update: ``(m, len(names))``."""
        cols = [self._index[n] if n in self._index else self.network.param_index(n)
                for n in names]
        return np.stack([self._hist.column(c, stride) for c in cols], axis=1) if cols else \
            np.empty((len(range(0, self._hist.count, stride)), 0))

    def losses(self, stride: int = 1) -> np.ndarray:
        """Full-data loss R after 0, stride, 2 stride, ... updates (up to ``n_updates``).

        Always known for full-batch training and for small data sets; for large data sets
        trained online or in mini-batches it is computed at the end of each epoch only and
        the entries in between are NaN (plot with ``connect="finite"``).
        """
        last = self._hist.count - 1
        if math.isnan(self._hist.loss(last)):
            self._hist.set_loss(last, self.kernel.value(self._hist.theta(last), self.X, self.Y))
        return self._hist.column(self.network.n_params, stride)

    def batch_losses(self, stride: int = 1) -> np.ndarray:
        """Loss of the batch each update used, at the parameters it started from
        ``(n_updates,)`` (every ``stride``-th); equals ``losses()[:-1]`` for full batch."""
        return self._hist.column(self.network.n_params + 1)[:self.n_updates:stride]

    def record(self) -> PassRecord:
        """PassRecord over all observations at the cursor's parameters (cached)."""
        return self.record_at(self._t)

    def record_at(self, k: int) -> PassRecord:
        """PassRecord over all observations after ``k`` updates."""
        if self.mode == "full_batch":
            return self._batch_record_at(k)
        key = ("full", k)
        rec = self._records.get(key)
        if rec is None:
            rec = self.kernel.record(self._hist.theta(k), self.X, self.Y)
            self._cache(key, rec)
        return rec

    def batch_record(self) -> PassRecord:
        """PassRecord over the batch of the cursor's update (rows ``rec.rows``)."""
        return self._batch_record_at(self._t)

    def _batch_record_at(self, k: int) -> PassRecord:
        key = ("batch", k)
        rec = self._records.get(key)
        if rec is None:
            rows, Xb, Yb = self._batch(k)
            rec = self.kernel.record(self._hist.theta(k), Xb, Yb, rows)
            self._cache(key, rec)
        return rec

    def _cache(self, key, rec: PassRecord) -> None:
        """Keep the last few records (at most 8, and about 64 MB for large data sets)."""
        limit = 8 if self._record_bytes < 8 * 2 ** 20 else max(2, 2 ** 26 // self._record_bytes)
        while len(self._records) >= limit:
            del self._records[next(iter(self._records))]
        self._records[key] = rec

    def partial(self) -> PartialState:
        """What update t + 1 has computed after the cursor's ``p`` phases."""
        rec = self.batch_record()
        per = 2 * self.network.depth + 1
        done_obs, r = divmod(self._p, per)
        grad = _partial_gradient(rec, done_obs, max(0, r - self.network.depth - 1))
        return PartialState(self._t, self._p, self.n_phases(), rec.rows, rec, grad)

    @property
    def optimizer_state(self) -> OptState:
        return self._state_at(self._t)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Outputs ``(n, n_out)`` at the cursor's parameters for ``X (n, inputs)``."""
        X = _as_inputs(self.network, X)
        with np.errstate(all="ignore"):
            return _forward(self.kernel.layout, self.kernel.layout.blocks(self.theta()), X)[1][-1]

    def accuracy(self) -> float | None:
        """Share of observations whose predicted class at the cursor is the labelled one;
        None unless the loss classifies (``engine.losses.accuracy``)."""
        if not self.loss.classifies:
            return None
        return accuracy(self.predict(self.X), self.Y)

    def loss_at(self, theta: np.ndarray) -> float:
        """Full-data loss R at parameters ``theta (n_params,)``."""
        return self.kernel.value(np.asarray(theta, dtype=np.float64), self.X, self.Y)

    def landscape(self, name_i: str, name_j: str, xs: np.ndarray, ys: np.ndarray,
                  theta: np.ndarray | None = None) -> np.ndarray:
        """R over a grid of two parameters, the others fixed at ``theta`` (default: cursor).

        ``xs (nx,)`` values of ``name_i``, ``ys (ny,)`` of ``name_j``; returns ``(ny, nx)``.
        """
        i = self.network.param_index(name_i)
        j = self.network.param_index(name_j)
        xs = np.asarray(xs, dtype=np.float64).ravel()
        ys = np.asarray(ys, dtype=np.float64).ravel()
        base = self.theta() if theta is None else np.asarray(theta, dtype=np.float64)
        gx, gy = np.meshgrid(xs, ys)
        thetas = np.broadcast_to(base, (gx.size, base.size)).copy()
        thetas[:, i] = gx.ravel()
        thetas[:, j] = gy.ravel()
        return batched_loss(self.network, self.loss, thetas, self.X, self.Y).reshape(gx.shape)

    def memory_bytes(self) -> int:
        """Bytes held by the history (parameters, losses, checkpointed optimizer states)."""
        per_state = sum(a.nbytes + 112 for a in self._end_state.arrays().values()) + 64
        return self._hist.nbytes() + per_state * (len(self._checkpoints) + len(self._state_cache))


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


def batched_loss(net: Network, loss: Loss | str, thetas: np.ndarray, X: np.ndarray,
                 Y: np.ndarray, max_elements: int = 2_000_000) -> np.ndarray:
    """R at many parameter vectors ``thetas (G, n_params)`` at once: ``(G,)``.

    ``X (n, inputs)``, ``Y (n, n_out)`` prepared targets. Works in chunks so that no
    intermediate array holds more than about ``max_elements`` numbers.
    """
    loss = get_loss(loss) if isinstance(loss, str) else loss
    layout = _Layout(net, loss)
    G = thetas.shape[0]
    n = X.shape[0]
    widest = max(net.sizes)
    chunk = max(1, max_elements // max(1, n * widest))
    out = np.empty(G)
    sizes, offs = layout.sizes, layout.offs
    with np.errstate(all="ignore"):
        for s in range(0, G, chunk):
            th = thetas[s:s + chunk]
            a = X[None, :, :]
            for l, act in enumerate(layout.acts, start=1):
                p = sizes[l - 1]
                block = th[:, offs[l - 1]:offs[l]].reshape(-1, sizes[l], p + 1)
                z = a @ block[:, :, :p].transpose(0, 2, 1) + block[:, None, :, p]
                a = act.fn(z)
            g = a.shape[0]
            per = loss.per_obs(a.reshape(g * n, -1), np.broadcast_to(Y, (g, n, Y.shape[1]))
                               .reshape(g * n, -1)).reshape(g, n).sum(axis=1)
            if loss.name == "mse":
                per *= g  # per_obs divides by the size of the whole (g n, n_out) block
            out[s:s + g] = per
    return out


__all__ = ["TrainingSession", "TrainingError", "TrainingMode", "Phase", "PartialState",
           "GRANULARITIES", "batched_loss"]
