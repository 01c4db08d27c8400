"""The chain rule written out: the Leibniz factors of dR_i/d theta with every factor's value.

``chain_rule(net, record_or_inputs, param_name, observation=0, ...) -> ChainRule``: the factors
of dR_i/d theta for one observation (0-based index into the record), one product per path
from the parameter to the loss, summed over paths, plus the compact delta form
delta(l)_j * dz(l)_j/d theta. Each factor is data (symbol, value, how it is computed, in
``engine.notation``) that every view renders itself (SPEC section 1.3), e.g.
``dR/dw(1)[1,1] = dR/da(2)_1 * da(2)_1/da(1)_1 * da(1)_1/dz(1)_1 * dz(1)_1/dw(1)[1,1]``.
With weight decay, a weight's ``decay`` is the term of its own that R's lambda/2 sum w^2 adds,
dR_decay/dw = lambda * w (``engine.weight_decay``), once per update beside the sum over observations.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

from engine.activations import get_activation
from engine.backprop import backward
from engine.losses import Loss, get_loss
from engine.network import Network, ParamRef
from engine.notation import Derivative, Formula, Inline, Math, Symbol
from engine.pass_record import PassRecord
from engine.weight_decay import decay_factor


@dataclass(frozen=True)
class Factor:
    """One factor of a chain-rule product, as data that each view renders (``engine.notation``).

    ``symbol``: the derivative it is (dR/da(2)_1, da(1)_1/dz(1)_1, ...) or delta(l)_j;
    ``value``: its number; ``meaning``: how it is computed, e.g. g'(z(2)_1) · w(2)[1,1] = 1 · 0.6
    as words, symbols, formula pieces and numbers; ``expression``: the value as the lecture writes
    it inside a product, e.g. -2(1.2 - 0.8095) for dR/da under sse, or () where the number itself
    is shown. Numbers stay floats until a view formats them (``engine.numbers``).
    """

    symbol: Symbol | Derivative
    value: float
    meaning: Inline
    expression: Inline = ()


@dataclass(frozen=True)
class ChainRule:
    """dR_i/d theta for one parameter and one observation, written out by the chain rule.

    ``param``: the lecture name, ``parameter`` the same as a symbol; ``observation``: 0-based.
    ``paths``: one tuple of factors per path from the parameter to the loss (a single path in
    the lecture's 2-2-1 network; more when later layers are wider); ``path_values``: each
    path's product; ``total`` = their sum = the gradient entry for this observation.
    ``delta_form`` = (delta(l)_j, dz(l)_j/d theta): their product is ``total`` too.
    ``paths_truncated`` is True when there were more than ``max_paths`` paths; ``paths`` is then
    empty and ``total`` comes from the delta form. ``decay``: for a weight under weight decay, the
    factor dR_decay/dw = lambda * w, a term of dR/dw of its own (added once per update:
    dR/dw = sum_i dR_i/dw + lambda w); None for a bias or without decay.
    """

    param: str
    parameter: Symbol
    observation: int
    paths: tuple[tuple[Factor, ...], ...]
    path_values: tuple[float, ...]
    total: float
    delta_form: tuple[Factor, Factor]
    paths_truncated: bool = False
    decay: Factor | None = None

    @property
    def total_with_decay(self) -> float:
        """``total`` plus the decay term: dR/d theta when the batch is this one observation."""
        return self.total + (self.decay.value if self.decay is not None else 0.0)

    @property
    def factors(self) -> tuple[Factor, ...]:
        """The single path's factors, or () when there are several."""
        return self.paths[0] if len(self.paths) == 1 else ()

    @property
    def written(self) -> tuple[Factor, ...]:
        """The factors a view writes out: the single path, else the delta form that sums all paths."""
        return self.paths[0] if len(self.paths) == 1 else self.delta_form

    @property
    def lhs(self) -> Derivative:
        """dR_i/d theta, with i the 1-based observation."""
        return Derivative(Symbol("R", None, (self.observation + 1,)), self.parameter)


_R = Symbol("R")


def _node(kind: str, layer: int, j: int) -> Symbol:
    return Symbol(kind, layer, (j,))


def _weight(layer: int, j: int, k: int) -> Symbol:
    return Symbol("w", layer, (j, k))


def chain_rule(net: Network, record_or_inputs: "PassRecord | np.ndarray", param_name: str,
               observation: int = 0, *, targets: np.ndarray | None = None,
               loss: Loss | str = "sse", max_paths: int = 256, weight_decay: float = 0.0) -> ChainRule:
    """The chain rule for dR_i/d ``param_name`` at ``observation`` (0-based in the record).

    ``record_or_inputs`` is a PassRecord of ``net`` or inputs ``X (n_obs, inputs)``
    (then pass ``targets``, ``loss`` and any ``weight_decay``; a record carries its own). Factors for a path through nodes
    j = j_l, j_{l+1}, ..., j_L: dR/da(L)_{j_L} · da(L)/da(L-1) · ... · da(l+1)/da(l)_j ·
    da(l)_j/dz(l)_j · dz(l)_j/d theta, where da(s)_p/da(s-1)_q = g_s'(z(s)_p) w(s)[p,q]
    (the lecture writes g' = 1 for an identity output). A softmax output starts with
    dR/dz(L)_q = a_q - y_q instead (cross-entropy) and continues with w(L)[q, .].
    """
    if isinstance(record_or_inputs, PassRecord):
        rec = record_or_inputs
    else:
        if targets is None:
            raise ValueError("chain_rule with inputs needs targets")
        rec = backward(net, record_or_inputs, targets, loss, weight_decay=weight_decay)
    net = rec.network
    rec._check_obs(observation)
    ref = net.param_ref(param_name)
    i = observation
    L = net.depth
    lossobj = get_loss(rec.loss_name)
    acts = [None] + [get_activation(n) for n in net.activations]
    l, j = ref.layer, ref.j
    a_prev = 1.0 if ref.kind == "b" else float(rec.a[l - 1][i, ref.k - 1])
    dz_dtheta = _dz_dtheta(ref, a_prev)
    delta_form = (Factor(_node("delta", l, j), float(rec.delta[l][i, j - 1]),
                         (Derivative(_R, _node("z", l, j)), ", from back propagation")),
                  dz_dtheta)
    # a non-elementwise output (softmax) has no per-node g'; its loss gives dR/dz = a - y directly
    softmax_out = not acts[L].elementwise
    widths = [range(1, net.sizes[s] + 1) for s in range(l + 1, L + 1)]
    count = math.prod(len(w) for w in widths)
    paths, values = [], []
    truncated = count > max_paths
    if not truncated:
        y = rec.targets[i]
        a_out = rec.a[L][i]
        dR_da = _obs_loss_grad(lossobj, rec, i)
        gprime = [None] + [None if not acts[s].elementwise else
                           acts[s].grad(rec.z[s][i], rec.a[s][i]) for s in range(1, L + 1)]
        for tail in itertools.product(*widths):
            nodes = (j,) + tail  # nodes[s - l] = node on layer s
            top = nodes[-1]
            a_top, y_top = float(a_out[top - 1]), float(y[top - 1])
            if softmax_out:
                path = [Factor(Derivative(_R, _node("z", L, top)), a_top - y_top,
                               ("softmax with cross-entropy: ", Math("a - y = "), a_top, Math(" - "), y_top),
                               (Math("("), a_top, Math(" - "), y_top, Math(")")))]
            else:
                path = [Factor(Derivative(_R, _node("a", L, top)), float(dR_da[top - 1]),
                               *_loss_terms(lossobj, y_top, a_top, rec))]
            for s in range(L, l, -1):
                p, q = nodes[s - l], nodes[s - l - 1]
                w = float(net.layers[s - 1].W[p - 1, q - 1])
                if softmax_out and s == L:
                    path.append(Factor(Derivative(_node("z", s, p), _node("a", s - 1, q)), w,
                                       (_weight(s, p, q), Math(" = "), w)))
                else:
                    gp = float(gprime[s][p - 1])
                    path.append(Factor(Derivative(_node("a", s, p), _node("a", s - 1, q)), gp * w,
                                       (Math("g'("), _node("z", s, p), Math(") · "), _weight(s, p, q),
                                        Math(" = "), gp, Math(" · "), w)))
            if not (softmax_out and l == L):
                path.append(Factor(Derivative(_node("a", l, j), _node("z", l, j)), float(gprime[l][j - 1]),
                                   (f"{acts[l].name}'(z) = ", Formula(acts[l].derivative_formula), " at ",
                                    Math("z = "), float(rec.z[l][i, j - 1]))))
            path.append(dz_dtheta)
            paths.append(tuple(path))
            values.append(float(math.prod(f.value for f in path)))
        total = float(math.fsum(values))
    else:
        total = float(delta_form[0].value * delta_form[1].value)
    decay = None
    if rec.weight_decay and ref.kind == "w":
        w = float(net.layers[l - 1].W[j - 1, ref.k - 1])
        decay = Factor(*decay_factor(Symbol.parameter(ref), w, rec.weight_decay))
    return ChainRule(ref.name, Symbol.parameter(ref), observation, tuple(paths), tuple(values), total,
                     delta_form, truncated, decay)


def _dz_dtheta(ref: ParamRef, a_prev: float) -> Factor:
    """dz(l)_j/d theta: the input x_k or activation a(l-1)_k the weight multiplies, 1 for a bias."""
    z = _node("z", ref.layer, ref.j)
    if ref.kind == "b":
        return Factor(Derivative(z, Symbol.parameter(ref)), a_prev, (Math("= 1"),))
    source = Symbol("x", None, (ref.k,)) if ref.layer == 1 else _node("a", ref.layer - 1, ref.k)
    return Factor(Derivative(z, Symbol.parameter(ref)), a_prev, (Math("= "), source, Math(" = "), a_prev))


def _obs_loss_grad(loss: Loss, rec: PassRecord, i: int) -> np.ndarray:
    # mse's dR/da depends on the batch size, so evaluate on the whole batch and take row i; the
    # others are row by row (the same bits), which keeps a large data set's chain rule cheap
    if loss.mean:
        return loss.grad(rec.output, rec.targets)[i]
    return loss.grad(rec.output[i:i + 1], rec.targets[i:i + 1])[0]


def _loss_terms(loss: Loss, y: float, a: float, rec: PassRecord) -> tuple[Inline, Inline]:
    """(meaning, expression) of dR/da for one output of one observation.

    A squared-error loss writes its rule dR/da = -c(y - a) with the numbers, divided by n·n_out
    for a mean (mse); the cross-entropies write their derivative formula at y and a.
    """
    c = loss.residual_factor
    if c is None:
        return (Formula(loss.derivative_formula), " with ", Math("y = "), y, ", ", Math("a = "), a), ()
    lead = "-(" if c == 1 else f"-{c:g}("
    if loss.mean:
        expr = (Math(lead), y, Math(" - "), a, Math(f")/{rec.output.size}"))
        return (Math(f"{lead}y - a)/(n·"), Symbol("n", None, ("out",)), Math(") = "), *expr), expr
    expr = (Math(lead), y, Math(" - "), a, Math(")"))
    return (Math(f"{lead}y - a) = "), *expr), expr


__all__ = ["Factor", "ChainRule", "chain_rule"]
