"""What a descent run's status says in words: the kind of point it stopped at, and why it blew up.

- :func:`stationary_kind`: minimum, maximum, saddle point or inflection, from f'' or the
  Hessian's eigenvalues, and from f at nearby points where they are ~0 (x^4 at 0).
- :func:`converged_text`: "converged to the global minimum at x = ... after 17 iterations", with
  the curvature that makes a maximum or saddle point one, and a word on Newton-Raphson.
- :func:`divergence_advice`: the stability limit of the step size, c/f''(x*) for a fixed step
  (c = 2 for gradient descent, 2(1 + mu) for momentum: the optimizer's ``stable_factor``), at
  the nearest known minimum or where the run was.
- :func:`cycle_status`: why a bouncing or cycling run stopped: the stability limit c/f''(x*) at
  the minimum it bounces around, and a step size that would settle (:func:`suggest_step`).
- :func:`no_descent_status`, :func:`stall_status`, :func:`max_iter_status`: the other *stopped*
  runs (no step found by the line search, a step that no longer moves x, the iteration limit).
- :func:`describe_status`: the status bar's sentence about the run at the cursor.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from engine import optimizers
from engine.functions import Objective
from engine.numbers import format_number, format_vector
from engine.status import CONVERGED, DIVERGED, STOPPED, Status

if TYPE_CHECKING:
    from engine.descent import DescentSession, Iterate

#: Curvatures closer to 0 than this are "flat": the Hessian cannot classify the point.
FLAT = 1e-7


def fmt_point(x: np.ndarray) -> str:
    """A point in the status text, one figure more than the tables so nearby iterates differ."""
    return format_vector(np.ravel(x), 5)


def _newton(session: DescentSession) -> bool:
    """True when the session's optimizer is second order (Newton-Raphson)."""
    return optimizers.get_optimizer(session.spec.name).needs_hessian


def stationary_kind(objective: Objective, x: np.ndarray) -> str:
    """"minimum", "maximum", "saddle point" or "inflection" for a stationary point ``x (dim,)``.

    From f'' (1-D) or the Hessian's eigenvalues (2-D); where they are ~0 (e.g. x^4 at
    0) the kind is read from f at nearby points instead.
    """
    x = np.asarray(x, dtype=np.float64)
    with np.errstate(all="ignore"):
        hess = objective.hessian(x)
        if np.all(np.isfinite(hess)):
            eig = np.linalg.eigvalsh(hess)
            if eig[0] > FLAT:
                return "minimum"
            if eig[-1] < -FLAT:
                return "maximum"
            if eig[0] < -FLAT and eig[-1] > FLAT:
                return "saddle point"
        return _probe_kind(objective, x)


def _probe_kind(objective: Objective, x: np.ndarray) -> str:
    """The kind of stationary point ``x`` read from f on a small circle (1-D: two points) around it."""
    f0 = objective.value(x)
    r = 1e-2 * max(1.0, float(np.max(np.abs(x))))
    if objective.dim == 1:
        dirs = np.array([[1.0], [-1.0]])
    else:
        angles = np.linspace(0.0, 2 * np.pi, 16, endpoint=False)
        dirs = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    diffs = objective.values(x + r * dirs) - f0
    slack = 1e-12 * max(1.0, abs(f0))
    if np.all(diffs >= -slack):
        return "minimum"
    if np.all(diffs <= slack):
        return "maximum"
    return "inflection" if objective.dim == 1 else "saddle point"


def describe_status(session: DescentSession) -> str:
    """One sentence for the status bar about the run at the cursor ("ready" at the start point,
    where nothing has run yet)."""
    status = session.status
    if status.reason:
        return status.reason
    it = session.current
    if session.objective.dim == 1:
        grad = f"f'(x) = {format_number(float(it.gradient[0]), 4)}"
    else:
        grad = f"|grad f| = {format_number(float(np.linalg.norm(it.gradient)), 3)}"
    state = "ready" if it.index == 0 else "running"
    return (f"{state}: iteration {it.index}, x = {fmt_point(it.x)}, "
            f"f = {format_number(it.value, 4)}, {grad}")


