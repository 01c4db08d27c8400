"""Chain-rule panel: dR/dθ for the selected parameter and observation, written out factor by factor.

The engine supplies the factors (symbol, what it stands for, value); this panel only lays
them out in Leibniz form with real sub/superscripts and formats the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6 import QtCore, QtWidgets

from gui.style import fmt


@dataclass(frozen=True)
class Factor:
    """One link of the chain: ``symbol`` (rich text, e.g. ∂R/∂a<sup>(2)</sup><sub>1</sub>),
    ``expression`` (rich text of how it is computed, e.g. −2(1.2 − 0.8095); may be empty) and its value."""

    symbol: str
    expression: str
    value: float


def _num(v: float) -> str:
    text = fmt(v)
    return text.replace("-", "−")


class ChainRulePanel(QtWidgets.QWidget):
    """Shows ``lhs = f1 · f2 · … = values = result``, one factor table below for reading off values."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chainRulePanel")
        layout = QtWidgets.QVBoxLayout(self)
        self.heading = QtWidgets.QLabel(self)
        self.heading.setObjectName("chainRuleHeading")
        self.formula = QtWidgets.QLabel(self)
        self.formula.setObjectName("chainRuleFormula")
        self.formula.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.formula.setWordWrap(True)
        self.formula.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QtWidgets.QTableWidget(0, 3, self)
        self.table.setObjectName("chainRuleFactors")
        self.table.setHorizontalHeaderLabels(["Factor", "Computed as", "Value"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QtWidgets.QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(
            QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.heading)
        layout.addWidget(self.formula)
        layout.addWidget(self.table, 1)
        self._factors: list[Factor] = []
        self._result: float | None = None
        self.show_message("Click a weight (edge) or a bias (node) to see its chain rule.")

    def show_message(self, text: str) -> None:
        self._factors, self._result = [], None
        self.heading.setText("")
        self.formula.setText(text)
        self.table.setRowCount(0)

    def show_chain(self, heading: str, lhs: str, factors: list[Factor], result: float,
                   note: str = "") -> None:
        """Lay out ``lhs = Π factors = result``; ``heading`` names the observation, ``note`` is small print."""
        self._factors, self._result = list(factors), float(result)
        self.heading.setText(heading)
        symbols = " · ".join(f.symbol for f in factors)
        exprs = " · ".join(f.expression or _num(f.value) for f in factors)
        values = " · ".join(_num(f.value) for f in factors)
        lines = [f"{lhs} = {symbols}", f"= {exprs}"]
        if exprs != values:
            lines.append(f"= {values}")
        lines.append(f"= <b>{_num(result)}</b>")
        small = f'<p style="font-size:small; color:#404040">{note}</p>' if note else ""
        self.formula.setText('<p style="line-height:140%">' + "<br>".join(lines) + "</p>" + small)
        self.table.setRowCount(len(factors))
        for r, f in enumerate(factors):
            for c, text in enumerate((f.symbol, f.expression, _num(f.value))):
                label = QtWidgets.QLabel(text)
                label.setTextFormat(QtCore.Qt.TextFormat.RichText)
                label.setContentsMargins(6, 0, 6, 0)
                self.table.setCellWidget(r, c, label)
        self.table.resizeRowsToContents()

    def factor_values(self) -> list[float]:
        """The factors' values as shown (full precision), for checks against the gradient."""
        return [f.value for f in self._factors]

    def result(self) -> float | None:
        return self._result

    def formula_text(self) -> str:
        return self.formula.text()
