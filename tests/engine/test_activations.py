"""Activations: each derivative against central finite differences; stability at |z| = 1e3."""

import warnings

import numpy as np
import pytest

from engine.activations import (ACTIVATION_NAMES, ActivationError, HIDDEN_ACTIVATION_NAMES,
                                LEAKY_SLOPE, get_activation)

RNG = np.random.default_rng(7)
# keep away from the relu / leaky_relu kink at 0 so that central differences are smooth
Z = RNG.uniform(0.05, 3.0, size=(6, 4)) * RNG.choice([-1.0, 1.0], size=(6, 4))


@pytest.mark.parametrize("name", HIDDEN_ACTIVATION_NAMES)
def test_derivative_matches_central_differences(name):
    act = get_activation(name)
    h = 1e-6
    numeric = (act(Z + h) - act(Z - h)) / (2 * h)
    analytic = act.grad(Z, act(Z))
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-9)


# da/dz written from each definition, independent of engine/activations.py
BY_HAND = {
    "identity": lambda z: np.ones_like(z),
    "sigmoid": lambda z: np.exp(-z) / (1.0 + np.exp(-z)) ** 2,
    "tanh": lambda z: 1.0 / np.cosh(z) ** 2,
    "relu": lambda z: np.where(z > 0, 1.0, 0.0),
    "leaky_relu": lambda z: np.where(z > 0, 1.0, 0.01),
    "softplus": lambda z: 1.0 / (1.0 + np.exp(-z)),
}
# both sides of relu's kink, the steep middle of sigmoid/tanh and their flattening tails
POINTS = np.array([[-4.0, -1.3, -0.4, -0.02], [0.02, 0.4, 1.3, 4.0]])


@pytest.mark.parametrize("name", HIDDEN_ACTIVATION_NAMES)
def test_derivative_matches_the_formula_by_hand(name):
    act = get_activation(name)
    np.testing.assert_allclose(act.grad(POINTS, act(POINTS)), BY_HAND[name](POINTS), rtol=1e-12,
                               atol=1e-15)


@pytest.mark.parametrize("name", HIDDEN_ACTIVATION_NAMES)
def test_vjp_is_upstream_times_an_independent_derivative(name):
    # dR/dz = dR/da * da/dz elementwise, with da/dz from central differences and by hand
    act = get_activation(name)
    g = RNG.normal(size=Z.shape)
    h = 1e-6
    numeric = (act(Z + h) - act(Z - h)) / (2 * h)
    np.testing.assert_allclose(act.vjp(Z, act(Z), g), g * numeric, rtol=1e-7, atol=1e-9)
    gp = RNG.normal(size=POINTS.shape)
    np.testing.assert_allclose(act.vjp(POINTS, act(POINTS), gp), gp * BY_HAND[name](POINTS),
                               rtol=1e-12, atol=1e-15)


def test_known_values():
    z = np.array([-1.0, 0.0, 2.0])
    np.testing.assert_allclose(get_activation("sigmoid")(z), 1 / (1 + np.exp(-z)), rtol=1e-15)
    np.testing.assert_allclose(get_activation("relu")(z), [0.0, 0.0, 2.0])
    np.testing.assert_allclose(get_activation("leaky_relu")(z), [-LEAKY_SLOPE, 0.0, 2.0])
    np.testing.assert_allclose(get_activation("softplus")(z), np.log1p(np.exp(z)), rtol=1e-15)
    np.testing.assert_allclose(get_activation("tanh")(z), np.tanh(z))
    np.testing.assert_allclose(get_activation("identity")(z), z)
    assert get_activation("sigmoid").grad(np.array([0.0]), np.array([0.5]))[0] == 0.25


@pytest.mark.parametrize("name", ["sigmoid", "softplus", "tanh", "softmax"])
def test_extreme_inputs_do_not_overflow(name):
    act = get_activation(name)
    z = np.array([[-1e3, -50.0, 0.0, 50.0, 1e3]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
            a = act(z)
            d = act.grad(z, a)
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(d))
    if name == "sigmoid":
        assert a[0, 0] == 0.0 and a[0, -1] == 1.0
    if name == "softplus":
        assert a[0, 0] == 0.0 and a[0, -1] == 1e3
    if name == "softmax":
        np.testing.assert_allclose(a.sum(axis=1), 1.0)
        assert a[0, -1] == 1.0


def test_softmax_jacobian_and_vjp_match_finite_differences():
    act = get_activation("softmax")
    z = RNG.normal(size=(3, 4))
    a = act(z)
    h = 1e-6
    jac = np.empty((3, 4, 4))
    for q in range(4):
        dz = np.zeros_like(z)
        dz[:, q] = h
        jac[:, :, q] = (act(z + dz) - act(z - dz)) / (2 * h)
    np.testing.assert_allclose(act.grad(z, a), jac, atol=1e-9)
    g = RNG.normal(size=(3, 4))
    np.testing.assert_allclose(act.vjp(z, a, g), np.einsum("nk,nkq->nq", g, jac), atol=1e-9)
    assert not act.elementwise


def test_unknown_name_lists_allowed_names():
    with pytest.raises(ActivationError) as err:
        get_activation("swish")
    message = str(err.value)
    assert "'swish'" in message
    for name in ACTIVATION_NAMES:
        assert name in message


def test_in_place_output_matches_fresh_result():
    for name in ACTIVATION_NAMES:
        act = get_activation(name)
        out = np.empty_like(Z)
        np.testing.assert_array_equal(act.fn(Z, out=out), act.fn(Z))
