"""Export as code: every exported script, run alone in its own Python process, prints the trace of
``stepwise run`` to 1e-9.

The expectation is the engine's own trace (``engine.trace.scenario_trace``: a TrainingSession or
DescentSession run in this process), never anything the exporter computed; the numpy scripts are
also held against the PyTorch float64 trajectories committed in ``data/torch_trajectories.json``
(written by ``benchmarks/torch_trajectories.py`` with torch alone) and against the lecture's own
numbers. The PyTorch scripts run wherever torch is importable; everywhere they are compiled and
their ``torch.optim`` call read back.

All scripts are started at once by a module fixture (one process each) and each test reads its
own result, so the processes overlap instead of queueing.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.code_export import ExportError, export_script
from engine.presets import resolve
from engine.scenario import load_scenario, parse_scenario
from engine.trace import scenario_trace

TORCH = json.loads((Path(__file__).parent / "data" / "torch_trajectories.json").read_text())
TOL = 1e-9
STEPS = 12


def scenario_of(name: str, **changes) -> object:
    """A preset with some of its fields changed (training mode, optimizer, frozen, ...)."""
    d = json.loads(Path(resolve(name)).read_text(encoding="utf-8"))
    d.update(changes)
    return parse_scenario(d)


def lecture(optimizer: dict, training="full_batch", **more):
    return scenario_of("lecture-backprop", optimizer=optimizer, training=training, **more)


# (id, scenario, steps): the numpy scripts compared with the engine's trace
NETWORK_CASES = [
    ("lecture-preset", load_scenario(resolve("lecture-backprop")), 30),
    ("lecture-nesterov-online", lecture({"name": "nesterov", "lr": 0.05, "momentum": 0.8}, "online"), STEPS),
    ("lecture-adagrad", lecture({"name": "adagrad", "lr": 0.1}), STEPS),
    ("lecture-rmsprop-online", lecture({"name": "rmsprop", "lr": 0.01}, "online"), STEPS),
    ("lecture-adamw-frozen", lecture({"name": "adamw", "lr": 0.05, "weight_decay": 0.1}, frozen=["w(1)[1,2]", "b(2)[1]"]),
     STEPS),
    ("lecture-momentum-decay", lecture({"name": "momentum", "lr": 0.1, "schedule": "decay", "decay_k": 0.2}), STEPS),
    ("lecture-gd-backtracking", lecture({"name": "gd", "lr": 2.0, "schedule": "backtracking"}), STEPS),
    ("lecture-diverges", lecture({"name": "gd", "lr": 5.0}), 40),
    ("circles-adam-mini_batch", load_scenario(resolve("circles-classifier")), STEPS),
    ("circles-gd-full_batch", scenario_of("circles-classifier", optimizer={"name": "gd", "lr": 0.01},
                                          training="full_batch"), STEPS),
    ("circles-momentum-online", scenario_of("circles-classifier", optimizer={"name": "momentum", "lr": 0.01},
                                            training="online"), STEPS),
    ("xor-adam-full_batch", load_scenario(resolve("xor-classifier")), STEPS),
    ("sine-mse", load_scenario(resolve("sine-regression")), STEPS),
    ("matt-mazur-half_sse", load_scenario(resolve("matt-mazur")), 3),
    ("lecture-converges", lecture({"name": "gd", "lr": 0.1}), 400),
    ("lecture-online-converges", lecture({"name": "gd", "lr": 0.05}, "online"), 1200),
    # sigmoid units driven far out: g'(z) ~ 0 everywhere, so the gradient vanishes on a poor fit
    ("saturated-sigmoids", scenario_of("lecture-backprop", network={"inputs": 2, "layers": [
        {"units": 2, "activation": "sigmoid", "weights": [[50, -60], [70, 40]], "biases": [10, 20]},
        {"units": 1, "activation": "sigmoid", "weights": [[60, 50]], "biases": [30]}]},
        data={"inputs": [[3, -2], [-1, 1]], "targets": [[0.2], [0.3]]}, training="online"), 5),
]


def function(kind: str, fn: dict, start: list, optimizer: dict, mode: str = "exact", **more):
    return parse_scenario({"format": "stepwise-scenario", "version": 1, "kind": kind, "title": "t",
                           "function": fn, "derivatives": {"mode": mode, "h": 1e-4}, "start": start,
                           "optimizer": optimizer, **more})


FUNCTION_CASES = [
    ("lecture-quartic", load_scenario(resolve("lecture-quartic")), 200),
    ("lecture-quartic-diverge", load_scenario(resolve("lecture-quartic-diverge")), 50),
    ("newton-maximum", load_scenario(resolve("newton-maximum")), 20),
    ("lecture-2d-race", load_scenario(resolve("lecture-2d-race")), 100),
    ("rosenbrock-adam-decay", function("function2d", {"preset": "rosenbrock"}, [-1.2, 1.0],
                                       {"name": "adam", "lr": 0.05, "schedule": "decay", "decay_k": 0.01}), 100),
    ("himmelblau-newton-2d", function("function2d", {"preset": "himmelblau"}, [0.5, 0.5], {"name": "newton"}), 20),
    ("quartic-backtracking", function("function1d", {"preset": "lecture_quartic"}, [-1.0],
                                      {"name": "gd", "lr": 0.5, "schedule": "backtracking"}), 40),
    ("typed-finite-rmsprop", function("function1d", {"expression": "abs(x - 1) + sin(3x)^2 + exp(-x)/2"}, [0.3],
                                      {"name": "rmsprop", "lr": 0.01}, "finite"), 60),
    ("beale-finite-nesterov", function("function2d", {"preset": "beale"}, [1.0, 1.0],
                                       {"name": "nesterov", "lr": 0.001}, "finite", max_iterations=30), 50),
]

# the committed PyTorch trajectories (the lecture network and a sigmoid classifier): gd, momentum and
# adam in every training mode, the other optimizers in full batch on the lecture network
TORCH_CASES = [c for c in TORCH["cases"] if c["optimizer"]["name"] in ("gd", "momentum", "adam")
               or (c["training"] == "full_batch" and c["setup"] == "lecture")]


def torch_case_scenario(case: dict):
    return parse_scenario({**TORCH["setups"][case["setup"]]["scenario"], "training": case["training"],
                           "optimizer": case["optimizer"]})


def _start(text: str, folder: Path, name: str) -> subprocess.Popen:
    path = folder / f"{name}.py"
    path.write_text(text, encoding="utf-8")
    return subprocess.Popen([sys.executable, str(path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, cwd=folder)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Every numpy script started at once; ``outputs[id]`` is its parsed JSON (or the failure)."""
    folder = tmp_path_factory.mktemp("scripts")
    running = {case_id: _start(export_script(sc, "numpy", steps), folder, case_id)
               for case_id, sc, steps in NETWORK_CASES + FUNCTION_CASES}
    for case in TORCH_CASES:
        running[case["id"]] = _start(export_script(torch_case_scenario(case), "numpy", TORCH["updates"]), folder,
                                     case["id"])
    results = {}
    for case_id, proc in running.items():
        out, err = proc.communicate(timeout=60)
        results[case_id] = json.loads(out) if proc.returncode == 0 else AssertionError(err[-2000:])
    return results


