"""TrainingSession: stepping at every granularity, exact rewind, modes, frozen, divergence, memory."""

import math
import tracemalloc

import numpy as np
import pytest

from engine.backprop import backward
from engine.network import LECTURE_INPUTS, LECTURE_TARGETS, Layer, Network, glorot, lecture_network
from engine.optimizers import make_spec
from engine.training import TrainingError, TrainingMode, TrainingSession


def lecture_session(**kw):
    kw.setdefault("spec", make_spec("gd", lr=0.1))
    return TrainingSession(lecture_network(), LECTURE_INPUTS, LECTURE_TARGETS, **kw)


def small_problem(n=7, seed=4):
    rng = np.random.default_rng(seed)
    net = glorot(2, [3, 1], ["tanh", "identity"], rng)
    X = rng.normal(size=(n, 2))
    Y = rng.normal(size=(n, 1))
    return net, X, Y


def same_record(r1, r2):
    assert r1.loss == r2.loss
    np.testing.assert_array_equal(r1.theta, r2.theta)
    np.testing.assert_array_equal(r1.gradient, r2.gradient)
    np.testing.assert_array_equal(r1.rows, r2.rows)
    for l in range(1, r1.network.depth + 1):
        np.testing.assert_array_equal(r1.z[l], r2.z[l])
        np.testing.assert_array_equal(r1.a[l], r2.a[l])
        np.testing.assert_array_equal(r1.delta[l], r2.delta[l])


def snapshot(s):
    part = s.partial()
    return (s.cursor, s.theta().copy(), s.optimizer_state, part.gradient.copy(),
            s.record().loss, s.last_phase)


def assert_same_snapshot(a, b):
    assert a[0] == b[0]
    np.testing.assert_array_equal(a[1], b[1])
    assert a[2] == b[2]
    np.testing.assert_array_equal(a[3], b[3])
    assert a[4] == b[4]
    assert a[5] == b[5]


def test_first_update_is_gd_on_the_lecture_gradient():
    s = lecture_session()
    s.step_iteration()
    rec = backward(lecture_network(), LECTURE_INPUTS, LECTURE_TARGETS)
    np.testing.assert_allclose(s.theta(), lecture_network().theta() - 0.1 * rec.gradient,
                               rtol=1e-15)
    assert s.cursor == (1, 0)
    assert s.losses()[0] == pytest.approx(rec.loss, rel=1e-15)
    assert s.losses()[1] < s.losses()[0]


def test_full_batch_gradient_is_the_sum_of_per_observation_gradients():
    net, X, Y = small_problem()
    s = TrainingSession(net, X, Y, spec=make_spec("gd", lr=0.05))
    per_obs = [backward(net, X[i:i + 1], Y[i:i + 1]).gradient for i in range(len(X))]
    np.testing.assert_allclose(s.record().gradient, np.sum(per_obs, axis=0), rtol=1e-12)
    s.step_iteration()
    np.testing.assert_allclose(s.theta(), net.theta() - 0.05 * np.sum(per_obs, axis=0),
                               rtol=1e-12)


def test_online_epoch_equals_stepping_by_hand():
    net, X, Y = small_problem()
    s = TrainingSession(net, X, Y, training="online", spec=make_spec("gd", lr=0.05))
    s.run(len(X))
    theta = net.theta()
    for i in range(len(X)):
        g = backward(net.with_theta(theta), X[i:i + 1], Y[i:i + 1]).gradient
        theta = theta - 0.05 * g
    np.testing.assert_allclose(s.theta(), theta, rtol=1e-13)
    assert [int(s.batch_rows(t)[0]) for t in range(len(X))] == list(range(len(X)))


