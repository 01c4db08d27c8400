"""Explanations for lecture notes: a scenario's numbers as tables in plain text, Markdown or LaTeX.

For a network: the forward values and residuals, the lecture's nudge table (sensitivities and
contributions), the gradient next to its finite-difference check, and the chain-rule factors of
every parameter. For a function: f, its derivatives and the first iteration written out.
``python main.py explain`` prints these; being free of Qt, the window can reuse them (e.g. to copy
a table as Markdown). Names follow the lecture (``w(l)[j,k]``, ``z(l)_j``, ``e_i``); where the
printed lecture's numbers are wrong, the explanation of the lecture example says so
(:data:`LECTURE_SLIPS`, SPEC section 2).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable, Sequence

import numpy as np

from engine.backprop import PassRecord, backward, chain_rule, finite_difference_check
from engine.descent import Iterate
from engine.network import LECTURE_INPUTS, LECTURE_TARGETS, Network, lecture_network
from engine.optimizers import TITLES
from engine.scenario import Scenario, build_function_session, training_arrays

EXPLAIN_FORMATS = ("text", "markdown", "latex")
MAX_EXPLAINED_OBS = 10
#: Parameters reached by more paths than this are explained in the two-factor delta form.
MAX_CHAIN_PATHS = 2

#: Where the printed lecture (lecture 10) differs from the correct numbers (SPEC section 2).
LECTURE_SLIPS = (
    "the first residual is e_1 = 1.2 - 0.8095 = 0.3905, not 0.311",
    "the sensitivity of the output to b(1)[2] for observation 1 is 0.047, not 0.045",
    "in observation 1's contribution vector the seventh entry (w(2)[1,1]) is 0.475, not 0.455",
    "for observation 2 the sensitivities to w(2)[1,1] and w(2)[1,2] are a(1)_1 = 0.574 and "
    "a(1)_2 = 0.690, not 0.455 and 0.622",
)

Formatter = Callable[[float], str]


class ObservationError(ValueError):
    """The observation asked for is not in the data; ``observation`` is 1-based, ``n_obs`` the count."""

    def __init__(self, observation: int, n_obs: int) -> None:
        super().__init__(f"observation {observation}: the data have observations 1 to {n_obs}")
        self.observation = observation
        self.n_obs = n_obs


# --- numbers and LaTeX --------------------------------------------------------------------------

def format_number(value: float, digits: int) -> str:
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


_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\^{}"}

#: Lecture names as LaTeX: ``w(1)[1,2]`` -> ``w^{(1)}_{12}``, ``z(2)_1`` -> ``z^{(2)}_{1}``, ``e_1``.
_TEX_NAMES = (
    (re.compile(r"^(grad )?w\((\d+)\)\[(\d+),(\d+)\]$"), lambda m: f"w^{{({m[2]})}}_{{{m[3]}{m[4]}}}"),
    (re.compile(r"^(grad )?b\((\d+)\)\[(\d+)\]$"), lambda m: f"b^{{({m[2]})}}_{{{m[3]}}}"),
    (re.compile(r"^()([za])\((\d+)\)_(\d+)$"), lambda m: f"{m[2]}^{{({m[3]})}}_{{{m[4]}}}"),
    (re.compile(r"^()([xye])_(\d+)$"), lambda m: f"{m[2]}_{{{m[3]}}}"),
)
_TEX_NUMBER = re.compile(r"-?\d+(\.\d+)?(e[-+]?\d+)?")


def tex_escape(text: str) -> str:
    """``text`` with LaTeX's special characters escaped, for titles and sentences."""
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in text)


def tex_cell(text: str) -> str:
    """Lecture names and numbers as LaTeX: ``w(1)[1,2]`` -> ``$w^{(1)}_{12}$``, ``-0.3`` -> ``$-0.3$``."""
    for pattern, tex in _TEX_NAMES:
        m = pattern.match(text)
        if m:
            return f"${tex(m)}$"
    if _TEX_NUMBER.fullmatch(text):
        mant, _, exp = text.partition("e")
        return f"${mant}\\times 10^{{{int(exp)}}}$" if exp else f"${text}$"
    return tex_escape(text)


