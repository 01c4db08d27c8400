"""Layout of the network workspace: step controls and the phase in words on top; the network
view beside the explanation panels (chain rule; nudge table / chain-rule factors /
finite-difference check); loss, fit and loss-landscape plots below. Settings (editor, data,
parameter table) go to the side dock. The workspace wires these widgets to its controller.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from gui.network.chain_rule_panel import ChainRulePanel
from gui.network.fd_check_panel import FDCheckPanel
from gui.network.data_panel import NetworkDataPanel
from gui.network.editor import NetworkEditor
from gui.network.steps_bar import NetworkSteps
from gui.network.nudge_table import LECTURE_NOTE, NudgeTable
from gui.network.parameter_table import ParameterTable
from gui.network.landscape_plot import LandscapePlot
from gui.network.fit_plot import NetworkFitPlot
from gui.network.loss_plot import NetworkLossPlot
from gui.network.view import NetworkView
from gui.common.style import ERROR_COLOUR

ERROR_SHOWN_MS = 12000
COPIED_SHOWN_MS = 1500
COPY_TEXT = "Copy as ▾"
COPY_FORMATS = (("Markdown", "markdown"), ("LaTeX", "latex"), ("Plain text", "text"))


class NetworkLayout:
    """Mixed into :class:`gui.network.workspace.NetworkWorkspace` (a ``QWidget``): creates its
    panels and plots as attributes and arranges them."""

    def _create_widgets(self) -> None:
        # Opaque: a label or table updated on a step then repaints the workspace only, not the
        # main window, tab widget and splitters beneath it (several megapixels per step otherwise).
        self.setAutoFillBackground(True)
        self.steps = NetworkSteps(self)
        self.view = NetworkView(self)
        self.view.setMinimumSize(300, 220)
        self.chain = ChainRulePanel(self)
        self.nudge = NudgeTable(self)
        self.fd = FDCheckPanel(self)
        self.loss_plot = NetworkLossPlot(self)
        self.fit_plot = NetworkFitPlot(self)
        self.landscape = LandscapePlot(self)

        header = QtWidgets.QHBoxLayout()
        self.selected_label = QtWidgets.QLabel(self)
        self.selected_label.setObjectName("selectedParameter")
        self.selected_label.setTextFormat(QtCore.Qt.TextFormat.RichText)
        # Wraps rather than widening the window: the workspace must fit a 1280x800 projector.
        self.selected_label.setWordWrap(True)
        self.selected_label.setToolTip("Click an edge (weight) or a node (bias) in the network, or a row "
                                       "of a table, to explain another parameter")
        self.observation = QtWidgets.QSpinBox(self)
        self.observation.setObjectName("explainObservation")
        self.observation.setPrefix("observation ")
        self.observation.setMinimum(1)
        header.addWidget(self.selected_label, 1)
        header.addWidget(self.observation)
        explain = QtWidgets.QWidget(self)
        ev = QtWidgets.QVBoxLayout(explain)
        ev.setContentsMargins(0, 0, 0, 0)
        ev.addLayout(header)
        self.explain_split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical, explain)
        chain_scroll = QtWidgets.QScrollArea(explain)
        chain_scroll.setWidgetResizable(True)
        chain_scroll.setFrameShape(QtWidgets.QFrame.Shape.NoFrame)
        chain_scroll.setWidget(self.chain)
        self.explain_split.addWidget(chain_scroll)
        self.tables = QtWidgets.QTabWidget(explain)
        self.tables.setObjectName("explanationTabs")
        self.tables.addTab(self.nudge, "Nudge table")
        factors = QtWidgets.QScrollArea(explain)
        factors.setWidgetResizable(True)
        factors.setWidget(self.chain.table)
        self.tables.addTab(factors, "Factors")
        self.tables.addTab(self.fd, "Gradient check")
        self.tables.setCornerWidget(self._create_copy_button(), QtCore.Qt.Corner.TopRightCorner)
        # At 1280 px the three tabs and the button share ~470 px: short names, and no scroll arrows
        # that would hide a tab
        self.tables.setElideMode(QtCore.Qt.TextElideMode.ElideRight)
        self.tables.tabBar().setUsesScrollButtons(False)
        for i, tip in enumerate(("Nudge table: each observation's residual times d output/dθ",
                                 "Chain-rule factors of the selected parameter",
                                 "Finite-difference check of every gradient entry")):
            self.tables.setTabToolTip(i, tip)
        self.explain_split.addWidget(self.tables)
        self.explain_split.setSizes([230, 550])
        ev.addWidget(self.explain_split, 1)

        top = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal, self)
        top.addWidget(self.view)
        top.addWidget(explain)
        top.setSizes([560, 640])
        bottom = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal, self)
        for w in (self.loss_plot, self.fit_plot, self.landscape):
            w.setMinimumHeight(150)
            bottom.addWidget(w)
        bottom.setSizes([400, 400, 560])  # the landscape row holds two parameter choosers as well
        self.main_split = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical, self)
        self.main_split.addWidget(top)
        self.main_split.addWidget(bottom)
        self.main_split.setSizes([780, 220])
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.lecture_note = QtWidgets.QLabel(LECTURE_NOTE, self)
        self.lecture_note.setObjectName("lectureNote")
        self.lecture_note.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.lecture_note.setWordWrap(True)
        self.lecture_note.setStyleSheet("background: #fff4d6; border: 1px solid #d8b25c; padding: 4px;")
        self.lecture_note.linkActivated.connect(self._on_note_link)
        self.error_label = QtWidgets.QLabel(self)
        self.error_label.setObjectName("networkError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet(f"color: {ERROR_COLOUR}; font-weight: bold;")
        self.error_label.hide()
        self._error_timer = QtCore.QTimer(self)
        self._error_timer.setSingleShot(True)
        self._error_timer.setInterval(ERROR_SHOWN_MS)
        self._error_timer.timeout.connect(self.error_label.hide)
        layout.addWidget(self.steps)
        layout.addWidget(self.error_label)
        layout.addWidget(self.lecture_note)
        layout.addWidget(self.main_split, 1)

    def _create_copy_button(self) -> QtWidgets.QToolButton:
        """"Copy as ▾": the chain rule and the nudge table as Markdown, LaTeX or plain text."""
        self.copy_button = QtWidgets.QToolButton(self)
        self.copy_button.setObjectName("copyExplanation")
        self.copy_button.setText(COPY_TEXT)
        self.copy_button.setToolTip("Copy the chain rule of the selected parameter and the nudge table "
                                    "to the clipboard, for lecture notes or slides")
        self.copy_button.setPopupMode(QtWidgets.QToolButton.ToolButtonPopupMode.InstantPopup)
        self.copy_button.setStyleSheet("QToolButton::menu-indicator { image: none; }")  # ▾ is in the text
        menu = QtWidgets.QMenu(self.copy_button)
        for label, fmt in COPY_FORMATS:
            action = menu.addAction(label)
            action.setData(fmt)
            action.triggered.connect(lambda _=False, f=fmt: self.copy_explanation(f))
        self.copy_button.setMenu(menu)
        self._copied_timer = QtCore.QTimer(self)
        self._copied_timer.setSingleShot(True)
        self._copied_timer.setInterval(COPIED_SHOWN_MS)
        self._copied_timer.timeout.connect(lambda: self.copy_button.setText(COPY_TEXT))
        return self.copy_button

    def _create_side_panel(self) -> None:
        self.editor = NetworkEditor()
        self.data_panel = NetworkDataPanel()
        self.params = ParameterTable()
        self._side = QtWidgets.QTabWidget()
        self._side.setObjectName("networkSettings")
        for widget, name in ((self.editor, "Network"), (self.data_panel, "Data")):
            scroll = QtWidgets.QScrollArea()
            scroll.setWidgetResizable(True)
            scroll.setWidget(widget)
            self._side.addTab(scroll, name)
        self._side.addTab(self.params, "Parameters")
        # The pages scroll, so the tab widget would not ask for their width on its own: a dock
        # narrower than the editor clips its combos and buttons.
        scrollbar = self._side.style().pixelMetric(QtWidgets.QStyle.PixelMetric.PM_ScrollBarExtent)
        widest = max(self.editor.sizeHint().width(), self.data_panel.sizeHint().width())
        self._side.setMinimumWidth(widest + scrollbar + 12)
