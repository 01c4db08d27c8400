"""Explanations for lecture notes: a scenario's numbers as tables in plain text, Markdown or LaTeX.

For a network: the forward values and residuals, the lecture's nudge table (sensitivities and
contributions), the gradient next to its finite-difference check, and the chain-rule factors of
every parameter. For a function: f, its derivatives and the first iteration written out.
``python main.py explain`` prints these; being free of Qt, the window can reuse them (e.g. to copy
a table as Markdown; the tables themselves are ``engine.tables``). Names follow the lecture (``w(l)[j,k]``, ``z(l)_j``, ``e_i``): cells hold
``engine.notation`` values and numbers, rendered per format (numbers by ``engine.numbers``).
Where the printed lecture's numbers are wrong, the explanation of the lecture example says so
(``engine.slips``, SPEC section 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Sequence

import numpy as np

from engine.backprop import PassRecord, backward
from engine.chain_rule import chain_rule
from engine.data_split import split_rows
from engine.gradient_check import finite_difference_check
from engine.network import LECTURE_INPUTS, LECTURE_TARGETS, Network, lecture_network
from engine.notation import Inline, Math, Symbol, latex
from engine.numbers import SIG_FIGS, format_number
from engine.optimizers import TITLES, get_optimizer
from engine.scenario import Scenario, build_function_session, training_arrays
from engine.slips import LECTURE_SLIPS, lecture_precision
from engine.tables import Cell, Table, note_list, paragraph, section_title, symbol_product, value_product

if TYPE_CHECKING:  # the network's explanations (and the window's first paint) need no sympy
    from engine.descent import Iterate

EXPLAIN_FORMATS = ("text", "markdown", "latex")
MAX_EXPLAINED_OBS = 10
#: Parameters reached by more paths than this are explained in the two-factor delta form.
MAX_CHAIN_PATHS = 2

Formatter = Callable[[float], str]


class ObservationError(ValueError):
    """The observation asked for is not in the data; ``observation`` is 1-based, ``n_obs`` the count."""

    def __init__(self, observation: int, n_obs: int) -> None:
        super().__init__(f"observation {observation}: the data have observations 1 to {n_obs}")
        self.observation = observation
        self.n_obs = n_obs


def _tex_var(name: str) -> str:
    """``x1`` -> ``x_{1}`` for LaTeX."""
    stem = name.rstrip("0123456789")
    return f"{stem}_{{{name[len(stem):]}}}" if stem != name else name


# --- the lecture example ------------------------------------------------------------------------

def is_lecture_example(network: Network, X: np.ndarray, Y: np.ndarray, loss: str) -> bool:
    """True for the lecture's 2-2-1 network on its two observations (by content, not file name).

    ``network``: with its starting parameters; ``X (n_obs, 2)``, ``Y (n_obs, 1)``; ``loss``: its name.
    """
    # The cheap checks go first, so large networks and data sets are turned down at once.
    return (loss == "sse" and np.shape(X) == LECTURE_INPUTS.shape and np.shape(Y) == LECTURE_TARGETS.shape
            and network == lecture_network() and np.allclose(X, LECTURE_INPUTS)
            and np.allclose(Y, LECTURE_TARGETS))


def _lecture_note(rec: PassRecord, fmt: str) -> str:
    """The slips of the printed lecture, then each observation's numbers at the lecture's precision."""
    at_lecture_precision = [
        (f"observation {i + 1} at the lecture's precision: ", Symbol("e", None, (i + 1,)),
         Math(f" = {lecture_precision(rec.residual[i, 0], 4)}"),
         f", sensitivities ({', '.join(lecture_precision(v) for v in rec.sensitivities_of(i)[0])})")
        for i in range(rec.targets.shape[0])]
    return note_list("Note: where the printed lecture differs",
                     [slip.sentence() for slip in LECTURE_SLIPS] + at_lecture_precision, fmt)


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
    digits: int

    @property
    def n(self) -> int:
        return self.X.shape[0]

    @cached_property
    def names(self) -> list[str]:
        return self.network.param_names()


def explain_network(scenario: Scenario, observation: int | None = None, fmt: str = "text",
                    digits: int = SIG_FIGS) -> str:
    """Forward values, residuals, nudge table, gradient and chain-rule factors as tables.

    ``observation``: 1-based, or None for all (up to :data:`MAX_EXPLAINED_OBS`); ``fmt``: one of
    :data:`EXPLAIN_FORMATS`; ``digits``: significant figures. Raises :class:`ObservationError`.
    """
    network, X, Y = training_arrays(scenario)
    if scenario.test_fraction:  # R is over the training part; the held-out rows are not explained
        train = split_rows(X.shape[0], scenario.test_fraction, scenario.split_seed).train_rows
        X, Y = X[train], Y[train]
    n = X.shape[0]
    if observation is not None and not 1 <= observation <= n:
        raise ObservationError(observation, n)
    shown = [observation - 1] if observation is not None else list(range(min(n, MAX_EXPLAINED_OBS)))
    nums = _NetworkNumbers(scenario, network, X, Y, backward(network, X, Y, scenario.loss, weight_decay=scenario.weight_decay), shown, fmt, digits)
    parts = [_network_heading(nums)]
    if observation is None and n > MAX_EXPLAINED_OBS:
        parts.append(paragraph(f"Showing observations 1 to {MAX_EXPLAINED_OBS} of {n}; "
                               f"choose one with --observation I.", fmt))
    parts += _forward_section(nums)
    parts += nudge_section(nums.rec, shown, scenario.loss, fmt, digits, n_obs=n)
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
    network, rec, shown = nums.network, nums.rec, nums.shown
    forward = Table("Forward pass and residuals", ["quantity"] + [f"obs {i + 1}" for i in shown],
                    header_tex=["quantity"] + [f"obs.\\ {i + 1}" for i in shown], digits=nums.digits)
    for k in range(network.inputs):
        forward.add(Symbol("x", None, (k + 1,)), *[float(nums.X[i, k]) for i in shown])
    for l in range(1, network.depth + 1):
        for name, values in (("z", rec.z[l]), ("a", rec.a[l])):
            for j in range(network.sizes[l]):
                forward.add(Symbol(name, l, (j + 1,)), *[float(values[i, j]) for i in shown])
    for name, values in (("y", rec.targets), ("e", rec.residual)):
        for k in range(network.n_outputs):
            forward.add(Symbol(name, None, (k + 1,)), *[float(values[i, k]) for i in shown])
    forward.add(Symbol("R", None, ("i",)), *[float(rec.per_obs_loss[i]) for i in shown])
    loss = nums.scenario.loss
    return [forward.render(nums.fmt),
            paragraph(f"Loss R = {format_number(rec.loss, nums.digits)} ({loss}, all {nums.n} observations"
                      + (f", plus the weight-decay term lambda/2 sum w^2 = {format_number(rec.decay_loss, nums.digits)}"
                         if rec.weight_decay else "") + "); e = y - output is the residual.", nums.fmt)]


def _values(values: np.ndarray) -> Inline:
    """Several outputs' numbers ``(n_out,)`` in one cell: ``0.1000; 0.2000``."""
    out: list = []
    for k, v in enumerate(values):
        out += ["; ", float(v)] if k else [float(v)]
    return tuple(out)


