"""The step-controls bar: Step, Run/Pause with speed, Back, Reset and the history slider.

Buttons reuse the window's QActions (so menus, shortcuts and buttons are one thing); the slider and
the speed control talk to whichever controller is bound. Nothing here computes descent maths.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QSignalBlocker, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSlider, QToolButton, QWidget

from gui.common.fence import SizeHintFence

SPEED_MIN = 1.0
SPEED_MAX = 5000.0
_SLIDER_STEPS = 1000


def speed_from_slider(position: int) -> float:
    """Iterations per second for a slider position (log scale from 1 to 5000)."""
    frac = position / _SLIDER_STEPS
    return SPEED_MIN * (SPEED_MAX / SPEED_MIN) ** frac


def slider_from_speed(speed: float) -> int:
    speed = min(max(speed, SPEED_MIN), SPEED_MAX)
    return round(_SLIDER_STEPS * math.log(speed / SPEED_MIN) / math.log(SPEED_MAX / SPEED_MIN))


class StepControls(QWidget):
    """Bar under the workspace tabs; ``bind(controller)`` connects it to the current workspace."""

    jump_requested = Signal(int)
    speed_changed = Signal(float)

    def __init__(self, actions, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("stepControls")
        self._controller = None
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 8, 2)
        self.buttons = {}
        for name in ("reset", "back", "step", "run"):
            button = QToolButton(self)
            button.setDefaultAction(getattr(actions, name))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setMinimumWidth(56)
            # Space is the Step shortcut; a focused button would also take it as a click.
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            layout.addWidget(button)
            self.buttons[name] = button

        # No "Speed:" or "History:" caption: the "60 it/s" and "iteration 3 of 12" beside the
        # sliders say it, and beside the settings dock on a 1024-pixel screen every pixel counts.
        self.speed_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.speed_slider.setObjectName("speedSlider")
        self.speed_slider.setRange(0, _SLIDER_STEPS)
        self.speed_slider.setFixedWidth(84)
        self.speed_slider.setToolTip("Run speed in iterations per second (log scale, 1 to 5000)")
        layout.addWidget(self.speed_slider)
        self.speed_label = QLabel(self)
        self.speed_label.setToolTip("Run speed in iterations per second")
        self.speed_label.setMinimumWidth(self.speed_label.fontMetrics().horizontalAdvance("5000 it/s") + 6)
        layout.addWidget(self.speed_label)

        layout.addSpacing(8)
        self.history_slider = QSlider(Qt.Orientation.Horizontal, self)
        self.history_slider.setObjectName("historySlider")
        self.history_slider.setRange(0, 0)
        self.history_slider.setToolTip("Drag to return to any earlier iteration")
        self.history_slider.setMinimumWidth(60)
        layout.addWidget(self.history_slider, 1)
        self.position_label = QLabel(self)
        self.position_label.setMinimumWidth(self.position_label.fontMetrics().horizontalAdvance(
            "iteration 0000 of 0000"))
        layout.addWidget(SizeHintFence(self.position_label))

        self.speed_slider.valueChanged.connect(self._on_speed_slider)
        self.history_slider.valueChanged.connect(self._on_history_slider)
        self.set_speed(60.0)

    # -- binding --------------------------------------------------------------------------------
    def bind(self, controller) -> None:
        """Follow ``controller`` (a SteppingController); disconnects the previous one."""
        if self._controller is not None:
            for signal in (self._controller.record_changed, self._controller.session_reset):
                signal.disconnect(self.refresh)
        self._controller = controller
        if controller is not None:
            controller.record_changed.connect(self.refresh)
            controller.session_reset.connect(self.refresh)
            controller.set_speed(self.speed())
        self.refresh()

    def refresh(self) -> None:
        """Slider and label from the controller's cursor and history length (no echo)."""
        c = self._controller
        if c is None:
            return
        last = max(c.history_length - 1, 0)
        with QSignalBlocker(self.history_slider):
            self.history_slider.setRange(0, last)
            self.history_slider.setValue(c.cursor)
        self.position_label.setText(f"iteration {c.cursor} of {last}")

    # -- speed ----------------------------------------------------------------------------------
    def speed(self) -> float:
        return speed_from_slider(self.speed_slider.value())

    def set_speed(self, speed: float) -> None:
        self.speed_slider.setValue(slider_from_speed(speed))
        self._on_speed_slider(self.speed_slider.value())

    def _on_speed_slider(self, position: int) -> None:
        speed = speed_from_slider(position)
        self.speed_label.setText(f"{speed:,.0f} it/s")
        if self._controller is not None:
            self._controller.set_speed(speed)
        self.speed_changed.emit(speed)

    def _on_history_slider(self, value: int) -> None:
        if self._controller is not None and value != self._controller.cursor:
            self._controller.jump(value)
        self.jump_requested.emit(value)
