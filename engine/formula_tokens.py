"""The text stage of formula parsing: a user's typing turned into Python tokens, columns kept.

Unicode that students paste (``x²``, ``−``, ``·``, ``π``) becomes its ASCII spelling, ``^``
becomes ``**`` and ``2x`` becomes ``2*x``; every character of the result remembers the column it
came from, so a :class:`FormulaError` points at the user's own text (1-based columns, as people
count characters). The parser's SyntaxError is turned into such a message too.
"""

from __future__ import annotations

import io
import tokenize

from engine.formula_limits import MAX_DEPTH


class FormulaError(ValueError):
    """A formula is refused; ``position`` is the 0-based column of the problem (or None).

    Columns in the message are 1-based, as people count characters.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
#: Characters a student may paste from our own unicode output (or a textbook), and what they mean.
_UNICODE_OPERATORS = {"−": "-", "–": "-", "·": "*", "×": "*", "÷": "/", "π": "pi"}


def normalise(text: str) -> tuple[str, list[int]]:
    """ASCII text plus, for each of its characters, the column it came from in ``text``.

    Whitespace of any kind becomes a space; unicode minus, dot, times, pi and superscript
    digits (``x²``) become their ASCII spelling; any other non-ASCII character is refused.
    """
    chars: list[str] = []
    origin: list[int] = []
    i = 0
    while i < len(text):
        c = text[i]
        minus_power = c == "⁻" and i + 1 < len(text) and text[i + 1] in _SUPERSCRIPTS
        if c in _SUPERSCRIPTS or minus_power:
            j = i
            digits = ""
            while j < len(text) and (text[j] in _SUPERSCRIPTS or (j == i and text[j] == "⁻")):
                digits += "-" if text[j] == "⁻" else str(_SUPERSCRIPTS.index(text[j]))
                j += 1
            rep = "**(" + digits + ")" if digits.startswith("-") else "**" + digits
            chars.extend(rep)
            origin.extend([i] * len(rep))
            i = j
            continue
        if c in _UNICODE_OPERATORS:
            rep = _UNICODE_OPERATORS[c]
        elif c.isspace():
            rep = " "
        elif c.isascii() and c.isprintable():
            rep = c
        else:
            raise FormulaError(f"unexpected character {c!r} at column {i + 1}", i)
        chars.extend(rep)
        origin.extend([i] * len(rep))
        i += 1
    return "".join(chars), origin


def _implicit_product(prev: tokenize.TokenInfo | None, tok: tokenize.TokenInfo) -> bool:
    """``2x``, ``2(x+1)``, ``(x+1)(x-1)``, ``(x+1)x`` are products, as on paper."""
    if prev is None or prev.end != tok.start:
        return False
    prev_closes = prev.type == tokenize.NUMBER or (prev.type == tokenize.OP and prev.string == ")")
    tok_opens = tok.type in (tokenize.NAME, tokenize.NUMBER) or (
        tok.type == tokenize.OP and tok.string == "(")
    if prev.type == tokenize.NUMBER and tok.type == tokenize.NUMBER:
        return False
    return prev_closes and tok_opens


def rewrite_tokens(text: str) -> tuple[str, list[int]]:
    """Python source for ``text`` (``^`` -> ``**``, implicit products made explicit).

    Returns the new text and, per character, its column in ``text``. Works on tokens, so
    names and numbers are never touched; text that does not tokenise is returned unchanged
    and the parser reports the problem.
    """
    identity = list(range(len(text)))
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return text, identity
    chars: list[str] = []
    origin: list[int] = []
    pos = 0
    prev = None
    for tok in tokens:
        if tok.type in (tokenize.NEWLINE, tokenize.NL, tokenize.ENDMARKER, tokenize.INDENT,
                        tokenize.DEDENT) or tok.start[0] != 1:
            continue
        start, end = tok.start[1], tok.end[1]
        chars.extend(text[pos:start])
        origin.extend(range(pos, start))
        if _implicit_product(prev, tok):
            chars.append("*")
            origin.append(start)
        if tok.type == tokenize.OP and tok.string == "^":
            chars.extend("**")
            origin.extend([start, start])
        else:
            chars.extend(tok.string)
            origin.extend(range(start, end))
        pos = end
        prev = tok
    chars.extend(text[pos:])
    origin.extend(range(pos, len(text)))
    return "".join(chars), origin


def syntax_error(err: SyntaxError, source: str, origin: list[int], original: str) -> FormulaError:
    """A readable FormulaError for the parser's SyntaxError, with the column in the user's text."""
    msg = err.msg or "invalid syntax"
    offset = (err.offset or 0) - 1  # SyntaxError.offset is 1-based
    if msg.startswith("too many nested parentheses"):
        return FormulaError(f"the formula is nested too deeply (at most {MAX_DEPTH} levels)", None)
    if "string literal" in msg:
        col = origin[offset] if 0 <= offset < len(origin) else None
        return FormulaError("text strings are not allowed in a formula"
                            + (f" (column {col + 1})" if col is not None else ""), col)
    if not 0 <= offset < len(source) or not source[offset:].strip():
        tail = original.strip()[-12:]
        return FormulaError(f"the formula ends too early, after {tail!r}; something is missing",
                            len(original.rstrip()))
    col = origin[offset]
    ch = original[col]
    if "was never closed" in msg:
        return FormulaError(f"{ch!r} at column {col + 1} is never closed", col)
    if msg.startswith(("invalid syntax", "unmatched", "closing parenthesis")):
        return FormulaError(f"unexpected {ch!r} at column {col + 1}", col)
    if "decimal literal" in msg or "literal" in msg:
        return FormulaError(f"invalid number at column {col + 1}", col)
    return FormulaError(f"{msg} at column {col + 1}", col)


__all__ = ["FormulaError", "normalise", "rewrite_tokens", "syntax_error"]
