"""The getting-started guide: a short card over the workspace on first start.

It says what the step buttons do and which keys drive them (the keys read from the same table as
Help > Keyboard shortcuts). Once dismissed it stays away, remembered in QSettings (UI state);
Help > Getting started shows it again.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import QEvent, QMargins, QObject, QRect, QSettings, Qt, Signal
from PySide6.QtWidgets import QFrame, QLabel, QPushButton, QVBoxLayout, QWidget

#: Settings key: True once the person dismissed the guide.
DISMISSED_KEY = "help/gettingStartedDismissed"
#: The window's actions whose keys the guide lists, before the workspaces' own keys.
GUIDE_ACTIONS = ("step", "back", "run", "presentation")
GUIDE_WIDTH = 760
GUIDE_MARGIN = 16
#: Room kept clear above the card (the tabs, the Network tab's step buttons and phase line) and
#: below it (the descent tabs' step bar), where there is height enough.
CLEAR_ABOVE, CLEAR_BELOW = 150, 44

INTRO = (
    "<h3>Getting started</h3>"
    "<p>Stepwise takes training apart one step at a time. On the <b>Network</b> tab "
    "<b>Phase ▶</b> does one phase (forward through one layer, the loss of one observation, backward "
    "through one layer, or the update); <b>Observation ▶▶</b> finishes the current observation's "
    "forward and backward pass; <b>Iteration ▶▶▶</b> finishes the iteration, through the update. "
    "On the <b>1-D</b> and <b>2-D descent</b> tabs <b>Step</b> takes one iteration of the optimizer; "
    "click the plot to choose where it starts.</p>")


def keys_html(rows: list[tuple[str, str]]) -> str:
    """The keys as a two-column rich-text table."""
    cells = "".join(f"<tr><td><b>{escape(key)}</b></td><td>&nbsp;&nbsp;{escape(what)}</td></tr>"
                    for key, what in rows)
    return f"<p><b>Keys</b></p><table>{cells}</table>"


class GettingStarted(QFrame):
    """The guide card, centred over ``parent``; clicking "Got it" hides it for good."""

    dismissed = Signal()

    def __init__(self, rows: list[tuple[str, str]], settings: QSettings, parent: QWidget) -> None:
        super().__init__(parent)
        self._settings = settings
        self.setObjectName("gettingStarted")
        self.setAutoFillBackground(True)
        self.setStyleSheet("#gettingStarted { background: palette(base); border: 2px solid palette(highlight);"
                           " border-radius: 6px; }")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(18, 12, 18, 12)
        self.text = QLabel(INTRO + keys_html(rows), self)
        self.text.setObjectName("gettingStartedText")
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        layout.addWidget(self.text)
        self.ok_button = QPushButton("Got it", self)
        self.ok_button.setObjectName("gettingStartedOk")
        # Space steps the workspace; a focused button would take it as a click instead.
        self.ok_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.ok_button.clicked.connect(self.dismiss)
        layout.addWidget(self.ok_button, 0, Qt.AlignmentFlag.AlignRight)
        parent.installEventFilter(self)
        self.place()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """Stay centred when the window is resized."""
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.place()
        return False

    def place(self) -> None:
        """Centred across the parent, below its step buttons where the height allows: as tall as the
        text needs at :data:`GUIDE_WIDTH`, never larger than the parent less a margin."""
        room = self.parentWidget().rect().marginsRemoved(QMargins(*(4 * [GUIDE_MARGIN])))
        width = min(GUIDE_WIDTH, room.width())
        height = self.heightForWidth(width)
        height = min(height if height > 0 else self.sizeHint().height(), room.height())
        clear = room.adjusted(0, CLEAR_ABOVE, 0, -CLEAR_BELOW)
        if clear.height() >= height:
            room = clear
        rect = QRect(0, 0, width, height)
        rect.moveCenter(room.center())
        self.setGeometry(rect)

    def dismiss(self) -> None:
        """Hide the guide and remember that it was read."""
        self._settings.setValue(DISMISSED_KEY, True)
        self.hide()
        self.dismissed.emit()


def was_dismissed(settings: QSettings) -> bool:
    """True once the guide was dismissed in these settings."""
    return settings.value(DISMISSED_KEY, False, type=bool)
