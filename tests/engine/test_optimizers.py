"""Optimizers as one table: three hand-computed torch.optim updates each, then convergence.

The reference arithmetic below is written out from the torch.optim documentation, one
coordinate at a time in plain Python floats, independent of engine/optimizers.py.
Objective: f(theta) = 1/2 theta^T A theta with A = diag(1, 10), theta0 = (1, -1), so
grad = (theta_1, 10 theta_2).
"""

import math

import numpy as np
import pytest

from engine import optimizers as opt
from engine.optimizers import OptimizerError, SingularHessianError, make_spec

A = (1.0, 10.0)
THETA0 = (1.0, -1.0)


def grad(theta):
    return [a * t for a, t in zip(A, theta)]


def ref_gd(lr):
    theta, out = list(THETA0), []
    for _ in range(3):
        g = grad(theta)
        theta = [t - lr * gi for t, gi in zip(theta, g)]
        out.append(theta)
    return out


def ref_momentum(lr, mu, nesterov=False):
    # torch.optim.SGD: b = g (first step), then b = mu b + g; nesterov: g + mu b
    theta, b, out = list(THETA0), None, []
    for _ in range(3):
        g = grad(theta)
        b = list(g) if b is None else [mu * bi + gi for bi, gi in zip(b, g)]
        d = [gi + mu * bi for gi, bi in zip(g, b)] if nesterov else b
        theta = [t - lr * di for t, di in zip(theta, d)]
        out.append(theta)
    return out


def ref_adagrad(lr, eps):
    # torch.optim.Adagrad: s += g^2; theta -= lr g / (sqrt(s) + eps)
    theta, s, out = list(THETA0), [0.0, 0.0], []
    for _ in range(3):
        g = grad(theta)
        s = [si + gi * gi for si, gi in zip(s, g)]
        theta = [t - lr * gi / (math.sqrt(si) + eps) for t, gi, si in zip(theta, g, s)]
        out.append(theta)
    return out


def ref_rmsprop(lr, alpha, eps):
    # torch.optim.RMSprop: s = alpha s + (1 - alpha) g^2; theta -= lr g / (sqrt(s) + eps)
    theta, s, out = list(THETA0), [0.0, 0.0], []
    for _ in range(3):
        g = grad(theta)
        s = [alpha * si + (1 - alpha) * gi * gi for si, gi in zip(s, g)]
        theta = [t - lr * gi / (math.sqrt(si) + eps) for t, gi, si in zip(theta, g, s)]
        out.append(theta)
    return out


def ref_adam(lr, b1, b2, eps):
    # torch.optim.Adam: m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2;
    # theta -= lr / (1 - b1^t) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
    theta, m, v, out = list(THETA0), [0.0, 0.0], [0.0, 0.0], []
    for t in range(1, 4):
        g = grad(theta)
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g)]
        v = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v, g)]
        theta = [th - lr / (1 - b1 ** t) * mi / (math.sqrt(vi) / math.sqrt(1 - b2 ** t) + eps)
                 for th, mi, vi in zip(theta, m, v)]
        out.append(theta)
    return out


def ref_adamw(lr, b1, b2, eps, wd):
    # torch.optim.AdamW: theta *= 1 - lr wd (decoupled weight decay, gradient taken before it),
    # then the Adam step of ref_adam
    theta, m, v, out = list(THETA0), [0.0, 0.0], [0.0, 0.0], []
    for t in range(1, 4):
        g = grad(theta)
        theta = [th * (1 - lr * wd) for th in theta]
        m = [b1 * mi + (1 - b1) * gi for mi, gi in zip(m, g)]
        v = [b2 * vi + (1 - b2) * gi * gi for vi, gi in zip(v, g)]
        theta = [th - lr / (1 - b1 ** t) * mi / (math.sqrt(vi) / math.sqrt(1 - b2 ** t) + eps)
                 for th, mi, vi in zip(theta, m, v)]
        out.append(theta)
    return out


