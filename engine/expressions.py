"""Safe formulas: a user's text in ``x`` (1-D) or ``x1, x2`` (2-D) becomes sympy and numpy.

The text is never evaluated. It is tokenised (``^`` becomes ``**``, ``2x`` becomes ``2*x``),
parsed with :mod:`ast` in ``eval`` mode, checked node by node against a whitelist (numbers,
the allowed variables, ``+ - * / **``, unary signs, a fixed list of functions, the constants
``pi`` and ``e``), and the sympy expression is built from the checked tree by our own code.
Size limits (500 characters, nesting depth 50, constant exponents up to 1000, constant
powers up to 1e308, an estimate of the second derivative's size made before sympy sees the
tree) keep parsing and differentiation well under a second. Constant pieces such as
``sin(1)`` are computed at once as floats; ``log(-1)`` is refused as not a real number.

The value, gradient and Hessian are lambdified with the numpy module (code generated from
the checked sympy tree, not from user text). Evaluation never raises: overflow, division
by zero and complex results come back as ``inf``/``nan``.
"""

from __future__ import annotations

import ast
import io
import math
import re
import tokenize
import warnings
from typing import Callable, Sequence

import numpy as np
import sympy
import sympy.printing.latex
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.str import StrPrinter

MAX_LENGTH = 500
MAX_DEPTH = 50
#: Refuse formulas whose second derivative is estimated (see _derivative_sizes) above this:
#: measured, 2000 keeps parsing plus differentiation under ~0.25 s; lecture-style formulas
#: are far below it (the lecture's 2-D function: 191, Beale: 316).
MAX_DERIVATIVE_ESTIMATE = 2000
MAX_EXPONENT = 1000
#: log10 of the largest constant power we let sympy compute exactly (float64 max ~1.8e308).
MAX_POWER_LOG10 = 308.0
#: A last guard after differentiating: larger derivative expressions (sympy operation count)
#: would be slow to print and evaluate on every step.
MAX_DERIVATIVE_OPS = 4000


class FormulaError(ValueError):
    """A formula is refused; ``position`` is the 0-based column of the problem (or None).

    Columns in the message are 1-based, as people count characters.
    """

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


def _sigmoid(a: sympy.Expr) -> sympy.Expr:
    return 1 / (1 + sympy.exp(-a))


class _SignFunction(sympy.Function):
    """sign(u), with derivative 0 (away from u = 0, the only place numbers can show)."""

    @classmethod
    def eval(cls, arg: sympy.Expr) -> sympy.Expr | None:
        return sympy.sign(arg) if arg.is_Number else None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return sympy.S.Zero


class _AbsFunction(sympy.Function):
    """|u| with derivative sign(u); sympy's Abs differentiates a possibly complex u
    (e.g. abs(log(x))) into unevaluated Derivative objects that cannot be computed."""

    @classmethod
    def eval(cls, arg: sympy.Expr) -> sympy.Expr | None:
        return sympy.Abs(arg) if arg.is_Number else None

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return _SignFunction(self.args[0])

    def _latex(self, printer: sympy.printing.latex.LatexPrinter) -> str:
        return rf"\left|{printer._print(self.args[0])}\right|"


# Printers and lambdify name a Function subclass by its __name__.
_SignFunction.__name__ = "sign"
_AbsFunction.__name__ = "abs"