def nudge_section(rec: PassRecord, shown: Sequence[int], loss: str, fmt: str, digits: int = SIG_FIGS,
                  n_obs: int | None = None, residual_row: bool = False) -> list[str]:
    """The nudge table (per observation in ``shown``: sensitivity s = d output/d theta and
    contribution e * s; their sum over all observations; -grad R) and how -grad R follows from it.

    ``n_obs``: say how many observations the sum covers; ``residual_row``: start with e per
    observation (for notes that have no forward-pass table above them).
    """
    factor = rec.contribution_factor
    if factor is None:
        return [paragraph(f"No nudge table for {loss}: its gradient is not a multiple of "
                          f"e * d output/d theta.", fmt)]
    decay = rec.weight_decay > 0
    nudge = Table("Nudge table: sensitivity s = d output/d theta, contribution e * s",
                  ["parameter"] + [h for i in shown for h in (f"s (obs {i + 1})", f"e*s (obs {i + 1})")]
                  + ["sum of e*s"] + (["-lambda*w"] if decay else []) + ["-grad R"],
                  header_tex=["parameter"] + [h for i in shown for h in (
                      f"$s_{{{i + 1}}}$", f"$e_{{{i + 1}}} s_{{{i + 1}}}$")]
                  + [r"$\sum_i e_i s_i$"] + ([r"$-\lambda w$"] if decay else []) + [r"$-\nabla R$"],
                  digits=digits)
    if residual_row:
        residuals = [c for i in shown for c in (_values(rec.residual[i]), "")]
        nudge.add(("residual ", Symbol("e")), *residuals, "", *([""] if decay else []), "")
    contrib_sum = rec.contribution_sum
    structure = rec.structure
    sens = {i: rec.sensitivities_of(i) for i in shown}  # once per observation, not per parameter
    contrib = {i: rec.contributions_of(i) for i in shown}
    for p in range(structure.n_params):
        cells: list[Cell] = []
        for i in shown:
            cells += [_values(sens[i][:, p]), float(contrib[i][p])]
        nudge.add(Symbol.parameter(structure.param_ref_at(p)), *cells, float(contrib_sum[p]),
                  *([float(-rec.decay_gradient[p])] if decay else []), float(rec.neg_gradient[p]))
    over = f"all {n_obs} observations" if n_obs is not None else "all observations"
    minus = f" - lambda w (weight decay, lambda = {format_number(rec.weight_decay, digits)})" if decay else ""
    return [nudge.render(fmt),
            paragraph(f"-grad R = {format_number(factor, digits)} x (sum over {over} of e * s){minus} "
                      f"for the {loss} loss.", fmt)]


