"""Optimizers shared by every workspace: one registry entry each, explicit state plus an update rule.

Each optimizer follows the optax contract: ``init(spec, theta) -> State`` and
``update(spec, grad, state, theta, hessian=None) -> (delta, State)`` where ``theta + delta``
is the next iterate. A State (``engine.optimizer_states``) is a frozen dataclass holding the
update count ``t`` and the rule's read-only float64 arrays (shaped like theta), so a session
can keep one per iterate and rewind by restoring it. The update rules and default hyperparameters are those of
``torch.optim`` (named in each rule's docstring), so a trace can be checked against PyTorch
line by line.

:data:`OPTIMIZERS` is the one registry: an :class:`Optimizer` holds the name, title,
hyperparameters (:class:`Hyper`: default, label in lecture notation, allowed interval),
State type and rule. Validation, scenario files, both hyperparameter editors and the tests
read it, so a new optimizer is one rule function and one entry.

A spec also names a learning-rate schedule (``engine.schedules``: constant, decay,
backtracking); :func:`scheduled_lr` and :func:`armijo_backtracking` are re-exported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Mapping

import numpy as np

from engine.arrays import readonly
from engine.optimizer_states import AdamState, MomentumState, OptState, SquaresState, state_arrays
from engine.schedules import SCHEDULE_NAMES, armijo_backtracking, scheduled_lr


class OptimizerError(ValueError):
    """A hyperparameter or optimizer name is not allowed; the message says what is."""


class SingularHessianError(ArithmeticError):
    """Newton's step is undefined because the (damped) Hessian is singular."""


# ---------------------------------------------------------------- hyperparameters

@dataclass(frozen=True)
class Interval:
    """Allowed values from ``low`` to ``high``; ``closed_low``/``closed_high`` say if each end is."""

    low: float
    high: float = math.inf
    closed_low: bool = True
    closed_high: bool = False

    def __contains__(self, x: float) -> bool:
        above = x >= self.low if self.closed_low else x > self.low
        below = x <= self.high if self.closed_high else x < self.high
        return above and below

    def __str__(self) -> str:
        """As error messages say it: ``> 0``, ``>= 0`` or ``in [0, 1)``."""
        if math.isinf(self.high):
            return f"{'>=' if self.closed_low else '>'} {self.low:g}"
        left, right = "[" if self.closed_low else "(", "]" if self.closed_high else ")"
        return f"in {left}{self.low:g}, {self.high:g}{right}"


POSITIVE = Interval(0.0, closed_low=False)
NON_NEGATIVE = Interval(0.0)
#: [0, 1): the decay rates of running averages (momentum, alpha, beta1, beta2).
DECAY_RATE = Interval(0.0, 1.0)


@dataclass(frozen=True)
class Hyper:
    """One hyperparameter: ``key`` as in scenario files and torch, ``label`` in lecture notation.

    ``allowed`` is checked by :func:`make_spec` and bounds the editors' spin boxes; ``noun``
    names the value in error messages when the key alone would not (``learning rate``).
    A key means the same everywhere: one label and one interval in every entry that takes it.
    """

    key: str
    label: str
    default: float
    allowed: Interval
    noun: str = ""

    def check(self, value: float) -> None:
        """Raise OptimizerError unless ``value`` is allowed."""
        if value not in self.allowed:
            raise OptimizerError(f"{self.noun or self.key} must be {self.allowed}, got {value:g}")


def _lr(default: float) -> Hyper:
    return Hyper("lr", "step size / lr", default, POSITIVE, noun="learning rate")


def _eps(default: float) -> Hyper:
    return Hyper("eps", "eps ε", default, NON_NEGATIVE)


MOMENTUM = Hyper("momentum", "momentum μ", 0.9, DECAY_RATE)
ALPHA = Hyper("alpha", "alpha α", 0.99, DECAY_RATE)
BETA1 = Hyper("beta1", "β₁", 0.9, DECAY_RATE)
BETA2 = Hyper("beta2", "β₂", 0.999, DECAY_RATE)
WEIGHT_DECAY = Hyper("weight_decay", "weight decay λ", 0.01, NON_NEGATIVE)
DAMPING = Hyper("damping", "damping", 0.0, NON_NEGATIVE)


