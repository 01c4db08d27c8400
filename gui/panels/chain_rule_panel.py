"""Chain-rule panel: dR/dθ for the selected parameter and observation, written out factor by factor.

The engine supplies the factors (symbol, what it stands for, value); this panel only lays
them out in Leibniz form with real sub/superscripts and formats the numbers.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PySide6 import QtCore, QtWidgets

from gui.panels.parameter_table import html_name
from gui.style import fmt

_PARAM = re.compile(r"\b[wb]\(\d+\)\[\d+(?:,\d+)?\]")
_NODE = re.compile(r"\b(delta|[a-z])\((\d+)\)_(\d+)")
_INPUT = re.compile(r"\bx_(\d+)")


def rich_text(plain: str) -> str:
    """Plain engine notation to rich text: ``a(2)_1`` -> a<sup>(2)</sup><sub>1</sub>,
    ``w(1)[1,2]`` -> w<sup>(1)</sup><sub>12</sub>, ``delta`` -> δ, ``-`` -> −."""
    text = _PARAM.sub(lambda m: html_name(m.group(0)), plain)
    text = _NODE.sub(lambda m: f"{'δ' if m.group(1) == 'delta' else m.group(1)}"
                               f"<sup>({m.group(2)})</sup><sub>{m.group(3)}</sub>", text)
    text = _INPUT.sub(lambda m: f"x<sub>{m.group(1)}</sub>", text)
    return re.sub(r"(?<![\w<])-", "−", text)


def rich_derivative(symbol: str) -> str:
    """``dR/da(2)_1`` -> ∂R/∂a<sup>(2)</sup><sub>1</sub> (each part of the fraction gets its ∂)."""
    parts = symbol.split("/")
    if len(parts) == 2 and all(p.startswith("d") for p in parts):
        return "/".join("∂" + rich_text(p[1:]) for p in parts)
    return rich_text(symbol)


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


def _paren(v: float) -> str:
    """A factor inside a product: negative values in brackets, as one writes 3 · (−1)."""
    return f"({_num(v)})" if v < 0 else _num(v)


def bracketed(expr: str) -> str:
    """``a − y`` inside a product needs brackets; ``−2(1.2 − 0.8095)`` does not."""
    depth = 0
    for i, ch in enumerate(expr):
        depth += ch == "("
        depth -= ch == ")"
        if depth == 0 and ch in "−+" and i > 0 and expr[i - 1] == " ":
            return f"({expr})"
    return expr


class ChainRulePanel(QtWidgets.QWidget):
    """Shows ``lhs = f1 · f2 · … = values = result``, one factor table below for reading off values."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        # Opaque: its updates on every step then stop here instead of repainting every ancestor.
        self.setAutoFillBackground(True)
        self.setObjectName("chainRulePanel")
        layout = QtWidgets.QVBoxLayout(self)
        self.heading = QtWidgets.QLabel(self)
        self.heading.setObjectName("chainRuleHeading")
        self.formula = QtWidgets.QLabel(self)
        self.formula.setObjectName("chainRuleFormula")
        self.formula.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.formula.setWordWrap(True)
        self.formula.setAlignment(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop)
        self.formula.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        # The factor table (symbol, how it is computed, value) is a separate widget so the window
        # can give it its own tab; the formula above already shows every value.
        self.table = QtWidgets.QLabel()
        self.table.setObjectName("chainRuleFactors")
        self.table.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.table.setAlignment(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.heading)
        layout.addWidget(self.formula)
        layout.addStretch(1)
        self._factors: list[Factor] = []
        self._result: float | None = None
        self.show_message("Click a weight (edge) or a bias (node) to see its chain rule.")

    def show_message(self, text: str) -> None:
        self._factors, self._result = [], None
        self.heading.setText("")
        self.formula.setText(text)
        self.table.clear()

    def show_chain(self, heading: str, lhs: str, factors: list[Factor], result: float,
                   note: str = "", meanings: list[str] | None = None) -> None:
        """Lay out ``lhs = Π factors = result``; ``heading`` names the observation, ``note`` is small
        print; ``meanings`` fill the factor table's "Computed as" column (default: the expressions)."""
        self._factors, self._result = list(factors), float(result)
        self.heading.setText(heading)
        symbols = " · ".join(f.symbol for f in factors)
        exprs = " · ".join(f.expression or _paren(f.value) for f in factors)
        values = " · ".join(_paren(f.value) for f in factors)
        lines = [f"{lhs} = {symbols}", f"= {exprs}"]
        if exprs != values:
            lines.append(f"= {values}")
        lines.append(f"= <b>{_num(result)}</b>")
        small = f'<p style="font-size:small; color:#404040">{note}</p>' if note else ""
        self.formula.setText('<p style="line-height:140%">' + "<br>".join(lines) + "</p>" + small)
        self.show_meanings(meanings if meanings is not None else [f.expression for f in factors])

    def show_chain_rule(self, cr, heading: str, gradient: float, n_obs: int) -> None:
        """Show an ``engine.backprop.ChainRule`` for observation ``cr.observation``; ``gradient`` is
        dR/dθ summed over all ``n_obs`` observations (the parameter table's value)."""
        if len(cr.paths) == 1:
            factors, note = cr.paths[0], ""
        elif cr.paths_truncated:
            factors, note = cr.delta_form, "Too many paths to list; δ · ∂z/∂θ is shown.<br>"
        else:
            factors = cr.delta_form
            note = (f"{len(cr.paths)} paths lead from this parameter to the loss; back propagation sums "
                    "them into δ, so the product δ · ∂z/∂θ is shown.<br>")
        shown = []
        for k, f in enumerate(factors):
            expr = ""
            if k == 0 and "= " in f.meaning and f.symbol.startswith("dR/"):
                # the loss factor reads best as the lecture writes it: −2(1.2 − 0.8095)
                expr = bracketed(rich_text(f.meaning.rsplit("= ", 1)[1]))
            shown.append(Factor(rich_derivative(f.symbol), expr, f.value))
        name = html_name(cr.param)
        lhs = f"∂R<sub>{cr.observation + 1}</sub>/∂{name}"
        total = f"Summed over all {n_obs} observations: ∂R/∂{name} = {_num(gradient)}"
        self.show_chain(heading, lhs, shown, cr.total, note=note + total,
                        meanings=[rich_text(f.meaning) for f in factors])

    def show_meanings(self, meanings: list[str]) -> None:
        """The factor table: symbol, how it is computed (rich text), value."""
        rows = "".join(
            f"<tr><td>{f.symbol}</td><td>{m}</td><td align='right'>{_num(f.value)}</td></tr>"
            for f, m in zip(self._factors, meanings))
        self.table.setText("<table cellspacing='0' cellpadding='4' border='0'>"
                           "<tr><th align='left'>Factor</th><th align='left'>Computed as</th>"
                           f"<th align='right'>Value</th></tr>{rows}</table>")

    def factor_values(self) -> list[float]:
        """The factors' values as shown (full precision), for checks against the gradient."""
        return [f.value for f in self._factors]

    def result(self) -> float | None:
        return self._result

    def formula_text(self) -> str:
        return self.formula.text()