#: The functions a formula may call, each with exactly one argument.
FUNCTIONS: dict[str, Callable[[sympy.Expr], sympy.Expr]] = {
    "sin": sympy.sin, "cos": sympy.cos, "tan": sympy.tan,
    "asin": sympy.asin, "acos": sympy.acos, "atan": sympy.atan,
    "sinh": sympy.sinh, "cosh": sympy.cosh, "tanh": sympy.tanh,
    "exp": sympy.exp, "log": sympy.log, "ln": sympy.log, "sqrt": sympy.sqrt,
    "abs": _AbsFunction, "sign": _SignFunction, "sigmoid": _sigmoid,
}
CONSTANTS: dict[str, sympy.Expr] = {"pi": sympy.pi, "e": sympy.E}

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_REFUSED_BINOPS = {ast.Mod: "%", ast.FloorDiv: "//", ast.MatMult: "@", ast.LShift: "<<",
                   ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&", ast.BitXor: "^"}
_REFUSED_NODES = {
    ast.Compare: "comparisons are", ast.BoolOp: "'and'/'or' are", ast.IfExp: "'if ... else' is",
    ast.Lambda: "lambda functions are", ast.ListComp: "comprehensions are",
    ast.SetComp: "comprehensions are", ast.DictComp: "comprehensions are",
    ast.GeneratorExp: "comprehensions are", ast.Subscript: "subscripts such as a[0] are",
    ast.Tuple: "tuples (a comma) are", ast.List: "lists are", ast.Dict: "dictionaries are",
    ast.Set: "sets are", ast.JoinedStr: "text strings are", ast.Starred: "'*' unpacking is",
    ast.NamedExpr: "':=' assignments are", ast.Slice: "slices are", ast.Await: "'await' is",
    ast.Yield: "'yield' is", ast.YieldFrom: "'yield' is",
}
_SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
_TO_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
#: Characters a student may paste from our own unicode output (or a textbook), and what they mean.
_UNICODE_OPERATORS = {"−": "-", "–": "-", "·": "*", "×": "*", "÷": "/", "π": "pi"}


# ---------------------------------------------------------------- text stage


def _normalise(text: str) -> tuple[str, list[int]]:
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


def _rewrite_tokens(text: str) -> tuple[str, list[int]]:
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


def _syntax_error(err: SyntaxError, source: str, origin: list[int], original: str) -> FormulaError:
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


# ---------------------------------------------------------------- tree stage


class _Builder:
    """Builds a sympy expression from a parsed tree, refusing anything not whitelisted."""

    def __init__(self, variables: Sequence[str], origin: list[int], source: str) -> None:
        self.source = source
        self.symbols = {name: sympy.Symbol(name, real=True) for name in variables}
        self.variables = tuple(variables)
        self.origin = origin

    def col(self, node: ast.AST) -> int | None:
        off = getattr(node, "col_offset", None)
        if off is None or not self.origin:
            return None
        return self.origin[min(off, len(self.origin) - 1)]

    def operator_col(self, node: ast.BinOp) -> int | None:
        """Column of a binary operator: the first non-space, non-')' after the left operand."""
        start = getattr(node.left, "end_col_offset", None)
        if start is None:
            return self.col(node)
        for off in range(start, min(node.right.col_offset, len(self.origin))):
            if self.source[off] not in " )":
                return self.origin[off]
        return self.col(node)

    def fail(self, message: str, node: ast.AST | None, col: int | None = None) -> FormulaError:
        if col is None and node is not None:
            col = self.col(node)
        where = f" at column {col + 1}" if col is not None else ""
        return FormulaError(message.replace("{where}", where), col)

    def variable_hint(self) -> str:
        if len(self.variables) == 1:
            return f"the variable is {self.variables[0]}"
        return "the variables are " + ", ".join(self.variables[:-1]) + " and " + self.variables[-1]

    def name_hint(self, name: str) -> str:
        """A likely intent for an unknown name: ``x1x2`` -> x1*x2, ``sinx`` -> sin(x)."""
        parts = self.split_names(name)
        if parts and len(parts) > 1:
            return f"; for a product write {'*'.join(parts)}"
        for fn in sorted(FUNCTIONS, key=len, reverse=True):
            rest = name[len(fn):]
            if name.startswith(fn) and rest and self.split_names(rest):
                return f"; for the function write {fn}({rest})"
        return ""

    def split_names(self, name: str) -> list[str] | None:
        """``name`` as a run of variable/constant names (longest first), or None."""
        if not name:
            return []
        for v in sorted((*self.variables, *CONSTANTS), key=len, reverse=True):
            if name.startswith(v):
                rest = self.split_names(name[len(v):])
                if rest is not None:
                    return [v, *rest]
        return None

    def build(self, node: ast.AST, depth: int = 0) -> sympy.Expr:
        if depth > MAX_DEPTH:
            raise self.fail("the formula is nested too deeply{where} "
                            f"(at most {MAX_DEPTH} levels)", node)
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            if node.id in self.symbols:
                return self.symbols[node.id]
            if node.id in CONSTANTS:
                return CONSTANTS[node.id]
            if node.id in FUNCTIONS:
                raise self.fail(f"function {node.id!r}{{where}} needs an argument, "
                                f"e.g. {node.id}({self.variables[0]})", node)
            raise self.fail(f"unknown name {node.id!r}{{where}}; {self.variable_hint()} "
                            f"(constants: pi, e){self.name_hint(node.id)}", node)
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return -self.build(node.operand, depth + 1)
            if isinstance(node.op, ast.UAdd):
                return self.build(node.operand, depth + 1)
            raise self.fail("only unary '-' and '+' are allowed{where}", node)
        if isinstance(node, ast.BinOp):
            return self.binop(node, depth)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.Attribute):
            raise self.attribute(node)
        for kind, what in _REFUSED_NODES.items():
            if isinstance(node, kind):
                raise self.fail(f"{what} not allowed in a formula{{where}}", node)
        raise self.fail(f"{type(node).__name__} is not allowed in a formula{{where}}", node)

    def attribute(self, node: ast.Attribute) -> FormulaError:
        end = getattr(node.value, "end_col_offset", None)
        col = self.origin[end] if end is not None and end < len(self.origin) else None
        return self.fail(f"attributes such as '.{node.attr}' are not allowed{{where}}", node, col)

    def number(self, node: ast.Constant) -> sympy.Expr:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            if isinstance(value, complex):
                raise self.fail("complex numbers are not allowed{where}", node)
            if isinstance(value, (str, bytes)):
                raise self.fail("text strings are not allowed in a formula{where}", node)
            raise self.fail(f"{value!r} is not allowed in a formula{{where}}", node)
        if isinstance(value, int):
            if abs(value) > 1e308:
                raise self.fail("the number{where} is too large (at most 1e308)", node)
            return sympy.Integer(value)
        if not math.isfinite(value):
            raise self.fail("the number{where} is too large (at most 1e308)", node)
        return sympy.Float(value)

    def binop(self, node: ast.BinOp, depth: int) -> sympy.Expr:
        op = type(node.op)
        if op not in _BINOPS:
            raise self.fail(f"operator {_REFUSED_BINOPS.get(op, op.__name__)!r} is not allowed"
                            "{where}; use + - * / and ^ (or **)", node, self.operator_col(node))
        # A long sum or product (a + b + c + ...) is a chain, not nesting: its left operand
        # keeps the depth, so polynomials of many terms are not refused as "deep".
        chain = op in (ast.Add, ast.Sub, ast.Mult, ast.Div) and isinstance(node.left, ast.BinOp) \
            and type(node.left.op) in (ast.Add, ast.Sub, ast.Mult, ast.Div)
        left = self.build(node.left, depth if chain else depth + 1)
        right = self.build(node.right, depth + 1)
        if op is ast.Add:
            return left + right
        if op is ast.Sub:
            return left - right
        if op is ast.Mult:
            return left * right
        if op is ast.Div:
            try:
                return left / right
            except ZeroDivisionError:  # sympy's Float / Float(0), e.g. 2.5/sin(0)
                raise self.fail("the formula divides by zero{where}", node,
                                self.operator_col(node)) from None
        return self.power(left, right, node.right)

    def power(self, base: sympy.Expr, exponent: sympy.Expr, node: ast.AST) -> sympy.Expr:
        """``base ** exponent``, refused before sympy would compute an enormous number."""
        if exponent.is_Number and exponent.is_finite:
            if abs(exponent) > MAX_EXPONENT:
                raise self.fail(f"the exponent {_short(exponent)}{{where}} is too large "
                                f"(at most {MAX_EXPONENT} in size)", node)
            if base.is_Number and base.is_finite and base != 0:
                size = abs(float(exponent)) * abs(_log10(base))
                if size > MAX_POWER_LOG10:
                    raise self.fail(f"the power {_short(base)}^{_short(exponent)}{{where}} is too "
                                    f"large to compute (about 10^{size:.0f})", node)
        if not base.free_symbols and not exponent.free_symbols and not exponent.is_Integer:
            b, p = self.constant(base, node), self.constant(exponent, node)
            if b == 0 and p < 0:
                raise self.fail("the formula divides by zero{where} (0 to a negative power)", node)
            if b < 0 and p != int(p):
                raise self.fail(f"({_short(base)})^({_short(exponent)}){{where}} is not a real "
                                "number", node)
            try:
                return sympy.Float(b ** p)
            except OverflowError:
                raise self.fail("the power{where} is too large (above 1e308)", node) from None
        return sympy.Pow(base, exponent)

    def constant(self, expr: sympy.Expr, node: ast.AST) -> float:
        """float value of a constant built from numbers, pi, e and + - * / integer powers."""
        if expr.has(sympy.zoo, sympy.nan):
            raise self.fail("the formula divides by zero{where}", node)
        try:
            value = float(expr)
        except TypeError:
            raise self.fail(f"{_short(expr)}{{where}} is not a real number", node) from None
        if not math.isfinite(value):
            raise self.fail("a constant{where} is too large (above 1e308)", node)
        return value

    def fold(self, name: str, arg: sympy.Expr, node: ast.AST) -> sympy.Expr:
        """A function of a constant, computed now as a float.

        Left symbolic, constants such as tan(log(asin(5))) make sympy's assumption system
        evaluate them again and again while differentiating (seconds, or it never ends).
        """
        x = self.constant(arg, node)
        try:
            if name in ("abs", "sign"):
                return sympy.Float(abs(x)) if name == "abs" else sympy.Integer(
                    (x > 0) - (x < 0))
            if name == "sigmoid":
                value = 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0
            else:
                value = _MATH[name](x)
        except ValueError:
            raise self.fail(f"{name}({_short(arg)}){{where}} is not a real number", node) from None
        except OverflowError:
            raise self.fail(f"{name}({_short(arg)}){{where}} is too large (above 1e308)",
                            node) from None
        if not math.isfinite(value):
            raise self.fail(f"{name}({_short(arg)}){{where}} is too large (above 1e308)", node)
        return sympy.Float(value)

    def call(self, node: ast.Call, depth: int) -> sympy.Expr:
        if not isinstance(node.func, ast.Name):
            if isinstance(node.func, ast.Attribute):
                raise self.attribute(node.func)
            raise self.fail("only the listed functions can be called{where}; "
                            "write a product with '*'", node)
        name = node.func.id
        if name not in FUNCTIONS:
            raise self.fail(f"unknown function {name!r}{{where}}; allowed: "
                            + ", ".join(FUNCTIONS), node)
        if node.keywords:
            raise self.fail(f"{name}() takes no keyword arguments{{where}}", node)
        if len(node.args) != 1:
            raise self.fail(f"{name}() takes exactly one argument{{where}}, got {len(node.args)}",
                            node)
        arg = self.build(node.args[0], depth + 1)
        if not arg.free_symbols:
            return self.fold(name, arg, node)
        return FUNCTIONS[name](arg)


