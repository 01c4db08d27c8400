"""engine.notation: lecture notation as data, written as plain text and as LaTeX."""

import pytest

from engine.network import parse_param_name
from engine.notation import Derivative, Formula, Math, Symbol, latex, plain

W12 = Symbol("w", 1, (1, 2))


@pytest.mark.parametrize("item, text, tex", [
    (W12, "w(1)[1,2]", "$w^{(1)}_{12}$"),
    (Symbol("b", 2, (1,)), "b(2)[1]", "$b^{(2)}_{1}$"),
    (Symbol("w", 1, (12, 3)), "w(1)[12,3]", "$w^{(1)}_{12,3}$"),
    (Symbol("z", 1, (2,)), "z(1)_2", "$z^{(1)}_{2}$"),
    (Symbol("delta", 1, (2,)), "delta(1)_2", r"$\delta^{(1)}_{2}$"),
    (Symbol("e", None, (1,)), "e_1", "$e_{1}$"),
    (Symbol("R", None, ("i",)), "R_i", "$R_{i}$"),
    (Derivative(Symbol("R"), Symbol("a", 2, (1,))), "dR/da(2)_1", r"$\frac{\partial R}{\partial a^{(2)}_{1}}$"),
    (-0.3, "-0.3", "$-0.3$"),
    (-0.30000000000000004, "-0.3000", "$-0.3000$"),
    (1.5e-05, "1.5e-5", r"$1.5\times 10^{-5}$"),
    (1.50004e-05, "1.500e-5", r"$1.500\times 10^{-5}$"),
    (float("inf"), "inf", "inf"),
    ("a_b & c", "a_b & c", r"a\_b \& c"),
    (Formula("1 if z > 0 else 0"), "1 if z > 0 else 0", "1 if z > 0 else 0"),
])
def test_one_item_as_plain_text_and_latex(item, text: str, tex: str) -> None:
    assert plain(item) == text
    assert latex(item) == tex


def test_an_inline_run_keeps_its_math_in_one_dollar_pair_and_its_words_outside() -> None:
    run = (Math("g'("), Symbol("z", 2, (1,)), Math(") · "), Symbol("w", 2, (1, 1)), Math(" = "), 1.0,
           Math(" · "), 0.6225, ", from ", Formula("a(1 - a)"))
    assert plain(run) == "g'(z(2)_1) · w(2)[1,1] = 1 · 0.6225, from a(1 - a)"
    assert latex(run) == r"$g'(z^{(2)}_{1}) \cdot w^{(2)}_{11} = 1 \cdot 0.6225$, from a(1 - a)"
    assert plain(run, digits=2) == "g'(z(2)_1) · w(2)[1,1] = 1 · 0.62, from a(1 - a)"


def test_a_parameter_symbol_from_the_networks_parsed_name() -> None:
    assert Symbol.parameter(parse_param_name("w(1)[1,2]")) == W12
    assert plain(Symbol.parameter(parse_param_name("b(2)[1]"))) == "b(2)[1]"


def test_unknown_pieces_are_refused() -> None:
    with pytest.raises(TypeError, match="cannot render"):
        plain((1,))
    with pytest.raises(TypeError, match="cannot render"):
        latex(object())
