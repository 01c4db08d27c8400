"""L2 weight decay as a term of R: R = (the loss over the batch) + lambda/2 * sum of every weight squared.

Biases are not decayed. The term adds ``lambda * w(l)[j,k]`` to the gradient of every weight and
nothing to a bias's, once per update (not per observation): with plain gradient descent an update
is ``w <- w - lr (dR_data/dw + lambda w)``, which is ``torch.optim.SGD(weight_decay=lambda)`` applied
to the weights only. ``lambda`` is the scenario's ``weight_decay`` (0 by default, no term). This module
is the rule's one home: the kernel (``engine.backprop``) adds :func:`penalty` and :func:`gradient`,
the chain rule shows :func:`decay_factor` as a term of its own, and the nudge table
(``engine.nudge``) its column.
"""

from __future__ import annotations

import math

import numpy as np

from engine.network import Network
from engine.notation import Derivative, Inline, Math, Symbol

#: The symbol of the decay term of R in the chain rule and the tables: R_decay.
R_DECAY = Symbol("R", None, ("decay",))
LAMBDA = Symbol("lambda")


def check_weight_decay(value: float) -> float:
    """``value`` as a finite float >= 0 (ValueError otherwise)."""
    value = float(value)
    if not (math.isfinite(value) and value >= 0):
        raise ValueError(f"weight decay must be a finite number >= 0, got {value}")
    return value


def weight_mask(net: Network) -> np.ndarray:
    """Read-only ``(n_params,)`` bool in theta order: True for a weight, False for a bias."""
    parts = []
    for l in range(1, net.depth + 1):
        block = np.ones((net.sizes[l], net.sizes[l - 1] + 1), dtype=bool)
        block[:, -1] = False  # each node's last entry is its bias
        parts.append(block.ravel())
    mask = np.concatenate(parts)
    mask.setflags(write=False)
    return mask


def penalty(theta: np.ndarray, mask: np.ndarray, lam: float) -> float:
    """lambda/2 * sum of the weights squared (0.0 when ``lam`` is 0)."""
    if not lam:
        return 0.0
    w = theta[mask]
    return 0.5 * lam * float(w.dot(w))


def gradient(theta: np.ndarray, mask: np.ndarray, lam: float) -> np.ndarray:
    """d(penalty)/d theta ``(n_params,)``: lambda * w for every weight, 0 for every bias."""
    return np.where(mask, lam * theta, 0.0)


def decay_factor(parameter: Symbol, weight: float, lam: float) -> tuple[Derivative, float, Inline, Inline]:
    """(symbol, value, meaning, expression) of the decay term dR_decay/dw = lambda * w of one weight."""
    value = lam * weight
    meaning: Inline = ("weight decay, ", Math("d/dw (lambda/2 · w²) = "), LAMBDA, Math(" · "), parameter,
                       Math(" = "), lam, Math(" · "), weight)
    return Derivative(R_DECAY, parameter), value, meaning, (lam, Math(" · "), weight)


__all__ = ["LAMBDA", "R_DECAY", "check_weight_decay", "decay_factor", "gradient", "penalty", "weight_mask"]
