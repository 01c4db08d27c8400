"""The network tab's settings dock: the Network (editor), Data and Parameters pages."""

from __future__ import annotations

from PySide6 import QtWidgets


def settings_tabs(editor: QtWidgets.QWidget, data_panel: QtWidgets.QWidget,
                  params: QtWidgets.QWidget) -> QtWidgets.QTabWidget:
    """The three pages as tabs; the editor and data pages scroll, and the tabs ask for the width of
    the wider one (a dock narrower than the editor would clip its combos and buttons)."""
    tabs = QtWidgets.QTabWidget()
    tabs.setObjectName("networkSettings")
    for widget, name in ((editor, "Network"), (data_panel, "Data")):
        scroll = QtWidgets.QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(widget)
        tabs.addTab(scroll, name)
    tabs.addTab(params, "Parameters")
    scrollbar = tabs.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_ScrollBarExtent)
    widest = max(editor.sizeHint().width(), data_panel.sizeHint().width())
    tabs.setMinimumWidth(widest + scrollbar + 12)
    return tabs