_MATH: dict[str, Callable[[float], float]] = {
    "sin": math.sin, "cos": math.cos, "tan": math.tan, "asin": math.asin, "acos": math.acos,
    "atan": math.atan, "sinh": math.sinh, "cosh": math.cosh, "tanh": math.tanh,
    "exp": math.exp, "log": math.log, "ln": math.log, "sqrt": math.sqrt,
}


#: How much bigger f'(u) and f''(u) are than u, for the derivative-size estimate.
_GROWTH = {"sin": (1, 1), "cos": (1, 1), "exp": (1, 1), "log": (1, 2), "ln": (1, 2),
           "sinh": (1, 1), "cosh": (1, 1), "abs": (1, 1), "sign": (1, 1), "sqrt": (2, 3),
           "tan": (2, 4), "tanh": (2, 4), "atan": (2, 4), "asin": (2, 5), "acos": (2, 5),
           "sigmoid": (4, 9)}


def _derivative_sizes(node: ast.AST, variables: Sequence[str]) -> tuple[bool, float, float, float]:
    """(depends on a variable, estimated sizes of f, f' and f'') for a parsed tree.

    Sizes follow the sum, product, quotient, power and chain rules without any
    simplification, so they bound what sympy builds; sympy's time grows with them.
    Estimating first lets us refuse a formula before spending seconds differentiating it.
    """
    if isinstance(node, ast.Name):
        dep = node.id in variables
        return dep, 1.0, 1.0, 1.0
    if isinstance(node, ast.Constant):
        return False, 1.0, 1.0, 1.0
    if isinstance(node, ast.UnaryOp):
        dep, a0, a1, a2 = _derivative_sizes(node.operand, variables)
        return dep, a0 + 1, a1 + 1, a2 + 1
    if isinstance(node, ast.Call):
        if not node.args:
            return False, 1.0, 1.0, 1.0
        dep, a0, a1, a2 = _derivative_sizes(node.args[0], variables)
        if not dep:
            return False, a0 + 1, 1.0, 1.0
        k1, k2 = _GROWTH.get(getattr(node.func, "id", ""), (2, 4))
        return True, a0 + 1, k1 * (a0 + 1) + a1 + 1, (k2 + k1) * (a0 + 1) + 2 * a1 + a2 + 4
    if isinstance(node, ast.BinOp):
        ldep, a0, a1, a2 = _derivative_sizes(node.left, variables)
        rdep, b0, b1, b2 = _derivative_sizes(node.right, variables)
        dep, s0 = ldep or rdep, a0 + b0 + 1
        if not dep:
            return False, s0, 1.0, 1.0
        op = node.op
        if isinstance(op, (ast.Add, ast.Sub)):
            return True, s0, a1 + b1 + 1, a2 + b2 + 1
        if isinstance(op, ast.Div) and rdep:
            # u / v = u * v^-1 with (v^-1)' = -v'/v^2 and (v^-1)'' = 2v'^2/v^3 - v''/v^2
            b0, b1, b2 = b0 + 1, b1 + b0 + 3, b2 + 2 * b1 + 3 * b0 + 8
            op = ast.Mult()
        if isinstance(op, (ast.Mult, ast.Div)):
            if not (ldep and rdep):
                c0, (u1, u2) = (b0, (a1, a2)) if ldep else (a0, (b1, b2))
                return True, s0, c0 + u1 + 1, c0 + u2 + 1
            return True, s0, a1 + b0 + a0 + b1 + 3, a2 + b0 + 2 * (a1 + b1) + a0 + b2 + 5
        if isinstance(op, ast.Pow):
            if not rdep:
                return True, s0 + 1, 2 * a0 + a1 + 4, 3 * a0 + 2 * a1 + a2 + 8
            # u^v = exp(v log u): (u^v)' = u^v (v' log u + v u'/u)
            w1 = b1 + a0 + b0 + a1 + a0 + 5
            w2 = b2 + 2 * b1 + 2 * a1 + 3 * a0 + 2 * b0 + a2 + 10
            return True, s0, s0 + w1 + 1, s0 + w1 * 2 + s0 + w2 + 3
    return False, 1.0, 1.0, 1.0


