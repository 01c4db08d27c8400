"""What a scenario is (SPEC section 5): the records a scenario file describes, and their file form.

A :class:`Scenario` holds everything needed to reproduce a run: a network (:class:`NetworkSpec`
of :class:`LayerSpec`) with its data (:class:`DataSpec`), loss, training mode and optimizer, or
a function (:class:`FunctionSpec`) with a start point and an optimizer. ``Scenario.to_dict``
writes the file form; reading it back, with every field checked, is
``engine.scenario_validation``, and files on disk are ``engine.scenario``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.arrays import readonly
from engine.fields import FieldError
from engine.optimizers import OptimizerSpec, make_spec
from engine.training_mode import TrainingMode

FORMAT = "stepwise-scenario"
VERSION = 1
KINDS = ("network", "function1d", "function2d")
#: As engine.functions.DERIVATIVE_MODES, repeated so that reading a network file never imports sympy.
DERIVATIVE_MODES = ("exact", "finite")


class ScenarioError(FieldError):
    """A scenario file is not valid; ``field`` is the dotted path of the bad part (or "")."""



@dataclass(frozen=True, eq=False)
class LayerSpec:
    """One layer: ``units`` nodes, an activation, and optional ``weights (units, n_prev)``, ``biases (units,)``."""

    units: int
    activation: str
    weights: np.ndarray | None = None
    biases: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.weights is not None:
            object.__setattr__(self, "weights", readonly(self.weights))
        if self.biases is not None:
            object.__setattr__(self, "biases", readonly(self.biases))


@dataclass(frozen=True)
class NetworkSpec:
    """The network part: number of inputs and the layers after the input layer."""

    inputs: int
    layers: tuple[LayerSpec, ...]

    @property
    def sizes(self) -> tuple[int, ...]:
        """Layer sizes including the input layer, e.g. ``(2, 2, 1)``."""
        return (self.inputs,) + tuple(layer.units for layer in self.layers)


@dataclass(frozen=True, eq=False)
class DataSpec:
    """Where the observations come from: ``source`` is ``arrays``, ``dataset`` or ``csv``.

    ``arrays``: ``inputs (n_obs, n_in)``, ``targets (n_obs, n_out)``. ``dataset``: a built-in
    set ``name`` with ``n``, ``noise``, ``seed``. ``csv``: ``path`` as written in the file,
    ``resolved`` against the scenario's folder, and the chosen ``columns_in``/``columns_out``.
    """

    source: str
    inputs: np.ndarray | None = None
    targets: np.ndarray | None = None
    name: str = ""
    n: int = 100
    noise: float = 0.1
    seed: int = 0
    path: str = ""
    resolved: str = ""
    columns_in: tuple[str | int, ...] = ()
    columns_out: tuple[str | int, ...] = ()

    def __post_init__(self) -> None:
        if self.inputs is not None:
            object.__setattr__(self, "inputs", readonly(self.inputs))
        if self.targets is not None:
            object.__setattr__(self, "targets", readonly(self.targets))


@dataclass(frozen=True)
class FunctionSpec:
    """The objective: a ``preset`` name or an ``expression``; derivatives ``exact`` or ``finite`` (step ``h``)."""

    preset: str | None = None
    expression: str | None = None
    mode: str = "exact"
    h: float = 1e-4


@dataclass(frozen=True, eq=False)
class Scenario:
    """A parsed, validated scenario. Network kinds fill ``network``, ``data``, ``loss``,
    ``training`` (a :class:`TrainingMode`), ``frozen``, ``seed``, ``weight_decay`` (lambda of R's
    term lambda/2 sum w^2, biases excluded; written only when > 0), ``test_fraction`` and
    ``split_seed`` (the held-out part, ``engine.data_split``; written only when the fraction is > 0);
    function kinds fill ``function``,
    ``start``, ``tolerance``, ``max_iterations`` and ``compare`` (further optimizers to race against
    ``optimizer`` from the same start). Two scenarios are equal when their file forms are equal."""

    kind: str
    title: str = ""
    description: str = ""
    optimizer: OptimizerSpec = field(default_factory=lambda: make_spec("gd"))
    network: NetworkSpec | None = None
    data: DataSpec | None = None
    loss: str = "sse"
    training: TrainingMode = TrainingMode()
    frozen: tuple[str, ...] = ()
    seed: int = 0
    weight_decay: float = 0.0
    test_fraction: float = 0.0
    split_seed: int = 0
    function: FunctionSpec | None = None
    start: tuple[float, ...] = ()
    tolerance: float | None = None
    max_iterations: int | None = None
    compare: tuple[OptimizerSpec, ...] = ()

    @property
    def dimension(self) -> int:
        """Number of variables of a function scenario (1 or 2)."""
        return 2 if self.kind == "function2d" else 1

    def to_dict(self, relative_to: str | Path | None = None) -> dict:
        """The file form (JSON-ready). CSV paths are written relative to ``relative_to`` when given."""
        d: dict[str, Any] = {"format": FORMAT, "version": VERSION, "kind": self.kind, "title": self.title}
        if self.description:
            d["description"] = self.description
        if self.kind == "network":
            assert self.network is not None and self.data is not None
            d["network"] = {"inputs": self.network.inputs,
                            "layers": [_layer_dict(layer) for layer in self.network.layers]}
            d["frozen"] = list(self.frozen)
            d["data"] = _data_dict(self.data, relative_to)
            d["loss"] = self.loss
            d["training"] = self.training.to_json()
            d["optimizer"] = self.optimizer.to_dict()
            d["seed"] = self.seed
            if self.weight_decay:
                d["weight_decay"] = self.weight_decay
            if self.test_fraction:
                d["test_fraction"] = self.test_fraction
                d["split_seed"] = self.split_seed
        else:
            assert self.function is not None
            fn = self.function
            d["function"] = {"preset": fn.preset} if fn.preset is not None else {"expression": fn.expression}
            d["derivatives"] = {"mode": fn.mode, "h": fn.h}
            d["start"] = list(self.start)
            d["optimizer"] = self.optimizer.to_dict()
            if self.compare:
                d["compare"] = [spec.to_dict() for spec in self.compare]
            if self.tolerance is not None:
                d["tolerance"] = self.tolerance
            if self.max_iterations is not None:
                d["max_iterations"] = self.max_iterations
        return d

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]


def _layer_dict(layer: LayerSpec) -> dict:
    d: dict[str, Any] = {"units": layer.units, "activation": layer.activation}
    if layer.weights is not None:
        d["weights"] = layer.weights.tolist()
    if layer.biases is not None:
        d["biases"] = layer.biases.tolist()
    return d


def _data_dict(data: DataSpec, relative_to: str | Path | None) -> dict:
    if data.source == "arrays":
        assert data.inputs is not None and data.targets is not None
        return {"inputs": data.inputs.tolist(), "targets": data.targets.tolist()}
    if data.source == "dataset":
        return {"dataset": data.name, "n": data.n, "noise": data.noise, "seed": data.seed}
    path = data.path
    if relative_to is not None and data.resolved:
        try:
            path = Path(os.path.relpath(data.resolved, relative_to)).as_posix()
        except ValueError:  # another drive on Windows: keep it absolute
            path = data.resolved
    return {"csv": path, "inputs": list(data.columns_in), "targets": list(data.columns_out)}


__all__ = ["DERIVATIVE_MODES", "FORMAT", "KINDS", "VERSION", "DataSpec", "FunctionSpec", "LayerSpec",
           "NetworkSpec", "Scenario", "ScenarioError"]
