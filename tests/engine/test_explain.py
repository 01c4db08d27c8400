"""engine.explain: the tables behind ``python main.py explain``, and the lecture example's slips."""

from pathlib import Path

import pytest

from engine.backprop import backward
from engine.explain import (ObservationError, Table, explain_function, explain_network, explain_scenario,
                            is_lecture_example)
from engine.network import LECTURE_INPUTS, LECTURE_TARGETS, lecture_network
from engine.notation import Symbol, plain
from engine.scenario import load_scenario
from engine.slips import LECTURE_SLIPS, corrected_numbers

SCENARIOS = Path(__file__).resolve().parents[2] / "resources" / "scenarios"


@pytest.fixture(scope="module")
def lecture():
    return load_scenario(SCENARIOS / "lecture-backprop.json")


def test_table_renders_text_markdown_and_latex() -> None:
    table = Table("T", ["name", "value"])
    table.add(Symbol("w", 1, (1, 1)), -0.30000000000000004)
    table.add("b", 12.0)
    assert table.render("text") == ("T\n\nname         value\n---------  -------\nw(1)[1,1]  -0.3000\n"
                                    "b               12\n")
    assert table.render("markdown") == ("### T\n\n| name | value |\n|:--|--:|\n| w(1)[1,1] | -0.3000 |\n"
                                        "| b | 12 |\n")
    assert table.render("latex") == ("\\paragraph{T}\n\n\\begin{tabular}{lr}\n\\hline\nname & value \\\\\n"
                                     "\\hline\n$w^{(1)}_{11}$ & $-0.3000$ \\\\\nb & $12$ \\\\\n\\hline\n"
                                     "\\end{tabular}\n")


def test_lecture_slips_state_the_numbers_the_engine_computes() -> None:
    net = lecture_network()
    rec = backward(net, LECTURE_INPUTS, LECTURE_TARGETS, "sse")
    index = {name: p for p, name in enumerate(net.param_names())}
    s1, s2 = rec.sensitivities_of(0)[0], rec.sensitivities_of(1)[0]
    correct = [(rec.residual[0, 0], "0.3905", 0), (s1[index["b(1)[2]"]], "0.047", 1),
               (s1[index["w(2)[1,1]"]], "0.475", 2), (s2[index["w(2)[1,1]"]], "0.574", 3),
               (s2[index["w(2)[1,2]"]], "0.690", 3)]
    for value, text, slip in correct:
        assert f"{value:.{len(text.split('.')[1])}f}" == text
        assert text in LECTURE_SLIPS[slip].correct
        assert text in plain(LECTURE_SLIPS[slip].sentence())


def test_the_slips_correct_five_printed_numbers() -> None:
    """A pair of values counts two: the banner's folded line says how many numbers differ."""
    assert corrected_numbers() == sum(len(slip.printed) for slip in LECTURE_SLIPS) == 5
    assert corrected_numbers(LECTURE_SLIPS[:1]) == 1


def test_is_lecture_example_by_content(lecture) -> None:
    net = lecture_network()
    assert is_lecture_example(net, LECTURE_INPUTS, LECTURE_TARGETS, "sse")
    assert is_lecture_example(net, LECTURE_INPUTS.tolist(), LECTURE_TARGETS.tolist(), "sse")
    assert not is_lecture_example(net, LECTURE_INPUTS, LECTURE_TARGETS, "mse")
    assert not is_lecture_example(net.with_theta(net.theta() + 0.01), LECTURE_INPUTS, LECTURE_TARGETS, "sse")
    assert not is_lecture_example(net, LECTURE_INPUTS[:1], LECTURE_TARGETS[:1], "sse")
    assert not is_lecture_example(net, LECTURE_INPUTS + 1, LECTURE_TARGETS, "sse")


def test_explain_network_shows_the_correct_numbers_and_the_note(lecture) -> None:
    text = explain_network(lecture)
    for number in ("0.8095", "0.3905", "0.5744", "0.6900", "-0.7810 * 0.6 * 0.2494 * 3"):
        assert number in text, number
    assert "Note: where the printed lecture differs" in text and plain(LECTURE_SLIPS[0].sentence()) in text
    one = explain_network(lecture, observation=2, fmt="markdown")
    assert "| a(1)_1 | 0.5744 |" in one and "Chain rule, observation 1" not in one


def test_explain_network_other_scenario_has_no_note() -> None:
    text = explain_scenario(load_scenario(SCENARIOS / "matt-mazur.json"), fmt="text", digits=4)
    assert "0.7514" in text and "printed lecture" not in text


@pytest.mark.parametrize("observation", [0, 3])
def test_observation_out_of_range_says_which_exist(lecture, observation: int) -> None:
    with pytest.raises(ObservationError, match=f"observation {observation}: the data have observations 1 to 2"
                       ) as info:
        explain_network(lecture, observation)
    assert (info.value.observation, info.value.n_obs) == (observation, 2)


def test_explain_function_first_step_with_its_numbers() -> None:
    text = explain_function(load_scenario(SCENARIOS / "lecture-quartic.json"))
    # f = 3x^4 + 5x^3 - 20x^2 + 8x + 10 at -1: f = -20, f' = 51, f'' = -34; x_1 = -1 - 0.01 * 51
    assert "f(x)      -20  -49.30\nf'(x)      51   61.29\nf''(x)    -34  -3.216\n" in text
    assert "x_1 = x_0 - s f'(x_0) = -1 - 0.01 * 51 = -1.51." in text


def test_explain_scenario_rejects_an_unknown_format(lecture) -> None:
    with pytest.raises(ValueError, match="text, markdown, latex, got 'html'"):
        explain_scenario(lecture, fmt="html")
