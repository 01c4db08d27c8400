"""Network: lecture parameter names and order, flat vector, editors, Glorot initialisation."""

import numpy as np
import pytest

from engine.network import (Layer, Network, NetworkError, glorot, lecture_network,
                            parse_param_name)

LECTURE_NAMES = ["w(1)[1,1]", "w(1)[1,2]", "b(1)[1]", "w(1)[2,1]", "w(1)[2,2]", "b(1)[2]",
                 "w(2)[1,1]", "w(2)[1,2]", "b(2)[1]"]


def _net_3_4_2_1():
    return glorot(3, [4, 2, 1], ["tanh", "relu", "identity"], np.random.default_rng(5))


def test_lecture_order_and_values():
    net = lecture_network()
    assert net.param_names() == LECTURE_NAMES
    np.testing.assert_array_equal(net.theta(), [0.2, 0.4, 0.1, 0.3, 0.5, 0.6, 0.6, 0.2, 0.4])
    assert net.sizes == (2, 2, 1)
    assert net.n_params == 9
    assert net.param("w(1)[2,1]") == 0.3
    assert net.param("b(2)[1]") == 0.4


def test_index_name_and_position_agree_everywhere():
    net = _net_3_4_2_1()
    names = net.param_names()
    assert len(names) == net.n_params == len(set(names))
    theta = net.theta()
    for i, name in enumerate(names):
        assert net.param_index(name) == i
        assert net.param_ref_at(i).name == name
        assert net.param(name) == theta[i]
    # w(l)[j,k] is W[j-1, k-1] of layer l
    assert net.param("w(2)[2,3]") == net.layers[1].W[1, 2]
    assert net.param("b(1)[4]") == net.layers[0].b[3]


def test_with_theta_round_trips_and_does_not_alias():
    net = _net_3_4_2_1()
    theta = np.arange(net.n_params, dtype=float) / 10
    other = net.with_theta(theta)
    np.testing.assert_array_equal(other.theta(), theta)
    theta[0] = 99.0
    assert other.theta()[0] == 0.0
    assert net.with_theta(net.theta()) == net
    with pytest.raises(NetworkError, match=f"expected {net.n_params} values"):
        net.with_theta(np.zeros(3))


def test_arrays_are_read_only():
    net = lecture_network()
    with pytest.raises(ValueError):
        net.layers[0].W[0, 0] = 1.0
    theta = net.theta()
    theta[0] = 5.0  # theta() is a fresh copy the caller may change
    assert net.param("w(1)[1,1]") == 0.2


@pytest.mark.parametrize("text,kind,layer,j,k", [
    ("w(2)[1,2]", "w", 2, 1, 2), ("b(1)[2]", "b", 1, 2, 0), (" w( 1 )[ 3 , 4 ] ", "w", 1, 3, 4)])
def test_parse_names(text, kind, layer, j, k):
    ref = parse_param_name(text)
    assert (ref.kind, ref.layer, ref.j, ref.k) == (kind, layer, j, k)


def test_name_errors_say_what_exists():
    net = lecture_network()
    with pytest.raises(NetworkError, match="cannot read parameter name 'w2,1'.*w\\(l\\)\\[j,k\\]"):
        net.param_index("w2,1")
    with pytest.raises(NetworkError, match="layers are numbered 1 to 2"):
        net.param_index("w(3)[1,1]")
    with pytest.raises(NetworkError, match="layer 2 has nodes 1 to 1"):
        net.param_index("b(2)[2]")
    with pytest.raises(NetworkError, match="inputs are numbered 1 to 2"):
        net.param_index("w(1)[1,3]")
    with pytest.raises(NetworkError, match="layer 1 nodes are numbered 1 to 2"):
        net.param_index("w(2)[1,5]")


