"""Where to look: a short warm highlight that fades out on what a step just changed.

One :class:`Flash` drives one highlight: it calls ``apply(level)`` with a level from 1 (full
colour, held for the first :data:`HOLD` of the time) down to 0 (gone) in :data:`LEVELS` steps
over :data:`DURATION_MS`, so a view repaints about ten times per flash, not on every animation
tick. ``quiet`` is asked before and during a flash: while it answers True (Run mode) nothing starts
and a flash under way ends at once, so Run mode keeps its frame rate and no highlights pile up.
:class:`TableFlash` lights cells of a table view through its delegate, without touching the items
(an item change would look like an edit).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, QVariantAnimation
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

#: Okabe-Ito orange: warm, colour-blind safe, and dark enough to show on a washed-out projector
#: (black text on it keeps a contrast of about 9:1).
WARM = "#E69F00"
DURATION_MS = 900
#: Share of the duration the highlight holds its full colour before it fades: long enough to be
#: seen, and a step's own repaints are over before the first shade changes.
HOLD = 0.35
#: Distinct shades of the fade: each is one repaint of what is highlighted (~70 ms apart).
LEVELS = 8


def blend(base: QColor | str, level: float, warm: QColor | str = WARM) -> QColor:
    """``warm`` mixed over ``base`` with weight ``level`` (1: all warm, 0: ``base``)."""
    b, w = QColor(base), QColor(warm)
    t = min(max(float(level), 0.0), 1.0)
    return QColor.fromRgbF(b.redF() + (w.redF() - b.redF()) * t, b.greenF() + (w.greenF() - b.greenF()) * t,
                           b.blueF() + (w.blueF() - b.blueF()) * t)


def warm_hex(level: float, base: str = "#ffffff") -> str:
    """The highlight's colour at ``level`` over ``base``, as ``#rrggbb`` for rich text."""
    return blend(base, level).name()


class Flash(QObject):
    """A fading highlight: ``apply(level)`` is called with 1.0 at :meth:`start`, then with lower
    levels in :data:`LEVELS` steps, and with 0.0 when it ends (or is stopped)."""

    def __init__(self, apply: Callable[[float], None], parent: QObject | None = None,
                 duration_ms: int = DURATION_MS) -> None:
        super().__init__(parent)
        self._apply = apply
        #: Asked before and during a flash; True (e.g. Run mode) means no highlight.
        self.quiet: Callable[[], bool] = lambda: False
        self.level = 0.0
        self.starts = 0
        self._anim = QVariantAnimation(self)
        # the animation's value is the share of the time gone (every tick asks ``quiet``)
        self._anim.setStartValue(0.0)
        self._anim.setEndValue(1.0)
        self._anim.setDuration(int(duration_ms))
        self._anim.valueChanged.connect(self._on_value)
        self._anim.finished.connect(self._end)

    @property
    def active(self) -> bool:
        """True while a highlight is shown (from :meth:`start` until it has faded)."""
        return self.level > 0.0

    def start(self) -> bool:
        """Show the highlight at full colour and let it fade; False (nothing shown) when quiet."""
        if self.quiet():
            self.stop()
            return False
        self._anim.stop()
        self.starts += 1
        self._set(1.0)
        self._anim.start()
        return True

    def stop(self) -> None:
        """End the highlight now (what it coloured goes back to normal)."""
        self._anim.stop()
        if self.level > 0.0:
            self._set(0.0)

    def cancel(self) -> None:
        """End the highlight without repainting: for a view about to redraw all of it anyway."""
        self._anim.stop()
        self.level = 0.0

    def _on_value(self, value) -> None:
        if self._anim.state() != QVariantAnimation.State.Running:
            return
        if self.quiet():
            self.stop()
            return
        fading = min(max((1.0 - float(value)) / (1.0 - HOLD), 0.0), 1.0)
        self._set(math.ceil(fading * LEVELS) / LEVELS)

    def _end(self) -> None:
        self._set(0.0)

    def _set(self, level: float) -> None:
        if level != self.level:
            self.level = level
            self._apply(level)


class _FlashDelegate(QStyledItemDelegate):
    """Paints a cell that is flashing with the warm colour (over the selection too: the selected
    parameter's row is the one people look at)."""

    def __init__(self, flash: TableFlash) -> None:
        super().__init__(flash.view)
        self._flash = flash

    def initStyleOption(self, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # noqa: N802
        super().initStyleOption(option, index)
        level = self._flash.level_of(index)
        if level <= 0.0:
            return
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        base = option.palette.color(QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Base)
        option.state &= ~QStyle.StateFlag.State_Selected
        option.backgroundBrush = blend(base, level)
        if selected and level < 0.5:  # fading into the selection: its own text colour again
            text = option.palette.color(QPalette.ColorRole.HighlightedText)
            option.palette.setColor(QPalette.ColorRole.Text, text)


class TableFlash(QObject):
    """Flashes cells of ``view`` (a ``QTableView`` or ``QTableWidget``): :meth:`flash_cells` with
    (row, column) pairs, :meth:`flash_row` for a whole row. Installs its delegate on the view."""

    def __init__(self, view: QAbstractItemView) -> None:
        super().__init__(view)
        self.view = view
        self._cells: set[tuple[int, int]] = set()
        self._rows: set[int] = set()
        self.flash = Flash(self._repaint, self)
        # The delegate paints in Python, cell by cell: it is the view's only while a flash shows,
        # so a table repainted in Run mode pays nothing for it.
        self._delegate = _FlashDelegate(self)
        self._plain = view.itemDelegate()

    @property
    def quiet(self) -> Callable[[], bool]:
        return self.flash.quiet

    @quiet.setter
    def quiet(self, predicate: Callable[[], bool]) -> None:
        self.flash.quiet = predicate

    def flash_cells(self, cells: Iterable[tuple[int, int]]) -> bool:
        """Highlight these cells (and end any earlier highlight); False when none or quiet."""
        self.flash.stop()
        self._cells, self._rows = set(cells), set()
        return bool(self._cells) and self.flash.start()

    def flash_row(self, row: int) -> bool:
        """Highlight every cell of ``row``."""
        self.flash.stop()
        self._cells, self._rows = set(), {int(row)}
        return self.flash.start()

    def flashing(self) -> set[tuple[int, int]]:
        """The (row, column) cells highlighted now (every column of a flashing row)."""
        if not self.flash.active:
            return set()
        columns = self.view.model().columnCount() if self.view.model() is not None else 0
        return self._cells | {(r, c) for r in self._rows for c in range(columns)}

    def level_of(self, index: QModelIndex | QPersistentModelIndex) -> float:
        """The highlight level of the cell at ``index`` (0 when it is not flashing)."""
        if not self.flash.active:
            return 0.0
        if index.row() in self._rows or (index.row(), index.column()) in self._cells:
            return self.flash.level
        return 0.0

    def _repaint(self, level: float) -> None:
        delegate = self._delegate if level > 0 else self._plain
        # an open editor belongs to the delegate that made it: swapping would lose its value
        editing = self.view.state() == QAbstractItemView.State.EditingState
        if self.view.itemDelegate() is not delegate and not editing:
            self.view.setItemDelegate(delegate)
        self.view.viewport().update()


def flashes_active(root: QObject) -> int:
    """How many flashes under ``root`` are showing a highlight now (tests: none pile up in Run mode)."""
    return sum(f.active for f in root.findChildren(Flash))


__all__ = ["DURATION_MS", "Flash", "HOLD", "LEVELS", "TableFlash", "WARM", "blend", "flashes_active", "warm_hex"]
