"""Back propagation: the lecture's numbers by hand, random networks against finite differences."""

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engine.activations import HIDDEN_ACTIVATION_NAMES
from engine.backprop import backward, forward, loss_and_gradient, predict
from engine.chain_rule import chain_rule
from engine.explain import symbol_product
from engine.gradient_check import finite_difference_check
from engine.losses import LOSS_NAMES
from engine.network import LECTURE_INPUTS, LECTURE_TARGETS, Layer, Network, glorot, lecture_network
from engine.notation import Derivative, Symbol, plain
from engine.numbers import format_number


def sig(v):
    return 1.0 / (1.0 + math.exp(-v))


def lecture_by_hand(x1, x2, y):
    """One observation of the lecture network, written out in scalars."""
    z11 = 0.2 * x1 + 0.4 * x2 + 0.1
    z12 = 0.3 * x1 + 0.5 * x2 + 0.6
    a11, a12 = sig(z11), sig(z12)
    out = 0.6 * a11 + 0.2 * a12 + 0.4
    e = y - out
    d11 = a11 * (1 - a11)
    d12 = a12 * (1 - a12)
    sens = [0.6 * d11 * x1, 0.6 * d11 * x2, 0.6 * d11,
            0.2 * d12 * x1, 0.2 * d12 * x2, 0.2 * d12,
            a11, a12, 1.0]
    return dict(z=(z11, z12), a=(a11, a12), out=out, e=e, sens=sens, d11=d11)


@pytest.fixture(scope="module")
def lecture():
    return backward(lecture_network(), LECTURE_INPUTS, LECTURE_TARGETS, "sse")


def test_lecture_forward_values_are_the_corrected_ones(lecture):
    np.testing.assert_allclose(lecture.z[1][0], [-0.1, 0.5], atol=1e-12)
    np.testing.assert_allclose(lecture.a[1][0], [0.4750, 0.6225], atol=5e-5)
    assert lecture.output[0, 0] == pytest.approx(0.8095, abs=5e-5)
    assert lecture.residual[0, 0] == pytest.approx(0.3905, abs=5e-5)
    np.testing.assert_allclose(lecture.a[1][1], [0.5744, 0.6900], atol=5e-5)
    assert lecture.output[1, 0] == pytest.approx(0.8827, abs=5e-5)
    assert lecture.residual[1, 0] == pytest.approx(-0.1827, abs=5e-5)
    np.testing.assert_array_equal(lecture.a[0], LECTURE_INPUTS)


def test_lecture_sensitivities_match_the_lecture_and_hand_formulas(lecture):
    printed_obs1 = [0.449, -0.299, 0.150, 0.141, -0.094, 0.047, 0.475, 0.622, 1]
    np.testing.assert_allclose(lecture.sensitivities[0, 0], printed_obs1, atol=6e-4)
    assert lecture.sensitivities[1, 0, 6] == pytest.approx(0.574, abs=5e-4)
    assert lecture.sensitivities[1, 0, 7] == pytest.approx(0.690, abs=5e-4)
    for i, ((x1, x2), (y,)) in enumerate(zip(LECTURE_INPUTS, LECTURE_TARGETS)):
        hand = lecture_by_hand(x1, x2, y)
        np.testing.assert_allclose(lecture.sensitivities[i, 0], hand["sens"], rtol=1e-12)
        np.testing.assert_allclose(lecture.sensitivities_of(i)[0], hand["sens"], rtol=1e-12)


