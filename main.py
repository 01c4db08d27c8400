"""Stepwise's command line: open the window, or run, explain and screenshot scenarios headless.

    python main.py [SCENARIO]                     open the window (on SCENARIO if given)
    python main.py run SCENARIO --steps N [--every K] [--out FILE] [--format json|csv]
    python main.py explain SCENARIO [--observation I] [--format text|markdown|latex] [--digits D]
    python main.py screenshot SCENARIO --steps N --out FILE.png [--workspace NAME]

Exit status 0 on success, 2 on bad input (one line on stderr, no traceback). The trace's
field names (``steps``, ``step``, ``loss``, ``parameters``, ``gradient``, ``x``, ``value``,
``status``, ``reason``) are a contract with scripts outside the project: keep them exactly.
Engine, numpy and Qt are imported inside the subcommands, so ``import main`` stays cheap.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import math
import sys
from pathlib import Path
from typing import Any, Sequence

SUBCOMMANDS = ("run", "explain", "screenshot")
WORKSPACES = ("descent1d", "descent2d", "network")


class UsageError(ValueError):
    """A command-line request that cannot be met (e.g. an observation number out of range)."""


def _input_errors() -> tuple[type[BaseException], ...]:
    """Exceptions that mean "the user's input is bad": reported in one line, exit status 2."""
    from engine.activations import ActivationError
    from engine.data import DataError
    from engine.expressions import FormulaError
    from engine.losses import LossError
    from engine.network import NetworkError
    from engine.optimizers import OptimizerError
    from engine.scenario import ScenarioError
    from engine.training import TrainingError

    return (UsageError, ScenarioError, DataError, FormulaError, OptimizerError, NetworkError, LossError,
            ActivationError, TrainingError, OSError)


# --- argument parsing ---------------------------------------------------------------------------

def _whole(minimum: int):
    """An argparse type: a whole number >= ``minimum``, with a message that says so."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected a whole number >= {minimum}, got {value}")
        return value
    return parse


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stepwise",
        description="Step through neural-network training one iteration at a time. "
                    "Without a command, opens the window (on SCENARIO if given).")
    sub = parser.add_subparsers(dest="command", metavar="{run,explain,screenshot}")

    run = sub.add_parser("run", help="run a scenario and print or write its trace")
    run.add_argument("scenario", help="scenario file (.json)")
    run.add_argument("--steps", type=_whole(0), required=True, help="number of updates to take")
    run.add_argument("--every", type=_whole(1), default=1, metavar="K",
                     help="record only every K-th step (and the last)")
    run.add_argument("--out", metavar="FILE", help="write the trace to FILE instead of standard output")
    run.add_argument("--format", choices=("json", "csv"), default="json")

    explain = sub.add_parser("explain", help="print the forward values, residuals, nudge table, "
                                             "gradient and chain-rule factors for lecture notes")
    explain.add_argument("scenario", help="scenario file (.json)")
    explain.add_argument("--observation", type=_whole(1), metavar="I",
                         help="explain observation I only (1-based; default: all, up to 10)")
    explain.add_argument("--format", choices=("text", "markdown", "latex"), default="text")
    explain.add_argument("--digits", type=_whole(1), default=4, help="significant figures (default 4)")

    shot = sub.add_parser("screenshot", help="render the window offscreen after N steps to a PNG")
    shot.add_argument("scenario", help="scenario file (.json)")
    shot.add_argument("--steps", type=_whole(0), required=True)
    shot.add_argument("--out", required=True, metavar="FILE.png")
    shot.add_argument("--workspace", choices=WORKSPACES, help="which workspace to show "
                                                              "(default: the one for the scenario's kind)")
    return parser


# --- output helpers -----------------------------------------------------------------------------

class _JsonNumbers:
    """Turns floats into JSON numbers, writing non-finite ones as null and remembering that it did."""

    def __init__(self) -> None:
        self.non_finite = False

    def __call__(self, value: float) -> float | None:
        v = float(value)
        if math.isfinite(v):
            return v
        self.non_finite = True
        return None

    def many(self, values: Any) -> list[float | None]:
        return [self(v) for v in values]


