"""L2 weight decay as a term of R: lambda/2 sum w^2 (biases excluded), its gradient lambda w, the chain-rule
term and the nudge-table column, the scenario field, sessions and traces, and PyTorch's weight_decay."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from engine.backprop import GradientKernel, backward, loss_and_gradient
from engine.chain_rule import chain_rule
from engine.explain import explain_scenario
from engine.gradient_check import finite_difference_check
from engine.network import LECTURE_INPUTS, LECTURE_TARGETS, Layer, Network, glorot, lecture_network
from engine.notation import plain
from engine.optimizers import make_spec
from engine.nudge import nudge_columns
from engine.scenario import ScenarioError, build_training_session, load_scenario, parse_scenario, save_scenario
from engine.trace import network_trace
from engine.training import TrainingSession

LECTURE_WEIGHTS = [0.2, 0.4, 0.3, 0.5, 0.6, 0.2]  # w(1)[1,1], w(1)[1,2], w(1)[2,1], w(1)[2,2], w(2)[1,1], w(2)[1,2]


def _is_weight(net: Network) -> np.ndarray:
    """True where the parameter name starts with w, read from the names (not from the engine's mask)."""
    return np.array([name.startswith("w(") for name in net.param_names()])


def _penalty_by_hand(net: Network, theta: np.ndarray, lam: float) -> float:
    return 0.5 * lam * sum(v * v for v, w in zip(theta, _is_weight(net)) if w)


def _lecture_scenario(**extra) -> dict:
    return {"format": "stepwise-scenario", "version": 1, "kind": "network",
            "network": {"inputs": 2, "layers": [
                {"units": 2, "activation": "sigmoid", "weights": [[0.2, 0.4], [0.3, 0.5]], "biases": [0.1, 0.6]},
                {"units": 1, "activation": "identity", "weights": [[0.6, 0.2]], "biases": [0.4]}]},
            "data": {"inputs": [[3, -2], [-1, 1]], "targets": [[1.2], [0.7]]},
            "loss": "sse", "training": "full_batch", "optimizer": {"name": "gd", "lr": 0.1}, **extra}


def test_lecture_values_by_hand() -> None:
    net = lecture_network()
    lam = 0.1
    plain_loss, plain_grad = loss_and_gradient(net, LECTURE_INPUTS, LECTURE_TARGETS)
    loss, grad = loss_and_gradient(net, LECTURE_INPUTS, LECTURE_TARGETS, weight_decay=lam)
    # 0.1/2 * (0.04 + 0.16 + 0.09 + 0.25 + 0.36 + 0.04) = 0.047
    assert loss - plain_loss == pytest.approx(0.047, abs=1e-15)
    names = net.param_names()
    expected = np.array(plain_grad)
    for name, w in zip(["w(1)[1,1]", "w(1)[1,2]", "w(1)[2,1]", "w(1)[2,2]", "w(2)[1,1]", "w(2)[1,2]"],
                       LECTURE_WEIGHTS):
        expected[names.index(name)] += lam * w  # e.g. w(1)[1,1]: + 0.1 * 0.2 = 0.02
    np.testing.assert_allclose(grad, expected, rtol=0, atol=1e-15)
    for bias in ("b(1)[1]", "b(1)[2]", "b(2)[1]"):
        assert grad[names.index(bias)] == plain_grad[names.index(bias)]
    # the lecture's first gradient entry (-0.4042) moves by 0.02
    assert grad[names.index("w(1)[1,1]")] == pytest.approx(-0.4042 + 0.02, abs=5e-5)


ARCHITECTURES = [
    ((2, 2, 1), ("sigmoid", "identity"), "sse", 1),
    ((3, 4, 2), ("tanh", "identity"), "mse", 2),
    ((2, 3, 3, 3), ("tanh", "relu", "softmax"), "cross_entropy", 3),
    ((4, 5, 1), ("softplus", "sigmoid"), "binary_cross_entropy", 1),
    ((5, 6, 4, 2), ("leaky_relu", "tanh", "identity"), "half_sse", 2),
]


@pytest.mark.parametrize("sizes, acts, loss, n_out", ARCHITECTURES, ids=lambda v: str(v))
@pytest.mark.parametrize("lam", [0.01, 0.7])
def test_gradient_matches_central_differences(sizes, acts, loss, n_out, lam) -> None:
    rng = np.random.default_rng(sum(sizes))
    net = glorot(sizes[0], list(sizes[1:]), list(acts), rng)
    net = net.with_theta(net.theta() + 0.3 * rng.standard_normal(net.n_params))  # biases nonzero too
    X = rng.standard_normal((7, sizes[0]))
    if loss == "cross_entropy":
        Y = np.eye(n_out)[rng.integers(0, n_out, 7)]
    elif loss == "binary_cross_entropy":
        Y = rng.integers(0, 2, (7, 1)).astype(float)
    else:
        Y = rng.standard_normal((7, n_out))
    plain_kernel = GradientKernel(net, loss)  # the data term alone, tested in test_backprop

    def R(theta: np.ndarray) -> float:
        return plain_kernel.value(theta, X, Y) + _penalty_by_hand(net, theta, lam)

    theta = net.theta()
    value, grad = GradientKernel(net, loss, lam)(theta, X, Y)
    assert value == pytest.approx(R(theta), rel=1e-13)
    h = 1e-6
    numeric = np.array([(R(theta + h * e) - R(theta - h * e)) / (2 * h) for e in np.eye(net.n_params)])
    np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-7)
    # the engine's own check agrees, and the record carries the same R and gradient
    assert finite_difference_check(net, X, Y, loss, weight_decay=lam).max_rel_error < 1e-6
    rec = backward(net, X, Y, loss, weight_decay=lam)
    assert rec.loss == value and np.array_equal(rec.gradient, grad)
    assert rec.data_loss + rec.decay_loss == pytest.approx(value, rel=1e-14)
    np.testing.assert_allclose(rec.per_obs_grad.sum(axis=0) + rec.decay_gradient, grad, atol=1e-12)