def _tex_var(name: str) -> str:
    """``x1`` -> ``x_{1}`` for LaTeX."""
    return re.sub(r"^([a-z]+)(\d+)$", r"\1_{\2}", name)


# --- tables and text blocks ---------------------------------------------------------------------

class Table:
    """A titled table of text cells that renders as plain text, Markdown or LaTeX.

    ``align`` holds one letter per column, ``l`` or ``r`` (default: first column left, the rest
    right). ``header_tex`` and a row's ``tex`` cells, where given, replace the automatic LaTeX
    conversion of the text cells (:func:`tex_cell`).
    """

    def __init__(self, title: str, header: Sequence[str], align: str | None = None,
                 header_tex: Sequence[str] | None = None) -> None:
        self.title = title
        self.header = list(header)
        self.header_tex = list(header_tex) if header_tex else [tex_cell(h) for h in self.header]
        self.rows: list[list[str]] = []
        self.rows_tex: list[list[str]] = []
        self.align = align or "l" + "r" * (len(self.header) - 1)

    def add(self, *cells: str, tex: Sequence[str] | None = None) -> None:
        """Append a row of text cells (and, optionally, their LaTeX)."""
        self.rows.append(list(cells))
        self.rows_tex.append(list(tex) if tex else [tex_cell(c) for c in cells])

    def render(self, fmt: str) -> str:
        """The table as ``"text"``, ``"markdown"`` or ``"latex"``, ending in a newline."""
        if fmt == "markdown":
            return self._markdown()
        if fmt == "latex":
            return self._latex()
        return self._text()

    def _markdown(self) -> str:
        lines = [f"### {self.title}", "", "| " + " | ".join(self.header) + " |",
                 "|" + "|".join(":--" if a == "l" else "--:" for a in self.align) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines) + "\n"

    def _latex(self) -> str:
        lines = [f"\\paragraph{{{tex_escape(self.title)}}}", "",
                 f"\\begin{{tabular}}{{{self.align}}}", "\\hline",
                 " & ".join(self.header_tex) + " \\\\", "\\hline"]
        lines += [" & ".join(row) + " \\\\" for row in self.rows_tex]
        lines += ["\\hline", "\\end{tabular}"]
        return "\n".join(lines) + "\n"

    def _text(self) -> str:
        widths = [max(len(r[i]) for r in [self.header] + self.rows) for i in range(len(self.header))]

        def line(cells: list[str]) -> str:
            return "  ".join(c.ljust(w) if a == "l" else c.rjust(w)
                             for c, w, a in zip(cells, widths, self.align)).rstrip()
        rule = "  ".join("-" * w for w in widths)
        return "\n".join([self.title, "", line(self.header), rule] + [line(r) for r in self.rows]) + "\n"


def section_title(text: str, fmt: str) -> str:
    """A heading in the chosen format (Markdown ##, LaTeX \\subsection*, or underlined text)."""
    if fmt == "markdown":
        return f"## {text}\n"
    if fmt == "latex":
        return f"\\subsection*{{{tex_escape(text)}}}\n"
    return text + "\n" + "=" * len(text) + "\n"


def paragraph(text: str, fmt: str) -> str:
    """A line of prose, escaped for LaTeX where needed."""
    return (tex_escape(text) if fmt == "latex" else text) + "\n"


def note_list(title: str, items: Sequence[str], fmt: str) -> str:
    """A titled bullet list (e.g. where the printed lecture differs)."""
    if fmt == "markdown":
        return f"**{title}:**\n\n" + "\n".join(f"- {t}" for t in items) + "\n"
    if fmt == "latex":
        body = "\n".join(f"  \\item {tex_escape(t)}" for t in items)
        return f"\\paragraph{{{tex_escape(title)}}}\n\\begin{{itemize}}\n{body}\n\\end{{itemize}}\n"
    return f"{title}:\n" + "\n".join(f"  - {t}" for t in items) + "\n"