def _log10(n: sympy.Expr) -> float:
    """log10 |n| for a sympy number of any size, without converting it to a float first."""
    if n.is_Integer:
        return math.log10(abs(int(n)))
    if n.is_Rational:
        return math.log10(abs(int(n.p))) - math.log10(abs(int(n.q)))
    return math.log10(abs(float(n))) if float(n) != 0 else 0.0


def _short(n: sympy.Expr) -> str:
    s = str(n)
    return s if len(s) <= 12 else f"{float(n):.3g}"


# ---------------------------------------------------------------- numeric stage


def _numeric_ready(expr: sympy.Expr) -> sympy.Expr:
    """The expression with what the numpy printer cannot print replaced by float values.

    zoo (1/0) becomes nan, constants beyond float64 become +-inf, DiracDelta (the
    derivative of sign/abs) becomes 0 away from the kink, which is all numpy can show.
    """
    expr = _without_delta(expr)
    subs: dict = {sympy.zoo: sympy.nan}
    for n in expr.atoms(sympy.Number):
        if n.is_finite and n != 0 and abs(_log10(n)) > MAX_POWER_LOG10:
            subs[n] = sympy.Float(0.0) if _log10(n) < 0 else (sympy.oo if n > 0 else -sympy.oo)
    return expr.xreplace(subs)


