"""Practice exercises: the answers are right (checked by a forward pass written here and central
differences), the sheets are reproducible and hide the answers unless asked."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.exercise_sheets import render_sheet
from engine.exercises import HIDDEN_ACTIVATIONS, make_exercise, make_sheet
from engine.numbers import format_number
from engine.scenario_builders import build_training_session
from engine.scenario_validation import parse_scenario

ROOT = Path(__file__).resolve().parents[2]
SEEDS = range(40)
G = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0),
     "identity": lambda z: z}


def hand_forward(scenario: dict, x: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """(z, a) per layer for one observation, straight from the scenario's numbers."""
    a = np.asarray(x, dtype=float)
    out = []
    for layer in scenario["network"]["layers"]:
        z = np.asarray(layer["weights"]) @ a + np.asarray(layer["biases"])
        a = G[layer["activation"]](z)
        out.append((z, a))
    return out


def hand_loss(scenario: dict, flat: dict[str, float] | None = None) -> float:
    s = json.loads(json.dumps(scenario))
    for name, value in (flat or {}).items():
        layer, rest = int(name[2]), name[4:]
        entry = s["network"]["layers"][layer - 1]
        idx = [int(v) - 1 for v in re.findall(r"\d+", rest)]
        if name[0] == "w":
            entry["weights"][idx[0]][idx[1]] = value
        else:
            entry["biases"][idx[0]] = value
    total = 0.0
    for x, y in zip(s["data"]["inputs"], s["data"]["targets"]):
        out = hand_forward(s, np.asarray(x))[-1][1]
        total += float(np.sum((np.asarray(y) - out) ** 2))
    return total / 2 if s["loss"] == "half_sse" else total


def values_of(scenario: dict) -> dict[str, float]:
    out = {}
    for l, layer in enumerate(scenario["network"]["layers"], start=1):
        for j, row in enumerate(layer["weights"], start=1):
            for k, w in enumerate(row, start=1):
                out[f"w({l})[{j},{k}]"] = w
            out[f"b({l})[{j}]"] = layer["biases"][j - 1]
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_answers_agree_with_a_hand_forward_pass_and_central_differences(seed):
    ex = make_exercise(seed)
    sc = ex.scenario_dict()
    answers = ex.answers()
    x1, y1 = np.asarray(sc["data"]["inputs"][0]), np.asarray(sc["data"]["targets"][0])
    layers = hand_forward(sc, x1)
    for q in ex.questions:
        if q.kind in ("z", "a", "output"):
            layer, node = int(q.key[2]), int(q.key.split("_")[1])
            z, a = layers[layer - 1]
            assert q.answer == pytest.approx((z if q.kind == "z" else a)[node - 1], rel=1e-12, abs=1e-14)
        elif q.kind == "residual":
            assert q.answer == pytest.approx(float(y1[0] - layers[-1][1][0]), rel=1e-12, abs=1e-14)
        elif q.kind == "loss":
            assert q.answer == pytest.approx(hand_loss(sc), rel=1e-12)
    values = values_of(sc)
    h = 1e-6
    for name, g in answers["gradient"].items():
        up = hand_loss(sc, {name: values[name] + h})
        down = hand_loss(sc, {name: values[name] - h})
        assert g == pytest.approx((up - down) / (2 * h), rel=1e-5, abs=1e-8), name
        assert answers["updated"][name] == pytest.approx(values[name] - sc["optimizer"]["lr"] * g, abs=1e-15)


@pytest.mark.parametrize("seed", range(0, 40, 7))
def test_the_deltas_are_dR_dz_by_central_differences_on_z(seed):
    ex = make_exercise(seed)
    sc = ex.scenario_dict()
    x1, y1 = np.asarray(sc["data"]["inputs"][0]), np.asarray(sc["data"]["targets"][0])
    factor = 0.5 if sc["loss"] == "half_sse" else 1.0
    for q in (q for q in ex.questions if q.kind == "delta"):
        layer, node = int(q.key[6]), int(q.key.split("_")[1])
        layers = sc["network"]["layers"]

        def loss_with_z_shift(eps):
            a = x1
            for l, entry in enumerate(layers, start=1):
                z = np.asarray(entry["weights"]) @ a + np.asarray(entry["biases"])
                if l == layer:
                    z = z.copy()
                    z[node - 1] += eps
                a = G[entry["activation"]](z)
            return factor * float(np.sum((y1 - a) ** 2))

        fd = (loss_with_z_shift(1e-6) - loss_with_z_shift(-1e-6)) / 2e-6
        assert q.answer == pytest.approx(fd, rel=1e-5, abs=1e-8)


