"""Every preset scenario in resources/scenarios loads, builds its session and steps; key numbers checked."""

import json
from pathlib import Path

import numpy as np
import pytest

from engine.scenario import build_training_session, load_scenario, save_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "resources" / "scenarios"
ALL = sorted(SCENARIOS.glob("*.json"))
NETWORKS = [p for p in ALL if json.loads(p.read_text())["kind"] == "network"]
FUNCTIONS = [p for p in ALL if p not in NETWORKS]


def test_the_expected_presets_exist() -> None:
    names = {p.stem for p in ALL}
    assert {"lecture-backprop", "lecture-quartic", "lecture-quartic-local", "lecture-quartic-diverge",
            "newton-maximum", "lecture-2d", "rosenbrock-race", "matt-mazur", "xor-classifier",
            "circles-classifier", "sine-regression"} <= names


@pytest.mark.parametrize("path", NETWORKS, ids=lambda p: p.stem)
def test_network_preset_steps_and_learns(path: Path, tmp_path: Path) -> None:
    scenario = load_scenario(path)
    session = build_training_session(scenario)
    taken = session.run(200)
    losses = session.losses()
    assert taken == session.n_updates and session.status.state != "diverged"
    assert np.all(np.isfinite(losses))
    assert losses[-1] < 0.5 * losses[0], f"{path.stem}: loss {losses[0]} -> {losses[-1]}"
    # a saved copy builds the same session (same seeded weights and data)
    save_scenario(scenario, tmp_path / path.name)
    again = build_training_session(load_scenario(tmp_path / path.name))
    np.testing.assert_array_equal(again.theta(), session.parameters_at(0))


def test_lecture_backprop_is_the_spec_example() -> None:
    session = build_training_session(load_scenario(SCENARIOS / "lecture-backprop.json"))
    rec = session.record()
    np.testing.assert_allclose(rec.output[:, 0], [0.8095, 0.8827], atol=5e-5)
    np.testing.assert_allclose(rec.residual[:, 0], [0.3905, -0.1827], atol=5e-5)
    np.testing.assert_allclose(rec.a[1], [[0.4750, 0.6225], [0.5744, 0.6900]], atol=5e-5)
    np.testing.assert_allclose(rec.sensitivities_of(0)[0],
                               [0.449, -0.299, 0.150, 0.141, -0.094, 0.047, 0.475, 0.622, 1.0], atol=5e-4)
    assert session.spec.name == "gd" and session.spec.lr == 0.1 and session.mode == "full_batch"


def test_matt_mazur_numbers() -> None:
    session = build_training_session(load_scenario(SCENARIOS / "matt-mazur.json"))
    assert session.losses()[0] == pytest.approx(0.298371109, abs=1e-9)
    session.run(1)
    names = session.param_names
    theta = session.theta()
    # Mazur's w5..w8 after one update (w5 = w(2)[1,1] etc.) and w1 = w(1)[1,1]
    assert theta[names.index("w(2)[1,1]")] == pytest.approx(0.35891648, abs=1e-8)
    assert theta[names.index("w(2)[1,2]")] == pytest.approx(0.408666186, abs=1e-8)
    assert theta[names.index("w(2)[2,1]")] == pytest.approx(0.511301270, abs=1e-8)
    assert theta[names.index("w(2)[2,2]")] == pytest.approx(0.561370121, abs=1e-8)
    assert theta[names.index("w(1)[1,1]")] == pytest.approx(0.149780716, abs=1e-8)


def test_classifiers_separate_their_classes() -> None:
    for stem in ("xor-classifier", "circles-classifier"):
        session = build_training_session(load_scenario(SCENARIOS / f"{stem}.json"))
        session.run(600)
        rec = session.record()
        accuracy = np.mean(rec.output.argmax(axis=1) == rec.targets.argmax(axis=1))
        assert accuracy >= 0.95, f"{stem}: accuracy {accuracy}"


@pytest.mark.parametrize("path", FUNCTIONS, ids=lambda p: p.stem)
def test_function_preset_steps(path: Path) -> None:
    from engine.scenario import build_function_session

    scenario = load_scenario(path)
    session = build_function_session(scenario)
    session.step(5)
    history = list(session.history)
    assert len(history) >= 2
    np.testing.assert_array_equal(np.ravel(history[0].x), scenario.start)
    assert np.all(np.isfinite(np.ravel(history[1].x)))


@pytest.mark.parametrize("stem, x_end, state", [
    ("lecture-quartic", -2.619605, "converged"),
    ("lecture-quartic-local", 1.147904, "converged"),
    ("newton-maximum", 0.221701, "converged"),
    ("lecture-quartic-diverge", None, "diverged"),
])
def test_quartic_presets_end_where_the_lecture_says(stem: str, x_end: float | None, state: str) -> None:
    from engine.scenario import build_function_session

    session = build_function_session(load_scenario(SCENARIOS / f"{stem}.json"))
    session.step(3000)
    assert session.status.state == state, session.status.reason
    if x_end is not None:
        assert float(np.ravel(session.current.x)[0]) == pytest.approx(x_end, abs=1e-5)
