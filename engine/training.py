"""Training a network one phase, one observation or one update at a time, with exact rewind.

A :class:`TrainingSession` owns the network shape, the data, the loss, the training mode
(an ``engine.training_mode.TrainingMode``), the optimizer spec and the frozen parameters,
plus the history of the run (``engine.history``) and a cursor ``(t, p)``: ``t`` updates done,
``p`` phases of update ``t + 1`` done (the phases and their names: ``engine.phases``).

``step_phase()``, ``step_observation()`` (the next observation's phases; when every
observation of the batch is done, the update), ``step_iteration()`` (to the end of the
update) and ``run(n)`` (the lean path: no records, 1000s of updates per second) move the
cursor forward; ``back()``, ``jump(k)`` and ``reset()`` move it back. Moving through
existing history reuses it, so stepping forward again gives identical records.

What the GUI reads: ``record()`` (PassRecord over all observations at the cursor's
parameters, cached), ``partial()`` (what the current update has computed so far; unknown
values are None), ``last_phase`` / ``next_phase``, ``status`` (divergence is a status, not an
exception: ``engine.network_update``), ``losses()``, ``batch_losses()``, ``parameters_at(k)``,
``parameter_path(...)``, ``predict(X)``, ``loss_at(theta)``, ``landscape(...)``, ``accuracy()``.
"""

from __future__ import annotations

import math
import weakref
from typing import Sequence

import numpy as np

from engine import optimizers
from engine.backprop import GradientKernel, _as_inputs, _forward
from engine.data_split import history_readers, session_arrays, split_session_data
from engine.history import Settings, TrainingHistory
from engine.landscape import batched_loss, landscape
from engine.losses import Loss, accuracy
from engine.network import Network, NetworkError
from engine.network_update import Updater, check_network_spec, frozen_mask
from engine.optimizers import OptimizerSpec, OptState, make_spec
from engine.pass_record import PassRecord, RecordCache
from engine.phases import (GRANULARITIES, PartialState, Phase, UpdatePhases, batch_phase, check_granularity,
                           partial_state, phase_before, phases_per_observation, step_back)
from engine.status import RUNNING, Status
from engine.training_mode import BatchOrder, TrainingError, TrainingMode


