"""The network controller: the Qt adapter between the network workspace and a TrainingSession.

It owns the session, the data set and the settings a scenario file records. Widgets call
intent methods (``step_granularity``, ``set_parameter``, ``apply_config``, ``use_builtin`` ...);
the controller changes the engine objects and emits ``record_changed`` (same architecture)
or ``session_reset`` (new network or data). Known engine errors are caught here and
emitted as ``error(headline, detail)``; nothing here computes training maths.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Signal

from engine.activations import ActivationError
from engine.backprop import chain_rule, finite_difference_check
from engine.data import DATASETS, Dataset, DataError, lecture_data, load_csv, make_dataset
from engine.losses import LossError, check_pairing
from engine.network import Network, NetworkError, glorot, lecture_network
from engine.optimizers import OptimizerError, make_spec
from engine.scenario import DataSpec, LayerSpec, NetworkSpec, Scenario, ScenarioError, build_dataset, \
    build_network
from engine.training import GRANULARITIES, TrainingError, TrainingSession
from gui.style import fmt
from gui.workspaces.base import SteppingController

#: Engine errors that come from the user's input: shown with a hint, never a crash.
USER_ERRORS = (DataError, LossError, NetworkError, OptimizerError, TrainingError, ScenarioError,
               ActivationError)

CLASSIFICATION_LOSSES = ("cross_entropy", "binary_cross_entropy")
OUTPUT_FOR_LOSS = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}
#: Run mode gives each frame at most this long for training, so the redraw keeps 30+ fps.
FRAME_BUDGET_S = 0.012


class NetworkController(SteppingController):
    """Owns one :class:`engine.training.TrainingSession` and the settings around it."""

    data_error = Signal(str)
    frame_stepped = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        # The window's Step (Space) and ``step(n)`` take whole iterations, as in the other
        # workspaces and the command line, until a Phase or Observation button is used.
        self.granularity = "iteration"
        self.title = "Lecture example"
        self.description = ""
        self.seed = 0
        self.dataset: Dataset = lecture_data()
        self.data_spec = DataSpec("arrays", inputs=self.dataset.inputs, targets=self.dataset.targets)
        self.session: TrainingSession = TrainingSession(lecture_network(), self.dataset.inputs,
                                                        self.dataset.targets, "sse", "full_batch",
                                                        make_spec("gd", lr=0.1))
        self.set_speed(200.0)
        self.iterations_run = 0
        self._losses: tuple | None = None

    # ------------------------------------------------------------------ reading
    @property
    def network(self) -> Network:
        """The network at the cursor (current parameters)."""
        return self.session.network_at()

    @property
    def loss_name(self) -> str:
        return self.session.loss.name

    @property
    def training(self) -> str:
        return self.session.mode

    @property
    def is_classification(self) -> bool:
        return self.loss_name in CLASSIFICATION_LOSSES

    @property
    def is_lecture_example(self) -> bool:
        """True for the lecture's 2-2-1 network on its two observations at its starting weights."""
        s = self.session
        net = lecture_network()
        data = lecture_data()
        return (s.network.sizes == net.sizes and s.network.activations == net.activations
                and s.loss.name == "sse" and np.array_equal(s.parameters_at(0), net.theta())
                and np.array_equal(s.X, data.inputs) and np.array_equal(s.Y, data.targets))

    @property
    def history_length(self) -> int:
        return self.session.n_updates + 1

    @property
    def cursor(self) -> int:
        return self.session.cursor[0]

    @property
    def finished(self) -> bool:
        return self.session.next_phase is None

    @property
    def phase_text(self) -> str:
        """The current phase in words: the one just done, or what comes next at an iteration start."""
        s = self.session
        t, p = s.cursor
        if s.last_phase is not None and p > 0:
            return f"Done: {s.last_phase.text}"
        nxt = s.next_phase
        if nxt is None:
            return s.status.reason or "Stopped"
        done = f"Iteration {t} done. " if t > 0 else "Start. "
        return f"{done}Next: {nxt.text}"

    @property
    def status_text(self) -> str:
        s = self.session
        st = s.status
        t = s.cursor[0]
        loss = self.losses()[t]
        text = f"Iteration {t} of {s.n_updates}  ·  R = {fmt(loss)}"
        acc = self.training_accuracy()
        if acc is not None:
            text += f"  ·  training accuracy {acc * 100:.1f}%"
        if st.state != "running":
            text += f"  ·  {st.state}: {st.reason}"
        return text

    def training_accuracy(self) -> float | None:
        """Share of observations whose predicted class is the labelled one (classification only)."""
        if not self.is_classification:
            return None
        out = self.session.predict(self.session.X)
        y = self.session.Y
        if out.shape[1] == 1:
            return float(np.mean((out[:, 0] >= 0.5) == (y[:, 0] >= 0.5)))
        return float(np.mean(np.argmax(out, axis=1) == np.argmax(y, axis=1)))

    def current_observation(self) -> int | None:
        """Dataset row (0-based) of the phase just done or about to be done; None at an update."""
        s = self.session
        if s.last_phase is not None and s.last_phase.observation is not None and s.cursor[1] > 0:
            return s.last_phase.observation
        nxt = s.next_phase
        return nxt.observation if nxt is not None else None

    def chain_rule(self, name: str, observation: int):
        """The engine's chain rule for ``name`` at dataset row ``observation``, at the cursor."""
        return chain_rule(self.session.network_at(), self.session.record(), name, observation)

    def finite_difference_check(self):
        """Back propagation against central differences at the cursor, over all observations."""
        s = self.session
        return finite_difference_check(s.network_at(), s.X, s.Y, s.loss.name)

    def config(self) -> dict:
        """The editor's view of the settings (see ``NetworkEditor``)."""
        net = self.session.network
        spec = self.session.spec
        return {"hidden": [(layer.units, layer.activation) for layer in net.layers[:-1]],
                "output_activation": net.layers[-1].activation,
                "loss": self.loss_name, "training": self.session.mode,
                "batch_size": self.session.batch_size if self.session.mode == "mini_batch" else 10,
                "optimizer": {"name": spec.name, **spec.params}, "seed": self.seed}

    # ------------------------------------------------------------------ stepping
    def step(self, n: int = 1) -> None:
        """``n`` steps at the chosen granularity (the window's Step button)."""
        for _ in range(max(int(n), 1)):
            if self.session.step(self.granularity) is None:
                break
        self._changed()

    def step_granularity(self, granularity: str) -> None:
        """One phase, observation or iteration; also makes it the Step button's granularity."""
        if granularity not in GRANULARITIES:
            self.error.emit("Unknown step", f"{granularity!r}; choose one of {', '.join(GRANULARITIES)}")
            return
        self.granularity = granularity
        self.step(1)

    def run_iterations(self, n: int) -> int:
        """Take up to ``n`` whole iterations on the engine's lean path; returns how many."""
        taken = self.session.run(int(n))
        self.iterations_run += taken
        self._changed()
        return taken

    def _on_frame(self) -> None:
        now = time.perf_counter()
        elapsed = min(now - self._last_tick, 0.1)
        self._last_tick = now
        self._carry += self._speed * elapsed
        n = int(self._carry)
        self._carry -= n
        self.frames += 1
        if n > 0:
            # Finish a half-done iteration first so the lean path starts at an update boundary.
            if self.session.cursor[1] > 0:
                self.session.step_iteration()
                n -= 1
            taken = self._run_within_budget(n)
            self.frame_stepped.emit(taken)
        if self.finished:
            self.set_running(False)

    def _run_within_budget(self, n: int) -> int:
        start = time.perf_counter()
        taken, chunk = 0, 64
        while taken < n:
            got = self.session.run(min(chunk, n - taken))
            taken += got
            if got == 0 or time.perf_counter() - start > FRAME_BUDGET_S:
                break
        self.iterations_run += taken
        self._changed()
        return taken

    def back(self) -> None:
        self.session.back()
        self._changed()

    def jump(self, k: int) -> None:
        self.session.jump(max(0, int(k)))
        self._changed()

    def reset(self) -> None:
        self.session.reset()
        self._changed()

    def _changed(self) -> None:
        self._losses = None
        self.record_changed.emit()
        self.status_changed.emit(self.status_text)

    def losses(self) -> np.ndarray:
        """Full-data loss after 0..n_updates updates, read once per change (the views and the
        status line share it; a long history makes each read a copy of megabytes)."""
        s = self.session
        key = (id(s), s.n_updates, s.cursor)
        if self._losses is None or self._losses[0] != key:
            self._losses = (key, s.losses())
        return self._losses[1]

    # ------------------------------------------------------------------ editing values
    def set_parameter(self, name: str, value: float) -> None:
        """Set one weight or bias at the cursor (later history is dropped)."""
        try:
            self.session.set_parameter(name, value)
        except USER_ERRORS as exc:
            self.error.emit(f"Cannot set {name}", str(exc))
            return
        self._changed()

    def set_frozen(self, name: str, on: bool) -> None:
        names = set(self.session.frozen)
        (names.add if on else names.discard)(name)
        try:
            self.session.set_frozen(sorted(names))
        except USER_ERRORS as exc:
            self.error.emit("Cannot freeze", str(exc))
            return
        self._changed()

    def apply_config(self, cfg: dict) -> None:
        """Apply an edited configuration: optimizer changes keep history, others restart from here."""
        try:
            spec = make_spec(cfg["optimizer"]["name"], **{k: v for k, v in cfg["optimizer"].items()
                                                           if k != "name"})
            self.seed = int(cfg.get("seed", self.seed))
            cfg = dict(cfg)
            if cfg["loss"] != self.loss_name:
                # a new loss brings the output activation it needs, so one change is enough
                if cfg["loss"] in OUTPUT_FOR_LOSS:
                    cfg["output_activation"] = OUTPUT_FOR_LOSS[cfg["loss"]]
                elif cfg["output_activation"] == "softmax":
                    cfg["output_activation"] = "identity"
            net = self._edited_network(self.network, cfg)
            loss = cfg["loss"]
            training = cfg["training"]
            if training == "mini_batch":
                training = ("mini_batch", int(cfg.get("batch_size") or 10))
            same = (net.sizes == self.session.network.sizes
                    and net.activations == self.session.network.activations
                    and loss == self.loss_name and self._training_key(training) == self._training_key(
                        self.session.mode if self.session.mode != "mini_batch"
                        else ("mini_batch", self.session.batch_size)))
            if same:
                self.session.set_spec(spec)
                self._changed()
                return
            check_pairing(loss, net.layers[-1].activation)
            self._new_session(net, self.dataset, loss, training, spec, self.session.frozen & set(net.param_names()))
        except USER_ERRORS as exc:
            self.error.emit("Cannot change the network", str(exc))
            self.session_reset.emit()  # the editor re-reads the settings that are still in force

    @staticmethod
    def _training_key(training) -> tuple:
        return tuple(training) if isinstance(training, (tuple, list)) else (training,)

    def _edited_network(self, net: Network, cfg: dict) -> Network:
        """``net`` with the hidden layers, sizes and activations of ``cfg`` (kept weights where
        the shape allows; new ones drawn Glorot-uniform from the seed by the engine)."""
        rng = np.random.default_rng(self.seed)
        want = [(int(u), a) for u, a in cfg["hidden"]]
        while net.depth - 1 > len(want):
            net = net.with_layer_removed(net.depth - 1, rng)
        while net.depth - 1 < len(want):
            units, act = want[net.depth - 1]
            net = net.with_hidden_layer_added(net.depth, units, act, rng)
        for l, (units, act) in enumerate(want, start=1):
            while net.sizes[l] < units:
                net = net.with_node_added(l, rng)
            while net.sizes[l] > units:
                net = net.with_node_removed(l, net.sizes[l])
            if net.layers[l - 1].activation != act:
                net = net.with_activation(l, act)
        out_act = cfg["output_activation"]
        out_units = self._output_units(cfg["loss"], self.dataset)
        if net.layers[-1].units != out_units:
            fresh = glorot(net.inputs, list(net.sizes[1:-1]) + [out_units], list(net.activations[:-1]) + [out_act], rng)
            net = Network(net.inputs, net.layers[:-1] + (fresh.layers[-1],))
        if net.layers[-1].activation != out_act:
            net = net.with_activation(net.depth, out_act)
        return net

    @staticmethod
    def _output_units(loss: str, data: Dataset) -> int:
        if loss == "cross_entropy" and data.n_targets == 1:
            return int(np.max(data.targets)) + 1
        return data.n_targets if loss != "binary_cross_entropy" else 1

    def randomise(self, seed: int) -> None:
        """Draw every weight Glorot-uniform (biases 0) from ``seed``, same architecture."""
        self.seed = int(seed)
        net = self.session.network
        fresh = glorot(net.inputs, list(net.sizes[1:]), list(net.activations), np.random.default_rng(self.seed))
        self._new_session(fresh, self.dataset, self.loss_name, self._session_training(), self.session.spec,
                          self.session.frozen)

    def _session_training(self):
        s = self.session
        return ("mini_batch", s.batch_size) if s.mode == "mini_batch" else s.mode

    # ------------------------------------------------------------------ data
    def use_lecture(self) -> None:
        """The lecture's network, data and settings (SPEC section 2)."""
        self.title = "Lecture example"
        data = lecture_data()
        self.data_spec = DataSpec("arrays", inputs=data.inputs, targets=data.targets)
        self._new_session(lecture_network(), data, "sse", "full_batch", make_spec("gd", lr=0.1), ())

    def use_builtin(self, name: str, n: int, noise: float, seed: int) -> None:
        try:
            data = make_dataset(name, int(n), float(noise), int(seed))
        except USER_ERRORS as exc:
            self._data_problem("Cannot make the data set", str(exc))
            return
        self.data_spec = DataSpec("dataset", name=name, n=int(n), noise=float(noise), seed=int(seed))
        self.title = data.title
        info = DATASETS[name]
        rng = np.random.default_rng(self.seed)
        if info.task == "classification":
            net = glorot(2, [4, 4, info.n_classes], ["tanh", "tanh", "softmax"], rng)
            self._new_session(net, data, "cross_entropy", "full_batch", make_spec("adam", lr=0.02), ())
        else:
            net = glorot(1, [8, 1], ["tanh", "identity"], rng)
            self._new_session(net, data, "mse", "full_batch", make_spec("adam", lr=0.02), ())

    def use_csv(self, path: str, inputs: list, targets: list) -> None:
        try:
            data = load_csv(path, inputs, targets)
        except (DataError, OSError) as exc:
            self._data_problem("Cannot load the CSV file", str(exc))
            return
        self.data_spec = DataSpec("csv", path=path, resolved=path, columns_in=tuple(inputs),
                                  columns_out=tuple(targets))
        self.title = data.title or path
        self._use_data_keep_network(data)

    def edit_observations(self, inputs: np.ndarray, targets: np.ndarray) -> None:
        """Replace the observations with edited values (same columns)."""
        try:
            data = Dataset(inputs, targets, self.dataset.input_names, self.dataset.target_names, self.dataset.title)
        except DataError as exc:
            self._data_problem("Cannot use these observations", str(exc))
            return
        self.data_spec = DataSpec("arrays", inputs=data.inputs, targets=data.targets)
        self._use_data_keep_network(data)

    def _use_data_keep_network(self, data: Dataset) -> None:
        rng = np.random.default_rng(self.seed)
        try:
            net = self.network.with_inputs(data.n_inputs, rng)
            loss = self.loss_name
            if net.n_outputs != self._output_units(loss, data):
                loss = "sse" if loss in CLASSIFICATION_LOSSES else loss
                fresh = glorot(net.inputs, list(net.sizes[1:-1]) + [data.n_targets],
                               list(net.activations[:-1]) + ["identity"], rng)
                net = Network(net.inputs, net.layers[:-1] + (fresh.layers[-1],))
            self._new_session(net, data, loss, self._session_training(), self.session.spec, (),
                              raise_errors=True)
        except USER_ERRORS as exc:
            self._data_problem("Cannot use these data with this network", str(exc))

    def _data_problem(self, headline: str, detail: str) -> None:
        self.data_error.emit(detail)
        self.error.emit(headline, detail)

    # ------------------------------------------------------------------ sessions
    def _new_session(self, net: Network, data: Dataset, loss: str, training, spec, frozen,
                     raise_errors: bool = False) -> None:
        self.set_running(False)
        try:
            session = TrainingSession(net, data.inputs, data.targets, loss, training, spec,
                                      frozen=sorted(frozen), seed=self.seed)
        except USER_ERRORS as exc:
            if raise_errors:
                raise
            self.error.emit("Cannot build the training session", str(exc))
            self.session_reset.emit()  # the panels show again the settings still in force
            return
        self.session = session
        self.dataset = data
        self.iterations_run = 0
        self.session_reset.emit()
        self._changed()

    def load_scenario(self, scenario: Scenario) -> None:
        """Replace everything with a loaded scenario (engine errors propagate to the window)."""
        net = build_network(scenario)
        data = build_dataset(scenario)
        training = ("mini_batch", scenario.batch_size) if scenario.training == "mini_batch" else scenario.training
        session = TrainingSession(net, data.inputs, data.targets, scenario.loss, training,
                                  scenario.optimizer, frozen=list(scenario.frozen), seed=scenario.seed)
        self.set_running(False)
        self.session, self.dataset, self.data_spec = session, data, scenario.data
        self.seed, self.title, self.description = scenario.seed, scenario.title, scenario.description
        self.iterations_run = 0
        self.session_reset.emit()
        self._changed()

    def to_scenario(self) -> Scenario:
        """The current network (at the cursor), data and settings as a scenario."""
        net = self.network
        layers = tuple(LayerSpec(layer.units, layer.activation, layer.W, layer.b) for layer in net.layers)
        s = self.session
        return Scenario(kind="network", title=self.title, description=self.description,
                        optimizer=s.spec, network=NetworkSpec(net.inputs, layers), data=self.data_spec,
                        loss=self.loss_name, training=s.mode,
                        batch_size=s.batch_size if s.mode == "mini_batch" else None,
                        frozen=tuple(sorted(s.frozen)), seed=self.seed)