def _output(outputs, case_id):
    got = outputs[case_id]
    if isinstance(got, Exception):
        raise got
    return got


def assert_trace_close(got, want, path="trace"):
    """Same keys and lengths, the same strings, numbers within TOL (relative above 1)."""
    if isinstance(want, dict):
        for key in want:
            assert key in got, f"{path}: the script has no {key!r}"
            assert_trace_close(got[key], want[key], f"{path}.{key}")
    elif isinstance(want, list):
        assert len(got) == len(want), f"{path}: {len(got)} entries, the engine has {len(want)}"
        for i, (g, w) in enumerate(zip(got, want)):
            assert_trace_close(g, w, f"{path}[{i}]")
    elif isinstance(want, float):
        assert abs(got - want) <= TOL * max(1.0, abs(want)), f"{path}: {got!r}, the engine {want!r}"
    else:
        assert got == want, f"{path}: {got!r}, the engine {want!r}"


@pytest.mark.parametrize("case_id, scenario, steps", NETWORK_CASES, ids=[c[0] for c in NETWORK_CASES])
def test_numpy_network_script_prints_the_run_trace(outputs, case_id, scenario, steps):
    got = _output(outputs, case_id)
    want = scenario_trace(scenario, steps)
    assert got.keys() == want.keys()
    if want["status"] == "stopped":  # a plateau: the reason names it in fewer words than the window
        got.pop("reason"), want.pop("reason")
        assert got["status"] == "stopped"
    assert_trace_close(got, want)  # status and reason included


def test_the_diverging_run_stops_where_the_engine_does(outputs):
    got = _output(outputs, "lecture-diverges")
    assert got["status"] == "diverged" and "try a smaller learning rate" in got["reason"]
    assert len(got["steps"]) < 40


