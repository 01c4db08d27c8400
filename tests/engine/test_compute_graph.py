"""One observation's computational graph: values, adjoints and local derivatives, checked by hand
(lecture 10's numbers) and by central differences; the factors' edges multiply to the factors."""

import numpy as np
import pytest

from engine.chain_rule import chain_rule
from engine.compute_graph import R_KEY, compute_graph, factor_edges, factor_value
from engine.network import Layer, Network
from engine.presets import folder
from engine.scenario import load_scenario
from engine.scenario_builders import build_training_session


def lecture_after(phases: int):
    s = build_training_session(load_scenario(folder() / "lecture-backprop.json"))
    for _ in range(phases):
        s.step_phase()
    return s


def test_the_lecture_graph_after_observation_1s_backward_pass():
    s = lecture_after(5)
    g = compute_graph(s.network_at(), s.partial(), 0, "w(1)[1,1]", "sse")
    assert g.node(("z", 1, 1)).value == pytest.approx(-0.1)
    assert g.node(("a", 1, 1)).value == pytest.approx(0.4750, abs=5e-5)
    assert g.node(("a", 2, 1)).value == pytest.approx(0.8095, abs=5e-5)
    # adjoints by hand: dR/da(2) = -2(1.2 - 0.8095); dR/da(1)_1 = that * 0.6; dR/dz(1)_1 = * 0.2494
    assert g.node(("a", 2, 1)).adjoint == pytest.approx(-2 * (1.2 - 0.80950435), abs=1e-6)
    assert g.node(("a", 1, 1)).adjoint == pytest.approx(-0.78099 * 0.6, abs=1e-4)
    assert g.node(("z", 1, 1)).adjoint == pytest.approx(-0.78099 * 0.6 * 0.24938, abs=1e-4)
    assert g.edge(("z", 1, 1), ("a", 1, 1)).value == pytest.approx(0.24938, abs=1e-5)
    assert g.edge(("x", 0, 2), ("z", 1, 1)).value == 0.4        # w(1)[1,2]
    assert g.edge(("theta", 1, 1), ("z", 1, 1)).value == 3.0    # dz/dw = x_1
    assert g.path_edges == {(("theta", 1, 1), ("z", 1, 1)), (("z", 1, 1), ("a", 1, 1)),
                            (("a", 1, 1), ("z", 2, 1)), (("z", 2, 1), ("a", 2, 1)), (("a", 2, 1), R_KEY)}


def test_adjoints_appear_right_to_left_as_the_phases_compute_them():
    g = compute_graph(*(lambda s: (s.network_at(), s.partial()))(lecture_after(3)), 0)
    assert all(n.adjoint is None for n in g.nodes if n.key[0] in ("z", "a"))
    assert g.node(R_KEY).value is not None
    g = compute_graph(*(lambda s: (s.network_at(), s.partial()))(lecture_after(4)), 0)
    assert g.node(("z", 2, 1)).adjoint is not None and g.node(("a", 1, 1)).adjoint is not None
    assert g.node(("z", 1, 1)).adjoint is None
    g = compute_graph(*(lambda s: (s.network_at(), s.partial()))(lecture_after(1)), 0)
    assert g.node(("z", 1, 1)).value is not None and g.node(("z", 2, 1)).value is None


def random_net(rng, sizes, act):
    layers = tuple(Layer(sizes[l], act if l < len(sizes) - 1 else "identity",
                         rng.normal(size=(sizes[l], sizes[l - 1])), rng.normal(size=sizes[l]))
                   for l in range(1, len(sizes)))
    return Network(sizes[0], layers)


@pytest.mark.parametrize("sizes, act", [((2, 3, 1), "tanh"), ((3, 2, 2, 1), "sigmoid"), ((2, 2, 2), "softplus")])
def test_adjoints_equal_central_differences_and_factors_multiply_along_their_edges(sizes, act):
    from engine.backprop import backward
    from engine.phases import partial_state

    rng = np.random.default_rng(3)
    net = random_net(rng, sizes, act)
    X, Y = rng.normal(size=(2, sizes[0])), rng.normal(size=(2, sizes[-1]))
    rec = backward(net, X, Y, "sse")
    n_phases = 2 * (2 * net.depth + 1) + 1
    part = partial_state(0, n_phases - 1, n_phases, rec)
    name = "w(1)[1,2]"
    g = compute_graph(net, part, 0, name, "sse")

    def loss_with(layer, kind, j, eps):
        a = X[0]
        for l, lay in enumerate(net.layers, start=1):
            z = lay.W @ a + lay.b
            if (kind, l) == ("z", layer):
                z = z + eps * np.eye(len(z))[j - 1]
            from engine.activations import get_activation
            a = get_activation(lay.activation).fn(z[None, :])[0]
            if (kind, l) == ("a", layer):
                a = a + eps * np.eye(len(a))[j - 1]
        return float(np.sum((Y[0] - a) ** 2))

    for n in g.nodes:
        if n.key[0] in ("z", "a"):
            kind, l, j = n.key
            fd = (loss_with(l, kind, j, 1e-6) - loss_with(l, kind, j, -1e-6)) / 2e-6
            assert n.adjoint == pytest.approx(fd, rel=1e-6, abs=1e-8), n.key
    cr = chain_rule(net, rec, name, 0)
    for path in cr.paths:
        for f in path:
            edges = factor_edges(f.symbol, g.path_edges)
            assert edges <= g.path_edges
            assert factor_value(g, edges) == pytest.approx(f.value, rel=1e-12, abs=1e-15)
    delta, dz = cr.delta_form
    assert factor_value(g, factor_edges(dz.symbol, g.path_edges)) == pytest.approx(dz.value)
