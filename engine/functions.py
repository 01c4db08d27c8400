"""Objectives for the 1-D and 2-D descent workspaces: value, gradient and Hessian together.

An :class:`Objective` wraps a checked :class:`~engine.expressions.Formula` and adds what
the workspaces need: derivatives either exact (sympy, lambdified) or by central finite
differences with step ``h`` (to show the lecture's point that numerical second derivatives
can be unstable), vectorised evaluation for plots, and what is known about the function
(minima, maxima, saddle points, a plot window, a start point).

Evaluation never raises: it runs under ``np.errstate(all="ignore")`` and a point where the
function is undefined or overflows gives ``inf``/``nan``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

import numpy as np

from engine.arrays import readonly
from engine.expressions import Formula, compile_formula
from engine.formula_budget import COMPILE_BUDGET, check_within

DERIVATIVE_MODES = ("exact", "finite")
VARIABLES = {1: ("x",), 2: ("x1", "x2")}

Point = tuple[float, ...]
Extremum = tuple[np.ndarray, float]


@dataclass(frozen=True)
class Preset:
    """A named function for class: formula text, what is known about it, where to look.

    ``minima``/``maxima``/``saddles``: tuples of ``(point, value)``; ``plot_range`` is
    ``(xmin, xmax)`` in 1-D and ``((x1min, x1max), (x2min, x2max))`` in 2-D.
    """

    name: str
    title: str
    expression: str
    dim: int
    minima: tuple[tuple[Point, float], ...]
    default_start: Point
    plot_range: tuple
    maxima: tuple[tuple[Point, float], ...] = ()
    saddles: tuple[tuple[Point, float], ...] = ()


# Extremum positions were computed with numpy's polynomial roots / Newton's method to full
# double precision; tests/engine/test_functions.py re-derives each one.
PRESETS: dict[str, Preset] = {p.name: p for p in (
    Preset("lecture_quartic", "Lecture quartic", "3x^4 + 5x^3 - 20x^2 + 8x + 10", 1,
           minima=(((-2.619605127614655,), -96.81168793630879),
                   ((1.147904355667118,), 5.601301628104336)),
           maxima=(((0.22170077194753665,), 10.852313391537786),),
           default_start=(-1.0,), plot_range=(-3.5, 2.2)),
    Preset("quadratic", "Quadratic", "x^2", 1,
           minima=(((0.0,), 0.0),), default_start=(2.0,), plot_range=(-3.0, 3.0)),
    Preset("double_well", "Double well (tilted)", "x^4 - 2x^2 + 0.3x", 1,
           minima=(((-1.0355787140888537,), -1.305428483743916),
                   ((0.9601495555191055,), -0.7058535189717371)),
           maxima=(((0.07542915856974822,), 0.011282002715653128),),
           default_start=(0.5,), plot_range=(-1.8, 1.8)),
    Preset("wavy", "Wavy bowl", "x^2/10 + sin(3x)", 1,
           minima=tuple(((x,), v) for x, v in (
               (-14.724724251586634, 21.491050015257134), (-12.751254689734758, 15.732801921073008),
               (-10.729877835960922, 10.814236113207263), (-8.695070736178392, 6.745575163465052),
               (-6.653590389836328, 3.530788109415738), (-4.608298882423006, 1.1720033155244853),
               (-2.560806938073543, -0.3295462859357772), (-0.512214028356113, -0.9731804794973067),
               (1.53658988014775, -0.7586284086132371), (3.58475181730372, 0.31402091965919043),
               (5.631303162965095, 2.244302814942756), (7.674941969136582, 5.0312870746051805),
               (9.713578846121253, 8.673357066368249), (11.743017886493417, 13.167658901946176),
               (13.750581767550193, 18.50828623785869))),
           maxima=tuple(((x,), v) for x, v in (
               (-14.581877146215403, 21.4975767009029), (-12.365811547906887, 15.857355454774506),
               (-10.197556910284423, 11.132379823733043), (-8.042614400459513, 7.312471935433194),
               (-5.894197755314418, 4.393718045227202), (-3.749404513967118, 2.374059506874959),
               (-1.606566414862272, 1.2523533412882748), (0.535501334461219, 1.0280387165728422),
               (2.677821729736619, 1.701008942091854), (4.821469176745737, 3.2715894107488275),
               (6.967815302039923, 5.74060710206437), (9.118997479706541, 9.109599706494723),
               (11.279245864935868, 13.381359186042689), (13.461262953180979, 18.561742278055036))),
           default_start=(2.5,), plot_range=(-5.0, 5.0)),
    Preset("lecture_2d", "Lecture 2-D function", "x1^4*x2^2 + (x1-1)^2*(x2-1)^4", 2,
           minima=(((0.0, 1.0), 0.0), ((1.0, 0.0), 0.0)),
           default_start=(0.5, 2.0), plot_range=((-1.0, 2.0), (-1.0, 2.5))),
    Preset("quadratic_bowl", "Quadratic bowl", "x1^2 + x2^2", 2,
           minima=(((0.0, 0.0), 0.0),), default_start=(2.0, 1.5),
           plot_range=((-3.0, 3.0), (-3.0, 3.0))),
    Preset("ill_conditioned_bowl", "Ill-conditioned bowl (1:25)", "x1^2 + 25*x2^2", 2,
           minima=(((0.0, 0.0), 0.0),), default_start=(-2.5, 0.8),
           plot_range=((-3.0, 3.0), (-1.5, 1.5))),
    Preset("rosenbrock", "Rosenbrock valley", "(1 - x1)^2 + 100*(x2 - x1^2)^2", 2,
           minima=(((1.0, 1.0), 0.0),), default_start=(-1.2, 1.0),
           plot_range=((-2.0, 2.0), (-1.0, 3.0))),
    Preset("himmelblau", "Himmelblau (four minima)", "(x1^2 + x2 - 11)^2 + (x1 + x2^2 - 7)^2", 2,
           minima=(((3.0, 2.0), 0.0),
                   ((-2.805118086952745, 3.131312518250573), 0.0),
                   ((-3.779310253377747, -3.283185991286169), 0.0),
                   ((3.5844283403304917, -1.8481265269644034), 0.0)),
           maxima=(((-0.2708445906673476, -0.9230385564799816), 181.6165215225827),),
           saddles=(((0.08667750455539634, 2.884254701174776), 67.71915008752613),
                    ((-3.0730257507643897, -0.08135304428796751), 104.01516291755811),
                    ((3.385154183607021, 0.07385187983774928), 13.311926270405587),
                    ((-0.12796134673068005, -1.9537149802445766), 178.33723920192745)),
           default_start=(0.0, 0.0), plot_range=((-5.0, 5.0), (-5.0, 5.0))),
    Preset("saddle", "Saddle", "x1^2 - x2^2", 2,
           minima=(), saddles=(((0.0, 0.0), 0.0),), default_start=(2.0, 0.1),
           plot_range=((-3.0, 3.0), (-3.0, 3.0))),
    Preset("beale", "Beale",
           "(1.5 - x1 + x1*x2)^2 + (2.25 - x1 + x1*x2^2)^2 + (2.625 - x1 + x1*x2^3)^2", 2,
           minima=(((3.0, 0.5), 0.0),), default_start=(1.0, 1.0),
           plot_range=((-4.5, 4.5), (-4.5, 4.5))),
)}

DEFAULT_PRESET = {1: "lecture_quartic", 2: "lecture_2d"}


@lru_cache(maxsize=64)
def _compiled(text: str, variables: tuple[str, ...]) -> Formula:
    # Formulas are immutable; caching saves sympy's differentiation on every preset switch.
    return compile_formula(text, variables)


@lru_cache(maxsize=64)
def _compiled_within(text: str, variables: tuple[str, ...]) -> Formula:
    # A typed formula is tried under the time budget once; refusals are not cached (they raise).
    if not _is_preset_text(text, variables):
        check_within(text, variables, COMPILE_BUDGET)
    return _compiled(text, variables)


def _is_preset_text(text: str, variables: tuple[str, ...]) -> bool:
    """A preset's own formula, trusted to compile quickly (and usually cached already)."""
    return any(p.expression == text and VARIABLES[p.dim] == variables for p in PRESETS.values())


