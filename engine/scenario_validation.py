"""Reading a scenario's file form: every field checked, every problem named by its field.

:func:`parse_scenario` turns a decoded JSON object into a ``engine.scenario_spec.Scenario``.
Every problem raises :class:`ScenarioError` whose message starts with the field it is about,
e.g. ``network.layers[1].weights: expected 1x2, got 2x2``, so the person editing the file can
go straight to it (the checks are ``engine.fields``; the training mode reads its own form,
``engine.training_mode``). The function engine (sympy) is imported only when a function
scenario is read, so reading a network file stays cheap.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from engine.activations import ACTIVATION_NAMES, HIDDEN_ACTIVATION_NAMES
from engine.data import DATASET_NAMES, DATASETS
from engine.file_limits import MAX_OBSERVATIONS, MAX_PARAMETERS, MAX_UNITS, quote
from engine.fields import (FieldError, check_integer, check_matrix, check_name, check_number, check_object,
                           check_text, check_vector, describe, join_path, one_of)
from engine.losses import LOSS_NAMES, LossError, check_pairing, get_loss
from engine.optimizers import (DEFAULTS, FIRST_ORDER_NAMES, OPTIMIZER_NAMES, SCHEDULE_NAMES, OptimizerError,
                               OptimizerSpec, get_optimizer, make_spec, spec_from_dict)
from engine.scenario_spec import (DERIVATIVE_MODES, FORMAT, KINDS, VERSION, DataSpec, FunctionSpec, LayerSpec,
                                  NetworkSpec, Scenario, ScenarioError)
from engine.training_mode import TrainingMode

_COMMON_FIELDS = ("format", "version", "kind", "title", "description")
_NETWORK_FIELDS = _COMMON_FIELDS + ("network", "frozen", "data", "loss", "training", "optimizer", "seed",
                                    "weight_decay", "test_fraction", "split_seed")
_FUNCTION_FIELDS = _COMMON_FIELDS + ("function", "derivatives", "start", "optimizer", "compare",
                                     "tolerance", "max_iterations")


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
    n_in = check_integer(net["inputs"], "network.inputs", 1, MAX_UNITS, "inputs")
    layers_raw = net["layers"]
    if not isinstance(layers_raw, list) or not layers_raw:
        raise ScenarioError("network.layers",
                            f"expected a list of at least one layer, got {describe(layers_raw)}")
    layers = []
    prev, params = n_in, 0
    for i, raw in enumerate(layers_raw):
        path = f"network.layers[{i}]"
        lay = check_object(raw, path, ("units", "activation", "weights", "biases"), ("units", "activation"))
        units = check_integer(lay["units"], f"{path}.units", 1, MAX_UNITS, "nodes a layer")
        act = check_name(lay["activation"], f"{path}.activation", ACTIVATION_NAMES, "activation")
        if act not in HIDDEN_ACTIVATION_NAMES and i != len(layers_raw) - 1:
            raise ScenarioError(f"{path}.activation", f"{act} is only allowed on the output layer")
        w = check_matrix(lay["weights"], f"{path}.weights", units, prev) if "weights" in lay else None
        b = check_vector(lay["biases"], f"{path}.biases", units) if "biases" in lay else None
        layers.append(LayerSpec(units, act, w, b))
        params += units * (prev + 1)
        if params > MAX_PARAMETERS:
            raise ScenarioError(path, f"at most {MAX_PARAMETERS:,} weights and biases in a network, "
                                      f"got {params:,} up to this layer")
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
            raise ScenarioError(path, f'"{quote(name)}" is not a parameter name; '
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
        dims = info.n_inputs
        if dims != network.inputs:
            raise ScenarioError("data.dataset",
                                f'"{name}" has {dims} input(s) but network.inputs is {network.inputs}')
        one_hot_fits = get_loss(loss).class_indices and n_out == info.n_classes
        if n_out != 1 and not one_hot_fits:
            raise ScenarioError("data.dataset", f'"{name}" has one target column ({info.task}) but the output '
                                                f"layer has {n_out} units")
        n = check_integer(d.get("n", info.default_n), "data.n", 1, MAX_OBSERVATIONS, "observations")
        if info.size is not None and n > info.size:
            raise ScenarioError("data.n", f'"{name}" has {info.size:,} observations, got {n:,}')
        return DataSpec("dataset", name=name, n=n,
                        noise=check_number(d.get("noise", info.default_noise), "data.noise", nonnegative=True),
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
    if get_optimizer(optimizer.name).needs_hessian:
        *others, last = FIRST_ORDER_NAMES
        raise ScenarioError("optimizer.name", f"{optimizer.name} needs a Hessian, which network training does "
                                              f"not compute; choose {', '.join(others)} or {last}")
    return {"network": network, "loss": loss, "training": training,
            "optimizer": optimizer, "data": _data(obj["data"], network, loss, base_dir),
            "frozen": _frozen_names(obj.get("frozen", []), network.sizes),
            "seed": check_integer(obj.get("seed", 0), "seed", 0),
            "weight_decay": check_number(obj.get("weight_decay", 0.0), "weight_decay", nonnegative=True),
            "test_fraction": _test_fraction(obj.get("test_fraction", 0.0)),
            "split_seed": check_integer(obj.get("split_seed", 0), "split_seed", 0)}


def _test_fraction(value: Any) -> float:
    fraction = check_number(value, "test_fraction", nonnegative=True)
    if not fraction < 1:
        raise ScenarioError("test_fraction", f"expected a number from 0 up to (not including) 1, got {value!r}")
    return fraction


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


__all__ = ["parameter_names", "parse_scenario"]
