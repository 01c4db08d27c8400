"""Basins of attraction come from real descent runs: known minima, discovered minima, divergence."""

import numpy as np

from engine.basins import DIVERGES, ELSEWHERE, BasinMap, basin_labels
from engine.functions import from_expression, preset
from engine.optimizers import make_spec

GLOBAL_MIN, LOCAL_MIN, LOCAL_MAX = -2.6196, 1.1479, 0.2217


def test_lecture_quartic_splits_at_the_local_maximum():
    xs = np.linspace(-3.5, 2.2, 58)
    labels, minima = basin_labels(preset("lecture_quartic"), make_spec("gd", lr=0.01), xs[:, None])
    assert np.allclose(np.sort(minima[:, 0]), [GLOBAL_MIN, LOCAL_MIN], atol=1e-3)
    global_index = int(np.argmin(minima[:, 0]))
    # Gradient descent from a start left of the maximum goes left, from the right goes right.
    assert np.all(labels[xs < LOCAL_MAX - 0.05] == global_index)
    assert np.all(labels[xs > LOCAL_MAX + 0.05] == 1 - global_index)


def test_too_large_a_step_reaches_no_minimum():
    # lr 0.05 exceeds 2/f'' at both minima (0.0156 and 0.048), so no start settles in one:
    # left of the maximum the runs blow up; near the local minimum they end up oscillating.
    xs = np.linspace(-3.0, 2.0, 21)
    labels, _ = basin_labels(preset("lecture_quartic"), make_spec("gd", lr=0.05), xs[:, None])
    assert np.all(labels < 0)
    assert np.all(labels[(xs > -2.3) & (xs < 0.1)] == DIVERGES)


def test_newton_from_near_the_maximum_ends_elsewhere():
    basins = BasinMap(preset("lecture_quartic"), make_spec("newton"))
    assert basins.label(np.array([0.3])) == ELSEWHERE  # the maximum at 0.2217 is no minimum


def test_minima_of_a_typed_formula_are_discovered_from_the_runs():
    objective = from_expression("x^4 - 2*x^2", 1)  # minima at -1 and +1, maximum at 0
    labels, minima = basin_labels(objective, make_spec("gd", lr=0.05), np.array([[-1.7], [-0.4], [0.4], [1.7]]))
    assert np.allclose(np.sort(minima[:, 0]), [-1.0, 1.0], atol=1e-4)
    assert labels[0] == labels[1] != labels[2] == labels[3]