def _recorded(n_steps: int, every: int) -> list[int]:
    """Steps 0..n_steps kept with ``--every``: every K-th step and the last."""
    keep = list(range(0, n_steps + 1, every))
    if keep[-1] != n_steps:
        keep.append(n_steps)
    return keep


def _emit(text: str, out: str | None) -> None:
    if out is None:
        sys.stdout.write(text)
        return
    Path(out).write_text(text, encoding="utf-8")


# --- run ----------------------------------------------------------------------------------------

def network_trace(scenario: Any, steps: int, every: int = 1) -> dict:
    """Train ``steps`` updates and return the trace: steps with loss, parameters, gradient; status, reason.

    Each recorded step holds the full-data loss R and gradient at the parameters after that
    many updates (for online and mini-batch training too, so steps compare like with like).
    """
    from engine.scenario import build_training_session

    session = build_training_session(scenario)
    session.run(steps)
    names = session.param_names
    num = _JsonNumbers()
    kept = []
    for k in _recorded(session.n_updates, every):
        theta = session.parameters_at(k)
        loss, grad = session.kernel(theta, session.X, session.Y)
        kept.append({"step": k, "loss": num(loss),
                     "parameters": dict(zip(names, num.many(theta))),
                     "gradient": dict(zip(names, num.many(grad)))})
    status = session.status
    return {"steps": kept, "status": status.state, "reason": _reason(status.reason, num)}


def function_trace(scenario: Any, steps: int, every: int = 1) -> dict:
    """Take ``steps`` iterations and return the trace: steps with x, value, gradient; status, reason."""
    from engine.scenario import build_function_session

    session = build_function_session(scenario)
    session.step(steps)
    history = list(session.history)
    num = _JsonNumbers()
    kept = []
    for k in _recorded(len(history) - 1, every):
        it = history[k]
        kept.append({"step": k, "x": num.many(_flat(it.x)), "value": num(it.value),
                     "gradient": num.many(_flat(it.gradient))})
    status = session.status
    return {"steps": kept, "status": status.state, "reason": _reason(status.reason, num)}


def _flat(values: Any) -> list[float]:
    import numpy as np

    return [float(v) for v in np.ravel(values)]


def _reason(reason: str, num: _JsonNumbers) -> str:
    if num.non_finite:
        note = "non-finite numbers are written as null"
        return f"{reason} ({note})" if reason else note
    return reason


