"""Objectives: presets, exact derivatives against central differences, finite mode, plots."""

import math

import numpy as np
import pytest

from engine.expressions import FormulaError
from engine.functions import PRESETS, from_expression, preset, presets_for

ALL = sorted(PRESETS)


def sample_points(name: str, n: int = 4) -> np.ndarray:
    """A few reproducible points inside the preset's plot window."""
    p = PRESETS[name]
    rng = np.random.default_rng(7)
    if p.dim == 1:
        lo, hi = p.plot_range
        return rng.uniform(lo, hi, size=(n, 1))
    (a, b), (c, d) = p.plot_range
    return np.column_stack([rng.uniform(a, b, n), rng.uniform(c, d, n)])


def central_gradient(f, x: np.ndarray, h: float) -> np.ndarray:
    out = np.empty(x.size)
    for i in range(x.size):
        e = np.zeros(x.size)
        e[i] = h
        out[i] = (f(x + e) - f(x - e)) / (2 * h)
    return out


def rel_err(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(a - b)) / max(1.0, float(np.max(np.abs(b)))))


@pytest.mark.parametrize("name", ALL)
def test_exact_gradient_matches_central_differences(name):
    obj = preset(name)
    for x in sample_points(name):
        # Richardson-extrapolated central difference: error O(h^4), well below 1e-6.
        g1 = central_gradient(obj.value, x, 1e-3)
        g2 = central_gradient(obj.value, x, 5e-4)
        numeric = (4 * g2 - g1) / 3
        assert rel_err(obj.gradient(x), numeric) < 1e-6, x


@pytest.mark.parametrize("name", ALL)
def test_exact_hessian_matches_central_differences_of_the_gradient(name):
    obj = preset(name)
    for x in sample_points(name):
        cols = []
        for i in range(obj.dim):
            e = np.zeros(obj.dim)
            e[i] = 1e-5
            cols.append((obj.gradient(x + e) - obj.gradient(x - e)) / 2e-5)
        numeric = np.column_stack(cols)
        hess = obj.hessian(x)
        assert np.array_equal(hess, hess.T)
        assert rel_err(hess, numeric) < 1e-6, x


@pytest.mark.parametrize("name", ALL)
def test_finite_mode_agrees_with_exact_loosely(name):
    exact = preset(name)
    finite = preset(name, derivatives="finite", h=1e-4)
    for x in sample_points(name):
        assert rel_err(finite.gradient(x), exact.gradient(x)) < 1e-5
        assert rel_err(finite.hessian(x), exact.hessian(x)) < 1e-3
    assert finite.derivatives == "finite" and finite.h == 1e-4


def test_finite_second_derivative_is_unstable_for_tiny_h():
    # The lecture's warning: with h too small, rounding swamps f''.
    obj = preset("lecture_quartic")
    x = np.array([0.7])
    exact = obj.hessian(x)[0, 0]
    good = obj.with_derivatives("finite", 1e-4).hessian(x)[0, 0]
    bad = obj.with_derivatives("finite", 1e-9).hessian(x)[0, 0]
    assert abs(good - exact) < 1e-3
    assert abs(bad - exact) > 1.0


@pytest.mark.parametrize("name", ALL)
def test_known_extrema_are_stationary_with_the_right_curvature(name):
    obj = preset(name)
    for point, value in obj.minima:
        assert obj.value(point) == pytest.approx(value, abs=1e-12)
        assert np.max(np.abs(obj.gradient(point))) < 1e-9
        assert np.linalg.eigvalsh(obj.hessian(point))[0] >= 0
    for point, value in obj.maxima:
        assert obj.value(point) == pytest.approx(value, abs=1e-9)
        assert np.max(np.abs(obj.gradient(point))) < 1e-9
        assert np.linalg.eigvalsh(obj.hessian(point))[-1] < 0
    for point, value in obj.saddles:
        eig = np.linalg.eigvalsh(obj.hessian(point))
        assert np.max(np.abs(obj.gradient(point))) < 1e-9
        assert eig[0] < 0 < eig[-1]
        assert obj.value(point) == pytest.approx(value, abs=1e-9)


def test_lecture_quartic_extrema_rederived_with_numpy_roots():
    # f'(x) = 12x^3 + 15x^2 - 40x + 8
    roots = np.sort(np.roots([12.0, 15.0, -40.0, 8.0]).real)
    obj = preset("lecture_quartic")
    (xmin_global, fmin_global), (xmin_local, fmin_local) = obj.minima
    (xmax, _), = obj.maxima
    assert xmin_global[0] == pytest.approx(roots[0], abs=1e-12)
    assert xmax[0] == pytest.approx(roots[1], abs=1e-12)
    assert xmin_local[0] == pytest.approx(roots[2], abs=1e-12)
    f = np.poly1d([3.0, 5.0, -20.0, 8.0, 10.0])
    assert fmin_global == pytest.approx(f(roots[0]), abs=1e-10)
    assert fmin_local == pytest.approx(f(roots[2]), abs=1e-10)
    # the lecture's rounded figures
    assert round(xmin_global[0], 4) == -2.6196 and round(fmin_global, 2) == -96.81
    assert round(xmin_local[0], 4) == 1.1479 and round(fmin_local, 3) == 5.601
    assert round(xmax[0], 4) == 0.2217
    assert obj.global_minimum[1] == fmin_global


def test_lecture_2d_has_both_minima_and_the_lecture_formula():
    obj = preset("lecture_2d")
    points = sorted(tuple(p) for p, _ in obj.minima)
    assert points == [(0.0, 1.0), (1.0, 0.0)]
    assert obj.value(np.array([2.0, 3.0])) == 16 * 9 + 1 * 16
    assert obj.variables == ("x1", "x2")