def ref_newton(lr, damping):
    # theta -= lr (A + damping I)^-1 grad; A is diagonal
    theta, out = list(THETA0), []
    for _ in range(3):
        g = grad(theta)
        theta = [t - lr * gi / (a + damping) for t, gi, a in zip(theta, g, A)]
        out.append(theta)
    return out


TABLE = [
    ("gd", {"lr": 0.1}, ref_gd(0.1)),
    ("momentum", {"lr": 0.05, "momentum": 0.9}, ref_momentum(0.05, 0.9)),
    ("nesterov", {"lr": 0.05, "momentum": 0.9}, ref_momentum(0.05, 0.9, nesterov=True)),
    ("adagrad", {"lr": 0.5}, ref_adagrad(0.5, 1e-10)),
    ("rmsprop", {"lr": 0.01}, ref_rmsprop(0.01, 0.99, 1e-8)),
    ("adam", {"lr": 0.1}, ref_adam(0.1, 0.9, 0.999, 1e-8)),
    ("adamw", {"lr": 0.1}, ref_adamw(0.1, 0.9, 0.999, 1e-8, 0.01)),
    ("newton", {"lr": 0.5}, ref_newton(0.5, 0.0)),
    ("newton", {"lr": 1.0, "damping": 1.0}, ref_newton(1.0, 1.0)),
]


@pytest.mark.parametrize("name, params, expected", TABLE,
                         ids=[f"{t[0]}-{i}" for i, t in enumerate(TABLE)])
def test_first_three_updates_match_torch_formulas(name, params, expected):
    spec = make_spec(name, **params)
    theta = np.array(THETA0)
    state = opt.init(spec, theta)
    hess = np.diag(A)
    for k in range(3):
        delta, state = opt.update(spec, np.array(A) * theta, state, theta, hessian=hess)
        theta = theta + delta
        assert state.t == k + 1
        np.testing.assert_allclose(theta, expected[k], rtol=1e-13, atol=1e-15)


def test_every_registered_optimizer_has_a_hand_computed_row():
    assert {row[0] for row in TABLE} == set(opt.OPTIMIZERS)


def test_table_spot_values_by_hand():
    # gd: theta1 = (1 - 0.1*1, -1 - 0.1*(-10)) = (0.9, 0); adam's first step is lr*sign(g)
    assert ref_gd(0.1)[0] == pytest.approx([0.9, 0.0])
    assert ref_adam(0.1, 0.9, 0.999, 1e-8)[0] == pytest.approx([0.9, -0.9])
    # adamw: first (1, -1) * (1 - 0.1*0.01) = (0.999, -0.999), then adam's lr*sign(g)
    assert ref_adamw(0.1, 0.9, 0.999, 1e-8, 0.01)[0] == pytest.approx([0.899, -0.899])
    assert ref_adagrad(0.5, 1e-10)[0] == pytest.approx([0.5, -0.5])
    assert ref_newton(0.5, 0.0)[2] == pytest.approx([0.125, -0.125])


def test_states_are_frozen_and_compare_by_value():
    spec = make_spec("adam")
    s0 = opt.init(spec, np.zeros(2))
    _, s1 = opt.update(spec, np.ones(2), s0, np.zeros(2))
    _, s1b = opt.update(spec, np.ones(2), s0, np.zeros(2))
    assert s1 == s1b and s1 != s0
    with pytest.raises(ValueError):
        s1.m[0] = 1.0


def test_a_hyperparameter_key_means_the_same_in_every_entry():
    # both editors show one box per key, so its label and range must not depend on the optimizer
    seen = {}
    for entry in opt.OPTIMIZERS.values():
        assert entry.hyper[0].key == "lr", entry.name
        for h in entry.hyper:
            assert seen.setdefault(h.key, (h.label, h.allowed)) == (h.label, h.allowed), h.key
            assert h.default in h.allowed, (entry.name, h.key)


@pytest.mark.parametrize("name", opt.OPTIMIZER_NAMES)
def test_default_specs_round_trip_through_the_scenario_form(name):
    spec = make_spec(name)
    d = spec.to_dict()
    assert list(d) == ["name", *opt.get_optimizer(name).defaults]
    assert opt.spec_from_dict(d) == spec


