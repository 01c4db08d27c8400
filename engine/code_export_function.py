"""A function scenario (1-D or 2-D descent) as a standalone numpy script.

The formula, its gradient and its Hessian are sympy expressions (``engine.expressions.Formula``),
printed as numpy code by sympy's own ``NumPyPrinter`` with the settings the engine lambdifies them
with, so the script evaluates exactly what the engine does; with ``finite`` derivatives the script
takes central differences of f with the scenario's step h. Every optimizer and schedule of
``engine/optimizers.py`` is written out, the Armijo line search too, and the stopping rules of
``engine/descent.py`` (converged, diverged, the iteration limit).
"""

from __future__ import annotations

import textwrap

import sympy
from sympy.printing.numpy import NumPyPrinter

from engine.code_export_parts import (ARMIJO, TRACE_NUMBERS, ExportError, fill, literal, optimizer_code,
                                      row_literal, script_header)
from engine.expressions import numeric_ready
from engine.optimizers import get_optimizer
from engine.scenario import Scenario, build_function_session

#: The engine's custom ``abs`` and ``sign`` (``engine.formula_parser``), printed as numpy's.
_PRINTER_SETTINGS = {"fully_qualified_modules": True, "inline": True,
                     "user_functions": {"abs": "numpy.abs", "sign": "numpy.sign"}}


def numpy_code(expr: sympy.Expr) -> str:
    """``expr`` as numpy source, printed by sympy's NumPyPrinter (numbers numpy cannot take replaced
    as the engine replaces them before it lambdifies)."""
    try:
        return NumPyPrinter(dict(_PRINTER_SETTINGS)).doprint(numeric_ready(expr))
    except (NotImplementedError, ValueError, TypeError) as e:
        raise ExportError(f"this formula cannot be written as numpy code ({e})") from None


def _wrapped(code: str, indent: int) -> str:
    """Printed code broken at its spaces (inside the brackets around it, where Python allows it)."""
    pad = " " * indent
    lines = textwrap.wrap(code, width=96 - indent, break_long_words=False, break_on_hyphens=False)
    if len(lines) <= 1:
        return code
    return "(\n" + "".join(f"{pad}    {line}\n" for line in lines) + pad + ")"


_EXACT = '''

def gradient(x):
    """grad f = (df/d$v0$more_vars), differentiated by sympy."""
    $args = x
    return np.array([
$grads    ], dtype=np.float64)


def hessian(x):
    """The Hessian d2f/dx_i dx_j, differentiated by sympy."""
    $args = x
    return np.array([
$hess    ], dtype=np.float64)
'''

_FINITE = '''

H_STEP = $h  # central differences with step h (the scenario's derivatives: finite)


def values(p):
    """f at each row of p (n x DIM), evaluated on arrays (numpy's array loops, as the engine's)."""
    return np.broadcast_to(np.asarray(f(*p.T), dtype=np.float64), p.shape[:1])


def gradient(x):
    """df/dx_i ~ (f(x + h e_i) - f(x - h e_i)) / 2h."""
    p = np.reshape(x, (1, DIM))
    g = np.empty(DIM)
    for i in range(DIM):
        e = np.zeros(DIM)
        e[i] = H_STEP
        g[i] = ((values(p + e) - values(p - e)) / (2 * H_STEP))[0]
    return g


def hessian(x):
    """d2f/dx_i^2 ~ (f(x + h e_i) - 2 f(x) + f(x - h e_i)) / h^2, mixed partials by four points."""
    p = np.reshape(x, (1, DIM))
    out = np.empty((DIM, DIM))
    f0 = values(p)
    for i in range(DIM):
        ei = np.zeros(DIM)
        ei[i] = H_STEP
        out[i, i] = ((values(p + ei) - 2 * f0 + values(p - ei)) / (H_STEP * H_STEP))[0]
        for j in range(i + 1, DIM):
            ej = np.zeros(DIM)
            ej[j] = H_STEP
            mixed = (values(p + ei + ej) - values(p + ei - ej) - values(p - ei + ej)
                     + values(p - ei - ej)) / (4 * H_STEP * H_STEP)
            out[i, j] = out[j, i] = mixed[0]
    return out
'''


