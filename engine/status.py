"""Run status shared by the function and network sessions: running, converged, diverged or stopped."""

from __future__ import annotations

from dataclasses import dataclass

RUNNING = "running"
CONVERGED = "converged"
DIVERGED = "diverged"
#: The run cannot usefully go on: a detected cycle or persistent bouncing, a line search that
#: finds no step, the iteration limit, a gradient that vanished through saturation.
STOPPED = "stopped"
STATES = (RUNNING, CONVERGED, DIVERGED, STOPPED)


@dataclass(frozen=True)
class Status:
    """Where a run stands, with the reason in words for the status bar and the trace.

    ``state`` is one of ``running``, ``converged``, ``diverged``, ``stopped``; ``reason`` is a sentence
    such as "loss became infinite at iteration 6 - try a smaller learning rate";
    ``iteration`` is the iterate at which the state was reached.
    """

    state: str = RUNNING
    reason: str = ""
    iteration: int = 0

    @property
    def finished(self) -> bool:
        return self.state != RUNNING
