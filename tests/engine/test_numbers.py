"""engine.numbers: the one number format of the window, the command line and the notes."""

import pytest

from engine.numbers import format_number, format_vector, number_parts


@pytest.mark.parametrize("value, digits, text", [
    (0.0, 4, "0"), (-0.0, 4, "0"), (0.390495, 4, "0.3905"), (-0.0999999, 4, "-0.1000"), (3.0, 4, "3.000"),
    (1234.5, 4, "1234"), (12345.0, 4, "1.234e4"), (0.00001234, 3, "1.23e-5"),
    (float("inf"), 4, "inf"), (float("-inf"), 4, "-inf"), (float("nan"), 4, "nan"),
    # the examples: the nudge table's 0.141 and the status bar's -5.663e-05
    (0.14098, 4, "0.1410"), (0.47502, 4, "0.4750"), (-5.6634e-5, 4, "-5.663e-5"),
    (1.14790435, 4, "1.148"), (-96.81168, 4, "-96.81"), (1.99e-6, 4, "1.990e-6"), (123456.0, 4, "1.235e5"),
    (9.9996, 4, "10.00"), (0.0001, 4, "0.0001000"), (0.00009999, 4, "9.999e-5"), (-0.35058, 2, "-0.35"),
])
def test_format_number_gives_significant_figures_with_their_trailing_zeros(value: float, digits: int,
                                                                            text: str) -> None:
    assert format_number(value, digits) == text


def test_four_significant_figures_by_default() -> None:
    assert format_number(0.80948) == "0.8095"


def test_number_parts_split_off_the_power_of_ten() -> None:
    assert number_parts(-5.6634e-5) == ("-5.663", -5)
    assert number_parts(0.80948) == ("0.8095", None)
    assert number_parts(float("inf")) == ("inf", None)


def test_format_vector_brackets_several_values_only() -> None:
    assert format_vector([3.0, -2.0]) == "(3.000, -2.000)"
    assert format_vector([1.2]) == "1.200"
    assert format_vector(0.7, 2) == "0.70"


def test_digits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="digits must be >= 1, got 0"):
        format_number(1.0, 0)