def test_lecture_contributions_and_gradient(lecture):
    hands = [lecture_by_hand(x1, x2, y) for (x1, x2), (y,) in zip(LECTURE_INPUTS, LECTURE_TARGETS)]
    contributions = np.array([[h["e"] * s for s in h["sens"]] for h in hands])
    np.testing.assert_allclose(lecture.contributions, contributions, rtol=1e-12)
    np.testing.assert_allclose(lecture.contributions_of(1), contributions[1], rtol=1e-12)
    # R = sum e^2 so -dR/dtheta = 2 sum_i e_i * d output_i/d theta
    neg_grad = 2 * contributions.sum(axis=0)
    np.testing.assert_allclose(lecture.neg_gradient, neg_grad, rtol=1e-12)
    np.testing.assert_allclose(lecture.gradient, -neg_grad, rtol=1e-12)
    assert lecture.contribution_factor == 2.0
    np.testing.assert_allclose(lecture.gradient.round(4),
                               [-0.4042, 0.2873, -0.0633, -0.1258, 0.0890, -0.0211,
                                -0.1611, -0.2341, -0.4157])
    assert lecture.loss == pytest.approx(hands[0]["e"] ** 2 + hands[1]["e"] ** 2, rel=1e-14)
    np.testing.assert_allclose(lecture.per_obs_grad.sum(axis=0), lecture.gradient, rtol=1e-14)


def test_lecture_chain_rule_for_w111(lecture):
    rule = chain_rule(lecture_network(), lecture, "w(1)[1,1]", 0)
    hand = lecture_by_hand(3.0, -2.0, 1.2)
    values = [f.value for f in rule.factors]
    np.testing.assert_allclose(values, [-2 * (1.2 - hand["out"]), 0.6, hand["d11"], 3.0],
                               rtol=1e-14)
    assert round(values[2], 4) == 0.2494
    assert [plain(f.symbol) for f in rule.factors] == [
        "dR/da(2)_1", "da(2)_1/da(1)_1", "da(1)_1/dz(1)_1", "dz(1)_1/dw(1)[1,1]"]
    assert rule.factors[0].symbol == Derivative(Symbol("R"), Symbol("a", 2, (1,)))
    assert rule.factors[-1].symbol == Derivative(Symbol("z", 1, (1,)), Symbol("w", 1, (1, 1)))
    assert rule.total == pytest.approx(lecture.per_obs_grad[0, 0], rel=1e-14)
    assert rule.parameter == Symbol("w", 1, (1, 1)) and rule.written == rule.factors
    assert plain(rule.lhs) == "dR_1/dw(1)[1,1]"
    assert plain(symbol_product(rule.factors)) == ("dR/da(2)_1 * da(2)_1/da(1)_1 * "
                                                   "da(1)_1/dz(1)_1 * dz(1)_1/dw(1)[1,1]")
    # the lecture writes dR/da as -2(y - a); the other factors by their values
    assert [plain(f.expression) for f in rule.factors] == ["-2(1.2 - 0.8095)", "", "", ""]
    assert [format_number(f.value) for f in rule.factors] == ["-0.7810", "0.6", "0.2494", "3"]
    assert format_number(rule.total) == "-0.3506"
    assert [t for t in rule.factors[0].expression if isinstance(t, float)] == pytest.approx([1.2, hand["out"]])
    assert [plain(f.meaning) for f in rule.factors] == [
        "-2(y - a) = -2(1.2 - 0.8095)", "g'(z(2)_1) · w(2)[1,1] = 1 · 0.6",
        "sigmoid'(z) = a(1 - a) at z = -0.1000", "= x_1 = 3"]
    d, a = rule.delta_form
    assert d.value * a.value == pytest.approx(rule.total, rel=1e-14)
    assert [plain(f.symbol) for f in rule.delta_form] == ["delta(1)_1", "dz(1)_1/dw(1)[1,1]"]
    assert plain(d.meaning) == "dR/dz(1)_1, from back propagation"