def trace_csv(trace: dict, kind: str, variables: Sequence[str]) -> str:
    """One row per recorded step: step, loss/value, parameters or x, then their gradient columns."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if kind == "network":
        names = list(trace["steps"][0]["parameters"]) if trace["steps"] else []
        writer.writerow(["step", "loss"] + names + [f"grad {n}" for n in names])
        for s in trace["steps"]:
            writer.writerow([s["step"], _cell(s["loss"])] + [_cell(s["parameters"][n]) for n in names]
                            + [_cell(s["gradient"][n]) for n in names])
    else:
        writer.writerow(["step", "value"] + list(variables) + [f"grad {v}" for v in variables])
        for s in trace["steps"]:
            writer.writerow([s["step"], _cell(s["value"])] + [_cell(v) for v in s["x"]]
                            + [_cell(v) for v in s["gradient"]])
    return buf.getvalue()


def _cell(value: float | None) -> str:
    return "" if value is None else repr(value)


def cmd_run(args: argparse.Namespace) -> int:
    from engine.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    if scenario.kind == "network":
        trace = network_trace(scenario, args.steps, args.every)
        variables: tuple[str, ...] = ()
    else:
        trace = function_trace(scenario, args.steps, args.every)
        variables = ("x",) if scenario.kind == "function1d" else ("x1", "x2")
    if args.format == "json":
        text = json.dumps(trace, indent=2, allow_nan=False) + "\n"
    else:
        text = trace_csv(trace, scenario.kind, variables)
        if trace["status"] != "running" or trace["reason"]:
            print(f"status: {trace['status']}: {trace['reason']}", file=sys.stderr)
    _emit(text, args.out)
    return 0


# --- explain ------------------------------------------------------------------------------------

class Table:
    """A titled table of text cells that renders as plain text, Markdown or LaTeX.

    ``header_tex`` and a row's ``tex`` cells, where given, replace the automatic LaTeX
    conversion of the text cells (:func:`_tex_cell`).
    """

    def __init__(self, title: str, header: Sequence[str], align: str | None = None,
                 header_tex: Sequence[str] | None = None) -> None:
        self.title = title
        self.header = list(header)
        self.header_tex = list(header_tex) if header_tex else [_tex_cell(h) for h in self.header]
        self.rows: list[list[str]] = []
        self.rows_tex: list[list[str]] = []
        self.align = align or "l" + "r" * (len(self.header) - 1)

    def add(self, *cells: str, tex: Sequence[str] | None = None) -> None:
        self.rows.append(list(cells))
        self.rows_tex.append(list(tex) if tex else [_tex_cell(c) for c in cells])

    def render(self, fmt: str) -> str:
        if fmt == "markdown":
            lines = [f"### {self.title}", "", "| " + " | ".join(self.header) + " |",
                     "|" + "|".join(":--" if a == "l" else "--:" for a in self.align) + "|"]
            lines += ["| " + " | ".join(row) + " |" for row in self.rows]
            return "\n".join(lines) + "\n"
        if fmt == "latex":
            lines = [f"\\paragraph{{{_tex_escape(self.title)}}}", "",
                     f"\\begin{{tabular}}{{{self.align}}}", "\\hline",
                     " & ".join(self.header_tex) + " \\\\", "\\hline"]
            lines += [" & ".join(row) + " \\\\" for row in self.rows_tex]
            lines += ["\\hline", "\\end{tabular}"]
            return "\n".join(lines) + "\n"
        widths = [max(len(r[i]) for r in [self.header] + self.rows) for i in range(len(self.header))]

        def line(cells: list[str]) -> str:
            return "  ".join(c.ljust(w) if a == "l" else c.rjust(w)
                             for c, w, a in zip(cells, widths, self.align)).rstrip()
        rule = "  ".join("-" * w for w in widths)
        return "\n".join([self.title, "", line(self.header), rule] + [line(r) for r in self.rows]) + "\n"


_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\^{}"}


def _tex_escape(text: str) -> str:
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in text)


def _tex_cell(text: str) -> str:
    """Lecture names and numbers as LaTeX: ``w(1)[1,2]`` -> ``$w^{(1)}_{12}$``, ``-0.3`` -> ``$-0.3$``."""
    import re

    names = [
        (r"^(grad )?w\((\d+)\)\[(\d+),(\d+)\]$", lambda m: f"w^{{({m[2]})}}_{{{m[3]}{m[4]}}}"),
        (r"^(grad )?b\((\d+)\)\[(\d+)\]$", lambda m: f"b^{{({m[2]})}}_{{{m[3]}}}"),
        (r"^()([za])\((\d+)\)_(\d+)$", lambda m: f"{m[2]}^{{({m[3]})}}_{{{m[4]}}}"),
        (r"^()([xye])_(\d+)$", lambda m: f"{m[2]}_{{{m[3]}}}"),
    ]
    for pattern, tex in names:
        m = re.match(pattern, text)
        if m:
            return f"${tex(m)}$"
    if re.fullmatch(r"-?\d+(\.\d+)?(e[-+]?\d+)?", text):
        mant, _, exp = text.partition("e")
        return f"${mant}\\times 10^{{{int(exp)}}}$" if exp else f"${text}$"
    return _tex_escape(text)


def _tex_var(name: str) -> str:
    """``x1`` -> ``x_{1}`` for LaTeX."""
    import re

    return re.sub(r"^([a-z]+)(\d+)$", r"\1_{\2}", name)


def _fmt(value: float, digits: int) -> str:
    """``digits`` significant figures, without exponent for ordinary magnitudes."""
    v = float(value)
    if v == 0:
        return "0"
    if not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    rounded = float(f"{v:.{digits - 1}e}")  # so -0.0999999 counts as -0.1000, not -0.09999...
    if 1e-4 <= abs(rounded) < 10 ** digits:
        decimals = max(digits - 1 - math.floor(math.log10(abs(rounded))), 0)
        return f"{v:.{decimals}f}"
    return f"{v:.{digits - 1}e}"


#: Where the printed lecture (lecture 10) differs from the correct numbers (SPEC section 2).
LECTURE_SLIPS = (
    "the first residual is e_1 = 1.2 - 0.8095 = 0.3905, not 0.311",
    "the sensitivity of the output to b(1)[2] for observation 1 is 0.047, not 0.045",
    "in observation 1's contribution vector the seventh entry (w(2)[1,1]) is 0.475, not 0.455",
    "for observation 2 the sensitivities to w(2)[1,1] and w(2)[1,2] are a(1)_1 = 0.574 and "
    "a(1)_2 = 0.690, not 0.455 and 0.622",
)


def is_lecture_example(network: Any, X: Any, Y: Any, loss: str) -> bool:
    """True for the lecture's 2-2-1 network on its two observations (by content, not file name)."""
    import numpy as np

    from engine.network import LECTURE_INPUTS, LECTURE_TARGETS, lecture_network

    return (loss == "sse" and network == lecture_network() and np.shape(X) == LECTURE_INPUTS.shape
            and np.allclose(X, LECTURE_INPUTS) and np.shape(Y) == LECTURE_TARGETS.shape
            and np.allclose(Y, LECTURE_TARGETS))