# ---------------------------------------------------------------- update rules
# A rule maps (g, state, lr, params, theta, hessian) to (delta, new state): g the gradient at
# theta, lr the scheduled rate; theta and hessian are None where the caller has none.
Params = Mapping[str, float]
Maybe = np.ndarray | None
Step = tuple[np.ndarray, OptState]
Rule = Callable[[np.ndarray, OptState, float, Params, Maybe, Maybe], Step]


def _gd(g: np.ndarray, state: OptState, lr: float, p: Params, theta: Maybe,
        hessian: Maybe) -> Step:
    """torch.optim.SGD: theta <- theta - lr g."""
    return -lr * g, OptState(state.t + 1)


def _momentum(g: np.ndarray, state: MomentumState, lr: float, p: Params, theta: Maybe,
              hessian: Maybe) -> Step:
    """torch.optim.SGD(momentum=mu): m <- mu m + g; theta <- theta - lr m."""
    m = p["momentum"] * state.m + g
    return -lr * m, MomentumState(state.t + 1, m=readonly(m))


def _nesterov(g: np.ndarray, state: MomentumState, lr: float, p: Params, theta: Maybe,
              hessian: Maybe) -> Step:
    """torch.optim.SGD(momentum=mu, nesterov=True): m <- mu m + g; theta <- theta - lr (g + mu m)."""
    m = p["momentum"] * state.m + g
    return -lr * (g + p["momentum"] * m), MomentumState(state.t + 1, m=readonly(m))


def _adagrad(g: np.ndarray, state: SquaresState, lr: float, p: Params, theta: Maybe,
             hessian: Maybe) -> Step:
    """torch.optim.Adagrad: v <- v + g^2; theta <- theta - lr g / (sqrt(v) + eps)."""
    v = state.v + g * g
    return -lr * g / (np.sqrt(v) + p["eps"]), SquaresState(state.t + 1, v=readonly(v))


def _rmsprop(g: np.ndarray, state: SquaresState, lr: float, p: Params, theta: Maybe,
             hessian: Maybe) -> Step:
    """torch.optim.RMSprop: v <- alpha v + (1 - alpha) g^2; theta <- theta - lr g / (sqrt(v) + eps)."""
    v = p["alpha"] * state.v + (1.0 - p["alpha"]) * g * g
    return -lr * g / (np.sqrt(v) + p["eps"]), SquaresState(state.t + 1, v=readonly(v))


def _adam(g: np.ndarray, state: AdamState, lr: float, p: Params, theta: Maybe,
          hessian: Maybe) -> Step:
    """torch.optim.Adam: m <- b1 m + (1 - b1) g; v <- b2 v + (1 - b2) g^2;
    theta <- theta - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)."""
    t = state.t + 1
    b1, b2 = p["beta1"], p["beta2"]
    m = b1 * state.m + (1.0 - b1) * g
    v = b2 * state.v + (1.0 - b2) * g * g
    denom = np.sqrt(v) / math.sqrt(1.0 - b2 ** t) + p["eps"]
    return -(lr / (1.0 - b1 ** t)) * m / denom, AdamState(t, m=readonly(m), v=readonly(v))


def _adamw(g: np.ndarray, state: AdamState, lr: float, p: Params, theta: Maybe,
           hessian: Maybe) -> Step:
    """torch.optim.AdamW: theta <- theta - lr lambda theta (decoupled weight decay), then Adam's step."""
    if theta is None:
        raise OptimizerError("adamw decays theta itself: pass theta to update()")
    delta, new_state = _adam(g, state, lr, p, theta, hessian)
    return delta - lr * p["weight_decay"] * np.asarray(theta, dtype=np.float64), new_state


def _singular() -> SingularHessianError:
    return SingularHessianError("the Hessian is singular here, so Newton's step 1/f'' is "
                                "undefined; add damping or start elsewhere")