def test_chain_rule_of_the_cross_entropies_writes_the_loss_factor():
    X = np.array([[1.0, -1.0]])
    hidden = Layer(2, "sigmoid", np.array([[0.5, -0.2], [0.1, 0.3]]), np.array([0.0, 0.1]))
    net = Network(2, (hidden, Layer(1, "sigmoid", np.array([[0.4, -0.6]]), np.array([0.2]))))
    first = chain_rule(net, X, "w(1)[1,1]", targets=np.array([[1.0]]), loss="binary_cross_entropy").factors[0]
    a = sig(0.4 * sig(0.7) - 0.6 * sig(-0.1) + 0.2)  # 0.54544
    assert first.value == pytest.approx((a - 1.0) / (a * (1.0 - a)), rel=1e-12)
    assert plain(first.meaning) == "(a - y)/(a(1 - a)) with y = 1, a = 0.5454"
    assert first.expression == ()  # the number itself goes into the product
    soft = Network(2, (Layer(2, "softmax", np.array([[0.5, -0.2], [0.1, 0.3]]), np.array([0.0, 0.1])),))
    rule = chain_rule(soft, X, "w(1)[2,1]", targets=np.array([[0.0, 1.0]]), loss="cross_entropy")
    a2 = math.exp(-0.1) / (math.exp(0.7) + math.exp(-0.1))  # 0.31003
    assert plain(rule.factors[0].symbol) == "dR/dz(1)_2"
    assert rule.factors[0].value == pytest.approx(a2 - 1.0, rel=1e-12)
    assert plain(rule.factors[0].meaning) == "softmax with cross-entropy: a - y = 0.3100 - 1"
    assert plain(rule.factors[0].expression) == "(0.3100 - 1)"


def test_chain_rule_for_output_layer_and_bias(lecture):
    rule = chain_rule(lecture_network(), lecture, "b(2)[1]", 1)
    assert [f.value for f in rule.factors] == pytest.approx(
        [-2 * lecture.residual[1, 0], 1.0, 1.0])
    assert rule.total == pytest.approx(lecture.per_obs_grad[1, 8], rel=1e-14)
    rule_in = chain_rule(lecture_network(), LECTURE_INPUTS, "w(2)[1,2]", 0,
                         targets=LECTURE_TARGETS)
    assert rule_in.total == pytest.approx(lecture.per_obs_grad[0, 7], rel=1e-14)


def test_lecture_finite_difference_check():
    check = finite_difference_check(lecture_network(), LECTURE_INPUTS, LECTURE_TARGETS)
    assert check.names[0] == "w(1)[1,1]"
    assert check.max_rel_error < 1e-7
    np.testing.assert_allclose(check.numeric, check.backprop, rtol=1e-7)


def test_finite_difference_check_of_chosen_parameters():
    check = finite_difference_check(lecture_network(), LECTURE_INPUTS, LECTURE_TARGETS,
                                    names=["b(2)[1]", "w(1)[2,2]"])
    full = finite_difference_check(lecture_network(), LECTURE_INPUTS, LECTURE_TARGETS)
    assert check.names == ["b(2)[1]", "w(1)[2,2]"]
    np.testing.assert_array_equal(check.backprop, full.backprop[[8, 4]])
    np.testing.assert_array_equal(check.numeric, full.numeric[[8, 4]])


def test_record_is_read_only_and_hot_path_agrees(lecture):
    with pytest.raises(ValueError):
        lecture.gradient[0] = 0.0
    with pytest.raises(ValueError):
        lecture.z[1][0, 0] = 0.0
    with pytest.raises(ValueError):
        lecture.sensitivities[0, 0, 0] = 0.0
    loss, grad = loss_and_gradient(lecture_network(), LECTURE_INPUTS, LECTURE_TARGETS)
    assert loss == lecture.loss
    np.testing.assert_array_equal(grad, lecture.gradient)
    np.testing.assert_array_equal(forward(lecture_network(), LECTURE_INPUTS).output,
                                  lecture.output)
    np.testing.assert_array_equal(predict(lecture_network(), LECTURE_INPUTS), lecture.output)


def test_overflow_is_reported_not_raised():
    net = lecture_network().with_param("w(2)[1,1]", 1e300).with_param("b(2)[1]", 1e300)
    rec = backward(net, LECTURE_INPUTS, LECTURE_TARGETS)
    assert not rec.finite