def _without_delta(expr: sympy.Expr) -> sympy.Expr:
    """DiracDelta (from differentiating sign or abs) is 0 wherever numbers can show it."""
    if expr.has(sympy.DiracDelta):
        return expr.replace(sympy.DiracDelta, lambda *args: sympy.S.Zero)
    return expr


_NAMESPACE: dict[str, object] = {}


def _lambdify(symbols: Sequence[sympy.Symbol], expr: sympy.Expr | list[sympy.Expr]) -> Callable:
    """numpy function of ``symbols`` computing ``expr`` (a list gives a list of results).

    The namespace is built once and the printer passed explicitly: letting lambdify import
    the numpy namespace itself costs ~40 ms per call, most of a formula's compile time.
    """
    if not _NAMESPACE:
        _NAMESPACE.update({k: getattr(np, k) for k in dir(np) if not k.startswith("_")})
        _NAMESPACE.update({"abs": np.abs, "sign": np.sign})
    ready = [_numeric_ready(e) for e in expr] if isinstance(expr, list) else _numeric_ready(expr)
    printer = NumPyPrinter({"fully_qualified_modules": False, "inline": True,
                            "allow_unknown_functions": True, "user_functions": {}})
    return sympy.lambdify(list(symbols), ready, modules=[_NAMESPACE], printer=printer)


def _call(fn: Callable, args: Sequence[object]) -> object:
    """fn(*args), with Python-number overflow (rare: huge integer constants) as nan."""
    try:
        return fn(*args)
    except (OverflowError, ZeroDivisionError):
        return math.nan


