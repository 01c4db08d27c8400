"""Losses: values by hand, derivatives against central differences, target handling."""

import numpy as np
import pytest

from engine.losses import (LOSS_NAMES, LossError, accuracy, check_pairing, class_labels, class_probabilities,
                           get_loss, output_units, paired_output_activation, prepare_targets, residual)

RNG = np.random.default_rng(3)


def _outputs_targets(name):
    if name == "cross_entropy":
        z = RNG.normal(size=(5, 3))
        a = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
        y = np.eye(3)[RNG.integers(0, 3, size=5)]
    elif name == "binary_cross_entropy":
        a = RNG.uniform(0.05, 0.95, size=(5, 2))
        y = RNG.integers(0, 2, size=(5, 2)).astype(float)
    else:
        a = RNG.normal(size=(5, 2))
        y = RNG.normal(size=(5, 2))
    return a, y


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_gradient_matches_central_differences(name):
    loss = get_loss(name)
    a, y = _outputs_targets(name)
    h = 1e-6
    numeric = np.empty_like(a)
    for idx in np.ndindex(a.shape):
        up, down = a.copy(), a.copy()
        up[idx] += h
        down[idx] -= h
        numeric[idx] = (loss.value(up, y) - loss.value(down, y)) / (2 * h)
    np.testing.assert_allclose(loss.grad(a, y), numeric, rtol=1e-6, atol=1e-8)


# R_i per observation, written from the module's definitions (n = 5 observations)
PER_OBS_BY_HAND = {
    "sse": lambda a, y: np.sum((y - a) ** 2, axis=1),
    "half_sse": lambda a, y: 0.5 * np.sum((y - a) ** 2, axis=1),
    "mse": lambda a, y: np.sum((y - a) ** 2, axis=1) / a.size,
    "cross_entropy": lambda a, y: -np.sum(y * np.log(a), axis=1),
    "binary_cross_entropy": lambda a, y: -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a), axis=1),
}


@pytest.mark.parametrize("name", LOSS_NAMES)
def test_value_is_sum_of_per_observation_losses(name):
    loss = get_loss(name)
    a, y = _outputs_targets(name)
    per = loss.per_obs(a, y)
    assert per.shape == (5,)
    np.testing.assert_allclose(per, PER_OBS_BY_HAND[name](a, y), rtol=1e-13)
    assert loss.value(a, y) == pytest.approx(PER_OBS_BY_HAND[name](a, y).sum(), rel=1e-13)


def test_values_by_hand_on_the_lecture_outputs():
    a = np.array([[0.8095], [0.8827]])
    y = np.array([[1.2], [0.7]])
    sse = (1.2 - 0.8095) ** 2 + (0.7 - 0.8827) ** 2
    assert get_loss("sse").value(a, y) == pytest.approx(sse, rel=1e-14)
    assert get_loss("half_sse").value(a, y) == pytest.approx(sse / 2, rel=1e-14)
    assert get_loss("mse").value(a, y) == pytest.approx(sse / 2, rel=1e-14)
    np.testing.assert_allclose(residual(a, y), [[0.3905], [-0.1827]], atol=1e-12)
    np.testing.assert_allclose(get_loss("sse").grad(a, y), -2 * (y - a))


def test_cross_entropies_by_hand():
    a = np.array([[0.7, 0.2, 0.1]])
    y = np.array([[0.0, 1.0, 0.0]])
    assert get_loss("cross_entropy").value(a, y) == pytest.approx(-np.log(0.2))
    p = np.array([[0.9], [0.2]])
    t = np.array([[1.0], [0.0]])
    assert get_loss("binary_cross_entropy").value(p, t) == pytest.approx(
        -np.log(0.9) - np.log(0.8))


def test_binary_cross_entropy_is_finite_at_saturated_outputs():
    loss = get_loss("binary_cross_entropy")
    a = np.array([[0.0], [1.0]])
    y = np.array([[1.0], [0.0]])
    with np.errstate(all="raise"):
        value = loss.value(a, y)
        grad = loss.grad(a, y)
    assert np.isfinite(value) and value > 30
    assert np.all(np.isfinite(grad))


def test_contribution_factors():
    assert get_loss("sse").contribution_factor(2, 1) == 2.0
    assert get_loss("half_sse").contribution_factor(2, 1) == 1.0
    assert get_loss("mse").contribution_factor(4, 2) == 0.25
    assert get_loss("cross_entropy").contribution_factor(4, 2) is None


