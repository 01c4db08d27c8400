"""The 2-D function as a rotatable 3-D surface, with every racing path drawn on it (SPEC 1.2).

Built with pyqtgraph's OpenGL items the first time the tab is shown, so start-up and machines
without OpenGL pay nothing; where no OpenGL context can start, the tab says why instead.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStackedLayout, QVBoxLayout, QWidget

from gui.common import style
from gui.descent.surface_geometry import HEIGHT, Box, path_vertices

#: Grid of the drawn surface (the contour plot uses a finer one; a mesh this size turns smoothly).
SURFACE_GRID = 120
#: The camera a reset returns to: looking down at 30 degrees from the x2 = -1 side.
CAMERA = {"distance": 4.7, "elevation": 28.0, "azimuth": -60.0}


@lru_cache(maxsize=1)
def gl_unavailable_reason() -> str | None:
    """None when an OpenGL context can start on this display; otherwise why not, in words."""
    try:
        import OpenGL.GL  # noqa: F401  (pyqtgraph.opengl needs the bindings)
        import pyqtgraph.opengl  # noqa: F401
    except ImportError as exc:
        return f"the OpenGL bindings ({exc.name}) are not installed"
    from PySide6.QtGui import QOffscreenSurface, QOpenGLContext

    context = QOpenGLContext()
    if not context.create():
        return "this display offers no OpenGL context"
    surface = QOffscreenSurface()
    surface.create()
    if not context.makeCurrent(surface):
        return "an OpenGL context could not be made current on this display"
    version = context.format().majorVersion()
    context.doneCurrent()
    if version < 2:
        return f"this display offers OpenGL {version}, and the 3-D view needs 2.0 or newer"
    return None


def _overlay() -> dict:
    """GL options that draw paths and points over the surface, never hidden behind a ridge."""
    from OpenGL import GL

    return {GL.GL_DEPTH_TEST: False, GL.GL_BLEND: True, GL.GL_CULL_FACE: False,
            "glBlendFuncSeparate": (GL.GL_SRC_ALPHA, GL.GL_ONE_MINUS_SRC_ALPHA,
                                    GL.GL_ONE, GL.GL_ONE_MINUS_SRC_ALPHA)}


def _rgba(colour, alpha: float = 1.0) -> tuple[float, float, float, float]:
    c = pg.mkColor(colour)
    return (c.redF(), c.greenF(), c.blueF(), alpha)


class SurfaceView(QWidget):
    """f(x1, x2) over the plotted range as a surface; ``set_paths``/``show_path`` as the contour plot."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("surface3d")
        self.box: Box | None = None
        self.reason: str | None = None
        self.gl = None
        self._objective = None
        self._names: list[str] = []
        self._paths: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._lines: list = []
        self._currents: list = []
        self._building = False
        self._point_size = style.BASE_POINT_SIZE
        self._stack = QStackedLayout(self)
        self.message = QLabel("The 3-D surface is drawn when this tab is first shown.", self)
        self.message.setObjectName("surfaceMessage")
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._stack.addWidget(self.message)

    # -- the same calls as the contour plot ------------------------------------------------------
    def show_objective(self, objective, x_range, y_range, heights) -> None:
        """The function to draw, over the contour plot's range and height scale."""
        self._objective = objective
        self.box = Box(tuple(x_range), tuple(y_range), heights)
        self._paths.clear()
        if self.gl is not None:
            self._draw_surface()

    def set_paths(self, names: list[str]) -> None:
        self._names = list(names)
        self._paths.clear()
        if self.gl is not None:
            self._make_path_items()

    def show_path(self, i: int, xy: np.ndarray, f: np.ndarray) -> None:
        """Iterates ``xy`` ``(k, 2)`` with values ``f`` ``(k,)``; the last is the current point."""
        self._paths[i] = (np.asarray(xy, dtype=np.float64), np.asarray(f, dtype=np.float64))
        if self.gl is not None and self.isVisible():
            self._draw_path(i)

    def path_vertices(self, i: int) -> np.ndarray:
        """The drawn vertices ``(k, 3)`` of path ``i`` (what the line item holds)."""
        if self.box is None or i not in self._paths:
            return np.zeros((0, 3))
        return path_vertices(self.box, *self._paths[i])

    # -- building the GL scene on first show -------------------------------------------------------
    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._building:
            return  # a GL widget joining the window re-shows it: build once
        if self.gl is None and self.reason is None:
            self._building = True
            try:
                self._build()
            except Exception as exc:  # a driver that starts but cannot draw: say so, keep the tab
                self.reason = f"OpenGL could not draw the surface ({type(exc).__name__}: {exc})"
                self.gl = None
                self._show_reason()
            finally:
                self._building = False
        elif self.gl is not None:
            for i in list(self._paths):
                self._draw_path(i)

    def _build(self) -> None:
        self.reason = gl_unavailable_reason()
        if self.reason is not None:
            self._show_reason()
            return
        import pyqtgraph.opengl as gl

        page = QWidget(self)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        self.gl = gl.GLViewWidget(page)
        self.gl.setObjectName("surfaceGL")
        self.gl.setBackgroundColor("w")
        self.gl.setToolTip("Drag to turn the surface, wheel to zoom")
        column.addWidget(self.gl, 1)
        row = QHBoxLayout()
        hint = QLabel(self)
        hint.setObjectName("surfaceHint")
        self._hint = hint
        reset = QPushButton("Reset view", objectName="surfaceResetView")
        reset.clicked.connect(self.reset_camera)
        row.addWidget(hint, 1)
        row.addWidget(reset)
        column.addLayout(row)
        self._stack.addWidget(page)
        self._stack.setCurrentWidget(page)
        self.floor = gl.GLGridItem(color=(0, 0, 0, 60))
        self.floor.setSize(2, 2)
        self.floor.setSpacing(0.25, 0.25)
        self.gl.addItem(self.floor)
        self.surface = gl.GLSurfacePlotItem(computeNormals=False, smooth=False)
        self.gl.addItem(self.surface)
        self.minima = gl.GLScatterPlotItem(size=14, color=(0.1, 0.1, 0.1, 1), pxMode=True)
        self.gl.addItem(self.minima)
        self.reset_camera()
        self._draw_surface()
        self._make_path_items()
        self.labels = [gl.GLTextItem(pos=pos, text=text, color=(0, 0, 0, 255))
                       for pos, text in (((0.0, -1.25, 0.0), "x₁"), ((1.25, 0.0, 0.0), "x₂"),
                                         ((-1.0, -1.0, HEIGHT + 0.15), "f"))]
        for label in self.labels:
            self.gl.addItem(label)
        self.set_font_size(self._point_size)

    def set_font_size(self, point_size: int) -> None:
        """The axis letters follow View > Bigger/Smaller font and presentation mode."""
        self._point_size = int(point_size)
        for label in getattr(self, "labels", ()):
            font = label.font
            font.setPointSize(self._point_size + 2)
            label.setData(font=font)

    def _show_reason(self) -> None:
        self.message.setText(f"The 3-D surface cannot be shown here: {self.reason}. "
                             "The contour plot shows the same function and paths.")
        self._stack.setCurrentWidget(self.message)

    def reset_camera(self) -> None:
        if self.gl is not None:
            from PySide6.QtGui import QVector3D

            self.gl.setCameraPosition(pos=QVector3D(0.0, 0.0, HEIGHT / 3), **CAMERA)

    def _log(self) -> bool:
        return bool(self.box is not None and self.box.heights.log)

    def _draw_surface(self) -> None:
        if self.box is None or self._objective is None:
            return
        (x0, x1), (y0, y1) = self.box.x_range, self.box.y_range
        xs, ys = np.linspace(x0, x1, SURFACE_GRID), np.linspace(y0, y1, SURFACE_GRID)
        with np.errstate(all="ignore"):
            z = np.asarray(self._objective.grid(xs, ys), dtype=np.float64)  # (ny, nx)
        h = self.box.height(z.T)  # GLSurfacePlotItem wants (nx, ny)
        h = np.where(np.isfinite(h), h, HEIGHT)
        colours = pg.colormap.get(style.MAGNITUDE_MAP).map(h / HEIGHT, mode="float")
        px, py = self.box.xy(xs, ys)
        self.surface.setData(x=px, y=py, z=h, colors=colours.reshape(-1, 4))
        found = list(self._objective.minima or ())
        points = np.asarray([np.ravel(p) for p, _v in found], dtype=np.float64).reshape(-1, 2)
        verts = path_vertices(self.box, points, np.asarray([v for _p, v in found], dtype=np.float64),
                              lift=0.03)
        self.minima.setData(pos=verts)
        self._hint.setText("Drag to turn, wheel to zoom. Height: "
                           + ("log₁₀(f − min)" if self._log() else "f") + ", colours as the contour plot")

    def _make_path_items(self) -> None:
        import pyqtgraph.opengl as gl

        for item in (*self._lines, *self._currents):
            self.gl.removeItem(item)
        self._lines, self._currents = [], []
        for i, _name in enumerate(self._names):
            colour = _rgba(style.series_colour(i))
            line = gl.GLLinePlotItem(width=3, color=colour, antialias=True, mode="line_strip")
            current = gl.GLScatterPlotItem(size=16, color=colour, pxMode=True)
            line.setGLOptions(_overlay())
            current.setGLOptions(_overlay())
            self._lines.append(line)
            self._currents.append(current)
            self.gl.addItem(line)
            self.gl.addItem(current)
        for i in list(self._paths):
            self._draw_path(i)

    def _draw_path(self, i: int) -> None:
        if i >= len(self._lines):
            return
        verts = self.path_vertices(i)
        empty = np.zeros((0, 3))
        self._lines[i].setData(pos=verts if len(verts) > 1 else empty)
        xy, f = self._paths[i]
        last = path_vertices(self.box, xy[-1:], f[-1:], lift=0.03) if len(xy) else empty
        self._currents[i].setData(pos=last)
