"""Editing one parameter in place on the network view: a small line edit over the edge or node,
Enter commits a number, Escape cancels, and anything that is not a number is refused on the spot.
"""

from __future__ import annotations

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

#: Narrowest the line edit gets, in pixels: room for a value such as -0.123456789.
MIN_WIDTH_PX = 130


class InPlaceEditor(QtWidgets.QLineEdit):
    """The line edit the network view opens over a parameter; emits ``edited(name, value)`` when a
    finite number is entered, turns red (and stays open) for text that is not a number."""

    edited = QtCore.Signal(str, float)

    def __init__(self, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.setFont(QtGui.QFont(self.font().family(), 13))
        self._name: str | None = None
        self.returnPressed.connect(self._commit)
        self.hide()

    def edit(self, name: str, value: float | None, centre: QtCore.QPoint) -> None:
        """Open over ``centre`` (view pixels) with ``name``'s current ``value`` selected."""
        self._name = name
        self.setText("" if value is None else repr(float(value)))
        self.setToolTip(f"New value of {name}")
        self.resize(max(MIN_WIDTH_PX, self.sizeHint().width()), self.sizeHint().height())
        self.move(int(centre.x() - self.width() / 2), int(centre.y() - self.height() / 2))
        self.show()
        self.setFocus()
        self.selectAll()

    def _commit(self) -> None:
        text = self.text()
        try:
            value = float(text.strip().replace("−", "-"))
        except ValueError:
            self.setStyleSheet("background: #ffd6d6")
            self.setToolTip(f"{text!r} is not a number; type e.g. 0.25")
            return
        name, self._name = self._name, None
        self.setStyleSheet("")
        self.hide()
        if name is not None and np.isfinite(value):
            self.edited.emit(name, value)

    def event(self, ev: QtCore.QEvent) -> bool:
        """Escape is this editor's (it cancels) before it is the window's (leaving presentation mode)."""
        if ev.type() == QtCore.QEvent.Type.ShortcutOverride and ev.key() == QtCore.Qt.Key.Key_Escape:
            ev.accept()
            return True
        return super().event(ev)

    def keyPressEvent(self, ev: QtGui.QKeyEvent) -> None:  # noqa: N802 - Qt override
        if ev.key() == QtCore.Qt.Key.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(ev)