def test_mini_batch_is_a_seeded_shuffle_per_epoch():
    net, X, Y = small_problem(n=10)
    a = TrainingSession(net, X, Y, training=TrainingMode("mini_batch", 3), seed=11)
    b = TrainingSession(net, X, Y, training={"mini_batch": 3}, seed=11)
    c = TrainingSession(net, X, Y, training=TrainingMode("mini_batch", 3), seed=12)
    assert a.batches_per_epoch == 4
    for epoch in range(3):
        rows = np.concatenate([a.batch_rows(epoch * 4 + b_) for b_ in range(4)])
        assert sorted(rows.tolist()) == list(range(10))
    assert [len(a.batch_rows(t)) for t in range(4)] == [3, 3, 3, 1]
    a.run(9)
    b.run(9)
    c.run(9)
    np.testing.assert_array_equal(a.theta(), b.theta())
    assert not np.array_equal(a.theta(), c.theta())
    # the update used exactly the batch's gradient
    t = 5
    rows = a.batch_rows(t)
    g = backward(net.with_theta(a.parameters_at(t)), X[rows], Y[rows]).gradient
    np.testing.assert_allclose(a.parameters_at(t + 1), a.parameters_at(t) - a.spec.lr * g,
                               rtol=1e-13)


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam", "rmsprop"])
def test_frozen_parameters_never_change(optimizer):
    frozen = ["w(1)[1,2]", "b(2)[1]"]
    s = lecture_session(spec=make_spec(optimizer, lr=0.05), frozen=frozen)
    s.run(50)
    idx = [lecture_network().param_index(n) for n in frozen]
    path = s.parameter_path(frozen)
    assert np.all(path == lecture_network().theta()[idx])
    state = s.optimizer_state
    for arr in state.arrays().values():
        assert np.all(arr[idx] == 0.0)
    others = np.setdiff1d(np.arange(9), idx)
    assert np.all(s.theta()[others] != lecture_network().theta()[others])
    assert s.frozen == frozenset(frozen)


def test_phases_in_lecture_order_with_texts():
    s = lecture_session()
    texts = []
    for _ in range(s.n_phases()):
        texts.append(s.step_phase().text)
    assert texts == [
        "Forward: inputs → layer 1, observation 1", "Forward: layer 1 → layer 2, observation 1",
        "Loss: observation 1", "Backward: loss → layer 2, observation 1",
        "Backward: layer 2 → layer 1, observation 1",
        "Forward: inputs → layer 1, observation 2", "Forward: layer 1 → layer 2, observation 2",
        "Loss: observation 2", "Backward: loss → layer 2, observation 2",
        "Backward: layer 2 → layer 1, observation 2", "Update: gd, lr 0.1"]
    assert s.cursor == (1, 0)


def test_partial_state_shows_only_what_is_computed():
    s = lecture_session()
    rec = s.record()
    part = s.partial()
    assert part.z(0, 1) is None and part.a(0, 1) is None and part.delta(0, 2) is None
    np.testing.assert_array_equal(part.a(0, 0), [3.0, -2.0])
    assert np.all(part.gradient == 0)
    s.step_phase()
    part = s.partial()
    np.testing.assert_array_equal(part.z(0, 1), rec.z[1][0])
    assert part.z(0, 2) is None and part.loss_of(0) is None
    s.step_phase()
    s.step_phase()
    assert s.partial().loss_of(0) == rec.per_obs_loss[0]
    s.step_phase()  # delta(2) of observation 1: gives the layer-2 gradient of observation 1
    part = s.partial()
    np.testing.assert_array_equal(part.delta(0, 2), rec.delta[2][0])
    assert part.delta(0, 1) is None
    np.testing.assert_allclose(part.gradient[6:], rec.per_obs_grad[0, 6:], rtol=1e-15)
    assert np.all(part.gradient[:6] == 0)
    s.step_observation()  # finishes observation 1
    np.testing.assert_allclose(s.partial().gradient, rec.per_obs_grad[0], rtol=1e-15)
    assert s.partial().observations_done == 1
    s.step_observation()  # observation 2
    part = s.partial()
    assert part.complete and part.z(1, 2) is not None
    np.testing.assert_allclose(part.gradient, rec.gradient, rtol=1e-14)
    assert s.next_phase.kind == "update"
    s.step_observation()  # nothing left but the update
    assert s.cursor == (1, 0)


