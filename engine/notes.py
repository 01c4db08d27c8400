"""One parameter's explanation as lecture-note text: its chain rule for one observation, then the
nudge table, in plain text, Markdown or LaTeX (``engine.explain``'s tables and blocks).

The network workspace's "Copy as" button puts this text on the clipboard, so that the numbers on
a slide are exactly those on the screen.
"""

from __future__ import annotations

import numpy as np

from engine.backprop import PassRecord, backward, chain_rule
from engine.explain import EXPLAIN_FORMATS, LECTURE_SLIPS, MAX_EXPLAINED_OBS, Table, format_number, \
    is_lecture_example, note_list, nudge_section, paragraph, section_title, tex_cell, tex_escape
from engine.network import Network

__all__ = ["explanation_notes"]


def explanation_notes(network: Network, X: np.ndarray, Y: np.ndarray, loss: str, name: str, observation: int,
                      fmt: str = "markdown", digits: int = 4) -> str:
    """Chain rule of parameter ``name`` (lecture notation) for ``observation`` (0-based row), the
    nudge table of the first :data:`MAX_EXPLAINED_OBS` observations and, for the lecture example,
    where the printed lecture differs. ``X (n_obs, n_in)``, ``Y (n_obs, n_out)``; ``loss``: its
    name; ``fmt``: one of ``EXPLAIN_FORMATS``.

    Raises ``ValueError`` for an unknown format, parameter or observation.
    """
    if fmt not in EXPLAIN_FORMATS:
        raise ValueError(f"notes format must be one of {', '.join(EXPLAIN_FORMATS)}, got {fmt!r}")
    names = network.param_names()
    if name not in names:
        raise ValueError(f"parameter {name!r} is not in this network; it has {', '.join(names)}")
    if not 0 <= observation < X.shape[0]:
        raise ValueError(f"observation {observation + 1}: the data have observations 1 to {X.shape[0]}")
    rec = backward(network, X, Y, loss)

    def f(v: float) -> str:
        return format_number(v, digits)

    def vec(v) -> str:  # data as typed: 3, not 3.000
        return "(" + ", ".join(f"{x:.4g}" for x in v) + ")" if len(v) > 1 else f"{v[0]:.4g}"

    i = observation
    parts = [section_title(f"{name}, observation {i + 1}: x = {vec(X[i])}, y = {vec(Y[i])}", fmt)]
    parts += _chain_section(network, rec, name, i, fmt, f)
    parts.append(paragraph(f"Summed over all {X.shape[0]} observations: dR/d{name} = "
                       f"{f(rec.gradient[names.index(name)])}", fmt))
    parts += nudge_section(rec, names, list(range(min(X.shape[0], MAX_EXPLAINED_OBS))), loss, fmt, f,
                           residual_row=True)
    if is_lecture_example(network, X, Y, loss):
        parts.append(note_list("Where the printed lecture differs", LECTURE_SLIPS, fmt))
    return "\n".join(parts)


def _chain_section(network, rec: PassRecord, name: str, i: int, fmt: str, f) -> list[str]:
    """One row per factor (symbol, how it is computed, value), then the product written out."""
    cr = chain_rule(network, rec, name, i)
    # Several paths are summed by back propagation into delta: the two-factor form is what is shown.
    factors = cr.paths[0] if len(cr.paths) == 1 else cr.delta_form
    lhs = f"dR_{i + 1}/d{name}"
    table = Table(f"Chain rule: {lhs}", ["factor", "computed as", "value"], align="llr",
                  header_tex=["factor", "computed as", "value"])
    for x in factors:
        table.add(x.symbol, x.meaning, f(x.value),
                  tex=[f"${x.latex}$", tex_escape(x.meaning), tex_cell(f(x.value))])
    table.add(lhs, "product of the factors", f(cr.total),
              tex=[f"$\\partial R_{{{i + 1}}}/\\partial {tex_cell(name).strip('$')}$", "product of the factors",
                   tex_cell(f(cr.total))])
    values = " * ".join(f(x.value) if k == 0 or x.value >= 0 else f"({f(x.value)})"
                        for k, x in enumerate(factors))
    written = f"{lhs} = " + " * ".join(x.symbol for x in factors) + f" = {values} = {f(cr.total)}"
    if len(cr.paths) != 1:
        written += f" (delta form of {len(cr.paths) or 'many'} paths)"
    return [table.render(fmt), paragraph(written, fmt)]
