"""Descent sessions: the lecture's runs, divergence as a status, exact rewind, speed."""

import math
import time

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.descent import DescentSession, Iterate
from engine.functions import from_expression, preset
from engine.optimizers import OPTIMIZER_NAMES, make_spec
from engine.status import CONVERGED, DIVERGED, RUNNING, STOPPED


@pytest.fixture(scope="module")
def quartic():
    return preset("lecture_quartic")


@pytest.fixture(scope="module")
def lecture2d():
    return preset("lecture_2d")


# ---------------------------------------------------------------- the lecture's runs


def test_gd_from_minus_one_reaches_the_global_minimum(quartic):
    s = DescentSession(quartic, [-1.0], make_spec("gd", lr=0.01))
    s.step(10_000)
    assert s.status.state == CONVERGED
    assert s.current.x[0] == pytest.approx(-2.619605127614655, abs=1e-6)
    assert s.current.value == pytest.approx(-96.81168793630879, abs=1e-9)
    assert s.describe_status().startswith(
        "converged to the global minimum at x = -2.6196 (f = -96.81) after")


def test_gd_from_half_reaches_the_local_minimum(quartic):
    s = DescentSession(quartic, [0.5], make_spec("gd", lr=0.01))
    s.step(10_000)
    assert s.status.state == CONVERGED
    assert s.current.x[0] == pytest.approx(1.147904355667118, abs=1e-6)
    assert s.current.value == pytest.approx(5.601301628104336, abs=1e-9)
    assert s.describe_status() == (
        f"converged to a local minimum at x = 1.1479 (f = 5.601) after {s.cursor} iterations")


def test_first_gd_step_is_the_lecture_arithmetic(quartic):
    # x1 = x0 - s f'(x0) with f'(-1) = -12 + 15 + 40 + 8 = 51
    s = DescentSession(quartic, [-1.0], make_spec("gd", lr=0.01))
    it = s.step()
    assert it.x[0] == pytest.approx(-1.0 - 0.01 * 51.0, abs=1e-15)
    assert it.step[0] == pytest.approx(-0.51, abs=1e-15)
    assert it.lr == 0.01
    assert it.gradient[0] == pytest.approx(12 * -1.51 ** 3 + 15 * 1.51 ** 2 + 40 * 1.51 + 8)


def test_gd_with_a_large_step_diverges_and_explains_the_stability_limit(quartic):
    s = DescentSession(quartic, [-1.0], make_spec("gd", lr=0.05))
    s.step(100)
    assert s.status.state == DIVERGED
    assert s.cursor <= 6
    reason = s.status.reason
    assert reason == s.describe_status()
    assert f"diverged at iteration {s.cursor}" in reason
    assert "the step 0.05 is above the stability limit 2/f''(x*) = 0.0156" in reason
    assert "x* = -2.6196" in reason and "try a smaller learning rate" in reason
    # 2 / f''(x*) is the actual limit: f''(x*) = 36x² + 30x - 40 at the global minimum
    x = -2.619605127614655
    assert 2 / (36 * x * x + 30 * x - 40) == pytest.approx(0.01557, abs=1e-5)
    assert np.all(np.isfinite(s.path()))
    assert s.step(5).index == s.cursor  # a finished run does not move


def test_newton_from_0_3_finds_the_maximum_and_says_so(quartic):
    s = DescentSession(quartic, [0.3], make_spec("newton", lr=1.0))
    s.step(100)
    assert s.status.state == CONVERGED
    assert s.current.x[0] == pytest.approx(0.22170077194753665, abs=1e-10)
    assert s.stationary_kind(s.current.x) == "maximum"
    text = s.describe_status()
    assert text.startswith("converged to a local maximum at x = 0.22170 (f'' = -31.6 < 0)")
    assert "Newton-Raphson finds stationary points, not only minima" in text


