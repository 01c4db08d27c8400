"""engine.trace: the run traces behind ``python main.py run`` (field names are the SPEC 6 contract)."""

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import pytest

from engine.scenario import Scenario, build_objective, load_scenario, parse_scenario
from engine.trace import (JsonNumbers, format_trace, function_trace, network_trace, recorded_steps,
                          scenario_trace, trace_csv, trace_variables)

SCENARIOS = Path(__file__).resolve().parents[2] / "resources" / "scenarios"
LECTURE_NAMES = ["w(1)[1,1]", "w(1)[1,2]", "b(1)[1]", "w(1)[2,1]", "w(1)[2,2]", "b(1)[2]",
                 "w(2)[1,1]", "w(2)[1,2]", "b(2)[1]"]


@pytest.fixture(scope="module")
def lecture():
    return load_scenario(SCENARIOS / "lecture-backprop.json")


@pytest.fixture(scope="module")
def quartic():
    return load_scenario(SCENARIOS / "lecture-quartic.json")


@pytest.mark.parametrize("n_steps, every, kept", [
    (0, 1, [0]), (3, 1, [0, 1, 2, 3]), (10, 4, [0, 4, 8, 10]), (8, 4, [0, 4, 8]), (2, 5, [0, 2]),
])
def test_recorded_steps_keep_every_kth_and_the_last(n_steps: int, every: int, kept: list[int]) -> None:
    assert recorded_steps(n_steps, every) == kept


def test_json_numbers_write_non_finite_as_null_and_say_so() -> None:
    num = JsonNumbers()
    assert num(np.float64(0.25)) == 0.25 and type(num(np.float64(0.25))) is float
    assert num.reason("converged") == "converged" and not num.non_finite
    assert num.many([1.0, math.inf, math.nan]) == [1.0, None, None]
    assert num.reason("diverged at 3") == "diverged at 3 (non-finite numbers are written as null)"
    assert num.reason("") == "non-finite numbers are written as null"


def test_network_trace_has_the_contract_fields_and_gd_steps(lecture) -> None:
    trace = network_trace(lecture, 3)
    assert set(trace) == {"steps", "status", "reason"}
    assert [s["step"] for s in trace["steps"]] == [0, 1, 2, 3]
    step0, step1 = trace["steps"][:2]
    assert set(step0) == {"step", "loss", "parameters", "gradient"}
    assert list(step0["parameters"]) == LECTURE_NAMES == list(step0["gradient"])
    assert step0["loss"] == pytest.approx(0.3905 ** 2 + 0.1827 ** 2, abs=1e-4)
    assert step0["gradient"]["b(2)[1]"] == pytest.approx(-2 * (0.39050 - 0.18266), abs=1e-4)
    for name in LECTURE_NAMES:  # gd with lr 0.1
        assert step1["parameters"][name] == pytest.approx(
            step0["parameters"][name] - 0.1 * step0["gradient"][name], abs=1e-12)


def test_function_trace_values_and_gradients_match_the_objective(quartic) -> None:
    trace = function_trace(quartic, 6, every=2)
    assert [s["step"] for s in trace["steps"]] == [0, 2, 4, 6]
    objective = build_objective(quartic)
    for s in trace["steps"]:
        # step 0 has no update behind it; steps k >= 1 carry the step size lr (gd: the lr set)
        assert set(s) == ({"step", "x", "value", "gradient"} | ({"lr"} if s["step"] else set()))
        assert len(s["x"]) == 1 and s.get("lr", 0.01) == 0.01
        x = np.array(s["x"])
        assert s["value"] == pytest.approx(float(objective.value(x)), rel=1e-12)
        assert s["gradient"] == pytest.approx(np.ravel(objective.gradient(x)).tolist(), rel=1e-12)
    assert trace["steps"][0]["x"] == [-1.0]


def test_diverging_trace_is_valid_json_with_a_status() -> None:
    trace = scenario_trace(load_scenario(SCENARIOS / "lecture-quartic-diverge.json"), 200)
    assert trace["status"] == "diverged" and trace["reason"]
    text = format_trace(trace, "function1d", "json")
    assert text.endswith("}\n") and "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == trace


