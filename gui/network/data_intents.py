"""The network tab's data intents: the lecture's observations, a built-in set, a CSV file's columns
or edited observations, each put to use in a new session through the controller (in the background
over a large data set, ``gui.network.background_steps``)."""

from __future__ import annotations

import numpy as np

from engine.activations import ActivationError
from engine.data import DATASETS, LECTURE_SETUP, Dataset, DataError, lecture_data, load_csv, make_dataset
from engine.losses import LossError, get_loss, output_units
from engine.network import NetworkError, glorot, lecture_network
from engine.optimizers import OptimizerError, make_spec
from engine.scenario import DataSpec, ScenarioError
from engine.training import TrainingError, TrainingMode

__all__ = ["DataIntents", "USER_ERRORS"]

#: Engine errors that come from the user's input: shown with a hint, never a crash.
USER_ERRORS = (DataError, LossError, NetworkError, OptimizerError, TrainingError, ScenarioError,
               ActivationError)


class DataIntents:
    """The data panel's requests for ``controller`` (a ``NetworkController``), each an edit."""

    def __init__(self, controller) -> None:
        self.controller = controller

    def use_lecture(self) -> None:
        """The lecture's network, data and settings (SPEC section 2)."""
        c = self.controller
        c.edits.begin("Use the lecture example")
        data, setup = lecture_data(), LECTURE_SETUP
        c._new_session(lecture_network(), data, setup.loss, TrainingMode(), make_spec(setup.optimizer, lr=setup.lr),
                       (), title="Lecture example", data_spec=DataSpec("arrays", inputs=data.inputs,
                                                                       targets=data.targets))

    def use_builtin(self, name: str, n: int, noise: float, seed: int, data: Dataset | None = None) -> None:
        """A built-in data set (``data``: made in the background) and the setup the engine suggests."""
        c = self.controller
        c.edits.begin("Use these data")
        try:
            data = make_dataset(name, int(n), float(noise), int(seed)) if data is None else data
        except USER_ERRORS as exc:
            c._data_problem("Cannot make the data set", str(exc))
            return
        info = DATASETS[name]
        setup = info.setup
        net = glorot(data.n_inputs, setup.layer_sizes(info.n_outputs), setup.activations(),
                     np.random.default_rng(c.seed))
        c._new_session(net, data, setup.loss, TrainingMode(), make_spec(setup.optimizer, lr=setup.lr), (),
                       title=data.title, data_spec=DataSpec("dataset", name=name, n=int(n), noise=float(noise),
                                                            seed=int(seed)))

    def use_csv(self, path: str, inputs: list, targets: list, data: Dataset | None = None) -> None:
        """A CSV file's chosen columns (``data``: read in the background); the network kept where it fits."""
        c = self.controller
        c.edits.begin("Import CSV")
        try:
            data = load_csv(path, inputs, targets) if data is None else data
        except (DataError, OSError) as exc:
            c._data_problem("Cannot load the CSV file", str(exc))
            return
        self._use_data_keep_network(data, title=data.title or path, data_spec=DataSpec(
            "csv", path=path, resolved=path, columns_in=tuple(inputs), columns_out=tuple(targets)))

    def edit_observations(self, inputs: np.ndarray, targets: np.ndarray) -> None:
        """Replace the observations with edited values (same columns)."""
        c = self.controller
        c.edits.begin("Edit observations")
        try:
            data = Dataset(inputs, targets, c.dataset.input_names, c.dataset.target_names, c.dataset.title)
        except DataError as exc:
            c._data_problem("Cannot use these observations", str(exc))
            return
        self._use_data_keep_network(data, data_spec=DataSpec("arrays", inputs=data.inputs, targets=data.targets))

    def _use_data_keep_network(self, data: Dataset, **settings) -> None:
        c = self.controller
        rng = np.random.default_rng(c.seed)
        try:
            net = c.network.with_inputs(data.n_inputs, rng)
            loss = c.loss_name
            if net.n_outputs != output_units(loss, data.targets):
                # the data do not fit the output layer: one identity node per target column
                loss = "sse" if get_loss(loss).classifies else loss
                net = net.with_fresh_output_layer(data.n_targets, "identity", rng)
            c._new_session(net, data, loss, c.session.training, c.session.spec, (), data_problem=True,
                           **settings)
        except USER_ERRORS as exc:
            c._data_problem("Cannot use these data with this network", str(exc))
