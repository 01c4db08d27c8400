"""The optimizer's reasoning recorded and modelled by the engine: Newton's model and step size,
backtracking's trials, momentum's velocity, cycles and stalls stopped with a reason, and network
runs whose gradient vanished only through saturation. Expectations are the lecture quartic's
numbers worked by hand: f = 3x^4 + 5x^3 - 20x^2 + 8x + 10, f' = 12x^3 + 15x^2 - 40x + 8,
f'' = 36x^2 + 30x - 40."""

import numpy as np
import pytest

from engine.descent import DescentSession
from engine.descent_models import curvature, line_search, newton_model, velocity
from engine.functions import from_expression, preset
from engine.optimizers import make_spec
from engine.status import CONVERGED, STOPPED


def f(x):
    return 3 * x ** 4 + 5 * x ** 3 - 20 * x ** 2 + 8 * x + 10


def fp(x):
    return 12 * x ** 3 + 15 * x ** 2 - 40 * x + 8


def fpp(x):
    return 36 * x ** 2 + 30 * x - 40


@pytest.fixture(scope="module")
def quartic():
    return preset("lecture_quartic")


def test_newton_parabola_at_0_3_is_concave_with_its_vertex_where_the_step_lands(quartic):
    model = newton_model(quartic, np.array([0.3]))
    assert model.hessian[0, 0] == pytest.approx(-27.76, abs=1e-12)     # 3.24 + 9 - 40
    assert model.gradient[0] == pytest.approx(-2.326, abs=1e-12)       # 0.324 + 1.35 - 12 + 8
    assert model.concave and model.kind == "maximum"
    vertex = 0.3 - (-2.326) / (-27.76)
    assert model.stationary[0] == pytest.approx(vertex, abs=1e-12)
    # q(x) = f(0.3) + f'(0.3)(x - 0.3) - 13.88 (x - 0.3)^2, by hand at two points
    xs = np.array([0.3, 0.5])
    assert model.curve(xs) == pytest.approx([f(0.3), f(0.3) - 2.326 * 0.2 - 13.88 * 0.04], abs=1e-12)
    # the model's slope vanishes at the vertex (central differences on q)
    h = 1e-5
    slope = (model.curve(np.array([vertex + h])) - model.curve(np.array([vertex - h]))) / (2 * h)
    assert abs(slope[0]) < 1e-7
    s = DescentSession(quartic, [0.3], make_spec("newton", lr=1.0))
    assert s.step().x[0] == pytest.approx(vertex, abs=1e-12)


def test_newton_recorded_step_size_is_one_over_f_second_step_by_step(quartic):
    s = DescentSession(quartic, [2.0], make_spec("newton", lr=1.0))
    s.step(5)
    history = list(s.history)
    assert history[0].step_size is None
    for before, after in zip(history, history[1:]):
        x = before.x[0]
        assert after.step_size == pytest.approx(1.0 / fpp(x), rel=1e-12)
        assert after.step[0] == pytest.approx(-fp(x) / fpp(x), rel=1e-10)
    assert history[1].step_size == pytest.approx(1 / 164.0, rel=1e-12)   # f''(2) = 144 + 60 - 40


def test_backtracking_trials_meet_or_miss_armijo_as_recorded(quartic):
    c, lr = 0.3, 0.1
    s = DescentSession(quartic, [1.6], make_spec("gd", lr=lr, schedule="backtracking", armijo_c=c))
    s.step(4)
    history = list(s.history)
    for before, after in zip(history, history[1:]):
        x, g = before.x[0], fp(before.x[0])
        assert after.trials and after.trials[-1].accepted
        assert not any(t.accepted for t in after.trials[:-1])
        for k, trial in enumerate(after.trials):
            assert trial.t == 0.5 ** k
            step = lr * trial.t
            assert trial.value == pytest.approx(f(x - step * g), rel=1e-12)
            bound = f(x) - c * step * g * g               # f(x) - c s f'(x)^2
            assert trial.bound == pytest.approx(bound, rel=1e-12)
            assert (f(x - step * g) <= bound) == trial.accepted
        assert after.step_size == pytest.approx(lr * after.trials[-1].t)
    # update 2 from x1 = -1.5552 tries t = 1, 1/2, 1/4 (all too high) and takes t = 1/8
    assert [t.accepted for t in history[2].trials] == [False, False, False, True]


def test_line_search_geometry_puts_trials_on_the_proposed_step_and_the_armijo_line(quartic):
    c, lr = 0.3, 0.1
    s = DescentSession(quartic, [1.6], make_spec("gd", lr=lr, schedule="backtracking", armijo_c=c))
    s.step(2)
    before, after = s.history[1], s.history[2]
    ls = line_search(before, after, c)
    x, g = before.x[0], fp(before.x[0])
    assert ls.points[:, 0] == pytest.approx([x - lr * t * g for t in (1, 0.5, 0.25, 0.125)])
    assert list(ls.accepted) == [False, False, False, True]
    # the Armijo line from (x, f(x)) with slope c f'(x), out to the farthest trial
    assert ls.armijo_x == pytest.approx([x, x - lr * g])
    assert ls.armijo_y == pytest.approx([f(x), f(x) - c * lr * g * g])
    assert line_search(s.history[0], s.history[1], c) is not None
    plain = DescentSession(quartic, [1.6], make_spec("gd", lr=0.01))
    plain.step()
    assert line_search(plain.history[0], plain.history[1], c) is None


