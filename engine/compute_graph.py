"""One observation's computational graph: x -> z(1) -> a(1) -> ... -> a(L) -> R, as data.

Every node has its forward value and its adjoint dR/d(node) (``None`` while the phases at the
cursor have not computed it yet, so the backward pass fills the adjoints in right to left); every
edge has its local derivative: w(l)[j,k] from a(l-1)_k (or x_k) to z(l)_j, g'(z) from z(l)_j to
a(l)_j, dR/da(L)_j into R. The selected parameter joins the graph at its node z(l)_j with the edge
dz/dθ, and ``path_edges`` are the edges its chain rule (``engine.chain_rule``) multiplies along.
The view (``gui/network/graph_view.py``) draws this; it computes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.activations import get_activation
from engine.losses import get_loss
from engine.network import Network
from engine.notation import Derivative, Symbol
from engine.phases import PartialState

#: The loss node's key.
R_KEY = ("R", 0, 1)


@dataclass(frozen=True)
class GraphNode:
    """``key`` (kind, layer, j): ``("x", 0, k)``, ``("z", l, j)``, ``("a", l, j)``, ``("R", 0, 1)``
    or ``("theta", l, j)`` for the selected parameter; ``symbol`` to show; ``column`` left to right;
    ``row`` within it; ``value`` and ``adjoint`` (dR/d node), None while not yet computed."""

    key: tuple
    symbol: Symbol
    column: int
    row: int
    value: float | None
    adjoint: float | None


@dataclass(frozen=True)
class GraphEdge:
    """From node ``src`` to node ``dst`` (keys) with its local derivative d dst / d src
    (``symbol``, ``value``; None while unknown)."""

    src: tuple
    dst: tuple
    symbol: Derivative
    value: float | None


@dataclass(frozen=True)
class ComputeGraph:
    observation: int
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]
    path_edges: frozenset
    selected: str | None

    def node(self, key: tuple) -> GraphNode:
        return next(n for n in self.nodes if n.key == key)

    def edge(self, src: tuple, dst: tuple) -> GraphEdge:
        return next(e for e in self.edges if e.src == src and e.dst == dst)


def _sym(kind: str, layer: int | None, j: int) -> Symbol:
    return Symbol(kind, layer, (j,)) if layer is not None else Symbol(kind, None, (j,))


def compute_graph(net: Network, partial: PartialState, observation: int, selected: str | None = None,
                  loss: str = "sse") -> ComputeGraph:
    """The graph of batch observation ``observation`` (0-based) with what ``partial`` knows so far."""
    i = observation
    L = net.depth
    sizes = net.sizes
    lossobj = get_loss(loss)
    acts = [None] + [get_activation(name) for name in net.activations]
    col = {("x", 0): 0}
    nodes: list[GraphNode] = []
    edges: list[GraphEdge] = []
    a_prev = partial.a(i, 0)
    dR_da = _adjoints_a(net, partial, i, lossobj)
    for k in range(1, sizes[0] + 1):
        nodes.append(GraphNode(("x", 0, k), Symbol("x", None, (k,)), 0, k - 1, float(a_prev[k - 1]),
                               None if dR_da[0] is None else float(dR_da[0][k - 1])))
    for l in range(1, L + 1):
        z, a, d = partial.z(i, l), partial.a(i, l), partial.delta(i, l)
        gp = None if z is None or not acts[l].elementwise else acts[l].grad(z, a)
        for j in range(1, sizes[l] + 1):
            nodes.append(GraphNode(("z", l, j), _sym("z", l, j), 2 * l - 1, j - 1,
                                   None if z is None else float(z[j - 1]), None if d is None else float(d[j - 1])))
            nodes.append(GraphNode(("a", l, j), _sym("a", l, j), 2 * l, j - 1,
                                   None if a is None else float(a[j - 1]),
                                   None if dR_da[l] is None else float(dR_da[l][j - 1])))
            src = ("x", 0, 0) if l == 1 else ("a", l - 1, 0)
            for k in range(1, sizes[l - 1] + 1):
                frm = (src[0], src[1], k)
                edges.append(GraphEdge(frm, ("z", l, j), Derivative(_sym("z", l, j), nodes_symbol(frm)),
                                       float(net.layers[l - 1].W[j - 1, k - 1])))
            edges.append(GraphEdge(("z", l, j), ("a", l, j), Derivative(_sym("a", l, j), _sym("z", l, j)),
                                   None if gp is None else float(gp[j - 1])))
    out = partial.output(i)
    known_R = partial.loss_of(i)
    nodes.append(GraphNode(R_KEY, Symbol("R", None, (i + 1,)), 2 * L + 1, 0, known_R, 1.0 if known_R is not None else None))
    for j in range(1, sizes[L] + 1):
        edges.append(GraphEdge(("a", L, j), R_KEY, Derivative(Symbol("R", None, (i + 1,)), _sym("a", L, j)),
                               None if dR_da[L] is None or out is None else float(dR_da[L][j - 1])))
    path: set = set()
    if selected is not None:
        ref = net.param_ref(selected)
        key = ("theta", ref.layer, ref.j)
        source = 1.0 if ref.kind == "b" else partial.a(i, ref.layer - 1)
        value = None if source is None else (1.0 if ref.kind == "b" else float(source[ref.k - 1]))
        theta = float(net.theta()[net.param_names().index(selected)])
        nodes.append(GraphNode(key, Symbol.parameter(ref), 2 * ref.layer - 1, sizes[ref.layer], theta, None))
        edges.append(GraphEdge(key, ("z", ref.layer, ref.j),
                               Derivative(_sym("z", ref.layer, ref.j), Symbol.parameter(ref)), value))
        path = _path_edges(net, key, ref.layer, ref.j)
    return ComputeGraph(i, tuple(nodes), tuple(edges), frozenset(path), selected)


def nodes_symbol(key: tuple) -> Symbol:
    kind, layer, j = key
    return Symbol("x", None, (j,)) if kind == "x" else _sym(kind, layer, j)


def _adjoints_a(net: Network, partial: PartialState, i: int, lossobj) -> list:
    """dR/da(l) per layer (index 0: the inputs) where the backward phases have reached it."""
    L = net.depth
    out: list = [None] * (L + 1)
    if partial.delta(i, L) is not None:
        rec = partial.record
        out[L] = np.asarray(lossobj.grad(rec.output, rec.targets)[i], dtype=np.float64)
    for l in range(L - 1, -1, -1):
        d_next = partial.delta(i, l + 1)
        if d_next is not None:
            out[l] = d_next @ net.layers[l].W
    return out


def _path_edges(net: Network, theta_key: tuple, layer: int, j: int) -> set:
    """Every edge on a path from the parameter's node z(layer)_j to R."""
    L = net.depth
    edges = {(theta_key, ("z", layer, j)), (("z", layer, j), ("a", layer, j))}
    frontier = {j}
    for l in range(layer + 1, L + 1):
        for q in frontier:
            for p in range(1, net.sizes[l] + 1):
                edges.add((("a", l - 1, q), ("z", l, p)))
                edges.add((("z", l, p), ("a", l, p)))
        frontier = set(range(1, net.sizes[l] + 1))
    for p in frontier if layer < L else {j}:
        edges.add((("a", L, p), R_KEY))
    return edges