MAX_EXPLAINED_OBS = 10
#: Parameters reached by more paths than this are explained in the two-factor delta form.
MAX_CHAIN_PATHS = 2


def explain_network(scenario: Any, observation: int | None, fmt: str, digits: int) -> str:
    """Forward values, residuals, nudge table, gradient and chain-rule factors as tables."""
    from engine.backprop import backward, chain_rule, finite_difference_check
    from engine.scenario import training_arrays

    network, X, Y = training_arrays(scenario)
    n = X.shape[0]
    if observation is not None and not 1 <= observation <= n:
        raise UsageError(f"--observation {observation}: the data have observations 1 to {n}")
    rec = backward(network, X, Y, scenario.loss)
    names = network.param_names()
    theta = network.theta()
    shown = [observation - 1] if observation is not None else list(range(min(n, MAX_EXPLAINED_OBS)))
    f = lambda v: _fmt(v, digits)  # noqa: E731
    obs_cols = [f"obs {i + 1}" for i in shown]
    parts: list[str] = [_heading(scenario, network, n, fmt)]
    if observation is None and n > MAX_EXPLAINED_OBS:
        parts.append(_para(f"Showing observations 1 to {MAX_EXPLAINED_OBS} of {n}; "
                           f"choose one with --observation I.", fmt))

    forward = Table("Forward pass and residuals", ["quantity"] + obs_cols)
    forward.header_tex = ["quantity"] + [f"obs.\\ {i + 1}" for i in shown]
    for k in range(network.inputs):
        forward.add(f"x_{k + 1}", *[f(X[i, k]) for i in shown])
    for l in range(1, network.depth + 1):
        for j in range(network.sizes[l]):
            forward.add(f"z({l})_{j + 1}", *[f(rec.z[l][i, j]) for i in shown])
        for j in range(network.sizes[l]):
            forward.add(f"a({l})_{j + 1}", *[f(rec.a[l][i, j]) for i in shown])
    for k in range(network.n_outputs):
        forward.add(f"y_{k + 1}", *[f(rec.targets[i, k]) for i in shown])
    for k in range(network.n_outputs):
        forward.add(f"e_{k + 1}", *[f(rec.residual[i, k]) for i in shown])
    forward.add("R_i", *[f(rec.per_obs_loss[i]) for i in shown],
                tex=["$R_i$"] + [_tex_cell(f(rec.per_obs_loss[i])) for i in shown])
    parts.append(forward.render(fmt))
    parts.append(_para(f"Loss R = {f(rec.loss)} ({scenario.loss}, all {n} observations); "
                       f"e = y - output is the residual.", fmt))

    factor = rec.contribution_factor
    if factor is not None:
        nudge = Table("Nudge table: sensitivity s = d output/d theta, contribution e * s",
                      ["parameter"] + [h for i in shown for h in (f"s (obs {i + 1})", f"e*s (obs {i + 1})")]
                      + ["sum of e*s", "-grad R"],
                      header_tex=["parameter"] + [h for i in shown for h in (
                          f"$s_{{{i + 1}}}$", f"$e_{{{i + 1}}} s_{{{i + 1}}}$")]
                      + [r"$\sum_i e_i s_i$", r"$-\nabla R$"])
        contrib_sum = rec.contributions.sum(axis=0)
        for p, name in enumerate(names):
            cells = []
            for i in shown:
                s_ip = rec.sensitivities_of(i)[:, p]
                cells += ["; ".join(f(v) for v in s_ip), f(rec.contributions_of(i)[p])]
            nudge.add(name, *cells, f(contrib_sum[p]), f(rec.neg_gradient[p]))
        parts.append(nudge.render(fmt))
        parts.append(_para(f"-grad R = {f(factor)} x (sum over all {n} observations of e * s) "
                           f"for the {scenario.loss} loss.", fmt))
    else:
        parts.append(_para(f"No nudge table for {scenario.loss}: its gradient is not a multiple of "
                           f"e * d output/d theta.", fmt))

    fd = finite_difference_check(network, X, Y, scenario.loss)
    grad = Table("Gradient", ["parameter", "theta", "dR/dtheta", "finite difference", "-grad R"],
                 header_tex=["parameter", r"$\theta$", r"$\partial R/\partial\theta$", "finite difference",
                             r"$-\nabla R$"])
    for p, name in enumerate(names):
        grad.add(name, f(theta[p]), f(rec.gradient[p]), f(fd.numeric[p]), f(-rec.gradient[p]))
    parts.append(grad.render(fmt))

    for i in shown:
        chain = Table(f"Chain rule, observation {i + 1}", ["parameter", "chain rule", "factors", "dR_i/dtheta"],
                      align="lllr", header_tex=["parameter", "chain rule", "factors",
                                                r"$\partial R_i/\partial\theta$"])
        for name in names:
            cr = chain_rule(network, rec, name, i)
            # Past a few paths the written-out sum stops being readable: the delta form
            # dR/dtheta = delta(l)_j * a(l-1)_k gives the same number in two factors.
            factors = cr.paths if 0 < len(cr.paths) <= MAX_CHAIN_PATHS else [cr.delta_form]
            products = [" * ".join(f(x.value) if k == 0 or x.value >= 0 else f"({f(x.value)})"
                                   for k, x in enumerate(path)) for path in factors]
            values = " + ".join(f"({p})" for p in products) if len(products) > 1 else products[0]
            symbols = " + ".join(" * ".join(x.symbol for x in path) for path in factors)
            if factors[0] is cr.delta_form:
                symbols += f" (delta form of {len(cr.paths) or 'many'} paths)"
            tex_symbols = " + ".join(" ".join(x.latex for x in path) for path in factors)
            tex_values = values.replace(" * ", r" \cdot ")
            chain.add(name, symbols, values, f(cr.total),
                      tex=[_tex_cell(name), f"${tex_symbols}$", f"${tex_values}$", _tex_cell(f(cr.total))])
        parts.append(chain.render(fmt))

    if is_lecture_example(network, X, Y, scenario.loss):
        at_lecture_precision = [
            f"observation {i + 1} at the lecture's precision: e_{i + 1} = {rec.residual[i, 0]:.4f}, "
            f"sensitivities ({', '.join(_lecture_number(v) for v in rec.sensitivities_of(i)[0])})"
            for i in range(n)]
        parts.append(_note("Note: where the printed lecture differs", LECTURE_SLIPS + tuple(at_lecture_precision),
                           fmt))
    return "\n".join(parts)


