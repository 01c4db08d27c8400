"""Scenario files: every kind of mistake names its field; save/load round-trips; saving is atomic."""

import copy
import json
import os
from pathlib import Path
from typing import Callable

import numpy as np
import pytest

from engine import scenario as scenario_module
from engine.scenario import (Scenario, ScenarioError, load_scenario, parameter_names, parse_scenario,
                             save_scenario)

SCENARIOS = Path(__file__).resolve().parents[2] / "resources" / "scenarios"

LECTURE = {
    "format": "stepwise-scenario", "version": 1, "kind": "network", "title": "Lecture",
    "network": {"inputs": 2, "layers": [
        {"units": 2, "activation": "sigmoid", "weights": [[0.2, 0.4], [0.3, 0.5]], "biases": [0.1, 0.6]},
        {"units": 1, "activation": "identity", "weights": [[0.6, 0.2]], "biases": [0.4]}]},
    "frozen": [],
    "data": {"inputs": [[3, -2], [-1, 1]], "targets": [[1.2], [0.7]]},
    "loss": "sse", "training": "full_batch",
    "optimizer": {"name": "gd", "lr": 0.1}, "seed": 0,
}

QUARTIC = {
    "format": "stepwise-scenario", "version": 1, "kind": "function1d", "title": "Quartic",
    "function": {"preset": "lecture_quartic"}, "start": [-1.0],
    "optimizer": {"name": "gd", "lr": 0.01},
}


def _set(path: list, value: object) -> Callable[[dict], None]:
    def mutate(d: dict) -> None:
        for key in path[:-1]:
            d = d[key]
        d[path[-1]] = value
    return mutate


def _delete(path: list) -> Callable[[dict], None]:
    def mutate(d: dict) -> None:
        for key in path[:-1]:
            d = d[key]
        del d[path[-1]]
    return mutate


