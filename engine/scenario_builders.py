"""Building engine objects from a scenario: the network, its data, a training or descent session.

The window and the command line both build through these, so a scenario means the same
everywhere: :func:`build_network` (absent weights drawn from the seed), :func:`build_dataset`,
:func:`training_arrays` (targets prepared for the loss), :func:`build_training_session`,
:func:`build_objective` and :func:`build_function_session`. The function engine (sympy) is
imported only when a function scenario is built.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from engine.data import Dataset, load_csv, make_dataset
from engine.losses import LossError, prepare_targets
from engine.network import Layer, Network, glorot
from engine.scenario_spec import Scenario, ScenarioError

def build_network(scenario: Scenario) -> Network:
    """The scenario's :class:`engine.network.Network`; absent weights are Glorot-uniform from ``seed``,
    absent biases zero. Every layer is drawn, so a layer's random weights do not depend on
    whether another layer's are given."""
    spec = _require(scenario, "network")
    rng = np.random.default_rng(scenario.seed)
    drawn = glorot(spec.inputs, [layer.units for layer in spec.layers],
                   [layer.activation for layer in spec.layers], rng)
    layers = tuple(
        Layer(given.units, given.activation,
              given.weights if given.weights is not None else random.W,
              given.biases if given.biases is not None else random.b)
        for given, random in zip(spec.layers, drawn.layers))
    return Network(spec.inputs, layers)


def build_dataset(scenario: Scenario) -> Dataset:
    """The scenario's observations as an :class:`engine.data.Dataset` (CSV read from ``data.resolved``)."""
    data = scenario.data
    _require(scenario, "network")
    assert data is not None
    if data.source == "dataset":
        return make_dataset(data.name, data.n, data.noise, data.seed)
    if data.source == "csv":
        return load_csv(data.resolved, list(data.columns_in), list(data.columns_out))
    assert data.inputs is not None and data.targets is not None
    d, k = data.inputs.shape[1], data.targets.shape[1]
    names_in = ("x",) if d == 1 else tuple(f"x{i}" for i in range(1, d + 1))
    names_out = ("y",) if k == 1 else tuple(f"y{i}" for i in range(1, k + 1))
    return Dataset(data.inputs, data.targets, names_in, names_out, scenario.title)


def training_arrays(scenario: Scenario, data: Dataset | None = None):
    """``(network, X (n_obs, n_in), Y (n_obs, n_out))`` ready for back propagation.

    Class-index targets become one-hot rows for a softmax output (``prepare_targets``).
    ``data``: the observations if already built from the scenario (default: built here).
    """
    network = build_network(scenario)
    data = build_dataset(scenario) if data is None else data
    if data.n_inputs != network.inputs:
        raise ScenarioError("data", f"the data have {data.n_inputs} input column(s) but network.inputs is "
                                    f"{network.inputs}")
    try:
        Y = prepare_targets(scenario.loss, data.targets, network.n_outputs)
    except LossError as e:
        raise ScenarioError("data.targets", str(e)) from None
    return network, data.inputs, Y


def build_training_session(scenario: Scenario, data: Dataset | None = None):
    """A fresh :class:`engine.training.TrainingSession` for a network scenario.

    ``data``: the scenario's observations when the caller has already built them
    (:func:`build_dataset`), so that a CSV file is read once.
    """
    from engine.training import TrainingSession

    network, X, Y = training_arrays(scenario, data)
    return TrainingSession(network, X, Y, scenario.loss, scenario.training, scenario.optimizer,
                           frozen=scenario.frozen, seed=scenario.seed, weight_decay=scenario.weight_decay,
                           test_fraction=scenario.test_fraction, split_seed=scenario.split_seed)


def build_objective(scenario: Scenario):
    """The function scenario's objective (``engine.functions``), with the chosen derivative mode."""
    from engine import functions

    fn = _require(scenario, "function")
    if fn.preset is not None:
        return functions.preset(fn.preset, derivatives=fn.mode, h=fn.h)
    return functions.from_expression(fn.expression, scenario.dimension, derivatives=fn.mode, h=fn.h)


def build_function_session(scenario: Scenario):
    """A fresh :class:`engine.descent.DescentSession` at the scenario's start point."""
    from engine.descent import DescentSession

    objective = build_objective(scenario)
    kwargs: dict[str, Any] = {}
    if scenario.tolerance is not None:
        kwargs["tol"] = scenario.tolerance
    if scenario.max_iterations is not None:
        kwargs["max_iter"] = scenario.max_iterations
    return DescentSession(objective, np.array(scenario.start, dtype=np.float64), scenario.optimizer, **kwargs)


def _require(scenario: Scenario, kind: str) -> Any:
    want_network = kind == "network"
    if (scenario.kind == "network") != want_network:
        raise ScenarioError("kind", f"this needs a {'network' if want_network else 'function'} scenario, "
                                    f"got {scenario.kind}")
    return scenario.network if want_network else scenario.function


__all__ = ["build_dataset", "build_function_session", "build_network", "build_objective",
           "build_training_session", "training_arrays"]