def _lecture_number(v: float) -> str:
    """Three decimals as the lecture prints them, whole numbers without decimals (``1``)."""
    text = f"{v:.3f}"
    return text[:-4] if text.endswith(".000") else text


def _heading(scenario: Any, network: Any, n: int, fmt: str) -> str:
    sizes = "-".join(str(s) for s in network.sizes)
    acts = ", ".join(network.activations)
    return _title(f"{scenario.title or 'Scenario'}: a {sizes} network ({acts}), loss {scenario.loss}, "
                  f"{n} observation(s)", fmt)


def _title(text: str, fmt: str) -> str:
    if fmt == "markdown":
        return f"## {text}\n"
    if fmt == "latex":
        return f"\\subsection*{{{_tex_escape(text)}}}\n"
    return text + "\n" + "=" * len(text) + "\n"


def _para(text: str, fmt: str) -> str:
    return (_tex_escape(text) if fmt == "latex" else text) + "\n"


def _note(title: str, items: Sequence[str], fmt: str) -> str:
    if fmt == "markdown":
        return f"**{title}:**\n\n" + "\n".join(f"- {t}" for t in items) + "\n"
    if fmt == "latex":
        body = "\n".join(f"  \\item {_tex_escape(t)}" for t in items)
        return f"\\paragraph{{{_tex_escape(title)}}}\n\\begin{{itemize}}\n{body}\n\\end{{itemize}}\n"
    return f"{title}:\n" + "\n".join(f"  - {t}" for t in items) + "\n"