NETWORK_MISTAKES = [
    ("bad weights shape", _set(["network", "layers", 1, "weights"], [[0.6, 0.2], [0.1, 0.1]]),
     "network.layers[1].weights: expected 1x2, got 2x2"),
    ("ragged weights", _set(["network", "layers", 0, "weights"], [[0.2, 0.4], [0.3]]),
     "network.layers[0].weights: expected 2x2, got rows of different lengths (2, 1)"),
    ("weights not a list", _set(["network", "layers", 0, "weights"], 0.5),
     "network.layers[0].weights: expected 2x2 (a list of rows), got 0.5"),
    ("text weight", _set(["network", "layers", 0, "weights"], [[0.2, "x"], [0.3, 0.5]]),
     'network.layers[0].weights[0][1]: expected a number, got "x"'),
    ("nan weight", _set(["network", "layers", 0, "weights"], [[0.2, float("nan")], [0.3, 0.5]]),
     "network.layers[0].weights[0][1]: expected a finite number, got NaN"),
    ("inf bias", _set(["network", "layers", 0, "biases"], [0.1, float("inf")]),
     "network.layers[0].biases[1]: expected a finite number, got Infinity"),
    ("bias count", _set(["network", "layers", 0, "biases"], [0.1, 0.6, 0.7]),
     "network.layers[0].biases: expected 2 numbers, got 3"),
    ("unknown layer field", _set(["network", "layers", 0, "unit"], 2),
     'network.layers[0].unit: unknown field; did you mean "units"?'),
    ("unknown top field", _set(["netwrk"], {}), 'netwrk: unknown field; did you mean "network"?'),
    ("unknown kind", _set(["kind"], "netwrk"),
     'kind: unknown kind "netwrk" (did you mean "network"?); expected network, function1d or function2d'),
    ("missing kind", _delete(["kind"]), "kind: missing (required)"),
    ("unknown version", _set(["version"], 2), "version: unknown version 2; this program reads version 1"),
    ("missing version", _delete(["version"]), "version: missing (required)"),
    ("wrong format", _set(["format"], "other"), 'format: expected "stepwise-scenario", got "other"'),
    ("unknown activation", _set(["network", "layers", 0, "activation"], "sigmoyd"),
     'network.layers[0].activation: unknown activation "sigmoyd" (did you mean "sigmoid"?)'),
    ("softmax hidden", _set(["network", "layers", 0, "activation"], "softmax"),
     "network.layers[0].activation: softmax is only allowed on the output layer"),
    ("units zero", _set(["network", "layers", 0, "units"], 0),
     "network.layers[0].units: expected a whole number >= 1, got 0"),
    ("units text", _set(["network", "layers", 0, "units"], "two"),
     'network.layers[0].units: expected a whole number >= 1, got "two"'),
    ("units bool", _set(["network", "inputs"], True), "network.inputs: expected a whole number >= 1, got true"),
    ("no layers", _set(["network", "layers"], []), "network.layers: expected a list of at least one layer"),
    ("missing units", _delete(["network", "layers", 0, "units"]), "network.layers[0].units: missing (required)"),
    ("unknown loss", _set(["loss"], "l2"), 'loss: unknown loss "l2"'),
    ("loss pairing", _set(["loss"], "cross_entropy"), "loss: loss cross_entropy needs a softmax output layer"),
    ("bad lr", _set(["optimizer", "lr"], -0.1), "optimizer.lr: expected a number > 0, got -0.1"),
    ("lr text", _set(["optimizer", "lr"], "fast"), 'optimizer.lr: expected a number, got "fast"'),
    ("unknown optimizer", _set(["optimizer", "name"], "adamax"),
     'optimizer.name: unknown optimizer "adamax" (did you mean "adam"?)'),
    ("optimizer typo", _set(["optimizer", "l_r"], 0.1), 'optimizer.l_r: unknown field; did you mean "lr"?'),
    ("momentum range", _set(["optimizer"], {"name": "momentum", "lr": 0.1, "momentum": 1.5}),
     "optimizer: momentum must be in [0, 1), got 1.5"),
    ("bad schedule", _set(["optimizer", "schedule"], "cosine"), 'optimizer.schedule: unknown schedule "cosine"'),
    ("newton network", _set(["optimizer"], {"name": "newton"}), "optimizer.name: newton needs a Hessian"),
    ("training", _set(["training"], "batch"), 'training: unknown training mode "batch"'),
    ("mini batch zero", _set(["training"], {"mini_batch": 0}),
     "training.mini_batch: expected a whole number >= 1, got 0"),
    ("frozen bad name", _set(["frozen"], ["w1"]), 'frozen[0]: "w1" is not a parameter name'),
    ("frozen absent", _set(["frozen"], ["w(3)[1,1]"]), 'frozen[0]: no parameter "w(3)[1,1]" in a 2-2-1 network'),
    ("frozen twice", _set(["frozen"], ["b(1)[1]", "b(1)[1]"]), 'frozen[1]: "b(1)[1]" is listed twice'),
    ("data inputs shape", _set(["data", "inputs"], [[3, -2, 1], [-1, 1, 0]]),
     "data.inputs: expected nx2, got 2x3"),
    ("data targets rows", _set(["data", "targets"], [[1.2]]), "data.targets: expected 2xn, got 1x1"),
    ("data targets cols", _set(["data", "targets"], [[1.2, 1], [0.7, 1]]), "data.targets: expected 2x1"),
    ("missing data", _delete(["data"]), "data: missing (required)"),
    ("unknown dataset", _set(["data"], {"dataset": "xorr"}), 'data.dataset: unknown dataset "xorr" (did you mean "xor"?)'),
    ("dataset dims", _set(["data"], {"dataset": "sine"}), 'data.dataset: "sine" has 1 input(s) but network.inputs is 2'),
    ("dataset noise", _set(["data"], {"dataset": "xor", "noise": -1}), "data.noise: expected a number >= 0, got -1"),
    ("dataset field", _set(["data"], {"dataset": "xor", "size": 10}), 'data.size: unknown field'),
    ("csv columns", _set(["data"], {"csv": "d.csv", "inputs": ["x1"], "targets": ["y"]}),
     "data.inputs: expected 2 column(s) for network.inputs, got 1"),
    ("seed negative", _set(["seed"], -1), "seed: expected a whole number >= 0, got -1"),
    ("title type", _set(["title"], 5), "title: expected text, got 5"),
    ("empty object", lambda d: d.clear(), "version: missing (required)"),
]


