"""Back propagation as the lecture writes it: the file to read next to the slides.

One row per observation, one loop over the layers, one line per formula. For layers
l = 1..L, with ``A[0]`` = the inputs ``X (n_obs, inputs)``::

    forward:   Z[l] = A[l-1] @ W[l].T + b[l]            (n_obs, n_l)
               A[l] = g_l(Z[l])
    output:    delta[L] = g_L'(Z[L]) * dR/dA[L]          (the loss derivative, per observation)
    backward:  delta[l] = g_l'(Z[l]) * (delta[l+1] @ W[l+1])
    gradient:  dR/dW[l] = delta[l].T @ A[l-1]            (n_l, n_{l-1})
               dR/db[l] = delta[l].sum(0)                (n_l,)

``W[l]`` is ``(n_l, n_{l-1})``: row j holds the weights w(l)[j,k] into node j of layer l, so
``delta[l]`` is dR/dz(l) with one row per observation. When a loss comes with its own output
activation (softmax with cross_entropy, sigmoid with binary_cross_entropy), g_L' and dR/dA
cancel to ``delta[L] = A[L] - Y``.

``engine.backprop`` computes the same numbers, arranged for speed (node-major arrays, the bias
folded into the matrix product); ``tests/engine/test_lecture_backprop.py`` checks that both agree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.activations import get_activation
from engine.losses import get_loss
from engine.network import Network


@dataclass(frozen=True)
class LecturePass:
    """What one forward and backward pass computes, indexed by layer as in the lecture.

    ``Z[l]``, ``A[l]``, ``delta[l]``: ``(n_obs, n_l)`` for l = 1..L (``A[0]`` = the inputs,
    ``Z[0]`` and ``delta[0]`` None); ``dW[l]`` ``(n_l, n_{l-1})`` and ``db[l]`` ``(n_l,)`` for
    l = 1..L (index 0 None); ``R``: the loss summed over the observations.
    """

    Z: list
    A: list
    delta: list
    dW: list
    db: list
    R: float

    @property
    def gradient(self) -> np.ndarray:
        """dR/d theta ``(n_params,)`` in the network's order: node by node, its weights then its bias."""
        return np.concatenate([np.column_stack([dW, db]).ravel()
                               for dW, db in zip(self.dW[1:], self.db[1:])])


def forward_pass(net: Network, X: np.ndarray) -> tuple[list, list]:
    """``(Z, A)`` for ``X (n_obs, inputs)``: ``Z[l] = A[l-1] @ W[l].T + b[l]``, ``A[l] = g_l(Z[l])``."""
    Z: list = [None]
    A: list = [np.asarray(X, dtype=np.float64)]
    for layer in net.layers:
        g = get_activation(layer.activation)
        Z.append(A[-1] @ layer.W.T + layer.b)
        A.append(g(Z[-1]))
    return Z, A


def output_delta(net: Network, loss_name: str, Z_L: np.ndarray, A_L: np.ndarray,
                 Y: np.ndarray) -> np.ndarray:
    """delta[L] = dR/dZ[L] ``(n_obs, n_out)`` from the loss derivative dR/dA[L] and g_L'(Z[L])."""
    loss = get_loss(loss_name)
    g = get_activation(net.layers[-1].activation)
    if loss.output_activation == g.name:
        return A_L - Y  # g_L'(Z) * dR/dA simplifies to a - y for a loss on its own output
    return g.grad(Z_L, A_L) * loss.grad(A_L, Y)


def backward_pass(net: Network, X: np.ndarray, Y: np.ndarray, loss_name: str = "sse") -> LecturePass:
    """Forward, then the deltas from the output back to layer 1, then every layer's gradient.

    ``X (n_obs, inputs)``; ``Y (n_obs, n_out)``: targets as the loss reads them (one-hot rows for
    cross_entropy, see ``engine.losses.prepare_targets``); ``loss_name``: a loss from ``engine.losses``.
    """
    L = net.depth
    Z, A = forward_pass(net, X)
    delta: list = [None] * (L + 1)
    delta[L] = output_delta(net, loss_name, Z[L], A[L], Y)
    for l in range(L - 1, 0, -1):
        g = get_activation(net.layers[l - 1].activation)
        W_next = net.layers[l].W
        delta[l] = g.grad(Z[l], A[l]) * (delta[l + 1] @ W_next)
    dW = [None] + [delta[l].T @ A[l - 1] for l in range(1, L + 1)]
    db = [None] + [delta[l].sum(axis=0) for l in range(1, L + 1)]
    R = float(get_loss(loss_name).per_obs(A[L], Y).sum())
    return LecturePass(Z, A, delta, dW, db, R)


__all__ = ["LecturePass", "backward_pass", "forward_pass", "output_delta"]
