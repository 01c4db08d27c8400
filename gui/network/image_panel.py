"""The "Images" tab beside the network view, for image inputs (a square number of inputs, 16 or
more: 8x8 digits, 28x28 images): the explained observation as a picture, and each hidden node's
first-layer weights w(1)[j,·] as a small picture of the same shape, all nodes as one grid, the
node of the selected parameter framed. Hovering a pixel names its weight and value; a click
selects it, so every one of 784 x 16 weights is a click away. One image per picture.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6 import QtCore, QtWidgets

from engine.network import NetworkError, parse_param_name
from engine.numbers import format_number
from gui.network.view_compact import SELECTED, diverging_lut
from gui.network.view_items import cosmetic_pen
from gui.network.view_matrix import lookup_table, symmetric_level

MIN_SIDE = 4          # 16 inputs or more as a square picture
GAP = 1               # pixels of background between the tiles of the weight grid
INK = lookup_table([(0.0, "#ffffff"), (1.0, "#000000")])  # a pixel's value as ink on paper


def image_side(n_inputs: int) -> int | None:
    """The side of the square picture ``n_inputs`` pixels make, or None when they make none."""
    side = math.isqrt(int(n_inputs))
    return side if side >= MIN_SIDE and side * side == n_inputs else None


def mosaic(W1: np.ndarray, side: int) -> tuple[np.ndarray, int]:
    """Rows of ``W1 (n_1, side*side)`` as ``side`` x ``side`` tiles in a grid (NaN between them) and
    the grid's number of columns; tile j is at row ``j // cols``, column ``j % cols``."""
    n = W1.shape[0]
    cols = max(1, math.ceil(math.sqrt(n)))
    rows = math.ceil(n / cols)
    step = side + GAP
    out = np.full((rows * step - GAP, cols * step - GAP), np.nan)
    for j in range(n):
        r, c = divmod(j, cols)
        out[r * step:r * step + side, c * step:c * step + side] = W1[j].reshape(side, side)
    return out, cols


def tile_pixel(x: float, y: float, side: int, cols: int, n: int) -> tuple[int, int] | None:
    """(node j, input k), 0-based, of the grid pixel at image coordinates ``(x, y)`` (x right, y
    down), or None between tiles and outside."""
    if x < 0 or y < 0:
        return None
    step = side + GAP
    c, px = divmod(int(x), step)
    r, py = divmod(int(y), step)
    j = r * cols + c
    if px >= side or py >= side or c >= cols or j >= n:
        return None
    return j, py * side + px


def hidden_node_of(name: str | None, n_layers: int) -> tuple[int | None, int | None]:
    """The first hidden layer's node (0-based) a parameter belongs to and the input (0-based) of a
    first-layer weight: w(1)[j,k] -> (j, k), b(1)[j] -> (j, None), w(2)[i,j] -> (j, None)."""
    try:
        ref = parse_param_name(name or "")
    except NetworkError:
        return None, None
    if ref.layer == 1:
        return ref.j - 1, (ref.k - 1 if ref.kind == "w" else None)
    if ref.layer == 2 and ref.kind == "w" and n_layers > 1:
        return ref.k - 1, None
    return None, None


