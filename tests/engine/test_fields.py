"""Field checks of decoded JSON: each message starts with the field's path and says what is allowed."""

import math

import numpy as np
import pytest

from engine.fields import (FieldError, check_integer, check_matrix, check_name, check_number, check_object,
                           check_text, check_vector, describe, join_path, one_of)
from engine.scenario import ScenarioError


def test_paths_and_descriptions():
    assert join_path("", "loss") == "loss"
    assert join_path("network", "layers") == "network.layers"
    assert join_path("network.layers", 1) == "network.layers[1]"
    assert [describe(v) for v in (None, True, False, 2, 0.5, math.nan, math.inf, -math.inf,
                                  "x", [1], {"a": 1})] == \
        ["null", "true", "false", "2", "0.5", "NaN", "Infinity", "-Infinity", '"x"', "a list", "an object"]
    assert one_of(("a",)) == "a" and one_of(("a", "b", "c")) == "a, b or c"


@pytest.mark.parametrize("call, message", [
    (lambda: check_object([], "data", ("n",)), "data: expected an object {...}, got a list"),
    (lambda: check_object({"nose": 1}, "data", ("n", "noise")), 'data.nose: unknown field; did you mean "noise"?'),
    (lambda: check_object({"zzz": 1}, "data", ("n", "noise")), "data.zzz: unknown field; allowed: n, noise"),
    (lambda: check_object({}, "data", ("n",), ("n",)), "data.n: missing (required)"),
    (lambda: check_number("1", "lr"), 'lr: expected a number, got "1"'),
    (lambda: check_number(math.nan, "lr"), "lr: expected a finite number, got NaN"),
    (lambda: check_number(0, "lr", positive=True), "lr: expected a number > 0, got 0"),
    (lambda: check_number(-1.5, "noise", nonnegative=True), "noise: expected a number >= 0, got -1.5"),
    (lambda: check_integer(0, "n", 1), "n: expected a whole number >= 1, got 0"),
    (lambda: check_integer(False, "n", 0), "n: expected a whole number >= 0, got false"),
    (lambda: check_text(3, "title"), "title: expected text, got 3"),
    (lambda: check_name("tahn", "act", ("tanh", "relu"), "activation"),
     'act: unknown activation "tahn" (did you mean "tanh"?); expected tanh or relu'),
    (lambda: check_matrix([[1, 2], [3]], "w", 2, 2), "w: expected 2x2, got rows of different lengths (2, 1)"),
    (lambda: check_matrix([[1, 2]], "w", 2, 2), "w: expected 2x2, got 1x2"),
    (lambda: check_matrix([[1, "a"]], "w", 1, 2), 'w[0][1]: expected a number, got "a"'),
    (lambda: check_vector([1], "b", 2), "b: expected 2 numbers, got 1"),
    (lambda: check_vector(1, "b", 1), "b: expected a list of 1 number, got 1"),
])
def test_each_check_names_the_field(call, message):
    with pytest.raises(FieldError) as info:
        call()
    assert str(info.value) == message


def test_good_values_come_back_typed():
    assert check_integer(3.0, "n", 1) == 3 and isinstance(check_integer(3.0, "n", 1), int)
    assert check_number(2, "lr", positive=True) == 2.0
    np.testing.assert_array_equal(check_matrix([[1, 2], [3, 4]], "w", None, 2), [[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(check_vector([0.5, 1], "b", 2), [0.5, 1.0])


def test_scenario_errors_are_field_errors():
    e = ScenarioError("training", "bad")
    assert isinstance(e, FieldError) and e.field == "training" and e.problem == "bad"
    assert str(e) == "training: bad" and str(FieldError("", "bad")) == "bad"
