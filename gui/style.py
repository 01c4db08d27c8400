"""Look and feel shared by every view: projector-sized fonts, colour-blind-safe colours, number format.

Everything a person reads goes through :func:`fmt` (4 significant figures by default) and the
lecture-notation functions, so the table, the status bar and the plots always agree.
"""

from __future__ import annotations

import math

from PySide6.QtGui import QColor, QFont

#: Base point size of the interface; View > Bigger/Smaller font changes it at run time.
BASE_POINT_SIZE = 13
MIN_POINT_SIZE = 8
MAX_POINT_SIZE = 32

#: Significant figures for numbers shown to people.
SIG_FIGS = 4

#: Okabe-Ito palette: distinguishable for colour-blind viewers and on a washed-out projector.
OKABE_ITO = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow (last: weak on white)
)

CURVE_COLOUR = "#000000"
ITERATE_COLOUR = OKABE_ITO[1]
TANGENT_COLOUR = OKABE_ITO[0]
MINIMUM_COLOUR = OKABE_ITO[2]
START_COLOUR = OKABE_ITO[3]
ERROR_COLOUR = "#B00020"

#: Colour map for magnitudes (contours, basins): perceptually uniform, colour-blind safe.
MAGNITUDE_MAP = "viridis"


def series_colour(i: int) -> QColor:
    """The i-th series colour (0-based), cycling through the Okabe-Ito palette."""
    return QColor(OKABE_ITO[i % len(OKABE_ITO)])


def fmt(value: float, sig: int | None = None) -> str:
    """A number with ``sig`` significant figures (default :data:`SIG_FIGS`); inf/NaN in words."""
    sig = SIG_FIGS if sig is None else sig
    try:
        v = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "∞" if v > 0 else "−∞"
    if v == 0:
        return "0"
    text = f"{v:.{sig}g}"
    if "e" in text:
        mantissa, exp = text.split("e")
        return f"{mantissa}e{int(exp)}"
    return text


def fmt_vector(values) -> str:
    """``(a, b, ...)`` with each entry through :func:`fmt`; a single value without brackets."""
    vals = [float(v) for v in (values if hasattr(values, "__len__") else [values])]
    if len(vals) == 1:
        return fmt(vals[0])
    return "(" + ", ".join(fmt(v) for v in vals) + ")"


def sub(text: str, index: str | int) -> str:
    """Rich text ``text`` with subscript ``index`` (e.g. x<sub>1</sub>)."""
    return f"{text}<sub>{index}</sub>"


def sup(text: str, power: str | int) -> str:
    """Rich text ``text`` with superscript ``power``."""
    return f"{text}<sup>{power}</sup>"


def ui_font(point_size: int | None = None, bold: bool = False) -> QFont:
    """The interface font at ``point_size`` (default :data:`BASE_POINT_SIZE`)."""
    font = QFont()
    font.setPointSize(point_size or BASE_POINT_SIZE)
    font.setBold(bold)
    return font


def configure_pyqtgraph() -> None:
    """Projector-friendly pyqtgraph defaults: white background, black text, antialiasing."""
    import pyqtgraph as pg

    pg.setConfigOptions(antialias=True, background="w", foreground="k", imageAxisOrder="row-major")


def style_plot(plot_item, point_size: int | None = None) -> None:
    """Big tick labels and axis titles on a ``pg.PlotItem`` so they read from the back of a room."""
    from PySide6.QtWidgets import QGraphicsItem

    size = point_size or BASE_POINT_SIZE
    tick_font = ui_font(size - 1)
    for name in ("left", "bottom"):
        axis = plot_item.getAxis(name)
        # Axes with grid lines cost ~3 ms each to replay per frame; they redraw only when the
        # range changes (pyqtgraph calls update() then, which refreshes the cache).
        axis.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        # "(x0.001)" prefixes confuse a class; tick labels carry the numbers as they are.
        axis.enableAutoSIPrefix(False)
        # pyqtgraph 0.14 still computes a scale while disabling; the ticks would read 500 for 0.5.
        axis.autoSIPrefixScale = 1.0
        axis.labelUnitPrefix = ""
        axis.picture = None
        axis.setTickFont(tick_font)
        axis.setStyle(tickTextOffset=6)
        if axis.labelText:
            axis.setLabel(axis.labelText, **{"font-size": f"{size}pt"})
    plot_item.showGrid(x=True, y=True, alpha=0.15)
    if plot_item.titleLabel is not None:
        plot_item.titleLabel.item.setFont(ui_font(size, bold=True))


#: Most points of one path or curve drawn per frame; long histories are strided.
MAX_DRAWN_POINTS = 2000


def decimate(n: int, limit: int = MAX_DRAWN_POINTS):
    """Indices ``0..n-1`` thinned to at most ``limit + 1`` by a stride, always keeping the last."""
    import numpy as np

    if n <= limit:
        return np.arange(n)
    stride = -(-n // limit)
    idx = np.arange(0, n, stride)
    if idx[-1] != n - 1:
        idx = np.append(idx, n - 1)
    return idx


#: Most markers of one path drawn: pyqtgraph's scatter costs ~10 us per point per update.
MAX_MARKERS = 150


def thin_markers(xs, ys):
    """Every k-th of the points ``xs``, ``ys`` so at most ~:data:`MAX_MARKERS` remain."""
    every = max(1, -(-len(xs) // MAX_MARKERS))
    return xs[::every], ys[::every]


def axis_label(plot_item, side: str, html_text: str, point_size: int | None = None) -> None:
    """Set an axis title (rich text allowed) in the projector font size."""
    size = point_size or BASE_POINT_SIZE
    plot_item.setLabel(side, html_text, **{"font-size": f"{size}pt"})


def round_to_view(value: float, span: float) -> float:
    """A clicked coordinate rounded to a thousandth of the view's ``span`` (-1.347564 -> -1.348 on a
    6-wide view): a start point a class can read off and type back in."""
    if not (math.isfinite(value) and math.isfinite(span) and span > 0):
        return value
    return round(value, 3 - math.floor(math.log10(span)))
