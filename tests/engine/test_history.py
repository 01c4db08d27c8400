"""The training history's storage: packed chunks give back every stored number bit for bit."""

import numpy as np
import pytest

from engine.history import Settings, TrainingHistory, pack, unpack
from engine.optimizers import init, make_spec


def test_pack_round_trips_every_bit():
    rng = np.random.default_rng(3)
    block = np.cumsum(rng.normal(0, 1e-3, size=(500, 7)), axis=0)
    block[10, 2], block[11, 3], block[12, 4], block[13, 5] = np.nan, np.inf, -0.0, 5e-324
    back = unpack(pack(block), 500, 7)
    assert back.tobytes() == block.tobytes()
    # a settled run (the same parameters, row after row) packs to almost nothing
    still = np.tile(rng.normal(size=(1, 9)), (20000, 1))
    assert sum(map(len, pack(still))) < still.nbytes / 100


def _history(rows: np.ndarray) -> TrainingHistory:
    spec = make_spec("gd", lr=0.1)
    n = rows.shape[1]
    hist = TrainingHistory(rows[0], 1.0, Settings(0, spec, np.zeros(n, dtype=bool)),
                           init(spec, rows[0]), 64, lambda h, k, state: state.next_count())
    for k in range(1, len(rows)):
        hist.commit(k - 1, rows[k], float(k), init(spec, rows[k]))
    return hist


@pytest.fixture
def walk():
    """A random walk of 9 parameters over more updates than three chunks hold."""
    rng = np.random.default_rng(0)
    rows = 2 ** 21 // (8 * 11)
    return np.cumsum(rng.normal(0, 1e-2, size=(3 * rows + 100, 9)), axis=0)


def test_every_stored_row_reads_back_exactly(walk):
    hist = _history(walk)
    assert hist.count == len(walk)
    assert sum(isinstance(b, tuple) for b in hist._thetas) == 3  # the full chunks are packed
    for k in (0, 1, hist.rows - 1, hist.rows, 2 * hist.rows + 5, len(walk) - 1):
        assert hist.theta(k).tobytes() == walk[k].tobytes()
        assert hist.loss(k) == (1.0 if k == 0 else float(k))
    for stride in (1, 7, 500):
        assert hist.column(4, stride).tobytes() == walk[::stride, 4].tobytes()
    assert np.array_equal(hist.column(9, 1000), np.r_[1.0, np.arange(1000, len(walk), 1000)])
    packed = sum(sum(map(len, b)) for b in hist._thetas if isinstance(b, tuple))
    assert packed < 3 * hist.rows * 9 * 8  # a random walk packs too, if less


def test_truncating_into_a_packed_chunk_keeps_the_rest_and_writes_on(walk):
    hist = _history(walk)
    t = hist.rows + 10
    hist.truncate(t)
    assert hist.count == t + 1
    assert hist.theta(t).tobytes() == walk[t].tobytes()
    hist.set_theta(t, np.full(9, 0.5))
    hist.commit(t, np.full(9, 0.25), 2.0, hist.end_state)
    assert hist.theta(t).tolist() == [0.5] * 9 and hist.theta(t + 1).tolist() == [0.25] * 9
    assert hist.theta(5).tobytes() == walk[5].tobytes()
    assert hist.column(0)[:t].tobytes() == walk[:t, 0].tobytes()


def test_random_low_bytes_are_stored_and_zero_ones_compressed():
    """A moving parameter's least significant bytes are noise: stored as they are (zlib would spend
    its time there for nothing); a slow or settled one's are mostly zero: compressed. Both exact."""
    from engine.history import _pack_column, _unpack_column

    rng = np.random.default_rng(1)
    moving = 0.3 + np.cumsum(rng.normal(0, 1e-3, 216))
    settled = np.full(216, 0.25)
    settled[100:] = 0.5
    packed_moving, packed_settled = _pack_column(moving), _pack_column(settled)
    assert 5 <= packed_moving[0] <= 6  # the first byte: how many low byte planes are stored raw
    assert packed_settled[0] == 0
    for values, data in ((moving, packed_moving), (settled, packed_settled)):
        assert _unpack_column(data, 216).tobytes() == values.tobytes()
    assert len(packed_moving) < moving.nbytes and len(packed_settled) < 60