def test_chain_rule_shows_the_decay_term_for_weights_only() -> None:
    net = lecture_network()
    rec = backward(net, LECTURE_INPUTS[:1], LECTURE_TARGETS[:1], "sse", weight_decay=0.1)
    cr = chain_rule(net, rec, "w(1)[1,1]", 0)
    assert cr.decay is not None
    assert cr.decay.value == pytest.approx(0.1 * 0.2, abs=1e-16)
    assert plain(cr.decay.symbol) == "dR_decay/dw(1)[1,1]"
    assert "lambda" in plain(cr.decay.meaning) and "w(1)[1,1]" in plain(cr.decay.meaning)
    # one observation in the batch: the paths plus the decay term are the whole gradient entry
    assert cr.total_with_decay == pytest.approx(rec.gradient[0], abs=1e-15)
    assert chain_rule(net, rec, "b(1)[1]", 0).decay is None
    assert chain_rule(net, backward(net, LECTURE_INPUTS, LECTURE_TARGETS), "w(1)[1,1]", 0).decay is None


def test_nudge_columns_with_decay_sum_to_minus_the_gradient() -> None:
    net = lecture_network()
    lam = 0.25
    rec = backward(net, LECTURE_INPUTS, LECTURE_TARGETS, "sse", weight_decay=lam)
    cols = nudge_columns(rec, [0, 1])
    assert cols.has_decay and cols.factor == 2
    expected_decay = np.array([-lam * w if is_w else 0.0 for w, is_w in zip(net.theta(), _is_weight(net))])
    np.testing.assert_allclose(cols.decay, expected_decay, atol=1e-16)
    # -grad R = 2 * sum_i e_i s_i - lambda w, against central differences of R by hand
    plain_kernel = GradientKernel(net, "sse")
    theta, h = net.theta(), 1e-6

    def R(t):
        return plain_kernel.value(t, LECTURE_INPUTS, LECTURE_TARGETS) + _penalty_by_hand(net, t, lam)
    numeric = np.array([(R(theta + h * e) - R(theta - h * e)) / (2 * h) for e in np.eye(net.n_params)])
    np.testing.assert_allclose(cols.factor * cols.total + cols.decay, -numeric, atol=1e-8)
    assert cols.sensitivities.shape == (2, 1, 9) and cols.names[0] == "w(1)[1,1]"


