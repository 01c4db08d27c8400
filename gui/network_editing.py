"""Editing intents of the network controller: one weight or bias, frozen parameters, the
architecture, loss, training mode and optimizer from the editor, and fresh random weights.
Known engine errors become ``error(headline, detail)``; nothing here computes training maths.
"""

from __future__ import annotations

import numpy as np

from engine.activations import ActivationError
from engine.data import Dataset, DataError
from engine.losses import LossError, check_pairing
from engine.network import Network, NetworkError, glorot
from engine.optimizers import OptimizerError, make_spec
from engine.scenario import ScenarioError
from engine.training import TrainingError

#: Engine errors that come from the user's input: shown with a hint, never a crash.
USER_ERRORS = (DataError, LossError, NetworkError, OptimizerError, TrainingError, ScenarioError,
               ActivationError)

CLASSIFICATION_LOSSES = ("cross_entropy", "binary_cross_entropy")
OUTPUT_FOR_LOSS = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}


def output_units(loss: str, data: Dataset) -> int:
    """Output nodes ``loss`` needs for ``data``: one per class for cross-entropy on class labels,
    one for binary cross-entropy, else one per target column."""
    if loss == "cross_entropy" and data.n_targets == 1:
        return int(np.max(data.targets)) + 1
    return data.n_targets if loss != "binary_cross_entropy" else 1


class NetworkEditing:
    """Mixed into :class:`gui.network_controller.NetworkController`, which provides ``session``,
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
        out_units = output_units(cfg["loss"], self.dataset)
        if net.layers[-1].units != out_units:
            fresh = glorot(net.inputs, list(net.sizes[1:-1]) + [out_units], list(net.activations[:-1]) + [out_act], rng)
            net = Network(net.inputs, net.layers[:-1] + (fresh.layers[-1],))
        if net.layers[-1].activation != out_act:
            net = net.with_activation(net.depth, out_act)
        return net

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
