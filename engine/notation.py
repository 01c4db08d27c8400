"""The lecture's notation as data, and its plain-text and LaTeX renderings.

The engine describes what it explains with these values instead of text: a :class:`Symbol`
such as ``a(2)_1`` or ``w(1)[1,2]``, a :class:`Derivative` such as ``dR/da(2)_1``, and an
:data:`Inline` run that mixes words, formula pieces and numbers (e.g. how a chain-rule factor is
computed). Each view renders the same values its own way: plain text and Markdown with
:func:`plain`, LaTeX with :func:`latex`, the window as Qt rich text (``gui.style.rich``); none
reads structure back out of text. Numbers are formatted by :mod:`engine.numbers` at rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from engine.network import ParamRef
from engine.numbers import SIG_FIGS, format_number, number_parts

#: A 1-based node, input or observation number, or a letter (``R_i``, ``n_out``).
Index = Union[int, str]


@dataclass(frozen=True)
class Symbol:
    """One quantity in lecture notation.

    ``kind``: ``w``, ``b`` (parameters), ``a``, ``z``, ``delta`` (node values), ``x``, ``y``, ``e``,
    ``R``, or any bare letter; ``layer``: the superscript (None for x, y, e, R); ``index``: the
    subscripts, 1-based, ``(j, k)`` for the weight into node j from node k, ``(j,)`` for a node.
    """

    kind: str
    layer: int | None = None
    index: tuple[Index, ...] = ()

    @classmethod
    def parameter(cls, ref: ParamRef) -> Symbol:
        """``w(l)[j,k]`` or ``b(l)[j]`` from the network's parsed parameter name."""
        return cls(ref.kind, ref.layer, (ref.j, ref.k) if ref.kind == "w" else (ref.j,))

    @property
    def is_parameter(self) -> bool:
        return self.kind in ("w", "b") and self.layer is not None


@dataclass(frozen=True)
class Derivative:
    """The partial derivative of ``num`` with respect to ``den``, e.g. dR/da(2)_1."""

    num: Symbol
    den: Symbol


@dataclass(frozen=True)
class Math:
    """A piece of a formula written in ASCII: ``-`` is a minus sign and ``·`` or ``*`` a product
    (views typeset them); letters are variables, e.g. ``"-2(y - a) = "``."""

    text: str


@dataclass(frozen=True)
class Formula:
    """A formula from a registry (``Activation.derivative_formula``, ``Loss.derivative_formula``),
    ASCII that may hold words (``1 if z > 0 else 0``): math for its minus signs, text otherwise."""

    text: str


#: One piece of an :data:`Inline` run; a ``str`` is words, a ``float`` a number to format.
Token = Union[str, float, Symbol, Derivative, Math, Formula]
#: Words, symbols, formula pieces and numbers, read left to right.
Inline = tuple[Token, ...]


def indices(index: tuple[Index, ...]) -> str:
    """Subscripts as the lecture writes them: ``12`` for (1, 2), ``12,3`` once a number has two digits."""
    parts = [str(i) for i in index]
    return "".join(parts) if all(len(p) == 1 for p in parts) else ",".join(parts)


# --- plain text ---------------------------------------------------------------------------------

def plain_symbol(s: Symbol) -> str:
    """``w(1)[1,2]``, ``b(2)[1]``, ``a(2)_1``, ``delta(1)_2``, ``x_1``, ``R_i``, ``R``."""
    if s.is_parameter:
        return f"{s.kind}({s.layer})[{','.join(str(i) for i in s.index)}]"
    text = s.kind if s.layer is None else f"{s.kind}({s.layer})"
    return text + (f"_{indices(s.index)}" if s.index else "")


def plain(item: Token | Inline, digits: int = SIG_FIGS) -> str:
    """Plain text (also Markdown): ``dR/da(2)_1``, ``-2(y - a) = -2(1.200 - 0.8095)``."""
    if isinstance(item, tuple):
        return "".join(plain(t, digits) for t in item)
    if isinstance(item, str):
        return item
    if isinstance(item, float):
        return format_number(item, digits)
    if isinstance(item, Symbol):
        return plain_symbol(item)
    if isinstance(item, Derivative):
        return f"d{plain_symbol(item.num)}/d{plain_symbol(item.den)}"
    if isinstance(item, (Math, Formula)):
        return item.text
    raise TypeError(f"cannot render {item!r} in lecture notation")


# --- LaTeX --------------------------------------------------------------------------------------

_TEX_SPECIAL = {"\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#",
                "_": r"\_", "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\^{}"}
_TEX_KINDS = {"delta": r"\delta", "lambda": r"\lambda"}


def tex_escape(text: str) -> str:
    """``text`` with LaTeX's special characters escaped, for titles, words and registry formulas."""
    return "".join(_TEX_SPECIAL.get(ch, ch) for ch in text)


def latex_symbol(s: Symbol) -> str:
    """Math-mode LaTeX: ``w^{(1)}_{12}``, ``\\delta^{(1)}_{2}``, ``x_{1}``, ``R``."""
    text = _TEX_KINDS.get(s.kind, s.kind)
    if s.layer is not None:
        text += f"^{{({s.layer})}}"
    return text + (f"_{{{indices(s.index)}}}" if s.index else "")


def latex_number(value: float, digits: int = SIG_FIGS) -> str:
    """Math-mode LaTeX of a finite number: ``-0.3000``, ``1.500\\times 10^{-5}``."""
    mantissa, power = number_parts(value, digits)
    return mantissa if power is None else f"{mantissa}\\times 10^{{{power}}}"


def _math(item: Token, digits: int) -> str | None:
    """Math-mode LaTeX of ``item``, or None when it belongs in text mode."""
    if isinstance(item, float):
        return latex_number(item, digits) if abs(item) < float("inf") else None
    if isinstance(item, Symbol):
        return latex_symbol(item)
    if isinstance(item, Derivative):
        return rf"\frac{{\partial {latex_symbol(item.num)}}}{{\partial {latex_symbol(item.den)}}}"
    if isinstance(item, Math):
        return item.text.replace("·", r"\cdot ").replace("*", r"\cdot ").replace(r"\cdot  ", r"\cdot ")
    return None


def latex(item: Token | Inline, digits: int = SIG_FIGS) -> str:
    """LaTeX for a table cell or a sentence: neighbouring math pieces share one ``$...$``, words and
    registry formulas stay text: ``$\\frac{\\partial R}{\\partial z^{(1)}_{1}}$, from back propagation``."""
    items = item if isinstance(item, tuple) else (item,)
    out: list[str] = []
    run: list[str] = []
    for t in items:
        math = _math(t, digits)
        if math is not None:
            run.append(math)
            continue
        if run:
            out.append("$" + "".join(run) + "$")
            run = []
        if isinstance(t, float):
            out.append(format_number(t, digits))
        elif isinstance(t, (str, Formula)):
            out.append(tex_escape(t if isinstance(t, str) else t.text))
        else:
            raise TypeError(f"cannot render {t!r} in lecture notation")
    if run:
        out.append("$" + "".join(run) + "$")
    return "".join(out)


__all__ = ["Derivative", "Formula", "Index", "Inline", "Math", "Symbol", "Token", "indices", "latex",
           "latex_number", "latex_symbol", "plain", "plain_symbol", "tex_escape"]