# ------------------------------------------------------------------ random networks

@st.composite
def problems(draw):
    depth = draw(st.integers(1, 4))
    widths = [draw(st.integers(1, 6)) for _ in range(depth - 1)]
    inputs = draw(st.integers(1, 3))
    loss = draw(st.sampled_from(LOSS_NAMES))
    acts = [draw(st.sampled_from(HIDDEN_ACTIVATION_NAMES)) for _ in widths]
    if loss == "cross_entropy":
        out_act, n_out = "softmax", draw(st.integers(2, 4))
    elif loss == "binary_cross_entropy":
        out_act, n_out = "sigmoid", draw(st.integers(1, 3))
    else:
        out_act, n_out = draw(st.sampled_from(HIDDEN_ACTIVATION_NAMES)), draw(st.integers(1, 3))
    n_obs = draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2 ** 32 - 1)))
    net = glorot(inputs, widths + [n_out], acts + [out_act], rng)
    net = net.with_theta(rng.uniform(-1.0, 1.0, size=net.n_params))
    X = rng.uniform(-2.0, 2.0, size=(n_obs, inputs))
    if loss == "cross_entropy":
        Y = rng.integers(0, n_out, size=n_obs)
    elif loss == "binary_cross_entropy":
        Y = rng.uniform(0.0, 1.0, size=(n_obs, n_out)).round()
    else:
        Y = rng.uniform(-1.0, 1.0, size=(n_obs, n_out))
    return net, X, Y, loss


def _away_from_kinks(net, X):
    fwd = forward(net, X)
    for l, act in enumerate(net.activations, start=1):
        if act in ("relu", "leaky_relu") and np.min(np.abs(fwd.z[l])) < 1e-3:
            return False
    return True


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_backprop_matches_central_differences(problem):
    net, X, Y, loss = problem
    assume(_away_from_kinks(net, X))
    check = finite_difference_check(net, X, Y, loss, h=1e-5)
    assert check.max_rel_error < 1e-6, (check.names, check.rel_error)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems(), st.data())
def test_chain_rule_paths_sum_to_the_gradient_entry(problem, data):
    net, X, Y, loss = problem
    rec = backward(net, X, Y, loss)
    np.testing.assert_allclose(rec.per_obs_grad.sum(axis=0), rec.gradient, rtol=1e-10,
                               atol=1e-12)
    name = data.draw(st.sampled_from(net.param_names()))
    obs = data.draw(st.integers(0, rec.n_obs - 1))
    rule = chain_rule(net, rec, name, obs)
    expected = rec.per_obs_grad[obs, net.param_index(name)]
    assert rule.total == pytest.approx(expected, rel=1e-8, abs=1e-12)
    assert math.fsum(rule.path_values) == pytest.approx(rule.total, rel=1e-12, abs=1e-15)
    widths_after = net.sizes[net.param_ref(name).layer + 1:]
    assert len(rule.paths) == math.prod(widths_after)
    for path, value in zip(rule.paths, rule.path_values):
        assert math.prod(f.value for f in path) == pytest.approx(value, rel=1e-12, abs=1e-300)
    d, a = rule.delta_form
    assert d.value * a.value == pytest.approx(expected, rel=1e-12, abs=1e-15)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_sensitivities_match_central_differences_of_the_output(problem):
    net, X, Y, loss = problem
    assume(_away_from_kinks(net, X))
    rec = backward(net, X, Y, loss)
    theta = net.theta()
    h = 1e-6
    for p in range(net.n_params):
        up, down = theta.copy(), theta.copy()
        up[p] += h
        down[p] -= h
        numeric = (predict(net, X, up) - predict(net, X, down)) / (2 * h)
        np.testing.assert_allclose(rec.sensitivities[:, :, p], numeric, rtol=1e-5, atol=1e-7)