def test_scenario_field_validated_saved_and_loaded(tmp_path: Path) -> None:
    scenario = parse_scenario(_lecture_scenario(weight_decay=0.05))
    assert scenario.weight_decay == 0.05
    save_scenario(scenario, tmp_path / "s.json")
    written = json.loads((tmp_path / "s.json").read_text())
    assert written["weight_decay"] == 0.05
    assert load_scenario(tmp_path / "s.json").weight_decay == 0.05
    assert "weight_decay" not in parse_scenario(_lecture_scenario()).to_dict()  # 0: not written
    for bad, message in [(-1, "weight_decay: expected a number >= 0, got -1"),
                         ("0.1", 'weight_decay: expected a number, got "0.1"'),
                         (True, "weight_decay: expected a number, got true")]:
        with pytest.raises(ScenarioError) as e:
            parse_scenario(_lecture_scenario(weight_decay=bad))
        assert str(e.value).startswith(message)


def test_session_trains_with_decay_and_the_trace_reports_r_with_its_term() -> None:
    scenario = parse_scenario(_lecture_scenario(weight_decay=0.1))
    session = build_training_session(scenario)
    assert session.weight_decay == 0.1
    theta0 = session.theta()
    # one gd step by hand: theta - 0.1 * (dR_data/dtheta + 0.1 w)
    _, g = loss_and_gradient(lecture_network(), LECTURE_INPUTS, LECTURE_TARGETS)
    expected = theta0 - 0.1 * (g + 0.1 * theta0 * _is_weight(session.network))
    session.run(1)
    np.testing.assert_allclose(session.theta(), expected, atol=1e-15)
    trace = network_trace(scenario, 3)
    plain_kernel = GradientKernel(lecture_network(), "sse")
    for step in trace["steps"]:
        theta = np.array(list(step["parameters"].values()))
        data = plain_kernel.value(theta, LECTURE_INPUTS, LECTURE_TARGETS)
        assert step["loss"] == pytest.approx(data + _penalty_by_hand(session.network, theta, 0.1), rel=1e-14)
    # the landscape and loss_at are the same R
    names = session.param_names
    t = session.theta()
    grid = session.landscape("w(1)[1,1]", "b(2)[1]", np.array([t[0]]), np.array([t[names.index("b(2)[1]")]]))
    assert grid[0, 0] == pytest.approx(session.loss_at(t), rel=1e-12)
    assert session.losses()[-1] == pytest.approx(session.loss_at(t), rel=1e-14)


def test_explain_shows_the_decay_columns() -> None:
    text = explain_scenario(parse_scenario(_lecture_scenario(weight_decay=0.1)))
    assert "-lambda*w" in text and "  lambda*w  " in text
    assert "plus the weight-decay term lambda/2 sum w^2 = 0.04700)" in text  # 0.05 * 0.94
    assert "-grad R = 2 x (sum over all 2 observations of e * s) - lambda w (weight decay, lambda = 0.1)" in text
    # the nudge row of w(1)[1,1]: sum of e*s 0.2021, decay -0.1 * 0.2, -grad R = 2 * 0.2021 - 0.02
    row = next(line for line in text.splitlines() if line.startswith("w(1)[1,1]") and "-0.02000" in line)
    assert row.split()[-3:] == ["0.2021", "-0.02000", "0.3842"]