class TrainingSession:
    """Step through training of ``network`` on ``X (n_obs, inputs)``, ``Y (n_obs, n_out)``.

    ``loss``: a name from ``engine.losses``; ``training``: a TrainingMode or its file form
    (``"full_batch"``, ``"online"`` or ``{"mini_batch": k}``); ``spec``: an OptimizerSpec (default
    gd with lr 0.1; ``newton`` is not available for networks); ``frozen``: parameter
    names that never change; ``seed``: mini-batch shuffles; ``tol``: converged when the norm
    of the full-data gradient (frozen entries excluded) is below ``tol`` (0 disables);
    ``divergence_bound``: largest allowed norm of the parameter vector;
    ``checkpoint_every``: optimizer states kept every so many updates (default 64, or 8
    when a step is expensive), the others replayed on demand; ``weight_decay``: lambda of R's
    term lambda/2 sum w^2, biases excluded (``engine.weight_decay``); ``test_fraction``,
    ``split_seed``: hold out that share of the observations, drawn from the seed
    (``engine.data_split``): ``X``/``Y`` and every record are then the training part only, and
    ``held_out`` judges the parameters on the rest (``test_losses``, ``test_accuracy``).
    """

    def __init__(self, network: Network, X: np.ndarray, Y: np.ndarray, loss: str = "sse",
                 training: TrainingMode | str | dict = TrainingMode(), spec: OptimizerSpec | None = None,
                 frozen: Sequence[str] = (), seed: int = 0, tol: float = 1e-8,
                 divergence_bound: float = 1e8, checkpoint_every: int | None = None,
                 weight_decay: float = 0.0, test_fraction: float = 0.0, split_seed: int = 0) -> None:
        self.network = network
        self.kernel = GradientKernel(network, loss, weight_decay)
        self.loss: Loss = self.kernel.loss
        #: ``split``: rows (0-based, of the data given) trained on and held out; ``held_out``: the
        #: held-out part (None without a split)
        self.split, self.X, self.Y, self.held_out = split_session_data(
            self.kernel, *session_arrays(network, self.loss, X, Y), test_fraction, split_seed,
            *history_readers(weakref.ref(self)))
        self.n_obs = self.X.shape[0]
        # z, a and delta of every node for every observation, in bytes
        self._record_bytes = 24 * self.n_obs * sum(network.sizes)
        #: the mode in force; a mini-batch larger than the data set is the data set
        self.training = TrainingMode.coerce(training).for_data(self.n_obs)
        self._order = BatchOrder(self.training, self.n_obs, seed)
        #: the mode's kind ("full_batch", "online", "mini_batch") and observations per update
        self.mode = self.training.kind
        self.batch_size = self._order.batch_size
        self.batches_per_epoch = self._order.per_epoch
        self.seed = self._order.seed
        self._updater = Updater(self.kernel, self.X, self.Y, self._order, tol, divergence_bound)
        self.tol, self.divergence_bound = self._updater.tol, self._updater.bound
        if checkpoint_every is None:
            # replaying up to 63 updates is instant for small problems; keep it short for big ones
            checkpoint_every = 64 if self.n_obs * network.n_params <= 100_000 else 8
        if checkpoint_every < 1:
            raise TrainingError(f"checkpoint interval must be >= 1, got {checkpoint_every}")
        self.checkpoint_every = int(checkpoint_every)
        self._names = network.param_names()
        self._index = {name: i for i, name in enumerate(self._names)}
        self._theta0 = network.theta()
        spec = make_spec("gd", lr=0.1) if spec is None else spec
        self.last_granularity = "iteration"
        self._update_phases = UpdatePhases()
        self._start(self._theta0, Settings(0, check_network_spec(spec), self._mask(frozen)))

    # ------------------------------------------------------------------ setup
    def _start(self, theta0: np.ndarray, settings: Settings) -> None:
        """Begin the history at ``theta0`` under ``settings``, with a fresh optimizer state."""
        self._hist = TrainingHistory(theta0, self.kernel.value(theta0, self.X, self.Y), settings,
                                     optimizers.init(settings.spec, theta0), self.checkpoint_every,
                                     self._updater.replay)
        self._t = 0
        self._p = 0
        self._records = RecordCache(self._record_bytes)
        # (t, p) of the phase that led to the cursor; p = -1 stands for update t's last phase
        self._last: tuple[int, int] | None = None

    def _mask(self, frozen: Sequence[str]) -> np.ndarray:
        return frozen_mask(self.network, frozen)

    # ------------------------------------------------------------------ settings
    @property
    def spec(self) -> OptimizerSpec:
        """The optimizer in force at the cursor."""
        return self._hist.settings_at(self._t).spec

    @property
    def frozen(self) -> frozenset[str]:
        """Names of the parameters frozen at the cursor."""
        mask = self._hist.settings_at(self._t).frozen
        return frozenset(n for n, f in zip(self._names, mask) if f)

    def set_spec(self, spec: OptimizerSpec) -> None:
        """Use ``spec`` from the cursor on (later history is dropped). A different optimizer
        starts from a fresh state; a changed hyperparameter keeps the state."""
        spec = check_network_spec(spec)
        old = self._hist.settings_at(self._t)
        state = self._hist.state_at(self._t)
        if spec.name != old.spec.name:
            state = optimizers.init(spec, self._hist.theta(self._t))
        self._change(Settings(self._t, spec, old.frozen), state)

    def set_frozen(self, names: Sequence[str]) -> None:
        """Freeze exactly ``names`` from the cursor on (later history is dropped)."""
        old = self._hist.settings_at(self._t)
        self._change(Settings(self._t, old.spec, self._mask(names)), self._hist.state_at(self._t))

    def set_parameter(self, name: str, value: float) -> None:
        """Set parameter ``name`` at the cursor (later history is dropped; the update restarts)."""
        value = float(value)
        if not math.isfinite(value):
            raise NetworkError(f"{name}: value must be a finite number, got {value}")
        index = self.network.param_index(name)
        theta = np.array(self._hist.theta(self._t))
        theta[index] = value
        self._truncate()
        self._hist.set_theta(self._t, theta)
        self._hist.set_loss(self._t, self.kernel.value(theta, self.X, self.Y))
        self._records.clear()
        if self._t == 0:
            self._theta0 = theta

    def _change(self, settings: Settings, state: OptState) -> None:
        """Put ``settings`` in force from the cursor on, starting from optimizer ``state``."""
        self._hist.change(settings, state)
        self._p, self._last = 0, None

    def _truncate(self) -> None:
        """Drop history after the cursor's update and restart its phases."""
        self._hist.truncate(self._t)
        self._p, self._last = 0, None

    # ------------------------------------------------------------------ batches
    def batch_rows(self, t: int) -> np.ndarray:
        """Dataset rows (0-based) of the batch that update ``t + 1`` (index ``t``) uses."""
        return self._order.rows(t)

    def _advance_update(self) -> bool:
        """Apply update t + 1 at the cursor (reusing history when it exists)."""
        t = self._t
        if t + 1 == self._hist.count:  # at the end of history: compute the update
            if self._hist.end_status.finished:
                return False
            rec = self.batch_record()
            taken = self._updater.take(self._hist, t, rec.theta, rec.loss, rec.gradient, rec.a[0], rec.targets)
            if taken is None:
                return False
        self._t, self._p = t + 1, 0
        return True

    # ------------------------------------------------------------------ phases
    def n_phases(self, t: int | None = None) -> int:
        """Phases of update ``t + 1``: (2L + 1) per batch observation, then the update."""
        t = self._t if t is None else t
        return len(self.batch_rows(t)) * phases_per_observation(self.network.depth) + 1

    def phase(self, t: int, p: int) -> Phase:
        """Phase number ``p`` (0-based) of update ``t + 1``."""
        rows = self.batch_rows(t)
        if p == len(rows) * phases_per_observation(self.network.depth):
            return self._update_phase(t)
        return batch_phase(self.network.depth, rows, p)

    def _update_phase(self, t: int) -> Phase:
        """The update phase of update ``t + 1``."""
        return self._update_phases.of(self._hist.settings_at(t).spec)

    @property
    def last_phase(self) -> Phase | None:
        """The phase that led to the cursor's state (None at the start or after run/jump)."""
        if self._last is None:
            return None
        t, p = self._last
        return self._update_phase(t) if p < 0 else self.phase(t, p)

    @property
    def next_phase(self) -> Phase | None:
        """The phase the next step_phase() does (None when the run has stopped)."""
        if self._t + 1 >= self._hist.count and self._hist.end_status.finished:
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
        """Do up to ``count`` phases; returns the last one done."""
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
        per = phases_per_observation(self.network.depth)
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
        check_granularity(granularity)
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
        if taken == n_updates or self._hist.end_status.finished:
            self._last = None
            return taken
        taken += self._updater.extend(self._hist, n_updates - taken)
        self._t = self._hist.count - 1
        self._last = None
        return taken

    # ------------------------------------------------------------------ moving back
    def back(self, granularity: str | None = None) -> bool:
        """Undo one unit (default: the granularity last stepped with); False at the start."""
        g = check_granularity(self.last_granularity if granularity is None else granularity)
        if self._t == 0 and self._p == 0:
            return False
        self._t, self._p = step_back(self._t, self._p, g, self.network.depth, self.n_phases)
        self._last = phase_before(self._t, self._p)
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
        self._start(self._theta0, self._hist.settings_at(self._t))

    # ------------------------------------------------------------------ reading
    @property
    def status(self) -> Status:
        """``running``, or at the end of history ``converged`` / ``diverged`` with a reason."""
        if self._t == self._hist.count - 1 and self._hist.end_status.finished:
            return self._hist.end_status
        return Status(RUNNING, "", self._t)

    @property
    def n_updates(self) -> int:
        """Updates stored in history (the cursor can be anywhere in 0..n_updates)."""
        return self._hist.count - 1

    @property
    def param_names(self) -> list[str]:
        """Parameter names in theta order, e.g. ``w(1)[1,1]``."""
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
        if self._updater.full_batch:
            return self._batch_record_at(k)
        rec = self._records.get(("full", k))
        if rec is None:
            rec = self._records.put(("full", k), self.kernel.record(self._hist.theta(k), self.X, self.Y))
        return rec

    def batch_record(self) -> PassRecord:
        """PassRecord over the batch of the cursor's update (rows ``rec.rows``)."""
        return self._batch_record_at(self._t)

    def _batch_record_at(self, k: int) -> PassRecord:
        """PassRecord over the batch of update ``k + 1`` at the parameters it starts from (cached)."""
        rec = self._records.get(("batch", k))
        if rec is None:
            rows, Xb, Yb = self._updater.batch(k)
            rec = self._records.put(("batch", k), self.kernel.record(self._hist.theta(k), Xb, Yb, rows))
        return rec

    def partial(self) -> PartialState:
        """What update t + 1 has computed after the cursor's ``p`` phases."""
        return partial_state(self._t, self._p, self.n_phases(), self.batch_record())

    @property
    def optimizer_state(self) -> OptState:
        """The optimizer state at the cursor (replayed if it was not kept)."""
        return self._hist.state_at(self._t)

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
        base = self.theta() if theta is None else theta
        return landscape(self.network, self.loss, self.X, self.Y, name_i, name_j, xs, ys, base,
                         weight_decay=self.weight_decay)

    @property
    def weight_decay(self) -> float:
        """lambda of R's weight-decay term lambda/2 sum w^2 (0: none)."""
        return self.kernel.weight_decay

    def test_losses(self, stride: int = 1) -> np.ndarray | None:
        """Loss over the held-out part after 0, stride, ... updates, beside ``losses``; None without a split."""
        return None if self.held_out is None else self.held_out.losses(stride)

    def test_accuracy(self, k: int | None = None) -> float | None:
        """Accuracy on the held-out part after ``k`` updates (default: the cursor); None without a
        split or unless the loss classifies."""
        return None if self.held_out is None else self.held_out.accuracy_at(self._t if k is None else k)

    def memory_bytes(self) -> int:
        """Bytes held by the history (parameters, losses, checkpointed optimizer states)."""
        return self._hist.memory_bytes()


__all__ = ["TrainingSession", "TrainingError", "TrainingMode", "Phase", "PartialState",
           "GRANULARITIES", "batched_loss"]