# --- the lecture example ------------------------------------------------------------------------

def is_lecture_example(network: Network, X: np.ndarray, Y: np.ndarray, loss: str) -> bool:
    """True for the lecture's 2-2-1 network on its two observations (by content, not file name).

    ``network``: with its starting parameters; ``X (n_obs, 2)``, ``Y (n_obs, 1)``; ``loss``: its name.
    """
    # The cheap checks go first, so large networks and data sets are turned down at once.
    return (loss == "sse" and np.shape(X) == LECTURE_INPUTS.shape and np.shape(Y) == LECTURE_TARGETS.shape
            and network == lecture_network() and np.allclose(X, LECTURE_INPUTS)
            and np.allclose(Y, LECTURE_TARGETS))


def _lecture_number(v: float) -> str:
    """Three decimals as the lecture prints them, whole numbers without decimals (``1``)."""
    text = f"{v:.3f}"
    return text[:-4] if text.endswith(".000") else text


def _lecture_note(rec: PassRecord, fmt: str) -> str:
    """The slips of the printed lecture, then each observation's numbers at the lecture's precision."""
    at_lecture_precision = [
        f"observation {i + 1} at the lecture's precision: e_{i + 1} = {rec.residual[i, 0]:.4f}, "
        f"sensitivities ({', '.join(_lecture_number(v) for v in rec.sensitivities_of(i)[0])})"
        for i in range(rec.targets.shape[0])]
    return note_list("Note: where the printed lecture differs", LECTURE_SLIPS + tuple(at_lecture_precision), fmt)


# --- networks -----------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class _NetworkNumbers:
    """One back-propagation pass over all the data, and which observations to show (0-based)."""

    scenario: Scenario
    network: Network
    X: np.ndarray
    Y: np.ndarray
    rec: PassRecord
    shown: list[int]
    fmt: str
    f: Formatter

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @cached_property
    def names(self) -> list[str]:
        return self.network.param_names()


def explain_network(scenario: Scenario, observation: int | None = None, fmt: str = "text",
                    digits: int = 4) -> str:
    """Forward values, residuals, nudge table, gradient and chain-rule factors as tables.

    ``observation``: 1-based, or None for all (up to :data:`MAX_EXPLAINED_OBS`); ``fmt``: one of
    :data:`EXPLAIN_FORMATS`; ``digits``: significant figures. Raises :class:`ObservationError`.
    """
    network, X, Y = training_arrays(scenario)
    n = X.shape[0]
    if observation is not None and not 1 <= observation <= n:
        raise ObservationError(observation, n)
    shown = [observation - 1] if observation is not None else list(range(min(n, MAX_EXPLAINED_OBS)))
    nums = _NetworkNumbers(scenario, network, X, Y, backward(network, X, Y, scenario.loss), shown, fmt,
                           lambda v: format_number(v, digits))
    parts = [_network_heading(nums)]
    if observation is None and n > MAX_EXPLAINED_OBS:
        parts.append(paragraph(f"Showing observations 1 to {MAX_EXPLAINED_OBS} of {n}; "
                           f"choose one with --observation I.", fmt))
    parts += _forward_section(nums)
    parts += _nudge_section(nums)
    parts.append(_gradient_table(nums).render(fmt))
    parts += [_chain_table(nums, i).render(fmt) for i in shown]
    if is_lecture_example(network, X, Y, scenario.loss):
        parts.append(_lecture_note(nums.rec, fmt))
    return "\n".join(parts)


def _network_heading(nums: _NetworkNumbers) -> str:
    sizes = "-".join(str(s) for s in nums.network.sizes)
    acts = ", ".join(nums.network.activations)
    return section_title(f"{nums.scenario.title or 'Scenario'}: a {sizes} network ({acts}), "
                  f"loss {nums.scenario.loss}, {nums.n} observation(s)", nums.fmt)


