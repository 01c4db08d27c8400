"""A network run whose gradient vanished only because a layer saturated is stopped, not converged
(at lr 100 several presets used to report "converged" on a plateau of poor fit)."""

import numpy as np
import pytest

from engine import presets
from engine.optimizers import make_spec
from engine.scenario import load_scenario
from engine.scenario_builders import build_training_session
from engine.status import CONVERGED, STOPPED


def _session(name: str, optimizer: str, lr: float):
    session = build_training_session(load_scenario(presets.resolve(name)))
    session.set_spec(make_spec(optimizer, lr=lr))
    return session


def test_a_saturated_sigmoid_layer_at_lr_100_is_stopped_and_says_why():
    s = _session("matt-mazur", "adam", 100.0)
    s.run(300)
    status = s.status
    assert status.state == STOPPED, status.reason
    assert "saturated" in status.reason and "plateau, not a minimum" in status.reason
    rec = s.record()
    # by hand: every sigmoid unit of the named layer has a(1 - a) < 1e-6 on every observation
    layer = int(status.reason.split("every unit of layer ")[1].split()[0])
    a = rec.a[layer]
    assert np.max(a * (1 - a)) < 1e-6
    assert np.max(np.abs(rec.residual)) > 1e-3   # and the fit is poor
    assert "try a smaller learning rate" in status.reason


def test_an_exact_fit_still_converges_even_with_a_saturated_hidden_layer():
    s = _session("lecture-backprop", "adagrad", 100.0)
    s.run(300)
    assert s.status.state == CONVERGED
    assert np.max(np.abs(s.record().residual)) < 1e-6


def test_an_ordinary_run_converges_as_before():
    s = _session("lecture-backprop", "gd", 0.1)
    s.run(20_000)
    assert s.status.state == CONVERGED and "gradient below" in s.status.reason
    rec = s.record()
    a = rec.a[1]
    assert np.max(a * (1 - a)) > 0.1   # nothing saturated