def test_csv_rows_read_back_as_the_same_numbers(lecture) -> None:
    trace = network_trace(lecture, 2)
    rows = list(csv.reader(io.StringIO(format_trace(trace, "network", "csv"))))
    assert rows[0] == ["step", "loss"] + LECTURE_NAMES + [f"grad {n}" for n in LECTURE_NAMES]
    for row, s in zip(rows[1:], trace["steps"]):
        assert int(row[0]) == s["step"] and float(row[1]) == s["loss"]
        assert [float(v) for v in row[2:11]] == list(s["parameters"].values())
        assert [float(v) for v in row[11:]] == list(s["gradient"].values())


def test_function_csv_names_the_variables_and_leaves_null_empty() -> None:
    assert trace_variables("function1d") == ("x",) and trace_variables("function2d") == ("x1", "x2")
    assert trace_variables("network") == ()
    trace = {"steps": [{"step": 0, "x": [1.5, None], "value": None, "gradient": [0.5, -2.0]}],
             "status": "diverged", "reason": "r"}
    assert trace_csv(trace, "function2d", ("x1", "x2")) == (
        "step,value,x1,x2,grad x1,grad x2\n0,,1.5,,0.5,-2.0\n")


def test_unknown_format_names_the_allowed_ones(lecture) -> None:
    with pytest.raises(ValueError, match="json, csv, got 'xml'"):
        format_trace(network_trace(lecture, 0), "network", "xml")


def _function_scenario(optimizer: dict, start: float) -> Scenario:
    data = {"format": "stepwise-scenario", "version": 1, "kind": "function1d",
            "function": {"preset": "lecture_quartic"}, "start": [start], "optimizer": optimizer}
    return parse_scenario(data)


def test_backtracking_trace_lists_the_trials_in_order_the_last_accepted() -> None:
    trace = function_trace(_function_scenario(
        {"name": "gd", "lr": 0.5, "schedule": "backtracking", "armijo_c": 1e-4, "shrink": 0.5}, -1.0), 1)
    step1 = trace["steps"][1]
    trials = step1["trials"]
    # f(-1) = -20, f'(-1) = 51: the trial x = -1 - s 51 must meet f <= -20 - 1e-4 s 51^2
    assert [t["lr"] for t in trials] == [0.5, 0.25, 0.125, 0.0625, 0.03125]
    assert [t["accepted"] for t in trials] == [False, False, False, False, True]
    for t in trials:
        x = -1.0 - t["lr"] * 51.0
        f = 3 * x ** 4 + 5 * x ** 3 - 20 * x ** 2 + 8 * x + 10
        assert t["value"] == pytest.approx(f, rel=1e-12)
        assert (f <= -20.0 - 1e-4 * t["lr"] * 51.0 ** 2) == t["accepted"]
    assert step1["lr"] == 0.03125 and step1["x"] == [pytest.approx(-1.0 - 0.03125 * 51.0)]


def test_newton_trace_lr_is_one_over_the_second_derivative() -> None:
    trace = function_trace(_function_scenario({"name": "newton", "lr": 1.0}, 0.3), 4)
    steps = trace["steps"]
    for before, after in zip(steps, steps[1:]):
        x = before["x"][0]
        fpp = 36 * x * x + 30 * x - 40
        assert after["lr"] == pytest.approx(1.0 / fpp, rel=1e-12)
    assert steps[1]["lr"] == pytest.approx(1 / -27.76, rel=1e-12)


def test_bouncing_run_is_stopped_with_the_stability_limit() -> None:
    trace = function_trace(_function_scenario({"name": "gd", "lr": 0.05}, 0.5), 3000)
    assert trace["status"] == "stopped"
    assert len(trace["steps"]) < 300
    assert "2/f''(x*) = 0.0478" in trace["reason"] and "x* = 1.1479" in trace["reason"]
