"""Copy and save a table as people see it: the iterate table, the nudge table.

:func:`install_table_copy` gives a table view a context menu with "Copy" (tab-separated text, which
pastes into a spreadsheet as columns) and "Save as CSV…", and marks it so that Edit > Copy copies
the whole table while it has the focus (:func:`focused_table`). The cells are the shown text
(numbers through ``engine.numbers.format_number``), headers first; a visible row header (the nudge
table's parameter names) becomes the first column.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtWidgets import QAbstractItemView, QApplication, QFileDialog, QMessageBox, QWidget

COPYABLE = "copyableTable"  # the dynamic property that names a copyable table (its file stem)


def table_rows(view: QAbstractItemView) -> list[list[str]]:
    """The header row, then every row, as the view shows them (display text)."""
    model = view.model()
    rows, columns = model.rowCount(), model.columnCount()
    horizontal = Qt.Orientation.Horizontal
    vertical_header = getattr(view, "verticalHeader", lambda: None)()
    with_labels = vertical_header is not None and vertical_header.isVisible()

    def text(value) -> str:
        return "" if value is None else " ".join(str(value).split())

    header = [text(model.headerData(c, horizontal)) for c in range(columns)]
    out = [([""] if with_labels else []) + header]
    for r in range(rows):
        label = [text(model.headerData(r, Qt.Orientation.Vertical))] if with_labels else []
        out.append(label + [text(model.index(r, c).data()) for c in range(columns)])
    return out


def table_text(view: QAbstractItemView, delimiter: str = "\t") -> str:
    """The table as delimited text: tab-separated for the clipboard, ``","`` for a CSV file."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(table_rows(view))
    return buffer.getvalue()


def copy_table(view: QAbstractItemView) -> None:
    """The whole table onto the clipboard, tab-separated."""
    QGuiApplication.clipboard().setText(table_text(view))


def save_table(view: QAbstractItemView, path: str) -> None:
    """The table as a CSV file; OSError with the reason when it cannot be written."""
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write(table_text(view, ","))


def ask_save_table(view: QAbstractItemView) -> None:
    """Save as CSV…: choose a file; a failure is shown with its reason by the window."""
    name = view.property(COPYABLE) or "table"
    path, _ = QFileDialog.getSaveFileName(view, "Save the table as CSV", str(Path.home() / f"{name}.csv"),
                                          "CSV files (*.csv);;All files (*)")
    if not path:
        return
    try:
        save_table(view, path)
    except OSError as exc:
        show_error(view, "Could not save the table", f"{Path(path).name}: {exc.strerror or exc}")


def show_error(widget: QWidget, headline: str, detail: str) -> None:
    """The window's own error box when it has one (``show_error``), else a plain warning."""
    window = widget.window()
    if hasattr(window, "show_error"):
        window.show_error(headline, detail)
    else:
        QMessageBox.warning(widget, headline, detail)


def install_table_copy(view: QAbstractItemView, name: str) -> None:
    """Give ``view`` the context menu Copy / Save as CSV… and let Edit > Copy copy it; ``name`` is
    the suggested file name."""
    view.setProperty(COPYABLE, name)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    copy = QAction("Copy", view)
    copy.setObjectName("copyTable")
    # No key of its own: a second Ctrl+C beside Edit > Copy's would be ambiguous and do nothing.
    copy.triggered.connect(lambda: copy_table(view))
    save = QAction("Save as CSV…", view)
    save.setObjectName("saveTable")
    save.triggered.connect(lambda: ask_save_table(view))
    view.addActions([copy, save])


def focused_table(widget: QWidget | None = None) -> QAbstractItemView | None:
    """The copyable table that holds the focus (or contains ``widget``), if any."""
    widget = widget or QApplication.focusWidget()
    while widget is not None:
        if isinstance(widget, QAbstractItemView) and widget.property(COPYABLE):
            return widget
        widget = widget.parentWidget()
    return None