def converged_text(session: DescentSession, it: Iterate) -> str:
    """Why the run converged at iterate ``it``: the kind of point, where, and after how many steps."""
    objective = session.objective
    kind = stationary_kind(objective, it.x)
    where = f"at x = {fmt_point(it.x)} (f = {format_number(it.value, 4)})"
    after = f"after {it.index} iteration{'s' if it.index != 1 else ''}"
    if kind == "minimum":
        return f"converged to {_minimum_name(objective, it.x)} {where} {after}"
    newton = ": Newton-Raphson finds stationary points, not only minima" if _newton(session) \
        else ": the gradient is zero there, but it is not a minimum"
    hess = objective.hessian(it.x)
    if kind == "maximum":
        if objective.dim == 1:
            curv = f"f'' = {format_number(float(hess[0, 0]), 3)} < 0"
        else:
            top = float(np.linalg.eigvalsh(hess)[-1])
            curv = f"largest Hessian eigenvalue {format_number(top, 3)} < 0"
        return (f"converged to a local maximum at x = {fmt_point(it.x)} ({curv}) "
                f"{after}{newton}")
    if kind == "saddle point":
        eig = np.linalg.eigvalsh(hess) if np.all(np.isfinite(hess)) else None
        curv = (f" (Hessian eigenvalues {format_number(float(eig[0]), 3)} and "
                f"{format_number(float(eig[-1]), 3)})" if eig is not None else "")
        return f"converged to a saddle point at x = {fmt_point(it.x)}{curv} {after}{newton}"
    return (f"converged to an inflection point at x = {fmt_point(it.x)} (f'' = 0, neither a "
            f"minimum nor a maximum) {after}{newton}")


def _minimum_name(objective: Objective, x: np.ndarray) -> str:
    """"the global minimum", "the minimum" or "a local minimum", from the objective's known minima."""
    best = objective.global_minimum
    if best is None:
        return "a local minimum"
    nearest = min(objective.minima, key=lambda m: float(np.linalg.norm(m[0] - x)))
    close = float(np.linalg.norm(nearest[0] - x)) <= 1e-3 * (1.0 + float(np.linalg.norm(x)))
    if close and nearest[1] <= best[1]:
        return "the global minimum" if len(objective.minima) > 1 else "the minimum"
    return "a local minimum"


def divergence_advice(session: DescentSession, last: Iterate) -> str:
    """Why the run may have blown up after iterate ``last``, with the stability limit of the step size."""
    if _newton(session):
        return (" — Newton's step lr·H⁻¹·grad is huge where the curvature is near 0; "
                "start closer to a minimum or add damping")
    factor = _stability_factor(session)
    if factor is None:
        return "; try a smaller learning rate"
    objective = session.objective
    lr = session.spec.lr
    one_d = objective.dim == 1
    name = "f''" if one_d else "λmax"
    limit_at = _reference_curvature(objective, last)
    if limit_at is None:
        return "; try a smaller learning rate"
    where, point, curvature = limit_at
    limit = factor / curvature
    # the factor is a constant of the stability formula (2, 2(1 + mu)): written as the formula has it
    expr = f"{factor:.3g}/{name}({'x*' if where == 'minimum' else 'x'})"
    place = (f"at the minimum x* = {fmt_point(point)}" if where == "minimum"
             else f"at x = {fmt_point(point)}")
    hint = "" if one_d else " (λmax = largest eigenvalue of the Hessian)"
    if lr > limit:
        return (f" — the step {lr:g} is above the stability limit {expr} = {format_number(limit, 3)} "
                f"{place}{hint}; try a smaller learning rate")
    start_curv = _curvature(objective, session.start)
    if start_curv is not None and start_curv > 0 and lr > factor / start_curv:
        return (f" — the step {lr:g} is below the stability limit {expr} = {format_number(limit, 3)} "
                f"{place}, but the surface is steeper where the run started: "
                f"{factor:.3g}/{name}(x0) = {format_number(factor / start_curv, 3)}{hint}; try a "
                "smaller learning rate or a start closer to the minimum")
    return "; try a smaller learning rate"


