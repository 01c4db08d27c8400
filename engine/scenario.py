"""Scenario files (SPEC section 5): parse, validate, save atomically, and build a session.

A scenario is everything needed to reproduce a run: a network with its data, loss,
training mode and optimizer, or a function with a start point and an optimizer. Every
problem raises :class:`ScenarioError` whose message starts with the field it is about,
e.g. ``network.layers[1].weights: expected 1x2, got 2x2``, so the person editing the
file can go straight to it (the checks are ``engine.fields``; the training mode reads its
own form, ``engine.training_mode``). Sessions are built by :func:`build_training_session` and
:func:`build_function_session`, objectives by :func:`build_objective`; the window and the
command line both use them. The function engine (sympy) is imported only when a
function scenario is read or built, so reading a network file stays cheap.
"""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from engine.activations import ACTIVATION_NAMES
from engine.arrays import readonly
from engine.data import DATASET_NAMES, DATASETS, Dataset, load_csv, make_dataset
from engine.fields import (FieldError, check_integer, check_matrix, check_name, check_number, check_object,
                           check_text, check_vector, describe, join_path, one_of)
from engine.losses import LOSS_NAMES, LossError, check_pairing, get_loss, prepare_targets
from engine.network import Layer, Network, glorot
from engine.optimizers import (DEFAULTS, OPTIMIZER_NAMES, SCHEDULE_NAMES, OptimizerError, OptimizerSpec,
                               make_spec, spec_from_dict)
from engine.training_mode import TrainingMode

FORMAT = "stepwise-scenario"
VERSION = 1
KINDS = ("network", "function1d", "function2d")
#: As engine.functions.DERIVATIVE_MODES, repeated so that reading a network file never imports sympy.
DERIVATIVE_MODES = ("exact", "finite")

_COMMON_FIELDS = ("format", "version", "kind", "title", "description")
_NETWORK_FIELDS = _COMMON_FIELDS + ("network", "frozen", "data", "loss", "training", "optimizer", "seed")
_FUNCTION_FIELDS = _COMMON_FIELDS + ("function", "derivatives", "start", "optimizer", "compare",
                                     "tolerance", "max_iterations")


class ScenarioError(FieldError):
    """A scenario file is not valid; ``field`` is the dotted path of the bad part (or "")."""


# --- records -----------------------------------------------------------------------------------

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
    ``training`` (a :class:`TrainingMode`), ``frozen``, ``seed``; function kinds fill ``function``,
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


# --- validation ----------------------------------------------------------------------------------

def _optimizer(value: Any, path: str) -> OptimizerSpec:
    if value is None:
        return make_spec("gd")
    if not isinstance(value, dict):
        raise ScenarioError(path, f"expected an object {{...}}, got {describe(value)}")
    name = check_name(value.get("name", "gd"), join_path(path, "name"), OPTIMIZER_NAMES, "optimizer")
    allowed = ("name", "schedule", "decay_k", "armijo_c", "shrink") + tuple(DEFAULTS[name])
    check_object(value, path, allowed)
    if "schedule" in value:
        check_name(value["schedule"], join_path(path, "schedule"), SCHEDULE_NAMES, "schedule")
    for key, x in value.items():
        if key not in ("name", "schedule"):
            check_number(x, join_path(path, key), positive=key == "lr")
    try:
        return spec_from_dict(value)
    except OptimizerError as e:
        raise ScenarioError(path, str(e)) from None


# --- network scenarios --------------------------------------------------------------------------

_PARAM = re.compile(r"^(?:w\((\d+)\)\[(\d+),(\d+)\]|b\((\d+)\)\[(\d+)\])$")


def parameter_names(sizes: tuple[int, ...]) -> list[str]:
    """Lecture names in the engine's flat order: node by node, its incoming weights then its bias."""
    names = []
    for l in range(1, len(sizes)):
        for j in range(1, sizes[l] + 1):
            names += [f"w({l})[{j},{k}]" for k in range(1, sizes[l - 1] + 1)] + [f"b({l})[{j}]"]
    return names