def test_class_indices_become_one_hot_rows():
    y = prepare_targets("cross_entropy", np.array([2, 0, 1]), 3)
    np.testing.assert_array_equal(y, np.eye(3)[[2, 0, 1]])
    y2 = prepare_targets("cross_entropy", np.array([[2], [0]]), 3)
    np.testing.assert_array_equal(y2, np.eye(3)[[2, 0]])
    onehot = np.eye(3)[[1, 1]]
    np.testing.assert_array_equal(prepare_targets("cross_entropy", onehot, 3), onehot)


def test_target_errors_name_the_problem():
    with pytest.raises(LossError, match="class index 3 out of range.*0..2"):
        prepare_targets("cross_entropy", np.array([0, 3]), 3)
    with pytest.raises(LossError, match="class indices"):
        prepare_targets("cross_entropy", np.array([0.5, 1.0]), 3)
    with pytest.raises(LossError, match="expected 2 columns.*got 3"):
        prepare_targets("sse", np.zeros((4, 3)), 2)
    with pytest.raises(LossError, match="finite"):
        prepare_targets("sse", np.array([1.0, np.nan]), 1)
    assert prepare_targets("sse", np.array([1.0, 2.0]), 1).shape == (2, 1)


def test_unknown_loss_and_pairing_messages():
    with pytest.raises(LossError, match="unknown loss 'l1'.*sse.*binary_cross_entropy"):
        get_loss("l1")
    with pytest.raises(LossError, match="cross_entropy needs a softmax output layer, got identity"):
        check_pairing("cross_entropy", "identity")
    with pytest.raises(LossError, match="softmax output layer needs the cross_entropy"):
        check_pairing("sse", "softmax")
    with pytest.raises(LossError, match="binary_cross_entropy needs a sigmoid"):
        check_pairing("binary_cross_entropy", "relu")
    check_pairing("sse", "tanh")


@pytest.mark.parametrize("name, output_activation, classifies, class_indices", [
    ("sse", None, False, False),
    ("mse", None, False, False),
    ("half_sse", None, False, False),
    ("cross_entropy", "softmax", True, True),
    ("binary_cross_entropy", "sigmoid", True, False),
])
def test_each_loss_carries_its_rules(name, output_activation, classifies, class_indices):
    loss = get_loss(name)
    assert (loss.output_activation, loss.classifies, loss.class_indices) == \
        (output_activation, classifies, class_indices)


def test_a_new_loss_brings_the_output_it_needs():
    assert paired_output_activation("cross_entropy", "identity") == "softmax"
    assert paired_output_activation("binary_cross_entropy", "tanh") == "sigmoid"
    assert paired_output_activation("sse", "softmax") == "identity"
    assert paired_output_activation("mse", "tanh") == "tanh"
    assert paired_output_activation("half_sse", "sigmoid") == "sigmoid"


def test_output_units_from_loss_and_targets():
    labels = np.array([[0.0], [2.0], [1.0], [2.0]])
    assert output_units("cross_entropy", labels) == 3          # classes 0, 1, 2
    assert output_units("cross_entropy", np.eye(4)[[0, 3]]) == 4  # one-hot columns
    assert output_units("binary_cross_entropy", np.array([[0.0], [1.0]])) == 1
    assert output_units("binary_cross_entropy", np.zeros((3, 2))) == 1
    assert output_units("sse", np.zeros((5, 2))) == 2
    assert output_units("mse", np.array([1.0, 2.0])) == 1
    assert output_units(get_loss("half_sse"), np.zeros((2, 3))) == 3


def test_class_labels_and_probabilities():
    np.testing.assert_array_equal(class_labels(np.array([[0.2, 0.7, 0.1], [0.5, 0.1, 0.4]])), [1, 0])
    np.testing.assert_array_equal(class_labels(np.array([[0.49], [0.5], [0.9]])), [0, 1, 1])
    np.testing.assert_array_equal(class_probabilities(np.array([[0.25], [0.75]])),
                                  [[0.75, 0.25], [0.25, 0.75]])
    three = np.array([[0.2, 0.7, 0.1]])
    np.testing.assert_array_equal(class_probabilities(three), three)


def test_accuracy_counts_matching_classes():
    out = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6], [0.4, 0.5, 0.1], [0.3, 0.3, 0.4]])
    y = np.eye(3)[[0, 2, 0, 1]]
    assert accuracy(out, y) == 0.5                      # rows 1 and 2 right
    p = np.array([[0.8], [0.3], [0.6], [0.1], [0.5]])
    t = np.array([[1.0], [1.0], [0.0], [0.0], [1.0]])
    assert accuracy(p, t) == pytest.approx(3 / 5)       # 0.8 -> 1, 0.1 -> 0, 0.5 -> 1