def test_back_and_forward_reproduce_every_state_exactly():
    net, X, Y = small_problem(n=4)
    s = TrainingSession(net, X, Y, training=TrainingMode("mini_batch", 3), spec=make_spec("adam", lr=0.05),
                        checkpoint_every=3)
    rng = np.random.default_rng(0)
    seen = {}
    moves = rng.choice(["phase", "observation", "iteration"], size=60)
    for g in moves:
        s.step(g)
        seen[s.cursor] = snapshot(s)
    # walk all the way back at mixed granularities, comparing with what was seen
    while s.back(rng.choice(["phase", "observation", "iteration"])):
        if s.cursor in seen:
            assert_same_snapshot(snapshot(s), seen[s.cursor])
    assert s.cursor == (0, 0)
    for g in moves:
        s.step(g)
        assert_same_snapshot(snapshot(s), seen[s.cursor])


def test_jump_restores_records_and_optimizer_state_exactly():
    net, X, Y = small_problem()
    stepped = TrainingSession(net, X, Y, spec=make_spec("momentum", lr=0.02),
                              checkpoint_every=8)
    states, records = [stepped.optimizer_state], [stepped.record()]
    for _ in range(30):
        stepped.step_iteration()
        states.append(stepped.optimizer_state)
        records.append(stepped.record())
    ran = TrainingSession(net, X, Y, spec=make_spec("momentum", lr=0.02), checkpoint_every=8)
    ran.run(30)
    for k in [30, 3, 17, 0, 29, 8, 9]:
        ran.jump(k)
        assert ran.optimizer_state == states[k]
        same_record(ran.record(), records[k])
    ran.jump(12)
    ran.step_iteration()
    same_record(ran.record(), records[13])


def test_run_matches_step_iteration_bit_for_bit():
    for training in ["full_batch", "online", TrainingMode("mini_batch", 2)]:
        net, X, Y = small_problem(n=5)
        a = TrainingSession(net, X, Y, training=training, spec=make_spec("rmsprop", lr=0.01))
        b = TrainingSession(net, X, Y, training=training, spec=make_spec("rmsprop", lr=0.01))
        a.run(25)
        for _ in range(25):
            b.step_iteration()
        np.testing.assert_array_equal(a.theta(), b.theta())
        np.testing.assert_array_equal(a.losses(), b.losses())
        assert a.optimizer_state == b.optimizer_state


def test_large_learning_rate_diverges_with_a_reason():
    s = lecture_session(spec=make_spec("gd", lr=100.0))
    taken = s.run(1000)
    status = s.status
    assert status.state == "diverged"
    assert f"iteration {status.iteration}" in status.reason
    assert "smaller learning rate" in status.reason
    assert taken == s.n_updates < 1000
    assert np.all(np.isfinite(s.theta()))
    assert np.all(np.isfinite(s.losses()))
    assert s.step_iteration() is None and s.step_phase() is None
    assert s.next_phase is None
    s.back()
    assert s.status.state == "running"


def test_divergence_through_phase_stepping_is_a_status_too():
    s = lecture_session(spec=make_spec("gd", lr=100.0))
    for _ in range(200):
        s.step_phase()
    assert s.status.state == "diverged"
    assert np.all(np.isfinite(s.theta()))


def test_convergence_status():
    s = lecture_session(tol=1e-6)
    s.run(100000)
    assert s.status.state == "converged"
    assert np.max(np.abs(s.record().gradient)) < 1e-6
    assert s.run(10) == 0


def test_set_spec_drops_the_future_and_continues():
    s = lecture_session()
    s.run(20)
    s.jump(10)
    s.set_spec(make_spec("gd", lr=0.2))
    assert s.n_updates == 10
    s.step_iteration()
    expected = s.parameters_at(10) - 0.2 * s.record_at(10).gradient
    np.testing.assert_allclose(s.theta(), expected, rtol=1e-15)
    s.jump(5)
    assert s.spec.lr == 0.1


def test_set_parameter_edits_the_current_state():
    s = lecture_session()
    s.run(3)
    s.set_parameter("w(2)[1,1]", 2.0)
    assert s.theta()[6] == 2.0
    assert s.record().network.param("w(2)[1,1]") == 2.0
    assert s.losses()[-1] == pytest.approx(s.record().loss)