_DESCENT = """

# ---- the run: one optimizer update an iteration, and the checks that end it --------------------
START = np.array($start)  # x_0
TOL = $tol  # converged when |grad f| and the step |x_k - x_(k-1)| fall below this
BOUND = $bound  # diverged when some |x_i| grows beyond this
MAX_ITER = $max_iter  # the iteration limit
NEWTON = $newton


def norm(v):
    return math.sqrt(float(np.dot(v, v)))


def point(x):
    return "(" + ", ".join(f"{v:.5g}" for v in x) + ")" if DIM > 1 else f"{x[0]:.5g}"


def converged(k, x, fx):
    return "converged", f"converged at x = {point(x)} (f = {fx:.4g}) after {k} iterations"
$status_rules

def step_size(lr, g, H, dx):
    \"\"\"s_i, the step size the update took: lr; Newton: lr / (f''(x_i) + damping) in 1-D (s_i = 1 / f''(x_i)),
    in 2-D the step's length along -grad f per unit gradient, -grad f . dx / |grad f|^2.\"\"\"
    if not NEWTON:
        return lr
    if DIM == 1:
        return lr / (float(np.ravel(H)[0]) + DAMPING)
    gg = float(np.dot(g, g))
    return -float(np.dot(g, dx)) / gg if gg > 0 else math.nan


def descend():
    \"\"\"Up to STEPS iterations from START; the trace's steps and the (status, reason) of the last.\"\"\"
    x = START.copy()
    fx, g = value(x), gradient(x)
    state = init_state(x)
    steps = [{"step": 0, "x": x, "value": fx, "gradient": g, "dx": np.zeros(DIM), "bounces": 0}]
    status = status_of(steps)
    for k in range(STEPS):
        if (status is not None and status[0] != "running") or k >= MAX_ITER:
            break
        H = hessian(x) if NEWTON else None
        lr = scheduled_lr(state["t"])
        try:
            delta, new_state = update(g, state, x, lr, H)
$line_search        except SingularHessian as err:
            status = "diverged", f"stopped at iteration {k}: {err} (x = {point(x)})"
            break
        x_new = x + delta
        if not np.all(np.isfinite(x_new)):
            status = "diverged", f"diverged at iteration {k + 1}: the update from x = {point(x)} is not finite"
            break
        dx = x_new - x
        record = {"step": k + 1, "lr": step_size(lr, g, H, dx), "dx": dx,
                  # how many steps in a row reverse the one before (bouncing)
                  "bounces": steps[-1]["bounces"] + 1 if k and float(np.dot(steps[-1]["dx"], dx)) < 0.0 else 0}
$trials        x, fx, g, state = x_new, value(x_new), gradient(x_new), new_state
        steps.append({**record, "x": x, "value": fx, "gradient": g})
        status = status_of(steps)
    return steps, status or ("running", "")
$trace_numbers

def trace(steps, status):
    num = JsonNumbers()
    kept = []
    for k in recorded_steps(len(steps) - 1, EVERY):
        s = steps[k]
        row = {"step": k, "x": num.many(s["x"]), "value": num(s["value"]), "gradient": num.many(s["gradient"])}
        if "lr" in s:
            row["lr"] = num(s["lr"])
        if "trials" in s:
            row["trials"] = [{"lr": num(lr), "value": num(v), "accepted": ok} for lr, v, ok in s["trials"]]
        kept.append(row)
    return {"steps": kept, "status": status[0], "reason": num.reason(status[1])}


if __name__ == "__main__":
    np.seterr(all="ignore")  # overflow gives inf, which the checks above report
    steps, status = descend()
    print(json.dumps(trace(steps, status), indent=2, allow_nan=False))
"""