def test_decay_shrinks_the_weights_of_a_session() -> None:
    rng = np.random.default_rng(0)
    net = glorot(2, [4, 1], ["tanh", "identity"], rng)
    X, Y = rng.standard_normal((20, 2)), rng.standard_normal((20, 1))
    mask = _is_weight(net)
    norms = []
    for lam in (0.0, 1.0):
        s = TrainingSession(net, X, Y, "sse", spec=make_spec("gd", lr=0.01), weight_decay=lam)
        s.run(300)
        assert s.status.state != "diverged"
        norms.append(float(np.linalg.norm(s.theta()[mask])))
    assert norms[1] < 0.8 * norms[0]


# --- PyTorch: torch.optim.SGD(weight_decay=lambda) on the weights equals gd with decay -------------

REFERENCE = json.loads((Path(__file__).parent / "data" / "torch_weight_decay.json").read_text())


@pytest.mark.parametrize("case", REFERENCE["cases"], ids=[c["id"] for c in REFERENCE["cases"]])
def test_recorded_pytorch_weight_decay(case) -> None:
    """Against numbers PyTorch alone wrote (``benchmarks/torch_weight_decay.py``); runs without torch."""
    scenario = parse_scenario(case["scenario"])
    session = build_training_session(scenario)
    n = len(case["parameters"]) - 1
    session.run(n)
    for k in range(n + 1):
        np.testing.assert_allclose(session.parameters_at(k), case["parameters"][k], rtol=1e-10, atol=1e-12)
        loss, grad = session.kernel(np.array(case["parameters"][k]), session.X, session.Y)
        assert loss == pytest.approx(case["losses"][k], rel=1e-10)
        np.testing.assert_allclose(grad, case["gradients"][k], rtol=1e-10, atol=1e-10)


def test_live_pytorch_sgd_weight_decay() -> None:
    torch = pytest.importorskip("torch")
    lam, lr = 0.3, 0.05
    net = lecture_network()
    lins = [torch.nn.Linear(2, 2).double(), torch.nn.Linear(2, 1).double()]
    with torch.no_grad():
        for lin, layer in zip(lins, net.layers):
            lin.weight.copy_(torch.from_numpy(np.array(layer.W)))
            lin.bias.copy_(torch.from_numpy(np.array(layer.b)))
    model = torch.nn.Sequential(lins[0], torch.nn.Sigmoid(), lins[1])
    opt = torch.optim.SGD([{"params": [l.weight for l in lins], "weight_decay": lam},
                           {"params": [l.bias for l in lins], "weight_decay": 0.0}], lr=lr)
    X, Y = torch.from_numpy(np.array(LECTURE_INPUTS)), torch.from_numpy(np.array(LECTURE_TARGETS))
    for _ in range(25):
        opt.zero_grad()
        ((model(X) - Y) ** 2).sum().backward()
        opt.step()
    session = TrainingSession(net, LECTURE_INPUTS, LECTURE_TARGETS, "sse", spec=make_spec("gd", lr=lr),
                              weight_decay=lam)
    session.run(25)
    expected = torch.cat([torch.cat([l.weight, l.bias[:, None]], 1).reshape(-1) for l in lins]).detach().numpy()
    np.testing.assert_allclose(session.theta(), expected, rtol=1e-12, atol=1e-14)
    assert math.isfinite(session.losses()[-1])


EXPORTED = [("lecture-gd", _lecture_scenario(weight_decay=0.1), 15)] + [
    (case["id"], case["scenario"], 20) for case in REFERENCE["cases"] if case["id"] == "classifier-mini_batch-gd"] + [
    ("lecture-adam-backtracking", _lecture_scenario(weight_decay=0.2, optimizer={
        "name": "adam", "lr": 0.1, "schedule": "backtracking"}), 10),
    ("lecture-held-out", _lecture_scenario(test_fraction=0.5, split_seed=1), 5),
    ("iris-held-out-decay", {**json.loads((Path(__file__).resolve().parents[2] / "resources" / "scenarios"
                                           / "iris-classifier.json").read_text()),
                             "test_fraction": 0.2, "split_seed": 3, "weight_decay": 0.01, "training": {"mini_batch": 40}},
     8)]


