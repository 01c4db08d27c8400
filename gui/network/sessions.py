"""Data and session intents of the network controller: the lecture example, built-in and CSV
data sets, edited observations, loaded scenarios and the scenario to save. A new network or data
set builds a new ``TrainingSession`` and emits ``session_reset``.
"""

from __future__ import annotations

import numpy as np

from engine.data import DATASETS, LECTURE_SETUP, Dataset, DataError, lecture_data, load_csv, make_dataset
from engine.losses import get_loss, output_units
from engine.network import Network, glorot, lecture_network
from engine.optimizers import make_spec
from engine.scenario import DataSpec, LayerSpec, NetworkSpec, Scenario, build_dataset, build_training_session
from engine.training import TrainingMode, TrainingSession
from gui.network.editing import USER_ERRORS


class NetworkSessions:
    """Mixed into :class:`gui.network.controller.NetworkController`, which provides ``session``,
    ``dataset``, ``data_spec``, ``seed``, ``title``, ``description``,
    ``set_running``, ``_changed`` and the ``error``/``data_error``/``session_reset`` signals."""

    def use_lecture(self) -> None:
        """The lecture's network, data and settings (SPEC section 2)."""
        self.title = "Lecture example"
        data = lecture_data()
        self.data_spec = DataSpec("arrays", inputs=data.inputs, targets=data.targets)
        setup = LECTURE_SETUP
        self._new_session(lecture_network(), data, setup.loss, TrainingMode(),
                          make_spec(setup.optimizer, lr=setup.lr), ())

    def use_builtin(self, name: str, n: int, noise: float, seed: int) -> None:
        try:
            data = make_dataset(name, int(n), float(noise), int(seed))
        except USER_ERRORS as exc:
            self._data_problem("Cannot make the data set", str(exc))
            return
        self.data_spec = DataSpec("dataset", name=name, n=int(n), noise=float(noise), seed=int(seed))
        self.title = data.title
        info = DATASETS[name]
        setup = info.setup
        net = glorot(data.n_inputs, setup.layer_sizes(info.n_outputs), setup.activations(),
                     np.random.default_rng(self.seed))
        self._new_session(net, data, setup.loss, TrainingMode(), make_spec(setup.optimizer, lr=setup.lr), ())

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
            if net.n_outputs != output_units(loss, data.targets):
                # the data do not fit the output layer: one identity node per target column
                loss = "sse" if get_loss(loss).classifies else loss
                net = net.with_fresh_output_layer(data.n_targets, "identity", rng)
            self._new_session(net, data, loss, self.session.training, self.session.spec, (),
                              raise_errors=True)
        except USER_ERRORS as exc:
            self._data_problem("Cannot use these data with this network", str(exc))

    def _data_problem(self, headline: str, detail: str) -> None:
        self.data_error.emit(detail)
        self.error.emit(headline, detail)

    # ------------------------------------------------------------------ sessions
    def _new_session(self, net: Network, data: Dataset, loss: str, training: TrainingMode, spec,
                     frozen, raise_errors: bool = False) -> None:
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
        self.session_reset.emit()
        self._changed()

    def load_scenario(self, scenario: Scenario) -> None:
        """Replace everything with a loaded scenario (engine errors propagate to the window)."""
        data = build_dataset(scenario)
        session = build_training_session(scenario, data)
        self.set_running(False)
        self.session, self.dataset, self.data_spec = session, data, scenario.data
        self.seed, self.title, self.description = scenario.seed, scenario.title, scenario.description
        self.session_reset.emit()
        self._changed()

    def to_scenario(self) -> Scenario:
        """The current network (at the cursor), data and settings as a scenario."""
        net = self.network
        layers = tuple(LayerSpec(layer.units, layer.activation, layer.W, layer.b) for layer in net.layers)
        s = self.session
        return Scenario(kind="network", title=self.title, description=self.description,
                        optimizer=s.spec, network=NetworkSpec(net.inputs, layers), data=self.data_spec,
                        loss=self.loss_name, training=s.training,
                        frozen=tuple(sorted(s.frozen)), seed=self.seed)