def _newton(g: np.ndarray, state: OptState, lr: float, p: Params, theta: Maybe,
            hessian: Maybe) -> Step:
    """Newton-Raphson: theta <- theta - lr (H + damping I)^-1 g  (1-D: s_i = 1 / f''(x_i))."""
    n = g.size
    if n == 1:
        # 1-D: s_i = 1 / f''(x_i) is a scalar divide; np.linalg would cost ~50 us a step.
        h1 = float(np.asarray(hessian, dtype=np.float64).reshape(-1)[0]) + p["damping"]
        if not math.isfinite(h1):
            raise SingularHessianError("the Hessian is not finite here")
        if h1 == 0.0:
            raise _singular()
        return -lr * g / h1, OptState(state.t + 1)
    h = np.asarray(hessian, dtype=np.float64).reshape(n, n) + p["damping"] * np.eye(n)
    if not np.all(np.isfinite(h)):
        raise SingularHessianError("the Hessian is not finite here")
    try:
        if np.linalg.cond(h) > 1e14:
            raise np.linalg.LinAlgError
        direction = np.linalg.solve(h, g.reshape(n))
    except np.linalg.LinAlgError:
        raise _singular() from None
    return (-lr * direction).reshape(g.shape), OptState(state.t + 1)


# ---------------------------------------------------------------- the registry

@dataclass(frozen=True)
class Optimizer:
    """A registered optimizer: ``name`` in files, ``title`` in menus, hyperparameters (lr first).

    ``state`` is the State type (:meth:`init` makes the first one) and ``rule`` the update.
    ``needs_hessian``: second order, so functions only (networks give no Hessian);
    ``steepest_descent``: the step is -lr times the gradient itself, so explanations can write
    the update as the lecture does, x_1 = x_0 - s f'(x_0); ``stable_factor(params)``: c such
    that a fixed step is stable on curvature λ when lr < c/λ, None when no such bound is known;
    ``race_lr``: the step a race starts it with when the first racer's would not suit it (None:
    the first racer's).
    """

    name: str
    title: str
    hyper: tuple[Hyper, ...]
    state: type[OptState]
    rule: Rule
    needs_hessian: bool = False
    steepest_descent: bool = False
    stable_factor: Callable[[Params], float] | None = None
    race_lr: float | None = None

    @property
    def defaults(self) -> dict[str, float]:
        """Every hyperparameter with its default, in the entry's order."""
        return {h.key: h.default for h in self.hyper}

    @property
    def stateless(self) -> bool:
        """True when the state is the update count alone, so replaying an update needs no gradient."""
        return not state_arrays(self.state)

    def init(self, theta: np.ndarray) -> OptState:
        """Fresh state for parameters shaped like ``theta``."""
        return self.state.initial(theta)


# Default learning rates are torch.optim's; SGD has none there, so 0.01 here.
OPTIMIZERS: dict[str, Optimizer] = {o.name: o for o in (
    Optimizer("gd", "Gradient descent", (_lr(0.01),), OptState, _gd, steepest_descent=True,
              stable_factor=lambda p: 2.0),
    Optimizer("momentum", "Momentum", (_lr(0.01), MOMENTUM), MomentumState, _momentum,
              # heavy ball: lr < 2(1 + mu)/λ
              stable_factor=lambda p: 2.0 * (1.0 + p["momentum"])),
    Optimizer("nesterov", "Nesterov momentum", (_lr(0.01), MOMENTUM), MomentumState, _nesterov,
              # lr < 2(1 + mu)/(λ(1 + 2 mu))
              stable_factor=lambda p: 2.0 * (1.0 + p["momentum"]) / (1.0 + 2.0 * p["momentum"])),
    Optimizer("adagrad", "AdaGrad", (_lr(0.01), _eps(1e-10)), SquaresState, _adagrad),
    Optimizer("rmsprop", "RMSProp", (_lr(0.01), ALPHA, _eps(1e-8)), SquaresState, _rmsprop),
    # Adam's first steps are about lr sign(g): a gradient-descent rate would hardly move it
    Optimizer("adam", "Adam", (_lr(0.001), BETA1, BETA2, _eps(1e-8)), AdamState, _adam,
              race_lr=0.05),
    Optimizer("adamw", "AdamW", (_lr(0.001), BETA1, BETA2, _eps(1e-8), WEIGHT_DECAY), AdamState,
              _adamw),
    Optimizer("newton", "Newton-Raphson", (_lr(1.0), DAMPING), OptState, _newton,
              needs_hessian=True),
)}

