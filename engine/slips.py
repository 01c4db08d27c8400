"""Where the printed lecture (lecture 10) differs from the correct numbers (SPEC section 2).

Written once, as data: the command line and "Copy as" write each slip as a sentence
(:meth:`Slip.sentence`), the network workspace shows them all in its banner.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.notation import Inline, Math, Symbol


@dataclass(frozen=True)
class Slip:
    """One wrong number (or pair) of the printed lecture.

    ``observation``: 1-based; ``what``: the quantity, in lecture notation; ``correct`` and
    ``printed``: the right values and the printed ones, as text at the lecture's precision;
    ``worked``: per correct value, how it comes about (or empty), shown in the sentence.
    """

    observation: int
    what: Inline
    correct: tuple[str, ...]
    printed: tuple[str, ...]
    worked: tuple[Inline, ...] = ()

    def sentence(self) -> Inline:
        """``observation 1: residual e_1 = 1.2 - 0.8095 = 0.3905, not 0.311``."""
        worked = self.worked or ((),) * len(self.correct)
        values: list = []
        for k, (how, value) in enumerate(zip(worked, self.correct)):
            values += ([" and "] if k else []) + list(how) + ([Math(" = ")] if how else []) + [Math(value)]
        return (f"observation {self.observation}: ", *self.what, Math(" = "), *values,
                ", not " + " and ".join(self.printed))


LECTURE_SLIPS = (
    Slip(1, ("residual ", Symbol("e", None, (1,))), ("0.3905",), ("0.311",),
         worked=((Math("1.2 - 0.8095"),),)),
    Slip(1, ("sensitivity to ", Symbol("b", 1, (2,))), ("0.047",), ("0.045",)),
    Slip(1, ("7th entry of the contribution vector ", Math("("), Symbol("w", 2, (1, 1)), Math(")")),
         ("0.475",), ("0.455",)),
    Slip(2, ("sensitivities to ", Symbol("w", 2, (1, 1)), " and ", Symbol("w", 2, (1, 2))),
         ("0.574", "0.690"), ("0.455", "0.622"),
         worked=((Symbol("a", 1, (1,)),), (Symbol("a", 1, (2,)),))),
)


def corrected_numbers(slips: tuple[Slip, ...] = LECTURE_SLIPS) -> int:
    """How many of the printed lecture's numbers ``slips`` correct (a pair counts two)."""
    return sum(len(slip.correct) for slip in slips)


def lecture_precision(value: float, decimals: int = 3) -> str:
    """``decimals`` decimals as the printed lecture writes them, whole numbers bare (``1``): for
    setting the app's numbers beside the slides, not for showing them."""
    text = f"{value:.{decimals}f}"
    return text.rstrip("0").rstrip(".") if text.endswith("." + "0" * decimals) else text


__all__ = ["LECTURE_SLIPS", "Slip", "corrected_numbers", "lecture_precision"]
