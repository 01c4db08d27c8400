"""Grading a typed answer: right to 3 significant figures, close, or wrong with the slip named.

A wrong chain-rule answer (a delta or a gradient entry) is checked against the slips students
make most, one factor of the chain rule at a time in the order the chain is written: the loss
factor without its 2 or with its sign flipped, g(z) where g'(z) belongs, g' left out, the input
left out of dz/dw. The first slip that reproduces the typed number is named with the numbers of
observation 1 ("you used σ(z) = 0.4750 where σ'(z) = σ(z)(1 − σ(z)) = 0.2494 belongs"); the
factors come from ``engine.chain_rule``, so the feedback uses the same numbers the app shows.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Callable

from engine.activations import get_activation
from engine.chain_rule import Factor, chain_rule
from engine.exercises import Exercise, Question
from engine.notation import Derivative, Symbol, plain
from engine.numbers import format_number

FIGURES = 3
#: Relative error under which a wrong answer counts as close (a rounding of an intermediate value).
NEAR = 0.02
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d{1,3})?$")


@dataclass(frozen=True)
class Verdict:
    """``outcome``: ``right``, ``near``, ``wrong`` or ``unreadable``; ``message`` for the student."""

    outcome: str
    message: str
    expected: float

    @property
    def right(self) -> bool:
        return self.outcome == "right"


def read_number(text: str) -> float | None:
    """A typed number (``-0.851``, ``−0.851``, ``0,851``, ``8.5e-1``), or None; never evaluates."""
    t = text.strip().replace("−", "-").replace(" ", "")
    if t.count(",") == 1 and "." not in t:
        t = t.replace(",", ".")
    return float(t) if _NUMBER.match(t) else None


def agrees(typed: float, expected: float, figures: int = FIGURES) -> bool:
    """True when ``typed`` equals ``expected`` to ``figures`` significant figures (either rounded
    or carrying more digits)."""
    if not (math.isfinite(typed) and math.isfinite(expected)):
        return False
    if expected == 0.0:
        return abs(typed) < 1e-12
    unit = 10.0 ** (math.floor(math.log10(abs(expected))) - (figures - 1))
    return abs(typed - expected) <= 0.5 * unit * (1 + 1e-9)


def grade(text: str, question: Question, exercise: Exercise) -> Verdict:
    """The verdict on ``text`` typed as the answer to ``question`` of ``exercise``."""
    expected = question.answer
    typed = read_number(text)
    if typed is None:
        return Verdict("unreadable", "Type a number, e.g. -0.851 or 2.5e-3.", expected)
    if agrees(typed, expected):
        return Verdict("right", f"Right: {format_number(expected)}.", expected)
    for slip, value in _slips(question, exercise):
        if agrees(typed, value):
            return Verdict("wrong", f"Not quite: {slip}", expected)
    if expected != 0 and abs(typed - expected) <= NEAR * abs(expected):
        return Verdict("near", f"Close, but not to {FIGURES} significant figures: keep more digits in "
                               "the values along the way.", expected)
    return Verdict("wrong", "Not this one: work it through again step by step.", expected)


# --- the slips ----------------------------------------------------------------------------------

def _slips(q: Question, e: Exercise) -> list[tuple[str, float]]:
    rec = e.record
    if q.kind in ("gradient", "delta"):
        return _chain_slips(q, e)
    if q.kind == "update":
        name = q.key.split(" ")[0]
        g = e.answers()["gradient"][name]
        theta = q.answer + e.lr * g
        return [(f"that is {plain(name)} + lr·dR/d{name}; a gradient-descent step goes against the "
                 f"gradient, {name} − lr·dR/d{name}.", theta + e.lr * g),
                (f"that is {name} − dR/d{name}, without the step size lr = {e.lr:g}.", theta - g)]
    if q.kind == "residual":
        return [("that is a − y; the residual is e = y − a.", -q.answer)]
    if q.kind == "loss":
        per_obs = [float(v) for v in rec.per_obs_loss]
        out = [("that is observation 1's share only; R sums over all observations.", per_obs[0])]
        if rec.loss_name == "sse":
            out.append(("that is half of R: sse has no ½ in front, R = Σ (y − a)².", q.answer / 2))
        else:
            out.append(("that is twice R: half_sse is R = ½ Σ (y − a)².", q.answer * 2))
        return out
    if q.kind in ("a", "output"):
        layer, j = int(q.key[2]), int(q.key.split("_")[1])
        z = float(rec.z[layer][0, j - 1])
        act = e.network.activations[layer - 1]
        if act == "identity":
            return []
        return [(f"that is z({layer})_{j} = {format_number(z)}; the activation is a = {act}(z).", z)]
    if q.kind == "z":
        layer, j = int(q.key[2]), int(q.key.split("_")[1])
        b = float(e.network.layers[layer - 1].b[j - 1])
        return [(f"the bias b({layer})[{j}] = {format_number(b)} is part of z({layer})_{j}.", q.answer - b)]
    return []


def _chain_slips(q: Question, e: Exercise) -> list[tuple[str, float]]:
    """One slip per factor position of the chain, in the order the chain is written."""
    rec = e.record
    if q.kind == "delta":  # delta(l)_j = dR/dz(l)_j: the chain of b(l)[j] without its dz/db = 1
        layer, j = int(q.key[6]), int(q.key.split("_")[1])
        name, observations = f"b({layer})[{j}]", [q.observation - 1]
    else:
        name, observations = q.key[len("dR/d"):], list(range(rec.n_obs))
    chains = [(i, chain_rule(e.network, rec, name, i)) for i in observations]
    if any(c.paths_truncated or not c.paths for _i, c in chains):
        return []
    first_chain = chains[0][1]
    out: list[tuple[str, float]] = []
    for pos in range(len(first_chain.paths[0])):
        for words, change in _factor_slips(first_chain.paths[0][pos], e):
            total = math.fsum(math.prod(change(f, i) if k == pos else f.value for k, f in enumerate(path))
                              for i, c in chains for path in c.paths)
            out.append((words, total))
    total = q.answer
    flipped = ("the sign is flipped: δ = ∂R/∂z, not −∂R/∂z." if q.kind == "delta" else
               "the sign is flipped: that is −dR/dθ, the direction of the step, not the gradient.")
    out.append((flipped, -total))
    if q.kind == "gradient" and rec.n_obs > 1:
        out.append(("that is observation 1's term only; dR/dθ sums over all observations.", first_chain.total))
    return out


def _factor_slips(f: Factor, e: Exercise) -> list[tuple[str, Callable[[Factor, int], float]]]:
    """The usual wrong values of one kind of factor, each with the sentence that names it."""
    sym = f.symbol
    if not isinstance(sym, Derivative):
        return []
    num, den = sym.num, sym.den
    if num.kind == "R":  # dR/da(L): the loss factor -c(y - a)
        c = 2.0 if e.loss == "sse" else 1.0
        other = "-(y − a)" if c == 2 else "-2(y − a)"
        right = "-2(y − a)" if c == 2 else "-(y − a)"
        return [(f"you used {other} for dR/da where {e.loss} gives {right} = {format_number(f.value)}.",
                 lambda x, i, s=(1 / c if c == 2 else 2.0): x.value * s),
                (f"you used (y − a) for dR/da where {right} = {format_number(f.value)} belongs: "
                 "mind the sign.", lambda x, i, c=c: -x.value / c)]
    if num.kind == "a" and den.kind == "z":  # da/dz = g'(z): used g(z), or left it out
        layer, j = num.layer, num.index[0]
        act = e.network.activations[layer - 1]
        if act == "identity":
            return []
        deriv = get_activation(act).derivative_formula
        a_val = float(e.record.a[layer][0, j - 1])
        return [(f"you used {act}(z) = {format_number(a_val)} where {act}'(z) = {deriv} = "
                 f"{format_number(f.value)} belongs (for da({layer})_{j}/dz({layer})_{j}).",
                 lambda x, i, layer=layer, j=j: float(e.record.a[layer][i, j - 1])),
                (f"you left out da({layer})_{j}/dz({layer})_{j} = {act}'(z) = {format_number(f.value)}.",
                 lambda x, i: 1.0)]
    if num.kind == "a" and den.kind == "a":  # g'(z)·w: the weight alone
        layer = num.layer
        act = e.network.activations[layer - 1]
        if act == "identity":
            return []
        return [(f"you used the weight alone for {plain(sym)} = {act}'(z)·w = {format_number(f.value)}: "
                 f"the {act}' of the node belongs in it.", lambda x, i: _weight_of(e, x))]
    if num.kind == "z" and isinstance(den, Symbol) and den.kind == "w":
        return [(f"you left out dz/dw = {format_number(f.value)}, the value the weight multiplies.",
                 lambda x, i: 1.0)]
    return []


def _weight_of(e: Exercise, factor: Factor) -> float:
    num, den = factor.symbol.num, factor.symbol.den
    return float(e.network.layers[num.layer - 1].W[num.index[0] - 1, den.index[0] - 1])