class Objective:
    """A function of ``dim`` variables with value, gradient and Hessian defined together.

    ``x`` arguments are float64 arrays of shape ``(dim,)``. ``derivatives`` is "exact"
    (symbolic) or "finite" (central differences with step ``h``):
    f'(x) ~ (f(x+h) - f(x-h)) / 2h, f''(x) ~ (f(x+h) - 2f(x) + f(x-h)) / h^2, and mixed
    partials by the four-point formula.
    """

    def __init__(self, formula: Formula, name: str = "custom", title: str | None = None, *,
                 minima: Sequence[tuple[Point, float]] = (),
                 maxima: Sequence[tuple[Point, float]] = (),
                 saddles: Sequence[tuple[Point, float]] = (),
                 default_start: Point | None = None, plot_range: tuple | None = None,
                 derivatives: str = "exact", h: float = 1e-4) -> None:
        if formula.dim not in (1, 2):
            raise ValueError(f"an objective has 1 or 2 variables, got {formula.dim}")
        if derivatives not in DERIVATIVE_MODES:
            raise ValueError(f"derivatives must be 'exact' or 'finite', got {derivatives!r}")
        if not (np.isfinite(h) and h > 0):
            raise ValueError(f"finite-difference step h must be > 0, got {h}")
        self.formula = formula
        self.name = name
        self.title = title or f"f({', '.join(formula.variables)}) = {formula.display()}"
        self.derivatives = derivatives
        self.h = float(h)
        self.minima: tuple[Extremum, ...] = tuple((readonly(p), float(v)) for p, v in minima)
        self.maxima: tuple[Extremum, ...] = tuple((readonly(p), float(v)) for p, v in maxima)
        self.saddles: tuple[Extremum, ...] = tuple((readonly(p), float(v)) for p, v in saddles)
        dim = formula.dim
        if plot_range is None:
            plot_range = (-5.0, 5.0) if dim == 1 else ((-3.0, 3.0), (-3.0, 3.0))
        self.plot_range = plot_range
        self.default_start = readonly(default_start if default_start is not None else [1.0] * dim)
        self._exact = derivatives == "exact"

    # ------------------------------------------------------------ description
    @property
    def dim(self) -> int:
        return self.formula.dim

    @property
    def variables(self) -> tuple[str, ...]:
        return self.formula.variables

    @property
    def expression(self) -> str:
        """The formula text as typed (or as the preset defines it)."""
        return self.formula.text

    @property
    def global_minimum(self) -> Extremum | None:
        """The lowest known minimum, or None when none is known."""
        return min(self.minima, key=lambda m: m[1]) if self.minima else None

    def derivative_texts(self, kind: str = "unicode") -> list[tuple[str, str]]:
        """Symbolic derivatives as (label, text): see :meth:`Formula.derivative_texts`."""
        return self.formula.derivative_texts(kind)

    def with_derivatives(self, mode: str, h: float | None = None) -> "Objective":
        """The same function with derivatives ``mode`` ("exact" or "finite") and step ``h``."""
        return Objective(self.formula, self.name, self.title, minima=self._raw(self.minima),
                         maxima=self._raw(self.maxima), saddles=self._raw(self.saddles),
                         default_start=tuple(self.default_start), plot_range=self.plot_range,
                         derivatives=mode, h=self.h if h is None else h)

    @staticmethod
    def _raw(extrema: tuple[Extremum, ...]) -> tuple[tuple[Point, float], ...]:
        return tuple((tuple(p), v) for p, v in extrema)

    def __repr__(self) -> str:
        return (f"Objective({self.name!r}, {self.expression!r}, derivatives={self.derivatives!r}"
                + (f", h={self.h:g})" if not self._exact else ")"))

    # ------------------------------------------------------------ one point (hot path)
    def value(self, x: np.ndarray) -> float:
        """f(x) for ``x`` of shape (dim,)."""
        return self.formula.value_at(x)

    def gradient(self, x: np.ndarray) -> np.ndarray:
        """grad f(x), shape (dim,)."""
        if self._exact:
            return self.formula.gradient_at(x)
        return self.gradients(np.asarray(x, dtype=np.float64).reshape(1, -1))[0]

    def hessian(self, x: np.ndarray) -> np.ndarray:
        """Hessian of f at x, shape (dim, dim)."""
        if self._exact:
            return self.formula.hessian_at(x)
        return self.hessians(np.asarray(x, dtype=np.float64).reshape(1, -1))[0]

    # ------------------------------------------------------------ many points (plots)
    def values(self, points: np.ndarray) -> np.ndarray:
        """f at each row of ``points`` (n, dim) -> (n,)."""
        p = self._points(points)
        return self.formula.evaluate(*p.T)

    def gradients(self, points: np.ndarray) -> np.ndarray:
        """grad f at each row of ``points`` (n, dim) -> (n, dim)."""
        p = self._points(points)
        if self._exact:
            return np.ascontiguousarray(self.formula.evaluate_gradient(*p.T).T)
        h = self.h
        out = np.empty(p.shape, dtype=np.float64)
        with np.errstate(all="ignore"):
            for i in range(self.dim):
                e = np.zeros(self.dim)
                e[i] = h
                out[:, i] = (self.values(p + e) - self.values(p - e)) / (2 * h)
        return out

    def hessians(self, points: np.ndarray) -> np.ndarray:
        """Hessian at each row of ``points`` (n, dim) -> (n, dim, dim)."""
        p = self._points(points)
        if self._exact:
            return np.ascontiguousarray(np.moveaxis(self.formula.evaluate_hessian(*p.T), -1, 0))
        h, n = self.h, self.dim
        out = np.empty((p.shape[0], n, n), dtype=np.float64)
        with np.errstate(all="ignore"):
            f0 = self.values(p)
            for i in range(n):
                ei = np.zeros(n)
                ei[i] = h
                out[:, i, i] = (self.values(p + ei) - 2 * f0 + self.values(p - ei)) / (h * h)
                for j in range(i + 1, n):
                    ej = np.zeros(n)
                    ej[j] = h
                    mixed = (self.values(p + ei + ej) - self.values(p + ei - ej)
                             - self.values(p - ei + ej) + self.values(p - ei - ej)) / (4 * h * h)
                    out[:, i, j] = out[:, j, i] = mixed
        return out

    def curve(self, xs: np.ndarray, order: int = 0) -> np.ndarray:
        """1-D only: f (order 0), f' (1) or f'' (2) at ``xs`` (n,) -> (n,), for the plots."""
        if self.dim != 1:
            raise ValueError(f"curve() is for 1-D objectives; this one has {self.dim} variables")
        pts = np.asarray(xs, dtype=np.float64).reshape(-1, 1)
        if order == 0:
            return self.values(pts)
        if order == 1:
            return self.gradients(pts)[:, 0]
        if order == 2:
            return self.hessians(pts)[:, 0, 0]
        raise ValueError(f"order must be 0, 1 or 2, got {order}")

    def grid(self, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
        """2-D only: f on the grid ``xs`` (nx,) by ``ys`` (ny,) -> (ny, nx), by broadcasting."""
        if self.dim != 2:
            raise ValueError(f"grid() is for 2-D objectives; this one has {self.dim} variable")
        xs = np.asarray(xs, dtype=np.float64)
        ys = np.asarray(ys, dtype=np.float64)
        return self.formula.evaluate(xs[None, :], ys[:, None])

    def _points(self, points: np.ndarray) -> np.ndarray:
        p = np.asarray(points, dtype=np.float64)
        if p.ndim == 1 and self.dim == 1:
            p = p.reshape(-1, 1)
        if p.ndim != 2 or p.shape[1] != self.dim:
            raise ValueError(f"points must have shape (n, {self.dim}), got {p.shape}")
        return p


def preset(name: str, derivatives: str = "exact", h: float = 1e-4) -> Objective:
    """The preset objective ``name`` (a key of PRESETS)."""
    try:
        p = PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}") from None
    return Objective(_compiled(p.expression, VARIABLES[p.dim]), p.name, p.title,
                     minima=p.minima, maxima=p.maxima, saddles=p.saddles,
                     default_start=p.default_start, plot_range=p.plot_range,
                     derivatives=derivatives, h=h)


