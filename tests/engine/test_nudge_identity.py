"""The nudge table's identity -grad R = c * sum_i e_i * s_i, checked against numbers made here.

Residuals e_i, sensitivities s_i = d output_i/d theta and -grad R all come from a forward
pass written below in numpy and central differences of it; the record's contribution
factor c must turn the record's contributions into that -grad R (c = 2 for sse, 1 for
half_sse, 2/(n n_out) for mse). A wrong factor in the loss registry fails here.
"""

import numpy as np
import pytest

from engine.backprop import backward
from engine.network import LECTURE_INPUTS, LECTURE_TARGETS, glorot, lecture_network

G = {"identity": lambda z: z, "sigmoid": lambda z: 1.0 / (1.0 + np.exp(-z)), "tanh": np.tanh}
LOSS = {
    "sse": lambda a, y: np.sum((y - a) ** 2),
    "half_sse": lambda a, y: 0.5 * np.sum((y - a) ** 2),
    "mse": lambda a, y: np.mean((y - a) ** 2),
}
H = 1e-6


def outputs(net, theta, X):
    """Outputs ``(n, n_out)`` of ``net`` with parameters ``theta``, layer by layer."""
    a = np.asarray(X, dtype=float)
    for layer in net.with_theta(theta).layers:
        a = G[layer.activation](a @ np.asarray(layer.W).T + np.asarray(layer.b))
    return a


def shifted(theta, p, h):
    t = np.array(theta, dtype=float)
    t[p] += h
    return t


def two_output_problem():
    rng = np.random.default_rng(13)
    net = glorot(2, [3, 2], ["tanh", "identity"], rng)
    net = net.with_theta(rng.uniform(-1.0, 1.0, size=net.n_params))
    return net, rng.uniform(-2.0, 2.0, size=(4, 2)), rng.uniform(-1.0, 1.0, size=(4, 2))


PROBLEMS = {"lecture": lambda: (lecture_network(), LECTURE_INPUTS, LECTURE_TARGETS),
            "2-3-2": two_output_problem}


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("loss", sorted(LOSS))
def test_factor_times_summed_contributions_is_minus_the_gradient(problem, loss):
    net, X, Y = PROBLEMS[problem]()
    theta = net.theta()
    e = Y - outputs(net, theta, X)                                   # (n, n_out)
    s = np.stack([(outputs(net, shifted(theta, p, H), X) - outputs(net, shifted(theta, p, -H), X))
                  / (2 * H) for p in range(net.n_params)], axis=-1)  # (n, n_out, n_params)
    neg_grad = -np.array([(LOSS[loss](outputs(net, shifted(theta, p, H), X), Y)
                           - LOSS[loss](outputs(net, shifted(theta, p, -H), X), Y)) / (2 * H)
                          for p in range(net.n_params)])
    rec = backward(net, X, Y, loss)
    np.testing.assert_allclose(rec.residual, e, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(rec.sensitivities, s, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(rec.contributions, np.einsum("ik,ikp->ip", e, s), rtol=1e-6,
                               atol=1e-8)
    factor = rec.contribution_factor
    np.testing.assert_allclose(factor * rec.contributions.sum(axis=0), neg_grad, rtol=1e-6,
                               atol=1e-8)
    np.testing.assert_allclose(rec.neg_gradient, neg_grad, rtol=1e-6, atol=1e-8)


def test_the_lecture_factor_is_two():
    # R = sum e^2, so dR/dtheta = -2 sum e_i s_i: the lecture's nudge table doubles the sum
    rec = backward(lecture_network(), LECTURE_INPUTS, LECTURE_TARGETS, "sse")
    assert rec.contribution_factor == 2.0
    np.testing.assert_allclose(rec.contributions.sum(axis=0)[8], 0.3905 - 0.1827, atol=1e-4)
    assert rec.neg_gradient[8] == pytest.approx(2 * (0.3905 - 0.1827), abs=2e-4)
