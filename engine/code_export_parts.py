"""Pieces every exported script shares: number and array literals, the optimizer rules written out
in numpy, the line search, and the trace printer (SPEC section 6 field names).

``engine.code_export`` assembles scripts from these; ``code_export_numpy``, ``code_export_torch`` and
``code_export_function`` write the parts that differ. Numbers are written with ``repr`` (the shortest
text that reads back as the same float64), so a script rebuilds the scenario bit for bit.
"""

from __future__ import annotations

import math
from string import Template
from typing import Sequence

import numpy as np

from engine.optimizers import OptimizerSpec, get_optimizer


#: A unit is saturated when |g'(z)| is below this for every observation; residuals below EXACT_FIT
#: are an exact fit, where a vanished gradient is a minimum (``engine.network_convergence``).
SATURATED_SLOPE = 1e-6
EXACT_FIT = 1e-6


class ExportError(ValueError):
    """A scenario that cannot be exported in the form asked for; the message says what can."""


def literal(value: float) -> str:
    """A float64 as Python source that reads back as the same number (``0.1``, ``3.0``, ``1e-08``)."""
    v = float(value)
    if not math.isfinite(v):
        raise ExportError(f"cannot write the non-finite number {v} into a script")
    return repr(v)


def row_literal(values: Sequence[float]) -> str:
    """``[0.2, 0.4]``: a row of numbers as a Python list."""
    return "[" + ", ".join(literal(v) for v in values) + "]"


def matrix_literal(a: np.ndarray, indent: int) -> str:
    """A 2-D array as a list of rows, one row a line, the rows indented by ``indent`` spaces."""
    rows = np.asarray(a, dtype=np.float64)
    pad = " " * indent
    if rows.shape[0] <= 1:
        return "[" + ", ".join(row_literal(r) for r in rows) + "]"
    return "[\n" + "".join(f"{pad}{row_literal(r)},\n" for r in rows) + pad[:-4] + "]"


def fill(template: str, **values: object) -> str:
    """``template`` with its ``$names`` replaced (string.Template: braces in code stay as they are)."""
    return Template(template).substitute({k: str(v) for k, v in values.items()})


# ---------------------------------------------------------------- optimizers, written out

_STATE = {"gd": '{"t": 0}', "newton": '{"t": 0}',
          "momentum": '{"t": 0, "m": np.zeros_like(theta)}',
          "nesterov": '{"t": 0, "m": np.zeros_like(theta)}',
          "adagrad": '{"t": 0, "v": np.zeros_like(theta)}',
          "rmsprop": '{"t": 0, "v": np.zeros_like(theta)}',
          "adam": '{"t": 0, "m": np.zeros_like(theta), "v": np.zeros_like(theta)}',
          "adamw": '{"t": 0, "m": np.zeros_like(theta), "v": np.zeros_like(theta)}'}

_ADAM = '''    t = state["t"] + 1
    m = BETA1 * state["m"] + (1.0 - BETA1) * g               # first moment
    v = BETA2 * state["v"] + (1.0 - BETA2) * g * g           # second moment
    denom = np.sqrt(v) / math.sqrt(1.0 - BETA2 ** t) + EPS
    delta = -(lr / (1.0 - BETA1 ** t)) * m / denom
'''

