"""The size guards of formula parsing: limits that keep parsing and differentiation under a second.

500 characters, nesting depth 50, constant exponents up to 1000, constant powers up to 1e308,
and an estimate of the second derivative's size made from the parsed tree before sympy sees it
(:func:`derivative_sizes`: sympy's time grows with the expressions it builds, so a formula whose
derivatives would be huge is refused at once rather than after seconds of work).
"""

from __future__ import annotations

import ast
import math
from typing import Sequence

import sympy

MAX_LENGTH = 500
MAX_DEPTH = 50
#: Refuse formulas whose second derivative is estimated (see derivative_sizes) above this:
#: measured, 2000 keeps parsing plus differentiation under ~0.25 s; lecture-style formulas
#: are far below it (the lecture's 2-D function: 191, Beale: 316).
MAX_DERIVATIVE_ESTIMATE = 2000
MAX_EXPONENT = 1000
#: log10 of the largest constant power we let sympy compute exactly (float64 max ~1.8e308).
MAX_POWER_LOG10 = 308.0
#: A last guard after differentiating: larger derivative expressions (sympy operation count)
#: would be slow to print and evaluate on every step.
MAX_DERIVATIVE_OPS = 4000


#: How much bigger f'(u) and f''(u) are than u, for the derivative-size estimate.
_GROWTH = {"sin": (1, 1), "cos": (1, 1), "exp": (1, 1), "log": (1, 2), "ln": (1, 2),
           "sinh": (1, 1), "cosh": (1, 1), "abs": (1, 1), "sign": (1, 1), "sqrt": (2, 3),
           "tan": (2, 4), "tanh": (2, 4), "atan": (2, 4), "asin": (2, 5), "acos": (2, 5),
           "sigmoid": (4, 9)}


def derivative_sizes(node: ast.AST, variables: Sequence[str]) -> tuple[bool, float, float, float]:
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
        dep, a0, a1, a2 = derivative_sizes(node.operand, variables)
        return dep, a0 + 1, a1 + 1, a2 + 1
    if isinstance(node, ast.Call):
        if not node.args:
            return False, 1.0, 1.0, 1.0
        dep, a0, a1, a2 = derivative_sizes(node.args[0], variables)
        if not dep:
            return False, a0 + 1, 1.0, 1.0
        k1, k2 = _GROWTH.get(getattr(node.func, "id", ""), (2, 4))
        return True, a0 + 1, k1 * (a0 + 1) + a1 + 1, (k2 + k1) * (a0 + 1) + 2 * a1 + a2 + 4
    if isinstance(node, ast.BinOp):
        ldep, a0, a1, a2 = derivative_sizes(node.left, variables)
        rdep, b0, b1, b2 = derivative_sizes(node.right, variables)
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


def log10_size(n: sympy.Expr) -> float:
    """log10 |n| for a sympy number of any size, without converting it to a float first."""
    if n.is_Integer:
        return math.log10(abs(int(n)))
    if n.is_Rational:
        return math.log10(abs(int(n.p))) - math.log10(abs(int(n.q)))
    return math.log10(abs(float(n))) if float(n) != 0 else 0.0


def short_number(n: sympy.Expr) -> str:
    """A sympy number as a message shows it: as written when short, else in 3 significant figures."""
    s = str(n)
    return s if len(s) <= 12 else f"{float(n):.3g}"


__all__ = ["MAX_DEPTH", "MAX_DERIVATIVE_ESTIMATE", "MAX_DERIVATIVE_OPS", "MAX_EXPONENT", "MAX_LENGTH",
           "MAX_POWER_LOG10", "derivative_sizes", "log10_size", "short_number"]
