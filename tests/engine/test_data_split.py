"""The seeded train/test split: reproducible, disjoint, the right sizes; sessions train on the training
part and report the held-out loss and accuracy; scenario fields and trace fields."""

import json
from pathlib import Path

import numpy as np
import pytest

from engine.backprop import predict
from engine.data_split import split_rows
from engine.network import glorot
from engine.optimizers import make_spec
from engine.scenario import ScenarioError, build_training_session, load_scenario, parse_scenario, save_scenario
from engine.trace import format_trace, network_trace
from engine.training import TrainingSession
from engine.training_mode import TrainingError

SCENARIOS = Path(__file__).resolve().parents[2] / "resources" / "scenarios"


@pytest.mark.parametrize("n, fraction, n_test", [(150, 0.2, 30), (1797, 0.25, 449), (10, 0.15, 2), (7, 0.5, 4)])
def test_split_sizes_disjoint_and_reproducible(n: int, fraction: float, n_test: int) -> None:
    a, b = split_rows(n, fraction, 3), split_rows(n, fraction, 3)
    assert a.n_test == n_test and a.train_rows.size == n - n_test
    np.testing.assert_array_equal(a.test_rows, b.test_rows)
    np.testing.assert_array_equal(a.train_rows, b.train_rows)
    assert not set(a.test_rows) & set(a.train_rows)
    assert sorted(set(a.test_rows) | set(a.train_rows)) == list(range(n))
    assert np.all(np.diff(a.test_rows) > 0) and np.all(np.diff(a.train_rows) > 0)  # data order kept
    others = [split_rows(n, fraction, seed).test_rows for seed in range(4, 9)]
    assert any(not np.array_equal(o, a.test_rows) for o in others)


def test_the_split_is_the_seeded_permutation() -> None:
    """Documented rule: the first round(f n) entries of default_rng(seed).permutation(n) are held out."""
    perm = np.random.default_rng(11).permutation(20)
    np.testing.assert_array_equal(split_rows(20, 0.3, 11).test_rows, np.sort(perm[:6]))


def test_no_split_and_bad_fractions() -> None:
    none = split_rows(5, 0.0, 0)
    assert none.n_test == 0 and none.train_rows.tolist() == [0, 1, 2, 3, 4]
    for fraction, message in [(1.0, "up to \\(not including\\) 1"), (-0.1, "from 0"),
                              (0.01, "holds out 0"), (0.96, "holds out 10")]:
        with pytest.raises(TrainingError, match=message):
            split_rows(10, fraction, 0)
    with pytest.raises(TrainingError, match="split seed"):
        split_rows(10, 0.2, -1)