def _network(value: Any) -> NetworkSpec:
    net = check_object(value, "network", ("inputs", "layers"), ("inputs", "layers"))
    n_in = check_integer(net["inputs"], "network.inputs", 1)
    layers_raw = net["layers"]
    if not isinstance(layers_raw, list) or not layers_raw:
        raise ScenarioError("network.layers",
                            f"expected a list of at least one layer, got {describe(layers_raw)}")
    layers = []
    prev = n_in
    for i, raw in enumerate(layers_raw):
        path = f"network.layers[{i}]"
        lay = check_object(raw, path, ("units", "activation", "weights", "biases"), ("units", "activation"))
        units = check_integer(lay["units"], f"{path}.units", 1)
        act = check_name(lay["activation"], f"{path}.activation", ACTIVATION_NAMES, "activation")
        if act == "softmax" and i != len(layers_raw) - 1:
            raise ScenarioError(f"{path}.activation", "softmax is only allowed on the output layer")
        w = check_matrix(lay["weights"], f"{path}.weights", units, prev) if "weights" in lay else None
        b = check_vector(lay["biases"], f"{path}.biases", units) if "biases" in lay else None
        layers.append(LayerSpec(units, act, w, b))
        prev = units
    return NetworkSpec(n_in, tuple(layers))


def _frozen_names(value: Any, sizes: tuple[int, ...]) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ScenarioError("frozen", f"expected a list of parameter names, got {describe(value)}")
    known = parameter_names(sizes)
    out = []
    for i, name in enumerate(value):
        path = f"frozen[{i}]"
        text = check_text(name, path).replace(" ", "")
        if not _PARAM.match(text):
            raise ScenarioError(path, f'"{name}" is not a parameter name; '
                                      f"write w(l)[j,k] or b(l)[j], e.g. w(1)[1,2]")
        if text not in known:
            raise ScenarioError(path, f'no parameter "{text}" in a {"-".join(map(str, sizes))} network')
        if text in out:
            raise ScenarioError(path, f'"{text}" is listed twice')
        out.append(text)
    return tuple(out)


def _targets_fit(n_targets: int, network: NetworkSpec, loss: str) -> bool:
    """Targets fit the output layer, or are one class-index column for a softmax output."""
    n_out = network.layers[-1].units
    return n_targets == n_out or (get_loss(loss).class_indices and n_targets == 1 and n_out > 1)


def _data(value: Any, network: NetworkSpec, loss: str, base_dir: Path | None) -> DataSpec:
    if not isinstance(value, dict):
        raise ScenarioError("data", f"expected an object {{...}}, got {describe(value)}")
    n_out = network.layers[-1].units
    if "dataset" in value:
        d = check_object(value, "data", ("dataset", "n", "noise", "seed"))
        name = check_name(d["dataset"], "data.dataset", DATASET_NAMES, "dataset")
        info = DATASETS[name]
        dims = 1 if info.task == "regression" else 2
        if dims != network.inputs:
            raise ScenarioError("data.dataset",
                                f'"{name}" has {dims} input(s) but network.inputs is {network.inputs}')
        one_hot_fits = get_loss(loss).class_indices and n_out == info.n_classes
        if n_out != 1 and not one_hot_fits:
            raise ScenarioError("data.dataset", f'"{name}" has one target column ({info.task}) but the output '
                                                f"layer has {n_out} units")
        return DataSpec("dataset", name=name,
                        n=check_integer(d.get("n", 100), "data.n", 1),
                        noise=check_number(d.get("noise", 0.1), "data.noise", nonnegative=True),
                        seed=check_integer(d.get("seed", 0), "data.seed", 0))
    if "csv" in value:
        d = check_object(value, "data", ("csv", "inputs", "targets"), ("csv", "inputs", "targets"))
        path = check_text(d["csv"], "data.csv")
        cols = {}
        for key in ("inputs", "targets"):
            raw = d[key]
            if not isinstance(raw, list) or not raw:
                raise ScenarioError(f"data.{key}", f"expected a list of column names or 0-based indices, "
                                                   f"got {describe(raw)}")
            for i, c in enumerate(raw):
                if isinstance(c, bool) or not isinstance(c, (str, int)):
                    raise ScenarioError(f"data.{key}[{i}]", f"expected a column name or index, got {describe(c)}")
            cols[key] = tuple(raw)
        if len(cols["inputs"]) != network.inputs:
            raise ScenarioError("data.inputs", f"expected {network.inputs} column(s) for network.inputs, "
                                               f"got {len(cols['inputs'])}")
        if not _targets_fit(len(cols["targets"]), network, loss):
            raise ScenarioError("data.targets", f"expected {n_out} column(s) for the output layer, "
                                                f"got {len(cols['targets'])}")
        resolved = Path(path) if Path(path).is_absolute() or base_dir is None else base_dir / path
        return DataSpec("csv", path=path, resolved=str(resolved), columns_in=cols["inputs"],
                        columns_out=cols["targets"])
    d = check_object(value, "data", ("inputs", "targets"), ("inputs", "targets"))
    x = check_matrix(d["inputs"], "data.inputs", None, network.inputs)
    y = check_matrix(d["targets"], "data.targets", x.shape[0], None)
    if not _targets_fit(y.shape[1], network, loss):
        raise ScenarioError("data.targets", f"expected {x.shape[0]}x{n_out} (one column per output unit), "
                                            f"got {y.shape[0]}x{y.shape[1]}")
    return DataSpec("arrays", inputs=x, targets=y)


