"""The dialogs of File > Export > Plot… and Animation…: what to export, before the file is chosen.

Each dialog reads the tab's plots by name (``gui.common.export.named_plots``, the names of SPEC
section 6) and holds its choices in plain widgets, so the window's :class:`~gui.window.exports.Exports`
reads them once the dialog is accepted.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QComboBox, QDialog, QDialogButtonBox, QDoubleSpinBox, QFormLayout, QLabel,
                               QSpinBox, QWidget)

from gui.common.export import MAX_SCALE, MIN_SCALE, named_plots, plot_size
from gui.common.workspace import Workspace

WHOLE_TAB = "the whole tab"


def _buttons(dialog: QDialog, ok_text: str) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    box.accepted.connect(dialog.accept)
    box.rejected.connect(dialog.reject)
    return box


def _plot_combo(parent: QWidget, ws: Workspace, whole_tab: bool) -> QComboBox:
    combo = QComboBox(parent)
    combo.setObjectName("plotChoice")
    if whole_tab:
        combo.addItem(WHOLE_TAB, None)
    for name, _widget in named_plots(ws):
        combo.addItem(name, name)
    return combo


class PlotExportDialog(QDialog):
    """Which plot of the tab, PNG or SVG, and the PNG's scale (1x to 4x the plot on screen)."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("plotExportDialog")
        self.setWindowTitle(f"Export a plot of the {ws.title} tab")
        self._plots = dict(named_plots(ws))
        self.plot = _plot_combo(self, ws, whole_tab=False)
        self.format = QComboBox(self)
        self.format.setObjectName("formatChoice")
        self.format.addItem("PNG image", "png")
        self.format.addItem("SVG drawing", "svg")
        self.scale = QDoubleSpinBox(self)
        self.scale.setObjectName("scaleChoice")
        self.scale.setRange(MIN_SCALE, MAX_SCALE)
        self.scale.setSingleStep(0.5)
        self.scale.setDecimals(1)
        self.scale.setSuffix("x")
        self.scale.setValue(2.0)
        self.size_label = QLabel(self)
        form = QFormLayout(self)
        form.addRow("Plot:", self.plot)
        form.addRow("Format:", self.format)
        form.addRow("Scale:", self.scale)
        form.addRow("", self.size_label)
        form.addRow(_buttons(self, "Export…"))
        for signal in (self.plot.currentIndexChanged, self.format.currentIndexChanged, self.scale.valueChanged):
            signal.connect(self._show_size)
        self._show_size()

    def chosen(self) -> tuple[str, str, float]:
        """(plot name, ``png`` or ``svg``, scale)."""
        return self.plot.currentData(), self.format.currentData(), float(self.scale.value())

    def _show_size(self) -> None:
        name, fmt, scale = self.chosen()
        self.scale.setEnabled(fmt == "png")
        widget = self._plots.get(name)
        if widget is None:
            self.size_label.setText("")
            return
        width, height = plot_size(widget)
        if fmt == "png":
            self.size_label.setText(f"{round(width * scale)} × {round(height * scale)} pixels")
        else:
            self.size_label.setText(f"a {width} × {height} canvas, the plot's size on screen")


class AnimationDialog(QDialog):
    """Steps, a frame every K steps, the plot (or the whole tab), the frame size and the frame rate."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("animationDialog")
        self.setWindowTitle(f"Animate the {ws.title} tab")
        self._ws = ws
        self._plots = dict(named_plots(ws))
        self.steps = self._spin("stepsChoice", 1, 100_000, 50)
        self.every = self._spin("everyChoice", 1, 100_000, 1)
        self.plot = _plot_combo(self, ws, whole_tab=True)
        self.width = self._spin("widthChoice", 64, 7680, 800)
        self.height = self._spin("heightChoice", 64, 4320, 600)
        self.fps = QDoubleSpinBox(self)
        self.fps.setObjectName("fpsChoice")
        self.fps.setRange(0.5, 60.0)
        self.fps.setValue(5.0)
        self.fps.setSuffix(" frames a second")
        form = QFormLayout(self)
        form.addRow("Steps:", self.steps)
        form.addRow("A frame every:", self.every)
        form.addRow("Plot:", self.plot)
        form.addRow("Frame width:", self.width)
        form.addRow("Frame height:", self.height)
        form.addRow("Speed:", self.fps)
        note = QLabel("Each frame is the plot at its step, fitted into the frame size, with the step "
                      "below it. GIF, or MP4 with the mp4 extra.", self)
        note.setWordWrap(True)
        form.addRow(note)
        form.addRow(_buttons(self, "Animate…"))
        self.plot.currentIndexChanged.connect(self._default_size)
        self._default_size()

    def _spin(self, name: str, low: int, high: int, value: int) -> QSpinBox:
        spin = QSpinBox(self)
        spin.setObjectName(name)
        spin.setRange(low, high)
        spin.setValue(value)
        return spin

    def target(self) -> QWidget:
        """The widget each frame pictures: the chosen plot, or the whole tab."""
        return self._plots.get(self.plot.currentData(), self._ws)

    def _default_size(self) -> None:
        """The frame size starts at the chosen plot's size on screen."""
        width, height = plot_size(self.target())
        self.width.setValue(max(self.width.minimum(), width))
        self.height.setValue(max(self.height.minimum(), height))

    def chosen(self) -> dict:
        return {"steps": self.steps.value(), "every": self.every.value(), "plot": self.plot.currentData(),
                "size": (self.width.value(), self.height.value()), "fps": float(self.fps.value())}
