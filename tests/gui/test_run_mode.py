"""Run mode's iterations per frame follow elapsed time: the requested speed at any frame rate.

The frames are driven by hand with a fake clock, so the figures are exact and the test does not
depend on the machine's speed: each step "costs" a fixed time on that clock.
"""

import pytest

from gui.common.workspace import MAX_FRAME_GAP_S, STEP_SHARE, SteppingController


class FakeClock:
    """Seconds that pass only when the test (or a fake step) says so."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class CostlyCounter(SteppingController):
    """A controller whose every step costs ``step_cost_s`` on the fake clock."""

    def __init__(self, clock: FakeClock, step_cost_s: float) -> None:
        super().__init__()
        self.clock = clock
        self.step_cost_s = step_cost_s
        self.position = 0
        self.chunks: list[int] = []

    def step(self, n: int = 1) -> None:
        self.position += n
        self.chunks.append(n)
        self.clock.now += n * self.step_cost_s
        self.last_step_seconds = n * self.step_cost_s

    @property
    def cursor(self) -> int:
        return self.position

    @property
    def finished(self) -> bool:
        return False


def run_frames(c: CostlyCounter, clock: FakeClock, period_s: float, frames: int) -> float:
    """Drive ``frames`` run-mode frames ``period_s`` apart; returns iterations per second taken."""
    c.set_frame_interval(10_000)  # the real timer never fires: the test drives the frames
    c.set_running(True)
    start_pos, start_time = c.position, clock.now
    next_frame = clock.now
    for _ in range(frames):
        next_frame += period_s
        clock.now = max(clock.now, next_frame)  # a frame starts after the last one's stepping
        c._on_frame()
    c.set_running(False)
    return (c.position - start_pos) / (clock.now - start_time)


@pytest.mark.parametrize("period_s", [1 / 60, 1 / 20, 1 / 8])
def test_requested_speed_is_delivered_at_a_slow_frame_rate(qapp, period_s):
    clock = FakeClock()
    c = CostlyCounter(clock, step_cost_s=100e-6)  # 0.1 ms a step: 2,000 it/s take 20 % of the time
    c.set_speed(2000.0)
    rate = run_frames(c, clock, period_s, frames=200)
    assert rate == pytest.approx(2000.0, rel=0.03)
    # Frame after frame, the chunk is what the elapsed time asks for, not a 60 Hz assumption.
    assert c.chunks[-1] == pytest.approx(2000.0 * period_s, abs=1)


def test_an_impossible_speed_takes_a_share_of_each_frame_and_keeps_frames_coming(qapp):
    clock = FakeClock()
    c = CostlyCounter(clock, step_cost_s=100e-6)  # at most 10,000 it/s with the whole machine
    c.set_speed(50_000.0)
    period = 1 / 20
    run_frames(c, clock, period, frames=100)
    # Each frame's stepping stays within its share of the frame, so painting keeps the rest.
    stepping = c.chunks[-1] * c.step_cost_s
    assert stepping <= STEP_SHARE * period * 1.05
    assert stepping >= STEP_SHARE * period * 0.8


def test_the_first_frame_takes_one_step_until_the_cost_is_known(qapp):
    clock = FakeClock()
    c = CostlyCounter(clock, step_cost_s=0.05)  # a heavy network: 50 ms a step
    c.set_speed(5000.0)
    run_frames(c, clock, 1 / 60, frames=3)
    assert c.chunks[0] == 1, "no multi-second freeze on the first frame"
    assert max(c.chunks) * c.step_cost_s <= STEP_SHARE * MAX_FRAME_GAP_S + c.step_cost_s