def _real_array(r: object, shape: tuple[int, ...]) -> np.ndarray:
    """float64 array of ``shape`` from a lambdified result (scalar, complex, or python int)."""
    try:
        a = np.asarray(r)
    except OverflowError:
        a = np.asarray(math.inf)
    if a.dtype.kind == "c":
        a = np.where(a.imag == 0, a.real, np.nan)
    elif a.dtype.kind not in "fiub":
        a = np.asarray(a.tolist(), dtype=object)
        a = np.vectorize(_real_scalar, otypes=[np.float64])(a) if a.shape else np.asarray(
            _real_scalar(a.item()))
    return np.broadcast_to(a.astype(np.float64, copy=False), shape)


def _real_scalar(r: object) -> float:
    """float of a lambdified scalar result; complex values with an imaginary part are nan."""
    if isinstance(r, (complex, np.complexfloating)):
        return float(r.real) if r.imag == 0 else math.nan
    try:
        return float(r)  # type: ignore[arg-type]
    except OverflowError:
        return math.inf if r > 0 else -math.inf  # type: ignore[operator]
    except (TypeError, ValueError):
        return math.nan


# ---------------------------------------------------------------- printing


class _Printer(StrPrinter):
    """sympy's str printer with floats as typed (0.3, not 0.300000000000000), e and pi."""

    def _print_Float(self, expr: sympy.Float) -> str:
        return f"{float(expr):.10g}"

    def _print_Exp1(self, expr: sympy.Expr) -> str:
        return "e"

    def _print_Abs(self, expr: sympy.Expr) -> str:
        return f"abs({self._print(expr.args[0])})"


def _unicode(expr: sympy.Expr) -> str:
    """One-line text with superscript powers, '·' for products and '−' for minus."""
    s = _Printer().doprint(expr)
    s = re.sub(r"\*\*\((-\d+)\)", lambda m: m.group(1).translate(_TO_SUPERSCRIPT), s)
    s = re.sub(r"\*\*(\d+)", lambda m: m.group(1).translate(_TO_SUPERSCRIPT), s)
    s = s.replace("**", "^").replace("*", "·").replace("-", "−").replace("pi", "π")
    return s


def _tidy(expr: sympy.Expr) -> sympy.Expr:
    """Common factors pulled out of sums inside products: (2·x1 − 2)·u -> 2·(x1 − 1)·u.

    Display only, the way the lecture writes derivatives; large expressions are left as
    they are (pulling factors costs time that grows with the size).
    """
    if sympy.count_ops(expr) > 400:
        return expr

    def walk(e: sympy.Expr) -> sympy.Expr:
        if e.is_Atom or not e.args:
            return e
        args = [walk(a) for a in e.args]
        if e.is_Mul or e.is_Pow:
            args = [sympy.factor_terms(a) if a.is_Add else a for a in args]
        return e.func(*args)

    return walk(expr)


def to_text(expr: sympy.Expr, kind: str = "unicode") -> str:
    """``expr`` as one line of text: ``kind`` is "unicode", "latex" or "plain" (Python syntax)."""
    if kind == "unicode":
        return _unicode(expr)
    if kind == "latex":
        return sympy.latex(expr)
    if kind == "plain":
        return _Printer().doprint(expr)
    raise ValueError(f"kind must be 'unicode', 'latex' or 'plain', got {kind!r}")


# ---------------------------------------------------------------- the formula


