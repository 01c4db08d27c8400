"""Formula objects: a checked formula with its derivatives, printed for people and compiled for numpy.

:func:`compile_formula` parses a user's text in ``x`` (1-D) or ``x1, x2`` (2-D) safely
(``engine.formula_parser``: a whitelist, never ``eval``) and returns a :class:`Formula`: the
sympy expression, its gradient and Hessian, printed as tidy text (unicode, LaTeX or Python
syntax), and lambdified with the numpy module (code generated from the checked sympy tree, not
from user text). Evaluation never raises: overflow, division by zero and complex results come
back as ``inf``/``nan``.
"""

from __future__ import annotations

import math
import re
from typing import Callable, Sequence

import numpy as np
import sympy
from sympy.printing.numpy import NumPyPrinter
from sympy.printing.str import StrPrinter

from engine.formula_limits import (MAX_DEPTH, MAX_DERIVATIVE_ESTIMATE, MAX_DERIVATIVE_OPS, MAX_EXPONENT, MAX_LENGTH,
                                   MAX_POWER_LOG10, log10_size)
from engine.formula_parser import CONSTANTS, FUNCTIONS, MAX_CONSTANT_LOG10, SYMPY_FAILURES, parse_expression, sympy_failure
from engine.formula_tokens import FormulaError

_TO_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


# ---------------------------------------------------------------- numeric stage


def numeric_ready(expr: sympy.Expr) -> sympy.Expr:
    """The expression with what the numpy printer cannot print replaced by float values.

    zoo (1/0) becomes nan, constants beyond float64 become +-inf (or 0 when tiny), integers
    beyond 2^53 become floats (numpy cannot take Python's big integers), DiracDelta (the
    derivative of sign/abs) becomes 0 away from the kink, which is all numpy can show.
    """
    expr = _without_delta(expr)
    subs: dict = {}
    for n in expr.atoms(sympy.Number):
        if not n.is_finite or n == 0:
            continue
        size = log10_size(n)
        if size > MAX_POWER_LOG10 + 0.26 or size < -MAX_CONSTANT_LOG10:
            subs[n] = sympy.Float(0.0) if size < 0 else (sympy.oo if n > 0 else -sympy.oo)
        elif not n.is_Float and (abs(n.p) > 2 ** 53 or abs(n.q) > 2 ** 53):
            subs[n] = sympy.Float(float(n))
    expr = expr.xreplace(subs) if subs else expr
    # Replacing numbers can make 1/0 (zoo) or cos(oo) (bounds); numbers show both as nan.
    expr = expr.xreplace({sympy.zoo: sympy.nan})
    return expr.replace(lambda e: isinstance(e, sympy.AccumBounds), lambda e: sympy.nan)


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
    ready = [numeric_ready(e) for e in expr] if isinstance(expr, list) else numeric_ready(expr)
    printer = NumPyPrinter({"fully_qualified_modules": False, "inline": True,
                            "allow_unknown_functions": True, "user_functions": {}})
    return sympy.lambdify(list(symbols), ready, modules=[_NAMESPACE], printer=printer)


def _call(fn: Callable, args: Sequence[object]) -> object:
    """fn(*args), with what numbers cannot show (Python-number overflow, an object numpy cannot take) as nan."""
    try:
        return fn(*args)
    except (OverflowError, ZeroDivisionError, TypeError, ValueError):
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
        value = float(expr)
        if not math.isfinite(value) or (value == 0 and expr != 0):  # beyond float64: sympy's own digits
            return super()._print_Float(sympy.Float(expr, 4))
        return f"{value:.10g}"

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


def _printable(expr: sympy.Expr) -> sympy.Expr:
    """Exact numbers of more than 30 digits as 15-digit floats: Python refuses to print integers
    over 4,300 digits (e.g. the 10^5000 of (x/10^5)^1000), and nobody reads 30 digits."""
    subs = {n: sympy.Float(n, 15) for n in expr.atoms(sympy.Rational)
            if abs(n.p).bit_length() > 100 or abs(n.q).bit_length() > 100}
    return expr.xreplace(subs) if subs else expr


def to_text(expr: sympy.Expr, kind: str = "unicode") -> str:
    """``expr`` as one line of text: ``kind`` is "unicode", "latex" or "plain" (Python syntax)."""
    expr = _printable(expr)
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


def compile_formula(text: str, variables: Sequence[str]) -> Formula:
    """Check, parse and differentiate ``text``; FormulaError says what is wrong and where.

    No time limit: typed formulas go through ``engine.formula_budget.check_within`` first.
    """
    if not variables or len(set(variables)) != len(variables):
        raise ValueError(f"variables must be distinct names, got {tuple(variables)}")
    try:
        expr = parse_expression(text, variables)
        return Formula(text, variables, expr)
    except FormulaError:
        raise
    except RecursionError:
        raise FormulaError(f"the formula is nested too deeply (at most {MAX_DEPTH} levels)", None) from None
    except SYMPY_FAILURES as e:
        raise sympy_failure(e) from None


def trial_compile(text: str, variables: Sequence[str]) -> None:
    """Compile, print and evaluate ``text`` once: what a budgeted compile must finish in time."""
    formula = compile_formula(text, variables)
    try:
        for kind in ("unicode", "latex"):
            formula.display(kind)
            formula.derivative_texts(kind)
            formula.hessian_texts(kind)
    except SYMPY_FAILURES as e:
        raise sympy_failure(e) from None
    grid = np.linspace(-10.0, 10.0, 201)
    coords = (grid,) if formula.dim == 1 else (grid[None, :], grid[:, None])
    formula.evaluate(*coords)
    formula.evaluate_gradient(*coords)
    formula.evaluate_hessian(*coords)


__all__ = ["CONSTANTS", "FUNCTIONS", "Formula", "FormulaError", "MAX_DEPTH", "MAX_DERIVATIVE_ESTIMATE",
           "MAX_DERIVATIVE_OPS", "MAX_EXPONENT", "MAX_LENGTH", "MAX_POWER_LOG10", "compile_formula", "trial_compile",
           "parse_expression", "to_text"]