def _gradient_table(nums: _NetworkNumbers) -> Table:
    """theta, the back-propagated gradient, its central-difference check and -grad R."""
    rec = nums.rec
    fd = finite_difference_check(nums.network, nums.X, nums.Y, nums.scenario.loss,
                                 weight_decay=rec.weight_decay)
    theta = nums.network.theta()
    decay = rec.weight_decay > 0  # the decay term lambda w of dR/dtheta in a column of its own
    grad = Table("Gradient", ["parameter", "theta"] + (["lambda*w"] if decay else [])
                 + ["dR/dtheta", "finite difference", "-grad R"],
                 header_tex=["parameter", r"$\theta$"] + ([r"$\lambda w$"] if decay else [])
                 + [r"$\partial R/\partial\theta$", "finite difference", r"$-\nabla R$"], digits=nums.digits)
    for p in range(nums.network.n_params):
        grad.add(Symbol.parameter(nums.network.param_ref_at(p)), float(theta[p]),
                 *([float(rec.decay_gradient[p])] if decay else []), float(rec.gradient[p]),
                 float(fd.numeric[p]), float(-rec.gradient[p]))
    return grad


def _chain_table(nums: _NetworkNumbers, i: int) -> Table:
    """dR_i/dtheta of every parameter for observation ``i`` (0-based), factor by factor."""
    chain = Table(f"Chain rule, observation {i + 1}", ["parameter", "chain rule", "factors", "dR_i/dtheta"],
                  align="lllr", header_tex=["parameter", "chain rule", "factors",
                                            r"$\partial R_i/\partial\theta$"], digits=nums.digits)
    for name in nums.names:
        _chain_row(chain, nums, name, i)
    return chain


def _chain_row(chain: Table, nums: _NetworkNumbers, name: str, i: int) -> None:
    cr = chain_rule(nums.network, nums.rec, name, i)
    # Past a few paths the written-out sum stops being readable: the delta form
    # dR/dtheta = delta(l)_j * a(l-1)_k gives the same number in two factors.
    paths = cr.paths if 0 < len(cr.paths) <= MAX_CHAIN_PATHS else (cr.delta_form,)
    symbols: list = []
    values: list = []
    for k, path in enumerate(paths):
        plus = [Math(" + ")] if k else []
        symbols += plus + list(symbol_product(path))
        product = value_product(path)
        values += plus + ([Math("("), *product, Math(")")] if len(paths) > 1 else list(product))
    if paths[0] is cr.delta_form:
        symbols.append(f" (delta form of {len(cr.paths) or 'many'} paths)")
    chain.add(cr.parameter, tuple(symbols), tuple(values), cr.total)