def explain_function(scenario: Any, fmt: str, digits: int) -> str:
    """f, its derivatives, and the numbers of the first iteration from the start point."""
    import numpy as np

    from engine.optimizers import TITLES
    from engine.scenario import build_function_session

    session = build_function_session(scenario)
    objective = session.objective
    kind = "latex" if fmt == "latex" else "unicode"
    f = lambda v: _fmt(v, digits)  # noqa: E731
    tex = kind == "latex"
    variables = objective.variables
    args = ", ".join(_tex_var(v) for v in variables) if tex else ", ".join(variables)
    first_order = list(objective.derivative_texts(kind))
    second_order = first_order[1:] if objective.dim == 1 else list(objective.formula.hessian_texts(kind))
    first_order = first_order[:1] if objective.dim == 1 else first_order
    parts = [_function_heading(scenario, fmt)]

    def row(table: Table, label: str, *cells: str) -> None:
        table.add(label, *cells, tex=[f"${label}$"] + [_tex_cell(c) for c in cells] if tex else None)

    formulas = Table("Function and derivatives", ["", "formula"], align="ll")
    formulas.add(f"f({args})", objective.formula.display(kind),
                 tex=[f"$f({args})$", f"${objective.formula.display(kind)}$"] if tex else None)
    for label, text in first_order + second_order:
        formulas.add(label, text, tex=[f"${label}$", f"${text}$"] if tex else None)
    parts.append(formulas.render(fmt))
    if objective.derivatives == "finite":
        parts.append(_para(f"The iteration uses central finite differences with h = {objective.h:g} "
                           f"instead of these exact derivatives.", fmt))

    session.step(1)
    history = list(session.history)[:2]
    xs = [np.ravel(it.x) for it in history]
    table = Table("First iteration", [""] + [f"i = {it.index}" for it in history])
    for k, v in enumerate(variables):
        row(table, _tex_var(v) if tex else v, *[f(x[k]) for x in xs])
    row(table, f"f({args})", *[f(it.value) for it in history])
    grads = [np.ravel(objective.gradient(x)) for x in xs]
    for k, (label, _) in enumerate(first_order):
        row(table, label, *[f(g[k]) for g in grads])
    hessians = [np.atleast_2d(objective.hessian(x)) for x in xs]
    pairs = [(i, j) for i in range(objective.dim) for j in range(i, objective.dim)]
    for (label, _), (i, j) in zip(second_order, pairs):
        row(table, label, *[f(h[i, j]) for h in hessians])
    parts.append(table.render(fmt))

    spec = scenario.optimizer
    lines = [f"Method: {TITLES[spec.name]}, step size s = {f(spec.lr)}."]
    if len(history) > 1:
        lines.append(_first_step_sentence(spec.name, history[1].lr, xs[0], xs[1], grads[0], hessians[0],
                                          objective.dim, f))
    status = session.status
    if status.state != "running":
        lines.append(f"Status after the first iteration: {status.state} ({status.reason}).")
    parts.append(_para(" ".join(lines), fmt))
    return "\n".join(parts)


