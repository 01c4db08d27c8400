"""Runs that will not settle: persistent bouncing and short cycles of the iterates.

- *Bouncing*: every step reverses the previous one (1-D: the sign flips; 2-D: consecutive steps
  point more than 90 degrees apart) for :data:`BOUNCE_WINDOW` iterations, and the steps are not
  getting shorter (the last is at least :data:`NOT_SHRINKING` of the one a window earlier). That is
  gradient descent with a step above the stability limit 2/f''(x*) near a minimum: it bounces
  between two points (a period-2 cycle) or chaotically and never converges.
- *Short cycle*: x_k repeats x_(k-p) for a period p in 2..:data:`MAX_PERIOD` (to a relative
  :data:`CYCLE_RTOL`) while the steps are not small, checked every :data:`CYCLE_EVERY` iterations.

Both are cheap: one counter per iterate and a few comparisons; the words are in
``engine.descent_explain``.
"""

from __future__ import annotations

import numpy as np

BOUNCE_WINDOW = 50
NOT_SHRINKING = 0.98
MAX_PERIOD = 8
CYCLE_EVERY = 4
CYCLE_RTOL = 1e-9


def bounce_count(previous_step: np.ndarray, step: np.ndarray, count: int) -> int:
    """Consecutive reversals ending at this step: ``count + 1`` when it reverses ``previous_step``."""
    return count + 1 if float(np.dot(previous_step, step)) < 0.0 else 0


def bouncing(steps: np.ndarray, counts: np.ndarray, k: int) -> bool:
    """True when iterates up to ``k`` have bounced for a whole window without the steps shrinking."""
    if counts[k] < BOUNCE_WINDOW:
        return False
    last = float(np.linalg.norm(steps[k]))
    earlier = float(np.linalg.norm(steps[k - BOUNCE_WINDOW]))
    return last >= NOT_SHRINKING * earlier


def short_cycle(xs: np.ndarray, steps: np.ndarray, k: int, tol: float) -> int:
    """The period p (2..MAX_PERIOD) with which x_(k-p+1..k) repeat the p iterates before them,
    with no step in the cycle below ``tol``; 0 when there is none (or this k is not checked)."""
    if k % CYCLE_EVERY or k < 2 * MAX_PERIOD:
        return 0
    x = xs[k]
    limit = CYCLE_RTOL * (1.0 + float(np.abs(x).max()))
    # one comparison for every period first: x_k against x_(k-8) .. x_(k-2)
    back = np.abs(xs[k - MAX_PERIOD:k - 1] - x).max(axis=1)
    if not (back <= limit).any():
        return 0
    for p in range(2, MAX_PERIOD + 1):
        if back[MAX_PERIOD - p] > limit:
            continue
        now, before = xs[k - p + 1:k + 1], xs[k - 2 * p + 1:k - p + 1]
        if float(np.max(np.abs(now - before))) > limit:
            continue
        if float(np.min(np.linalg.norm(steps[k - p + 1:k + 1], axis=1))) >= tol:
            return p
    return 0


__all__ = ["BOUNCE_WINDOW", "CYCLE_EVERY", "MAX_PERIOD", "NOT_SHRINKING", "bounce_count", "bouncing",
           "short_cycle"]
