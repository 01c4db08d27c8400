"""One update of a network's parameters, and the checks that end a training run.

``theta_next = theta + delta`` with ``delta`` the optimizer's step on the batch gradient
(``engine.optimizers``), shortened by Armijo's line search under the ``backtracking`` schedule;
frozen parameters get neither gradient nor step (:func:`update_step`). An :class:`Updater` takes
such updates at the end of a ``engine.history.TrainingHistory``, one at a time or on the lean
path of ``run`` (thousands a second, no records), and recomputes old ones for replay.

Divergence is a status, not an exception: when the loss or the gradient stops being finite, or the
parameter vector's norm exceeds the bound, the offending update is not stored and the history's
``end_status`` is *diverged* with a reason in words; every stored parameter vector is finite. The
run *converges* when the norm of the full-data gradient (frozen entries excluded) falls below the
tolerance: checked at every update for full batch, at the end of each epoch otherwise; a gradient
that vanished only because a layer saturated (``engine.network_convergence``) is *stopped*, not
*converged*.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

from engine import optimizers
from engine.backprop import GradientKernel
from engine.history import Settings, TrainingHistory
from engine.network import Network
from engine.network_convergence import judge_vanished_gradient
from engine.optimizers import OptState
from engine.status import CONVERGED, DIVERGED, Status
from engine.training_mode import BatchOrder, TrainingError


def norm(a: np.ndarray) -> float:
    """Euclidean norm; NaN or inf when any entry is (so one comparison catches non-finite)."""
    return math.sqrt(a.dot(a))


def diverged(iteration: int, why: str) -> Status:
    """The status of a run that stopped at ``iteration`` because ``why``, with the usual advice."""
    return Status(DIVERGED, f"{why} at iteration {iteration} — try a smaller learning rate", iteration)


def converged(iteration: int, tol: float) -> Status:
    """The status of a run whose gradient norm fell below ``tol`` at ``iteration``."""
    return Status(CONVERGED, f"gradient below {tol:g} at iteration {iteration}", iteration)


def update_step(t: int, theta: np.ndarray, loss_b: float, g: np.ndarray, state: OptState,
                settings: Settings, value: Callable[[np.ndarray, np.ndarray, np.ndarray], float],
                Xb: np.ndarray, Yb: np.ndarray, tol: float, bound: float,
                full_batch: bool) -> tuple[np.ndarray, OptState] | Status:
    """Update number ``t + 1`` from ``theta (n_params,)`` with batch loss ``loss_b`` and gradient ``g``.

    Returns ``(theta_next, state_next)``, or the Status that ends the run instead (convergence is
    judged here for full batch only, where ``g`` is the full-data gradient). ``value(theta, Xb, Yb)``
    is the loss of the batch ``Xb (n_b, inputs)``, ``Yb (n_b, n_out)`` at other parameters, for the
    line search. ``theta`` and ``g`` are not modified.
    """
    mask = settings.frozen
    frozen_any = settings.any_frozen
    if frozen_any:
        g = np.array(g)
        g[mask] = 0.0
    gnorm = norm(g)
    if not (math.isfinite(loss_b) and math.isfinite(gnorm)):
        return diverged(t, "loss became infinite" if not math.isfinite(loss_b)
                        else "the gradient became infinite")
    if full_batch and gnorm < tol:
        return converged(t, tol)
    spec = settings.spec
    delta, new_state = optimizers.update(spec, g, state, theta)
    if spec.schedule == "backtracking":
        step, _ = optimizers.armijo_backtracking(lambda th: value(th, Xb, Yb), theta, loss_b, g, delta,
                                                 spec.armijo_c, spec.shrink)
        delta = delta * step
    if frozen_any:
        delta[mask] = 0.0
    # theta is finite and bounded, so theta + delta raises no floating-point warning;
    # an inf or NaN in delta carries through to the norm check
    new = theta + delta
    size = norm(new)
    if not size <= bound:
        return diverged(t + 1, "parameters became infinite" if not math.isfinite(size)
                        else f"parameters grew beyond {bound:g}")
    return new, new_state


def check_network_spec(spec: optimizers.OptimizerSpec) -> optimizers.OptimizerSpec:
    """``spec`` if networks can train with it (first order), else TrainingError."""
    if optimizers.get_optimizer(spec.name).needs_hessian:
        *others, last = optimizers.FIRST_ORDER_NAMES
        raise TrainingError(f"{spec.name} needs a Hessian, which networks do not provide; "
                            f"choose {', '.join(others)} or {last}")
    return spec


def frozen_mask(network: Network, frozen: Sequence[str]) -> np.ndarray:
    """The read-only ``(n_params,)`` mask of the parameters named in ``frozen``."""
    mask = np.zeros(network.n_params, dtype=bool)
    for name in frozen:
        mask[network.param_index(name)] = True
    mask.setflags(write=False)
    return mask


class Updater:
    """Takes the updates of one network on ``X (n_obs, inputs)``, ``Y (n_obs, n_out)``.

    ``kernel``: the network's gradient kernel; ``order``: which rows each update's batch holds;
    ``tol``: convergence tolerance on the gradient norm (0: never); ``bound``: largest allowed
    norm of the parameters (TrainingError unless ``tol >= 0`` and ``bound > 0``). For online and
    mini-batch training the full-data loss of each new parameter vector is computed at once
    when that is cheap, else at the end of each epoch.
    """

    def __init__(self, kernel: GradientKernel, X: np.ndarray, Y: np.ndarray, order: BatchOrder,
                 tol: float, bound: float) -> None:
        if not (tol >= 0 and math.isfinite(tol)):
            raise TrainingError(f"tolerance must be >= 0, got {tol}")
        if not bound > 0:
            raise TrainingError(f"divergence bound must be > 0, got {bound}")
        self.kernel = kernel
        self.X = X
        self.Y = Y
        self.order = order
        self.tol = float(tol)
        self.bound = float(bound)
        self.full_batch = order.kind == "full_batch"
        # a full-data forward pass after every online/mini-batch update costs little here
        self.eager_loss = X.shape[0] * sum(kernel.network.sizes) <= 200_000

    def batch(self, t: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows, inputs and targets of update ``t + 1``'s batch."""
        rows = self.order.rows(t)
        if self.full_batch:
            return rows, self.X, self.Y
        return rows, self.X[rows], self.Y[rows]

    def replay(self, hist: TrainingHistory, k: int, state: OptState) -> OptState:
        """The optimizer state after update ``k + 1``, recomputed from the stored parameters."""
        spec = hist.settings_at(k).spec
        if optimizers.get_optimizer(spec.name).stateless:
            return state.next_count()   # nothing but the count: no gradient to recompute
        _, Xb, Yb = self.batch(k)
        _, g = self.kernel(hist.theta(k), Xb, Yb)
        mask = hist.settings_at(k).frozen
        if mask.any():
            g[mask] = 0.0
        return optimizers.update(spec, g, state, hist.theta(k))[1]

    def take(self, hist: TrainingHistory, t: int, theta: np.ndarray, loss_b: float, g: np.ndarray,
             Xb: np.ndarray, Yb: np.ndarray) -> np.ndarray | None:
        """Update ``t + 1`` (the last stored is ``t``) from ``theta`` with batch loss ``loss_b`` and
        gradient ``g``: stored with its new optimizer state and returned, or None when the run ended."""
        hist.set_batch_loss(t, loss_b)
        if self.full_batch:
            hist.set_loss(t, loss_b)
        result = update_step(t, theta, loss_b, g, hist.end_state, hist.settings_at(t),
                             self.kernel.value, Xb, Yb, self.tol, self.bound, self.full_batch)
        if isinstance(result, Status):
            if result.state == CONVERGED:  # converged only if no layer merely saturated
                result = judge_vanished_gradient(self.kernel, theta, self.X, self.Y, t, self.tol)
            hist.end_status = result
            return None
        new, state = result
        full = math.nan
        epoch_end = (t + 1) % self.order.per_epoch == 0
        if not self.full_batch and (self.eager_loss or epoch_end):
            full = self.kernel.value(new, self.X, self.Y)
            if not math.isfinite(full):
                hist.end_status = diverged(t + 1, "loss became infinite")
                return None
        hist.commit(t, new, full, state)
        if not self.full_batch and self.tol > 0 and epoch_end:
            _, g_full = self.kernel(new, self.X, self.Y)
            g_full[hist.settings_at(t + 1).frozen] = 0.0
            if norm(g_full) < self.tol:
                hist.end_status = judge_vanished_gradient(self.kernel, new, self.X, self.Y, t + 1,
                                                          self.tol)
        return new

    def extend(self, hist: TrainingHistory, n_updates: int) -> int:
        """Up to ``n_updates`` updates after the last stored one, on the lean path; how many were taken."""
        t = hist.count - 1
        theta = np.array(hist.theta(t))
        kernel = self.kernel
        taken = 0
        while taken < n_updates:
            _, Xb, Yb = self.batch(t)
            loss_b, g = kernel(theta, Xb, Yb)
            theta = self.take(hist, t, theta, loss_b, g, Xb, Yb)
            if theta is None:
                break
            t += 1
            taken += 1
            if hist.end_status.finished:
                break
        return taken


__all__ = ["Updater", "check_network_spec", "converged", "diverged", "frozen_mask", "norm", "update_step"]