@pytest.mark.parametrize("to", ["numpy", "pytorch"])
@pytest.mark.parametrize("case_id, obj, steps", EXPORTED, ids=[c[0] for c in EXPORTED])
def test_exported_scripts_print_the_run_trace_with_decay_and_split(tmp_path, to, case_id, obj, steps) -> None:
    import subprocess
    import sys

    from engine.code_export import export_script
    from engine.trace import scenario_trace
    from tests.engine.test_code_export import assert_trace_close

    if to == "pytorch":
        pytest.importorskip("torch")
        if case_id not in ("lecture-gd", "iris-held-out-decay"):
            pytest.skip("PyTorch scripts take seconds to start: two cases cover the decay and the split")
    scenario = parse_scenario(obj)
    text = export_script(scenario, to, steps)
    assert ("LAMBDA = " in text) == bool(scenario.weight_decay)
    assert ("X_TEST = " in text) == bool(scenario.test_fraction)
    path = tmp_path / "exported.py"
    path.write_text(text, encoding="utf-8")
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert_trace_close(json.loads(done.stdout), scenario_trace(scenario, steps))


@pytest.mark.parametrize("sizes, acts, loss, n_out", ARCHITECTURES[:3] + ARCHITECTURES[4:], ids=lambda v: str(v))
def test_nudge_columns_need_no_full_sensitivities(sizes, acts, loss, n_out) -> None:
    """The sum column and the shown observations' columns equal e * d output/d theta built from the
    sensitivities (checked against central differences in test_nudge_identity), computed without them."""
    rng = np.random.default_rng(7)
    net = glorot(sizes[0], list(sizes[1:]), list(acts), rng)
    X = rng.standard_normal((9, sizes[0]))
    Y = np.eye(n_out)[rng.integers(0, n_out, 9)] if loss == "cross_entropy" else rng.standard_normal((9, n_out))
    rec = backward(net, X, Y, loss)
    cols = nudge_columns(rec, [2, 5])
    assert "sensitivities" not in rec.__dict__  # never built for the table
    full = backward(net, X, Y, loss)
    by_sensitivities = np.einsum("ik,ikp->ip", full.residual, full.sensitivities)
    np.testing.assert_allclose(cols.total, by_sensitivities.sum(axis=0), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(cols.contributions, by_sensitivities[[2, 5]], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(cols.sensitivities, full.sensitivities[[2, 5]], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(rec.contributions, by_sensitivities, rtol=1e-12, atol=1e-14)


def test_the_phases_add_the_decay_term_once_the_batch_is_done() -> None:
    scenario = parse_scenario(_lecture_scenario(weight_decay=0.1))
    session = build_training_session(scenario)
    rec = session.batch_record()
    per_obs = 2 * 2 + 1  # forward 2 layers, loss, backward 2 layers
    for _ in range(per_obs):
        session.step_phase()
    np.testing.assert_allclose(session.partial().gradient, rec.per_obs_grad[0], atol=1e-15)  # one observation
    for _ in range(per_obs):
        session.step_phase()
    assert session.partial().complete
    np.testing.assert_array_equal(session.partial().gradient, rec.gradient)  # data terms + lambda w
    np.testing.assert_allclose(rec.gradient - rec.per_obs_grad.sum(axis=0), 0.1 * np.array(LECTURE_WEIGHTS[:2] + [0]
                               + LECTURE_WEIGHTS[2:4] + [0] + LECTURE_WEIGHTS[4:] + [0]), atol=1e-15)