def _forward_section(nums: _NetworkNumbers) -> list[str]:
    """The table of x, z(l), a(l), y, e and R_i per shown observation, then the loss R."""
    network, rec, shown, f = nums.network, nums.rec, nums.shown, nums.f
    forward = Table("Forward pass and residuals", ["quantity"] + [f"obs {i + 1}" for i in shown])
    forward.header_tex = ["quantity"] + [f"obs.\\ {i + 1}" for i in shown]
    for k in range(network.inputs):
        forward.add(f"x_{k + 1}", *[f(nums.X[i, k]) for i in shown])
    for l in range(1, network.depth + 1):
        for name, values in (("z", rec.z[l]), ("a", rec.a[l])):
            for j in range(network.sizes[l]):
                forward.add(f"{name}({l})_{j + 1}", *[f(values[i, j]) for i in shown])
    for name, values in (("y", rec.targets), ("e", rec.residual)):
        for k in range(network.n_outputs):
            forward.add(f"{name}_{k + 1}", *[f(values[i, k]) for i in shown])
    forward.add("R_i", *[f(rec.per_obs_loss[i]) for i in shown],
                tex=["$R_i$"] + [tex_cell(f(rec.per_obs_loss[i])) for i in shown])
    loss = nums.scenario.loss
    return [forward.render(nums.fmt),
            paragraph(f"Loss R = {f(rec.loss)} ({loss}, all {nums.n} observations); "
                  f"e = y - output is the residual.", nums.fmt)]


def _nudge_section(nums: _NetworkNumbers) -> list[str]:
    """The lecture's nudge table and how -grad R follows from it, or why a loss has none."""
    return nudge_section(nums.rec, nums.names, nums.shown, nums.scenario.loss, nums.fmt, nums.f,
                         n_obs=nums.n)


def nudge_section(rec: PassRecord, names: Sequence[str], shown: Sequence[int], loss: str, fmt: str,
                  f: Callable[[float], str], n_obs: int | None = None,
                  residual_row: bool = False) -> list[str]:
    """The nudge table (per observation in ``shown``: sensitivity s = d output/d theta and
    contribution e * s; their sum over all observations; -grad R) and how -grad R follows from it.

    ``n_obs``: say how many observations the sum covers; ``residual_row``: start with e per
    observation (for notes that have no forward-pass table above them).
    """
    factor = rec.contribution_factor
    if factor is None:
        return [paragraph(f"No nudge table for {loss}: its gradient is not a multiple of "
                          f"e * d output/d theta.", fmt)]
    nudge = Table("Nudge table: sensitivity s = d output/d theta, contribution e * s",
                  ["parameter"] + [h for i in shown for h in (f"s (obs {i + 1})", f"e*s (obs {i + 1})")]
                  + ["sum of e*s", "-grad R"],
                  header_tex=["parameter"] + [h for i in shown for h in (
                      f"$s_{{{i + 1}}}$", f"$e_{{{i + 1}}} s_{{{i + 1}}}$")]
                  + [r"$\sum_i e_i s_i$", r"$-\nabla R$"])
    if residual_row:
        nudge.add("residual e", *[c for i in shown for c in ("; ".join(f(v) for v in rec.residual[i]), "")],
                  "", "", tex=["residual $e$"] + [c for i in shown for c in (
                      "; ".join(tex_cell(f(v)) for v in rec.residual[i]), "")] + ["", ""])
    contrib_sum = rec.contributions.sum(axis=0)
    for p, name in enumerate(names):
        cells = []
        for i in shown:
            cells += ["; ".join(f(v) for v in rec.sensitivities_of(i)[:, p]), f(rec.contributions_of(i)[p])]
        nudge.add(name, *cells, f(contrib_sum[p]), f(rec.neg_gradient[p]))
    over = f"all {n_obs} observations" if n_obs is not None else "all observations"
    return [nudge.render(fmt),
            paragraph(f"-grad R = {f(factor)} x (sum over {over} of e * s) for the {loss} loss.", fmt)]


