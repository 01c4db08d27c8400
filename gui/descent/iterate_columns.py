"""The iterate table's columns for one session: what each shows and how it is headed.

Always i, x_i, f(x_i), f'(x_i) (2-D: grad f), the step size s_i actually taken (Newton's
lr/f''(x_i), backtracking's accepted step) and f''(x_i) (2-D: the Hessian's eigenvalues); with
backtracking the number of trials the update took; with a momentum-type optimizer the velocity
-m beside -f'; last the step x_i - x_(i-1). The numbers come from the engine's records and
``engine.descent_models``; this module only formats them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from engine.descent_models import curvature, has_velocity, velocity
from engine.numbers import format_number, format_vector


@dataclass(frozen=True)
class Column:
    """One column: its ``header``, a ``tip`` for the header, and the cell text of an iterate."""

    header: str
    tip: str
    text: Callable[[object, object], str]   # (session, iterate) -> text


def as_text(value) -> str:
    """A number or vector as the table writes it; "—" for none."""
    if value is None:
        return "—"
    arr = np.ravel(np.asarray(value, dtype=np.float64))
    if arr.size == 0:
        return "—"
    return format_vector(arr)


def _number(value: float | None) -> str:
    return "—" if value is None else format_number(value)


def _trials(session, it) -> str:
    if it.index == 0:
        return "—"
    return str(len(it.trials))


def columns(session) -> list[Column]:
    """The columns for ``session`` (an ``engine.descent.DescentSession``)."""
    one_d = session.objective.dim == 1
    cols = [
        Column("i", "iteration", lambda s, it: str(it.index)),
        Column("xᵢ", "the iterate", lambda s, it: as_text(it.x)),
        Column("f(xᵢ)", "the function's value", lambda s, it: format_number(it.value)),
        Column("f′(xᵢ)" if one_d else "∇f(xᵢ)", "the gradient", lambda s, it: as_text(it.gradient)),
        Column("sᵢ", "the step size the update to xᵢ took (Newton: lr/f″(xᵢ₋₁); backtracking: "
               "the accepted step)", lambda s, it: _number(it.step_size)),
        Column("f″(xᵢ)" if one_d else "eig ∇²f(xᵢ)",
               "the curvature: f″ (2-D: the Hessian's eigenvalues)",
               lambda s, it: as_text(curvature(s.objective, it.x))),
    ]
    if session.spec.schedule == "backtracking":
        cols.append(Column("trials", "how many step sizes the line search tried for this update (the last one accepted)",
                           _trials))
    if has_velocity(session.spec):
        cols.append(Column("vᵢ" if one_d else "velocity vᵢ",
                           "the velocity v = −m: the running sum of past gradients the step "
                           "follows; compare it with −f′", lambda s, it: as_text(velocity(it))))
    cols.append(Column("step", "xᵢ − xᵢ₋₁", lambda s, it: as_text(it.step)))
    return cols


#: The first columns after i (x, f, f', s_i) have room first; the rest scroll into view.
FIRST_COLUMNS = 4


def column_widths(room: int, n: int, common: int, widest: int) -> list[int]:
    """Pixel widths of the ``n`` number columns in ``room`` pixels: the first FIRST_COLUMNS get room
    for the widest numbers when it is there (else the common ones), the others share what is left
    (at least the common width: the table scrolls sideways then); any room left over widens all."""
    first = min(n, FIRST_COLUMNS)
    base = max(common, min(widest, room // first)) if first else 0
    rest = n - first
    extra = max(common, (room - first * base) // rest) if rest else 0
    if room > first * base + rest * extra and n:
        grow = (room - first * base - rest * extra) // n
        base, extra = base + grow, extra + grow if rest else 0
    return [base] * first + [extra] * rest


__all__ = ["Column", "FIRST_COLUMNS", "as_text", "column_widths", "columns"]
