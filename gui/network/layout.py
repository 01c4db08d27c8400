"""Where the network tab's panels go: at a desk, or in View > Presentation mode on a projector.

At a desk the network view sits beside the explanation column, and the loss, fit and landscape
plots share a row below. In presentation mode the explanation column (chain rule and nudge table
at a large size) takes the whole height beside the network, and the plots go behind tabs under the
network, so that at 1280x800 the whole chain rule and every row and column of the nudge table show.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

#: Share of the presentation-mode height the network view keeps above the tabbed plots.
VIEW_SHARE = 0.63
#: Narrowest the network column may get in presentation mode (a 1024-pixel screen).
PRESENTATION_MIN_WIDTH = 200


class NetworkLayout:
    """The splitters of the network tab; ``widget`` goes into the workspace's layout.

    ``plots``: (widget, tab title) of the loss, fit and landscape plots, in that order; ``banner``:
    the lecture banner, which presentation mode moves from above everything to above the network.
    """

    def __init__(self, parent: QtWidgets.QWidget, view: QtWidgets.QWidget, explanations: QtWidgets.QWidget,
                 plots: list[tuple[QtWidgets.QWidget, str]], banner: QtWidgets.QWidget) -> None:
        self.view, self.explanations, self.plots, self.banner = view, explanations, plots, banner
        self.presenting = False
        self.top = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal, parent)
        self.top.addWidget(view)
        self.top.addWidget(explanations)
        self.top.setSizes([560, 640])
        self.bottom = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal, parent)
        for w, _ in plots:
            w.setMinimumHeight(110)
            self.bottom.addWidget(w)
        self.bottom.setSizes([400, 400, 560])  # the landscape row holds two parameter choosers as well
        self.widget = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical, parent)
        self.widget.addWidget(self.top)
        self.widget.addWidget(self.bottom)
        self.widget.setSizes([720, 280])  # the plots keep ~150 px at 1280x800
        # presentation mode's left column: the banner, then the network over the plots' tabs
        self.left = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(self.left)
        column.setContentsMargins(0, 0, 0, 0)
        self.left_split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical, self.left)
        column.addWidget(self.left_split, 1)
        self.plot_tabs = QtWidgets.QTabWidget()
        self.plot_tabs.setObjectName("presentationPlots")
        self.plot_tabs.setDocumentMode(True)
        self._desk_sizes: tuple[list[int], list[int], list[int]] | None = None
        self._banner_home: tuple[QtWidgets.QBoxLayout, int] | None = None

    def set_presentation(self, on: bool) -> None:
        """Arrange for presentation mode (``on``) or back for a desk."""
        if on and not self.presenting:
            self._desk_sizes = (self.widget.sizes(), self.top.sizes(), self.bottom.sizes())
            home = self.banner.parentWidget().layout()
            self._banner_home = (home, home.indexOf(self.banner))
            self.left.layout().insertWidget(0, self.banner)
            self.left_split.addWidget(self.view)
            for w, title in self.plots:
                self.plot_tabs.addTab(w, title)
            self.left_split.addWidget(self.plot_tabs)
            self._view_minimum = self.view.minimumSize()
            self.view.setMinimumWidth(PRESENTATION_MIN_WIDTH)
            self.plot_tabs.setMinimumWidth(PRESENTATION_MIN_WIDTH)  # the landscape's choosers may clip
            self.top.insertWidget(0, self.left)
            self.left.show()
            self.bottom.hide()
        elif not on and self.presenting:
            home, index = self._banner_home
            home.insertWidget(index, self.banner)
            self.view.setMinimumSize(self._view_minimum)
            self.top.insertWidget(0, self.view)
            for w, _ in self.plots:
                self.bottom.addWidget(w)
                w.show()  # a tab page that was not current comes back hidden
            self.left.setParent(None)
            self.bottom.show()
            widget_sizes, top_sizes, bottom_sizes = self._desk_sizes
            self.widget.setSizes(widget_sizes)
            self.top.setSizes(top_sizes)
            self.bottom.setSizes(bottom_sizes)
        self.presenting = on
        for i in range(self.top.count()):
            self.top.setCollapsible(i, not on)
        if on:
            self.fit()

    def fit(self) -> None:
        """Presentation mode's proportions: the explanation column as narrow as its tables allow
        (its minimum width; it grows with the text size), the network most of the rest's height."""
        self.top.setSizes([max(self.top.width(), 1000), 0])
        height = max(self.left_split.height(), 400)
        self.left_split.setSizes([int(VIEW_SHARE * height), height - int(VIEW_SHARE * height)])
