"""One parameter's explanation as lecture-note text: its chain rule for one observation, then the
nudge table, in plain text, Markdown or LaTeX (the blocks of ``engine.tables``, the nudge table of
``engine.explain``).

The network workspace's "Copy as" button puts this text on the clipboard; numbers go through
``engine.numbers`` as on the screen, so the numbers on a slide are exactly those in the window.
"""

from __future__ import annotations

import numpy as np

from engine.backprop import PassRecord, backward
from engine.chain_rule import chain_rule
from engine.explain import EXPLAIN_FORMATS, MAX_EXPLAINED_OBS, is_lecture_example, nudge_section
from engine.network import Network
from engine.notation import Derivative, Math, Symbol
from engine.numbers import SIG_FIGS, format_vector
from engine.slips import LECTURE_SLIPS
from engine.tables import Table, note_list, paragraph, section_title, symbol_product, value_product

__all__ = ["explanation_notes"]


def explanation_notes(network: Network, X: np.ndarray, Y: np.ndarray, loss: str, name: str, observation: int,
                      fmt: str = "markdown", digits: int = SIG_FIGS, weight_decay: float = 0.0) -> str:
    """Chain rule of parameter ``name`` (lecture notation) for ``observation`` (0-based row), the
    nudge table of the first :data:`MAX_EXPLAINED_OBS` observations and, for the lecture example,
    where the printed lecture differs. ``X (n_obs, n_in)``, ``Y (n_obs, n_out)``; ``loss``: its
    name; ``fmt``: one of ``EXPLAIN_FORMATS``; ``weight_decay``: lambda of R's term lambda/2 sum w^2.

    Raises ``ValueError`` for an unknown format, parameter or observation.
    """
    if fmt not in EXPLAIN_FORMATS:
        raise ValueError(f"notes format must be one of {', '.join(EXPLAIN_FORMATS)}, got {fmt!r}")
    names = network.param_names()
    if name not in names:
        raise ValueError(f"parameter {name!r} is not in this network; it has {', '.join(names)}")
    if not 0 <= observation < X.shape[0]:
        raise ValueError(f"observation {observation + 1}: the data have observations 1 to {X.shape[0]}")
    rec = backward(network, X, Y, loss, weight_decay=weight_decay)
    i = observation
    parts = [section_title(f"{name}, observation {i + 1}: x = {format_vector(X[i], digits)}, "
                           f"y = {format_vector(Y[i], digits)}", fmt)]
    parts += _chain_section(network, rec, name, i, fmt, digits)
    theta = Symbol.parameter(network.param_ref(name))
    parts.append(paragraph((f"Summed over all {X.shape[0]} observations: ", Derivative(Symbol("R"), theta),
                            Math(" = "), float(rec.gradient[names.index(name)])), fmt, digits))
    parts += nudge_section(rec, list(range(min(X.shape[0], MAX_EXPLAINED_OBS))), loss, fmt, digits,
                           residual_row=True)
    if is_lecture_example(network, X, Y, loss):
        parts.append(note_list("Where the printed lecture differs", [s.sentence() for s in LECTURE_SLIPS], fmt))
    return "\n".join(parts)


def _chain_section(network: Network, rec: PassRecord, name: str, i: int, fmt: str, digits: int) -> list[str]:
    """One row per factor (symbol, how it is computed, value), then the product written out."""
    cr = chain_rule(network, rec, name, i)
    factors = cr.written
    table = Table(f"Chain rule: dR_{i + 1}/d{name}", ["factor", "computed as", "value"], align="llr",
                  header_tex=["factor", "computed as", "value"], digits=digits)
    for x in factors:
        table.add(x.symbol, x.meaning, x.value)
    table.add(cr.lhs, "product of the factors", cr.total)
    if cr.decay is not None:  # R's weight-decay term: its own term of dR/dw, once per update
        table.add(cr.decay.symbol, cr.decay.meaning, cr.decay.value)
    written = (cr.lhs, Math(" = "), *symbol_product(factors), Math(" = "), *value_product(factors),
               Math(" = "), cr.total)
    if len(cr.paths) != 1:
        written += (f" (delta form of {len(cr.paths) or 'many'} paths)",)
    return [table.render(fmt), paragraph(written, fmt, digits)]