def test_the_lecture_script_starts_at_the_lecture_numbers(outputs):
    # the lecture's R and first gradient (SPEC section 2, to 4 decimals), from the script alone
    first = _output(outputs, "lecture-preset")["steps"][0]
    assert first["loss"] == pytest.approx(0.3905 ** 2 + 0.1827 ** 2, abs=1e-4)
    np.testing.assert_allclose(list(first["gradient"].values()),
                               [-0.4042, 0.2873, -0.0633, -0.1258, 0.0890, -0.0211, -0.1611, -0.2341, -0.4157],
                               atol=5e-5)


@pytest.mark.parametrize("case_id, scenario, steps", FUNCTION_CASES, ids=[c[0] for c in FUNCTION_CASES])
def test_numpy_function_script_prints_the_run_trace(outputs, case_id, scenario, steps):
    got = _output(outputs, case_id)
    want = scenario_trace(scenario, steps)
    # the status is the engine's; its reason in words is the window's (the kind of point, the
    # stability limit), which the script writes more briefly
    assert got["status"] == want["status"]
    assert_trace_close(got["steps"], want["steps"], "steps")
    for step in got["steps"][1:]:
        assert step["lr"] > 0 or scenario.optimizer.name == "newton"


def test_function_scripts_record_the_step_size_and_the_line_search(outputs):
    newton = _output(outputs, "newton-maximum")["steps"]
    # Newton in 1-D: s_i = 1/f''(x_i) with f''(x) = 36x^2 + 30x - 40 (the lecture quartic)
    x0 = newton[0]["x"][0]
    assert newton[1]["lr"] == pytest.approx(1.0 / (36 * x0 ** 2 + 30 * x0 - 40), rel=1e-12)
    search = _output(outputs, "quartic-backtracking")["steps"]
    for before, step in zip(search, search[1:]):
        trials = step["trials"]
        assert trials[-1]["lr"] == step["lr"] and trials[-1]["value"] == pytest.approx(step["value"], rel=1e-12)
        g = before["gradient"][0]
        for trial in trials:  # Armijo with c = 1e-4: only the last trial decreases f enough
            decreased = trial["value"] <= before["value"] - 1e-4 * trial["lr"] * g * g
            assert decreased == (trial is trials[-1])


@pytest.mark.parametrize("case", TORCH_CASES, ids=[c["id"] for c in TORCH_CASES])
def test_numpy_script_follows_the_run_trace_and_the_committed_pytorch_trajectory(outputs, case):
    got = _output(outputs, case["id"])
    assert_trace_close(got, scenario_trace(torch_case_scenario(case), TORCH["updates"]))
    steps = got["steps"]
    assert [s["step"] for s in steps] == list(range(TORCH["updates"] + 1))
    np.testing.assert_allclose([list(s["parameters"].values()) for s in steps], case["parameters"],
                               rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose([s["loss"] for s in steps], case["losses"], rtol=1e-10, atol=1e-12)
    assert list(steps[0]["parameters"]) == TORCH["setups"][case["setup"]]["names"]


# -- the PyTorch form ---------------------------------------------------------------------------

TORCH_FORMS = [  # optimizer spec, the torch.optim class and the keywords it must be given
    ({"name": "gd", "lr": 0.05}, "SGD", {"lr": 0.05}),
    ({"name": "momentum", "lr": 0.05, "momentum": 0.8}, "SGD", {"lr": 0.05, "momentum": 0.8}),
    ({"name": "nesterov", "lr": 0.05, "momentum": 0.9}, "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ({"name": "adagrad", "lr": 0.1, "eps": 1e-10}, "Adagrad", {"lr": 0.1, "eps": 1e-10}),
    ({"name": "rmsprop", "lr": 0.01, "alpha": 0.95}, "RMSprop", {"lr": 0.01, "alpha": 0.95, "eps": 1e-8}),
    ({"name": "adam", "lr": 0.002, "beta1": 0.8}, "Adam", {"lr": 0.002, "betas": (0.8, 0.999), "eps": 1e-8}),
    ({"name": "adamw", "lr": 0.001, "weight_decay": 0.05}, "AdamW",
     {"lr": 0.001, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.05}),
]


def torch_call(text: str) -> tuple[str, dict]:
    """The torch.optim class the script builds and its keyword arguments, with the script's constants read back."""
    tree = ast.parse(text)
    constants = {node.targets[0].id: ast.literal_eval(node.value) for node in tree.body
                 if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name)
                 and node.targets[0].id.isupper() and isinstance(node.value, (ast.Constant, ast.UnaryOp))}
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and ast.unparse(n.func).startswith("torch.optim.")
             and "lr_scheduler" not in ast.unparse(n.func)]
    assert len(calls) == 1
    kwargs = {}
    for kw in calls[0].keywords:
        value = ast.literal_eval(ast.unparse(kw.value).replace("BETA1", repr(constants.get("BETA1")))
                                 .replace("BETA2", repr(constants.get("BETA2")))) \
            if isinstance(kw.value, ast.Tuple) else (constants[kw.value.id] if isinstance(kw.value, ast.Name)
                                                     else ast.literal_eval(kw.value))
        kwargs[kw.arg] = value
    return ast.unparse(calls[0].func).removeprefix("torch.optim."), kwargs


