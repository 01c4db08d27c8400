"""Learning-rate schedules: how far each optimizer update goes along the step its rule proposes.

``constant``: lr every update; ``decay``: lr_i = lr / (1 + k i), i = number of updates
already taken; ``backtracking``: Armijo line search, applied by the session through
:func:`armijo_backtracking` because it needs the objective. An
``engine.optimizers.OptimizerSpec`` names its schedule and holds ``decay_k``, ``armijo_c``
and ``shrink``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable

import numpy as np

if TYPE_CHECKING:
    from engine.optimizers import OptimizerSpec

SCHEDULE_NAMES = ("constant", "decay", "backtracking")


def scheduled_lr(spec: OptimizerSpec, t: int) -> float:
    """Learning rate for update number ``t + 1`` (``t`` updates already taken)."""
    if spec.schedule == "decay":
        return spec.lr / (1.0 + spec.decay_k * t)
    return spec.lr


@dataclass(frozen=True)
class Trial:
    """One trial of the line search: the fraction ``t`` of the proposed step, f there
    (``value``), the Armijo bound f(x) + c t grad.delta it had to meet (``bound``), and
    whether it met it (``accepted``)."""

    t: float
    value: float
    bound: float
    accepted: bool


def armijo_trials(f: Callable[[np.ndarray], float], theta: np.ndarray, value: float,
                  grad: np.ndarray, delta: np.ndarray, c: float = 1e-4, shrink: float = 0.5,
                  max_halvings: int = 60) -> tuple[float, tuple[Trial, ...]]:
    """Armijo backtracking with its trials: the largest ``t = shrink^k`` with
    f(theta + t delta) <= f + c t grad.delta, and every trial in the order tried (the last one
    accepted). ``t = 0.0`` when none was (no trial at all when delta is not a descent direction)."""
    slope = float(np.vdot(grad, delta))
    if not slope < 0:
        return 0.0, ()
    t = 1.0
    trials = []
    with np.errstate(all="ignore"):
        for _ in range(max_halvings):
            trial = float(f(theta + t * delta))
            bound = value + c * t * slope
            ok = math.isfinite(trial) and trial <= bound
            trials.append(Trial(t, trial, bound, ok))
            if ok:
                return t, tuple(trials)
            t *= shrink
    return 0.0, tuple(trials)


def armijo_backtracking(f: Callable[[np.ndarray], float], theta: np.ndarray, value: float,
                        grad: np.ndarray, delta: np.ndarray, c: float = 1e-4, shrink: float = 0.5,
                        max_halvings: int = 60) -> tuple[float, int]:
    """Armijo backtracking: the largest ``t = shrink^k`` with f(theta + t delta) <= f + c t grad.delta.

    ``delta`` is the full step the optimizer proposed (a descent direction times lr).
    Returns ``(t, evaluations)``; ``t = 0.0`` when no acceptable step was found (the
    direction is not a descent direction, e.g. Newton at a maximum).
    """
    t, trials = armijo_trials(f, theta, value, grad, delta, c, shrink, max_halvings)
    return t, len(trials)


__all__ = ["SCHEDULE_NAMES", "Trial", "armijo_backtracking", "armijo_trials", "scheduled_lr"]