def test_reset_returns_to_the_start():
    s = lecture_session()
    s.run(5)
    s.reset()
    assert s.cursor == (0, 0) and s.n_updates == 0
    np.testing.assert_array_equal(s.theta(), lecture_network().theta())


def test_predict_loss_at_and_landscape():
    s = lecture_session()
    np.testing.assert_array_equal(s.predict(LECTURE_INPUTS), s.record().output)
    assert s.loss_at(s.theta()) == s.record().loss
    xs = np.linspace(-1, 1, 5)
    ys = np.linspace(0, 2, 4)
    grid = s.landscape("w(2)[1,1]", "b(2)[1]", xs, ys)
    assert grid.shape == (4, 5)
    for iy, yv in enumerate(ys):
        for ix, xv in enumerate(xs):
            theta = np.array(s.theta())
            theta[6], theta[8] = xv, yv
            assert grid[iy, ix] == pytest.approx(s.loss_at(theta), rel=1e-12)


def test_bad_settings_are_rejected():
    with pytest.raises(TrainingError, match="training.mini_batch: expected a whole number >= 1, got 0"):
        lecture_session(training={"mini_batch": 0})
    with pytest.raises(TrainingError, match='training: unknown training mode "stochastic"'):
        lecture_session(training="stochastic")
    with pytest.raises(TrainingError, match="training: expected text, got tuple"):
        lecture_session(training=("mini_batch", 2))
    with pytest.raises(TrainingError, match="newton needs a Hessian"):
        lecture_session(spec=make_spec("newton"))
    with pytest.raises(ValueError, match="no parameter 'w\\(3\\)\\[1,1\\]'"):
        lecture_session(frozen=["w(3)[1,1]"])
    with pytest.raises(TrainingError, match="unknown granularity"):
        lecture_session().step("epoch")
    with pytest.raises(TrainingError, match="inputs must be finite"):
        TrainingSession(lecture_network(), np.array([[np.nan, 1.0]]), np.array([[1.0]]))
    with pytest.raises(TrainingError, match="2 input rows but 1 target rows"):
        TrainingSession(lecture_network(), LECTURE_INPUTS, np.array([[1.0]]))
    with pytest.raises(ValueError, match=r"inputs: expected \(n_obs, 2\), got shape \(2, 3\)"):
        TrainingSession(lecture_network(), np.zeros((2, 3)), LECTURE_TARGETS)


def test_history_memory_per_update_is_small():
    # 100,000 updates: the session's own account of its arrays
    s = lecture_session(spec=make_spec("gd", lr=1e-4), tol=0)
    s.run(100_000)
    assert s.n_updates == 100_000
    assert s.memory_bytes() / 100_000 < 150  # so 1,000,000 updates stay far under 300 MB
    assert math.isfinite(s.losses()[-1])
    # and what Python actually allocates (Adam keeps two state vectors) agrees with it
    s = lecture_session(spec=make_spec("adam", lr=1e-4), tol=0)
    s.run(100)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    s.run(10_000)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert (after - before) / 10_000 < 150


@pytest.mark.parametrize("loss,out_act,n_out", [("mse", "identity", 2),
                                                ("cross_entropy", "softmax", 3),
                                                ("binary_cross_entropy", "sigmoid", 1)])
def test_landscape_matches_loss_at_for_every_kind_of_loss(loss, out_act, n_out):
    rng = np.random.default_rng(8)
    net = glorot(2, [4, n_out], ["relu", out_act], rng)
    X = rng.normal(size=(9, 2))
    if loss == "cross_entropy":
        Y = rng.integers(0, n_out, size=9)
    elif loss == "binary_cross_entropy":
        Y = rng.integers(0, 2, size=(9, 1)).astype(float)
    else:
        Y = rng.normal(size=(9, n_out))
    s = TrainingSession(net, X, Y, loss=loss, spec=make_spec("gd", lr=0.05))
    xs, ys = np.linspace(-1, 1, 3), np.linspace(-0.5, 0.5, 2)
    grid = s.landscape("w(1)[1,1]", f"b(2)[{n_out}]", xs, ys)
    i, j = net.param_index("w(1)[1,1]"), net.param_index(f"b(2)[{n_out}]")
    for iy, yv in enumerate(ys):
        for ix, xv in enumerate(xs):
            theta = np.array(s.theta())
            theta[i], theta[j] = xv, yv
            assert grid[iy, ix] == pytest.approx(s.loss_at(theta), rel=1e-12)