def test_newton_step_is_one_over_second_derivative(quartic):
    s = DescentSession(quartic, [2.0], make_spec("newton", lr=1.0))
    it = s.step()
    fp, fpp = 96 + 60 - 80 + 8, 144 + 60 - 40
    assert it.x[0] == pytest.approx(2.0 - fp / fpp, abs=1e-14)


def test_lecture_2d_gd_decreases_and_approaches_0_1(lecture2d):
    s = DescentSession(lecture2d, [0.5, 2.0], make_spec("gd", lr=0.1))
    s.step(2000)
    values = s.values()
    assert np.all(np.diff(values) <= 0)          # monotone descent
    dist = np.linalg.norm(s.path() - [0.0, 1.0], axis=1)
    assert np.all(np.diff(dist) < 0)             # every step gets closer to (0, 1)
    assert dist[-1] < 0.1 and values[-1] < 1e-4
    # (0, 1) is a flat (quartic) minimum: gradient descent crawls, it does not arrive
    assert s.status.state == RUNNING


def test_lecture_2d_from_2_2_diverges_without_nan_in_the_path(lecture2d):
    s = DescentSession(lecture2d, [2.0, 2.0], make_spec("gd", lr=0.05))
    s.step(100)
    assert s.status.state == DIVERGED and s.cursor <= 6
    assert np.all(np.isfinite(s.path()))
    assert all(np.all(np.isfinite(it.x)) for it in s.history)
    assert "steeper where the run started" in s.status.reason
    assert "λmax" in s.status.reason


def test_describe_running_and_max_iter(quartic):
    s = DescentSession(quartic, [-1.0], make_spec("gd", lr=1e-4), max_iter=5)
    assert s.describe_status().startswith("ready: iteration 0, x = -1, f = -20, f'(x) = 51")
    s.step(1)
    assert s.describe_status().startswith("running: iteration 1, x = -1.0051, f = -20.26")
    s.back()
    s.step(100)
    assert s.cursor == 5 and s.status.state == STOPPED and not s.can_step
    assert s.describe_status().startswith(
        "stopped after 5 iterations (max_iter) without converging")
    s.back()
    assert s.can_step and s.status.reason == ""


def test_start_at_a_stationary_point_converges_immediately():
    s = DescentSession(preset("saddle"), [0.0, 0.0], make_spec("gd", lr=0.1))
    assert s.status.state == CONVERGED and s.cursor == 0
    assert "saddle point at x = (0, 0) (Hessian eigenvalues -2 and 2)" in s.describe_status()
    s = DescentSession(from_expression("x^3", 1), [0.0], make_spec("newton"))
    assert s.status.state == CONVERGED
    assert s.describe_status().startswith("converged to an inflection point at x = 0")


def test_gd_escapes_the_saddle_along_the_negative_curvature():
    s = DescentSession(preset("saddle"), [2.0, 0.1], make_spec("gd", lr=0.1))
    s.step(200)
    assert s.status.state == DIVERGED
    assert abs(s.path()[-2][0]) < 1e-6 and abs(s.path()[-2][1]) > 1e3


def test_non_finite_value_is_a_diverged_status():
    obj = from_expression("log(x)", 1)
    s = DescentSession(obj, [0.5], make_spec("gd", lr=1.0))  # x1 = 0.5 - 2 = -1.5: log undefined
    s.step(10)
    assert s.status.state == DIVERGED and s.cursor == 1
    assert "f became undefined (NaN) at x = -1.5;" in s.status.reason
    assert math.isnan(s.values()[-1]) and np.isfinite(s.path()).all()


def test_singular_hessian_stops_newton_with_a_reason():
    s = DescentSession(from_expression("3x + 1", 1), [1.0], make_spec("newton"))
    s.step(3)
    assert s.status.state == DIVERGED and s.cursor == 0
    assert "Hessian is singular" in s.status.reason


