"""Editing intents of the network controller: one weight or bias, frozen parameters, the
architecture, loss, training mode and optimizer from the editor, and fresh random weights.
Known engine errors become ``error(headline, detail)``; nothing here computes training maths.
"""

from __future__ import annotations

import numpy as np

from engine.activations import ActivationError
from engine.data import DataError
from engine.losses import LossError, check_pairing, output_units, paired_output_activation
from engine.network import Network, NetworkError
from engine.optimizers import OptimizerError, make_spec
from engine.scenario import ScenarioError
from engine.training import TrainingError, TrainingMode
from engine.training_mode import DEFAULT_BATCH_SIZE

#: Engine errors that come from the user's input: shown with a hint, never a crash.
USER_ERRORS = (DataError, LossError, NetworkError, OptimizerError, TrainingError, ScenarioError,
               ActivationError)


class NetworkEditing:
    """Mixed into :class:`gui.network.controller.NetworkController`, which provides ``session``,
    ``dataset``, ``seed``, ``network``, ``loss_name``, ``_changed``, ``_new_session`` and the
    ``error``/``session_reset`` signals."""

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
                cfg["output_activation"] = paired_output_activation(cfg["loss"], cfg["output_activation"])
            net = self._edited_network(self.network, cfg)
            loss = cfg["loss"]
            training = TrainingMode.of_kind(cfg["training"], int(cfg.get("batch_size") or DEFAULT_BATCH_SIZE))
            same = (net.sizes == self.session.network.sizes
                    and net.activations == self.session.network.activations
                    and loss == self.loss_name and training == self.session.training)
            if same:
                self.session.set_spec(spec)
                self._changed()
                return
            check_pairing(loss, net.layers[-1].activation)
            self._new_session(net, self.dataset, loss, training, spec, self.session.frozen & set(net.param_names()))
        except USER_ERRORS as exc:
            self.error.emit("Cannot change the network", str(exc))
            self.session_reset.emit()  # the editor re-reads the settings that are still in force

    def _edited_network(self, net: Network, cfg: dict) -> Network:
        """``net`` with the hidden layers, output size and activations of ``cfg``, edited by the
        network's own methods (kept weights where the shape allows, new ones from the seed)."""
        return net.with_architecture(cfg["hidden"], output_units(cfg["loss"], self.dataset.targets),
                                     cfg["output_activation"], np.random.default_rng(self.seed))

    def randomise(self, seed: int) -> None:
        """Draw every weight Glorot-uniform (biases 0) from ``seed``, same architecture."""
        self.seed = int(seed)
        fresh = self.session.network.with_glorot_weights(np.random.default_rng(self.seed))
        self._new_session(fresh, self.dataset, self.loss_name, self.session.training, self.session.spec,
                          self.session.frozen)
