"""One plot written as PNG (at a scale) or SVG (a canvas of the plot's size): File > Export > Plot,
``screenshot --plot`` and every frame of an animation. Imports nothing of the window.

The PNG is pyqtgraph's ``ImageExporter`` of the plot's scene (above 1x, the same drawing on an
image of that device pixel ratio: see :func:`render_image`). The SVG is Qt's ``QSvgGenerator``
drawing the area of the scene the plot shows, with a view box of the plot's size in pixels:
pyqtgraph 0.14's ``SVGExporter`` fails on the path syntax of Qt 6.11 (``ValueError: not enough
values to unpack``), drawing the whole scene rect instead of the shown area made a canvas several
times too large, and its cosmetic strokes are baked into canvas coordinates (``svg_strokes``) so
librsvg and ImageMagick draw them as thin as the PNG. Files are written by Python, so a failure
raises ``OSError`` with its reason.
"""

from __future__ import annotations

import math
import re
from contextlib import contextmanager
from pathlib import Path

from PySide6.QtCore import Qt

from gui.common.svg_strokes import bake_cosmetic_strokes

FORMATS = ("png", "svg")
MIN_SCALE, MAX_SCALE = 1.0, 4.0


def plot_size(widget) -> tuple[int, int]:
    """The plot's size on screen in pixels (width, height): the SVG canvas and the 1x PNG."""
    return max(1, widget.width()), max(1, widget.height())


def shown_rect(widget):
    """The part of the widget's scene it shows (scene coordinates), as pyqtgraph's exporters use."""
    from PySide6.QtCore import QRectF

    return widget.viewportTransform().inverted()[0].mapRect(QRectF(widget.rect()))


def format_of(path: str, fmt: str | None = None) -> str:
    """``png`` or ``svg``: ``fmt`` when given, else the file's suffix; ValueError for anything else."""
    fmt = (fmt or Path(path).suffix.lstrip(".") or "png").lower()
    if fmt not in FORMATS:
        raise ValueError(f"{Path(path).name}: a plot is written as .png or .svg, not .{fmt}")
    return fmt


def check_scale(scale: float) -> float:
    """A PNG scale between 1x and 4x (ValueError otherwise): slides want 2x, posters 4x."""
    scale = float(scale)
    if not (math.isfinite(scale) and MIN_SCALE <= scale <= MAX_SCALE):
        raise ValueError(f"scale {scale:g}: choose 1 to 4 (times the plot's size on screen)")
    return scale


def render_image(widget, scale: float = 1.0):
    """The plot as a QImage ``scale`` times its size on screen.

    At 1x this is pyqtgraph's ImageExporter. Larger, the scene is drawn the same way (the exporter's
    ``scene.render`` of the shown area, in export mode) onto an image whose device pixel ratio is
    the scale, so that text, markers and the items that ignore the view's transform (arrow heads,
    labels) grow with it; the exporter's larger target left those at screen size. Cosmetic lines
    keep their width in pixels either way, so at 2x they are finer.
    """
    import pyqtgraph.exporters as exporters
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QImage, QPainter

    width, height = plot_size(widget)
    scale = check_scale(scale)
    if scale == 1:
        with uncached(widget.scene()):
            return exporters.ImageExporter(widget.scene()).export(toBytes=True)
    image = QImage(max(1, round(width * scale)), max(1, round(height * scale)), QImage.Format.Format_ARGB32)
    image.setDevicePixelRatio(image.width() / width)
    image.fill(widget.backgroundBrush().color() if widget.backgroundBrush().style() != Qt.BrushStyle.NoBrush
               else Qt.GlobalColor.transparent)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        with export_mode(widget.scene(), painter):
            widget.scene().render(painter, QRectF(0, 0, width, height), shown_rect(widget))
    finally:
        painter.end()
    image.setDevicePixelRatio(1.0)  # the file is its pixels; a viewer shows it at full size
    return image


