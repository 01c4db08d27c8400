"""What the descent plots draw to show an optimizer's reasoning, computed here so the GUI only draws.

- :func:`newton_model`: Newton-Raphson's quadratic model at an iterate,
  q(x) = f(x_i) + f'(x_i)(x - x_i) + 1/2 f''(x_i)(x - x_i)^2 (2-D: with the gradient and the
  Hessian), its stationary point (where the step lands for lr 1) and its kind: a concave model
  (f'' < 0) heads for a maximum. :meth:`NewtonModel.contours` gives the 2-D model's isolines' grid.
- :func:`line_search`: the backtracking trials of the update that reached an iterate (points,
  values, accepted or not) and the Armijo line f(x_i) + c f'(x_i)(x - x_i), which in the step
  size s along -f' is f(x_i) - c s f'(x_i)^2.
- :func:`velocity`: a momentum-type optimizer's velocity -m (gradient units, beside -grad f).
- :func:`curvature`: f''(x) in 1-D, the Hessian's eigenvalues in 2-D (the iterate table's column).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.descent_records import Iterate
from engine.functions import Objective
from engine.optimizer_states import state_arrays
from engine.optimizers import OptimizerSpec, get_optimizer

#: Relative level offsets of the 2-D model's isolines, as fractions of f(x_i) - q(x*).
MODEL_LEVELS = (0.05, 0.2, 0.45, 1.0, 1.6, 2.5)


@dataclass(frozen=True)
class NewtonModel:
    """The quadratic model at ``x (dim,)``: value f, ``gradient (dim,)``, ``hessian (dim, dim)``
    (damping added: the model Newton's step minimises). ``stationary`` is x - H^-1 grad, or None
    where H is singular; ``kind`` is "minimum", "maximum", "saddle point" or "flat"."""

    x: np.ndarray
    value: float
    gradient: np.ndarray
    hessian: np.ndarray

    @property
    def eigenvalues(self) -> np.ndarray:
        return np.linalg.eigvalsh(self.hessian)

    @property
    def kind(self) -> str:
        eig = self.eigenvalues
        if eig[0] > 0:
            return "minimum"
        if eig[-1] < 0:
            return "maximum"
        if eig[0] < 0 < eig[-1]:
            return "saddle point"
        return "flat"

    @property
    def concave(self) -> bool:
        """True when the model heads for a maximum (1-D: f'' < 0)."""
        return self.kind == "maximum"

    @property
    def stationary(self) -> np.ndarray | None:
        try:
            if np.linalg.cond(self.hessian) > 1e14:
                return None
            return self.x - np.linalg.solve(self.hessian, self.gradient)
        except np.linalg.LinAlgError:
            return None

    def values(self, points: np.ndarray) -> np.ndarray:
        """q at ``points (n, dim)``."""
        d = np.asarray(points, dtype=np.float64) - self.x
        return self.value + d @ self.gradient + 0.5 * np.einsum("ni,ij,nj->n", d, self.hessian, d)

    def curve(self, xs: np.ndarray) -> np.ndarray:
        """1-D: q at the abscissae ``xs (n,)``."""
        return self.values(np.asarray(xs, dtype=np.float64)[:, None])

    def contours(self, half_width: tuple[float, float], n: int = 61
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """2-D: ``(xs (n,), ys (n,), q (n, n), levels)`` on a box of ``half_width`` around x; the
        levels include the one through x (q = f(x_i))."""
        xs = np.linspace(self.x[0] - half_width[0], self.x[0] + half_width[0], n)
        ys = np.linspace(self.x[1] - half_width[1], self.x[1] + half_width[1], n)
        gx, gy = np.meshgrid(xs, ys)
        q = self.values(np.stack([gx.ravel(), gy.ravel()], axis=1)).reshape(n, n)
        star = self.stationary
        span = abs(self.value - float(self.values(star[None])[0])) if star is not None else 0.0
        if not span > 0:
            span = float(np.ptp(q)) / 4 or 1.0
        if self.kind == "saddle point" or star is None:
            levels = self.value + span * np.array([-2.0, -1.0, -0.4, 0.0, 0.4, 1.0, 2.0])
        else:
            q_star = float(self.values(star[None])[0])
            levels = q_star + (self.value - q_star) * np.array(MODEL_LEVELS)
        return xs, ys, q, np.unique(levels)


def newton_model(objective: Objective, x: np.ndarray, damping: float = 0.0) -> NewtonModel:
    """Newton's quadratic model of ``objective`` at ``x (dim,)`` (Hessian plus ``damping`` I)."""
    x = np.asarray(x, dtype=np.float64).ravel()
    with np.errstate(all="ignore"):
        hess = np.atleast_2d(objective.hessian(x)) + damping * np.eye(x.size)
        return NewtonModel(x, float(objective.value(x)), np.ravel(objective.gradient(x)), hess)


@dataclass(frozen=True)
class LineSearch:
    """The trials of one backtracking update from ``start (dim,)``: ``points (m, dim)`` in the order
    tried with f there (``values (m,)``) and ``accepted (m,)``; ``armijo_x``/``armijo_y`` (1-D) the
    Armijo line f(x_i) + c f'(x_i)(x - x_i) from x_i to the farthest trial."""

    start: np.ndarray
    points: np.ndarray
    values: np.ndarray
    accepted: np.ndarray
    armijo_x: np.ndarray
    armijo_y: np.ndarray


def line_search(before: Iterate, after: Iterate, c: float) -> LineSearch | None:
    """The line search of the update from iterate ``before`` to ``after`` (None without trials)."""
    trials = after.trials
    if not trials or after.step is None:
        return None
    full = np.asarray(after.step) / trials[-1].t        # the step the optimizer proposed
    ts = np.array([tr.t for tr in trials])
    points = before.x + ts[:, None] * full
    values = np.array([tr.value for tr in trials])
    accepted = np.array([tr.accepted for tr in trials])
    if before.x.size == 1:
        ends = np.array([before.x[0], points[0, 0]])
        line = before.value + c * float(before.gradient[0]) * (ends - before.x[0])
    else:
        ends, line = np.array([]), np.array([])
    return LineSearch(before.x, points, values, accepted, ends, line)


def has_velocity(spec: OptimizerSpec) -> bool:
    """True for optimizers whose state carries a velocity (a first moment m)."""
    return "m" in state_arrays(get_optimizer(spec.name).state)


def velocity(it: Iterate) -> np.ndarray | None:
    """The velocity -m of a momentum-type optimizer (momentum, Nesterov, Adam): the running
    average of past gradients that the step follows, in gradient units beside -grad f; else None."""
    m = getattr(it.opt_state, "m", None)
    return None if m is None else -np.asarray(m, dtype=np.float64)


def curvature(objective: Objective, x: np.ndarray) -> np.ndarray:
    """f''(x) as a (1,) array in 1-D; the Hessian's eigenvalues, ascending, in 2-D."""
    with np.errstate(all="ignore"):
        hess = np.atleast_2d(objective.hessian(np.asarray(x, dtype=np.float64)))
    if hess.shape == (1, 1) or not np.all(np.isfinite(hess)):
        return np.diag(hess).copy() if hess.shape == (1, 1) else np.full(hess.shape[0], np.nan)
    return np.linalg.eigvalsh(hess)


__all__ = ["LineSearch", "NewtonModel", "curvature", "has_velocity", "line_search", "newton_model", "velocity"]
