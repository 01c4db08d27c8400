"""The banner above the network workspace while the lecture example is loaded: where the printed
lecture's numbers differ, rendered from ``engine.slips`` (SPEC 2), folded to one line on a short
screen or when asked, and a pointer back to iteration 0 once training has moved on.
"""

from __future__ import annotations

import itertools

from PySide6 import QtCore, QtWidgets

from engine.slips import LECTURE_SLIPS, Slip, corrected_numbers
from gui.common.style import rich

LECTURE_LATER = ("Lecture example after training: the printed lecture's numbers are those of iteration 0 "
                 "(Reset, or drag the history slider to 0, to compare them).")
#: Below this window height the banner starts folded, so the nudge table keeps its rows.
FOLD_BELOW_PX = 860
_COUNT_WORDS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def lecture_note(slips: tuple[Slip, ...] = LECTURE_SLIPS) -> str:
    """The banner's rich text: per observation, each slip's correct value in bold, the printed one
    in brackets."""
    groups = []
    for observation, items in itertools.groupby(slips, key=lambda slip: slip.observation):
        shown = [f"{rich(slip.what)} = <b>{', '.join(slip.correct)}</b> ({', '.join(slip.printed)})"
                 for slip in items]
        groups.append(f"observation {observation}: " + "; ".join(shown))
    return ("<b>Where the printed lecture differs</b> (correct value first, slide in brackets): "
            + " · ".join(groups))


def lecture_note_folded(slips: tuple[Slip, ...] = LECTURE_SLIPS) -> str:
    """The banner folded to one line: how many printed numbers the slips correct, and a link that
    unfolds it."""
    n = corrected_numbers(slips)
    count = _COUNT_WORDS[n] if n < len(_COUNT_WORDS) else str(n)
    return (f"<b>Where the printed lecture differs:</b> {count} of its numbers "
            f"{'is' if n == 1 else 'are'} corrected here. <a href='more'>Show them</a>")


LECTURE_NOTE = lecture_note()
LECTURE_NOTE_FOLDED = lecture_note_folded()


class LectureBanner(QtWidgets.QLabel):
    """The banner's label; ``folded`` is None until the person folds or unfolds it (then the
    window's height decides), and its links say ``more`` or ``less``."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(LECTURE_NOTE, parent)
        self.setObjectName("lectureNote")
        self.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.setWordWrap(True)
        self.setStyleSheet("background: #fff4d6; border: 1px solid #d8b25c; padding: 4px;")
        self.folded: bool | None = None

    def show_at(self, iteration: int) -> None:
        """The text for ``iteration``: the slips at 0 (folded to one line if asked or if the window
        is short), a pointer back to iteration 0 later on."""
        folded = self.folded
        if folded is None:
            folded = self.window().height() < FOLD_BELOW_PX
        if iteration > 0:
            text = LECTURE_LATER
        elif folded:
            text = LECTURE_NOTE_FOLDED
        else:
            text = LECTURE_NOTE + " <a href='less'>Fold</a>"
        if self.text() != text:  # a new text re-lays out the whole workspace
            self.setText(text)