_DIVERGED = """    k, x, fx, g = len(steps) - 1, steps[-1]["x"], steps[-1]["value"], steps[-1]["gradient"]
    if not math.isfinite(fx):
        return "diverged", f"diverged at iteration {k}: f became {'infinite' if math.isinf(fx) else 'undefined (NaN)'} at x = {point(x)}"
    if not np.all(np.isfinite(g)):
        return "diverged", f"diverged at iteration {k}: the gradient is not finite at x = {point(x)}"
    if float(np.max(np.abs(x))) > BOUND:
        return "diverged", f"diverged at iteration {k}: |x| exceeded {BOUND:g}"
    grad_norm, step_norm = norm(g), norm(steps[-1]["dx"])
"""

#: engine/descent.py's checks: converged only where the gradient and the step are both small;
#: stopped for a step that no longer moves x, bouncing, a short cycle and the iteration limit.
_STOPPED_RULES = """

BOUNCE_WINDOW = 50  # bouncing: this many steps in a row each reversing the one before ...
NOT_SHRINKING = 0.98  # ... and the last at least this share of the one a window earlier
MAX_PERIOD = 8  # short cycles: x_k repeats x_(k-p) for a p up to this ...
CYCLE_EVERY = 4  # ... checked every few iterations ...
CYCLE_RTOL = 1e-9  # ... to this relative tolerance


def short_cycle(steps, k):
    \"\"\"The period p (2..MAX_PERIOD) with which x_(k-p+1..k) repeat the p iterates before them while
    no step in the cycle is below TOL; 0 when there is none (or k is not a checked iteration).\"\"\"
    if k % CYCLE_EVERY or k < 2 * MAX_PERIOD:
        return 0
    xs = np.array([s["x"] for s in steps])
    dxs = np.array([s["dx"] for s in steps[k - MAX_PERIOD:k + 1]])
    x = xs[k]
    limit = CYCLE_RTOL * (1.0 + float(np.abs(x).max()))
    back = np.abs(xs[k - MAX_PERIOD:k - 1] - x).max(axis=1)  # x_k against x_(k-8) .. x_(k-2)
    if not (back <= limit).any():
        return 0
    for p in range(2, MAX_PERIOD + 1):
        if back[MAX_PERIOD - p] > limit:
            continue
        now, before = xs[k - p + 1:k + 1], xs[k - 2 * p + 1:k - p + 1]
        if float(np.max(np.abs(now - before))) > limit:
            continue
        if float(np.min(np.linalg.norm(dxs[MAX_PERIOD - p + 1:], axis=1))) >= TOL:
            return p
    return 0


def status_of(steps):
    \"\"\"The (status, reason) the last iterate reaches, or None while the run simply goes on.\"\"\"
$diverged    if grad_norm < TOL and step_norm < TOL:
        return converged(k, x, fx)
    if k > 0 and step_norm == 0.0:
        return "stopped", f"stopped at iteration {k} at x = {point(x)}: the step no longer moves x"
    if (steps[-1]["bounces"] >= BOUNCE_WINDOW
            and step_norm >= NOT_SHRINKING * norm(steps[k - BOUNCE_WINDOW]["dx"])):
        return "stopped", f"stopped at iteration {k}: the iterates bounce back and forth without settling"
    period = short_cycle(steps, k)
    if period:
        return "stopped", f"stopped at iteration {k}: the iterates repeat a cycle of {period} points"
    if k >= MAX_ITER:
        return "stopped", f"stopped after {MAX_ITER} iterations (max_iter) without converging"
    return None
"""

_LINE_SEARCH = """            # backtracking: the largest t = SHRINK^k with Armijo's decrease, then the step with lr t
            t, trials = armijo(value, x, fx, g, delta)
            if t == 0.0:
                if norm(delta) < TOL$and_grad:
                    status = converged(k, x, fx)
                else:
                    status = "$no_step", f"stopped at iteration {k}: the line search found no step"
                break
            lr *= t
            delta, new_state = update(g, state, x, lr, H)
"""