def _session(**kwargs) -> tuple[TrainingSession, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    net = glorot(2, [3, 1], ["tanh", "identity"], rng)
    X, Y = rng.standard_normal((20, 2)), rng.standard_normal((20, 1))
    return TrainingSession(net, X, Y, "sse", spec=make_spec("gd", lr=0.01), test_fraction=0.25, split_seed=2,
                           **kwargs), X, Y


def test_session_trains_on_the_training_part_and_reports_the_held_out_loss() -> None:
    session, X, Y = _session()
    split = split_rows(20, 0.25, 2)
    np.testing.assert_array_equal(session.split.test_rows, split.test_rows)
    np.testing.assert_array_equal(session.X, X[split.train_rows])
    np.testing.assert_array_equal(session.Y, Y[split.train_rows])
    assert session.n_obs == 15 and session.held_out.n_obs == 5
    assert session.record().n_obs == 15
    assert session.run(30) == 30
    test = session.test_losses()
    assert test.shape == (31,)
    for k in (0, 7, 30):
        out = predict(session.network, X[split.test_rows], session.parameters_at(k))
        assert test[k] == pytest.approx(float(((Y[split.test_rows] - out) ** 2).sum()), rel=1e-13)
        out_train = predict(session.network, X[split.train_rows], session.parameters_at(k))
        assert session.losses()[k] == pytest.approx(float(((Y[split.train_rows] - out_train) ** 2).sum()),
                                                    rel=1e-13)
    np.testing.assert_array_equal(session.test_losses(stride=10), test[::10])
    assert session.test_accuracy() is None and session.held_out.accuracies() is None  # not a classifier


def test_held_out_values_follow_a_changed_history() -> None:
    session, X, Y = _session()
    session.run(5)
    before = session.test_losses()[5]
    session.jump(0)
    session.set_parameter("b(2)[1]", 3.0)
    session.run(5)
    after = session.test_losses()
    out = predict(session.network, session.held_out.X, session.parameters_at(5))
    assert after[5] == pytest.approx(float(((session.held_out.Y - out) ** 2).sum()), rel=1e-13)
    assert after[5] != before


def test_the_test_loss_has_no_decay_term() -> None:
    plain, _, _ = _session()
    decayed, _, _ = _session(weight_decay=0.5)
    assert decayed.test_losses()[0] == plain.test_losses()[0]
    assert decayed.losses()[0] > plain.losses()[0]


def test_iris_with_a_held_out_part(tmp_path: Path) -> None:
    obj = json.loads((SCENARIOS / "iris-classifier.json").read_text())
    obj.update(test_fraction=0.2, split_seed=1)
    scenario = parse_scenario(obj)
    session = build_training_session(scenario)
    assert session.n_obs == 120 and session.held_out.n_obs == 30
    session.run(150)
    acc = session.test_accuracy()
    labels_out = predict(session.network, session.held_out.X, session.theta()).argmax(axis=1)
    assert acc == pytest.approx(np.mean(labels_out == session.held_out.Y.argmax(axis=1)))
    assert acc > 0.8
    accs = session.held_out.accuracies(stride=50)
    assert accs.shape == (4,) and accs[-1] == acc and accs[0] < acc
    first = predict(session.network, session.held_out.X, session.parameters_at(50)).argmax(axis=1)
    assert accs[1] == np.mean(first == session.held_out.Y.argmax(axis=1))
    confusion = session.held_out.confusion_at(session.n_updates)
    assert confusion.sum() == 30 and np.trace(confusion) == round(acc * 30)
    # saved and loaded
    save_scenario(scenario, tmp_path / "iris.json")
    written = json.loads((tmp_path / "iris.json").read_text())
    assert (written["test_fraction"], written["split_seed"]) == (0.2, 1)
    again = load_scenario(tmp_path / "iris.json")
    assert (again.test_fraction, again.split_seed) == (0.2, 1)
    assert "test_fraction" not in parse_scenario(json.loads((SCENARIOS / "iris-classifier.json").read_text())).to_dict()


def test_scenario_fields_are_checked() -> None:
    base = json.loads((SCENARIOS / "iris-classifier.json").read_text())
    for field, value, message in [("test_fraction", 1, "test_fraction: expected a number from 0 up to"),
                                  ("test_fraction", -0.5, "test_fraction: expected a number >= 0"),
                                  ("test_fraction", "a", 'test_fraction: expected a number, got "a"'),
                                  ("split_seed", -1, "split_seed: expected a whole number >= 0")]:
        with pytest.raises(ScenarioError) as e:
            parse_scenario({**base, field: value})
        assert str(e.value).startswith(message)


def test_trace_carries_test_loss_and_accuracy() -> None:
    obj = json.loads((SCENARIOS / "iris-classifier.json").read_text())
    obj.update(test_fraction=0.2, split_seed=1)
    scenario = parse_scenario(obj)
    trace = network_trace(scenario, 20, every=10)
    steps = trace["steps"]
    assert [s["step"] for s in steps] == [0, 10, 20]
    session = build_training_session(scenario)
    session.run(20)
    for s in steps:
        assert s["test_loss"] == session.held_out.loss_at(s["step"])
        assert s["test_accuracy"] == session.test_accuracy(s["step"])
        assert set(s) == {"step", "loss", "parameters", "gradient", "test_loss", "test_accuracy"}
    header = format_trace(trace, "network", "csv").splitlines()[0].split(",")
    assert header[:2] == ["step", "loss"] and header[-2:] == ["test_loss", "test_accuracy"]
    plain = network_trace(load_scenario(SCENARIOS / "iris-classifier.json"), 1)
    assert "test_loss" not in plain["steps"][0]


def test_main_run_prints_the_test_fields(tmp_path: Path) -> None:
    import subprocess
    import sys

    obj = json.loads((SCENARIOS / "iris-classifier.json").read_text())
    obj.update(test_fraction=0.2, split_seed=1, weight_decay=0.01)
    (tmp_path / "iris.json").write_text(json.dumps(obj))
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, str(root / "main.py"), "run", str(tmp_path / "iris.json"), "--steps", "100",
                           "--every", "50"], capture_output=True, text=True, cwd=root, timeout=60)
    assert done.returncode == 0, done.stderr
    trace = json.loads(done.stdout)
    steps = trace["steps"]
    assert [s["step"] for s in steps] == [0, 50, 100]
    assert steps[-1]["loss"] < steps[0]["loss"] and steps[-1]["test_loss"] < steps[0]["test_loss"]
    assert 0.0 <= steps[0]["test_accuracy"] <= 1.0 and steps[-1]["test_accuracy"] > steps[0]["test_accuracy"]


def test_explain_covers_the_training_part() -> None:
    from engine.explain import explain_scenario

    obj = json.loads((SCENARIOS / "iris-classifier.json").read_text())
    obj.update(test_fraction=0.2, split_seed=1)
    text = explain_scenario(parse_scenario(obj), observation=1)
    assert "(cross_entropy, all 120 observations)" in text and "120 observation(s)" in text


def test_carried_options_rebuild_an_equal_session() -> None:
    from engine.data_split import carried_options
    from engine.scenario_spec import Scenario

    obj = json.loads((SCENARIOS / "iris-classifier.json").read_text())
    obj.update(test_fraction=0.2, split_seed=4, weight_decay=0.01)
    session = build_training_session(parse_scenario(obj))
    assert carried_options(session) == {"weight_decay": 0.01, "test_fraction": 0.2, "split_seed": 4}
    again = TrainingSession(session.network, *_iris_arrays(), "cross_entropy", **carried_options(session))
    np.testing.assert_array_equal(again.split.test_rows, session.split.test_rows)
    assert again.weight_decay == 0.01
    fields = set(Scenario.__dataclass_fields__)
    assert set(carried_options(session)) <= fields


def _iris_arrays():
    from engine.data import make_dataset

    d = make_dataset("iris", 150, 0.0, 0)
    return d.inputs, d.targets


def test_a_session_with_a_held_out_part_is_freed_at_once() -> None:
    """No reference cycle: the last reference gone, the session goes (the window drops old sessions)."""
    import gc
    import weakref

    session, _, _ = _session()
    session.run(3)
    assert session.test_losses().shape == (4,)
    gone = weakref.ref(session)
    was = gc.isenabled()
    gc.disable()
    try:
        del session
        assert gone() is None
    finally:
        if was:
            gc.enable()
