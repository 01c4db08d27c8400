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
from engine.expressions import _numeric_ready
from engine.optimizers import get_optimizer
from engine.scenario import Scenario, build_function_session

#: The engine's custom ``abs`` and ``sign`` (``engine.formula_parser``), printed as numpy's.
_PRINTER_SETTINGS = {"fully_qualified_modules": True, "inline": True,
                     "user_functions": {"abs": "numpy.abs", "sign": "numpy.sign"}}


def numpy_code(expr: sympy.Expr) -> str:
    """``expr`` as numpy source, printed by sympy's NumPyPrinter (numbers numpy cannot take replaced
    as the engine replaces them before it lambdifies)."""
    try:
        return NumPyPrinter(dict(_PRINTER_SETTINGS)).doprint(_numeric_ready(expr))
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


_DESCENT = '''

# ---- the run: one optimizer update an iteration, and the checks that end it --------------------
START = np.array($start)  # x_0
TOL = $tol  # converged when |grad f| or the step |x_k - x_(k-1)| falls below this
BOUND = $bound  # diverged when some |x_i| grows beyond this
MAX_ITER = $max_iter  # the iteration limit
NEWTON = $newton


def norm(v):
    return math.sqrt(float(np.dot(v, v)))


def point(x):
    return "(" + ", ".join(f"{v:.5g}" for v in x) + ")" if DIM > 1 else f"{x[0]:.5g}"


def status_of(k, x, fx, g, step):
    """The (status, reason) iterate k reaches, or None while the run simply goes on."""
    if not math.isfinite(fx):
        return "diverged", f"diverged at iteration {k}: f became {'infinite' if math.isinf(fx) else 'undefined (NaN)'} at x = {point(x)}"
    if not np.all(np.isfinite(g)):
        return "diverged", f"diverged at iteration {k}: the gradient is not finite at x = {point(x)}"
    if float(np.max(np.abs(x))) > BOUND:
        return "diverged", f"diverged at iteration {k}: |x| exceeded {BOUND:g}"
    if norm(g) < TOL or (step is not None and norm(step) < TOL):
        return "converged", f"converged at x = {point(x)} (f = {fx:.4g}) after {k} iterations"
    if k >= MAX_ITER:
        return "running", f"stopped after {MAX_ITER} iterations (max_iter) without converging"
    return None


def step_size(lr, x):
    """The step size the update took: lr, or for Newton in 1-D lr / f''(x) (s_i = 1 / f''(x_i))."""
    return lr / (float(hessian(x)[0, 0]) + DAMPING) if NEWTON and DIM == 1 else lr


def descend():
    """Up to STEPS iterations from START; the trace's steps and the (status, reason) of the last."""
    x = START.copy()
    fx, g = value(x), gradient(x)
    state = init_state(x)
    steps = [{"step": 0, "x": x, "value": fx, "gradient": g}]
    status = status_of(0, x, fx, g, None)
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
        record = {"step": k + 1, "lr": step_size(lr, x)}
$trials        step = x_new - x
        x, fx, g, state = x_new, value(x_new), gradient(x_new), new_state
        steps.append({**record, "x": x, "value": fx, "gradient": g})
        status = status_of(k + 1, x, fx, g, step)
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
            row["trials"] = [{"lr": num(lr), "value": num(v)} for lr, v in s["trials"]]
        kept.append(row)
    return {"steps": kept, "status": status[0], "reason": num.reason(status[1])}


if __name__ == "__main__":
    np.seterr(all="ignore")  # overflow gives inf, which the checks above report
    steps, status = descend()
    print(json.dumps(trace(steps, status), indent=2, allow_nan=False))
'''

_LINE_SEARCH = '''            # backtracking: the largest t = SHRINK^k with Armijo's decrease, then the step with lr t
            t, trials = armijo(value, x, fx, g, delta)
            if t == 0.0:
                if norm(delta) < TOL:
                    status = "converged", f"converged at x = {point(x)} (f = {fx:.4g}) after {k} iterations"
                else:
                    status = "diverged", (f"stopped at iteration {k}: the line search found no step along the "
                                          "optimizer's direction that decreases f (not a descent direction)")
                break
            lr *= t
            delta, new_state = update(g, state, x, lr, H)
'''

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
    parts.append(fill(_DESCENT, start=row_literal(session.start), tol=literal(session.tol),
                      bound=literal(session.bound), max_iter=session.max_iter, newton=spec.name == "newton",
                      line_search=_LINE_SEARCH if backtracking else "",
                      trials=('        record["trials"] = [(step_size(lr / t * s, x), v) for s, v in trials]\n'
                              if backtracking else ""),
                      trace_numbers=TRACE_NUMBERS))
    return "".join(parts)


__all__ = ["function_script", "numpy_code"]