@pytest.mark.parametrize("mutate, message", [m[1:] for m in NETWORK_MISTAKES], ids=[m[0] for m in NETWORK_MISTAKES])
def test_network_mistake_names_its_field(mutate: Callable[[dict], None], message: str) -> None:
    obj = copy.deepcopy(LECTURE)
    mutate(obj)
    with pytest.raises(ScenarioError) as e:
        parse_scenario(obj)
    assert message in str(e.value)
    assert str(e.value).startswith(e.value.field)


def test_top_level_must_be_an_object() -> None:
    with pytest.raises(ScenarioError, match="one JSON object"):
        parse_scenario([1, 2])


def test_lecture_scenario_parses_to_its_parts() -> None:
    s = parse_scenario(LECTURE)
    assert s.kind == "network" and s.network is not None and s.data is not None
    assert s.network.sizes == (2, 2, 1)
    np.testing.assert_array_equal(s.network.layers[0].weights, [[0.2, 0.4], [0.3, 0.5]])
    np.testing.assert_array_equal(s.network.layers[1].biases, [0.4])
    np.testing.assert_array_equal(s.data.targets, [[1.2], [0.7]])
    assert s.optimizer.name == "gd" and s.optimizer.lr == 0.1
    assert s.loss == "sse" and s.training.kind == "full_batch" and s.training.batch_size is None
    with pytest.raises(ValueError):
        s.network.layers[0].weights[0, 0] = 1.0


def test_defaults_filled_and_round_trip() -> None:
    obj = copy.deepcopy(LECTURE)
    for key in ("frozen", "loss", "training", "seed", "optimizer", "format"):
        del obj[key]
    del obj["network"]["layers"][0]["weights"]
    s = parse_scenario(obj)
    assert s.loss == "sse" and s.seed == 0 and s.optimizer.name == "gd"
    assert s.network.layers[0].weights is None
    again = parse_scenario(json.loads(json.dumps(s.to_dict())))
    assert again == s
    assert "weights" not in again.to_dict()["network"]["layers"][0]


def test_parameter_names_match_the_network_engine() -> None:
    from engine.network import glorot, lecture_network

    assert parameter_names((2, 2, 1)) == lecture_network().param_names()
    net = glorot(3, [4, 2], ["tanh", "softmax"], np.random.default_rng(0))
    assert parameter_names((3, 4, 2)) == net.param_names()


def test_mini_batch_and_frozen_round_trip() -> None:
    obj = copy.deepcopy(LECTURE)
    obj["training"] = {"mini_batch": 1}
    obj["frozen"] = ["w(1)[2, 1]", "b(2)[1]"]
    s = parse_scenario(obj)
    assert s.training.kind == "mini_batch" and s.training.batch_size == 1
    assert s.frozen == ("w(1)[2,1]", "b(2)[1]")
    assert parse_scenario(s.to_dict()) == s


def test_training_session_uses_data_already_built() -> None:
    from engine.data import Dataset
    from engine.scenario import build_dataset, build_training_session

    s = parse_scenario(LECTURE)
    own = build_training_session(s)
    given = build_training_session(s, build_dataset(s))
    np.testing.assert_array_equal(given.X, [[3.0, -2.0], [-1.0, 1.0]])
    np.testing.assert_array_equal(given.Y, [[1.2], [0.7]])
    np.testing.assert_array_equal(given.theta(), own.theta())
    other = Dataset(np.array([[1.0, 1.0]]), np.array([[0.5]]), ("x1", "x2"), ("y",), "one row")
    session = build_training_session(s, other)
    np.testing.assert_array_equal(session.X, [[1.0, 1.0]])
    np.testing.assert_array_equal(session.Y, [[0.5]])
    assert session.training.kind == "full_batch" and session.spec.lr == 0.1


