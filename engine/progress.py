"""Progress and cancellation for long engine computations, without any GUI.

A long function (a loss landscape, a finite-difference check, a CSV import) takes an optional
``progress`` callable and calls it with the fraction done, from 0 to 1. The caller's callable may
raise :class:`Cancelled` to stop the work; the engine lets it propagate and leaves nothing half
changed (these functions only compute and return).
"""

from __future__ import annotations

from typing import Callable, Optional

#: ``progress(fraction)``; may raise :class:`Cancelled`.
Progress = Optional[Callable[[float], None]]


class Cancelled(Exception):
    """Raised by a progress callable to stop the computation that called it."""


def report(progress: Progress, fraction: float) -> None:
    """Call ``progress(fraction)`` when there is one (clipped to [0, 1])."""
    if progress is not None:
        progress(min(max(float(fraction), 0.0), 1.0))


__all__ = ["Cancelled", "Progress", "report"]
