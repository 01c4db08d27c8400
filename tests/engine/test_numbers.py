"""engine.numbers: the one number format of the window, the command line and the notes."""

import pytest

from engine.numbers import format_number, format_vector, number_parts


@pytest.mark.parametrize("value, digits, text", [
    (0.0, 4, "0"), (-0.0, 4, "0"), (0.390495, 4, "0.3905"), (-0.0999999, 4, "-0.1000"), (3.0, 4, "3"),
    (1234.5, 4, "1234"), (12345.0, 4, "1.234e4"), (0.00001234, 3, "1.23e-5"),
    (float("inf"), 4, "inf"), (float("-inf"), 4, "-inf"), (float("nan"), 4, "nan"),
    # the examples: the nudge table's 0.141 and the status bar's -5.663e-05
    (0.14098, 4, "0.1410"), (0.47502, 4, "0.4750"), (-5.6634e-5, 4, "-5.663e-5"),
    (1.14790435, 4, "1.148"), (-96.81168, 4, "-96.81"), (1.99e-6, 4, "1.99e-6"), (1.9900001e-6, 4, "1.990e-6"), (123456.0, 4, "1.235e5"),
    (9.9996, 4, "10.00"), (0.0001, 4, "0.0001"), (0.00010001, 4, "0.0001000"), (0.00009999, 4, "9.999e-5"), (-0.35058, 2, "-0.35"),
])
def test_format_number_gives_significant_figures_with_their_trailing_zeros(value: float, digits: int,
                                                                            text: str) -> None:
    assert format_number(value, digits) == text


@pytest.mark.parametrize("value, text", [
    (0.2, "0.2"), (-2.0, "-2"), (1.2, "1.2"), (0.5, "0.5"), (0.475, "0.475"), (1e6, "1e6"), (-2.5e-7, "-2.5e-7"),
    # one ulp away from a short decimal is a computed number: four figures, trailing zeros kept
    (0.49999999999999994, "0.5000"), (0.30000000000000004, "0.3000"),
])
def test_exact_short_decimals_are_written_as_typed(value: float, text: str) -> None:
    assert format_number(value) == text


def test_four_significant_figures_by_default() -> None:
    assert format_number(0.80948) == "0.8095"


def test_number_parts_split_off_the_power_of_ten() -> None:
    assert number_parts(-5.6634e-5) == ("-5.663", -5)
    assert number_parts(0.80948) == ("0.8095", None)
    assert number_parts(float("inf")) == ("inf", None)


def test_format_vector_brackets_several_values_only() -> None:
    assert format_vector([3.0, -2.0]) == "(3, -2)"
    assert format_vector([1.2]) == "1.2"
    assert format_vector([0.80948, 0.1]) == "(0.8095, 0.1)"


def test_digits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="digits must be >= 1, got 0"):
        format_number(1.0, 0)