def _stability_factor(session: DescentSession) -> float | None:
    """c such that a fixed step lr is stable on curvature λ when lr < c/λ."""
    spec = session.spec
    factor = optimizers.get_optimizer(spec.name).stable_factor
    if spec.schedule == "backtracking" or factor is None:
        return None
    return factor(spec.params)


def _curvature(objective: Objective, x: np.ndarray) -> float | None:
    """The Hessian's largest eigenvalue at ``x``, or None where the Hessian is not finite."""
    hess = objective.hessian(x)
    if not np.all(np.isfinite(hess)):
        return None
    return float(np.linalg.eigvalsh(hess)[-1])


def _reference_curvature(objective: Objective, last: Iterate) -> tuple[str, np.ndarray, float] | None:
    """(kind, point, λmax) at the known minimum nearest ``last`` with positive curvature,
    else at ``last`` itself (the last finite iterate)."""
    candidates = []
    for point, _ in objective.minima:
        c = _curvature(objective, point)
        if c is not None and c > FLAT:
            candidates.append((float(np.linalg.norm(point - last.x)), point, c))
    if candidates:
        _, point, c = min(candidates, key=lambda t: t[0])
        return "minimum", point, c
    c = _curvature(objective, last.x)
    if c is not None and c > FLAT:
        return "last", last.x, c
    return None


def diverged_status(session: DescentSession, it: Iterate, why: str, detail: str = "") -> Status:
    """The *diverged* status after iterate ``it``: ``why`` is "singular" (Newton's Hessian, with the
    error ``detail``) or "update" (the next x is not finite), both from ``it``; or, at ``it`` itself,
    "value" (f not finite), "gradient" (not finite) or "bound" (|x| beyond the session's bound)."""
    k, x = it.index, it.x
    if why == "singular":
        return Status(DIVERGED, f"stopped at iteration {k}: {detail} (x = {fmt_point(x)})", k)
    if why == "update":
        return Status(DIVERGED, f"diverged at iteration {k + 1}: the update from x = {fmt_point(x)} "
                      f"is not finite{divergence_advice(session, it)}", k)
    advice = divergence_advice(session, session.history[k - 1]) if k > 0 else ""
    if why == "value":
        what = (f"f became {'infinite' if math.isinf(it.value) else 'undefined (NaN)'} at x = "
                f"{fmt_point(x)}")
    elif why == "gradient":
        what = f"the gradient is not finite at x = {fmt_point(x)}"
    else:
        what = f"|x| exceeded {session.bound:g}"
    return Status(DIVERGED, f"diverged at iteration {k}: {what}{advice}", k)


def no_descent_status(session: DescentSession, it: Iterate, delta: np.ndarray,
                      trials: tuple = ()) -> Status:
    """The status when the line search finds no step from iterate ``it`` along ``delta (dim,)``."""
    k = it.index
    if math.sqrt(float(np.dot(delta, delta))) < session.tol and \
            math.sqrt(float(np.dot(it.gradient, it.gradient))) < session.tol:
        return Status(CONVERGED, converged_text(session, it), k)
    if trials:
        why = (f"none of its {len(trials)} trial steps (down to t = {trials[-1].t:.3g} of the "
               "proposed step) lowers f enough to meet the Armijo condition")
    else:
        why = ("the optimizer's direction does not go downhill (not a descent direction"
               + (": Newton is heading for a maximum or saddle point" if _newton(session) else "")
               + ")")
    return Status(STOPPED, f"stopped at iteration {k}: the line search found no step — {why}", k)


def stall_status(session: DescentSession, it: Iterate, grad_norm: float) -> Status:
    """Stopped: the update no longer changes x (below floating-point resolution) though |grad| >= tol."""
    why = ("the line search can no longer see f decrease (the changes are below f's rounding "
           "error), so it shrank the step to nothing" if session.spec.schedule == "backtracking"
           else "the step is below the resolution of x")
    return Status(STOPPED, f"stopped at iteration {it.index} at x = {fmt_point(it.x)} (f = "
                  f"{format_number(it.value, 4)}): the step no longer changes x although |grad| = "
                  f"{format_number(grad_norm, 3)} is above the tolerance {session.tol:g} — {why}",
                  it.index)


