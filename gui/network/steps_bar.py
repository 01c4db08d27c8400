"""Step controls for the network: step one phase, one observation or one iteration, back, reset,
run/pause with speed, the history slider, and the current phase named in words.
"""

from __future__ import annotations

import math

from PySide6 import QtCore, QtGui, QtWidgets

from engine.training import GRANULARITIES
from gui.common.background import ProgressLine
from gui.common.fence import SizeHintFence
from gui.network.history_scale import SliderPosition

SPEED_MIN, SPEED_MAX = 1.0, 20000.0
_SLIDER_STEPS = 1000
POSITION_TEMPLATE = "phase 00000 of 00000, iteration 0000"


def speed_from_slider(position: int) -> float:
    """Iterations per second for a slider position (log scale)."""
    return SPEED_MIN * (SPEED_MAX / SPEED_MIN) ** (position / _SLIDER_STEPS)


def slider_from_speed(speed: float) -> int:
    speed = min(max(speed, SPEED_MIN), SPEED_MAX)
    return round(_SLIDER_STEPS * math.log(speed / SPEED_MIN) / math.log(SPEED_MAX / SPEED_MIN))


class NetworkSteps(QtWidgets.QWidget):
    """Emits intents; ``show_position`` writes the phase text and the slider without echoing."""

    step_requested = QtCore.Signal(str)          # one of GRANULARITIES
    back_requested = QtCore.Signal()
    reset_requested = QtCore.Signal()
    run_toggled = QtCore.Signal(bool)
    speed_changed = QtCore.Signal(float)
    jump_requested = QtCore.Signal(int)

    def __init__(self, parent: QtWidgets.QWidget | None = None, work=None) -> None:
        """``work``: the runner of the steps made in the background, shown beside the phase (``watch``)."""
        super().__init__(parent)
        # Opaque: its updates on every step then stop here instead of repainting every ancestor.
        self.setAutoFillBackground(True)
        self.setObjectName("networkSteps")
        outer = QtWidgets.QVBoxLayout(self)
        outer.setContentsMargins(6, 4, 6, 4)
        outer.setSpacing(2)  # every pixel of height counts on a 1024x700 screen
        self.phase_label = QtWidgets.QLabel("", self)
        self.phase_label.setObjectName("phaseLabel")
        font = self.phase_label.font()
        font.setPointSize(font.pointSize() + 3)
        font.setBold(True)
        self.phase_label.setFont(font)
        # One line of fixed height: a label that changes size every frame re-lays out the window.
        self.phase_label.setFixedHeight(self.phase_label.fontMetrics().height() + 8)
        self.phase_label.setSizePolicy(QtWidgets.QSizePolicy.Policy.Ignored,
                                       QtWidgets.QSizePolicy.Policy.Fixed)
        self._top = QtWidgets.QHBoxLayout()  # the phase, and the work of a step over a large data set
        self._top.addWidget(SizeHintFence(self.phase_label), 1)
        outer.addLayout(self._top)

        row = QtWidgets.QHBoxLayout()
        self.buttons: dict[str, QtWidgets.QPushButton] = {}
        for key, text, tip in (
                ("reset", "Reset", "Back to the initial parameters"),
                ("back", "◀ Back", "Undo the last step (any granularity)"),
                ("phase", "Phase ▶", "One phase (P): forward through one layer, the loss, backward "
                                     "through one layer, or the update (Page Down repeats the last step "
                                     "size, Page Up goes back: a presentation clicker works)"),
                ("observation", "Observation ▶▶", "Finish the current observation's forward and backward pass (O)"),
                ("iteration", "Iteration ▶▶▶", "Finish the current iteration, through the update (I)"),
                ("run", "Run", "Run iterations continuously; click again to pause")):
            b = QtWidgets.QPushButton(text, self)
            b.setObjectName(f"{key}Button")
            b.setToolTip(tip)
            row.addWidget(b)
            self.buttons[key] = b
        self.buttons["run"].setCheckable(True)
        self._fit_buttons()
        outer.addLayout(row)

        row2 = QtWidgets.QHBoxLayout()
        row2.addWidget(QtWidgets.QLabel("Speed:", self))
        self.speed = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal, self)
        self.speed.setObjectName("networkSpeed")
        self.speed.setRange(0, _SLIDER_STEPS)
        self.speed.setToolTip("Run speed, iterations per second (log scale)")
        row2.addWidget(self.speed, 1)
        self.speed_label = QtWidgets.QLabel(self)
        self.speed_label.setFixedWidth(self.speed_label.fontMetrics().horizontalAdvance("00000 it/s "))
        row2.addWidget(self.speed_label)
        row2.addWidget(QtWidgets.QLabel("History:", self))
        self.history = QtWidgets.QSlider(QtCore.Qt.Orientation.Horizontal, self)
        self.history.setObjectName("networkHistory")
        self.history.setRange(0, 0)
        self.history.setToolTip("Drag to return to any earlier step: phases when stepping by phase or "
                                "observation, iterations when stepping by iteration")
        row2.addWidget(self.history, 2)
        self.position_label = QtWidgets.QLabel(self)
        self.position_label.setFixedWidth(self.position_label.fontMetrics().horizontalAdvance(POSITION_TEMPLATE))
        row2.addWidget(SizeHintFence(self.position_label))
        outer.addLayout(row2)

        for key in GRANULARITIES:
            self.buttons[key].clicked.connect(lambda _=False, k=key: self.step_requested.emit(k))
        self.buttons["back"].clicked.connect(self.back_requested)
        self.buttons["reset"].clicked.connect(self.reset_requested)
        self.buttons["run"].toggled.connect(self.run_toggled)
        self.speed.valueChanged.connect(self._on_speed)
        self.history.valueChanged.connect(self.jump_requested)
        self.set_speed(200.0)
        if work is not None:
            self.watch(work)

    def watch(self, runner) -> None:
        """Show ``runner``'s work beside the phase (a step over a large data set): "computing the
        step…", a bar and Cancel, in the phase line's height."""
        self.work = ProgressLine(runner, self)
        self.work.setObjectName("stepProgress")
        metrics = self.work.fontMetrics()
        widest = max(metrics.horizontalAdvance(t) for t in ("computing the step…", "preparing the data…"))
        self.work.label.setMinimumWidth(widest + 4)
        self.work.setFixedWidth(widest + self.work.cancel_button.sizeHint().width() + 110)
        self.work.setMaximumHeight(self.phase_label.height())
        policy = self.work.sizePolicy()
        policy.setRetainSizeWhenHidden(False)  # the phase gets the whole line back afterwards
        self.work.setSizePolicy(policy)
        runner.busy_changed.connect(self._on_work)
        self._top.addWidget(self.work)

    def _on_work(self, busy: bool) -> None:
        self.work.label.setText(self.work.runner.label)
        if self.buttons["run"].isChecked():
            self.work.show()  # while running, one frame's work follows another: no flicker between

    def set_speed(self, speed: float) -> None:
        if slider_from_speed(speed) == self.speed.value() and self.speed_label.text():
            return
        blocker = QtCore.QSignalBlocker(self.speed)
        self.speed.setValue(slider_from_speed(speed))
        del blocker
        self.speed_label.setText(f"{speed:.0f} it/s")

    def _on_speed(self, position: int) -> None:
        speed = speed_from_slider(position)
        self.speed_label.setText(f"{speed:.0f} it/s")
        self.speed_changed.emit(speed)

    def set_point_size(self, point_size: int) -> None:
        """The phase line stays three points above the interface text."""
        font = self.phase_label.font()
        font.setPointSize(point_size + 3)
        self.phase_label.setFont(font)
        self.phase_label.setFixedHeight(self.phase_label.fontMetrics().height() + 8)
        metrics = self.position_label.fontMetrics()
        self.position_label.setFixedWidth(metrics.horizontalAdvance(POSITION_TEMPLATE))
        self.speed_label.setFixedWidth(metrics.horizontalAdvance("00000 it/s "))
        self._granularity = None  # the buttons' fonts are set again at the next show_granularity
        self._fit_buttons()

    def _fit_buttons(self) -> None:
        """Buttons as narrow as their bold text allows (the style's wider minimum would not leave
        the row room beside the settings dock on a 1024-pixel screen)."""
        for b in self.buttons.values():
            font = b.font()
            font.setBold(True)
            b.setMinimumWidth(QtGui.QFontMetrics(font).horizontalAdvance(b.text()) + 20)

    def show_granularity(self, granularity: str) -> None:
        """Bold the button whose unit the window's Step (Space) repeats."""
        if granularity == getattr(self, "_granularity", None):
            return  # a font change re-lays out the buttons
        self._granularity = granularity
        for key in GRANULARITIES:
            font = self.buttons[key].font()
            font.setBold(key == granularity)
            self.buttons[key].setFont(font)
            self.buttons[key].setToolTip(self.buttons[key].toolTip().split(" [")[0]
                                         + (" [Space repeats this step]" if key == granularity else ""))

    def show_running(self, on: bool) -> None:
        blocker = QtCore.QSignalBlocker(self.buttons["run"])
        self.buttons["run"].setChecked(on)
        self.buttons["run"].setText("Pause" if on else "Run")
        del blocker
        work = getattr(self, "work", None)
        if work is not None and not on and not work.runner.busy:
            work.hide()

    def show_position(self, phase_text: str, position: SliderPosition, can_back: bool,
                      finished: bool = False) -> None:
        """Name the phase, move the history slider to ``position``; Back is enabled whenever
        there is something to go back to (a phase inside an iteration too)."""
        self.phase_label.setText(phase_text)
        blocker = QtCore.QSignalBlocker(self.history)
        self.history.setRange(0, position.maximum)
        self.history.setValue(position.value)
        del blocker
        self.position_label.setText(position.text)
        for key in GRANULARITIES:
            self.buttons[key].setEnabled(not finished)
        self.buttons["back"].setEnabled(can_back)