OPTIMIZER_NAMES = tuple(OPTIMIZERS)
#: Optimizers that need only the gradient (the ones networks can train with).
FIRST_ORDER_NAMES = tuple(n for n, o in OPTIMIZERS.items() if not o.needs_hessian)
#: The order in which "add" in a race picks an optimizer that is not racing yet.
RACE_ORDER = ("momentum", "adam", "nesterov", "rmsprop", "adagrad", "gd")
#: Views of the registry for callers that want one field of every entry.
DEFAULTS: dict[str, dict[str, float]] = {n: o.defaults for n, o in OPTIMIZERS.items()}
TITLES: dict[str, str] = {n: o.title for n, o in OPTIMIZERS.items()}


def get_optimizer(name: str) -> Optimizer:
    """The registered optimizer called ``name``; OptimizerError lists the allowed names."""
    try:
        return OPTIMIZERS[name]
    except (KeyError, TypeError):
        raise OptimizerError(
            f"unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZER_NAMES)}") from None


# ---------------------------------------------------------------- specs

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
    entry = get_optimizer(name)
    allowed = entry.defaults
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise OptimizerError(
            f"{name} has no hyperparameter {unknown[0]!r}; it takes {', '.join(allowed)}")
    full = {k: float(params.get(k, v)) for k, v in allowed.items()}
    for k, v in full.items():
        if not math.isfinite(v):
            raise OptimizerError(f"{k} must be a finite number, got {v}")
    for h in entry.hyper:
        h.check(full[h.key])
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


def next_racer(racing: set[str], lr: float) -> OptimizerSpec:
    """The spec a race adds beside the optimizers ``racing``: the first of :data:`RACE_ORDER`
    not racing yet, with the first racer's step ``lr`` unless the entry has its own."""
    name = next((n for n in RACE_ORDER if n not in racing), RACE_ORDER[-1])
    own = OPTIMIZERS[name].race_lr
    return make_spec(name, lr=lr if own is None else own)


# ---------------------------------------------------------------- stepping

def init(spec: OptimizerSpec, theta: np.ndarray) -> OptState:
    """Fresh state for parameters shaped like ``theta``."""
    return get_optimizer(spec.name).init(theta)


def update(spec: OptimizerSpec, grad: np.ndarray, state: OptState, theta: np.ndarray | None = None,
           hessian: np.ndarray | None = None, lr: float | None = None) -> tuple[np.ndarray, OptState]:
    """One update: returns ``(delta, new_state)`` with ``theta_next = theta + delta``.

    ``grad``: gradient at ``theta`` (any shape); ``hessian``: ``(n, n)`` for optimizers that
    need it, ``n = grad.size``; ``lr`` overrides the scheduled learning rate (line search).
    Arithmetic runs under ``np.errstate(all="ignore")``: a non-finite result is the
    session's to report as divergence, not an exception.
    """
    entry = get_optimizer(spec.name)
    if entry.needs_hessian and hessian is None:
        raise OptimizerError(f"{spec.name} needs the Hessian; this objective does not provide one")
    g = np.asarray(grad, dtype=np.float64)
    step_lr = scheduled_lr(spec, state.t) if lr is None else lr
    with np.errstate(all="ignore"):
        return entry.rule(g, state, step_lr, spec.params, theta, hessian)


__all__ = [
    "DEFAULTS", "FIRST_ORDER_NAMES", "OPTIMIZERS", "OPTIMIZER_NAMES", "RACE_ORDER",
    "SCHEDULE_NAMES", "TITLES", "AdamState", "Hyper", "Interval", "MomentumState", "OptState",
    "Optimizer", "OptimizerError", "OptimizerSpec", "SingularHessianError", "SquaresState",
    "armijo_backtracking", "get_optimizer", "init", "make_spec", "next_racer", "scheduled_lr",
    "spec_from_dict", "update",
]
