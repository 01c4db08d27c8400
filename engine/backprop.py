"""Back propagation, vectorised over observations: the fast kernel behind every session.

Forward, for layers l = 1..L (``a[0]`` = the inputs ``X (n_obs, d)``)::

    z[l] = a[l-1] @ W[l].T + b[l]          (n_obs, n_l)
    a[l] = g_l(z[l])

Backward, with ``delta[l] = dR/dz[l]`` per observation ``(n_obs, n_l)``::

    delta[L]   = g_L'(z[L]) * dR/da[L]      (softmax + cross_entropy, sigmoid +
                                             binary_cross_entropy: delta[L] = a[L] - y)
    delta[l-1] = g_{l-1}'(z[l-1]) * (delta[l] @ W[l])
    dR/dw(l)[j,k] = sum_i delta[l]_ij a[l-1]_ik,   dR/db(l)[j] = sum_i delta[l]_ij

The same arithmetic, written plainly one layer at a time as in the lecture, is
``engine.lecture_backprop``; this module is the one tuned for speed.

Public API:

- ``forward(net, X) -> Forward`` (z, a per layer).
- ``backward(net, X, Y, loss="sse", rows=None) -> PassRecord`` (``engine.pass_record``): z, a,
  delta, output, residual, loss, per-observation losses, gradient. ``Y``: ``(n_obs, n_out)`` or
  anything ``engine.losses.prepare_targets`` accepts.
- ``loss_and_gradient(net, X, Y, loss="sse", theta=None) -> (loss, grad (n_params,))``,
  and ``GradientKernel(net, loss)`` for hot loops (same arithmetic, so identical bits).

The chain rule written out factor by factor is ``engine.chain_rule``; the finite-difference
check of the gradient is ``engine.gradient_check``. Observations are 0-based in the API and
1-based in every text shown to people.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.activations import Activation, get_activation
from engine.losses import Loss, check_pairing, get_loss, prepare_targets
from engine.network import Network, NetworkError
from engine.pass_record import PassRecord, _frozen_input, _ro
from engine.weight_decay import check_weight_decay, penalty, weight_mask


class _Layout:
    """Shape constants of one network for the hot loop: sizes, theta offsets, activations."""

    __slots__ = ("sizes", "offs", "acts", "L", "n_params", "shortcut", "mask", "_x")

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
        self.mask = weight_mask(net)  # True for a weight, False for a bias (weight decay)
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
    """``aT (d, n)`` with a row of ones under it, ``(d + 1, n)``: the bias column's partner."""
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
    """One forward and backward pass: ``(zs, as_, deltas, per_obs_loss, grad)``."""
    blocks = layout.blocks(theta)
    zs, as_, exts = _forward(layout, blocks, X)
    deltas, per_obs, grad = _backward(layout, blocks, zs, as_, exts, Y, loss)
    return zs, as_, deltas, per_obs, grad


def _as_inputs(net: Network, X: np.ndarray) -> np.ndarray:
    """``X`` as float64 ``(n_obs, inputs)`` (a 1-D array for a one-input network is a column)."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 1 and net.inputs == 1:
        X = X.reshape(-1, 1)
    if X.ndim != 2 or X.shape[1] != net.inputs:
        raise NetworkError(f"inputs: expected (n_obs, {net.inputs}), got shape {X.shape}")
    return X


def _loss_obj(net: Network, loss: Loss | str) -> Loss:
    """The Loss entry for ``loss``, checked against the network's output activation."""
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


def backward(net: Network, X: np.ndarray, Y: np.ndarray, loss: Loss | str = "sse",
             rows: np.ndarray | None = None, theta: np.ndarray | None = None,
             weight_decay: float = 0.0) -> PassRecord:
    """Forward and backward pass over ``X (n_obs, inputs)``, ``Y (n_obs, n_out)``: a PassRecord.

    ``theta`` overrides the network's parameters (same layout); ``rows`` labels the
    observations (default 0..n_obs-1); ``weight_decay``: lambda of R's term lambda/2 sum w^2
    (``engine.weight_decay``). Overflow is not an exception: check ``record.finite``.
    """
    loss = _loss_obj(net, loss)
    X = _as_inputs(net, X)
    Y = prepare_targets(loss, Y, net.n_outputs)
    if Y.shape[0] != X.shape[0]:
        raise NetworkError(f"got {X.shape[0]} input rows but {Y.shape[0]} target rows")
    theta = net.theta() if theta is None else np.array(theta, dtype=np.float64)
    return _record(_Layout(net, loss), net, loss, theta, X, Y,
                   np.arange(X.shape[0]) if rows is None else np.asarray(rows), check_weight_decay(weight_decay))


