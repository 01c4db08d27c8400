"""Optimizers shared by every workspace: explicit state plus an update rule.

Each optimizer follows the optax contract: ``init(theta) -> State`` and
``update(grad, state, theta, hessian=None) -> (delta, State)`` where ``theta + delta``
is the next iterate. States are frozen dataclasses of read-only float64 arrays, so a
session can keep one per iterate and rewind by restoring it. The update rules and
default hyperparameters are those of ``torch.optim`` (named in each docstring), so a
trace can be checked against PyTorch line by line.

Schedules scale the learning rate: ``constant``; ``decay`` (lr_i = lr / (1 + k i),
i = number of updates already taken); ``backtracking`` (Armijo line search, applied by
the session through :func:`armijo_backtracking`, because it needs the objective).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from engine.arrays import readonly

OPTIMIZER_NAMES = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "newton")
SCHEDULE_NAMES = ("constant", "decay", "backtracking")

#: Default hyperparameters, as in torch.optim (lr defaults of SGD have none: 0.01 here).
DEFAULTS: dict[str, dict[str, float]] = {
    "gd": {"lr": 0.01},
    "momentum": {"lr": 0.01, "momentum": 0.9},
    "nesterov": {"lr": 0.01, "momentum": 0.9},
    "adagrad": {"lr": 0.01, "eps": 1e-10},
    "rmsprop": {"lr": 0.01, "alpha": 0.99, "eps": 1e-8},
    "adam": {"lr": 0.001, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8},
    "newton": {"lr": 1.0, "damping": 0.0},
}

#: Human-readable titles for menus and legends.
TITLES = {
    "gd": "Gradient descent",
    "momentum": "Momentum",
    "nesterov": "Nesterov momentum",
    "adagrad": "AdaGrad",
    "rmsprop": "RMSProp",
    "adam": "Adam",
    "newton": "Newton-Raphson",
}


class OptimizerError(ValueError):
    """A hyperparameter or optimizer name is not allowed; the message says what is."""


class SingularHessianError(ArithmeticError):
    """Newton's step is undefined because the (damped) Hessian is singular."""


@dataclass(frozen=True)
class OptState:
    """Optimizer state after ``t`` updates.

    ``m``: momentum buffer (SGD) or first moment (Adam); ``v``: running sum of squares
    (AdaGrad), running average of squares (RMSProp, Adam's second moment). Both are
    read-only arrays of the parameter shape, or ``None`` where the rule keeps none.
    """

    t: int = 0
    m: np.ndarray | None = None
    v: np.ndarray | None = None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, OptState):
            return NotImplemented
        return self.t == other.t and _same(self.m, other.m) and _same(self.v, other.v)

    __hash__ = None  # type: ignore[assignment]


def _same(a: np.ndarray | None, b: np.ndarray | None) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=True)


@dataclass(frozen=True)
class OptimizerSpec:
    """Which optimizer, its hyperparameters and its learning-rate schedule.

    ``params`` holds every hyperparameter of the rule (defaults filled in);
    ``schedule`` is one of ``constant``, ``decay`` (uses ``decay_k``) or ``backtracking``
    (Armijo with ``armijo_c`` and halving factor ``shrink``).
    """

    name: str = "gd"
    params: dict[str, float] = field(default_factory=dict)
    schedule: str = "constant"
    decay_k: float = 0.0
    armijo_c: float = 1e-4
    shrink: float = 0.5

    @property
    def lr(self) -> float:
        return float(self.params["lr"])

    def with_params(self, **changes: float) -> "OptimizerSpec":
        """A copy with some hyperparameters changed (validated)."""
        return make_spec(self.name, schedule=self.schedule, decay_k=self.decay_k,
                         armijo_c=self.armijo_c, shrink=self.shrink, **{**self.params, **changes})

    def to_dict(self) -> dict:
        """The scenario-file form: ``{"name": ..., "lr": ..., ...}``."""
        d: dict = {"name": self.name, **self.params}
        if self.schedule != "constant":
            d["schedule"] = self.schedule
        if self.schedule == "decay":
            d["decay_k"] = self.decay_k
        if self.schedule == "backtracking":
            d["armijo_c"] = self.armijo_c
            d["shrink"] = self.shrink
        return d