def test_backtracking_never_increases_f_and_records_the_shortened_lr(quartic):
    s = DescentSession(quartic, [-1.0], make_spec("gd", lr=0.5, schedule="backtracking"))
    s.step(500)
    # at the minimum to 2e-8, f's rounding error hides any further decrease: stopped, and said so
    assert s.status.state == STOPPED
    assert "the step no longer changes x" in s.status.reason
    assert "can no longer see f decrease" in s.status.reason
    assert s.current.x[0] == pytest.approx(-2.619605127614655, abs=1e-7)
    assert np.all(np.diff(s.values()) <= 0)
    lrs = [it.lr for it in list(s.history)[1:]]
    assert all(0 < lr <= 0.5 for lr in lrs) and min(lrs) < 0.5
    assert all(math.log2(0.5 / lr) == round(math.log2(0.5 / lr)) for lr in lrs)


def test_decay_schedule_records_decaying_lr(quartic):
    s = DescentSession(quartic, [-1.0], make_spec("gd", lr=0.01, schedule="decay", decay_k=0.5))
    s.step(3)
    assert [it.lr for it in list(s.history)[1:]] == pytest.approx([0.01, 0.01 / 1.5, 0.01 / 2.0])


@pytest.mark.parametrize("name, lr", [("gd", 0.01), ("momentum", 0.005), ("nesterov", 0.005),
                                      ("adagrad", 0.5), ("rmsprop", 0.01), ("adam", 0.05),
                                      ("newton", 1.0)])
def test_every_optimizer_runs_to_a_finish_on_the_quartic(quartic, name, lr):
    s = DescentSession(quartic, [-1.0], make_spec(name, lr=lr), tol=1e-7, max_iter=20_000)
    s.step(20_000)
    assert s.status.state == CONVERGED, s.describe_status()
    kind = s.stationary_kind(s.current.x)
    assert kind in ("minimum", "maximum")
    assert name in OPTIMIZER_NAMES


def test_stationary_kind_uses_values_where_the_hessian_is_flat():
    s = DescentSession(from_expression("x^4", 1), [1.0], make_spec("gd"))
    assert s.stationary_kind(np.array([0.0])) == "minimum"
    s = DescentSession(from_expression("-x^4", 1), [1.0], make_spec("gd"))
    assert s.stationary_kind(np.array([0.0])) == "maximum"
    s = DescentSession(from_expression("x^3", 1), [1.0], make_spec("gd"))
    assert s.stationary_kind(np.array([0.0])) == "inflection"
    s = DescentSession(from_expression("x1^3 - 3*x1*x2^2", 2), [1.0, 1.0], make_spec("gd"))
    assert s.stationary_kind(np.array([0.0, 0.0])) == "saddle point"  # monkey saddle


# ---------------------------------------------------------------- rewind


def test_records_are_frozen(quartic):
    s = DescentSession(quartic, [-1.0], make_spec("momentum", lr=0.01))
    it = s.step(3)
    assert isinstance(it, Iterate)
    for arr in (it.x, it.gradient, it.step, it.opt_state.m):
        with pytest.raises(ValueError):
            arr[0] = 0.0
    with pytest.raises(AttributeError):
        it.value = 0.0  # type: ignore[misc]
    path = s.path()
    with pytest.raises(ValueError):
        path[0, 0] = 1.0


@pytest.mark.parametrize("name", ["gd", "momentum", "adam", "rmsprop", "newton"])
def test_back_and_jump_restore_exactly_and_forward_reproduces(lecture2d, name):
    spec = make_spec(name, lr=0.01 if name != "newton" else 0.5)
    s = DescentSession(lecture2d, [0.5, 2.0], spec)
    s.step(30)
    first = list(s.history)
    s.jump(10)
    assert s.current == first[10] and s.cursor == 10
    assert s.current.opt_state == first[10].opt_state
    s.back()
    assert s.current == first[9]
    assert np.array_equal(s.path(), np.array([it.x for it in first[:10]]))
    s.step(21)
    assert s.cursor == 30 and s.current == first[30]
    # a fresh session recomputes identical records
    t = DescentSession(lecture2d, [0.5, 2.0], spec)
    t.step(30)
    assert all(a == b for a, b in zip(first, t.history))
    t.reset()
    assert t.cursor == 0 and len(t.history) == 1 and t.current == first[0]


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["step", "back", "jump"]), st.integers(0, 40)),
                max_size=25))
