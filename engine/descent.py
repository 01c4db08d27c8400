"""Function descent, one iteration at a time, with exact rewind.

A :class:`DescentSession` holds one objective, one start point and one optimizer. Each
iteration applies one optimizer update (``engine.optimizers.update``; Newton gets the
Hessian; the ``backtracking`` schedule shortens the proposed step by Armijo's rule) and
records a frozen :class:`Iterate`. ``back()``/``jump(k)`` move a cursor over the records;
the records beyond the cursor are kept, and stepping forward again re-uses them (the run
is deterministic, so recomputing would give identical records).

Status (``engine.status``): *converged* when |step| < tol or |grad| < tol (Euclidean
norms); *diverged* when f or its gradient is not finite, when max |x_i| > bound, or when
Newton's Hessian is singular; a run never raises on divergence. After ``max_iter``
iterations the status stays *running* with the reason "stopped after ... (max_iter)" and
:attr:`DescentSession.can_step` turns False.

Memory: the history is kept in preallocated float64 columns (x, f, gradient, step, lr,
optimizer moments: about 100 bytes an iterate in 2-D); :class:`Iterate` records are
read-only views built when asked for, so they compare equal but are not the same object.

Plotting contract: every ``x`` in the history is finite (a non-finite update is not
recorded; the status of the last iterate says why the run stopped). A diverged last
iterate may have an infinite or NaN ``value``/``gradient`` and an ``x`` beyond ``bound``;
the GUI drops it from plots when ``status.state == "diverged"``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from engine import optimizers
from engine.arrays import readonly
from engine.functions import Objective
from engine.numbers import format_number, format_vector
from engine.optimizers import OptimizerSpec, OptState, SingularHessianError
from engine.status import CONVERGED, DIVERGED, RUNNING, Status

#: Curvatures closer to 0 than this are "flat": the Hessian cannot classify the point.
FLAT = 1e-7


@dataclass(frozen=True, eq=False)
class Iterate:
    """Iterate number ``index`` of a descent run.

    ``x``, ``gradient``: read-only (dim,) arrays; ``value`` = f(x); ``step`` = x_index -
    x_(index-1) (read-only (dim,), None at 0); ``lr``: the learning rate actually used to
    reach this iterate (the scheduled rate times the line-search factor; for Newton the
    rate multiplying H^-1 grad), None at 0; ``opt_state``: optimizer state after the update.
    """

    index: int
    x: np.ndarray
    value: float
    gradient: np.ndarray
    step: np.ndarray | None
    lr: float | None
    opt_state: OptState

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Iterate):
            return NotImplemented
        return (self.index == other.index and _same(self.x, other.x)
                and _same_float(self.value, other.value) and _same(self.gradient, other.gradient)
                and _same(self.step, other.step) and self.lr == other.lr
                and self.opt_state == other.opt_state)

    __hash__ = None  # type: ignore[assignment]


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return np.array_equal(a, b, equal_nan=True)


def _same_float(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def _row(buf: np.ndarray, k: int) -> np.ndarray:
    view = buf[k]
    view.flags.writeable = False
    return view


class _History(Sequence):
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


def _fmt_point(x: np.ndarray) -> str:
    """A point in the status text, one figure more than the tables so nearby iterates differ."""
    return format_vector(np.ravel(x), 5)


class DescentSession:
    """One descent run: objective, start, optimizer, history of iterates and a cursor.

    ``start``: (dim,) start point; ``spec``: optimizer and schedule; ``tol``: convergence
    tolerance on |step| and |grad|; ``max_iter``: iterations after which stepping stops;
    ``bound``: the run diverges when max |x_i| exceeds it.
    """

    def __init__(self, objective: Objective, start: Sequence[float] | np.ndarray,
                 spec: OptimizerSpec, tol: float = 1e-8, max_iter: int = 10_000,
                 bound: float = 1e6) -> None:
        x0 = readonly(np.reshape(start, -1))
        if x0.shape != (objective.dim,):
            raise ValueError(f"start must have {objective.dim} coordinate(s), got {x0.size}")
        if not np.all(np.isfinite(x0)):
            raise ValueError(f"start must be finite, got {x0.tolist()}")
        if not (math.isfinite(tol) and tol > 0):
            raise ValueError(f"tol must be > 0, got {tol}")
        if int(max_iter) != max_iter or max_iter < 1:
            raise ValueError(f"max_iter must be a whole number >= 1, got {max_iter}")
        if not (math.isfinite(bound) and bound > 0):
            raise ValueError(f"bound must be > 0, got {bound}")
        self.objective = objective
        self.spec = spec
        self.start = x0
        self.tol = float(tol)
        self.max_iter = int(max_iter)
        self.bound = float(bound)
        self._newton = optimizers.get_optimizer(spec.name).needs_hessian
        self._backtracking = spec.schedule == "backtracking"
        self.reset()

    # ------------------------------------------------------------ navigation
    def reset(self) -> Iterate:
        """Forget every iterate but the start; the cursor returns to 0."""
        dim = self.objective.dim
        x0 = self.start.copy()
        with np.errstate(all="ignore"):
            value = self.objective.value(x0)
            grad = self.objective.gradient(x0)
        state = optimizers.init(self.spec, x0)
        # The history lives in preallocated columns (about 100 bytes an iterate); Iterate
        # records are read-only views made on request, so a million steps stay small.
        cap = 256
        self._x = np.empty((cap, dim))
        self._f = np.empty(cap)
        self._g = np.empty((cap, dim))
        self._dx = np.zeros((cap, dim))
        self._lr = np.full(cap, np.nan)
        self._t = np.zeros(cap, dtype=np.int64)
        self._moments = {name: np.empty((cap, dim)) for name in state.arrays()}
        self._x[0], self._f[0], self._g[0] = x0, value, grad
        self._store_state(0, state)
        self._state = state            # optimizer state of the last computed iterate
        self._n = 1                    # number of computed iterates
        self._cursor = 0
        self._special: dict[int, Status] = {}   # every status other than plain "running"
        self._set_status(0, self._status_of(0))
        return self._iterate(0)

    def step(self, n: int = 1) -> Iterate:
        """Move ``n`` iterations forward (fewer if the run finishes); return the current one."""
        with np.errstate(all="ignore"):
            for _ in range(int(n)):
                special = self._special.get(self._cursor)
                if special is not None and special.finished:
                    break
                if self._cursor == self._n - 1 and not self._advance():
                    break
                self._cursor += 1
        return self._iterate(self._cursor)

    def back(self) -> Iterate:
        """One iteration back (restoring that iterate's optimizer state)."""
        if self._cursor > 0:
            self._cursor -= 1
        return self._iterate(self._cursor)

    def jump(self, k: int) -> Iterate:
        """Go to iterate ``k``, computing forward if it has not been reached yet."""
        if k < 0:
            raise ValueError(f"iteration must be >= 0, got {k}")
        if k < self._n:
            self._cursor = int(k)
            return self._iterate(self._cursor)
        self._cursor = self._n - 1
        return self.step(k - self._cursor)

    # ------------------------------------------------------------ state
    @property
    def cursor(self) -> int:
        return self._cursor

    @property
    def current(self) -> Iterate:
        return self._iterate(self._cursor)

    @property
    def history(self) -> Sequence[Iterate]:
        """Every computed iterate, including any beyond the cursor after back()/jump()."""
        return _History(self)

    @property
    def status(self) -> Status:
        """Status of the run at the cursor."""
        return self._status_at(self._cursor)

    @property
    def can_step(self) -> bool:
        """True while step() would move: not finished and below max_iter."""
        return not self.status.finished and (
            self._cursor < self._n - 1 or self._cursor < self.max_iter)

    def path(self, upto: int | None = None) -> np.ndarray:
        """Read-only (k+1, dim) array of x_0..x_k, k = ``upto`` (default: the cursor)."""
        k = self._cursor if upto is None else min(int(upto), self._n - 1)
        view = self._x[:k + 1]
        view.flags.writeable = False
        return view

    def values(self, upto: int | None = None) -> np.ndarray:
        """Read-only (k+1,) array of f(x_0)..f(x_k), k = ``upto`` (default: the cursor)."""
        k = self._cursor if upto is None else min(int(upto), self._n - 1)
        view = self._f[:k + 1]
        view.flags.writeable = False
        return view

    # ------------------------------------------------------------ storage
    def _iterate(self, k: int) -> Iterate:
        """The record of iterate k, as read-only views of the stored columns."""
        state = type(self._state)(int(self._t[k]),
                                  **{name: _row(col, k) for name, col in self._moments.items()})
        first = k == 0
        return Iterate(k, _row(self._x, k), float(self._f[k]), _row(self._g, k),
                       None if first else _row(self._dx, k),
                       None if first else float(self._lr[k]), state)

    def _store_state(self, k: int, state: OptState) -> None:
        self._t[k] = state.t
        for name, col in self._moments.items():
            col[k] = getattr(state, name)

    def _grow(self) -> None:
        # Old buffers stay alive for the views already handed out; their rows never change.
        def doubled(a: np.ndarray) -> np.ndarray:
            out = np.empty((2 * a.shape[0], *a.shape[1:]), dtype=a.dtype)
            out[:a.shape[0]] = a
            return out
        self._x, self._f, self._g = doubled(self._x), doubled(self._f), doubled(self._g)
        self._dx, self._lr, self._t = doubled(self._dx), doubled(self._lr), doubled(self._t)
        self._moments = {name: doubled(col) for name, col in self._moments.items()}

    def _status_at(self, k: int) -> Status:
        special = self._special.get(k)
        return special if special is not None else Status(RUNNING, "", k)

    def _set_status(self, k: int, status: Status | None) -> None:
        if status is not None:
            self._special[k] = status

    # ------------------------------------------------------------ one iteration
    def _advance(self) -> bool:
        """Compute the iterate after the last one; False (status updated) if there is none."""
        k = self._n - 1
        if k >= self.max_iter:
            return False
        obj = self.objective
        x, g, value, state = self._x[k], self._g[k], float(self._f[k]), self._state
        hess = obj.hessian(x) if self._newton else None
        lr = optimizers.scheduled_lr(self.spec, state.t)
        try:
            delta, new_state = optimizers.update(self.spec, g, state, x, hess)
            if self._backtracking:
                t, _ = optimizers.armijo_backtracking(obj.value, x, value, g, delta,
                                                      self.spec.armijo_c, self.spec.shrink)
                if t == 0.0:
                    self._set_status(k, self._no_descent(self._iterate(k), delta))
                    return False
                lr *= t
                delta, new_state = optimizers.update(self.spec, g, state, x, hess, lr=lr)
        except SingularHessianError as err:
            self._set_status(k, Status(
                DIVERGED, f"stopped at iteration {k}: {err} (x = {_fmt_point(x)})", k))
            return False
        x_new = x + delta
        if not np.all(np.isfinite(x_new)):
            self._set_status(k, Status(
                DIVERGED, f"diverged at iteration {k + 1}: the update from x = {_fmt_point(x)} "
                f"is not finite{self._advice(self._iterate(k))}", k))
            return False
        if k + 1 == self._f.shape[0]:
            self._grow()
        i = k + 1
        self._x[i] = x_new
        self._dx[i] = x_new - self._x[k]
        self._f[i] = obj.value(x_new)
        self._g[i] = obj.gradient(x_new)
        self._lr[i] = lr
        self._store_state(i, new_state)
        self._state = new_state
        self._n = i + 1
        self._set_status(i, self._status_of(i))
        return True

    def _status_of(self, k: int) -> Status | None:
        """The status iterate k reaches, or None for plain "running"."""
        value, g, x = float(self._f[k]), self._g[k], self._x[k]

        def advice() -> str:
            return self._advice(self._iterate(k - 1)) if k > 0 else ""

        if not math.isfinite(value):
            return Status(DIVERGED, f"diverged at iteration {k}: f became "
                          f"{'infinite' if math.isinf(value) else 'undefined (NaN)'} at x = "
                          f"{_fmt_point(x)}{advice()}", k)
        if not np.all(np.isfinite(g)):
            return Status(DIVERGED, f"diverged at iteration {k}: the gradient is not finite at "
                          f"x = {_fmt_point(x)}{advice()}", k)
        if float(np.max(np.abs(x))) > self.bound:
            return Status(DIVERGED, f"diverged at iteration {k}: |x| exceeded {self.bound:g}"
                          f"{advice()}", k)
        grad_norm = math.sqrt(float(np.dot(g, g)))
        step = self._dx[k]
        step_small = k > 0 and math.sqrt(float(np.dot(step, step))) < self.tol
        if grad_norm < self.tol or step_small:
            return Status(CONVERGED, self._converged_text(self._iterate(k)), k)
        if k >= self.max_iter:
            return Status(RUNNING, f"stopped after {self.max_iter} iterations (max_iter) without "
                          f"converging: f = {format_number(value, 4)}, "
                          f"|grad| = {format_number(grad_norm, 3)}", k)
        return None

    # ------------------------------------------------------------ explanations
    def stationary_kind(self, x: np.ndarray) -> str:
        """"minimum", "maximum", "saddle point" or "inflection" for a stationary point x.

        From f'' (1-D) or the Hessian's eigenvalues (2-D); where they are ~0 (e.g. x^4 at
        0) the kind is read from f at nearby points instead.
        """
        x = np.asarray(x, dtype=np.float64)
        with np.errstate(all="ignore"):
            hess = self.objective.hessian(x)
            if np.all(np.isfinite(hess)):
                eig = np.linalg.eigvalsh(hess)
                if eig[0] > FLAT:
                    return "minimum"
                if eig[-1] < -FLAT:
                    return "maximum"
                if eig[0] < -FLAT and eig[-1] > FLAT:
                    return "saddle point"
            return self._probe_kind(x)

    def _probe_kind(self, x: np.ndarray) -> str:
        f0 = self.objective.value(x)
        r = 1e-2 * max(1.0, float(np.max(np.abs(x))))
        if self.objective.dim == 1:
            dirs = np.array([[1.0], [-1.0]])
        else:
            angles = np.linspace(0.0, 2 * np.pi, 16, endpoint=False)
            dirs = np.stack([np.cos(angles), np.sin(angles)], axis=1)
        diffs = self.objective.values(x + r * dirs) - f0
        slack = 1e-12 * max(1.0, abs(f0))
        if np.all(diffs >= -slack):
            return "minimum"
        if np.all(diffs <= slack):
            return "maximum"
        return "inflection" if self.objective.dim == 1 else "saddle point"

    def describe_status(self) -> str:
        """One sentence for the status bar about the run at the cursor ("ready" at the start point,
        where nothing has run yet)."""
        status = self.status
        if status.reason:
            return status.reason
        it = self.current
        if self.objective.dim == 1:
            grad = f"f'(x) = {format_number(float(it.gradient[0]), 4)}"
        else:
            grad = f"|grad f| = {format_number(float(np.linalg.norm(it.gradient)), 3)}"
        return (f"{'ready' if it.index == 0 else 'running'}: iteration {it.index}, x = {_fmt_point(it.x)}, "
                f"f = {format_number(it.value, 4)}, {grad}")

    def _converged_text(self, it: Iterate) -> str:
        kind = self.stationary_kind(it.x)
        where = f"at x = {_fmt_point(it.x)} (f = {format_number(it.value, 4)})"
        after = f"after {it.index} iteration{'s' if it.index != 1 else ''}"
        if kind == "minimum":
            return f"converged to {self._minimum_name(it.x)} {where} {after}"
        newton = ": Newton-Raphson finds stationary points, not only minima" if self._newton \
            else ": the gradient is zero there, but it is not a minimum"
        hess = self.objective.hessian(it.x)
        if kind == "maximum":
            if self.objective.dim == 1:
                curv = f"f'' = {format_number(float(hess[0, 0]), 3)} < 0"
            else:
                top = float(np.linalg.eigvalsh(hess)[-1])
                curv = f"largest Hessian eigenvalue {format_number(top, 3)} < 0"
            return (f"converged to a local maximum at x = {_fmt_point(it.x)} ({curv}) "
                    f"{after}{newton}")
        if kind == "saddle point":
            eig = np.linalg.eigvalsh(hess) if np.all(np.isfinite(hess)) else None
            curv = (f" (Hessian eigenvalues {format_number(float(eig[0]), 3)} and "
                    f"{format_number(float(eig[-1]), 3)})" if eig is not None else "")
            return f"converged to a saddle point at x = {_fmt_point(it.x)}{curv} {after}{newton}"
        return (f"converged to an inflection point at x = {_fmt_point(it.x)} (f'' = 0, neither a "
                f"minimum nor a maximum) {after}{newton}")

    def _minimum_name(self, x: np.ndarray) -> str:
        best = self.objective.global_minimum
        if best is None:
            return "a local minimum"
        nearest = min(self.objective.minima, key=lambda m: float(np.linalg.norm(m[0] - x)))
        close = float(np.linalg.norm(nearest[0] - x)) <= 1e-3 * (1.0 + float(np.linalg.norm(x)))
        if close and nearest[1] <= best[1]:
            return "the global minimum" if len(self.objective.minima) > 1 else "the minimum"
        return "a local minimum"

    def _advice(self, last: Iterate) -> str:
        """Why the run may have blown up, with the stability limit of the step size."""
        if self._newton:
            return (" — Newton's step lr·H⁻¹·grad is huge where the curvature is near 0; "
                    "start closer to a minimum or add damping")
        factor = self._stability_factor()
        if factor is None:
            return "; try a smaller learning rate"
        lr = self.spec.lr
        one_d = self.objective.dim == 1
        name = "f''" if one_d else "λmax"
        limit_at = self._reference_curvature(last)
        if limit_at is None:
            return "; try a smaller learning rate"
        where, point, curvature = limit_at
        limit = factor / curvature
        # the factor is a constant of the stability formula (2, 2(1 + mu)): written as the formula has it
        expr = f"{factor:.3g}/{name}({'x*' if where == 'minimum' else 'x'})"
        place = (f"at the minimum x* = {_fmt_point(point)}" if where == "minimum"
                 else f"at x = {_fmt_point(point)}")
        hint = "" if one_d else " (λmax = largest eigenvalue of the Hessian)"
        if lr > limit:
            return (f" — the step {lr:g} is above the stability limit {expr} = {format_number(limit, 3)} "
                    f"{place}{hint}; try a smaller learning rate")
        start_curv = self._curvature(self.start)
        if start_curv is not None and start_curv > 0 and lr > factor / start_curv:
            return (f" — the step {lr:g} is below the stability limit {expr} = {format_number(limit, 3)} "
                    f"{place}, but the surface is steeper where the run started: "
                    f"{factor:.3g}/{name}(x0) = {format_number(factor / start_curv, 3)}{hint}; try a "
                    "smaller learning rate or a start closer to the minimum")
        return "; try a smaller learning rate"

    def _stability_factor(self) -> float | None:
        """c such that a fixed step lr is stable on curvature λ when lr < c/λ."""
        factor = optimizers.get_optimizer(self.spec.name).stable_factor
        if self.spec.schedule == "backtracking" or factor is None:
            return None
        return factor(self.spec.params)

    def _curvature(self, x: np.ndarray) -> float | None:
        hess = self.objective.hessian(x)
        if not np.all(np.isfinite(hess)):
            return None
        return float(np.linalg.eigvalsh(hess)[-1])

    def _reference_curvature(self, last: Iterate) -> tuple[str, np.ndarray, float] | None:
        """(kind, point, λmax) at the known minimum nearest ``last`` with positive curvature,
        else at ``last`` itself (the last finite iterate)."""
        candidates = []
        for point, _ in self.objective.minima:
            c = self._curvature(point)
            if c is not None and c > FLAT:
                candidates.append((float(np.linalg.norm(point - last.x)), point, c))
        if candidates:
            _, point, c = min(candidates, key=lambda t: t[0])
            return "minimum", point, c
        c = self._curvature(last.x)
        if c is not None and c > FLAT:
            return "last", last.x, c
        return None

    def _no_descent(self, it: Iterate, delta: np.ndarray) -> Status:
        k = it.index
        if math.sqrt(float(np.dot(delta, delta))) < self.tol:
            return Status(CONVERGED, self._converged_text(it), k)
        return Status(DIVERGED, f"stopped at iteration {k}: the line search found no step along "
                      "the optimizer's direction that decreases f (not a descent direction"
                      + (": Newton is heading for a maximum or saddle point" if self._newton
                         else "") + ")", k)


__all__ = ["DescentSession", "Iterate"]