def test_count_only_states_advance_without_a_gradient():
    # the training session replays such optimizers without recomputing gradients
    stateless = {n for n, o in opt.OPTIMIZERS.items() if o.stateless}
    assert stateless == {"gd", "newton"}
    for name in stateless:
        spec = make_spec(name)
        s0 = opt.init(spec, np.zeros(2))
        _, s1 = opt.update(spec, np.ones(2), s0, np.zeros(2), hessian=np.eye(2))
        assert s1 == s0.next_count() and s1.t == 1 and s1.arrays() == {}


def test_a_race_adds_optimizers_in_a_fixed_order():
    racing, added = {"gd"}, []
    for _ in range(6):
        spec = opt.next_racer(racing, 0.02)
        racing.add(spec.name)
        added.append((spec.name, spec.lr))
    assert added == [("momentum", 0.02), ("adam", 0.05), ("nesterov", 0.02), ("rmsprop", 0.02),
                     ("adagrad", 0.02), ("gd", 0.02)]


# ---------------------------------------------------------------- convergence


def run(spec, f_grad, hess, theta0, n):
    theta = np.array(theta0, dtype=np.float64)
    state = opt.init(spec, theta)
    for _ in range(n):
        delta, state = opt.update(spec, f_grad(theta), state, theta,
                                  hessian=hess(theta) if spec.name == "newton" else None)
        theta = theta + delta
    return theta


def quad_grad(theta):
    return np.array(A) * theta


def rosen_grad(t):
    x, y = t
    return np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])


def rosen_hess(t):
    x, y = t
    return np.array([[2 - 400 * (y - 3 * x * x), -400 * x], [-400 * x, 200.0]])


@pytest.mark.parametrize("name, params, n", [
    ("gd", {"lr": 0.15}, 300), ("momentum", {"lr": 0.02}, 600), ("nesterov", {"lr": 0.02}, 600),
    ("adagrad", {"lr": 0.9}, 2000), ("rmsprop", {"lr": 0.01}, 3000), ("adam", {"lr": 0.05}, 2000),
    ("adamw", {"lr": 0.05}, 2000), ("newton", {"lr": 1.0}, 2),
])
def test_converges_on_the_quadratic(name, params, n):
    theta = run(make_spec(name, **params), quad_grad, lambda t: np.diag(A), THETA0, n)
    assert np.linalg.norm(theta) < 1e-2


@pytest.mark.parametrize("name, params, n, tol", [
    ("newton", {"lr": 1.0}, 20, 1e-10),
    ("adam", {"lr": 0.02}, 5000, 1e-2),
    ("momentum", {"lr": 1e-3, "momentum": 0.9}, 20000, 1e-2),
])
def test_converges_on_rosenbrock(name, params, n, tol):
    theta = run(make_spec(name, **params), rosen_grad, rosen_hess, [-1.2, 1.0], n)
    assert np.linalg.norm(theta - [1.0, 1.0]) < tol


# ---------------------------------------------------------------- schedules


def test_decay_schedule():
    spec = make_spec("gd", lr=0.1, schedule="decay", decay_k=0.5)
    assert [opt.scheduled_lr(spec, t) for t in range(3)] == pytest.approx([0.1, 0.1 / 1.5, 0.05])
    state = opt.init(spec, np.zeros(1))
    d1, state = opt.update(spec, np.array([1.0]), state)
    d2, state = opt.update(spec, np.array([1.0]), state)
    assert d1[0] == pytest.approx(-0.1) and d2[0] == pytest.approx(-0.1 / 1.5)
    assert make_spec("gd", lr=0.1).to_dict() == {"name": "gd", "lr": 0.1}
    assert opt.spec_from_dict(spec.to_dict()) == spec