@pytest.mark.parametrize("spec, cls, kwargs", TORCH_FORMS, ids=[f[0]["name"] for f in TORCH_FORMS])
def test_pytorch_script_compiles_and_names_the_torch_optimizer(spec, cls, kwargs):
    text = export_script(lecture(spec, "online"), "pytorch", 5)
    compile(text, "exported.py", "exec")
    assert torch_call(text) == (cls, kwargs)
    assert "torch.set_default_dtype(torch.float64)" in text
    assert "W1 = torch.tensor([\n    [0.2, 0.4],\n    [0.3, 0.5],\n])" in text


def test_pytorch_script_of_a_schedule_and_of_a_classifier():
    text = export_script(lecture({"name": "momentum", "lr": 0.1, "schedule": "decay", "decay_k": 0.2}), "pytorch", 5)
    compile(text, "exported.py", "exec")
    assert "LambdaLR(optimizer, lambda i: 1.0 / (1.0 + DECAY_K * i))" in text and "DECAY_K = 0.2" in text
    text = export_script(load_scenario(resolve("circles-classifier")), "pytorch", 5)
    compile(text, "exported.py", "exec")
    assert 'cross_entropy(out, y, reduction="sum")' in text and "BATCH = 20" in text and "SEED = 2" in text


def test_refusals_are_one_line():
    with pytest.raises(ExportError, match="network scenarios only.*use --to numpy"):
        export_script(load_scenario(resolve("lecture-quartic")), "pytorch", 5)
    with pytest.raises(ExportError, match="momentum > 0"):
        export_script(lecture({"name": "nesterov", "lr": 0.1, "momentum": 0.0}), "pytorch", 5)
    with pytest.raises(ExportError, match="--to must be one of numpy, pytorch"):
        export_script(lecture({"name": "gd", "lr": 0.1}), "jax", 5)


def test_scripts_write_every_number_exactly():
    sc = lecture({"name": "gd", "lr": 0.1})
    text = export_script(sc, "numpy", 3)
    assert "X = np.array([\n    [3.0, -2.0],\n    [-1.0, 1.0],\n])" in text
    assert "# w(1)[1,1] = 0.2, w(1)[1,2] = 0.4, b(1)[1] = 0.1;" in text
    # weights drawn from the seed are written out in full, repr-exact
    drawn = load_scenario(resolve("xor-classifier"))
    from engine.scenario import build_network

    w = build_network(drawn).layers[0].W
    assert repr(float(w[0, 0])) in export_script(drawn, "numpy", 1)


# Not the diverging run: there the sigmoid saturates (|z| > 15), where a(1 - a) keeps only a few digits
# of 1 - a, and torch's sigmoid 1/(1 + e^-z) and the engine's (1 + tanh(z/2))/2, one unit in the last
# place apart, give gradients some 1e-8 apart by update 4. The numpy script computes a as the engine does.
PYTORCH_LIVE = [c for c in NETWORK_CASES if c[0] != "lecture-diverges"] + [
    (case["id"], torch_case_scenario(case), TORCH["updates"]) for case in TORCH_CASES
    if case["optimizer"]["name"] in ("gd", "momentum", "adam")]


@pytest.mark.parametrize("case_id, scenario, steps", PYTORCH_LIVE, ids=[c[0] for c in PYTORCH_LIVE])
def test_pytorch_script_prints_the_run_trace(tmp_path, case_id, scenario, steps):
    pytest.importorskip("torch")
    path = tmp_path / "exported.py"
    path.write_text(export_script(scenario, "pytorch", steps), encoding="utf-8")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    got, want = json.loads(done.stdout), scenario_trace(scenario, steps)
    if want["status"] == "stopped":
        got.pop("reason"), want.pop("reason")
    assert_trace_close(got, want)


def test_converged_runs_stop_where_the_engine_does(outputs):
    for case_id in ("lecture-converges", "lecture-online-converges"):
        got = _output(outputs, case_id)
        assert got["status"] == "converged" and got["reason"].startswith("gradient below 1e-08 at iteration")
        assert len(got["steps"]) < 1201
