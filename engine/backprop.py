"""Back propagation, vectorised over observations, with every number of the chain rule.

Forward, for layers l = 1..L (``a[0]`` = the inputs ``X (n_obs, d)``)::

    z[l] = a[l-1] @ W[l].T + b[l]          (n_obs, n_l)
    a[l] = g_l(z[l])

Backward, with ``delta[l] = dR/dz[l]`` per observation ``(n_obs, n_l)``::

    delta[L]   = g_L'(z[L]) * dR/da[L]      (softmax + cross_entropy, sigmoid +
                                             binary_cross_entropy: delta[L] = a[L] - y)
    delta[l-1] = g_{l-1}'(z[l-1]) * (delta[l] @ W[l])
    dR/dw(l)[j,k] = sum_i delta[l]_ij a[l-1]_ik,   dR/db(l)[j] = sum_i delta[l]_ij

Public API:

- ``forward(net, X) -> Forward`` (z, a per layer).
- ``backward(net, X, Y, loss="sse", rows=None) -> PassRecord``: the full record (z, a,
  delta, output, residual, loss, per-observation losses, gradient; per-observation
  gradients, sensitivities d output/d theta and the nudge table's contributions are
  computed lazily on first use). ``Y``: ``(n_obs, n_out)`` or anything
  ``engine.losses.prepare_targets`` accepts.
- ``loss_and_gradient(net, X, Y, loss="sse", theta=None) -> (loss, grad (n_params,))``,
  and ``GradientKernel(net, loss)`` for hot loops (same arithmetic, so identical bits).
- ``chain_rule(net, record_or_inputs, param_name, observation=0, ...) -> ChainRule``:
  the Leibniz factors of dR_i/d theta for one observation (0-based index into the record),
  summed over paths, plus the compact delta form; each factor is data (symbol, value, how it
  is computed, in ``engine.notation``) that every view renders itself.
- ``finite_difference_check(net, X, Y, loss="sse", h=1e-6) -> FDCheck``.

Observations are 0-based in the API and 1-based in every text shown to people.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

import numpy as np

from engine.activations import Activation, get_activation
from engine.losses import Loss, check_pairing, get_loss, prepare_targets
from engine.network import Network, NetworkError, ParamRef
from engine.notation import Derivative, Formula, Inline, Math, Symbol


def _ro(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


class _Layout:
    """Shape constants of one network for the hot loop: sizes, theta offsets, activations."""

    __slots__ = ("sizes", "offs", "acts", "L", "n_params", "shortcut", "_x")

    def __init__(self, net: Network, loss: Loss) -> None:
        self.sizes = net.sizes
        self.offs = net.layer_offsets()
        self.acts: tuple[Activation, ...] = tuple(get_activation(n) for n in net.activations)
        self.L = net.depth
        self.n_params = net.n_params
        # dR/dz = a - y exactly for a loss on its own output activation (softmax with
        # cross_entropy, sigmoid with binary_cross_entropy); it avoids -y/a and 1/(a(1-a)) blowing up.
        paired = loss.output_activation
        self.shortcut = paired is not None and net.layers[-1].activation == paired
        self._x: tuple[np.ndarray, np.ndarray] | None = None

    def blocks(self, theta: np.ndarray) -> list[np.ndarray]:
        """Per layer, the view ``[W | b]`` of ``theta``: ``(n_l, n_{l-1} + 1)``, row j = node j."""
        sizes, offs = self.sizes, self.offs
        return [theta[offs[l - 1]:offs[l]].reshape(sizes[l], sizes[l - 1] + 1)
                for l in range(1, self.L + 1)]

    def extended(self, X: np.ndarray) -> np.ndarray:
        """``[X | 1]`` transposed, ``(d + 1, n)``; the last is kept (a session reuses its X)."""
        cached = self._x
        if cached is not None and cached[0] is X:
            return cached[1]
        ext = _with_ones_row(X.T)
        if not X.flags.writeable and X.base is None:  # nobody can change X behind our back
            self._x = (X, ext)
        return ext


def _with_ones_row(aT: np.ndarray) -> np.ndarray:
    d, n = aT.shape
    ext = np.empty((d + 1, n))
    ext[:d] = aT
    ext[d] = 1.0
    return ext


# The kernels work node-major: z[l].T, a[l].T, delta[l].T of shape (n_l, n_obs), so every
# elementwise pass runs over contiguous memory, and a row of ones under a[l-1].T turns
# z[l].T = [W | b] @ [a[l-1].T ; 1] and [dR/dW | dR/db] = delta[l].T @ [a[l-1].T ; 1].T
# into one BLAS call each. Records show the observation-major views (n_obs, n_l).

def _forward(layout: _Layout, blocks: list, X: np.ndarray) -> tuple[list, list, list]:
    """z[l], a[l] ``(n_obs, n_l)`` for l = 0..L (z[0] None) and the node-major ``[a.T ; 1]``."""
    zs: list = [None]
    as_: list = [X]
    ext = layout.extended(X)
    exts: list = [ext]
    L = layout.L
    for l in range(1, L + 1):
        zT = blocks[l - 1].dot(ext)
        act = layout.acts[l - 1]
        zs.append(zT.T)
        if l < L:
            u = zT.shape[0]
            ext = np.empty((u + 1, zT.shape[1]))
            ext[u] = 1.0
            as_.append(act.fn(zT, out=ext[:u]).T)
            exts.append(ext)
        else:
            # the output layer in observation-major form: softmax normalises each row
            as_.append(act.fn(zT.T))
    return zs, as_, exts


_sum_rows = np.add.reduce  # the ufunc method directly: np.sum's wrapper costs ~1 us a call


def _backward(layout: _Layout, blocks: list, zs: list, as_: list, exts: list, Y: np.ndarray,
              loss: Loss) -> tuple[list, np.ndarray, np.ndarray]:
    """Returns ``(deltas (n_obs, n_l) per layer, per_obs_loss (n,), grad (n_params,))``."""
    L = layout.L
    out = as_[L]
    if layout.shortcut:
        per_obs = loss.per_obs(out, Y)
        delta = out - Y
    else:
        per_obs, dR_da = loss.per_obs_and_grad(out, Y)
        delta = layout.acts[L - 1].vjp(zs[L], out, dR_da)
    deltaT = delta.T
    grad = np.empty(layout.n_params)
    deltas: list = [None] * (L + 1)
    sizes, offs = layout.sizes, layout.offs
    for l in range(L, 0, -1):
        deltas[l] = deltaT.T
        np.dot(deltaT, exts[l - 1].T, out=grad[offs[l - 1]:offs[l]].reshape(sizes[l], -1))
        if l > 1:
            p = sizes[l - 1]
            WT = blocks[l - 1][:, :p].T
            deltaT = layout.acts[l - 2].vjp(zs[l - 1].T, exts[l - 1][:p], WT.dot(deltaT))
    return deltas, per_obs, grad


def _pass(layout: _Layout, theta: np.ndarray, X: np.ndarray, Y: np.ndarray, loss: Loss):
    blocks = layout.blocks(theta)
    zs, as_, exts = _forward(layout, blocks, X)
    deltas, per_obs, grad = _backward(layout, blocks, zs, as_, exts, Y, loss)
    return zs, as_, deltas, per_obs, grad


def _as_inputs(net: Network, X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1 and net.inputs == 1:
        X = X.reshape(-1, 1)
    if X.ndim != 2 or X.shape[1] != net.inputs:
        raise NetworkError(f"inputs: expected (n_obs, {net.inputs}), got shape {X.shape}")
    return X


def _loss_obj(net: Network, loss: Loss | str) -> Loss:
    loss = get_loss(loss) if isinstance(loss, str) else loss
    check_pairing(loss, net.layers[-1].activation)
    return loss


@dataclass(frozen=True)
class Forward:
    """Forward values: ``z[l]``, ``a[l]`` ``(n_obs, n_l)`` for l = 1..L; ``a[0]`` = inputs, ``z[0]`` None."""

    z: tuple
    a: tuple

    @property
    def output(self) -> np.ndarray:
        return self.a[-1]


def forward(net: Network, X: np.ndarray) -> Forward:
    """Forward pass of ``X (n_obs, inputs)`` through ``net``; a :class:`Forward` record."""
    X = _as_inputs(net, X)
    layout = _Layout(net, get_loss("sse"))
    with np.errstate(all="ignore"):
        zs, as_, _ = _forward(layout, layout.blocks(net.theta()), X)
    return Forward(tuple(None if z is None else _ro(z) for z in zs),
                   tuple(_ro(np.array(a)) if i == 0 else _ro(a) for i, a in enumerate(as_)))


def predict(net: Network, X: np.ndarray, theta: np.ndarray | None = None) -> np.ndarray:
    """Network output ``(n_obs, n_out)`` for ``X (n_obs, inputs)`` (parameters ``theta`` if given)."""
    X = _as_inputs(net, X)
    layout = _Layout(net, get_loss("sse"))
    theta = net.theta() if theta is None else np.asarray(theta, dtype=np.float64)
    with np.errstate(all="ignore"):
        return _forward(layout, layout.blocks(theta), X)[1][-1]


@dataclass(frozen=True, eq=False)
class PassRecord:
    """Everything one forward + backward pass over a batch computes (read-only arrays).

    Indexing is the lecture's: ``z[l]``, ``a[l]``, ``delta[l]`` for l = 1..L, each
    ``(n_obs, n_l)``; ``a[0]`` = inputs; ``z[0]`` and ``delta[0]`` are None.
    ``rows (n_obs,)``: which dataset observations (0-based) the batch holds.
    ``structure`` is the network shape; ``network`` (built on first use) has ``theta``.
    ``residual`` = y - output; ``loss`` = sum of ``per_obs_loss (n_obs,)``;
    ``gradient (n_params,)`` = dR/d theta = ``per_obs_grad.sum(0)`` for every loss
    (``mse`` puts its 1/(n n_out) into each observation's share).
    Lazily computed on first use: ``per_obs_grad (n_obs, n_params)``,
    ``sensitivities (n_obs, n_out, n_params)`` = d output/d theta (the lecture's nudges;
    ``sensitivities_of(i)`` gives one observation's ``(n_out, n_params)`` cheaply),
    ``contributions (n_obs, n_params)`` = sum_k e_ik * sensitivity_ik (the lecture's
    contribution vectors), ``neg_gradient`` = -grad R. For regression losses
    -grad R = ``contribution_factor`` * contributions.sum(0): 2 for sse, 1 for half_sse,
    2/(n n_out) for mse; None for the cross-entropies.
    """

    structure: Network
    loss_name: str
    theta: np.ndarray
    rows: np.ndarray
    targets: np.ndarray
    z: tuple
    a: tuple
    delta: tuple
    output: np.ndarray
    loss: float
    per_obs_loss: np.ndarray
    gradient: np.ndarray

    @cached_property
    def network(self) -> Network:
        """The network with this record's parameters (``structure`` with ``theta``)."""
        if not np.all(np.isfinite(self.theta)):
            return self.structure
        return self.structure.with_theta(self.theta)

    @cached_property
    def residual(self) -> np.ndarray:
        """e = y - output ``(n_obs, n_out)``."""
        with np.errstate(all="ignore"):
            return _ro(self.targets - self.output)

    @property
    def inputs(self) -> np.ndarray:
        return self.a[0]

    @property
    def n_obs(self) -> int:
        return self.a[0].shape[0]

    @property
    def finite(self) -> bool:
        """False when the loss or gradient overflowed (the session reports divergence)."""
        return math.isfinite(self.loss) and bool(np.all(np.isfinite(self.gradient)))

    @property
    def contribution_factor(self) -> float | None:
        return get_loss(self.loss_name).contribution_factor(self.n_obs, self.output.shape[1])

    @cached_property
    def neg_gradient(self) -> np.ndarray:
        return _ro(-self.gradient)

    @cached_property
    def per_obs_grad(self) -> np.ndarray:
        """dR_i/d theta per observation ``(n_obs, n_params)``; sums to ``gradient``."""
        return _ro(_per_obs_param_grads(self.structure, list(self.delta), list(self.a)))

    @cached_property
    def sensitivities(self) -> np.ndarray:
        """d output_k / d theta per observation ``(n_obs, n_out, n_params)``."""
        return _ro(_sensitivities(self.network, self.z, self.a, slice(None)))

    def sensitivities_of(self, obs: int) -> np.ndarray:
        """d output / d theta for observation ``obs`` (0-based in this record): ``(n_out, n_params)``."""
        if "sensitivities" in self.__dict__:
            return self.sensitivities[obs]
        self._check_obs(obs)
        return _ro(_sensitivities(self.network, self.z, self.a, slice(obs, obs + 1))[0])

    @cached_property
    def contributions(self) -> np.ndarray:
        """The lecture's e_i * d output_i/d theta per observation ``(n_obs, n_params)``."""
        return _ro(np.einsum("ik,ikp->ip", self.residual, self.sensitivities))

    def contributions_of(self, obs: int) -> np.ndarray:
        """e * d output/d theta for observation ``obs``: ``(n_params,)``."""
        return _ro(self.residual[obs] @ self.sensitivities_of(obs))

    def _check_obs(self, obs: int) -> None:
        if not 0 <= obs < self.n_obs:
            raise IndexError(f"observation {obs} out of range 0..{self.n_obs - 1}")


def _layer_blocks(delta: np.ndarray, a_prev: np.ndarray) -> np.ndarray:
    """Per-observation [delta_j a_k ..., delta_j] blocks ``(..., n, u * (p + 1))``."""
    ones = np.ones(a_prev.shape[:-1] + (1,))
    ext = np.concatenate([a_prev, ones], axis=-1)
    block = delta[..., :, None] * ext[..., None, :]
    return block.reshape(block.shape[:-2] + (-1,))


def _per_obs_param_grads(net: Network, deltas: list, as_: list) -> np.ndarray:
    parts = [_layer_blocks(deltas[l], as_[l - 1]) for l in range(1, net.depth + 1)]
    return np.concatenate(parts, axis=-1)


def _sensitivities(net: Network, zs: tuple, as_: tuple, rows: slice) -> np.ndarray:
    """d a[L]_k/d theta for the observations ``rows``: ``(n, n_out, n_params)``."""
    L = net.depth
    acts = [get_activation(n) for n in net.activations]
    z = [None if v is None else v[rows] for v in zs]
    a = [v[rows] for v in as_]
    n, k_out = a[L].shape
    seeds = np.broadcast_to(np.eye(k_out)[:, None, :], (k_out, n, k_out))
    with np.errstate(all="ignore"):
        s = acts[L - 1].vjp(z[L], a[L], seeds) if not acts[L - 1].elementwise \
            else seeds * acts[L - 1].grad(z[L], a[L])
        deltas: list = [None] * (L + 1)
        for l in range(L, 0, -1):
            deltas[l] = s
            if l > 1:
                s = (s @ net.layers[l - 1].W) * acts[l - 2].grad(z[l - 1], a[l - 1])
        grads = _per_obs_param_grads(net, deltas, [np.broadcast_to(v, (k_out,) + v.shape)
                                                   for v in a])
    return np.moveaxis(grads, 0, 1)


def backward(net: Network, X: np.ndarray, Y: np.ndarray, loss: Loss | str = "sse",
             rows: np.ndarray | None = None, theta: np.ndarray | None = None) -> PassRecord:
    """Forward and backward pass over ``X (n_obs, inputs)``, ``Y (n_obs, n_out)``: a PassRecord.

    ``theta`` overrides the network's parameters (same layout); ``rows`` labels the
    observations (default 0..n_obs-1). Overflow is not an exception: check ``record.finite``.
    """
    loss = _loss_obj(net, loss)
    X = _as_inputs(net, X)
    Y = prepare_targets(loss, Y, net.n_outputs)
    if Y.shape[0] != X.shape[0]:
        raise NetworkError(f"got {X.shape[0]} input rows but {Y.shape[0]} target rows")
    theta = net.theta() if theta is None else np.array(theta, dtype=np.float64)
    return _record(_Layout(net, loss), net, loss, theta, X, Y,
                   np.arange(X.shape[0]) if rows is None else np.asarray(rows))


def _record(layout: _Layout, net: Network, loss: Loss, theta: np.ndarray, X: np.ndarray,
            Y: np.ndarray, rows: np.ndarray) -> PassRecord:
    with np.errstate(all="ignore"):
        zs, as_, deltas, per_obs, grad = _pass(layout, theta, X, Y, loss)
        out = as_[-1]
    zs[0] = deltas[0] = None
    as_[0] = _frozen_input(X)
    for v in zs[1:] + as_[1:] + deltas[1:]:
        v.setflags(write=False)
    return PassRecord(
        structure=net, loss_name=loss.name, theta=_frozen_input(theta), rows=_frozen_input(rows),
        targets=_frozen_input(Y), z=tuple(zs), a=tuple(as_), delta=tuple(deltas), output=out,
        loss=float(_sum_rows(per_obs)), per_obs_loss=_ro(per_obs),
        gradient=_ro(grad))


def _frozen_input(a: np.ndarray) -> np.ndarray:
    """``a`` itself when it is already a read-only float/int array, else a read-only copy."""
    if isinstance(a, np.ndarray) and not a.flags.writeable and a.base is None:
        return a
    return _ro(np.array(a, dtype=np.float64 if np.asarray(a).dtype.kind == "f" else None))


class GradientKernel:
    """The lean hot path for one network shape and loss: ``kernel(theta, X, Y) -> (loss, grad)``.

    ``theta (n_params,)``, ``X (n_obs, inputs)``, ``Y (n_obs, n_out)`` already prepared.
    Same arithmetic as :func:`backward`, so both give identical bits. ``record(...)`` builds
    the full PassRecord for the same inputs; ``loss(theta, X, Y)`` is forward only.
    """

    def __init__(self, net: Network, loss: Loss | str = "sse") -> None:
        self.loss = _loss_obj(net, loss)
        self.network = net
        self.layout = _Layout(net, self.loss)

    def __call__(self, theta: np.ndarray, X: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
        with np.errstate(all="ignore"):
            _, _, _, per_obs, grad = _pass(self.layout, theta, X, Y, self.loss)
        return float(_sum_rows(per_obs)), grad

    def value(self, theta: np.ndarray, X: np.ndarray, Y: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            out = _forward(self.layout, self.layout.blocks(theta), X)[1][-1]
            return float(_sum_rows(self.loss.per_obs(out, Y)))

    def record(self, theta: np.ndarray, X: np.ndarray, Y: np.ndarray,
               rows: np.ndarray | None = None) -> PassRecord:
        return _record(self.layout, self.network, self.loss, _frozen_input(theta),
                       X, Y, np.arange(X.shape[0]) if rows is None else rows)


def loss_and_gradient(net: Network, X: np.ndarray, Y: np.ndarray, loss: Loss | str = "sse",
                      theta: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """R and dR/d theta ``(n_params,)`` over all observations (parameters ``theta`` if given)."""
    kernel = GradientKernel(net, loss)
    X = _as_inputs(net, X)
    Y = prepare_targets(kernel.loss, Y, net.n_outputs)
    theta = net.theta() if theta is None else np.asarray(theta, dtype=np.float64)
    return kernel(theta, X, Y)


# ---------------------------------------------------------------- chain rule

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
    empty and ``total`` comes from the delta form.
    """

    param: str
    parameter: Symbol
    observation: int
    paths: tuple[tuple[Factor, ...], ...]
    path_values: tuple[float, ...]
    total: float
    delta_form: tuple[Factor, Factor]
    paths_truncated: bool = False

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
               loss: Loss | str = "sse", max_paths: int = 256) -> ChainRule:
    """The chain rule for dR_i/d ``param_name`` at ``observation`` (0-based in the record).

    ``record_or_inputs`` is a PassRecord of ``net`` or inputs ``X (n_obs, inputs)``
    (then pass ``targets`` and ``loss``). Factors for a path through nodes
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
        rec = backward(net, record_or_inputs, targets, loss)
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
    softmax_out = acts[L].name == "softmax"
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
    return ChainRule(ref.name, Symbol.parameter(ref), observation, tuple(paths), tuple(values), total,
                     delta_form, truncated)


def _dz_dtheta(ref: ParamRef, a_prev: float) -> Factor:
    """dz(l)_j/d theta: the input x_k or activation a(l-1)_k the weight multiplies, 1 for a bias."""
    z = _node("z", ref.layer, ref.j)
    if ref.kind == "b":
        return Factor(Derivative(z, Symbol.parameter(ref)), a_prev, (Math("= 1"),))
    source = Symbol("x", None, (ref.k,)) if ref.layer == 1 else _node("a", ref.layer - 1, ref.k)
    return Factor(Derivative(z, Symbol.parameter(ref)), a_prev, (Math("= "), source, Math(" = "), a_prev))


def _obs_loss_grad(loss: Loss, rec: PassRecord, i: int) -> np.ndarray:
    # mse's dR/da depends on the batch size, so evaluate on the whole batch and take row i
    return loss.grad(rec.output, rec.targets)[i]


def _loss_terms(loss: Loss, y: float, a: float, rec: PassRecord) -> tuple[Inline, Inline]:
    """(meaning, expression) of dR/da for one output of one observation."""
    if loss.name == "sse":
        expr = (Math("-2("), y, Math(" - "), a, Math(")"))
        return (Math("-2(y - a) = "), *expr), expr
    if loss.name == "half_sse":
        expr = (Math("-("), y, Math(" - "), a, Math(")"))
        return (Math("-(y - a) = "), *expr), expr
    if loss.name == "mse":
        expr = (Math("-2("), y, Math(" - "), a, Math(f")/{rec.output.size}"))
        return (Math("-2(y - a)/(n·"), Symbol("n", None, ("out",)), Math(") = "), *expr), expr
    return (Formula(loss.derivative_formula), " with ", Math("y = "), y, ", ", Math("a = "), a), ()


# ---------------------------------------------------------------- finite differences

@dataclass(frozen=True)
class FDCheck:
    """Back-propagated vs central-difference gradient, entry by entry (read-only arrays).

    ``rel_error = |backprop - numeric| / max(|backprop|, |numeric|, floor)`` with
    ``floor = 1e-4 (1 + |R|)``, so entries that are zero up to rounding do not show noise.
    """

    names: list
    backprop: np.ndarray
    numeric: np.ndarray
    rel_error: np.ndarray
    max_rel_error: float
    h: float


def finite_difference_check(net: Network, X: np.ndarray, Y: np.ndarray,
                            loss: Loss | str = "sse", h: float = 1e-6,
                            names: Sequence[str] | None = None) -> FDCheck:
    """Compare dR/d theta by back propagation with (R(theta + h e_p) - R(theta - h e_p)) / 2h.

    ``names``: check only these parameters (default: all, in theta order); each costs two
    forward passes over all observations, so a panel on a large network should pass a few.
    """
    if not (h > 0 and math.isfinite(h)):
        raise ValueError(f"finite-difference step h must be > 0, got {h}")
    kernel = GradientKernel(net, loss)
    X = _as_inputs(net, X)
    Y = prepare_targets(kernel.loss, Y, net.n_outputs)
    theta = net.theta()
    names = net.param_names() if names is None else list(names)
    index = [net.param_index(name) for name in names]
    value, grad = kernel(theta, X, Y)
    bp = grad[index]
    # one shifted pair at a time keeps memory flat for any network size
    num = np.empty(len(index))
    for i, p in enumerate(index):
        t = theta.copy()
        t[p] = theta[p] + h
        up = kernel.value(t, X, Y)
        t[p] = theta[p] - h
        down = kernel.value(t, X, Y)
        num[i] = (up - down) / (2.0 * h)
    floor = 1e-4 * (1.0 + abs(value))
    with np.errstate(all="ignore"):
        rel = np.abs(bp - num) / np.maximum(np.maximum(np.abs(bp), np.abs(num)), floor)
    return FDCheck(names, _ro(bp), _ro(num), _ro(rel),
                   float(np.max(rel)) if rel.size else 0.0, float(h))


__all__ = ["Forward", "PassRecord", "GradientKernel", "Factor", "ChainRule", "FDCheck",
           "forward", "predict", "backward", "loss_and_gradient", "chain_rule",
           "finite_difference_check"]