def factor_edges(symbol, path_edges: frozenset = frozenset()) -> frozenset:
    """The graph edges one chain-rule factor (``engine.chain_rule.Factor.symbol``) multiplies
    along: dR/da(L)_j is the edge a(L)_j -> R; da(s)_p/da(s-1)_q = g'(z) w the two edges
    a(s-1)_q -> z(s)_p -> a(s)_p; da(l)_j/dz(l)_j the edge z -> a; dz(l)_j/dθ the parameter's
    edge; delta(l)_j (the compact form) every edge of ``path_edges`` from z(l)_j on."""
    if isinstance(symbol, Symbol) and symbol.kind == "delta":
        start = ("z", symbol.layer, symbol.index[0])
        return frozenset(e for e in path_edges if e[0][0] != "theta" and _after(e, start))
    if not isinstance(symbol, Derivative):
        return frozenset()
    num, den = symbol.num, symbol.den

    def key(s: Symbol) -> tuple:
        if s.kind == "R":
            return R_KEY
        if s.is_parameter:
            return ("theta", s.layer, s.index[0])
        if s.kind == "x" or (s.kind == "a" and s.layer == 0):
            return ("x", 0, s.index[0])
        return (s.kind, s.layer, s.index[0])

    n, d = key(num), key(den)
    if num.kind == "a" and den.kind in ("a", "x"):  # through z(s)_p
        z = ("z", num.layer, num.index[0])
        return frozenset({(d, z), (z, n)})
    if num.kind == "R" and den.kind == "z":  # softmax with cross-entropy: dR/dz(L) directly
        a = ("a", den.layer, den.index[0])
        return frozenset({(d, a), (a, n)})
    return frozenset({(d, n)})


def _after(edge: tuple, start: tuple) -> bool:
    """True when ``edge`` lies at or after node ``start`` (by layer, z before a)."""
    order = {"x": 0, "z": 1, "a": 2, "R": 3}
    (kind, layer, _j) = edge[0]
    s_kind, s_layer, _ = start
    if edge[0] == start:
        return True
    if kind == "R":
        return True
    return (layer, order[kind]) > (s_layer, order[s_kind])


def factor_value(graph: ComputeGraph, edges: frozenset) -> float | None:
    """The product of the local derivatives along ``edges`` (a factor's value), None while any is unknown."""
    value = 1.0
    for src, dst in edges:
        e = graph.edge(src, dst)
        if e.value is None:
            return None
        value *= e.value
    return value