class Formula:
    """A checked formula: sympy expression, derivatives, and numpy callables for them.

    ``variables``: names in order (``("x",)`` or ``("x1", "x2")``); ``expr``: sympy value;
    ``gradient_exprs[i]`` = df/dx_i; ``hessian_exprs[i][j]`` = d2f/dx_i dx_j.
    """

    def __init__(self, text: str, variables: Sequence[str], expr: sympy.Expr) -> None:
        self.text = text
        self.variables = tuple(variables)
        self.symbols = tuple(sympy.Symbol(v, real=True) for v in self.variables)
        self.expr = expr
        n = len(self.symbols)
        grad = tuple(_without_delta(sympy.diff(expr, s)) for s in self.symbols)
        hess = [[sympy.S.Zero] * n for _ in range(n)]
        for i in range(n):
            for j in range(i, n):
                hess[i][j] = hess[j][i] = _without_delta(sympy.diff(grad[i], self.symbols[j]))
        self.gradient_exprs = grad
        self.hessian_exprs = tuple(tuple(row) for row in hess)
        for d in (*grad, *(h for row in hess for h in row)):
            if d.has(sympy.Derivative, sympy.Subs):
                raise FormulaError("this formula cannot be differentiated symbolically", None)
            if sympy.count_ops(d) > MAX_DERIVATIVE_OPS:
                raise FormulaError("the formula's derivatives are too large to work with; "
                                   "try a shorter formula", None)
        self._f = _lambdify(self.symbols, expr)
        self._g = _lambdify(self.symbols, list(grad))
        self._upper = [(i, j) for i in range(n) for j in range(i, n)]
        self._h = _lambdify(self.symbols, [hess[i][j] for i, j in self._upper])

    @property
    def dim(self) -> int:
        return len(self.variables)

    def __repr__(self) -> str:
        return f"Formula({self.text!r}, variables={self.variables})"

    # Scalar evaluation (the descent hot path): x is a float64 array of shape (dim,).
    def value_at(self, x: np.ndarray) -> float:
        """f(x) for one point ``x`` of shape (dim,); inf/nan where f is undefined."""
        with np.errstate(all="ignore"):
            return _real_scalar(_call(self._f, x))

    def gradient_at(self, x: np.ndarray) -> np.ndarray:
        """grad f(x), shape (dim,)."""
        with np.errstate(all="ignore"):
            r = _call(self._g, x)
        if not isinstance(r, (list, tuple)):
            r = [r] * self.dim
        return np.array([_real_scalar(v) for v in r], dtype=np.float64)

    def hessian_at(self, x: np.ndarray) -> np.ndarray:
        """Hessian of f at x, shape (dim, dim)."""
        with np.errstate(all="ignore"):
            r = _call(self._h, x)
        if not isinstance(r, (list, tuple)):
            r = [r] * len(self._upper)
        out = np.empty((self.dim, self.dim), dtype=np.float64)
        for (i, j), v in zip(self._upper, r):
            out[i, j] = out[j, i] = _real_scalar(v)
        return out

    # Broadcast evaluation (plots): each coordinate an array, all broadcast together.
    def evaluate(self, *coords: np.ndarray) -> np.ndarray:
        """f at broadcast coordinates, e.g. ``evaluate(xs[None, :], ys[:, None]) -> (ny, nx)``."""
        arrays, shape = self._arrays(coords)
        with np.errstate(all="ignore"):
            return _real_array(_call(self._f, arrays), shape)

    def evaluate_gradient(self, *coords: np.ndarray) -> np.ndarray:
        """grad f at broadcast coordinates: shape ``(dim, *broadcast_shape)``."""
        arrays, shape = self._arrays(coords)
        with np.errstate(all="ignore"):
            r = _call(self._g, arrays)
            if not isinstance(r, (list, tuple)):
                r = [r] * self.dim
            return np.stack([_real_array(v, shape) for v in r])

    def evaluate_hessian(self, *coords: np.ndarray) -> np.ndarray:
        """Hessian at broadcast coordinates: shape ``(dim, dim, *broadcast_shape)``."""
        arrays, shape = self._arrays(coords)
        out = np.empty((self.dim, self.dim, *shape), dtype=np.float64)
        with np.errstate(all="ignore"):
            r = _call(self._h, arrays)
            if not isinstance(r, (list, tuple)):
                r = [r] * len(self._upper)
            for (i, j), v in zip(self._upper, r):
                out[i, j] = out[j, i] = _real_array(v, shape)
        return out

    @staticmethod
    def _arrays(coords: Sequence[np.ndarray]) -> tuple[list[np.ndarray], tuple[int, ...]]:
        arrays = [np.asarray(c, dtype=np.float64) for c in coords]
        return arrays, np.broadcast_shapes(*(a.shape for a in arrays))

    def derivative_texts(self, kind: str = "unicode") -> list[tuple[str, str]]:
        """Labels and texts of the derivatives shown in the panel.

        1-D: ``[("f'(x)", ...), ("f''(x)", ...)]``;
        2-D: ``[("∂f/∂x1", ...), ("∂f/∂x2", ...)]`` (:meth:`hessian_texts` gives the second
        derivatives). ``kind``: "unicode" or "latex".
        """
        if self.dim == 1:
            v = self.variables[0]
            labels = (f"f'({v})", f"f''({v})")
            return [(labels[0], to_text(_tidy(self.gradient_exprs[0]), kind)),
                    (labels[1], to_text(_tidy(self.hessian_exprs[0][0]), kind))]
        return [(_partial_label(v, kind), to_text(_tidy(g), kind))
                for v, g in zip(self.variables, self.gradient_exprs)]

    def hessian_texts(self, kind: str = "unicode") -> list[tuple[str, str]]:
        """Second partial derivatives (upper triangle), e.g. ``("∂²f/∂x1∂x2", ...)``."""
        out = []
        for i in range(self.dim):
            for j in range(i, self.dim):
                out.append((_second_label(self.variables[i], self.variables[j], kind),
                            to_text(_tidy(self.hessian_exprs[i][j]), kind)))
        return out

    def display(self, kind: str = "unicode") -> str:
        """The formula itself as tidy text (sympy's normal form, not the user's spelling)."""
        return to_text(self.expr, kind)


