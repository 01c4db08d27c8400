"""The finite-difference check against a central difference written here, independent of the engine.

The reference perturbs one parameter through the public Network API (``with_param``) and
evaluates R with a forward pass written below in numpy, so a check that reported the
back-propagated value as its numeric column, or that differenced the wrong function, fails.
Large steps h make the central difference differ clearly from the true derivative, so
"numeric" cannot pass by being the gradient itself.
"""

import dataclasses

import numpy as np
import pytest

from engine.activations import ACTIVATIONS
from engine.gradient_check import finite_difference_check
from engine.network import LECTURE_INPUTS, LECTURE_TARGETS, glorot, lecture_network

X_LECTURE = np.array([[3.0, -2.0], [-1.0, 1.0]])
Y_LECTURE = np.array([[1.2], [0.7]])
#: dR/dtheta of the lecture example, to 4 decimals (R = sum of squared residuals, SPEC section 2)
LECTURE_GRADIENT = [-0.4042, 0.2873, -0.0633, -0.1258, 0.0890, -0.0211, -0.1611, -0.2341, -0.4157]

G = {
    "identity": lambda z: z,
    "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)),
    "tanh": np.tanh,
    "softmax": lambda z: np.exp(z) / np.exp(z).sum(axis=1, keepdims=True),
}


def loss_by_hand(net, X, Y, loss):
    """R for ``net`` on ``X (n, d)``, ``Y (n, n_out)``: a = g(a_prev W^T + b) layer by layer."""
    a = np.asarray(X, dtype=float)
    for layer in net.layers:
        a = G[layer.activation](a @ np.asarray(layer.W).T + np.asarray(layer.b))
    if loss == "sse":
        return float(np.sum((Y - a) ** 2))
    assert loss == "cross_entropy"
    return float(-np.sum(Y * np.log(a)))


def central_difference(net, X, Y, loss, name, h):
    """(R(theta + h e_p) - R(theta - h e_p)) / 2h, with theta_p changed through the Network API."""
    value = net.param(name)
    up = loss_by_hand(net.with_param(name, value + h), X, Y, loss)
    down = loss_by_hand(net.with_param(name, value - h), X, Y, loss)
    return (up - down) / (2 * h)


def classifier():
    rng = np.random.default_rng(21)
    net = glorot(2, [3, 2], ["tanh", "softmax"], rng)
    net = net.with_theta(rng.uniform(-1.5, 1.5, size=net.n_params))
    X = rng.uniform(-2.0, 2.0, size=(5, 2))
    Y = np.eye(2)[[0, 1, 1, 0, 1]]
    return net, X, Y


def test_the_forward_pass_written_here_gives_the_lecture_numbers():
    # guards the reference itself: R = 0.3905^2 + 0.1827^2 (SPEC section 2)
    assert loss_by_hand(lecture_network(), X_LECTURE, Y_LECTURE, "sse") == pytest.approx(
        0.3905 ** 2 + 0.1827 ** 2, abs=1e-4)


@pytest.mark.parametrize("h", [0.5, 0.1, 1e-3, 1e-6])
def test_numeric_column_is_the_central_difference_of_the_lecture_loss(h):
    net = lecture_network()
    check = finite_difference_check(net, LECTURE_INPUTS, LECTURE_TARGETS, "sse", h=h)
    expected = [central_difference(net, X_LECTURE, Y_LECTURE, "sse", name, h)
                for name in net.param_names()]
    assert check.names == net.param_names() and check.h == h
    # rounding in R, about 1e-16 R / h, bounds the difference between two honest differences
    np.testing.assert_allclose(check.numeric, expected, rtol=1e-9, atol=1e-15 / h)
    np.testing.assert_allclose(check.backprop, LECTURE_GRADIENT, atol=5e-5)
    if h >= 0.1:
        # a step this large moves the difference well away from the derivative itself
        assert np.max(np.abs(np.array(expected) - LECTURE_GRADIENT)) > 1e-3


@pytest.mark.parametrize("h", [0.3, 1e-5])
def test_numeric_column_is_the_central_difference_of_a_softmax_classifier(h):
    net, X, Y = classifier()
    names = ["w(1)[2,1]", "b(1)[3]", "w(2)[1,3]", "b(2)[2]"]
    check = finite_difference_check(net, X, np.array([0, 1, 1, 0, 1]), "cross_entropy", h=h,
                                    names=names)
    expected = [central_difference(net, X, Y, "cross_entropy", name, h) for name in names]
    assert check.names == names
    np.testing.assert_allclose(check.numeric, expected, rtol=1e-9, atol=1e-15 / h)


def test_rel_error_follows_its_definition():
    # rel = |backprop - numeric| / max(|backprop|, |numeric|, 1e-4 (1 + |R|))
    net = lecture_network()
    h = 0.2
    check = finite_difference_check(net, LECTURE_INPUTS, LECTURE_TARGETS, "sse", h=h)
    numeric = np.array([central_difference(net, X_LECTURE, Y_LECTURE, "sse", name, h)
                        for name in net.param_names()])
    bp = np.array(check.backprop)
    floor = 1e-4 * (1 + loss_by_hand(net, X_LECTURE, Y_LECTURE, "sse"))
    rel = np.abs(bp - numeric) / np.maximum(np.maximum(np.abs(bp), np.abs(numeric)), floor)
    np.testing.assert_allclose(check.rel_error, rel, rtol=1e-6, atol=1e-12)
    assert check.max_rel_error == pytest.approx(np.max(rel), rel=1e-6)
    assert check.max_rel_error > 1e-3


def test_a_wrong_derivative_in_back_propagation_is_reported(monkeypatch):
    # back propagation with sigmoid' = 1.5 a (1 - a): layer-1 gradients are 1.5 times too
    # large, layer 2 does not use sigmoid'; the forward pass (and so the numeric column) is right
    sigmoid = ACTIVATIONS["sigmoid"]
    wrong = dataclasses.replace(sigmoid, grad=lambda z, a: 1.5 * a * (1.0 - a), vjp=None)
    monkeypatch.setitem(ACTIVATIONS, "sigmoid", wrong)
    net = lecture_network()
    check = finite_difference_check(net, LECTURE_INPUTS, LECTURE_TARGETS, "sse")
    names = net.param_names()
    numeric = [central_difference(net, X_LECTURE, Y_LECTURE, "sse", name, 1e-6) for name in names]
    np.testing.assert_allclose(check.numeric, numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(check.backprop[:6], 1.5 * np.array(LECTURE_GRADIENT[:6]), atol=1e-4)
    layer1 = [i for i, name in enumerate(names) if net.param_ref(name).layer == 1]
    layer2 = [i for i, name in enumerate(names) if net.param_ref(name).layer == 2]
    assert layer1 == [0, 1, 2, 3, 4, 5] and layer2 == [6, 7, 8]
    assert np.all(check.rel_error[layer1] > 0.3)  # |1.5 g - g| / |1.5 g| = 1/3
    assert np.all(check.rel_error[layer2] < 1e-6)
    assert check.max_rel_error > 0.3


def test_a_correct_gradient_passes_the_check():
    net, X, Y = classifier()
    check = finite_difference_check(net, X, Y, "cross_entropy", h=1e-6)
    assert check.max_rel_error < 1e-7
