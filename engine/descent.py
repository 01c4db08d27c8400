"""Function descent, one iteration at a time, with exact rewind.

A :class:`DescentSession` holds one objective, one start point and one optimizer. Each
iteration applies one optimizer update (``engine.optimizers.update``; Newton gets the
Hessian; the ``backtracking`` schedule shortens the proposed step by Armijo's rule) and
records a frozen :class:`Iterate`. ``back()``/``jump(k)`` move a cursor over the records;
the records beyond the cursor are kept, and stepping forward again re-uses them (the run
is deterministic, so recomputing would give identical records).

Status (``engine.status``): *converged* only at a finite point where |grad| < tol and (after
the start) |step| < tol too (Euclidean norms); *diverged* when f or its gradient is not finite,
when max |x_i| > bound, or when Newton's Hessian is singular; *stopped* when the iterates
bounce back and forth without settling or repeat a short cycle (``engine.descent_cycles``),
when a step no longer moves x while the gradient is not small, when the line search finds no
step, and after ``max_iter`` iterations. A run never raises on divergence. The reasons in words
(the kind of stationary point, the stability limit of the step size and a step that would
settle) are written by ``engine.descent_explain``.

Each update records the step size it took (``Iterate.step_size``: Newton's lr/f''(x_i), the
accepted backtracking step) and, under backtracking, its trials (``engine.schedules.Trial``).

Memory: the history is kept in preallocated float64 columns (x, f, gradient, step, lr, step
size, optimizer moments: about 120 bytes an iterate in 2-D); :class:`Iterate` records
(``engine.descent_records``) are read-only views built when asked for, so they compare equal but
are not the same object.

Plotting contract: every ``x`` in the history is finite (a non-finite update is not
recorded; the status of the last iterate says why the run stopped). A diverged last
iterate may have an infinite or NaN ``value``/``gradient`` and an ``x`` beyond ``bound``;
the GUI drops it from plots when ``status.state == "diverged"``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from engine import optimizers
from engine.arrays import readonly
from engine.descent_cycles import BOUNCE_WINDOW, bounce_count, bouncing, short_cycle
from engine.descent_explain import (FLAT, converged_text, cycle_status, describe_status,
                                    diverged_status, max_iter_status, no_descent_status,
                                    stall_status, stationary_kind)
from engine.descent_records import History, Iterate, row
from engine.functions import Objective
from engine.optimizers import OptimizerSpec, OptState, SingularHessianError
from engine.schedules import Trial, armijo_trials
from engine.status import CONVERGED, RUNNING, Status


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
        self._s = np.full(cap, np.nan)               # step size s_i taken to reach iterate i
        self._bounce = np.zeros(cap, dtype=np.int64)  # consecutive reversals ending at i
        self._trials: dict[int, tuple[Trial, ...]] = {}
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
        return History(self)

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
                                  **{name: row(col, k) for name, col in self._moments.items()})
        first = k == 0
        return Iterate(k, row(self._x, k), float(self._f[k]), row(self._g, k),
                       None if first else row(self._dx, k),
                       None if first else float(self._lr[k]), state,
                       None if first else float(self._s[k]), self._trials.get(k, ()))

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
        self._s, self._bounce = doubled(self._s), doubled(self._bounce)
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
        trials: tuple[Trial, ...] = ()
        try:
            delta, new_state = optimizers.update(self.spec, g, state, x, hess)
            if self._backtracking:
                t, trials = armijo_trials(obj.value, x, value, g, delta, self.spec.armijo_c,
                                          self.spec.shrink)
                if t == 0.0:
                    self._set_status(k, no_descent_status(self, self._iterate(k), delta, trials))
                    return False
                lr *= t
                delta, new_state = optimizers.update(self.spec, g, state, x, hess, lr=lr)
        except SingularHessianError as err:
            self._set_status(k, diverged_status(self, self._iterate(k), "singular", str(err)))
            return False
        x_new = x + delta
        if not np.all(np.isfinite(x_new)):
            self._set_status(k, diverged_status(self, self._iterate(k), "update"))
            return False
        if k + 1 == self._f.shape[0]:
            self._grow()
        i = k + 1
        self._x[i] = x_new
        self._dx[i] = x_new - self._x[k]
        self._f[i] = obj.value(x_new)
        self._g[i] = obj.gradient(x_new)
        self._lr[i] = lr
        self._s[i] = self._step_size(lr, g, hess, self._dx[i])
        self._bounce[i] = bounce_count(self._dx[i - 1], self._dx[i], int(self._bounce[k])) if k else 0
        if trials:
            self._trials[i] = trials
        self._store_state(i, new_state)
        self._state = new_state
        self._n = i + 1
        self._set_status(i, self._status_of(i))
        return True

    def _step_size(self, lr: float, g: np.ndarray, hess: np.ndarray | None, dx: np.ndarray) -> float:
        """s_i: lr for first-order methods; Newton: lr/(f'' + damping) in 1-D, in 2-D the step's
        length along -grad per unit gradient, -grad.dx/|grad|^2."""
        if not self._newton:
            return lr
        if self.objective.dim == 1:
            return lr / (float(np.ravel(hess)[0]) + self.spec.params["damping"])
        gg = float(np.dot(g, g))
        return -float(np.dot(g, dx)) / gg if gg > 0 else math.nan

    def _status_of(self, k: int) -> Status | None:
        """The status iterate k reaches, or None for plain "running"."""
        value, g, x = float(self._f[k]), self._g[k], self._x[k]
        if not math.isfinite(value):
            return diverged_status(self, self._iterate(k), "value")
        if not np.all(np.isfinite(g)):
            return diverged_status(self, self._iterate(k), "gradient")
        if float(np.max(np.abs(x))) > self.bound:
            return diverged_status(self, self._iterate(k), "bound")
        with np.errstate(over="ignore"):  # g.g overflows to inf for |g| > 1e154: then the norm is inf
            grad_norm = math.sqrt(float(np.dot(g, g)))
            step = self._dx[k]
            step_norm = math.sqrt(float(np.dot(step, step))) if k > 0 else 0.0
        if grad_norm < self.tol and step_norm < self.tol:
            return Status(CONVERGED, converged_text(self, self._iterate(k)), k)
        if k > 0 and step_norm == 0.0:
            return stall_status(self, self._iterate(k), grad_norm)
        if bouncing(self._dx, self._bounce, k):
            lo = max(0, k - BOUNCE_WINDOW)
            return cycle_status(self, k, self._x[lo:k + 1], None)
        period = short_cycle(self._x, self._dx, k, self.tol)
        if period:
            return cycle_status(self, k, self._x[k - period + 1:k + 1], period)
        if k >= self.max_iter:
            return max_iter_status(self, self._iterate(k), grad_norm, step_norm)
        return None

    # ------------------------------------------------------------ explanations (engine.descent_explain)
    def stationary_kind(self, x: np.ndarray) -> str:
        """"minimum", "maximum", "saddle point" or "inflection" for a stationary point x."""
        return stationary_kind(self.objective, x)

    def describe_status(self) -> str:
        """One sentence for the status bar about the run at the cursor."""
        return describe_status(self)


__all__ = ["FLAT", "DescentSession", "Iterate"]