class ImagePanel(QtWidgets.QWidget):
    """The observation and the first layer's weights of workspace ``ws`` as pictures; emits
    ``parameter_selected(name)`` for a clicked weight pixel."""

    parameter_selected = QtCore.Signal(str)

    def __init__(self, ws, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("imagePanel")
        self.ws = ws
        self.side: int | None = None
        self._cols = 1
        self._n = 0
        self._W1: np.ndarray | None = None
        #: (tab widget, index) of the tab this panel is, set by ``image_tab``.
        self.tab: tuple[QtWidgets.QTabWidget, int] | None = None
        self.scale_text = " "
        self._hovering = False
        self.plot = pg.GraphicsLayoutWidget(self)
        self.plot.setBackground("w")
        self.plot.setMinimumSize(100, 60)
        self.obs_title = self.plot.addLabel("", row=0, col=0)
        self.weights_title = self.plot.addLabel("", row=0, col=1)
        self.obs_box = self.plot.addViewBox(row=1, col=0, lockAspect=True, enableMouse=False, invertY=True)
        self.weights_box = self.plot.addViewBox(row=1, col=1, lockAspect=True, enableMouse=False, invertY=True)
        self.plot.ci.layout.setColumnStretchFactor(0, 1)
        self.plot.ci.layout.setColumnStretchFactor(1, 2)
        for box in (self.obs_box, self.weights_box):
            box.setMenuEnabled(False)
        self.observation = pg.ImageItem(axisOrder="row-major", lut=INK)
        self.weights = pg.ImageItem(axisOrder="row-major", lut=diverging_lut())
        self.obs_box.addItem(self.observation)
        self.weights_box.addItem(self.weights)
        self.tile_frame = QtWidgets.QGraphicsRectItem()
        self.tile_frame.setPen(cosmetic_pen(SELECTED, 3))
        self.pixel_frames = [QtWidgets.QGraphicsRectItem() for _ in range(2)]
        for frame, box in zip(self.pixel_frames, (self.obs_box, self.weights_box)):
            frame.setPen(cosmetic_pen(SELECTED, 2))
            box.addItem(frame)
        self.weights_box.addItem(self.tile_frame)
        self.hover = QtWidgets.QLabel(" ", self, objectName="imageHover")
        self.hover.setTextFormat(QtCore.Qt.TextFormat.PlainText)
        # a new text must not re-lay out the pictures under the pointer
        self.hover.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Fixed)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.hover)
        self.plot.viewport().installEventFilter(self)  # every move (pyqtgraph's signal drops some)
        self.plot.scene().sigMouseClicked.connect(self._on_clicked)

    # ------------------------------------------------------------------ from the training
    def update_tab(self) -> None:
        """Show the tab only while the inputs make a square picture; redraw it if shown."""
        if self.tab is not None:
            tabs, index = self.tab
            wanted = image_side(self.ws.controller.session.network.inputs) is not None
            if tabs.isTabVisible(index) != wanted:
                tabs.setTabVisible(index, wanted)
        self.refresh()

    def refresh(self) -> None:
        """Redraw from the workspace at the cursor (only while shown)."""
        if not self.isVisible():
            return
        s = self.ws.controller.session
        side = image_side(s.network.inputs)
        if side is None:
            return
        self.side = side
        obs = min(self.ws.explanations.explained_observation(), s.n_obs - 1)
        x = s.X[obs]
        self.observation.setImage(x.reshape(side, side), levels=(min(0.0, float(x.min())), float(x.max()) or 1.0))
        target = s.Y[obs]
        label = f" · class {int(np.argmax(target))}" if s.loss.classifies and len(target) > 1 else ""
        self.obs_title.setText(f"Observation {obs + 1}{label}")
        W1 = np.asarray(s.network_at().layers[0].W, dtype=float)
        self._W1, self._n = W1, W1.shape[0]
        grid, self._cols = mosaic(W1, side)
        m = symmetric_level(W1)
        self.weights.setImage(grid, levels=(-m, m))
        self.weights_title.setText(f"w<sup>(1)</sup> of nodes 1–{self._n}")
        self.scale_text = f"weights: blue > 0, orange < 0, darkest ±{format_number(m, 2)}"
        if not self._hovering:
            self.hover.setText(self.scale_text)
        self.obs_box.autoRange(padding=0.02)
        self.weights_box.autoRange(padding=0.02)
        self._mark(self.ws.selected)

    def _mark(self, name: str | None) -> None:
        """Frame the tile of the selected parameter's hidden node and, for a first-layer weight, its pixel."""
        j, k = hidden_node_of(name, len(self.ws.controller.session.network.layers))
        side, step = self.side or 1, (self.side or 1) + GAP
        on = j is not None and j < self._n
        self.tile_frame.setVisible(on)
        if on:
            r, c = divmod(j, self._cols)
            self.tile_frame.setRect(QtCore.QRectF(c * step - 0.5, r * step - 0.5, side + 1, side + 1))
        for frame, origin in zip(self.pixel_frames, ((0, 0), (c * step, r * step) if on else (0, 0))):
            frame.setVisible(on and k is not None)
            if on and k is not None:
                py, px = divmod(k, side)
                frame.setRect(QtCore.QRectF(origin[0] + px, origin[1] + py, 1, 1))

    # ------------------------------------------------------------------ pointer
    def weight_at(self, scene_pos: QtCore.QPointF) -> tuple[int, int] | None:
        """(node j, input k), 0-based, of the weight pixel under ``scene_pos``, or None."""
        if self.side is None or not self.weights_box.sceneBoundingRect().contains(scene_pos):
            return None
        p = self.weights_box.mapSceneToView(scene_pos)
        return tile_pixel(p.x(), p.y(), self.side, self._cols, self._n)

    def scene_point_of(self, j: int, k: int) -> QtCore.QPointF:
        """Scene coordinates of the centre of weight w(1)[j+1,k+1]'s pixel (for clicks)."""
        step = self.side + GAP
        r, c = divmod(j, self._cols)
        py, px = divmod(k, self.side)
        return self.weights_box.mapViewToScene(QtCore.QPointF(c * step + px + 0.5, r * step + py + 0.5))

    def eventFilter(self, obj: QtCore.QObject, ev: QtCore.QEvent) -> bool:  # noqa: N802 - Qt override
        if ev.type() == QtCore.QEvent.Type.MouseMove:
            self._on_moved(self.plot.mapToScene(ev.position().toPoint()))
        return False

    def _on_moved(self, scene_pos: QtCore.QPointF) -> None:
        hit = self.weight_at(scene_pos)
        self._hovering = hit is not None and self._W1 is not None
        if not self._hovering:
            self.hover.setText(self.scale_text)
            return
        j, k = hit
        self.hover.setText(f"w(1)[{j + 1},{k + 1}] = {format_number(self._W1[j, k])}  ·  node {j + 1}, "
                           f"pixel row {k // self.side + 1}, column {k % self.side + 1}")

    def _on_clicked(self, ev) -> None:
        hit = self.weight_at(ev.scenePos())
        if hit is not None:
            ev.accept()
            name = f"w(1)[{hit[0] + 1},{hit[1] + 1}]"
            self._mark(name)
            self.parameter_selected.emit(name)


def image_tab(ws, tabs: QtWidgets.QTabWidget) -> ImagePanel:
    """Add the "Images" tab to ``tabs`` (shown only while the inputs make a square picture) and wire
    it to workspace ``ws``; it redraws when shown and after every refresh of the explanations."""
    panel = ImagePanel(ws)
    index = tabs.addTab(panel, "Images")
    tabs.setTabToolTip(index, "The observation as a picture and each hidden node's first-layer weights as "
                              "pictures of the same shape; click a pixel to select its weight")
    panel.parameter_selected.connect(ws.select_parameter)
    panel.tab = (tabs, index)
    tabs.currentChanged.connect(lambda i: panel.refresh() if i == index else None)
    panel.update_tab()
    return panel
