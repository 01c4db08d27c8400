"""The lecture-style pass (engine.lecture_backprop) against the fast kernel and the lecture's numbers."""

import numpy as np
import pytest

from engine.activations import HIDDEN_ACTIVATION_NAMES
from engine.backprop import backward
from engine.lecture_backprop import backward_pass, forward_pass
from engine.losses import LOSSES, LOSS_NAMES
from engine.network import LECTURE_INPUTS, LECTURE_TARGETS, glorot, lecture_network

#: The two arrangements of the same sums round differently in the last bits, no more.
TOL = dict(rtol=1e-10, atol=1e-12)


def _targets(loss_name: str, n_obs: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
    """Targets ``(n_obs, n_out)`` the loss reads: one-hot rows, 0/1 labels or real numbers."""
    loss = LOSSES[loss_name]
    if loss.class_indices:
        return np.eye(n_out)[rng.integers(0, n_out, size=n_obs)]
    if loss.classifies:
        return rng.integers(0, 2, size=(n_obs, n_out)).astype(float)
    return rng.normal(size=(n_obs, n_out))


def _cases() -> list[tuple[str, str, str]]:
    """(hidden activation, output activation, loss): every activation in both places, every loss."""
    cases = []
    for loss_name in LOSS_NAMES:
        paired = LOSSES[loss_name].output_activation
        outputs = [paired] if paired else list(HIDDEN_ACTIVATION_NAMES)
        for hidden in HIDDEN_ACTIVATION_NAMES:
            for output in outputs:
                cases.append((hidden, output, loss_name))
    return cases


@pytest.mark.parametrize("hidden, output, loss_name", _cases())
def test_lecture_pass_equals_the_fast_kernel(hidden: str, output: str, loss_name: str) -> None:
    rng = np.random.default_rng([len(hidden), len(output), len(loss_name)])
    n_out = 3 if output == "softmax" else 2
    net = glorot(3, [4, 3, n_out], [hidden, hidden, output], rng)
    net = net.with_theta(rng.normal(scale=0.8, size=net.n_params))
    X = rng.normal(size=(7, 3))
    Y = _targets(loss_name, 7, n_out, rng)

    fast = backward(net, X, Y, loss_name)
    plain = backward_pass(net, X, Y, loss_name)

    for l in range(1, net.depth + 1):
        np.testing.assert_allclose(plain.Z[l], fast.z[l], **TOL, err_msg=f"z({l})")
        np.testing.assert_allclose(plain.A[l], fast.a[l], **TOL, err_msg=f"a({l})")
        np.testing.assert_allclose(plain.delta[l], fast.delta[l], **TOL, err_msg=f"delta({l})")
    np.testing.assert_allclose(plain.gradient, fast.gradient, **TOL)
    assert plain.R == pytest.approx(fast.loss, rel=1e-12)


def test_gradient_blocks_are_delta_times_the_previous_activations() -> None:
    """dR/dW[l] = delta[l].T @ A[l-1] and dR/db[l] = delta[l].sum(0), in the network's theta order."""
    rng = np.random.default_rng(5)
    net = glorot(2, [3, 1], ["tanh", "identity"], rng)
    X, Y = rng.normal(size=(4, 2)), rng.normal(size=(4, 1))
    p = backward_pass(net, X, Y, "sse")
    dW, db = net.split_params(p.gradient)
    for l in (1, 2):
        np.testing.assert_array_equal(dW[l - 1], p.delta[l].T @ p.A[l - 1])
        np.testing.assert_array_equal(db[l - 1], p.delta[l].sum(axis=0))


def test_lecture_example_numbers() -> None:
    """SPEC section 2: the corrected forward values and observation 1's sensitivities."""
    net = lecture_network()
    Z, A = forward_pass(net, LECTURE_INPUTS)
    np.testing.assert_allclose(Z[1][0], [-0.1, 0.5], atol=1e-12)
    np.testing.assert_allclose(A[1][0], [0.4750, 0.6225], atol=5e-5)
    np.testing.assert_allclose(A[1][1], [0.5744, 0.6900], atol=5e-5)
    np.testing.assert_allclose(A[2][:, 0], [0.8095, 0.8827], atol=5e-5)
    np.testing.assert_allclose(LECTURE_TARGETS[:, 0] - A[2][:, 0], [0.3905, -0.1827], atol=5e-5)

    # sse on observation 1 alone: dR_1/d theta = -2 e_1 * d output/d theta
    first = backward_pass(net, LECTURE_INPUTS[:1], LECTURE_TARGETS[:1], "sse")
    e1 = float(LECTURE_TARGETS[0, 0] - first.A[2][0, 0])
    sensitivities = first.gradient / (-2.0 * e1)
    np.testing.assert_allclose(sensitivities, [0.449, -0.299, 0.150, 0.141, -0.094, 0.047, 0.475, 0.622, 1],
                               atol=6e-4)
    assert first.delta[2][0, 0] == pytest.approx(-2 * 0.3905, abs=1e-4)