def test_classification_session_learns_and_predicts_probabilities():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(40, 2))
    labels = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)
    net = glorot(2, [6, 3], ["tanh", "softmax"], rng)
    s = TrainingSession(net, X, labels, loss="cross_entropy", training=TrainingMode("mini_batch", 8),
                        spec=make_spec("adam", lr=0.05), seed=3)
    s.run(200)
    losses = s.losses()
    assert losses[-1] < 0.5 * losses[0]
    probs = s.predict(X)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert np.mean(probs.argmax(axis=1) == labels) > 0.8
    np.testing.assert_array_equal(s.record().targets, np.eye(3)[labels])


def test_accuracy_at_the_cursor_by_hand():
    # one sigmoid node a = sigmoid(x): classes 0, 1, 1, 0 for x = -2, 1, 3, -1
    net = Network(1, (Layer(1, "sigmoid", np.array([[1.0]]), np.array([0.0])),))
    X = np.array([[-2.0], [1.0], [3.0], [-1.0]])
    s = TrainingSession(net, X, np.array([[0.0], [1.0], [0.0], [0.0]]), loss="binary_cross_entropy")
    assert s.accuracy() == 0.75
    # softmax of z = x W.T: class = the larger input for W = I
    net = Network(2, (Layer(2, "softmax", np.eye(2), np.zeros(2)),))
    X = np.array([[1.0, 0.0], [0.0, 2.0], [3.0, 1.0], [0.5, 0.0], [0.0, 1.0]])
    s = TrainingSession(net, X, np.array([0, 1, 1, 1, 0]), loss="cross_entropy")
    assert s.accuracy() == pytest.approx(2 / 5)
    assert lecture_session().accuracy() is None  # sse does not classify


def test_session_keeps_its_training_mode():
    net, X, Y = small_problem(n=7)
    s = TrainingSession(net, X, Y, training={"mini_batch": 3})
    assert s.training == TrainingMode("mini_batch", 3) and (s.mode, s.batch_size) == ("mini_batch", 3)
    big = TrainingSession(net, X, Y, training=TrainingMode("mini_batch", 50))
    assert big.training == TrainingMode("mini_batch", 7) and big.batch_size == 7
    online = TrainingSession(net, X, Y, training="online")
    assert online.training == TrainingMode("online") and (online.mode, online.batch_size) == ("online", 1)
    full = TrainingSession(net, X, Y)
    assert full.training == TrainingMode() and (full.mode, full.batch_size) == ("full_batch", 7)


def test_batch_losses_and_full_losses():
    s = lecture_session()
    s.run(5)
    np.testing.assert_array_equal(s.batch_losses(), s.losses()[:-1])
    net, X, Y = small_problem(n=3)
    o = TrainingSession(net, X, Y, training="online", spec=make_spec("gd", lr=0.05))
    o.run(4)
    expected = [backward(net.with_theta(o.parameters_at(t)), X[t % 3:t % 3 + 1],
                         Y[t % 3:t % 3 + 1]).loss for t in range(4)]
    np.testing.assert_allclose(o.batch_losses(), expected, rtol=1e-14)
    full = [o.loss_at(o.parameters_at(t)) for t in range(5)]
    np.testing.assert_allclose(o.losses(), full, rtol=1e-14)
    np.testing.assert_allclose(o.losses(stride=2), full[::2], rtol=1e-14)


