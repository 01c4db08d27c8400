"""The pass record: every number one forward and backward pass computes, as read-only arrays.

A :class:`PassRecord` holds, in the lecture's indexing, ``z[l]``, ``a[l]`` and ``delta[l]``
``(n_obs, n_l)`` for layers l = 1..L, the residual, the loss and the gradient. Per-observation
gradients, the sensitivities d output/d theta and the nudge table's contributions are computed
on first use (the lecture's nudges, SPEC section 2). ``engine.backprop`` makes the records;
``engine.chain_rule`` and the explanations read them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property
from typing import Hashable

import numpy as np

from engine.activations import get_activation
from engine.losses import get_loss
from engine.network import Network
from engine.weight_decay import gradient as decay_gradient_of, penalty, weight_mask


def _ro(a: np.ndarray) -> np.ndarray:
    """``a`` made read-only in place (a record shares the kernel's arrays instead of copying them)."""
    a.setflags(write=False)
    return a


def _frozen_input(a: np.ndarray) -> np.ndarray:
    """``a`` itself when it is already a read-only float/int array, else a read-only copy."""
    if isinstance(a, np.ndarray) and not a.flags.writeable and a.base is None:
        return a
    return _ro(np.array(a, dtype=np.float64 if np.asarray(a).dtype.kind == "f" else None))


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

    With weight decay (``weight_decay`` = lambda > 0, ``engine.weight_decay``) ``loss`` and
    ``gradient`` hold R's term lambda/2 sum w^2 and its gradient lambda w (biases excluded):
    ``loss = data_loss + decay_loss`` and ``gradient = per_obs_grad.sum(0) + decay_gradient``,
    so -grad R = factor * contributions.sum(0) - decay_gradient.
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
    weight_decay: float = 0.0

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
    def data_loss(self) -> float:
        """The loss over the batch without the weight-decay term: the sum of ``per_obs_loss``."""
        return float(np.add.reduce(self.per_obs_loss))

    @cached_property
    def decay_loss(self) -> float:
        """R's weight-decay term lambda/2 sum w^2 (0.0 without decay)."""
        return penalty(self.theta, weight_mask(self.structure), self.weight_decay)

    @cached_property
    def decay_gradient(self) -> np.ndarray:
        """The decay term's gradient ``(n_params,)``: lambda w for a weight, 0 for a bias."""
        return _ro(decay_gradient_of(self.theta, weight_mask(self.structure), self.weight_decay))

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
        """The lecture's e_i * d output_i/d theta per observation ``(n_obs, n_params)``: one backward
        pass seeded with the residuals, so the ``(n_obs, n_out, n_params)`` sensitivities are never
        built (for a wide network on many observations they would not fit)."""
        if "sensitivities" in self.__dict__:
            return _ro(np.einsum("ik,ikp->ip", self.residual, self.sensitivities))
        deltas = _seeded_deltas(self.network, self.z, self.a, self.residual)
        return _ro(_per_obs_param_grads(self.structure, deltas, list(self.a)))

    @cached_property
    def contribution_sum(self) -> np.ndarray:
        """sum_i e_i * d output_i/d theta ``(n_params,)``, the nudge table's sum column, by one
        seeded backward pass summed over observations."""
        if "contributions" in self.__dict__:
            return _ro(self.contributions.sum(axis=0))
        deltas = _seeded_deltas(self.network, self.z, self.a, self.residual)
        parts = []
        for l in range(1, self.structure.depth + 1):
            a_prev = self.a[l - 1]
            ext = np.concatenate([a_prev, np.ones((a_prev.shape[0], 1))], axis=1)
            parts.append((deltas[l].T @ ext).ravel())
        return _ro(np.concatenate(parts))

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
    """dR_i/d theta per observation in theta order ``(..., n, n_params)``, layer blocks side by side."""
    parts = [_layer_blocks(deltas[l], as_[l - 1]) for l in range(1, net.depth + 1)]
    return np.concatenate(parts, axis=-1)


def _seeded_deltas(net: Network, zs: tuple, as_: tuple, seed: np.ndarray) -> list:
    """d(sum_k seed_k a[L]_k)/dz[l] per observation ``(n, n_l)`` for l = 1..L: back propagation
    started from ``seed (n, n_out)`` at the outputs instead of dR/da."""
    L = net.depth
    acts = [get_activation(n) for n in net.activations]
    with np.errstate(all="ignore"):
        s = acts[L - 1].vjp(zs[L], as_[L], seed) if not acts[L - 1].elementwise \
            else seed * acts[L - 1].grad(zs[L], as_[L])
        deltas: list = [None] * (L + 1)
        for l in range(L, 0, -1):
            deltas[l] = s
            if l > 1:
                s = (s @ net.layers[l - 1].W) * acts[l - 2].grad(zs[l - 1], as_[l - 1])
    return deltas


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


class RecordCache:
    """The last few PassRecords by key (at most 8, and about 64 MB when one record is large).

    ``record_bytes``: the size of one record (z, a and delta of every node and observation).
    """

    def __init__(self, record_bytes: int) -> None:
        self.limit = 8 if record_bytes < 8 * 2 ** 20 else max(2, 2 ** 26 // record_bytes)
        self._records: dict[Hashable, PassRecord] = {}

    def get(self, key: Hashable) -> PassRecord | None:
        """The record stored under ``key``, or None."""
        return self._records.get(key)

    def put(self, key: Hashable, rec: PassRecord) -> PassRecord:
        """Store ``rec`` under ``key`` (dropping the oldest records over the limit) and return it."""
        while len(self._records) >= self.limit:
            del self._records[next(iter(self._records))]
        self._records[key] = rec
        return rec

    def clear(self) -> None:
        """Forget every record (the parameters they describe changed)."""
        self._records.clear()


__all__ = ["PassRecord", "RecordCache"]