def make_spec(name: str = "gd", *, schedule: str = "constant", decay_k: float = 0.0,
              armijo_c: float = 1e-4, shrink: float = 0.5, **params: float) -> OptimizerSpec:
    """Build a validated :class:`OptimizerSpec`; unknown names or bad values raise OptimizerError."""
    if name not in DEFAULTS:
        raise OptimizerError(f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZER_NAMES)}")
    allowed = DEFAULTS[name]
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise OptimizerError(
            f"{name} has no hyperparameter {unknown[0]!r}; it takes {', '.join(allowed)}")
    full = {k: float(params.get(k, v)) for k, v in allowed.items()}
    for k, v in full.items():
        if not math.isfinite(v):
            raise OptimizerError(f"{k} must be a finite number, got {v}")
    if full["lr"] <= 0:
        raise OptimizerError(f"learning rate must be > 0, got {full['lr']:g}")
    for k in ("momentum", "alpha", "beta1", "beta2"):
        if k in full and not 0.0 <= full[k] < 1.0:
            raise OptimizerError(f"{k} must be in [0, 1), got {full[k]:g}")
    if "eps" in full and full["eps"] < 0:
        raise OptimizerError(f"eps must be >= 0, got {full['eps']:g}")
    if "damping" in full and full["damping"] < 0:
        raise OptimizerError(f"damping must be >= 0, got {full['damping']:g}")
    if schedule not in SCHEDULE_NAMES:
        raise OptimizerError(
            f"unknown schedule {schedule!r}; choose one of {', '.join(SCHEDULE_NAMES)}")
    if not (math.isfinite(decay_k) and decay_k >= 0):
        raise OptimizerError(f"decay_k must be >= 0, got {decay_k:g}")
    if not 0 < armijo_c < 1:
        raise OptimizerError(f"armijo_c must be in (0, 1), got {armijo_c:g}")
    if not 0 < shrink < 1:
        raise OptimizerError(f"shrink must be in (0, 1), got {shrink:g}")
    return OptimizerSpec(name, full, schedule, float(decay_k), float(armijo_c), float(shrink))


def spec_from_dict(d: dict) -> OptimizerSpec:
    """Inverse of :meth:`OptimizerSpec.to_dict` (validated)."""
    d = dict(d)
    name = d.pop("name", "gd")
    return make_spec(name, **d)


def scheduled_lr(spec: OptimizerSpec, t: int) -> float:
    """Learning rate for update number ``t + 1`` (``t`` updates already taken)."""
    if spec.schedule == "decay":
        return spec.lr / (1.0 + spec.decay_k * t)
    return spec.lr


def init(spec: OptimizerSpec, theta: np.ndarray) -> OptState:
    """Fresh state for parameters shaped like ``theta``."""
    zeros = readonly(np.zeros_like(np.asarray(theta, dtype=np.float64)))
    if spec.name in ("momentum", "nesterov"):
        return OptState(0, m=zeros, v=None)
    if spec.name in ("adagrad", "rmsprop"):
        return OptState(0, m=None, v=zeros)
    if spec.name == "adam":
        return OptState(0, m=zeros, v=zeros)
    return OptState(0)