def test_any_navigation_sequence_lands_on_the_reference_iterate(moves):
    obj = preset("himmelblau")
    spec = make_spec("adam", lr=0.1)
    # both stop at 200 iterations, so moves that add up to more land on the reference's last
    reference = DescentSession(obj, [0.0, 0.0], spec, max_iter=200)
    reference.step(200)
    ref = list(reference.history)
    s = DescentSession(obj, [0.0, 0.0], spec, max_iter=200)
    expected = 0
    for move, k in moves:
        if move == "step":
            s.step(k)
            expected = min(expected + k, len(ref) - 1)
        elif move == "back":
            s.back()
            expected = max(expected - 1, 0)
        else:
            s.jump(k)
            expected = min(k, len(ref) - 1)
        assert s.cursor == expected
        assert s.current == ref[expected]
        assert np.array_equal(s.path()[-1], ref[expected].x)
        assert s.values()[-1] == ref[expected].value


def test_jump_beyond_the_computed_history_computes_forward(quartic):
    s = DescentSession(quartic, [-1.0], make_spec("gd", lr=0.01))
    assert s.jump(5).index == 5 and len(s.history) == 6
    assert s.jump(10_000).index == s.cursor < 10_000  # stops where it converged
    with pytest.raises(ValueError, match="iteration must be >= 0"):
        s.jump(-1)


def test_path_grows_beyond_its_initial_buffer(quartic):
    s = DescentSession(quartic, [0.5], make_spec("gd", lr=1e-5), tol=1e-300, max_iter=5000)
    s.step(1000)
    path = s.path()
    assert path.shape == (1001, 1)
    assert np.array_equal(path[:, 0], [it.x[0] for it in s.history])
    assert s.path(upto=10).shape == (11, 1) and s.values(upto=3).shape == (4,)


def test_bad_arguments_are_refused_with_messages(quartic):
    spec = make_spec("gd")
    with pytest.raises(ValueError, match="start must have 1 coordinate"):
        DescentSession(quartic, [1.0, 2.0], spec)
    with pytest.raises(ValueError, match="start must be finite"):
        DescentSession(quartic, [math.nan], spec)
    with pytest.raises(ValueError, match="tol must be > 0"):
        DescentSession(quartic, [1.0], spec, tol=0)
    with pytest.raises(ValueError, match="max_iter must be a whole number"):
        DescentSession(quartic, [1.0], spec, max_iter=0)
    with pytest.raises(ValueError, match="bound must be > 0"):
        DescentSession(quartic, [1.0], spec, bound=-1)


def test_thousand_steps_are_fast(quartic):
    # Budget 50 ms per 1000 steps on a development machine; generous here against noisy CI.
    s = DescentSession(quartic, [0.5], make_spec("gd", lr=1e-4), tol=1e-300, max_iter=100_000)
    s.step(10)
    start = time.perf_counter()
    s.step(1000)
    assert time.perf_counter() - start < 0.25
    assert s.cursor == 1010


def test_history_memory_stays_small(lecture2d):
    # SPEC 7: a 1,000,000-iteration history under 300 MB, i.e. < 300 bytes an iterate.
    import tracemalloc

    s = DescentSession(lecture2d, [0.5, 2.0], make_spec("adam", lr=1e-5), tol=1e-300,
                       max_iter=10**6)
    tracemalloc.start()
    s.step(4000)  # fills the column buffers (doubled up to 4096 rows) almost exactly
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert s.cursor == 4000
    assert current / 4000 < 300
