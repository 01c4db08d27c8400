"""A value axis whose log scale labels only the ticks there is room for.

pyqtgraph labels every digit of every decade (1, 2, ..., 9 times 10^k) when few decades are
shown, and on a loss plot a hundred pixels high those labels pile on top of each other. This axis
labels the decades, then 2 and 5 (and 3) times them, then every digit, as far as the labels keep clear of
each other at the axis' length.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtGui import QFontMetricsF

#: Mantissas of the minor ticks, sparsest first (the decades themselves are the major ticks).
MINOR_MANTISSAS = ((2, 5), (2, 3, 5), (2, 3, 4, 5, 6, 7, 8, 9))
#: Space a label needs along a vertical axis, in lines of its font.
LINE_PITCH = 1.15
#: Space a label needs along a horizontal axis, in widths of a typical label ("5·10⁻⁵").
WIDTH_SAMPLE = "5·10⁻⁵ "


class LogAxis(pg.AxisItem):
    """An ``AxisItem`` for a value that may be shown on a log scale (linear mode unchanged)."""

    def label_pitch(self) -> float:
        """Pixels along the axis one tick label needs."""
        metrics = QFontMetricsF(self.style.get("tickFont") or self.font())
        if self.orientation in ("left", "right"):
            return LINE_PITCH * metrics.height()
        return metrics.horizontalAdvance(WIDTH_SAMPLE)

    def logTickValues(self, minVal: float, maxVal: float, size: float, stdTicks: list) -> list:  # noqa: N802
        """Decades (pyqtgraph's sparser ones if they do not all fit), then the densest level of
        minor ticks whose labels keep clear of each other; inside one decade at least a mid-range
        value."""
        px_per_decade = size / (maxVal - minVal) if maxVal > minVal else 0.0
        pitch = self.label_pitch()

        def clear(values: list[float]) -> bool:
            gaps = np.diff(sorted(values))
            return not len(gaps) or float(gaps.min()) * px_per_decade >= pitch

        decades = [float(d) for d in range(math.ceil(minVal), math.floor(maxVal) + 1)]
        if clear(decades):
            ticks = [(1.0, decades)]
        else:
            ticks = [(spacing, values) for spacing, values in stdTicks if spacing >= 1.0]
        shown = [v for _, values in ticks for v in values]
        for mantissas in reversed(MINOR_MANTISSAS):
            minor = [d + math.log10(m) for d in range(math.floor(minVal), math.ceil(maxVal)) for m in mantissas]
            minor = [v for v in minor if minVal < v < maxVal]
            if minor and clear(shown + minor):
                ticks.append((None, minor))
                shown += minor
                break
        if not shown and maxVal > minVal:
            middle = float(f"{10 ** ((minVal + maxVal) / 2):.2g}")
            ticks.append((None, [math.log10(middle)]))
        return ticks

    def logTickStrings(self, values: list[float], scale: float, spacing: float) -> list[str]:  # noqa: N802
        """pyqtgraph's "2·10⁻³" for a digit times a decade; two significant figures otherwise
        (its one-figure format would label 0.17 as "0.2")."""
        strings = super().logTickStrings(values, scale, spacing)
        for i, v in enumerate(values):
            x = 10 ** float(v) * scale
            if not math.isclose(float(f"{x:.1g}"), x, rel_tol=1e-9):
                strings[i] = f"{x:.2g}"
        return strings