def image_bytes(image, fmt: str = "PNG") -> bytes:
    """A QImage encoded in memory (PNG by default)."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice

    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    if not image.save(buffer, fmt):
        raise OSError(f"could not encode the image as {fmt}")
    buffer.close()
    return bytes(data.data())


def svg_bytes(widget, title: str = "Stepwise plot") -> bytes:
    """The plot as an SVG document whose canvas and view box are the plot's size in pixels."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRect, QRectF, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    width, height = plot_size(widget)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    # SVG Tiny 1.2, Qt's default: its SVG 1.1 output attaches the clip paths to the wrong groups
    # (pyqtgraph's axes vanish under the title's clip); the drawn paths are clipped to the view
    # before they are drawn (gui.common.clip), so little needs a clip path.
    generator = QSvgGenerator()
    generator.setOutputDevice(buffer)
    generator.setSize(QSize(width, height))
    generator.setViewBox(QRect(0, 0, width, height))
    generator.setTitle(title)
    # Text sizes are written as point size x resolution / 72: at the screen's resolution they are
    # the pixels the plot draws (the default, 72, shrinks a 10 pt label from 13 pixels to 10).
    generator.setResolution(widget.logicalDpiY())
    painter = QPainter(generator)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        background = widget.backgroundBrush()  # the view's, as the PNG has it (the scene has none)
        if background.style() != Qt.BrushStyle.NoBrush:
            painter.fillRect(QRectF(0, 0, width, height), background)
        with export_mode(widget.scene(), painter):
            widget.scene().render(painter, QRectF(0, 0, width, height), shown_rect(widget))
    finally:
        painter.end()
    buffer.close()
    svg = _pixel_canvas(bytes(data.data()).decode("utf-8"), width, height)
    return bake_cosmetic_strokes(svg).encode("utf-8")


@contextmanager
def uncached(scene):
    """Every item drawn afresh while the block runs: axes and labels cached as screen pixmaps
    (``DeviceCoordinateCache``, for fast redraws) would be blurred at 2x and pictures in an SVG."""
    from PySide6.QtWidgets import QGraphicsItem

    none = QGraphicsItem.CacheMode.NoCache
    cached = [(item, item.cacheMode()) for item in scene.items() if item.cacheMode() != none]
    for item, _mode in cached:
        item.setCacheMode(none)
    try:
        yield
    finally:
        for item, mode in cached:
            item.setCacheMode(mode)


@contextmanager
def export_mode(scene, painter):
    """Items that draw differently for export (a scatter's symbols as paths, not pixmaps) do so
    while the block runs, as pyqtgraph's exporters ask them to; nothing is drawn from a cache."""
    items = [item for item in scene.items() if hasattr(item, "setExportMode")]
    opts = {"antialias": True, "background": None, "painter": painter, "resolutionScale": 1.0}
    for item in items:
        item.setExportMode(True, opts)
    try:
        with uncached(scene):
            yield
    finally:
        for item in items:
            item.setExportMode(False, None)


def _pixel_canvas(svg: str, width: int, height: int) -> str:
    """QSvgGenerator states the canvas in millimetres at 72 dpi; say it in pixels, the plot's size."""
    return re.sub(r'<svg width="[^"]*" height="[^"]*"', f'<svg width="{width}" height="{height}"', svg, count=1)


def write_bytes(path: str, data: bytes) -> None:
    """Write ``data`` to ``path``; an OSError names the file and the reason (e.g. permission denied)."""
    with open(path, "wb") as handle:
        handle.write(data)


def export_plot(widget, path: str, fmt: str | None = None, scale: float = 1.0) -> tuple[int, int]:
    """Write one plot as PNG (``scale`` times its size) or SVG (its size); returns the size written."""
    fmt = format_of(path, fmt)
    if fmt == "svg":
        write_bytes(path, svg_bytes(widget))
        return plot_size(widget)
    image = render_image(widget, scale)
    write_bytes(path, image_bytes(image))
    return image.width(), image.height()


def named_plots(workspace) -> list[tuple[str, object]]:
    """(name, widget) for every plot of a workspace, by the names of SPEC section 6 (``contour``,
    ``loss``, ...) that its ``plot_names`` lists beside ``plot_widgets()``."""
    widgets = list(workspace.plot_widgets())
    names = list(getattr(workspace, "plot_names", ()))
    names += [f"plot{i + 1}" for i in range(len(names), len(widgets))]
    return list(zip(names, widgets))


def find_plot(workspace, name: str):
    """The workspace's plot called ``name``; ValueError listing the names it has."""
    plots = dict(named_plots(workspace))
    if name not in plots:
        raise ValueError(f"--plot {name}: the {workspace.title} tab has the plots {', '.join(plots) or '(none)'}")
    return plots[name]