def _gradient_table(nums: _NetworkNumbers) -> Table:
    """theta, the back-propagated gradient, its central-difference check and -grad R."""
    rec, f = nums.rec, nums.f
    fd = finite_difference_check(nums.network, nums.X, nums.Y, nums.scenario.loss)
    theta = nums.network.theta()
    grad = Table("Gradient", ["parameter", "theta", "dR/dtheta", "finite difference", "-grad R"],
                 header_tex=["parameter", r"$\theta$", r"$\partial R/\partial\theta$", "finite difference",
                             r"$-\nabla R$"])
    for p, name in enumerate(nums.names):
        grad.add(name, f(theta[p]), f(rec.gradient[p]), f(fd.numeric[p]), f(-rec.gradient[p]))
    return grad


def _chain_table(nums: _NetworkNumbers, i: int) -> Table:
    """dR_i/dtheta of every parameter for observation ``i`` (0-based), factor by factor."""
    chain = Table(f"Chain rule, observation {i + 1}", ["parameter", "chain rule", "factors", "dR_i/dtheta"],
                  align="lllr", header_tex=["parameter", "chain rule", "factors",
                                            r"$\partial R_i/\partial\theta$"])
    for name in nums.names:
        _chain_row(chain, nums, name, i)
    return chain


def _chain_row(chain: Table, nums: _NetworkNumbers, name: str, i: int) -> None:
    f = nums.f
    cr = chain_rule(nums.network, nums.rec, name, i)
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
              tex=[tex_cell(name), f"${tex_symbols}$", f"${tex_values}$", tex_cell(f(cr.total))])


# --- functions ----------------------------------------------------------------------------------

def explain_function(scenario: Scenario, fmt: str = "text", digits: int = 4) -> str:
    """f, its derivatives, and the numbers of the first iteration from the start point."""
    session = build_function_session(scenario)
    objective = session.objective
    f = lambda v: format_number(v, digits)  # noqa: E731
    tex = fmt == "latex"
    kind = "latex" if tex else "unicode"
    args = ", ".join(_tex_var(v) if tex else v for v in objective.variables)
    first_order = list(objective.derivative_texts(kind))
    second_order = first_order[1:] if objective.dim == 1 else list(objective.formula.hessian_texts(kind))
    first_order = first_order[:1] if objective.dim == 1 else first_order
    parts = [_function_heading(scenario, fmt),
             _formulas_table(objective.formula.display(kind), args, first_order + second_order, tex).render(fmt)]
    if objective.derivatives == "finite":
        parts.append(paragraph(f"The iteration uses central finite differences with h = {objective.h:g} "
                           f"instead of these exact derivatives.", fmt))

    session.step(1)
    history = list(session.history)[:2]
    xs = [np.ravel(it.x) for it in history]
    grads = [np.ravel(objective.gradient(x)) for x in xs]
    hessians = [np.atleast_2d(objective.hessian(x)) for x in xs]
    parts.append(_first_iteration_table(objective.variables, args, history, grads, hessians,
                                        first_order, second_order, f, tex).render(fmt))

    spec = scenario.optimizer
    lines = [f"Method: {TITLES[spec.name]}, step size s = {f(spec.lr)}."]
    if len(history) > 1:
        lines.append(_first_step_sentence(spec.name, history[1].lr, xs[0], xs[1], grads[0], hessians[0],
                                          objective.dim, f))
    status = session.status
    if status.state != "running":
        lines.append(f"Status after the first iteration: {status.state} ({status.reason}).")
    parts.append(paragraph(" ".join(lines), fmt))
    return "\n".join(parts)


def _function_heading(scenario: Scenario, fmt: str) -> str:
    fn = scenario.function
    source = f"preset {fn.preset}" if fn.preset else f"f = {fn.expression}"
    return section_title(f"{scenario.title or 'Scenario'}: {source}, start {list(scenario.start)}", fmt)


