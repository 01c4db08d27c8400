"""Where the main window opens: inside the available area of the screen the person works on.

A window larger than its screen hides its right edge, and its step bar below the bottom (a
1500x950 window on a 1280x800 projector). So the preferred size shrinks to the screen, a saved
geometry is restored only when it still fits (the projector may be smaller than the monitor it
was saved on), and the window's layouts keep their minimum inside :data:`SMALLEST_SCREEN`.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, QMargins, QPoint, QRect, QSize
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget

PREFERRED_SIZE = QSize(1500, 950)
#: The smallest screen the window is laid out for (SPEC section 1.4).
SMALLEST_SCREEN = QSize(1024, 700)
#: Room for a window manager's title bar and borders, unknown until the window is first shown.
FRAME_ALLOWANCE = QMargins(4, 36, 4, 4)
#: The settings dock may narrow to this on a 1024-pixel screen (its panel then scrolls sideways).
SIDE_PANEL_MIN_WIDTH = 300


def screen_area(window: QWidget) -> QRect:
    """Available geometry (no task bars) of the screen under the mouse pointer, else the window's."""
    screen = QGuiApplication.screenAt(QCursor.pos()) or window.screen()
    return screen.availableGeometry()


def default_geometry(area: QRect, minimum: QSize) -> QRect:
    """The window's own rectangle (no frame) in ``area``: the preferred size, shrunk to the
    area less :data:`FRAME_ALLOWANCE` but never below ``minimum``, centred."""
    room = area.marginsRemoved(FRAME_ALLOWANCE)
    size = PREFERRED_SIZE.boundedTo(room.size()).expandedTo(minimum)
    rect = QRect(QPoint(0, 0), size)
    rect.moveCenter(room.center())
    rect.moveTopLeft(QPoint(max(rect.left(), room.left()), max(rect.top(), room.top())))
    return rect


def fits(window: QWidget, area: QRect) -> bool:
    """True when ``window`` is maximized or full screen, or its rectangle and borders lie inside
    ``area`` (a saved rectangle already leaves its title bar's room above it)."""
    border = FRAME_ALLOWANCE.left()
    framed = window.geometry().marginsAdded(QMargins(border, border, border, border))
    return window.isMaximized() or window.isFullScreen() or area.contains(framed)


def place_window(window: QWidget, saved: QByteArray | None) -> None:
    """Restore ``saved`` (from ``saveGeometry``) if it fits its screen, else open at the default."""
    if saved is not None and window.restoreGeometry(saved) and fits(window, window.screen().availableGeometry()):
        return
    window.setGeometry(default_geometry(screen_area(window), window.minimumSizeHint()))


def scrolling_panel(panel: QWidget) -> QScrollArea:
    """A side panel in a scroll area, so the window fits a 1280x800 projector (and, scrolling
    sideways too, a 1024x700 screen)."""
    area = QScrollArea()
    area.setWidget(panel)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setMinimumWidth(min(panel.minimumSizeHint().width() + 20, SIDE_PANEL_MIN_WIDTH))
    return area
