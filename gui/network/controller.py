"""The network controller: the Qt adapter between the network workspace and a TrainingSession.

It owns the session, the data set and the settings a scenario file records. Widgets call
intent methods (stepping, ``set_parameter``, ``apply_config``, ``use_builtin`` ...); the
controller changes the engine objects and emits ``record_changed`` (same architecture) or
``session_reset`` (new network or data). Known engine errors are caught here and emitted as
``error(headline, detail)``; nothing here computes training maths, and what the views show is
read from ``session`` (see ``gui.network.view_state``). Every edit is announced to ``edits`` first (undo).
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Signal

from engine.data import LECTURE_SETUP, Dataset, lecture_data
from engine.explain import is_lecture_example
from engine.losses import check_pairing, output_units, paired_output_activation
from engine.network import Network, lecture_network
from engine.numbers import format_number as fmt
from engine.optimizers import make_spec
from engine.data_split import carried_options
from engine.scenario import DataSpec, LayerSpec, NetworkSpec, Scenario, build_dataset, build_training_session
from engine.training import GRANULARITIES, TrainingMode, TrainingSession
from engine.training_mode import DEFAULT_BATCH_SIZE
from gui.common.workspace import SteppingController
from gui.network.background_steps import BackgroundSteps, is_large, run_frame, steps
from gui.network.data_intents import USER_ERRORS, DataIntents
from gui.network.edits import EditLog, describe_config
from gui.network.history_scale import HistoryScale

__all__ = ["NetworkController", "USER_ERRORS"]



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
        self.session: TrainingSession = TrainingSession(
            lecture_network(), self.dataset.inputs, self.dataset.targets, LECTURE_SETUP.loss, TrainingMode(),
            make_spec(LECTURE_SETUP.optimizer, lr=LECTURE_SETUP.lr))
        self.set_speed(200.0)
        self._losses: tuple | None = None
        self.history_scale = HistoryScale()
        self.edits = EditLog(self)  # every edit method calls edits.begin(name) first
        self.moves = BackgroundSteps(self)  # moves and new sessions over large data sets, in the background
        self._accuracy: tuple | None = None
        data = DataIntents(self)  # the data panel's requests
        self.use_lecture, self.use_builtin, self.use_csv = data.use_lecture, data.use_builtin, data.use_csv
        self.edit_observations = data.edit_observations

    # ------------------------------------------------------------------ reading
    @property
    def network(self) -> Network:
        """The network at the cursor (current parameters)."""
        return self.session.network_at()

    @property
    def loss_name(self) -> str:
        return self.session.loss.name

    @property
    def is_classification(self) -> bool:
        """True when the loss classifies (its targets are class labels)."""
        return self.session.loss.classifies

    @property
    def is_lecture_example(self) -> bool:
        """True for the lecture's 2-2-1 network on its two observations at its starting weights."""
        s = self.session
        # the sizes first: the parameters at update 0 are read from the packed history otherwise
        return (not s.weight_decay and s.n_obs == 2 and s.network.sizes == (2, 2, 1)
                and is_lecture_example(s.network_at(0), s.X, s.Y, s.loss.name))

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
    def busy(self) -> bool:
        """A step or new session over a large data set is being computed (``BackgroundSteps``)."""
        return self.moves.busy

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
        if s.held_out is not None and s.held_out.n_obs:  # judged after t updates, cached by the engine
            test_loss, test_acc = s.held_out.loss_at(t), s.test_accuracy(t)
            text += f"  ·  held out: R = {fmt(test_loss)}"
            if test_acc is not None:
                text += f", accuracy {test_acc * 100:.1f}%"
        if st.state != "running":
            text += f"  ·  {st.state}: {st.reason}"
        return text

    def training_accuracy(self) -> float | None:
        """Share of observations whose predicted class is the labelled one (classification only);
        read once per session and parameters (over a large data set it is computed in the background)."""
        s = self.session
        if self._accuracy is None or self._accuracy[0] is not s or self._accuracy[1] != s.theta().tobytes():
            self.keep_accuracy(s, s.accuracy())
        return self._accuracy[2]

    def keep_accuracy(self, session: TrainingSession, value: float | None) -> None:
        """``value`` is the training accuracy of ``session`` at its cursor now."""
        self._accuracy = (session, session.theta().tobytes(), value)

    def losses(self) -> np.ndarray:
        """Full-data loss after 0..n_updates updates, read once per change (the views and the
        status line share it; a long history makes each read a copy of megabytes)."""
        s = self.session
        key = (id(s), s.n_updates, s.cursor)
        if self._losses is None or self._losses[0] != key:
            self._losses = (key, s.losses())
        return self._losses[1]

    # ------------------------------------------------------------------ stepping
    def step(self, n: int = 1) -> None:
        """``n`` steps at the chosen granularity (the window's Step button)."""
        self._move(lambda s, g=self.granularity: steps(s, g, max(int(n), 1)))

    def _move(self, fn) -> None:
        """``fn(session)`` now, or in the background over a large data set (``BackgroundSteps``)."""
        if not self.moves.move(fn):
            fn(self.session)
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
        self._changed()
        return taken

    def _take_steps(self, n: int) -> int:
        """Run mode's frame: ``n`` whole iterations on the engine's lean path (its time, without
        the redraw, is the step cost the frame budget uses)."""
        if is_large(self.session.n_obs, self.session.network):
            return self.moves.frame(n)  # in the background, one frame's iterations at a time
        start = time.perf_counter()
        taken = run_frame(self.session, n)
        self.last_step_seconds = time.perf_counter() - start
        self._changed()
        self.frame_stepped.emit(taken)
        return taken

    def back(self) -> None:
        self._move(lambda s: s.back())

    def jump(self, k: int) -> None:
        self._move(lambda s, k=max(0, int(k)): s.jump(k))

    def scrub(self, value: int) -> None:
        """Go to history-slider position ``value``: a phase when stepping by phase or observation."""
        self.moves.drop()  # a drag: the latest position counts
        # the worker thread gets a scale of its own
        scale = HistoryScale() if is_large(self.session.n_obs, self.session.network) else self.history_scale
        self._move(lambda s, g=self.granularity: scale.go_to(s, g, value))

    def reset(self) -> None:
        self.moves.drop()
        self._move(lambda s: s.reset())

    def _changed(self) -> None:
        self._losses = None
        self.record_changed.emit()
        self.status_changed.emit(self.status_text)

    def _edited(self) -> None:
        """After an edit: redraw, and tell the tab its work is no longer what its file holds."""
        self._changed()
        self.edited.emit()

    # ------------------------------------------------------------------ editing
    def set_parameter(self, name: str, value: float) -> None:
        """Set one weight or bias at the cursor (later history is dropped)."""
        self.edits.begin(f"Change {name}")
        try:
            self.session.set_parameter(name, value)
        except USER_ERRORS as exc:
            self.error.emit(f"Cannot set {name}", str(exc))
            return
        self._edited()

    def set_frozen(self, name: str, on: bool) -> None:
        self.edits.begin(f"{'Freeze' if on else 'Unfreeze'} {name}")
        names = set(self.session.frozen)
        (names.add if on else names.discard)(name)
        try:
            self.session.set_frozen(sorted(names))
        except USER_ERRORS as exc:
            self.error.emit("Cannot freeze", str(exc))
            return
        self._edited()

    def apply_config(self, cfg: dict) -> None:
        """Apply an edited configuration: optimizer changes keep history, others restart from here."""
        try:
            self.edits.begin(describe_config(self.session, self.seed, cfg))
            spec = make_spec(cfg["optimizer"]["name"], **{k: v for k, v in cfg["optimizer"].items()
                                                           if k != "name"})
            self.seed = int(cfg.get("seed", self.seed))
            cfg = dict(cfg)
            if cfg["loss"] != self.loss_name:
                # a new loss brings the output activation it needs, so one change is enough
                cfg["output_activation"] = paired_output_activation(cfg["loss"], cfg["output_activation"])
            # the network's own methods keep weights where the shape allows, new ones from the seed
            net = self.network.with_architecture(cfg["hidden"], output_units(cfg["loss"], self.dataset.targets),
                                                 cfg["output_activation"], np.random.default_rng(self.seed))
            loss = cfg["loss"]
            training = TrainingMode.of_kind(cfg["training"], int(cfg.get("batch_size") or DEFAULT_BATCH_SIZE))
            same = (net.sizes == self.session.network.sizes
                    and net.activations == self.session.network.activations
                    and loss == self.loss_name and training == self.session.training)
            if same:
                self.session.set_spec(spec)
                self._edited()
                return
            check_pairing(loss, net.layers[-1].activation)
            self._new_session(net, self.dataset, loss, training, spec, self.session.frozen & set(net.param_names()))
        except USER_ERRORS as exc:
            self.error.emit("Cannot change the network", str(exc))
            self.session_reset.emit()  # the editor re-reads the settings that are still in force

    def randomise(self, seed: int) -> None:
        """Draw every weight Glorot-uniform (biases 0) from ``seed``, same architecture."""
        self.edits.begin("Randomise weights")
        fresh = self.session.network.with_glorot_weights(np.random.default_rng(int(seed)))
        self._new_session(fresh, self.dataset, self.loss_name, self.session.training, self.session.spec,
                          self.session.frozen, seed=int(seed))

    def _data_problem(self, headline: str, detail: str) -> None:
        self.data_error.emit(detail)
        self.error.emit(headline, detail)

    # ------------------------------------------------------------------ sessions
    def _new_session(self, net: Network, data: Dataset, loss: str, training: TrainingMode, spec, frozen,
                     data_problem: bool = False, **settings) -> None:
        """A session of ``net`` on ``data``, built in the background over a large data set; the
        ``settings`` (seed, title, data_spec) take effect with it, so Cancel leaves all as it was."""
        self.set_running(False)
        seed = settings.get("seed", self.seed)
        carried = carried_options(self.session)  # weight decay and the held-out share stay

        def session_of() -> TrainingSession:
            return TrainingSession(net, data.inputs, data.targets, loss, training, spec, frozen=sorted(frozen),
                                   seed=seed, **carried)

        def apply(session: TrainingSession) -> None:
            for key, value in settings.items():
                setattr(self, key, value)
            self.session, self.dataset = session, data
            self.session_reset.emit()
            self._edited()

        def fail(exc: Exception) -> None:
            if not isinstance(exc, USER_ERRORS):
                raise exc
            if data_problem:
                self._data_problem("Cannot use these data with this network", str(exc))
                return
            self.error.emit("Cannot build the training session", str(exc))
            self.session_reset.emit()  # the panels show again the settings still in force

        self.moves.build(session_of, is_large(len(data.inputs), net), apply, fail, USER_ERRORS)

    def load_scenario(self, scenario: Scenario, data: Dataset | None = None, session=None) -> None:
        """Replace everything with a scenario, not an edit (undo passes the data and session to keep)."""
        data = build_dataset(scenario) if data is None else data
        session = session or build_training_session(scenario, data)  # a bad scenario changes nothing
        self.moves.drop()
        self.set_running(False)
        self.session, self.dataset, self.data_spec = session, data, scenario.data
        self.seed, self.title, self.description = scenario.seed, scenario.title, scenario.description
        self.session_reset.emit()
        self._changed()

    def to_scenario(self) -> Scenario:
        """The current network (at the cursor), data and settings as a scenario."""
        net, s = self.network, self.session
        layers = tuple(LayerSpec(layer.units, layer.activation, layer.W, layer.b) for layer in net.layers)
        return Scenario(kind="network", title=self.title, description=self.description, optimizer=s.spec,
                        network=NetworkSpec(net.inputs, layers), data=self.data_spec, loss=self.loss_name,
                        training=s.training, frozen=tuple(sorted(s.frozen)), seed=self.seed,
                        **carried_options(s))