def _formulas_table(formula: str, args: str, derivatives: list[tuple[str, str]], tex: bool) -> Table:
    """f and its first and second derivatives, each as ``(label, formula)``."""
    table = Table("Function and derivatives", ["", "formula"], align="ll")
    table.add(f"f({args})", formula, tex=[f"$f({args})$", f"${formula}$"] if tex else None)
    for label, text in derivatives:
        table.add(label, text, tex=[f"${label}$", f"${text}$"] if tex else None)
    return table


def _first_iteration_table(variables: Sequence[str], args: str, history: Sequence[Iterate],
                           grads: Sequence[np.ndarray], hessians: Sequence[np.ndarray],
                           first_order: Sequence[tuple[str, str]], second_order: Sequence[tuple[str, str]],
                           f: Formatter, tex: bool) -> Table:
    """x, f, the gradient and the Hessian's upper triangle at iterates 0 and 1.

    ``grads``: ``(dim,)`` each; ``hessians``: ``(dim, dim)`` each; ``first_order`` and
    ``second_order``: ``(label, formula)`` of the derivatives, the latter in upper-triangle order.
    """
    table = Table("First iteration", [""] + [f"i = {it.index}" for it in history])

    def row(label: str, *cells: str) -> None:
        table.add(label, *cells, tex=[f"${label}$"] + [tex_cell(c) for c in cells] if tex else None)

    for k, v in enumerate(variables):
        row(_tex_var(v) if tex else v, *[f(np.ravel(it.x)[k]) for it in history])
    row(f"f({args})", *[f(it.value) for it in history])
    for k, (label, _) in enumerate(first_order):
        row(label, *[f(g[k]) for g in grads])
    dim = len(variables)
    pairs = [(i, j) for i in range(dim) for j in range(i, dim)]
    for (label, _), (i, j) in zip(second_order, pairs):
        row(label, *[f(h[i, j]) for h in hessians])
    return table


def _first_step_sentence(name: str, lr: float | None, x0: np.ndarray, x1: np.ndarray, g0: np.ndarray,
                         h0: np.ndarray, dim: int, f: Formatter) -> str:
    """The first update written out with its numbers, as on the lecture's slides."""
    s = f(lr) if lr is not None else "s"

    def p(v: float) -> str:
        return f"({f(v)})" if v < 0 else f(v)

    def vec(values: np.ndarray) -> str:
        return ", ".join(f(v) for v in values)
    if dim == 1 and name == "gd":
        return f"x_1 = x_0 - s f'(x_0) = {f(x0[0])} - {s} * {p(g0[0])} = {f(x1[0])}."
    if dim == 1 and name == "newton":
        return (f"x_1 = x_0 - s f'(x_0)/f''(x_0) = {f(x0[0])} - {s} * {p(g0[0])}/{p(h0[0, 0])} "
                f"= {f(x1[0])}.")
    if name == "gd":
        return f"x_1 = x_0 - s grad f(x_0) = ({vec(x0)}) - {s} * ({vec(g0)}) = ({vec(x1)})."
    return f"x_1 = x_0 + step = ({vec(x0)}) + ({vec(x1 - x0)}) = ({vec(x1)})."


# --- either ---------------------------------------------------------------------------------------

def explain_scenario(scenario: Scenario, observation: int | None = None, fmt: str = "text",
                     digits: int = 4) -> str:
    """:func:`explain_network` or :func:`explain_function` (which ignores ``observation``)."""
    if fmt not in EXPLAIN_FORMATS:
        raise ValueError(f"explain format must be one of {', '.join(EXPLAIN_FORMATS)}, got {fmt!r}")
    if scenario.kind == "network":
        return explain_network(scenario, observation, fmt, digits)
    return explain_function(scenario, fmt, digits)


__all__ = ["EXPLAIN_FORMATS", "LECTURE_SLIPS", "MAX_CHAIN_PATHS", "MAX_EXPLAINED_OBS",
           "ObservationError", "Table", "explain_function", "explain_network", "explain_scenario",
           "format_number", "is_lecture_example", "note_list", "nudge_section", "paragraph",
           "section_title", "tex_cell", "tex_escape"]