def _parse_network(obj: dict, base_dir: Path | None) -> dict:
    check_object(obj, "", _NETWORK_FIELDS, ("network", "data"))
    network = _network(obj["network"])
    loss = check_name(obj.get("loss", "sse"), "loss", LOSS_NAMES, "loss")
    try:
        check_pairing(loss, network.layers[-1].activation)
    except LossError as e:
        raise ScenarioError("loss", str(e)) from None
    training = TrainingMode.from_json(obj.get("training", "full_batch"))
    optimizer = _optimizer(obj.get("optimizer"), "optimizer")
    if optimizer.name == "newton":
        raise ScenarioError("optimizer.name", "newton needs a Hessian, which network training does not "
                                              "compute; choose gd, momentum, nesterov, adagrad, rmsprop or adam")
    return {"network": network, "loss": loss, "training": training,
            "optimizer": optimizer, "data": _data(obj["data"], network, loss, base_dir),
            "frozen": _frozen_names(obj.get("frozen", []), network.sizes),
            "seed": check_integer(obj.get("seed", 0), "seed", 0)}


# --- function scenarios -------------------------------------------------------------------------

def _function_presets() -> dict[str, int]:
    """Preset name -> dimension, from the function engine."""
    from engine import functions

    return {name: int(p.dim) for name, p in functions.PRESETS.items()}


def _parse_function(obj: dict, kind: str) -> dict:
    check_object(obj, "", _FUNCTION_FIELDS, ("function", "start"))
    dim = 2 if kind == "function2d" else 1
    fn = check_object(obj["function"], "function", ("preset", "expression"))
    if len(fn) != 1:
        raise ScenarioError("function", 'expected exactly one of "preset" or "expression"')
    deriv = check_object(obj.get("derivatives", {}), "derivatives", ("mode", "h"))
    mode = check_name(deriv.get("mode", "exact"), "derivatives.mode", DERIVATIVE_MODES, "derivative mode")
    h = check_number(deriv.get("h", 1e-4), "derivatives.h", positive=True)
    if "preset" in fn:
        presets = _function_presets()
        name = check_name(fn["preset"], "function.preset", tuple(presets), "preset")
        if presets[name] != dim:
            raise ScenarioError("function.preset", f'"{name}" is a function of {presets[name]} variable(s) '
                                                   f"but kind is {kind}")
        spec = FunctionSpec(preset=name, mode=mode, h=h)
    else:
        text = check_text(fn["expression"], "function.expression")
        _check_expression(text, dim)
        spec = FunctionSpec(expression=text, mode=mode, h=h)
    start_raw = obj["start"]
    if dim == 1 and isinstance(start_raw, (int, float)) and not isinstance(start_raw, bool):
        start_raw = [start_raw]
    start = check_vector(start_raw, "start", dim)
    tol = obj.get("tolerance")
    max_it = obj.get("max_iterations")
    compare = obj.get("compare", [])
    if not isinstance(compare, list):
        raise ScenarioError("compare", f"expected a list of optimizers, got {describe(compare)}")
    return {"function": spec, "start": tuple(float(v) for v in start),
            "optimizer": _optimizer(obj.get("optimizer"), "optimizer"),
            "compare": tuple(_optimizer(c, f"compare[{i}]") for i, c in enumerate(compare)),
            "tolerance": None if tol is None else check_number(tol, "tolerance", positive=True),
            "max_iterations": None if max_it is None else check_integer(max_it, "max_iterations", 1)}