_TRIALS = """        full = record["lr"] / trials[-1][0]  # each trial's step size: its fraction t of the proposed step
        record["trials"] = [(record["lr"] if i == len(trials) - 1 else full * s, v, i == len(trials) - 1)
                            for i, (s, v) in enumerate(trials)]
"""


_NO_NEWTON = '''

class SingularHessian(ArithmeticError):
    """Only Newton's step can meet a singular Hessian; this optimizer never raises it."""


DAMPING = 0.0
'''


def function_script(scenario: Scenario, steps: int, every: int, scenario_name: str) -> str:
    """The whole numpy script of a function scenario: ``steps`` iterations, every ``every``-th recorded."""
    session = build_function_session(scenario)
    objective, spec = session.objective, session.spec
    formula = objective.formula
    names = formula.variables
    dim = formula.dim
    args = ", ".join(names) + ("," if dim == 1 else "")
    head = script_header(scenario.title or objective.title,
                         f"{get_optimizer(spec.name).title.lower()} on\n\n"
                         f"    f({', '.join(names)}) = {formula.text}\n\n"
                         "with numpy alone: f, its derivatives and the optimizer are written out below.",
                         steps, every, scenario_name)
    if scenario.compare:
        head += ("\nThe scenario races further optimizers beside this one; `run` traces the first, and so\n"
                 "does this script.\n")
    head += ('\nThe formulas were printed as numpy code by sympy\'s NumPyPrinter, which names numpy in full.\n"""\n')
    parts = [head, "\nimport json\nimport math\n\nimport numpy\nimport numpy as np\n\n",
             f"STEPS = {steps}  # iterations to take\nEVERY = {every}  # record every EVERY-th step (and the last)\n",
             f"DIM = {dim}  # variables: {', '.join(names)}\n\n\n",
             f"def f({', '.join(names)}):\n    \"\"\"f({', '.join(names)}) = {formula.display()}\"\"\"\n"
             f"    return {_wrapped(numpy_code(formula.expr), 4)}\n\n\n",
             "def value(x):\n    \"\"\"f at the point x (an array of DIM numbers).\"\"\"\n    return float(f(*x))\n"]
    if objective.derivatives == "exact":
        grads = "".join(f"        {_wrapped(numpy_code(g), 8)},  # df/d{v}\n"
                        for g, v in zip(formula.gradient_exprs, names))
        hess = "".join("        [" + ", ".join(_wrapped(numpy_code(h), 8) for h in row) + "],\n"
                       for row in formula.hessian_exprs)
        parts.append(fill(_EXACT, v0=names[0], more_vars="".join(f", df/d{v}" for v in names[1:]),
                          args=args, grads=grads, hess=hess))
    else:
        parts.append(fill(_FINITE, h=literal(objective.h)))
    parts += ["\n\n", optimizer_code(spec)]
    if spec.name != "newton":
        parts.append(_NO_NEWTON)
    backtracking = spec.schedule == "backtracking"
    if backtracking:
        parts.append(fill(ARMIJO, dot="np.vdot(g, delta)"))
    rules = fill(_STOPPED_RULES, diverged=_DIVERGED)
    search = fill(_LINE_SEARCH, and_grad=" and norm(g) < TOL", no_step="stopped")
    parts.append(fill(_DESCENT, start=row_literal(session.start), tol=literal(session.tol),
                      bound=literal(session.bound), max_iter=session.max_iter, newton=spec.name == "newton",
                      status_rules=rules, line_search=search if backtracking else "",
                      trials=_TRIALS if backtracking else "", trace_numbers=TRACE_NUMBERS))
    return "".join(parts)


__all__ = ["function_script", "numpy_code"]
