"""A session's twin (engine.session_fork): its moves leave the session alone, and adopting it gives
exactly what the same moves on the session itself give."""

import numpy as np
import pytest

from engine.network import glorot
from engine.optimizers import make_spec
from engine.session_fork import adopt, fork
from engine.training import TrainingSession


def make(n_obs=40, inputs=2, hidden=3, seed=2, **kw):
    rng = np.random.default_rng(seed)
    net = glorot(inputs, [hidden, 1], ["tanh", "identity"], rng)
    X = rng.normal(size=(n_obs, inputs))
    Y = rng.normal(size=(n_obs, 1))
    kw.setdefault("spec", make_spec("momentum", lr=0.01, momentum=0.9))
    return TrainingSession(net, X, Y, "sse", **kw)


def state(s):
    """Everything a view reads at the cursor, as plain values."""
    rec = s.record()
    return (s.cursor, s.n_updates, s.theta().tobytes(), s.losses().tobytes(), rec.gradient.tobytes(),
            s.status.state, b"".join(v.tobytes() for v in s.optimizer_state.arrays().values()))


def test_moves_of_a_twin_leave_the_session_unchanged():
    s = make()
    s.run(5)
    before = state(s)
    twin = fork(s)
    for _ in range(3):
        twin.step_iteration()
    twin.step_phase()
    twin.back("iteration")
    twin.record()
    assert twin.n_updates == 8
    assert state(s) == before


@pytest.mark.parametrize("training", ["full_batch", "online", {"mini_batch": 7}])
def test_adopting_a_twin_equals_making_the_moves_on_the_session(training):
    a, b = make(training=training), make(training=training)
    for s in (a, b):
        s.run(4)
    twin = fork(a)
    twin.step_iteration()
    twin.step_observation()
    twin.step_iteration()
    twin.back("iteration")
    twin.jump(9)
    twin.back("phase")
    b.step_iteration()
    b.step_observation()
    b.step_iteration()
    b.back("iteration")
    b.jump(9)
    b.back("phase")
    adopt(a, twin)
    assert state(a) == state(b)
    # and they go on alike
    a.run(3)
    b.run(3)
    assert state(a) == state(b)


def test_a_twin_across_a_full_chunk_of_history_leaves_it_unchanged():
    # 961 parameters: a history chunk holds 272 updates, so the twin starts a new one and packs this
    s = make(n_obs=5, inputs=30, hidden=30, spec=make_spec("gd", lr=1e-4))
    rows = s._hist.rows
    s.run(rows - 2)
    reference = make(n_obs=5, inputs=30, hidden=30, spec=make_spec("gd", lr=1e-4))
    reference.run(rows - 2)
    before = state(s)
    twin = fork(s)
    twin.run(5)
    assert state(s) == before
    losses_before = s.losses().copy()
    adopt(s, twin)
    reference.run(5)
    assert state(s) == state(reference)
    np.testing.assert_array_equal(s.losses()[: rows - 1], losses_before)


def test_a_reset_twin_and_a_dropped_twin():
    s = make()
    s.run(6)
    before = state(s)
    twin = fork(s)
    twin.reset()
    assert twin.n_updates == 0 and state(s) == before  # dropping the twin: nothing happened
    adopt(s, twin)
    assert s.n_updates == 0 and s.cursor == (0, 0)
    np.testing.assert_array_equal(s.theta(), make().theta())