def update(spec: OptimizerSpec, grad: np.ndarray, state: OptState, theta: np.ndarray | None = None,
           hessian: np.ndarray | None = None, lr: float | None = None) -> tuple[np.ndarray, OptState]:
    """One update: returns ``(delta, new_state)`` with ``theta_next = theta + delta``.

    ``grad``: gradient at ``theta`` (any shape); ``hessian``: ``(n, n)`` for ``newton``
    with ``n = grad.size``; ``lr`` overrides the scheduled learning rate (line search).
    Arithmetic runs under ``np.errstate(all="ignore")``: a non-finite result is the
    session's to report as divergence, not an exception.
    """
    g = np.asarray(grad, dtype=np.float64)
    step_lr = scheduled_lr(spec, state.t) if lr is None else lr
    t = state.t + 1
    p = spec.params
    with np.errstate(all="ignore"):
        if spec.name == "gd":
            # torch.optim.SGD: theta <- theta - lr g
            return -step_lr * g, OptState(t)
        if spec.name == "momentum":
            # torch.optim.SGD(momentum=mu): v <- mu v + g; theta <- theta - lr v
            v = p["momentum"] * state.m + g
            return -step_lr * v, OptState(t, m=readonly(v))
        if spec.name == "nesterov":
            # torch.optim.SGD(momentum=mu, nesterov=True): v <- mu v + g; theta <- theta - lr (g + mu v)
            v = p["momentum"] * state.m + g
            return -step_lr * (g + p["momentum"] * v), OptState(t, m=readonly(v))
        if spec.name == "adagrad":
            # torch.optim.Adagrad: s <- s + g^2; theta <- theta - lr g / (sqrt(s) + eps)
            s = state.v + g * g
            return -step_lr * g / (np.sqrt(s) + p["eps"]), OptState(t, v=readonly(s))
        if spec.name == "rmsprop":
            # torch.optim.RMSprop: s <- alpha s + (1 - alpha) g^2; theta <- theta - lr g / (sqrt(s) + eps)
            s = p["alpha"] * state.v + (1.0 - p["alpha"]) * g * g
            return -step_lr * g / (np.sqrt(s) + p["eps"]), OptState(t, v=readonly(s))
        if spec.name == "adam":
            # torch.optim.Adam: m <- b1 m + (1-b1) g; v <- b2 v + (1-b2) g^2;
            # theta <- theta - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)
            b1, b2 = p["beta1"], p["beta2"]
            m = b1 * state.m + (1.0 - b1) * g
            v = b2 * state.v + (1.0 - b2) * g * g
            denom = np.sqrt(v) / math.sqrt(1.0 - b2 ** t) + p["eps"]
            delta = -(step_lr / (1.0 - b1 ** t)) * m / denom
            return delta, OptState(t, m=readonly(m), v=readonly(v))
        if spec.name == "newton":
            # Newton-Raphson: theta <- theta - lr (H + damping I)^-1 g  (1-D: s_i = 1 / f''(x_i))
            if hessian is None:
                raise OptimizerError("newton needs the Hessian; this objective does not provide one")
            n = g.size
            if n == 1:
                # 1-D: s_i = 1 / f''(x_i) is a scalar divide; np.linalg would cost ~50 us a step.
                h1 = float(np.asarray(hessian, dtype=np.float64).reshape(-1)[0]) + p["damping"]
                if not math.isfinite(h1):
                    raise SingularHessianError("the Hessian is not finite here")
                if h1 == 0.0:
                    raise SingularHessianError(
                        "the Hessian is singular here, so Newton's step 1/f'' is undefined; "
                        "add damping or start elsewhere")
                return -step_lr * g / h1, OptState(t)
            h = np.asarray(hessian, dtype=np.float64).reshape(n, n) + p["damping"] * np.eye(n)
            if not np.all(np.isfinite(h)):
                raise SingularHessianError("the Hessian is not finite here")
            try:
                if np.linalg.cond(h) > 1e14:
                    raise np.linalg.LinAlgError
                direction = np.linalg.solve(h, g.reshape(n))
            except np.linalg.LinAlgError:
                raise SingularHessianError(
                    "the Hessian is singular here, so Newton's step 1/f'' is undefined; "
                    "add damping or start elsewhere") from None
            return (-step_lr * direction).reshape(g.shape), OptState(t)
    raise OptimizerError(f"unknown optimizer {spec.name!r}")  # pragma: no cover - make_spec guards


def armijo_backtracking(f: Callable[[np.ndarray], float], theta: np.ndarray, value: float,
                        grad: np.ndarray, delta: np.ndarray, c: float = 1e-4, shrink: float = 0.5,
                        max_halvings: int = 60) -> tuple[float, int]:
    """Armijo backtracking: the largest ``t = shrink^k`` with f(theta + t delta) <= f + c t grad.delta.

    ``delta`` is the full step the optimizer proposed (a descent direction times lr).
    Returns ``(t, evaluations)``; ``t = 0.0`` when no acceptable step was found (the
    direction is not a descent direction, e.g. Newton at a maximum).
    """
    slope = float(np.vdot(grad, delta))
    if not slope < 0:
        return 0.0, 0
    t = 1.0
    with np.errstate(all="ignore"):
        for k in range(1, max_halvings + 1):
            trial = f(theta + t * delta)
            if math.isfinite(trial) and trial <= value + c * t * slope:
                return t, k
            t *= shrink
    return 0.0, max_halvings


__all__ = [
    "DEFAULTS", "OPTIMIZER_NAMES", "SCHEDULE_NAMES", "TITLES", "OptState", "OptimizerSpec",
    "OptimizerError", "SingularHessianError", "make_spec", "spec_from_dict", "scheduled_lr",
    "init", "update", "armijo_backtracking",
]