def from_expression(text: str, dim: int, derivatives: str = "exact", h: float = 1e-4, *,
                    name: str = "custom", title: str | None = None) -> Objective:
    """An objective from a typed formula in ``x`` (dim 1) or ``x1, x2`` (dim 2).

    Raises FormulaError (a ValueError with ``position``) when the text is refused.
    """
    if dim not in VARIABLES:
        raise ValueError(f"dim must be 1 or 2, got {dim}")
    formula = _compiled_within(text, VARIABLES[dim])
    plot_range = _stationary_range(formula) if dim == 1 else None
    return Objective(formula, name, title, derivatives=derivatives, h=h, plot_range=plot_range)


def _stationary_range(formula: Formula, search: float = 10.0, n: int = 2001) -> tuple[float, float] | None:
    """A 1-D plot window around the stationary points of a typed formula (where f' changes sign
    on [-search, search]), so that its minima and maxima are in view; None when it has none."""
    xs = np.linspace(-search, search, n)
    with np.errstate(all="ignore"):
        slope = np.broadcast_to(np.asarray(formula.evaluate_gradient(xs), dtype=np.float64)[0], xs.shape)
    sign = np.sign(slope)
    ok = np.isfinite(slope[:-1]) & np.isfinite(slope[1:])
    crossings = xs[:-1][ok & (sign[:-1] * sign[1:] < 0) | ok & (sign[:-1] == 0)]
    if crossings.size == 0:
        return None
    lo, hi = float(crossings.min()), float(crossings.max())
    pad = max(2.0, 0.35 * (hi - lo))
    return max(lo - pad, -search), min(hi + pad, search)


def presets_for(dim: int) -> list[Preset]:
    """Presets of one dimension, in menu order."""
    return [p for p in PRESETS.values() if p.dim == dim]


__all__ = ["DEFAULT_PRESET", "DERIVATIVE_MODES", "Objective", "PRESETS", "Preset", "VARIABLES",
           "from_expression", "preset", "presets_for"]