def _first_step_sentence(name: str, lr: float | None, x0: Any, x1: Any, g0: Any, h0: Any, dim: int,
                         f: Any) -> str:
    """The first update written out with its numbers, as on the lecture's slides."""
    s = f(lr) if lr is not None else "s"

    def p(v: float) -> str:
        return f"({f(v)})" if v < 0 else f(v)
    if dim == 1 and name == "gd":
        return f"x_1 = x_0 - s f'(x_0) = {f(x0[0])} - {s} * {p(g0[0])} = {f(x1[0])}."
    if dim == 1 and name == "newton":
        return (f"x_1 = x_0 - s f'(x_0)/f''(x_0) = {f(x0[0])} - {s} * {p(g0[0])}/{p(h0[0, 0])} "
                f"= {f(x1[0])}.")
    if name == "gd":
        return (f"x_1 = x_0 - s grad f(x_0) = ({', '.join(f(v) for v in x0)}) - {s} * "
                f"({', '.join(f(v) for v in g0)}) = ({', '.join(f(v) for v in x1)}).")
    step = x1 - x0
    return (f"x_1 = x_0 + step = ({', '.join(f(v) for v in x0)}) + ({', '.join(f(v) for v in step)}) "
            f"= ({', '.join(f(v) for v in x1)}).")


def _function_heading(scenario: Any, fmt: str) -> str:
    fn = scenario.function
    source = f"preset {fn.preset}" if fn.preset else f"f = {fn.expression}"
    return _title(f"{scenario.title or 'Scenario'}: {source}, start {list(scenario.start)}", fmt)


def cmd_explain(args: argparse.Namespace) -> int:
    from engine.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    if scenario.kind == "network":
        text = explain_network(scenario, args.observation, args.format, args.digits)
    else:
        text = explain_function(scenario, args.format, args.digits)
    sys.stdout.write(text)
    return 0


# --- screenshot ---------------------------------------------------------------------------------

def cmd_screenshot(args: argparse.Namespace) -> int:
    from engine.scenario import load_scenario

    load_scenario(args.scenario)  # report a bad file in one line before starting Qt
    from gui.screenshot import ScreenshotError, render_screenshot

    try:
        render_screenshot(args.scenario, args.steps, args.out, args.workspace)
    except ScreenshotError as e:
        raise UsageError(str(e)) from None
    return 0


# --- entry point --------------------------------------------------------------------------------

def _open_gui(argv: list[str]) -> int:
    if len(argv) > 1:
        print(f"stepwise: expected at most one scenario file to open, got {len(argv)} arguments "
              f"(commands: {', '.join(SUBCOMMANDS)})", file=sys.stderr)
        return 2
    if argv and not Path(argv[0]).is_file():
        print(f"stepwise: {argv[0]}: no such scenario file (commands: {', '.join(SUBCOMMANDS)})",
              file=sys.stderr)
        return 2
    from gui.app import main as gui_main

    return int(gui_main(argv) or 0)


COMMANDS = {"run": cmd_run, "explain": cmd_explain, "screenshot": cmd_screenshot}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point for ``python main.py`` and the ``stepwise`` script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in SUBCOMMANDS and not argv[0].startswith("-")):
        return _open_gui(argv)
    args = build_parser().parse_args(argv)
    if args.command is None:
        return _open_gui([])
    errors = _input_errors()
    try:
        return COMMANDS[args.command](args)
    except errors as e:
        print(f"stepwise {args.command}: {_one_line(e)}", file=sys.stderr)
        return 2


def _one_line(e: BaseException) -> str:
    text = str(e) or type(e).__name__
    if isinstance(e, OSError) and e.filename and e.strerror:
        text = f"{e.filename}: {e.strerror}"
    return " ".join(text.split())


if __name__ == "__main__":
    sys.exit(main())
