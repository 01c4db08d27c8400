"""The status sentence in the workspace itself, at a size a lecture room can read.

"diverged … the step 0.05 is above the stability limit 2/f''(x*) = 0.0156" is the sentence a
lecturer wants the room to read; the status bar shows it in its smallest font. A
:class:`StatusCaption` shows it under the plot, word-wrapped over a fixed number of lines (a label
that changes size would re-lay out the window on every Run-mode frame, see ``gui.common.fence``),
three points above the interface text, following the workspace's ``set_font_size`` (presentation
mode scales it the same way). A new sentence flashes briefly, except while running; while running
it changes at most a few times a second.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtGui import QFontMetrics, QPalette
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from gui.common.fence import SizeHintFence
from gui.common.flash import Flash, blend
from gui.common.style import BASE_POINT_SIZE

#: Points above the interface text.
CAPTION_EXTRA_PT = 3
#: Lines the caption keeps room for (longer sentences are cut; the status bar has them whole).
CAPTION_LINES = 2
#: How far below the interface size a long sentence may shrink to fit (then it is cut).
CAPTION_LEAST_PT = -2
#: While running, the sentence changes at most this often.
RUNNING_REFRESH_S = 0.25


class StatusCaption(QWidget):
    """A fixed-height, word-wrapped sentence; ``set_text`` shows a new one (and flashes it)."""

    def __init__(self, parent: QWidget | None = None, object_name: str = "statusCaption") -> None:
        super().__init__(parent)
        self.setAutoFillBackground(True)
        self.label = QLabel(self)
        self.label.setObjectName(object_name)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.label.setAutoFillBackground(True)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.label.setContentsMargins(6, 2, 6, 2)
        self._base = self.label.palette().color(QPalette.ColorRole.Window)
        # No layout: a word-wrapped label asks for its height for its width, which would reach
        # the window's layout through one and grow the window past a 1280x800 screen.
        self._fence = SizeHintFence(self.label, self)
        self.flash = Flash(self._paint, self)
        #: True while the workspace runs: the sentence then changes at most 4 times a second.
        self.running: Callable[[], bool] = lambda: False
        self._pending: str | None = None
        self._last_set = 0.0
        self._timer = QTimer(self, singleShot=True)
        self._timer.timeout.connect(self._deliver)
        self.set_point_size(BASE_POINT_SIZE)

    @property
    def quiet(self) -> Callable[[], bool]:
        """True when a new sentence should not flash (while running)."""
        return self.flash.quiet

    @quiet.setter
    def quiet(self, predicate: Callable[[], bool]) -> None:
        self.flash.quiet = predicate

    def follow(self, controller) -> None:
        """Show ``controller``'s status sentence (a ``SteppingController``) from now on."""
        self.quiet = self.running = lambda: controller.running
        controller.status_changed.connect(self.set_text)
        controller.running_changed.connect(lambda on: None if on else self._deliver())
        self.set_text(controller.status_text, flash=False)

    def text(self) -> str:
        """The sentence shown now."""
        return self.label.text()

    def set_text(self, text: str, flash: bool = True) -> None:
        """Show ``text``; it flashes when it is new, unless quiet (or ``flash`` is False); while
        running it may come a little later."""
        if not flash:
            self._pending = None
            self._show(text, flash=False)
            return
        if self.running():
            self._pending = text
            wait = RUNNING_REFRESH_S - (time.perf_counter() - self._last_set)
            if wait <= 0:
                self._deliver()
            elif not self._timer.isActive():
                self._timer.start(int(wait * 1000) + 1)
            return
        self._pending = text
        self._deliver()

    def _deliver(self) -> None:
        self._timer.stop()
        text, self._pending = self._pending, None
        if text is not None:
            self._show(text)

    def _show(self, text: str, flash: bool = True) -> None:
        if text == self.label.text():
            return
        self._last_set = time.perf_counter()
        self.label.setText(text)
        self.label.setToolTip(text)
        self._fit()
        if text and flash:
            self.flash.start()

    def set_point_size(self, point_size: int) -> None:
        """The caption stays :data:`CAPTION_EXTRA_PT` points above the interface text (a long
        sentence a little smaller, so that it fits its lines)."""
        self._point = int(point_size)
        font = self.label.font()
        font.setPointSize(self._point + CAPTION_EXTRA_PT)
        height = CAPTION_LINES * QFontMetrics(font).lineSpacing() + 8
        self.label.setFixedHeight(height)
        self.setFixedHeight(height)
        self._fence.setGeometry(self.rect())
        self._fit()

    def point_size(self) -> int:
        """The point size the sentence is shown at now."""
        return self.label.font().pointSize()

    def _fit(self) -> None:
        """The largest size from interface + CAPTION_EXTRA_PT down to CAPTION_LEAST_PT at which the
        sentence fits the caption's height at its width."""
        text = self.label.text()
        margins = self.label.contentsMargins()
        width = max(self.label.width() - margins.left() - margins.right(), 200)
        room = self.label.height() - margins.top() - margins.bottom()
        font = self.label.font()
        for extra in range(CAPTION_EXTRA_PT, CAPTION_LEAST_PT - 1, -1):
            font.setPointSize(self._point + extra)
            wrapped = QFontMetrics(font).boundingRect(QRect(0, 0, width, 10 * room), Qt.TextFlag.TextWordWrap, text)
            if wrapped.height() <= room:
                break
        if font.pointSize() != self.label.font().pointSize():
            self.label.setFont(font)

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._fence.setGeometry(self.rect())
        self._fit()

    def _paint(self, level: float) -> None:
        palette = self.label.palette()
        palette.setColor(QPalette.ColorRole.Window, blend(self._base, level))
        self.label.setPalette(palette)


def with_caption(widget: QWidget, caption: StatusCaption) -> QWidget:
    """``widget`` with ``caption`` under it, as one widget for a splitter or layout; together they
    ask for no more height than ``widget`` did alone (the window must fit a 1024x700 screen)."""
    widget.setMinimumHeight(max(widget.minimumHeight() - caption.height(), 0))
    box = QWidget(widget.parentWidget())
    column = QVBoxLayout(box)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    column.addWidget(widget, 1)
    column.addWidget(caption)
    return box


__all__ = ["CAPTION_EXTRA_PT", "CAPTION_LINES", "StatusCaption", "with_caption"]