_RULES = {
    "gd": ("gradient descent (torch.optim.SGD): theta <- theta - lr g",
           '    return -lr * g, {"t": state["t"] + 1}\n'),
    "momentum": ("momentum (torch.optim.SGD with momentum mu): m <- mu m + g; theta <- theta - lr m",
                 '    m = MOMENTUM * state["m"] + g\n'
                 '    return -lr * m, {"t": state["t"] + 1, "m": m}\n'),
    "nesterov": ("Nesterov momentum (torch.optim.SGD, nesterov=True): m <- mu m + g; "
                 "theta <- theta - lr (g + mu m)",
                 '    m = MOMENTUM * state["m"] + g\n'
                 '    return -lr * (g + MOMENTUM * m), {"t": state["t"] + 1, "m": m}\n'),
    "adagrad": ("AdaGrad (torch.optim.Adagrad): v <- v + g^2; theta <- theta - lr g / (sqrt(v) + eps)",
                '    v = state["v"] + g * g\n'
                '    return -lr * g / (np.sqrt(v) + EPS), {"t": state["t"] + 1, "v": v}\n'),
    "rmsprop": ("RMSProp (torch.optim.RMSprop): v <- alpha v + (1 - alpha) g^2; "
                "theta <- theta - lr g / (sqrt(v) + eps)",
                '    v = ALPHA * state["v"] + (1.0 - ALPHA) * g * g\n'
                '    return -lr * g / (np.sqrt(v) + EPS), {"t": state["t"] + 1, "v": v}\n'),
    "adam": ("Adam (torch.optim.Adam): m <- b1 m + (1 - b1) g; v <- b2 v + (1 - b2) g^2;\n"
             "    theta <- theta - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps)",
             _ADAM + '    return delta, {"t": t, "m": m, "v": v}\n'),
    "adamw": ("AdamW (torch.optim.AdamW): theta <- theta - lr lambda theta (decoupled weight decay),\n"
              "    then Adam's step",
              _ADAM + '    return delta - lr * WEIGHT_DECAY * theta, {"t": t, "m": m, "v": v}\n'),
    "newton": ("Newton-Raphson: theta <- theta - lr (H + damping I)^-1 g  (1-D: s_i = 1 / f''(x_i))",
               '''    n = g.size
    if n == 1:
        h1 = float(H[0, 0]) + DAMPING
        if not math.isfinite(h1):
            raise SingularHessian("the Hessian is not finite here")
        if h1 == 0.0:
            raise SingularHessian(SINGULAR)
        return -lr * g / h1, {"t": state["t"] + 1}
    h = H + DAMPING * np.eye(n)
    if not np.all(np.isfinite(h)):
        raise SingularHessian("the Hessian is not finite here")
    try:
        if np.linalg.cond(h) > 1e14:
            raise np.linalg.LinAlgError
        direction = np.linalg.solve(h, g)
    except np.linalg.LinAlgError:
        raise SingularHessian(SINGULAR) from None
    return -lr * direction, {"t": state["t"] + 1}
'''),
}

_NEWTON_EXTRA = '''SINGULAR = ("the Hessian is singular here, so Newton's step 1/f'' is undefined; add damping "
            "or start elsewhere")


class SingularHessian(ArithmeticError):
    """Newton's step is undefined: the (damped) Hessian is singular or not finite."""


'''

_KEYS = {"momentum": "MOMENTUM", "alpha": "ALPHA", "beta1": "BETA1", "beta2": "BETA2", "eps": "EPS",
         "weight_decay": "WEIGHT_DECAY", "damping": "DAMPING"}


def constant_name(key: str) -> str:
    """The script's constant for hyperparameter ``key`` (``beta1`` -> ``BETA1``)."""
    return _KEYS.get(key, key.upper())


def optimizer_constants(spec: OptimizerSpec) -> str:
    """``LR = 0.1`` and the optimizer's other hyperparameters and schedule constants, one a line."""
    entry = get_optimizer(spec.name)
    lines = [f"# ---- the optimizer: {entry.title} " + "-" * max(4, 76 - len(entry.title)),
             f"LR = {literal(spec.lr)}  # the learning rate (step size) lr"]
    for h in entry.hyper[1:]:
        lines.append(f"{constant_name(h.key)} = {literal(spec.params[h.key])}  # {h.label}")
    if spec.schedule == "decay":
        lines.append(f"DECAY_K = {literal(spec.decay_k)}  # decay: lr_t = lr / (1 + k t)")
    if spec.schedule == "backtracking":
        lines.append(f"ARMIJO_C = {literal(spec.armijo_c)}  # Armijo's constant c")
        lines.append(f"SHRINK = {literal(spec.shrink)}  # each trial step is SHRINK times the last")
    return "\n".join(lines) + "\n"