def test_class_index_targets_allowed_for_softmax() -> None:
    obj = copy.deepcopy(LECTURE)
    obj["network"]["layers"][1] = {"units": 3, "activation": "softmax"}
    obj["loss"] = "cross_entropy"
    obj["data"]["targets"] = [[0], [2]]
    s = parse_scenario(obj)
    assert s.data.targets.shape == (2, 1)


def test_dataset_defaults() -> None:
    obj = copy.deepcopy(LECTURE)
    obj["data"] = {"dataset": "gaussians"}
    s = parse_scenario(obj)
    assert (s.data.source, s.data.name, s.data.n, s.data.noise, s.data.seed) == ("dataset", "gaussians", 100, 0.1, 0)


# --- files ---------------------------------------------------------------------------------------

def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    p = tmp_path / "bad.json"
    p.write_text('{"version": 1,\n "kind": "network"\n "title": "x"}')
    with pytest.raises(ScenarioError) as e:
        load_scenario(p)
    assert "bad.json, line 3, column 2: Expecting ','" in str(e.value)


def test_nan_token_in_file_is_rejected_with_field(tmp_path: Path) -> None:
    text = json.dumps(LECTURE).replace('"lr": 0.1', '"lr": NaN')
    p = tmp_path / "nan.json"
    p.write_text(text)
    with pytest.raises(ScenarioError) as e:
        load_scenario(p)
    assert e.value.field == "optimizer.lr"
    assert "expected a finite number, got NaN" in str(e.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="nothere.json: file not found"):
        load_scenario(tmp_path / "nothere.json")


def test_saved_scenario_loads_back_equal(tmp_path: Path) -> None:
    s = parse_scenario(LECTURE)
    p = tmp_path / "out.json"
    save_scenario(s, p)
    assert load_scenario(p) == s
    assert json.loads(p.read_text())["network"]["layers"][0]["weights"] == [[0.2, 0.4], [0.3, 0.5]]
    assert [f.name for f in tmp_path.iterdir()] == ["out.json"]