def _check_expression(text: str, dim: int) -> None:
    from engine.expressions import FormulaError
    from engine.functions import from_expression

    try:
        from_expression(text, dim)
    except FormulaError as e:
        raise ScenarioError("function.expression", str(e)) from None


# --- entry points -------------------------------------------------------------------------------

def parse_scenario(obj: Any, base_dir: str | Path | None = None) -> Scenario:
    """Validate a decoded JSON object and return the :class:`Scenario`; CSV paths resolve against ``base_dir``."""
    try:
        return _parse(obj, base_dir)
    except ScenarioError:
        raise
    except FieldError as e:
        raise ScenarioError(e.field, e.problem) from None


def _parse(obj: Any, base_dir: str | Path | None) -> Scenario:
    if not isinstance(obj, dict):
        raise ScenarioError("", f"a scenario file holds one JSON object {{...}}, got {describe(obj)}")
    if "format" in obj and obj["format"] != FORMAT:
        raise ScenarioError("format", f'expected "{FORMAT}", got {describe(obj["format"])}')
    if "version" not in obj:
        raise ScenarioError("version", f"missing (required); this program reads version {VERSION}")
    if obj["version"] != VERSION or isinstance(obj["version"], bool):
        raise ScenarioError("version", f"unknown version {describe(obj['version'])}; this program reads "
                                       f"version {VERSION}")
    if "kind" not in obj:
        raise ScenarioError("kind", f"missing (required); expected {one_of(KINDS)}")
    kind = check_name(obj["kind"], "kind", KINDS, "kind")
    title = check_text(obj.get("title", ""), "title")
    description = check_text(obj.get("description", ""), "description")
    base = None if base_dir is None else Path(base_dir)
    parts = _parse_network(obj, base) if kind == "network" else _parse_function(obj, kind)
    return Scenario(kind=kind, title=title, description=description, **parts)


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file. Errors raise ScenarioError naming the file and the field."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise ScenarioError("", f"{p.name}: file not found ({p})") from None
    except IsADirectoryError:
        raise ScenarioError("", f"{p.name}: is a folder, not a scenario file") from None
    except UnicodeDecodeError as e:
        raise ScenarioError("", f"{p.name}: not a UTF-8 text file (byte {e.start})") from None
    try:
        # NaN and Infinity tokens decode to floats here and are rejected, field by field, by
        # the number checks, so the message names where they are.
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise ScenarioError("", f"{p.name}, line {e.lineno}, column {e.colno}: {e.msg}") from None
    try:
        return parse_scenario(obj, p.resolve().parent)
    except ScenarioError as e:
        raise ScenarioError(e.field, f"{e.problem} (in {p.name})") from None


def save_scenario(scenario: Scenario, path: str | Path) -> None:
    """Write ``scenario`` as JSON atomically: a temporary file in the same folder, fsync, then rename.

    The scenario is validated first (ScenarioError, nothing written). A crash or a failed
    write leaves the old file (if any) untouched and no temporary file behind. The file keeps
    its permissions (a new one gets the umask's), not the temporary file's private 0600.
    """
    p = Path(path)
    folder = p.resolve().parent
    d = scenario.to_dict(relative_to=folder)
    # A Scenario built in code (the GUI's Save) skips parsing; check it here, so that
    # every file written can be opened again.
    parse_scenario(d, folder)
    text = json.dumps(d, indent=2, allow_nan=False) + "\n"
    mode = stat.S_IMODE(p.stat().st_mode) if p.exists() else _new_file_mode()
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            os.chmod(tmp, mode)
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, p)
    except BaseException:
        # Any failure (disk full, interrupted): remove the partial file, keep the old one, re-raise.
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def _new_file_mode() -> int:
    """The permissions ``open()`` would give a new file: 0666 less the process's umask."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


# --- building engine objects ----------------------------------------------------------------------

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
                           frozen=scenario.frozen, seed=scenario.seed)


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


__all__ = [
    "ACTIVATION_NAMES", "DERIVATIVE_MODES", "FORMAT", "KINDS", "LOSS_NAMES", "VERSION", "DataSpec",
    "FunctionSpec", "LayerSpec", "NetworkSpec", "Scenario", "ScenarioError", "build_dataset",
    "build_function_session", "build_network", "build_objective", "build_training_session",
    "load_scenario", "parameter_names", "parse_scenario", "save_scenario",
    "training_arrays",
]
