"""The network workspace's lecture banner, rendered from the engine's slips, and the chain rule on
the screen against the chain rule that "Copy as" writes."""

import re
from dataclasses import replace

from PySide6 import QtGui

from engine.notation import plain
from engine.slips import LECTURE_SLIPS
from gui.network.controller import NetworkController
from gui.network.lecture_banner import LECTURE_NOTE, LECTURE_NOTE_FOLDED, lecture_note, lecture_note_folded

DECIMAL = re.compile(r"-?\d+\.\d+")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:e-?\d+)?")
#: Lecture names whose indices are not values: w(1)[1,1], a(2)_1, x_1, dR_1 (and rich-text indices).
NAME = re.compile(r"[A-Za-z]+'?\(\d+\)(?:\[\d+(?:,\d+)?\]|_\d+)?|[A-Za-z]+_\d+|<su[bp]>.*?</su[bp]>")


def decimals(text: str) -> list[str]:
    """The decimal numbers in ``text`` in order, with the typeset minus sign read as ``-``."""
    return DECIMAL.findall(text.replace("−", "-"))


def values(text: str) -> list[str]:
    """Every number in ``text`` in order (``3`` as well as ``0.2494``), leaving out the indices of
    lecture names and rich-text tags; the typeset minus sign is read as ``-``."""
    text = re.sub(r"<[^>]+>", " ", NAME.sub(" ", text)).replace("−", "-")
    return NUMBER.findall(text)


def test_banner_states_the_same_slips_as_the_engine() -> None:
    banner = set(DECIMAL.findall(LECTURE_NOTE))
    engine = set(DECIMAL.findall(" ".join(plain(slip.sentence()) for slip in LECTURE_SLIPS)))
    assert banner <= engine
    # the command line also writes out how the first residual is computed
    assert engine - banner == {"1.2", "0.8095"}


def test_banner_is_rendered_from_the_slips_with_real_sub_and_superscripts() -> None:
    for slip in LECTURE_SLIPS:
        assert f"<b>{', '.join(slip.correct)}</b> ({', '.join(slip.printed)})" in LECTURE_NOTE
    assert "residual e<sub>1</sub> = <b>0.3905</b> (0.311)" in LECTURE_NOTE
    assert "sensitivity to b<sup>(1)</sup><sub>2</sub> = <b>0.047</b> (0.045)" in LECTURE_NOTE
    assert "observation 2: sensitivities to w<sup>(2)</sup><sub>11</sub>" in LECTURE_NOTE
    changed = replace(LECTURE_SLIPS[0], correct=("0.391",))
    assert "<b>0.391</b> (0.311)" in lecture_note((changed,) + LECTURE_SLIPS[1:])


def test_folded_banner_counts_the_corrected_numbers_from_the_slips() -> None:
    assert "five of its numbers are corrected here" in LECTURE_NOTE_FOLDED
    assert "one of its numbers is corrected here" in lecture_note_folded(LECTURE_SLIPS[:1])
    assert "two of its numbers are corrected here" in lecture_note_folded(LECTURE_SLIPS[3:])


def test_chain_rule_panel_shows_the_numbers_copy_as_writes(qtbot, network_ws) -> None:
    """w(1)[1,1] for observation 1 of the lecture example: every number of the panel's formula and
    factor table is, digit for digit, the one the plain-text notes write."""
    ws = network_ws
    ws.select_parameter("w(1)[1,1]")
    ws.observation.setValue(1)
    ws.tables.setCurrentWidget(ws.nudge)
    formula = ws.chain.formula_text()
    QtGui.QGuiApplication.clipboard().clear()
    notes = ws.copy_explanation("text")
    chain = notes.split("Summed over all")[0]
    table_rows = [line for line in chain.splitlines() if line.startswith(("dR/", "da(", "dz("))]
    written = next(line for line in chain.splitlines() if line.startswith("dR_1/dw(1)[1,1] = dR/da"))
    lines = formula.split("</p>")[0].split("<br>")
    # = −2(1.2 − 0.8095) · 0.6 · 0.2494 · 3 (the typed 1.2, 0.6 and 3 as typed), then the values,
    # then the product
    assert values(lines[1]) == ["-2", "1.2", "0.8095", "0.6", "0.2494", "3"]
    assert values(lines[2]) == values(written)[:-1] == ["-0.7810", "0.6", "0.2494", "3"]
    assert values(lines[3]) == values(written)[-1:] == ["-0.3506"]
    assert values(formula.split("Summed over all")[1]) == values(notes.split("Summed over all")[1])[:2]
    assert values(ws.chain.factors_text()) == values("\n".join(table_rows)) == [
        "-2", "-2", "1.2", "0.8095", "-0.7810", "1", "0.6", "0.6", "1", "-0.1000", "0.2494", "3", "3"]


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
