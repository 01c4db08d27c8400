"""The records of a descent run: one frozen :class:`Iterate` per iteration, and the history view.

A :class:`engine.descent.DescentSession` keeps its history in preallocated columns; these records
are read-only views of them, built when asked for, so they compare equal but are not the same object.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from engine.optimizers import OptState
from engine.schedules import Trial

if TYPE_CHECKING:
    from engine.descent import DescentSession


@dataclass(frozen=True, eq=False)
class Iterate:
    """Iterate number ``index`` of a descent run.

    ``x``, ``gradient``: read-only (dim,) arrays; ``value`` = f(x); ``step`` = x_index -
    x_(index-1) (read-only (dim,), None at 0); ``lr``: the learning rate actually used to
    reach this iterate (the scheduled rate times the line-search factor; for Newton the
    rate multiplying H^-1 grad), None at 0; ``opt_state``: optimizer state after the update.
    ``step_size``: s_i, the step size the update took along -grad f: ``lr`` for first-order
    methods, lr/f''(x_(index-1)) for Newton in 1-D (in 2-D the step's length along -grad per unit
    gradient, -grad.step/|grad|^2); None at 0. ``trials``: the backtracking line search's trial
    steps in the order tried, the last accepted (empty without backtracking).
    """

    index: int
    x: np.ndarray
    value: float
    gradient: np.ndarray
    step: np.ndarray | None
    lr: float | None
    opt_state: OptState
    step_size: float | None = None
    trials: tuple[Trial, ...] = ()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Iterate):
            return NotImplemented
        return (self.index == other.index and _same(self.x, other.x)
                and _same_float(self.value, other.value) and _same(self.gradient, other.gradient)
                and _same(self.step, other.step) and self.lr == other.lr
                and self.opt_state == other.opt_state and self.trials == other.trials
                and (self.step_size == other.step_size
                     or _same_float(self.step_size or 0.0, other.step_size or 0.0)))

    __hash__ = None  # type: ignore[assignment]


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return np.array_equal(a, b, equal_nan=True)


def _same_float(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def row(buf: np.ndarray, k: int) -> np.ndarray:
    """Row ``k`` of a history column as a read-only view."""
    view = buf[k]
    view.flags.writeable = False
    return view


class History(Sequence):
    """Read-only sequence of a session's computed iterates, built on access."""

    def __init__(self, session: "DescentSession") -> None:
        self._session = session

    def __getitem__(self, i):  # type: ignore[override]
        n = self._session._n
        if isinstance(i, slice):
            return [self._session._iterate(k) for k in range(*i.indices(n))]
        k = i + n if i < 0 else i
        if not 0 <= k < n:
            raise IndexError(f"iteration {i} has not been computed (0..{n - 1})")
        return self._session._iterate(k)

    def __len__(self) -> int:
        return self._session._n


__all__ = ["History", "Iterate", "row"]