def _latex_name(v: str) -> str:
    return re.sub(r"^([a-z]+)(\d+)$", r"\1_{\2}", v)


def _partial_label(v: str, kind: str) -> str:
    if kind == "latex":
        return rf"\frac{{\partial f}}{{\partial {_latex_name(v)}}}"
    return f"∂f/∂{v}"


def _second_label(a: str, b: str, kind: str) -> str:
    if kind == "latex":
        den = rf"\partial {_latex_name(a)}^{{2}}" if a == b else \
            rf"\partial {_latex_name(a)} \partial {_latex_name(b)}"
        return rf"\frac{{\partial^{{2}} f}}{{{den}}}"
    return f"∂²f/∂{a}²" if a == b else f"∂²f/∂{a}∂{b}"


def parse_expression(text: str, variables: Sequence[str]) -> sympy.Expr:
    """The sympy expression of ``text`` in ``variables``; FormulaError if it is refused."""
    if not isinstance(text, str):
        raise FormulaError(f"a formula must be text, got {type(text).__name__}", None)
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"the formula is too long ({len(text)} characters; "
                           f"at most {MAX_LENGTH})", MAX_LENGTH)
    if not text.strip():
        example = "x^2" if len(variables) == 1 else "x1^2 + x2^2"
        raise FormulaError(f"the formula is empty; type an expression in "
                           f"{', '.join(variables)}, e.g. {example}", 0)
    ascii_text, origin1 = _normalise(text)
    source, origin2 = _rewrite_tokens(ascii_text)
    origin = [origin1[i] for i in origin2]
    # The parser treats leading spaces as an indent; drop them and their columns together.
    lead = len(source) - len(source.lstrip())
    source, origin = source[lead:], origin[lead:]
    try:
        with warnings.catch_warnings():
            # e.g. "x is 1" warns before our checks refuse it; the refusal is the message
            warnings.simplefilter("ignore", SyntaxWarning)
            warnings.simplefilter("ignore", DeprecationWarning)
            tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        raise _syntax_error(err, source, origin, text) from None
    except (RecursionError, MemoryError):
        raise FormulaError(f"the formula is nested too deeply (at most {MAX_DEPTH} levels)",
                           None) from None
    # Estimated before sympy sees the tree: building a large expression already costs seconds.
    try:
        _, _, _, size2 = _derivative_sizes(tree.body, variables)
        builder = _Builder(variables, origin, source)
        if size2 > MAX_DERIVATIVE_ESTIMATE:
            raise FormulaError("the formula is too complex to differentiate quickly (its second "
                               f"derivative would have about {size2:.3g} terms; at most "
                               f"{MAX_DERIVATIVE_ESTIMATE:.0f}); try a shorter formula", None)
        expr = builder.build(tree.body)
    except RecursionError:
        raise FormulaError(f"the formula is nested too deeply (at most {MAX_DEPTH} levels)",
                           None) from None
    if expr.has(sympy.zoo, sympy.nan):
        raise FormulaError("the formula divides by zero (it is undefined everywhere)", None)
    return expr


def compile_formula(text: str, variables: Sequence[str]) -> Formula:
    """Check, parse and differentiate ``text``; FormulaError says what is wrong and where."""
    if not variables or len(set(variables)) != len(variables):
        raise ValueError(f"variables must be distinct names, got {tuple(variables)}")
    expr = parse_expression(text, variables)
    return Formula(text, variables, expr)


__all__ = ["CONSTANTS", "FUNCTIONS", "Formula", "FormulaError", "MAX_DEPTH", "MAX_LENGTH",
           "compile_formula", "parse_expression", "to_text"]
