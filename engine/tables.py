"""Tables and text blocks for lecture notes, each rendered as plain text, Markdown or LaTeX.

A :class:`Table` holds cells (words, numbers, lecture notation from ``engine.notation``) and
renders itself per format, numbers with a chosen count of significant figures
(``engine.numbers``); :func:`section_title`, :func:`paragraph` and :func:`note_list` do the same
for headings, prose and bullet lists, and :func:`symbol_product` / :func:`value_product` write a
chain-rule product (``engine.chain_rule``). ``engine.explain`` fills them with a scenario's numbers.
"""

from __future__ import annotations

from typing import Sequence, Union

from engine.chain_rule import Factor
from engine.notation import Inline, Math, Token, latex, plain, tex_escape
from engine.numbers import SIG_FIGS

#: A table cell or a line of prose: words, a number, lecture notation, or a run of them.
Cell = Union[Token, Inline]


class Table:
    """A titled table of cells that renders as plain text, Markdown or LaTeX.

    Cells are words, numbers (formatted with ``digits`` significant figures) or lecture notation
    (``engine.notation``). ``align`` holds one letter per column, ``l`` or ``r`` (default: first
    column left, the rest right). ``header_tex`` and a row's ``tex`` cells, where given, replace the
    automatic LaTeX of the header and of that row.
    """

    def __init__(self, title: str, header: Sequence[str], align: str | None = None,
                 header_tex: Sequence[str] | None = None, digits: int = SIG_FIGS) -> None:
        self.title = title
        self.header = list(header)
        self.header_tex = list(header_tex) if header_tex else [latex(h) for h in self.header]
        self.rows: list[list[str]] = []
        self.rows_tex: list[list[str]] = []
        self.align = align or "l" + "r" * (len(self.header) - 1)
        self.digits = digits

    def add(self, *cells: Cell, tex: Sequence[str] | None = None) -> None:
        """Append a row of cells (and, optionally, its LaTeX)."""
        self.rows.append([plain(c, self.digits) for c in cells])
        self.rows_tex.append(list(tex) if tex else [latex(c, self.digits) for c in cells])

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


def paragraph(text: Cell, fmt: str, digits: int = SIG_FIGS) -> str:
    """A line of prose (words, or a run with lecture notation and numbers) in the chosen format."""
    return (latex(text, digits) if fmt == "latex" else plain(text, digits)) + "\n"


def note_list(title: str, items: Sequence[Cell], fmt: str, digits: int = SIG_FIGS) -> str:
    """A titled bullet list (e.g. where the printed lecture differs)."""
    if fmt == "markdown":
        return f"**{title}:**\n\n" + "\n".join(f"- {plain(t, digits)}" for t in items) + "\n"
    if fmt == "latex":
        body = "\n".join(f"  \\item {latex(t, digits)}" for t in items)
        return f"\\paragraph{{{tex_escape(title)}}}\n\\begin{{itemize}}\n{body}\n\\end{{itemize}}\n"
    return f"{title}:\n" + "\n".join(f"  - {plain(t, digits)}" for t in items) + "\n"


def symbol_product(factors: Sequence[Factor]) -> Inline:
    """The factors' symbols as a product: ``dR/da(2)_1 * da(2)_1/da(1)_1 * ...``."""
    out: list = []
    for k, x in enumerate(factors):
        out += [Math(" * "), x.symbol] if k else [x.symbol]
    return tuple(out)


def value_product(factors: Sequence[Factor]) -> Inline:
    """The factors' values as a product, negative ones after the first in brackets:
    ``-0.7810 * 0.6000 * 0.2494 * (-2.000)``."""
    out: list = []
    for k, x in enumerate(factors):
        value = (Math("("), x.value, Math(")")) if k and x.value < 0 else (x.value,)
        out += [Math(" * "), *value] if k else list(value)
    return tuple(out)


__all__ = ["Cell", "Table", "note_list", "paragraph", "section_title", "symbol_product", "value_product"]