@pytest.mark.parametrize("target", ["dump", "replace"])
def test_failed_save_keeps_old_file_and_leaves_no_temp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       target: str) -> None:
    p = tmp_path / "keep.json"
    p.write_text("old contents")

    def boom(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    if target == "dump":
        real_fsync = os.fsync

        def fsync_then_fail(fd: int) -> None:
            real_fsync(fd)
            raise OSError("disk full")
        monkeypatch.setattr(scenario_module.os, "fsync", fsync_then_fail)
    else:
        monkeypatch.setattr(scenario_module.os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        save_scenario(parse_scenario(LECTURE), p)
    assert p.read_text() == "old contents"
    assert [f.name for f in tmp_path.iterdir()] == ["keep.json"]


def test_save_refuses_an_inconsistent_scenario_built_in_code(tmp_path: Path) -> None:
    from engine.scenario import LayerSpec, NetworkSpec

    good = parse_scenario(LECTURE)
    layers = (good.network.layers[0], LayerSpec(1, "identity", np.zeros((1, 3)), np.zeros(1)))
    bad = Scenario(kind="network", title="x", optimizer=good.optimizer, network=NetworkSpec(2, layers),
                   data=good.data)
    p = tmp_path / "out.json"
    p.write_text("previous work")
    with pytest.raises(ScenarioError, match=r"network.layers\[1\].weights: expected 1x2, got 1x3"):
        save_scenario(bad, p)
    assert p.read_text() == "previous work"
    assert [f.name for f in tmp_path.iterdir()] == ["out.json"]


def test_csv_path_resolves_relative_to_scenario_and_is_rewritten_on_save(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "obs.csv").write_text("a,b,y\n3,-2,1.2\n-1,1,0.7\n")
    obj = copy.deepcopy(LECTURE)
    obj["data"] = {"csv": "data/obs.csv", "inputs": ["a", "b"], "targets": ["y"]}
    (tmp_path / "s.json").write_text(json.dumps(obj))
    s = load_scenario(tmp_path / "s.json")
    assert Path(s.data.resolved) == (tmp_path / "data" / "obs.csv").resolve()
    (tmp_path / "sub").mkdir()
    save_scenario(s, tmp_path / "sub" / "copy.json")
    saved = json.loads((tmp_path / "sub" / "copy.json").read_text())
    assert saved["data"]["csv"] == "../data/obs.csv"
    assert Path(load_scenario(tmp_path / "sub" / "copy.json").data.resolved).resolve() == \
        (tmp_path / "data" / "obs.csv").resolve()


def test_load_error_names_file_and_field(tmp_path: Path) -> None:
    obj = copy.deepcopy(LECTURE)
    obj["optimizer"]["lr"] = 0
    p = tmp_path / "s.json"
    p.write_text(json.dumps(obj))
    with pytest.raises(ScenarioError) as e:
        load_scenario(p)
    assert str(e.value) == "optimizer.lr: expected a number > 0, got 0 (in s.json)"


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.json")), ids=lambda p: p.name)
def test_every_preset_file_loads_and_round_trips(path: Path) -> None:
    s = load_scenario(path)
    assert isinstance(s, Scenario) and s.title
    assert parse_scenario(s.to_dict(), path.parent) == s


# --- properties ----------------------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_weight = st.floats(-10, 10, allow_nan=False)


@st.composite
def network_scenarios(draw: st.DrawFn) -> dict:
    inputs = draw(st.integers(1, 3))
    sizes = draw(st.lists(st.integers(1, 3), min_size=1, max_size=3))
    layers, prev = [], inputs
    for i, units in enumerate(sizes):
        layer = {"units": units, "activation": draw(st.sampled_from(["identity", "sigmoid", "tanh", "relu"]))}
        if draw(st.booleans()):
            layer["weights"] = [[draw(_weight) for _ in range(prev)] for _ in range(units)]
            layer["biases"] = [draw(_weight) for _ in range(units)]
        layers.append(layer)
        prev = units
    n = draw(st.integers(1, 4))
    names = parameter_names(tuple([inputs] + sizes))
    return {
        "version": 1, "kind": "network", "title": draw(st.text(max_size=10)),
        "network": {"inputs": inputs, "layers": layers},
        "frozen": draw(st.lists(st.sampled_from(names), unique=True, max_size=3)),
        "data": {"inputs": [[draw(_weight) for _ in range(inputs)] for _ in range(n)],
                 "targets": [[draw(_weight) for _ in range(prev)] for _ in range(n)]},
        "loss": draw(st.sampled_from(["sse", "mse", "half_sse"])),
        "training": draw(st.sampled_from(["full_batch", "online", {"mini_batch": 2}])),
        "optimizer": draw(st.sampled_from([{"name": "gd", "lr": 0.5}, {"name": "adam", "lr": 0.01},
                                           {"name": "momentum", "lr": 0.1, "momentum": 0.5,
                                            "schedule": "decay", "decay_k": 0.1}])),
        "seed": draw(st.integers(0, 2 ** 32)),
    }


@settings(max_examples=40, deadline=None)
@given(obj=network_scenarios())
def test_random_network_scenarios_round_trip_through_a_file(tmp_path_factory: pytest.TempPathFactory,
                                                            obj: dict) -> None:
    s = parse_scenario(obj)
    path = tmp_path_factory.mktemp("s") / "s.json"
    save_scenario(s, path)
    again = load_scenario(path)
    assert again == s
    assert again.to_dict()["network"] == obj["network"]
    assert again.to_dict()["frozen"] == obj["frozen"]


# --- function scenarios --------------------------------------------------------------------------

FUNCTION_MISTAKES = [
    ("unknown preset", _set(["function"], {"preset": "lecture_quartc"}),
     'function.preset: unknown preset "lecture_quartc" (did you mean "lecture_quartic"?)'),
    ("preset of other dimension", _set(["function"], {"preset": "rosenbrock"}),
     'function.preset: "rosenbrock" is a function of 2 variable(s) but kind is function1d'),
    ("both preset and expression", _set(["function"], {"preset": "quadratic", "expression": "x^2"}),
     'function: expected exactly one of "preset" or "expression"'),
    ("bad expression", _set(["function"], {"expression": "x +* 2"}), "function.expression:"),
    ("code in expression", _set(["function"], {"expression": "__import__('os')"}), "function.expression:"),
    ("wrong variable", _set(["function"], {"expression": "x1^2"}), "function.expression:"),
    ("start length", _set(["start"], [1.0, 2.0]), "start: expected 1 number, got 2"),
    ("start nan", _set(["start"], [float("nan")]), "start[0]: expected a finite number, got NaN"),
    ("start text", _set(["start"], "left"), 'start: expected a list of 1 number, got "left"'),
    ("derivative mode", _set(["derivatives"], {"mode": "numeric"}),
     'derivatives.mode: unknown derivative mode "numeric"; expected exact or finite'),
    ("derivative h", _set(["derivatives"], {"mode": "finite", "h": 0}),
     "derivatives.h: expected a number > 0, got 0"),
    ("tolerance", _set(["tolerance"], -1e-6), "tolerance: expected a number > 0, got -1e-06"),
    ("max iterations", _set(["max_iterations"], 0.5), "max_iterations: expected a whole number >= 1, got 0.5"),
    ("network field in function", _set(["network"], {}), "network: unknown field"),
    ("seed in function", _set(["seed"], 1), "seed: unknown field"),
    ("compare not list", _set(["compare"], {"name": "adam"}), "compare: expected a list of optimizers"),
    ("compare bad lr", _set(["compare"], [{"name": "adam", "lr": 0}]), "compare[0].lr: expected a number > 0, got 0"),
    ("missing start", _delete(["start"]), "start: missing (required)"),
]


@pytest.mark.parametrize("mutate, message", [m[1:] for m in FUNCTION_MISTAKES], ids=[m[0] for m in FUNCTION_MISTAKES])
def test_function_mistake_names_its_field(mutate: Callable[[dict], None], message: str) -> None:
    obj = copy.deepcopy(QUARTIC)
    mutate(obj)
    with pytest.raises(ScenarioError) as e:
        parse_scenario(obj)
    assert message in str(e.value)


def test_function_scenario_parts_and_round_trip() -> None:
    obj = copy.deepcopy(QUARTIC)
    obj["start"] = -1  # a bare number is accepted for one variable
    obj["compare"] = [{"name": "adam", "lr": 0.1}]
    s = parse_scenario(obj)
    assert s.kind == "function1d" and s.dimension == 1 and s.start == (-1.0,)
    assert s.function.preset == "lecture_quartic" and s.function.mode == "exact"
    assert [c.name for c in s.compare] == ["adam"]
    assert parse_scenario(s.to_dict()) == s
    assert s.to_dict()["start"] == [-1.0]


def test_function_expression_scenario_builds_its_objective() -> None:
    from engine.scenario import build_objective

    s = parse_scenario({"version": 1, "kind": "function2d", "title": "bowl",
                        "function": {"expression": "x1^2 + 3*x2^2"},
                        "derivatives": {"mode": "finite", "h": 1e-3}, "start": [1, 1]})
    objective = build_objective(s)
    assert objective.value(np.array([1.0, 2.0])) == pytest.approx(13.0)
    np.testing.assert_allclose(objective.gradient(np.array([1.0, 2.0])), [2.0, 12.0], rtol=1e-6)
    assert objective.derivatives == "finite" and objective.h == 1e-3