def test_gd_step_0_05_from_0_5_stops_bouncing_and_names_the_stability_limit(quartic):
    s = DescentSession(quartic, [0.5], make_spec("gd", lr=0.05))
    s.step(10_000)
    assert s.status.state == STOPPED and s.cursor < 300
    reason = s.status.reason
    # f''(1.1479) = 41.87: 2/41.87 = 0.0478 < 0.05
    assert 2 / fpp(1.147904355667118) == pytest.approx(0.04776, abs=1e-5)
    assert "2/f''(x*) = 0.0478" in reason and "x* = 1.1479" in reason
    assert "bounce" in reason and "above the stability limit" in reason
    assert "try s = 0.04" in reason
    assert s.describe_status() == reason
    # the suggested step settles: from 0.5 with s = 0.04 the run converges to 1.1479
    t = DescentSession(quartic, [0.5], make_spec("gd", lr=0.04))
    t.step(10_000)
    assert t.status.state == CONVERGED and t.current.x[0] == pytest.approx(1.147904355667118, abs=1e-7)


def test_newton_two_cycle_is_stopped_with_newtons_reason():
    # f' = x^3 - 2x + 2: Newton from 0 goes to 1 and back to 0 (0 - 2/(-2) = 1, 1 - 1/1 = 0)
    obj = from_expression("x^4/4 - x^2 + 2*x", 1)
    s = DescentSession(obj, [0.0], make_spec("newton", lr=1.0))
    assert s.step().x[0] == pytest.approx(1.0) and s.step().x[0] == pytest.approx(0.0)
    s.step(1000)
    assert s.status.state == STOPPED and s.cursor < 100
    assert "Newton's quadratic model does not fit f" in s.status.reason


def test_three_cycle_is_found():
    from engine.descent_cycles import short_cycle

    xs = np.array([[0.0], [1.0], [2.5]] * 8)
    steps = np.vstack([[[0.0]], np.diff(xs, axis=0)])
    assert short_cycle(xs, steps, 20, 1e-8) == 3
    assert short_cycle(xs, steps, 21, 1e-8) == 0  # checked every few iterations only


def test_line_search_that_finds_no_step_is_stopped(quartic):
    # Newton at 0.3 points uphill (f'' < 0): no step along it lowers f
    s = DescentSession(quartic, [0.3], make_spec("newton", schedule="backtracking"))
    s.step(5)
    assert s.status.state == STOPPED and s.cursor == 0
    assert "line search found no step" in s.status.reason
    assert "Newton is heading for a maximum" in s.status.reason


def test_converged_needs_a_small_step_and_a_small_gradient(quartic):
    s = DescentSession(quartic, [-1.0], make_spec("gd", lr=0.01), tol=1e-8)
    s.step(10_000)
    it = s.current
    assert s.status.state == CONVERGED
    assert abs(it.gradient[0]) < 1e-8 and abs(it.step[0]) < 1e-8


def test_velocity_is_minus_the_momentum_buffer_and_curvature_the_hessian(quartic):
    s = DescentSession(quartic, [-1.0], make_spec("momentum", lr=0.001, momentum=0.9))
    it1 = s.step()
    assert velocity(it1) == pytest.approx([-51.0])                  # m1 = g0 = f'(-1) = 51
    x1 = -1.0 - 0.001 * 51
    it2 = s.step()
    assert velocity(it2) == pytest.approx([-(0.9 * 51 + fp(x1))])   # m2 = mu m1 + g1
    assert velocity(DescentSession(quartic, [0.0], make_spec("gd")).current) is None
    assert curvature(quartic, np.array([0.3])) == pytest.approx([-27.76])
    bowl = from_expression("x1^2 + 3*x2^2 + x1*x2", 2)              # Hessian [[2, 1], [1, 6]]
    assert curvature(bowl, np.array([0.0, 0.0])) == pytest.approx([4 - np.sqrt(5), 4 + np.sqrt(5)])


def test_two_d_newton_model_contours_pass_through_the_current_point():
    bowl = from_expression("x1^2 + 3*x2^2 + x1*x2", 2)
    model = newton_model(bowl, np.array([1.0, 1.0]))
    assert model.kind == "minimum" and model.stationary == pytest.approx([0.0, 0.0], abs=1e-12)
    xs, ys, q, levels = model.contours((1.5, 1.5), n=31)
    assert model.value in levels and model.value == pytest.approx(5.0)
    assert q[15, 15] == pytest.approx(5.0)  # the grid's centre is the current point
    saddle = newton_model(preset("saddle"), np.array([1.0, 1.0]))
    assert saddle.kind == "saddle point"
