"""Basins of attraction: which minimum a run started at each point reaches with a given method.

The 1-D workspace colours the x axis by these labels, so a class can see at a glance that the
lecture's quartic has a local and a global minimum and which starts end where. Every label comes
from a real :class:`engine.descent.DescentSession` run, so the map agrees with the Step button.
For a typed formula the minima are not known in advance: they are discovered from the runs
themselves (a converged end point where the curvature is positive).
"""

from __future__ import annotations

import numpy as np

from engine.descent import DescentSession
from engine.optimizers import OptimizerError, OptimizerSpec, SingularHessianError
from engine.progress import Progress, report
from engine.status import CONVERGED, DIVERGED

#: Label of a start whose run stops elsewhere: a maximum, a saddle, or not settled in time.
ELSEWHERE = -1
#: Label of a start whose run diverges.
DIVERGES = -2


def known_minima(objective) -> np.ndarray:
    """The objective's known minima as ``(m, dim)`` (empty for a typed formula)."""
    points = [np.ravel(point) for point, _value in (objective.minima or ())]
    return np.asarray(points, dtype=np.float64).reshape(len(points), objective.dim)


class BasinMap:
    """Labels starts by the minimum their run reaches; discovers minima when none are known.

    ``label(x0)`` returns an index into ``minima`` (``(m, dim)``, grows while discovering),
    :data:`ELSEWHERE` or :data:`DIVERGES`.
    """

    def __init__(self, objective, spec: OptimizerSpec, tol: float = 1e-6, max_iter: int = 300,
                 capture: float = 1e-2) -> None:
        self.objective = objective
        self.spec = spec
        self.tol = tol
        self.max_iter = max_iter
        self.capture = capture
        self.minima = known_minima(objective)
        self.discovering = self.minima.shape[0] == 0

    def label(self, x0: np.ndarray) -> int:
        """Run from ``x0`` and say where it ends (see the class docstring)."""
        try:
            session = DescentSession(self.objective, np.atleast_1d(x0), self.spec,
                                     tol=self.tol, max_iter=self.max_iter)
            session.step(self.max_iter)
        except (OptimizerError, SingularHessianError, ArithmeticError, ValueError):
            return DIVERGES
        if session.status.state == DIVERGED:
            return DIVERGES
        x = np.ravel(session.current.x)
        if not np.all(np.isfinite(x)):
            return DIVERGES
        j = self._nearest(x)
        if j >= 0:
            return j
        if self.discovering and session.status.state == CONVERGED \
                and session.stationary_kind(x) == "minimum":
            self.minima = np.vstack([self.minima, x[None, :]])
            return self.minima.shape[0] - 1
        return ELSEWHERE

    def _nearest(self, x: np.ndarray) -> int:
        if self.minima.shape[0] == 0:
            return ELSEWHERE
        distance = np.linalg.norm(self.minima - x, axis=1)
        j = int(np.argmin(distance))
        radius = self.capture * max(1.0, float(np.linalg.norm(self.minima[j])))
        return j if distance[j] < radius else ELSEWHERE


def basin_labels(objective, spec: OptimizerSpec, starts: np.ndarray, tol: float = 1e-6,
                 max_iter: int = 300, progress: Progress = None) -> tuple[np.ndarray, np.ndarray]:
    """Label every row of ``starts`` ``(n, dim)``; returns ``(labels (n,), minima (m, dim))``.

    ``progress`` (``engine.progress``) hears the fraction of starts done and may raise ``Cancelled``.
    """
    basins = BasinMap(objective, spec, tol, max_iter)
    starts = np.asarray(starts, dtype=np.float64)
    labels = np.empty(len(starts), dtype=np.int64)
    for i, x0 in enumerate(starts):
        labels[i] = basins.label(x0)
        report(progress, (i + 1) / len(starts))
    return labels, basins.minima
