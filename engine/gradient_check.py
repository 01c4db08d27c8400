"""The gradient check: back-propagated dR/d theta beside a central finite difference.

``finite_difference_check(net, X, Y, loss="sse", h=1e-6) -> FDCheck`` compares, entry by entry,
the gradient of ``engine.backprop`` with (R(theta + h e_p) - R(theta - h e_p)) / 2h, which uses
forward passes only, so a wrong backward pass shows as a large relative error. ``progress``
(``engine.progress``) is called after each parameter and may raise ``Cancelled``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from engine.backprop import GradientKernel, _as_inputs
from engine.losses import Loss, prepare_targets
from engine.network import Network
from engine.pass_record import _ro
from engine.progress import Progress, report


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
                            names: Sequence[str] | None = None, progress: Progress = None,
                            weight_decay: float = 0.0) -> FDCheck:
    """Compare dR/d theta by back propagation with (R(theta + h e_p) - R(theta - h e_p)) / 2h.

    ``names``: check only these parameters (default: all, in theta order); each costs two
    forward passes over all observations, so a panel on a large network should pass a few.
    ``weight_decay``: lambda of R's term lambda/2 sum w^2 (``engine.weight_decay``).
    """
    if not (h > 0 and math.isfinite(h)):
        raise ValueError(f"finite-difference step h must be > 0, got {h}")
    kernel = GradientKernel(net, loss, weight_decay)
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
        report(progress, (i + 1) / len(index))
    floor = 1e-4 * (1.0 + abs(value))
    with np.errstate(all="ignore"):
        rel = np.abs(bp - num) / np.maximum(np.maximum(np.abs(bp), np.abs(num)), floor)
    return FDCheck(names, _ro(bp), _ro(num), _ro(rel),
                   float(np.max(rel)) if rel.size else 0.0, float(h))


__all__ = ["FDCheck", "finite_difference_check"]