def max_iter_status(session: DescentSession, it: Iterate, grad_norm: float, step_norm: float) -> Status:
    """Stopped at the iteration limit, with what is still not small."""
    tiny = (f"; the steps have shrunk to {format_number(step_norm, 3)} while the gradient has not"
            if step_norm < session.tol <= grad_norm else "")
    return Status(STOPPED, f"stopped after {session.max_iter} iterations (max_iter) without "
                  f"converging: f = {format_number(it.value, 4)}, |grad| = "
                  f"{format_number(grad_norm, 3)}{tiny}", it.index)


def suggest_step(limit: float) -> float:
    """A round step size safely below the stability ``limit``: 0.8 limit to one figure, below it."""
    v = 0.8 * limit
    scale = 10.0 ** math.floor(math.log10(v))
    nice = round(v / scale) * scale
    return nice if nice < limit else math.floor(v / scale) * scale


def cycle_status(session: DescentSession, k: int, points: np.ndarray, period: int | None) -> Status:
    """Stopped at iterate ``k``: the iterates ``points (m, dim)`` bounce (``period`` None) or repeat a
    cycle of ``period``, named with the stability limit at the nearby minimum and a step that settles."""
    objective = session.objective
    one_d = objective.dim == 1
    if period is None:
        if one_d:
            lo, hi = float(points[:, 0].min()), float(points[:, 0].max())
            what = (f"the iterates bounce back and forth between x = {format_number(lo, 4)} and "
                    f"{format_number(hi, 4)}")
        else:
            what = "the iterates bounce back and forth across the valley"
    else:
        shown = ", ".join(fmt_point(p) for p in points[:4]) + (", …" if len(points) > 4 else "")
        what = f"the iterates repeat a cycle of {period} points ({shown})"
    centre = points.mean(axis=0)
    text = f"stopped at iteration {k}: {what}"
    if _newton(session):
        return Status(STOPPED, text + " — Newton's quadratic model does not fit f over these steps; "
                      "add damping, use backtracking or start closer to a minimum", k)
    factor = _stability_factor(session)
    ref = _curvature_near(objective, centre)
    if ref is None:
        return Status(STOPPED, text + "; try a smaller learning rate", k)
    where, point, curvature = ref
    place = (f"{_minimum_name(objective, point).replace('a local', 'the local')} x* = {fmt_point(point)}"
             if where == "minimum" else f"x = {fmt_point(point)}")
    text += f" around {place}" + (" without settling" if period is None else "")
    name = "f''" if one_d else "λmax"
    arg = "x*" if where == "minimum" else "x"
    lr = session.spec.lr
    if factor is None:
        title = optimizers.get_optimizer(session.spec.name).title
        return Status(STOPPED, text + f" — {title}'s steps do not shrink near the minimum at lr "
                      f"{lr:g}; try a smaller learning rate", k)
    limit = factor / curvature
    expr = f"{factor:.3g}/{name}({arg}) = {format_number(limit, 3)}"
    relation = (f"above the stability limit {expr}" if lr > limit
                else f"just below the stability limit {expr}, so the bouncing dies out only very slowly")
    hint = "" if one_d else " (λmax = largest eigenvalue of the Hessian)"
    return Status(STOPPED, f"{text} — the step s = {lr:g} is {relation} there{hint}; try s = "
                  f"{suggest_step(limit):g}", k)


def _curvature_near(objective: Objective, x: np.ndarray) -> tuple[str, np.ndarray, float] | None:
    """(kind, point, λmax) at the known minimum nearest ``x`` with positive curvature, else at ``x``."""
    candidates = []
    for point, _ in objective.minima:
        c = _curvature(objective, point)
        if c is not None and c > FLAT:
            candidates.append((float(np.linalg.norm(point - x)), point, c))
    if candidates:
        _, point, c = min(candidates, key=lambda t: t[0])
        return "minimum", np.asarray(point), c
    c = _curvature(objective, x)
    if c is not None and c > FLAT:
        return "point", x, c
    return None


__all__ = ["FLAT", "converged_text", "cycle_status", "describe_status", "divergence_advice", "diverged_status",
           "fmt_point", "max_iter_status", "no_descent_status", "stall_status", "stationary_kind",
           "suggest_step"]