# --- functions ----------------------------------------------------------------------------------

def explain_function(scenario: Scenario, fmt: str = "text", digits: int = SIG_FIGS) -> str:
    """f, its derivatives, and the numbers of the first iteration from the start point."""
    session = build_function_session(scenario)
    objective = session.objective

    def f(v: float) -> str:
        return format_number(v, digits)
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
                                        first_order, second_order, digits, tex).render(fmt))

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
                           digits: int, tex: bool) -> Table:
    """x, f, the gradient and the Hessian's upper triangle at iterates 0 and 1.

    ``grads``: ``(dim,)`` each; ``hessians``: ``(dim, dim)`` each; ``first_order`` and
    ``second_order``: ``(label, formula)`` of the derivatives, the latter in upper-triangle order.
    """
    table = Table("First iteration", [""] + [f"i = {it.index}" for it in history], digits=digits)

    def row(label: str, *values: float) -> None:
        cells = [float(v) for v in values]
        table.add(label, *cells, tex=[f"${label}$"] + [latex(v, digits) for v in cells] if tex else None)

    for k, v in enumerate(variables):
        row(_tex_var(v) if tex else v, *[np.ravel(it.x)[k] for it in history])
    row(f"f({args})", *[it.value for it in history])
    for k, (label, _) in enumerate(first_order):
        row(label, *[g[k] for g in grads])
    dim = len(variables)
    pairs = [(i, j) for i in range(dim) for j in range(i, dim)]
    for (label, _), (i, j) in zip(second_order, pairs):
        row(label, *[h[i, j] for h in hessians])
    return table


def _first_step_sentence(name: str, lr: float | None, x0: np.ndarray, x1: np.ndarray, g0: np.ndarray,
                         h0: np.ndarray, dim: int, f: Formatter) -> str:
    """The first update written out with its numbers, as on the lecture's slides."""
    s = f(lr) if lr is not None else "s"

    def p(v: float) -> str:
        return f"({f(v)})" if v < 0 else f(v)

    def vec(values: np.ndarray) -> str:
        return ", ".join(f(v) for v in values)
    rule = get_optimizer(name)
    if dim == 1 and rule.steepest_descent:
        return f"x_1 = x_0 - s f'(x_0) = {f(x0[0])} - {s} * {p(g0[0])} = {f(x1[0])}."
    if dim == 1 and rule.needs_hessian:
        return (f"x_1 = x_0 - s f'(x_0)/f''(x_0) = {f(x0[0])} - {s} * {p(g0[0])}/{p(h0[0, 0])} "
                f"= {f(x1[0])}.")
    if rule.steepest_descent:
        return f"x_1 = x_0 - s grad f(x_0) = ({vec(x0)}) - {s} * ({vec(g0)}) = ({vec(x1)})."
    return f"x_1 = x_0 + step = ({vec(x0)}) + ({vec(x1 - x0)}) = ({vec(x1)})."


# --- either ---------------------------------------------------------------------------------------

def explain_scenario(scenario: Scenario, observation: int | None = None, fmt: str = "text",
                     digits: int = SIG_FIGS) -> str:
    """:func:`explain_network` or :func:`explain_function` (which ignores ``observation``)."""
    if fmt not in EXPLAIN_FORMATS:
        raise ValueError(f"explain format must be one of {', '.join(EXPLAIN_FORMATS)}, got {fmt!r}")
    if scenario.kind == "network":
        return explain_network(scenario, observation, fmt, digits)
    return explain_function(scenario, fmt, digits)


__all__ = ["EXPLAIN_FORMATS", "MAX_CHAIN_PATHS", "MAX_EXPLAINED_OBS", "ObservationError", "Table",
           "explain_function", "explain_network", "explain_scenario", "is_lecture_example", "note_list",
           "nudge_section", "paragraph", "section_title", "symbol_product", "value_product"]
