"""The one number format for everything people read: the window, the command line and the notes.

A computed number has :data:`SIG_FIGS` significant figures, trailing zeros included, as the
lecture writes its computed values (``0.4750``, ``0.1410``, ``-0.09400``); a number that is
exactly a decimal of at most that many figures (a typed weight 0.2, an input 3, a target 1.2)
is written as it was typed, so the chain rule reads ``-2(1.2 - 0.8095) · 0.6 · 0.2494 · 3``.
The screen shows what "Copy as" writes. Magnitudes outside [1e-4, 10^digits) take a short
exponent (``-5.663e-5``); zero is ``0``; non-finite values are ``inf``, ``-inf`` and ``nan``.
The text is plain ASCII; views that typeset (the window's rich text, LaTeX) restyle the minus
sign and the exponent.
"""

from __future__ import annotations

import math
from typing import Iterable

import numpy as np

#: Significant figures of every number shown to people, unless a view asks for others.
SIG_FIGS = 4


def number_parts(value: float, digits: int = SIG_FIGS) -> tuple[str, int | None]:
    """The mantissa text and the power of ten (None without exponent) that :func:`format_number` joins."""
    if digits < 1:
        raise ValueError(f"digits must be >= 1, got {digits}")
    v = float(value)
    if math.isnan(v):
        return "nan", None
    if math.isinf(v):
        return ("inf" if v > 0 else "-inf"), None
    if v == 0:
        return "0", None
    short = f"{v:.{digits}g}"
    if float(short) == v:  # exactly a short decimal: as typed, without padding zeros
        mantissa, _, exponent = short.partition("e")
        return mantissa, (int(exponent) if exponent else None)
    mantissa, exponent = f"{v:.{digits - 1}e}".split("e")
    power = int(exponent)  # after rounding, so -0.0999999 counts as -0.1000, not -0.09999...
    if -4 <= power < digits:
        return f"{v:.{digits - 1 - power}f}", None
    return mantissa, power


def format_number(value: float, digits: int = SIG_FIGS) -> str:
    """``value`` to ``digits`` significant figures: ``0.1410``, ``-5.663e-5``, ``1.234e4``, ``inf``; ``0.2`` as typed."""
    mantissa, power = number_parts(value, digits)
    return mantissa if power is None else f"{mantissa}e{power}"


def format_vector(values: float | Iterable[float], digits: int = SIG_FIGS) -> str:
    """``(a, b, ...)`` with each entry through :func:`format_number`; a single value without brackets."""
    vals = [float(v) for v in np.ravel(values)]
    if len(vals) == 1:
        return format_number(vals[0], digits)
    return "(" + ", ".join(format_number(v, digits) for v in vals) + ")"


__all__ = ["SIG_FIGS", "format_number", "format_vector", "number_parts"]