def optimizer_code(spec: OptimizerSpec) -> str:
    """The optimizer of ``spec`` as numpy code: its constants, ``scheduled_lr``, ``init_state`` and
    ``update`` (the rule of ``engine/optimizers.py``, as torch.optim defines it)."""
    text = optimizer_constants(spec) + "\n\n"
    if spec.name == "newton":
        text += _NEWTON_EXTRA
    if spec.schedule == "decay":
        text += ('def scheduled_lr(t):\n    """The learning rate of update t + 1 (t updates taken): '
                 'lr / (1 + k t)."""\n    return LR / (1.0 + DECAY_K * t)\n\n\n')
    else:
        text += ('def scheduled_lr(t):\n    """The learning rate of update t + 1: lr, the same every '
                 'update."""\n    return LR\n\n\n')
    doc, body = _RULES[spec.name]
    text += (f'def init_state(theta):\n    """The optimizer\'s state before the first update: the count '
             f't and its running arrays, all zero."""\n    return {_STATE[spec.name]}\n\n\n')
    text += (f'def update(g, state, theta, lr, H=None):\n    """One step of {doc}.\n\n'
             f'    g is the gradient at theta; returns (delta, new state), theta_next = theta + delta.\n'
             f'    """\n{body}')
    return text


ARMIJO = '''

def armijo(f, theta, value, g, delta):
    """Armijo backtracking: the largest t = SHRINK^k (t = 1 first) with
    f(theta + t delta) <= f(theta) + c t g.delta, and the (t, f) of every trial in order;
    t = 0 when none of 60 trials is accepted or delta is not a descent direction."""
    slope = float($dot)
    trials = []
    if not slope < 0:
        return 0.0, trials
    t = 1.0
    for _ in range(60):
        trial = f(theta + t * delta)
        trials.append((t, trial))
        if math.isfinite(trial) and trial <= value + ARMIJO_C * t * slope:
            return t, trials
        t *= SHRINK
    return 0.0, trials
'''


# ---------------------------------------------------------------- the trace

TRACE_NUMBERS = '''

class JsonNumbers:
    """JSON has no NaN or infinity: non-finite numbers are written as null, and the reason says so."""

    def __init__(self):
        self.non_finite = False

    def __call__(self, value):
        v = float(value)
        if math.isfinite(v):
            return v
        self.non_finite = True
        return None

    def many(self, values):
        return [self(v) for v in values]

    def reason(self, reason):
        note = "non-finite numbers are written as null"
        if not self.non_finite:
            return reason
        return f"{reason} ({note})" if reason else note


def recorded_steps(n_steps, every):
    """Steps 0..n_steps kept with every = K: every K-th step and the last."""
    keep = list(range(0, n_steps + 1, every))
    if keep[-1] != n_steps:
        keep.append(n_steps)
    return keep
'''


def script_header(title: str, what: str, steps: int, every: int, scenario_name: str) -> str:
    """The script's first lines: what it rebuilds and the command whose trace it prints."""
    every_arg = f" --every {every}" if every != 1 else ""
    title = title.replace('"""', "'''").replace("\\", "/") or "A Stepwise scenario"
    return (f'"""{title}\n\n'
            f"Exported from Stepwise: {what}\n"
            f"It takes {steps} update{'s' if steps != 1 else ''} and prints the JSON trace that\n\n"
            f"    stepwise run {scenario_name} --steps {steps}{every_arg} --format json\n\n"
            f"prints (same field names, same numbers to 1e-9).\n")


__all__ = ["ARMIJO", "EXACT_FIT", "SATURATED_SLOPE", "ExportError", "TRACE_NUMBERS", "constant_name", "fill", "literal", "matrix_literal",
           "optimizer_code", "optimizer_constants", "row_literal", "script_header"]
