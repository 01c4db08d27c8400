"""Formula parsing: checked text becomes a sympy expression, node by node from a whitelist.

The text is never evaluated. It is tokenised (``engine.formula_tokens``), parsed with
:mod:`ast` in ``eval`` mode, and the sympy expression is built from the tree by our own code,
which accepts only numbers, the allowed variables, ``+ - * / **``, unary signs, the functions
in :data:`FUNCTIONS` (one argument each) and the constants ``pi`` and ``e``; anything else is
refused with a message naming it and its column. Constant pieces such as ``sin(1)`` are
computed at once as floats; ``log(-1)`` is refused as not a real number. The size guards are
``engine.formula_limits``.
"""

from __future__ import annotations

import ast
import math
import warnings
from typing import Callable, Sequence

import sympy
import sympy.printing.latex

from engine.formula_limits import (MAX_DEPTH, MAX_DERIVATIVE_ESTIMATE, MAX_EXPONENT, MAX_LENGTH, MAX_POWER_LOG10,
                                   derivative_sizes, log10_size, short_number)
from engine.formula_tokens import FormulaError, normalise, rewrite_tokens, syntax_error


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
            if right.is_Number and right == 0 and left.free_symbols:
                raise self.fail("the formula divides by zero{where}", node, self.operator_col(node))
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
                raise self.fail(f"the exponent {short_number(exponent)}{{where}} is too large "
                                f"(at most {MAX_EXPONENT} in size)", node)
            if base.is_Number and base.is_finite and base != 0:
                size = abs(float(exponent)) * abs(log10_size(base))
                if size > MAX_POWER_LOG10:
                    raise self.fail(f"the power {short_number(base)}^{short_number(exponent)}{{where}} is too "
                                    f"large to compute (about 10^{size:.0f})", node)
        if not base.free_symbols and not exponent.free_symbols and not exponent.is_Integer:
            b, p = self.constant(base, node), self.constant(exponent, node)
            if b == 0 and p < 0:
                raise self.fail("the formula divides by zero{where} (0 to a negative power)", node)
            if b < 0 and p != int(p):
                raise self.fail(f"({short_number(base)})^({short_number(exponent)}){{where}} is not a real "
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
            raise self.fail(f"{short_number(expr)}{{where}} is not a real number", node) from None
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
            raise self.fail(f"{name}({short_number(arg)}){{where}} is not a real number", node) from None
        except OverflowError:
            raise self.fail(f"{name}({short_number(arg)}){{where}} is too large (above 1e308)",
                            node) from None
        if not math.isfinite(value):
            raise self.fail(f"{name}({short_number(arg)}){{where}} is too large (above 1e308)", node)
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
    ascii_text, origin1 = normalise(text)
    source, origin2 = rewrite_tokens(ascii_text)
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
        raise syntax_error(err, source, origin, text) from None
    except (RecursionError, MemoryError):
        raise FormulaError(f"the formula is nested too deeply (at most {MAX_DEPTH} levels)",
                           None) from None
    # Estimated before sympy sees the tree: building a large expression already costs seconds.
    try:
        _, _, _, size2 = derivative_sizes(tree.body, variables)
        builder = _Builder(variables, origin, source)
        if size2 > MAX_DERIVATIVE_ESTIMATE:
            raise FormulaError("the formula is too complex to differentiate quickly (its second "
                               f"derivative would have about {size2:.3g} terms; at most "
                               f"{MAX_DERIVATIVE_ESTIMATE:.0f}); try a shorter formula", None)
        expr = builder.build(tree.body)
    except RecursionError:
        raise FormulaError(f"the formula is nested too deeply (at most {MAX_DEPTH} levels)",
                           None) from None
    except FormulaError:
        raise
    except SYMPY_FAILURES as e:
        raise sympy_failure(e) from None
    if expr.has(sympy.zoo, sympy.nan):
        raise FormulaError("the formula divides by zero (it is undefined everywhere)", None)
    return expr


#: What sympy raises on formulas it cannot work with (e.g. comparing NaN while simplifying cosh(zoo)).
SYMPY_FAILURES: tuple[type[BaseException], ...] = (ArithmeticError, AttributeError, KeyError, NotImplementedError,
                                                   TypeError, ValueError)


def sympy_failure(e: BaseException) -> FormulaError:
    """The refusal for a formula that sympy fails on: the problem in words, not a traceback."""
    detail = " ".join(str(e).split())[:80]
    return FormulaError(f"this formula cannot be worked with symbolically ({type(e).__name__}: {detail}); "
                        "simplify it", None)


MAX_CONSTANT_LOG10 = 323.4


__all__ = ["CONSTANTS", "FUNCTIONS", "FormulaError", "SYMPY_FAILURES", "parse_expression", "sympy_failure"]