def test_exercises_are_small_enough_to_do_by_hand():
    seen = set()
    for seed in SEEDS:
        ex = make_exercise(seed)
        net = ex.network
        assert net.inputs in (2, 3) and net.depth in (2, 3)
        assert all(1 <= s <= 3 for s in net.sizes[1:-1]) and net.sizes[-1] == 1
        assert 1 <= ex.inputs.shape[0] <= 3 and ex.loss in ("sse", "half_sse")
        numbers = np.concatenate([net.theta(), ex.inputs.ravel(), ex.targets.ravel()])
        assert np.allclose(numbers * 10, np.round(numbers * 10))  # one decimal each
        seen.add(net.activations[0])
    assert seen == set(HIDDEN_ACTIVATIONS)  # every activation turns up across the seeds


def test_the_same_seed_gives_the_same_sheet_and_another_seed_another():
    a = render_sheet(make_sheet(11, 3), "markdown", solutions=True)
    assert a == render_sheet(make_sheet(11, 3), "markdown", solutions=True)
    assert a != render_sheet(make_sheet(12, 3), "markdown", solutions=True)


@pytest.mark.parametrize("fmt", ["markdown", "latex"])
def test_a_sheet_without_solutions_holds_no_answer(fmt):
    exercises = make_sheet(5, 4)
    sheet = render_sheet(exercises, fmt, solutions=False)
    with_answers = render_sheet(exercises, fmt, solutions=True)
    assert "Answer" not in sheet and "Answer" in with_answers
    for ex in exercises:
        given = {format_number(float(v)) for v in np.concatenate(
            [ex.network.theta(), ex.inputs.ravel(), ex.targets.ravel(), [ex.lr]])}
        for q in ex.questions:
            shown = format_number(q.answer)
            if shown not in given:  # an answer that happens to equal a given number cannot be hidden
                assert shown not in sheet, (q.key, shown)
                assert shown in with_answers, (q.key, shown)


def test_the_json_scenario_loads_and_one_training_step_gives_the_updated_parameters():
    ex = make_exercise(21)
    scenario = parse_scenario(ex.scenario_dict())
    session = build_training_session(scenario)
    session.step_iteration()
    names = ex.network.param_names()
    after = dict(zip(names, session.theta()))
    for name, value in ex.answers()["updated"].items():
        assert after[name] == pytest.approx(value, abs=1e-14)


def run_cli(*args):
    return subprocess.run([sys.executable, str(ROOT / "main.py"), "exercise", *args],
                          capture_output=True, text=True, timeout=60, cwd=ROOT)


def test_the_command_prints_json_with_scenario_questions_and_answers():
    proc = run_cli("--seed", "4", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"scenario", "questions", "answers"}
    assert {"loss", "gradient"} <= set(data["answers"])
    assert data["answers"]["loss"] == pytest.approx(make_exercise(4).record.loss, rel=1e-15)
    many = json.loads(run_cli("--seed", "4", "--count", "3", "--format", "json").stdout)
    assert len(many["exercises"]) == 3 and many["exercises"][0] == data


def test_the_command_refuses_a_bad_count_in_one_line():
    proc = run_cli("--seed", "1", "--count", "500")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "1 to 50" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.skipif(shutil.which("pdflatex") is None, reason="no TeX installation here")
def test_a_latex_sheet_compiles(tmp_path):
    (tmp_path / "sheet.tex").write_text(render_sheet(make_sheet(9, 3), "latex", solutions=True))
    proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "sheet.tex"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout[-2000:]
    assert (tmp_path / "sheet.pdf").stat().st_size > 1000
