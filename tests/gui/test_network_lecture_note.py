"""The network workspace's lecture banner: shown for the lecture example only, with the engine's numbers."""

import re

from engine.explain import LECTURE_SLIPS
from gui.network_controller import NetworkController
from gui.panels.nudge_table import LECTURE_NOTE

DECIMAL = re.compile(r"\d+\.\d+")


def test_banner_states_the_same_slips_as_the_engine() -> None:
    banner = set(DECIMAL.findall(LECTURE_NOTE))
    engine = set(DECIMAL.findall(" ".join(LECTURE_SLIPS)))
    assert banner <= engine
    # the command line also writes out how the first residual is computed
    assert engine - banner == {"1.2", "0.8095"}


def test_controller_detects_the_lecture_example_by_its_start(qapp) -> None:
    c = NetworkController()
    assert c.is_lecture_example
    c.step(3)
    assert c.is_lecture_example  # the printed numbers are those of the start, which is unchanged
    c.jump(0)
    c.set_parameter("w(1)[1,1]", 0.25)
    assert not c.is_lecture_example
    c.use_lecture()
    assert c.is_lecture_example
    c.use_builtin("xor", 40, 0.1, 1)
    assert not c.is_lecture_example