def test_preset_metadata_is_complete():
    for p in PRESETS.values():
        obj = preset(p.name)
        assert obj.name == p.name and obj.title == p.title and obj.expression == p.expression
        assert obj.dim == p.dim and obj.default_start.shape == (p.dim,)
        assert not obj.default_start.flags.writeable
        if p.dim == 1:
            lo, hi = obj.plot_range
            assert lo < obj.default_start[0] < hi
        else:
            for (lo, hi), x in zip(obj.plot_range, obj.default_start):
                assert lo < x < hi
    assert {p.name for p in presets_for(1)} >= {"lecture_quartic", "quadratic", "double_well",
                                                 "wavy"}
    assert {p.name for p in presets_for(2)} >= {"lecture_2d", "quadratic_bowl",
                                                 "ill_conditioned_bowl", "rosenbrock",
                                                 "himmelblau", "saddle", "beale"}


def test_grid_broadcasts_and_matches_values():
    obj = preset("rosenbrock")
    xs, ys = np.linspace(-2, 2, 7), np.linspace(-1, 3, 5)
    grid = obj.grid(xs, ys)
    assert grid.shape == (5, 7)
    X, Y = np.meshgrid(xs, ys)
    assert np.allclose(grid, obj.values(np.column_stack([X.ravel(), Y.ravel()])).reshape(5, 7))
    assert grid[2, 3] == pytest.approx((1 - xs[3]) ** 2 + 100 * (ys[2] - xs[3] ** 2) ** 2)


def test_vectorised_derivatives_match_pointwise():
    for name in ("lecture_quartic", "himmelblau"):
        for mode in ("exact", "finite"):
            obj = preset(name, derivatives=mode)
            pts = sample_points(name, 5)
            assert np.allclose(obj.gradients(pts), [obj.gradient(p) for p in pts])
            assert np.allclose(obj.hessians(pts), [obj.hessian(p) for p in pts])
            assert np.allclose(obj.values(pts), [obj.value(p) for p in pts])


def test_curve_gives_f_and_its_derivatives_for_1d_plots():
    obj = preset("lecture_quartic")
    xs = np.array([-1.0, 0.0, 2.0])
    assert obj.curve(xs).tolist() == [3 - 5 - 20 - 8 + 10, 10.0, 48 + 40 - 80 + 16 + 10]
    assert obj.curve(xs, 1).tolist() == [-12 + 15 + 40 + 8, 8.0, 96 + 60 - 80 + 8]
    assert obj.curve(xs, 2).tolist() == [36 - 30 - 40, -40.0, 144 + 60 - 40]
    with pytest.raises(ValueError, match="order must be 0, 1 or 2"):
        obj.curve(xs, 3)


def test_evaluation_outside_the_domain_is_nan_or_inf_never_an_error():
    obj = from_expression("log(x) + 1/(x-1)", 1)
    assert math.isnan(obj.value(np.array([-2.0])))
    assert math.isinf(obj.value(np.array([1.0])))
    # f' = 1/x - 1/(x-1)^2 is defined at -2 even though f is not
    assert obj.gradient(np.array([-2.0]))[0] == pytest.approx(-0.5 - 1 / 9)
    vals = obj.curve(np.array([-1.0, 1.0, 2.0]))
    assert math.isnan(vals[0]) and math.isinf(vals[1]) and vals[2] == pytest.approx(math.log(2) + 1)
    big = from_expression("exp(x1) + x2", 2)
    assert big.grid(np.array([1000.0]), np.array([0.0]))[0, 0] == math.inf


def test_from_expression_and_its_errors():
    obj = from_expression("x1^2 + 3*x2^2", 2)
    assert obj.value(np.array([1.0, 2.0])) == 13.0
    assert obj.gradient(np.array([1.0, 2.0])).tolist() == [2.0, 12.0]
    assert obj.hessian(np.array([0.0, 0.0])).tolist() == [[2.0, 0.0], [0.0, 6.0]]
    assert obj.minima == () and obj.global_minimum is None
    assert "x1² + 3·x2²" in obj.title
    with pytest.raises(FormulaError, match="unknown name 'x'"):
        from_expression("x^2", 2)
    with pytest.raises(ValueError, match="dim must be 1 or 2"):
        from_expression("x", 3)
    with pytest.raises(ValueError, match="unknown preset 'nope'"):
        preset("nope")
    with pytest.raises(ValueError, match="derivatives must be 'exact' or 'finite'"):
        preset("quadratic", derivatives="symbolic")
    with pytest.raises(ValueError, match="step h must be > 0"):
        preset("quadratic", derivatives="finite", h=0.0)


def test_derivative_texts_of_presets():
    assert preset("lecture_quartic").derivative_texts()[0] == ("f'(x)", "12·x³ + 15·x² − 40·x + 8")
    labels = [label for label, _ in preset("lecture_2d").derivative_texts()]
    assert labels == ["∂f/∂x1", "∂f/∂x2"]


def test_typed_formula_is_plotted_around_its_stationary_points():
    # f' = 4x^3 - 6x + 2 = 0 at x = -1.366, 0.366 and 1: all three must be in view.
    lo, hi = from_expression("x**4 - 3*x**2 + 2*x", 1).plot_range
    assert lo < -1.366 - 0.5 and hi > 1.0 + 0.5 and hi - lo < 8  # not the default (-5, 5)
    lo, hi = from_expression("0.01*(x-7)^2", 1).plot_range
    assert lo < 7 < hi and hi - lo <= 4
    assert from_expression("exp(x)", 1).plot_range == (-5.0, 5.0)  # no stationary point: default
