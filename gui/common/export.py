"""A plot's graphics scene written as PNG or SVG (File > Export plot); imports nothing of the window."""

from __future__ import annotations


def export_scene(scene, path: str, fmt: str = "png") -> None:
    """Write a plot's graphics scene as PNG or SVG with pyqtgraph's exporters; OSError on failure."""
    import pyqtgraph.exporters as exporters

    if fmt != "svg":
        exporters.ImageExporter(scene).export(path)
        return
    try:
        exporters.SVGExporter(scene).export(path)
    except ValueError:
        # pyqtgraph 0.14's SVG clean-up cannot parse the path syntax of Qt 6.11; Qt's own SVG
        # generator draws the same scene.
        render_svg(scene, path)


def render_svg(scene, path: str) -> None:
    """Draw a graphics scene into an SVG file with Qt's own generator."""
    from PySide6.QtCore import QRectF, QSize
    from PySide6.QtGui import QPainter
    from PySide6.QtSvg import QSvgGenerator

    views = scene.views()
    # what the plot shows: a far-off item (a diverged run) can stretch the scene's own rect past int
    rect = views[0].mapToScene(views[0].viewport().rect()).boundingRect() if views else scene.sceneRect()
    generator = QSvgGenerator()
    generator.setFileName(path)
    generator.setSize(QSize(int(rect.width()), int(rect.height())))
    generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
    generator.setTitle("Stepwise plot")
    painter = QPainter(generator)
    try:
        scene.render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
    finally:
        painter.end()
