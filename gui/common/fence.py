"""A holder that keeps a label's new text from re-laying out (and repainting) the whole window.

``QLabel.setText`` always calls ``updateGeometry``; the label's layout then asks its widget's
parent layout again, and so on up to the window, whose tab widget, dock separators and status
bar repaint on the way. A label that changes on every Run-mode frame (the phase, the position,
the status line) cost the app several repaint passes per frame that way. Qt stops the chain only
at a fixed-size widget; a :class:`SizeHintFence` stops it at any size.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget


class SizeHintFence(QWidget):
    """Holds one always-visible widget and passes its layout requests on only when they matter.

    The fence has no layout: the child's requests end here, and the fence asks its own parent
    for a new layout only when the child's size hint, minimum or maximum size or size policy
    really changed (a new font, a new fixed height), not when a label's text did.
    """

    def __init__(self, child: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Opaque: a repaint of the child stops here too, instead of repainting the parents beneath.
        self.setAutoFillBackground(True)
        self.child = child
        child.setParent(self)
        self._shape: tuple | None = None
        self._follow_child()

    def _follow_child(self) -> bool:
        """Take the child's size rules; True when they differ from those taken last time."""
        c = self.child
        shape = _layout_shape(c)
        if shape == self._shape:
            return False
        self._shape = shape
        self.setMinimumSize(c.minimumSize())
        self.setMaximumSize(c.maximumSize())
        self.setSizePolicy(c.sizePolicy())
        return True

    def refresh(self) -> None:
        """Take the child's new size rules now (a font change), not at the next layout pass."""
        if self._follow_child():
            self.updateGeometry()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.child.sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return self.child.minimumSizeHint()

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return self.child.hasHeightForWidth()

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return self.child.heightForWidth(width)

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LayoutRequest:
            if self._follow_child():
                self.updateGeometry()
            return True
        return super().event(event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        self.child.setGeometry(self.rect())
        super().resizeEvent(event)


def _layout_shape(w: QWidget) -> tuple:
    """What a layout reads from ``w``: per direction its limits, and its size hints only where
    they count (not for a fixed or an ignored direction), plus its height for its width."""
    policy = w.sizePolicy()
    hint, least = w.sizeHint(), w.minimumSizeHint()
    width = (w.minimumWidth(), w.maximumWidth())
    if policy.horizontalPolicy() != QSizePolicy.Policy.Ignored and width[0] != width[1]:
        width += (hint.width(), least.width())
    height = (w.minimumHeight(), w.maximumHeight())
    if policy.verticalPolicy() != QSizePolicy.Policy.Ignored and height[0] != height[1]:
        height += (hint.height(), least.height())
        if w.hasHeightForWidth():
            height += (w.heightForWidth(w.width()),)
    return width, height, policy.horizontalPolicy(), policy.verticalPolicy(), w.hasHeightForWidth()
