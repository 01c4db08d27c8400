"""Optimizer states: the update count and the rule's running arrays, as frozen values.

Following the optax contract, a rule never keeps anything between updates except in the State it
returns: ``OptState`` holds the update count ``t``; subclasses add read-only float64 arrays shaped
like theta (momentum's buffer, AdaGrad's and RMSProp's squares, Adam's two moments). A session
keeps one per iterate (or replays it), so rewinding is restoring a value, never recomputing history.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache

import numpy as np

from engine.arrays import readonly


@cache
def state_arrays(state_type: type) -> tuple[str, ...]:
    """Names of the array fields of a State type (every field but the count ``t``)."""
    return tuple(f.name for f in fields(state_type) if f.name != "t")


@dataclass(frozen=True, eq=False)
class OptState:
    """State after ``t`` updates; on its own, the state of rules that keep nothing else (gd, Newton).

    Subclasses add the rule's read-only arrays, each shaped like theta; states compare by value.
    """

    t: int = 0

    @classmethod
    def initial(cls, theta: np.ndarray) -> "OptState":
        """The state before the first update: count 0, every array zero, shaped like ``theta``."""
        zeros = readonly(np.zeros_like(np.asarray(theta, dtype=np.float64)))
        return cls(0, **{name: zeros for name in state_arrays(cls)})

    def arrays(self) -> dict[str, np.ndarray]:
        """The state's arrays by field name (empty for a count-only state)."""
        return {name: getattr(self, name) for name in state_arrays(type(self))}

    def next_count(self) -> "OptState":
        """The state one update later, for count-only states (replaying needs no gradient)."""
        assert not state_arrays(type(self)), "only a count-only state advances without a gradient"
        return type(self)(self.t + 1)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OptState):
            return NotImplemented
        return (type(self) is type(other) and self.t == other.t
                and all(_same(a, getattr(other, k)) for k, a in self.arrays().items()))

    __hash__ = None  # type: ignore[assignment]


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Same shape and the same numbers, NaN equal to NaN."""
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


@dataclass(frozen=True, eq=False, kw_only=True)
class MomentumState(OptState):
    """SGD with momentum: ``m`` is the momentum buffer (torch's ``momentum_buffer``, b_t)."""

    m: np.ndarray


@dataclass(frozen=True, eq=False, kw_only=True)
class SquaresState(OptState):
    """``v``: running sum (AdaGrad's ``sum``) or running average (RMSProp's ``square_avg``) of g²."""

    v: np.ndarray


@dataclass(frozen=True, eq=False, kw_only=True)
class AdamState(OptState):
    """Adam and AdamW: first moment ``m`` (``exp_avg``) and second moment ``v`` (``exp_avg_sq``)."""

    m: np.ndarray
    v: np.ndarray


__all__ = ["AdamState", "MomentumState", "OptState", "SquaresState", "state_arrays"]