def test_malformed_networks_are_rejected_with_field_messages():
    with pytest.raises(NetworkError, match=r"network.layers\[1\].weights: expected 1x2, got 1x3"):
        Network(2, [Layer(2, "sigmoid", np.zeros((2, 2)), np.zeros(2)),
                    Layer(1, "identity", np.zeros((1, 3)), np.zeros(1))])
    with pytest.raises(NetworkError, match="biases: expected 2, got 3"):
        Layer(2, "sigmoid", np.zeros((2, 2)), np.zeros(3))
    with pytest.raises(NetworkError, match="softmax is for the output layer only"):
        Network(2, [Layer(2, "softmax", np.zeros((2, 2)), np.zeros(2)),
                    Layer(1, "identity", np.zeros((1, 2)), np.zeros(1))])
    with pytest.raises(NetworkError, match="finite"):
        Layer(1, "identity", np.array([[np.inf]]), np.zeros(1))
    with pytest.raises(ValueError, match="unknown activation 'gelu'"):
        Layer(1, "gelu", np.zeros((1, 1)), np.zeros(1))


def test_glorot_limits_zero_biases_and_seed():
    net = glorot(2, [8, 3], ["sigmoid", "identity"], np.random.default_rng(1))
    again = glorot(2, [8, 3], ["sigmoid", "identity"], np.random.default_rng(1))
    assert net == again
    assert net != glorot(2, [8, 3], ["sigmoid", "identity"], np.random.default_rng(2))
    for layer, (fan_in, fan_out) in zip(net.layers, [(2, 8), (8, 3)]):
        assert np.all(np.abs(layer.W) <= np.sqrt(6 / (fan_in + fan_out)))
        assert np.all(layer.b == 0)
    assert net.sizes == (2, 8, 3)


def test_edit_parameter_and_activation():
    net = lecture_network()
    edited = net.with_param("w(2)[1,2]", -1.5)
    assert edited.param("w(2)[1,2]") == -1.5
    assert net.param("w(2)[1,2]") == 0.2
    assert np.count_nonzero(edited.theta() != net.theta()) == 1
    assert net.with_activation(1, "tanh").activations == ("tanh", "identity")
    with pytest.raises(NetworkError, match="finite"):
        net.with_param("b(1)[1]", float("nan"))


def test_add_and_remove_hidden_layer():
    net = lecture_network()
    bigger = net.with_hidden_layer_added(2, 3, "relu")
    assert bigger.sizes == (2, 2, 3, 1)
    assert bigger.activations == ("sigmoid", "relu", "identity")
    np.testing.assert_array_equal(bigger.layers[0].W, net.layers[0].W)
    np.testing.assert_array_equal(bigger.layers[2].b, net.layers[1].b)
    back = bigger.with_layer_removed(2)
    assert back.sizes == (2, 2, 1)
    with pytest.raises(NetworkError, match="only hidden layers"):
        net.with_layer_removed(2)
    with pytest.raises(NetworkError, match="inserted as layer 1 to 2"):
        net.with_hidden_layer_added(3, 2)


def test_add_and_remove_nodes():
    net = lecture_network()
    wider = net.with_node_added(1)
    assert wider.sizes == (2, 3, 1)
    np.testing.assert_array_equal(wider.layers[0].W[:2], net.layers[0].W)
    np.testing.assert_array_equal(wider.layers[1].W[:, :2], net.layers[1].W)
    assert wider.layers[0].b[2] == 0.0
    narrower = net.with_node_removed(1, 1)
    assert narrower.sizes == (2, 1, 1)
    np.testing.assert_array_equal(narrower.layers[0].W, [[0.3, 0.5]])
    np.testing.assert_array_equal(narrower.layers[1].W, [[0.2]])
    with pytest.raises(NetworkError, match="only one node"):
        narrower.with_node_removed(1, 1)
    with pytest.raises(NetworkError, match="layer 1 has nodes 1 to 2, got 3"):
        net.with_node_removed(1, 3)


def test_to_dict_uses_scenario_layout():
    d = lecture_network().to_dict()
    assert d["inputs"] == 2
    assert d["layers"][0] == {"units": 2, "activation": "sigmoid",
                              "weights": [[0.2, 0.4], [0.3, 0.5]], "biases": [0.1, 0.6]}
    assert d["layers"][1]["weights"] == [[0.6, 0.2]]


def test_with_inputs_redraws_first_layer_only():
    net = lecture_network()
    three = net.with_inputs(3)
    assert three.sizes == (3, 2, 1)
    assert three.layers[1] == net.layers[1]
    assert net.with_inputs(2) is net