def test_large_online_data_computes_full_loss_once_per_epoch():
    rng = np.random.default_rng(0)
    net = glorot(2, [40, 1], ["tanh", "identity"], rng)
    X = rng.normal(size=(5000, 2))
    Y = rng.normal(size=(5000, 1))
    s = TrainingSession(net, X, Y, training=TrainingMode("mini_batch", 1000), spec=make_spec("gd", lr=1e-4))
    s.run(7)
    losses = s.losses()
    known = np.flatnonzero(np.isfinite(losses)).tolist()
    assert known == [0, 5, 7]  # the start, the epoch end and the current update
    assert losses[5] == pytest.approx(s.loss_at(s.parameters_at(5)), rel=1e-14)
    assert np.all(np.isfinite(s.batch_losses()))


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=25, deadline=None)
@given(mode=st.sampled_from(["full_batch", "online", TrainingMode("mini_batch", 2)]),
       optimizer=st.sampled_from(["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam"]),
       frozen=st.lists(st.sampled_from(["w(1)[1,1]", "b(1)[2]", "w(2)[1,3]"]), max_size=2),
       ops=st.lists(st.sampled_from(["phase", "observation", "iteration", "back", "back_it",
                                     "jump", "run"]), min_size=1, max_size=25),
       checkpoint_every=st.integers(1, 5))
def test_any_sequence_of_moves_lands_on_the_straight_run_state(mode, optimizer, frozen, ops,
                                                               checkpoint_every):
    net, X, Y = small_problem(n=3)
    spec = make_spec(optimizer, lr=0.05)
    s = TrainingSession(net, X, Y, training=mode, spec=spec, frozen=frozen,
                        checkpoint_every=checkpoint_every)
    for op in ops:
        if op == "back":
            s.back()
        elif op == "back_it":
            s.back("iteration")
        elif op == "jump":
            s.jump(s.n_updates // 2)
        elif op == "run":
            s.run(3)
        else:
            s.step(op)
    t, p = s.cursor
    straight = TrainingSession(net, X, Y, training=mode, spec=spec, frozen=frozen)
    for _ in range(t):
        straight.step_iteration()
    np.testing.assert_array_equal(s.theta(), straight.theta())
    assert s.optimizer_state == straight.optimizer_state
    for _ in range(p):
        straight.step_phase()
    np.testing.assert_array_equal(s.partial().gradient, straight.partial().gradient)
    same_record(s.batch_record(), straight.batch_record())


@pytest.mark.parametrize("optimizer,torch_name,params", [
    ("gd", "SGD", {}), ("momentum", "SGD", {"momentum": 0.9}),
    ("nesterov", "SGD", {"momentum": 0.9, "nesterov": True}), ("adagrad", "Adagrad", {}),
    ("rmsprop", "RMSprop", {}), ("adam", "Adam", {})])
def test_lecture_training_matches_pytorch(optimizer, torch_name, params):
    torch = pytest.importorskip("torch")
    net = lecture_network()
    s = lecture_session(spec=make_spec(optimizer, lr=0.05))
    s.run(20)
    l1 = torch.nn.Linear(2, 2).double()
    l2 = torch.nn.Linear(2, 1).double()
    with torch.no_grad():
        for lin, layer in ((l1, net.layers[0]), (l2, net.layers[1])):
            lin.weight.copy_(torch.from_numpy(np.array(layer.W)))
            lin.bias.copy_(torch.from_numpy(np.array(layer.b)))
    model = torch.nn.Sequential(l1, torch.nn.Sigmoid(), l2)
    opt = getattr(torch.optim, torch_name)(model.parameters(), lr=0.05, **params)
    X = torch.from_numpy(np.array(LECTURE_INPUTS))
    Y = torch.from_numpy(np.array(LECTURE_TARGETS))
    for _ in range(20):
        opt.zero_grad()
        loss = ((Y - model(X)) ** 2).sum()
        loss.backward()
        opt.step()
    theirs = np.concatenate([torch.cat([l.weight, l.bias[:, None]], dim=1).detach().numpy().ravel()
                             for l in (l1, l2)])
    np.testing.assert_allclose(s.theta(), theirs, rtol=1e-10, atol=1e-12)
