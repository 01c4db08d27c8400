"""Whether a network whose gradient vanished has really converged, or only saturated.

At a huge learning rate a sigmoid or tanh layer can be driven so far out that g'(z) is ~0 for
every unit and observation: the back-propagated gradient then vanishes although the fit is poor.
That is a plateau, not a minimum, and the run is *stopped* with that said, not *converged*.
A saturated layer with an exact fit (every residual ~0) is still a minimum of R.
"""

from __future__ import annotations

import math

import numpy as np

from engine.activations import get_activation
from engine.backprop import GradientKernel
from engine.numbers import format_number
from engine.status import CONVERGED, STOPPED, Status

#: A unit is saturated when |g'(z)| is below this for every observation.
SATURATED_SLOPE = 1e-6
#: Residuals this small are an exact fit: a vanished gradient there is a true minimum.
EXACT_FIT = 1e-6


def saturated_layers(kernel: GradientKernel, theta: np.ndarray, X: np.ndarray,
                     Y: np.ndarray) -> list[tuple[int, str, float]]:
    """``(layer, activation, max |g'(z)|)`` for each layer whose every unit is saturated on ``X``."""
    rec = kernel.record(theta, X, Y)
    found = []
    for layer, name in enumerate(kernel.network.activations, start=1):
        act = get_activation(name)
        if not act.elementwise or name == "identity":
            continue
        with np.errstate(all="ignore"):
            slope = float(np.max(np.abs(act.grad(rec.z[layer], rec.a[layer]))))
        if slope < SATURATED_SLOPE:
            found.append((layer, name, slope))
    return found


def judge_vanished_gradient(kernel: GradientKernel, theta: np.ndarray, X: np.ndarray, Y: np.ndarray,
                            iteration: int, tol: float) -> Status:
    """The status of a run whose full-data gradient norm fell below ``tol`` at ``iteration``:
    *converged* at a finite point with a real fit or unsaturated units, else *stopped* naming the
    saturated layer (the gradient vanished because g'(z) ~ 0, not because R is at a minimum)."""
    if not np.all(np.isfinite(theta)):
        return Status(STOPPED, f"the gradient vanished at iteration {iteration} at non-finite "
                      "parameters", iteration)
    layers = saturated_layers(kernel, theta, X, Y)
    rec = kernel.record(theta, X, Y)
    residual = float(np.max(np.abs(rec.residual))) if rec.residual.size else 0.0
    if not layers or not math.isfinite(residual) or residual <= EXACT_FIT:
        return Status(CONVERGED, f"gradient below {tol:g} at iteration {iteration}", iteration)
    which = ", ".join(f"layer {layer} ({name})" for layer, name, _ in layers)
    plural = "every unit of " + which
    return Status(STOPPED, (
        f"the gradient vanished at iteration {iteration} (below {tol:g}) only because {plural} "
        f"is saturated: g'(z) < {SATURATED_SLOPE:g} for every observation, so no gradient passes "
        f"through it. This is a plateau, not a minimum (R = {format_number(rec.loss, 4)}, largest "
        f"residual {format_number(residual, 3)}) — try a smaller learning rate"), iteration)


__all__ = ["EXACT_FIT", "SATURATED_SLOPE", "judge_vanished_gradient", "saturated_layers"]