def test_armijo_backtracking_halves_until_sufficient_decrease():
    def f(t):
        return 0.5 * float(np.dot(np.array(A) * t, t))

    theta = np.array(THETA0)
    g = quad_grad(theta)
    delta = -0.5 * g                     # lr 0.5 overshoots along x2 (curvature 10)
    t, evals = opt.armijo_backtracking(f, theta, f(theta), g, delta, c=1e-4, shrink=0.5)
    slope = float(np.dot(g, delta))
    assert f(theta + t * delta) <= f(theta) + 1e-4 * t * slope
    assert f(theta + 2 * t * delta) > f(theta) + 1e-4 * 2 * t * slope   # the longer one failed
    # by hand: f(theta) = 5.5; t = 1 -> (0.5, 4), f = 80.1; t = 0.5 -> (0.75, 1.5), f = 11.53;
    # t = 0.25 -> (0.875, 0.25), f = 0.695 <= 5.5 - 1e-4 * 0.25 * 50.5: accepted on try 3
    assert t == 0.25 and evals == 3
    # an ascent direction has no acceptable step
    assert opt.armijo_backtracking(f, theta, f(theta), g, +0.1 * g) == (0.0, 0)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("name, kwargs, message", [
    ("sgd", {}, "unknown optimizer 'sgd'; choose one of gd, momentum"),
    ("gd", {"lr": -0.1}, "learning rate must be > 0, got -0.1"),
    ("gd", {"lr": 0.0}, "learning rate must be > 0, got 0"),
    ("gd", {"lr": math.inf}, "lr must be a finite number, got inf"),
    ("gd", {"momentum": 0.9}, "gd has no hyperparameter 'momentum'; it takes lr"),
    ("momentum", {"momentum": 1.0}, "momentum must be in [0, 1), got 1"),
    ("adam", {"beta2": -0.1}, "beta2 must be in [0, 1), got -0.1"),
    ("rmsprop", {"alpha": 1.5}, "alpha must be in [0, 1), got 1.5"),
    ("adagrad", {"eps": -1.0}, "eps must be >= 0, got -1"),
    ("newton", {"damping": -1.0}, "damping must be >= 0, got -1"),
    ("gd", {"schedule": "cosine"}, "unknown schedule 'cosine'; choose one of constant, decay"),
    ("gd", {"decay_k": -1.0}, "decay_k must be >= 0, got -1"),
    ("gd", {"armijo_c": 1.0}, "armijo_c must be in (0, 1), got 1"),
    ("gd", {"shrink": 0.0}, "shrink must be in (0, 1), got 0"),
])
def test_bad_hyperparameters_say_what_is_allowed(name, kwargs, message):
    with pytest.raises(OptimizerError) as info:
        make_spec(name, **kwargs)
    assert message in str(info.value)


def test_newton_without_or_with_a_singular_hessian():
    spec = make_spec("newton")
    state = opt.init(spec, np.zeros(2))
    with pytest.raises(OptimizerError, match="newton needs the Hessian"):
        opt.update(spec, np.ones(2), state, np.zeros(2))
    with pytest.raises(SingularHessianError, match="singular"):
        opt.update(spec, np.ones(2), state, np.zeros(2), hessian=np.array([[1.0, 1.0], [1.0, 1.0]]))
    with pytest.raises(SingularHessianError, match="1/f'' is undefined"):
        opt.update(spec, np.ones(1), opt.init(spec, np.zeros(1)), np.zeros(1),
                   hessian=np.zeros((1, 1)))
    with pytest.raises(SingularHessianError, match="not finite"):
        opt.update(spec, np.ones(1), opt.init(spec, np.zeros(1)), np.zeros(1),
                   hessian=np.array([[math.nan]]))


def test_non_finite_gradients_give_non_finite_steps_not_exceptions():
    for name in opt.FIRST_ORDER_NAMES:
        spec = make_spec(name)
        delta, _ = opt.update(spec, np.array([math.inf, 1.0]), opt.init(spec, np.zeros(2)),
                              np.zeros(2))
        assert not math.isfinite(delta[0]) and math.isfinite(delta[1]), name