def _record(layout: _Layout, net: Network, loss: Loss, theta: np.ndarray, X: np.ndarray,
            Y: np.ndarray, rows: np.ndarray, lam: float = 0.0) -> PassRecord:
    """The PassRecord of one pass, its arrays made read-only in place; R and its gradient hold
    the weight-decay term when ``lam`` > 0."""
    with np.errstate(all="ignore"):
        zs, as_, deltas, per_obs, grad = _pass(layout, theta, X, Y, loss)
        out = as_[-1]
        value = float(_sum_rows(per_obs))
        if lam:
            value += penalty(theta, layout.mask, lam)
            grad += np.where(layout.mask, lam * theta, 0.0)
    zs[0] = deltas[0] = None
    as_[0] = _frozen_input(X)
    for v in zs[1:] + as_[1:] + deltas[1:]:
        v.setflags(write=False)
    return PassRecord(
        structure=net, loss_name=loss.name, theta=_frozen_input(theta), rows=_frozen_input(rows),
        targets=_frozen_input(Y), z=tuple(zs), a=tuple(as_), delta=tuple(deltas), output=out,
        loss=value, per_obs_loss=_ro(per_obs), gradient=_ro(grad), weight_decay=lam)


class GradientKernel:
    """The lean hot path for one network shape and loss: ``kernel(theta, X, Y) -> (loss, grad)``.

    ``theta (n_params,)``, ``X (n_obs, inputs)``, ``Y (n_obs, n_out)`` already prepared.
    Same arithmetic as :func:`backward`, so both give identical bits. ``record(...)`` builds
    the full PassRecord for the same inputs; ``value(theta, X, Y)`` is forward only.
    ``weight_decay``: lambda of R's term lambda/2 sum w^2 (biases excluded), in every value and gradient.
    """

    def __init__(self, net: Network, loss: Loss | str = "sse", weight_decay: float = 0.0) -> None:
        self.loss = _loss_obj(net, loss)
        self.network = net
        self.layout = _Layout(net, self.loss)
        self.weight_decay = check_weight_decay(weight_decay)

    def __call__(self, theta: np.ndarray, X: np.ndarray, Y: np.ndarray) -> tuple[float, np.ndarray]:
        with np.errstate(all="ignore"):
            _, _, _, per_obs, grad = _pass(self.layout, theta, X, Y, self.loss)
            value = float(_sum_rows(per_obs))
            lam = self.weight_decay
            if lam:
                value += penalty(theta, self.layout.mask, lam)
                grad += np.where(self.layout.mask, lam * theta, 0.0)
        return value, grad

    def value(self, theta: np.ndarray, X: np.ndarray, Y: np.ndarray) -> float:
        with np.errstate(all="ignore"):
            out = _forward(self.layout, self.layout.blocks(theta), X)[1][-1]
            value = float(_sum_rows(self.loss.per_obs(out, Y)))
            return value + penalty(theta, self.layout.mask, self.weight_decay) if self.weight_decay else value

    def record(self, theta: np.ndarray, X: np.ndarray, Y: np.ndarray,
               rows: np.ndarray | None = None) -> PassRecord:
        return _record(self.layout, self.network, self.loss, _frozen_input(theta),
                       X, Y, np.arange(X.shape[0]) if rows is None else rows, self.weight_decay)


def loss_and_gradient(net: Network, X: np.ndarray, Y: np.ndarray, loss: Loss | str = "sse",
                      theta: np.ndarray | None = None, weight_decay: float = 0.0) -> tuple[float, np.ndarray]:
    """R and dR/d theta ``(n_params,)`` over all observations (parameters ``theta`` if given),
    with the weight-decay term lambda/2 sum w^2 when ``weight_decay`` (lambda) > 0."""
    kernel = GradientKernel(net, loss, weight_decay)
    X = _as_inputs(net, X)
    Y = prepare_targets(kernel.loss, Y, net.n_outputs)
    theta = net.theta() if theta is None else np.asarray(theta, dtype=np.float64)
    return kernel(theta, X, Y)


__all__ = ["Forward", "PassRecord", "GradientKernel", "forward", "predict", "backward",
           "loss_and_gradient"]
