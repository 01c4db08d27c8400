"""Look and feel shared by every view: projector-sized fonts, colour-blind-safe colours, and the
lecture's notation as Qt rich text.

Numbers are formatted by ``engine.numbers`` everywhere, so the tables, the status bar, the plots
and "Copy as" agree; :func:`rich_number` and :func:`rich` only typeset that text for rich-text
labels (real sub- and superscripts, the minus sign U+2212, ∞).
"""

from __future__ import annotations

import html
import math

from PySide6.QtGui import QColor, QFont

from engine.notation import Derivative, Formula, Inline, Math, Symbol, Token, indices
from engine.numbers import SIG_FIGS, format_number

#: Base point size of the interface; View > Bigger/Smaller font changes it at run time.
BASE_POINT_SIZE = 13
MIN_POINT_SIZE = 8
MAX_POINT_SIZE = 32
#: View > Presentation mode's text size (at least; a larger chosen size is kept).
PRESENTATION_POINT_SIZE = 15
#: Presentation mode's step explanation (the chain rule) is this much larger than the text.
EXPLANATION_EXTRA_POINTS = 2

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


def rich_number(value: float, digits: int = SIG_FIGS) -> str:
    """``engine.numbers.format_number`` typeset for rich text: ``−0.7810``, ``−5.663e−5``, ``∞``, ``NaN``."""
    if math.isnan(float(value)):
        return "NaN"
    return format_number(value, digits).replace("inf", "∞").replace("-", "−")


_RICH_KINDS = {"delta": "δ", "lambda": "λ"}


def rich_symbol(s: Symbol) -> str:
    """``w(1)[1,2]`` as w<sup>(1)</sup><sub>12</sub>, ``delta(1)_2`` as δ<sup>(1)</sup><sub>2</sub>, ``x_1``
    as x<sub>1</sub>."""
    text = _RICH_KINDS.get(s.kind, s.kind)
    if s.layer is not None:
        text += f"<sup>({s.layer})</sup>"
    return text + (f"<sub>{indices(s.index)}</sub>" if s.index else "")


def rich(item: Token | Inline, digits: int = SIG_FIGS) -> str:
    """Lecture notation (``engine.notation``) as Qt rich text: ∂R/∂a<sup>(2)</sup><sub>1</sub>,
    formula pieces with real minus signs, numbers through :func:`rich_number`, words escaped."""
    if isinstance(item, tuple):
        return "".join(rich(t, digits) for t in item)
    if isinstance(item, str):
        return html.escape(item, quote=False)
    if isinstance(item, float):
        return rich_number(item, digits)
    if isinstance(item, Symbol):
        return rich_symbol(item)
    if isinstance(item, Derivative):
        return f"∂{rich_symbol(item.num)}/∂{rich_symbol(item.den)}"
    if isinstance(item, (Math, Formula)):
        return html.escape(item.text, quote=False).replace("-", "−")
    raise TypeError(f"cannot render {item!r} in lecture notation")


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
    """Big tick labels, axis titles, title and legend on a ``pg.PlotItem`` (a colour bar too) so they
    read from the back of a room; called again with a new ``point_size`` when the text size changes."""
    from PySide6.QtWidgets import QGraphicsItem

    size = point_size or BASE_POINT_SIZE
    tick_font = ui_font(size - 1)
    for name, entry in plot_item.axes.items():
        axis = entry["item"]
        if name not in ("left", "bottom"):
            # a colour bar's scale: its design size is pyqtgraph's own, a larger text size scales it
            if axis.isVisibleTo(plot_item):
                axis.setTickFont(None if size == BASE_POINT_SIZE else tick_font)
            continue
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
    if not getattr(plot_item, "_stepwise_styled", False):  # a plot may turn its grid off afterwards
        plot_item._stepwise_styled = True
        plot_item.showGrid(x=True, y=True, alpha=0.15)
    _style_title(plot_item, size)
    import pyqtgraph as pg

    for item in plot_item.items:  # iterate numbers, off-plot notes: the tick labels' size
        if isinstance(item, pg.TextItem):
            font = item.textItem.font()
            font.setPointSize(size - 1)
            item.setFont(font)
    legend = getattr(plot_item, "legend", None)
    if legend is not None:
        legend.opts["labelTextSize"] = f"{size}pt"
        for _, label in legend.items:
            label.setText(label.text, size=f"{size}pt")


def _style_title(plot_item, size: int) -> None:
    """The plot's title in bold at ``size``; its row (pyqtgraph fixes it at 30 px) as tall as the text."""
    title = plot_item.titleLabel
    if title is None:
        return
    title.opts.update(size=f"{size}pt", bold=True)
    if title.isVisible() and title.text:
        title.setText(title.text)
        height = max(30, int(title.item.boundingRect().height()))
        title.setMaximumHeight(height)
        plot_item.layout.setRowFixedHeight(0, height)


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


#: Plot ranges stay within +-MAX_PLOT_VALUE: pyqtgraph refuses a non-finite range ("Cannot set range
#: [-inf, inf]"), which a span such as 1e308 - (-1e308) overflows to.
MAX_PLOT_VALUE = 1e300


def padded_range(lo: float, hi: float, below: float, above: float) -> tuple[float, float]:
    """(lo - below * span, hi + above * span), finite whatever lo and hi are (a zero span counts as 1)."""
    lo, hi = (min(max(float(v), -MAX_PLOT_VALUE), MAX_PLOT_VALUE) if not math.isnan(v) else 0.0 for v in (lo, hi))
    span = (hi - lo) or (1.0 if abs(lo) < 1e15 else abs(lo) * 0.1)
    return lo - below * span, hi + above * span
