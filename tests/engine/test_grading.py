"""Grading typed answers: 3 significant figures, close calls, and the slip named with its numbers.

The lecture network's numbers are worked by hand (lecture 10): for observation 1, sigma(z(1)_1) =
sigma(-0.1) = 0.4750 and sigma' = 0.2494; dR/dw(1)[1,1] over both observations is -0.4042.
"""

import numpy as np
import pytest

from engine.exercises import exercise_for, make_exercise
from engine.grading import agrees, grade, read_number
from engine.scenario import load_scenario
from engine.scenario_builders import build_network
from engine.presets import folder


@pytest.fixture(scope="module")
def lecture():
    net = build_network(load_scenario(folder() / "lecture-backprop.json"))
    ex = exercise_for(net, np.array([[3.0, -2.0], [-1.0, 1.0]]), np.array([[1.2], [0.7]]), "sse", 0.1)
    from engine.exercises import Question
    q = Question("dR/dw(1)[1,1]", "gradient", ("dR/dw(1)[1,1]",), float(ex.record.gradient[0]))
    return ex, q


def test_numbers_are_read_without_evaluating_anything():
    assert read_number(" -0.851 ") == -0.851 and read_number("−0.851") == -0.851
    assert read_number("0,5") == 0.5 and read_number("2.5e-3") == 0.0025 and read_number(".5") == 0.5
    for text in ("", "2+3", "__import__('os')", "1/2", "0x10", "nan", "1e5000000"):
        assert read_number(text) is None


def test_three_significant_figures():
    assert agrees(-0.404, -0.4041523) and agrees(-0.4042, -0.4041523) and agrees(-0.40415, -0.4041523)
    assert not agrees(-0.405, -0.4041523) and not agrees(-0.403, -0.4041523)
    assert agrees(1230, 1234.4) and not agrees(1240, 1234.4)
    assert agrees(0.0, 0.0) and not agrees(0.001, 0.0)


def test_the_lecture_gradient_right_close_and_wrong(lecture):
    ex, q = lecture
    assert q.answer == pytest.approx(-0.4042, abs=5e-5)
    assert grade("-0.404", q, ex).outcome == "right"
    assert grade("-0.408", q, ex).outcome == "near"     # 1 % off: a value rounded along the way
    assert grade("3", q, ex).outcome == "wrong"
    assert grade("minus a half", q, ex).outcome == "unreadable"


def test_sigma_where_sigma_prime_belongs_is_named_with_its_numbers(lecture):
    ex, q = lecture
    # by hand: obs 1: -0.7810 * 0.6 * sigma(-0.1) * 3 = -0.6678; obs 2: 0.3653 * 0.6 * sigma(0.3) * (-1) = -0.1259
    v = grade("-0.794", q, ex)
    assert v.outcome == "wrong"
    assert "sigmoid(z) = 0.4750" in v.message and "0.2494" in v.message and "sigmoid'(z)" in v.message


def test_the_other_slips_are_named(lecture):
    ex, q = lecture
    assert "sign" in grade("0.404", q, ex).message
    assert "observation 1" in grade("-0.3506", q, ex).message   # -0.7810 * 0.6 * 0.2494 * 3
    assert "-(y − a)" in grade("-0.2021", q, ex).message          # the 2 of sse left out
    assert "left out dz/dw" in grade(f"{-0.7810 * 0.6 * 0.2494 + 0.3653 * 0.6 * 0.2445:.4f}", q, ex).message


@pytest.mark.parametrize("seed", range(12))
def test_every_exact_answer_is_right_and_a_far_one_is_not(seed):
    ex = make_exercise(seed)
    for q in ex.questions:
        assert grade(repr(q.answer), q, ex).right, q.key
        if abs(q.answer) > 1e-6:
            assert not grade(repr(q.answer * 1.5), q, ex).right, q.key