def test_split_params_gives_per_layer_views():
    net = lecture_network()
    Ws, bs = net.split_params(net.theta())
    np.testing.assert_array_equal(Ws[0], [[0.2, 0.4], [0.3, 0.5]])
    np.testing.assert_array_equal(bs[0], [0.1, 0.6])
    np.testing.assert_array_equal(Ws[1], [[0.6, 0.2]])
    np.testing.assert_array_equal(bs[1], [0.4])
    g = np.arange(9.0)
    gW, gb = net.split_params(g)
    np.testing.assert_array_equal(gW[0], [[0.0, 1.0], [3.0, 4.0]])
    np.testing.assert_array_equal(gb[0], [2.0, 5.0])
    np.testing.assert_array_equal(gW[1], [[6.0, 7.0]])
    np.testing.assert_array_equal(gb[1], [8.0])
    assert all(np.shares_memory(a, g) for a in gW + gb)  # views, not copies
    with pytest.raises(NetworkError, match="theta: expected 9 values"):
        net.split_params(np.zeros(8))


def test_with_hidden_layers_edits_in_the_single_step_order():
    net = lecture_network()
    got = net.with_hidden_layers([(3, "tanh"), (1, "relu")], np.random.default_rng(2))
    rng = np.random.default_rng(2)
    want = net.with_hidden_layer_added(2, 1, "relu", rng)
    want = want.with_node_added(1, rng).with_activation(1, "tanh")
    assert got == want
    assert got.sizes == (2, 3, 1, 1) and got.activations == ("tanh", "relu", "identity")
    np.testing.assert_array_equal(got.layers[0].W[:2], [[0.2, 0.4], [0.3, 0.5]])  # kept
    fewer = got.with_hidden_layers([(2, "sigmoid")], np.random.default_rng(3))
    rng = np.random.default_rng(3)
    assert fewer == got.with_layer_removed(2, rng).with_node_removed(1, 3).with_activation(1, "sigmoid")
    assert net.with_hidden_layers([(2, "sigmoid")]) == net


def test_with_architecture_redraws_the_output_layer_only_when_its_size_changes():
    net = lecture_network()
    same = net.with_architecture([(3, "tanh")], 1, "sigmoid", np.random.default_rng(4))
    rng = np.random.default_rng(4)
    assert same == net.with_node_added(1, rng).with_activation(1, "tanh").with_activation(2, "sigmoid")
    wider = net.with_architecture([(2, "sigmoid")], 3, "softmax", np.random.default_rng(4))
    assert wider.layers[0] == net.layers[0] and wider.layers[1].activation == "softmax"
    assert wider == net.with_fresh_output_layer(3, "softmax", np.random.default_rng(4))


def test_with_fresh_output_layer_draws_like_glorot():
    net = lecture_network()
    got = net.with_fresh_output_layer(3, "softmax", np.random.default_rng(5))
    rng = np.random.default_rng(5)
    rng.uniform(-np.sqrt(6 / 4), np.sqrt(6 / 4), size=(2, 2))      # layer 1's draw, not used
    W = rng.uniform(-np.sqrt(6 / 5), np.sqrt(6 / 5), size=(3, 2))  # fan_in 2, fan_out 3
    assert got.layers[0] == net.layers[0]
    assert got.layers[1].activation == "softmax"
    np.testing.assert_array_equal(got.layers[1].W, W)
    np.testing.assert_array_equal(got.layers[1].b, np.zeros(3))


def test_with_glorot_weights_redraws_everything():
    net = lecture_network()
    got = net.with_glorot_weights(np.random.default_rng(7))
    rng = np.random.default_rng(7)
    W1 = rng.uniform(-np.sqrt(6 / 4), np.sqrt(6 / 4), size=(2, 2))
    W2 = rng.uniform(-np.sqrt(6 / 3), np.sqrt(6 / 3), size=(1, 2))
    assert got.sizes == net.sizes and got.activations == net.activations
    np.testing.assert_array_equal(got.layers[0].W, W1)
    np.testing.assert_array_equal(got.layers[1].W, W2)
    np.testing.assert_array_equal(got.layers[0].b, [0.0, 0.0])
    np.testing.assert_array_equal(got.layers[1].b, [0.0])
