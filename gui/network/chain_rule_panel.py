"""Chain-rule panel: dR/dθ for the selected parameter and observation, written out factor by factor.

The engine supplies the factors as data (``engine.chain_rule.ChainRule``: each factor's symbol,
value and how it is computed); this panel lays them out in Leibniz form as Qt rich text with
real sub- and superscripts (``gui.common.style.rich``), numbers in the one format of ``engine.numbers``.
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from engine.chain_rule import ChainRule, Factor
from engine.notation import Derivative, Symbol
from gui.common.flash import Flash, warm_hex
from gui.common.style import BASE_POINT_SIZE, EXPLANATION_EXTRA_POINTS, rich, rich_number


def _paren(v: float) -> str:
    """A factor inside a product: negative values in brackets, as one writes 3 · (−1)."""
    return f"({rich_number(v)})" if v < 0 else rich_number(v)


class ChainRulePanel(QtWidgets.QWidget):
    """Shows ``lhs = f1 · f2 · … = values = result``, one factor table below for reading off values;
    ``factor_hovered(index)`` while the pointer is on a factor's symbol (-1 when it leaves)."""

    factor_hovered = QtCore.Signal(int)

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
        self.formula.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse
                                             | QtCore.Qt.TextInteractionFlag.LinksAccessibleByMouse)
        self.formula.linkHovered.connect(self._on_link_hovered)
        # The factor table (symbol, how it is computed, value) is a separate widget so the window
        # can give it its own tab; the formula above already shows every value.
        self.table = QtWidgets.QLabel()
        self.table.setObjectName("chainRuleFactors")
        self.table.setTextFormat(QtCore.Qt.TextFormat.RichText)
        self.table.setAlignment(QtCore.Qt.AlignmentFlag.AlignLeft | QtCore.Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.heading)
        layout.addWidget(self.formula)
        layout.addStretch(1)
        self._factors: tuple[Factor, ...] = ()
        self._result: float | None = None
        self._point_size = BASE_POINT_SIZE
        #: Presentation mode: the formula in larger type, its result on the line of the values.
        self.presenting = False
        # the factors a step just filled in flash (flash_factors)
        self._shown: tuple | None = None
        self._marked: frozenset[int] = frozenset()
        self._plain: tuple[str, str] | None = None  # formula and factor table without highlight
        self.flash = Flash(self._render, self)
        self.show_message("Click a weight (edge) or a bias (node) to see its chain rule.")

    def set_point_size(self, point_size: int) -> None:
        """The window's text size; the formula is larger in presentation mode."""
        self._point_size = point_size
        self._apply_font()

    def set_presentation(self, on: bool) -> None:
        """Presentation mode: larger type, the observation's line shown above the panel instead."""
        self.presenting = on
        self.heading.setVisible(not on)
        margin = 4 if on else 9
        self.layout().setContentsMargins(margin, margin, margin, margin)
        self._apply_font()

    def _apply_font(self) -> None:
        for label in (self.heading, self.formula):
            font = label.font()
            font.setPointSize(self._point_size + (EXPLANATION_EXTRA_POINTS if self.presenting else 0))
            label.setFont(font)

    def show_message(self, text: str) -> None:
        self._shown = self._plain = None
        self.flash.stop()
        self._factors, self._result = (), None
        self.heading.setText("")
        self.formula.setText(text)
        self.table.clear()

    def show_chain_rule(self, cr: ChainRule, heading: str, gradient: float, n_obs: int) -> None:
        """Show ``cr`` for its observation: ``lhs = Π symbols = Π expressions = Π values = result``;
        ``heading`` names the observation, ``gradient`` is dR/dθ summed over all ``n_obs``
        observations (the parameter table's value)."""
        self._shown = (cr, heading, gradient, n_obs)
        self.flash.stop()
        self._render(0.0)

    def flash_factors(self, indices) -> bool:
        """Highlight the written factors at ``indices`` (0-based) for a moment; False if none."""
        self._marked = frozenset(int(i) for i in indices)
        return bool(self._marked) and self._shown is not None and self.flash.start()

    def flashing(self) -> frozenset[int]:
        """Indices of the factors highlighted now."""
        return self._marked if self.flash.active else frozenset()

    def _render(self, level: float) -> None:
        """The formula and the factor table, the marked factors at highlight ``level`` (0: none)."""
        if self._shown is None:
            return
        cr, heading, gradient, n_obs = self._shown

        def mark(i: int, text: str) -> str:
            if level > 0 and i in self._marked:
                return f'<span style="background-color:{warm_hex(level)}">{text}</span>'
            return text

        factors = cr.written
        if len(cr.paths) == 1:
            note = ""
        elif cr.paths_truncated:
            note = "Too many paths to list; δ · ∂z/∂θ is shown.<br>"
        else:
            note = (f"{len(cr.paths)} paths lead from this parameter to the loss; back propagation sums "
                    "them into δ, so the product δ · ∂z/∂θ is shown.<br>")
        self._factors, self._result = factors, float(cr.total)
        self.heading.setText(heading)
        # each factor's symbol is a link only for its hover: the graph lights the factor's edges
        symbols = " · ".join(mark(i, f'<a href="factor:{i}" style="color:#000000; text-decoration:none">'
                                     f'{rich(f.symbol)}</a>') for i, f in enumerate(factors))
        # the loss factor reads best as the lecture writes it: −2(1.200 − 0.8095)
        exprs = " · ".join(mark(i, rich(f.expression) if f.expression else _paren(f.value))
                           for i, f in enumerate(factors))
        values = " · ".join(mark(i, _paren(f.value)) for i, f in enumerate(factors))
        lines = [f"{rich(cr.lhs)} = {symbols}", f"= {exprs}"]
        if exprs != values:
            lines.append(f"= {values}")
        result = f"= <b>{rich_number(cr.total)}</b>"
        if self.presenting:  # one line fewer: the whole chain shows on a projector
            lines[-1] += f" {result}"
        else:
            lines.append(result)
        summed = rich(Derivative(Symbol("R"), cr.parameter))
        total = f"Summed over all {n_obs} observations: {summed} = {rich_number(gradient)}"
        if cr.decay is not None:  # R's λ/2 Σ w² adds a term of its own, once, beside the sum
            total = (f"Summed over all {n_obs} observations, plus {rich(cr.decay.meaning)} = "
                     f"{rich_number(cr.decay.value)}: {summed} = {rich_number(gradient)}")
        # on a projector the paragraphs lose their margins and some line spacing, so all fits
        tight = "margin-top:0; margin-bottom:2px; " if self.presenting else ""
        spacing = 110 if self.presenting else 140
        small = f'<p style="{tight}font-size:small; color:#404040">{note}{total}</p>'
        formula = f'<p style="{tight}line-height:{spacing}%">' + "<br>".join(lines) + "</p>" + small
        rows = "".join(f"<tr><td>{mark(i, rich(f.symbol))}</td><td>{rich(f.meaning)}</td>"
                       f"<td align='right'>{mark(i, rich_number(f.value))}</td></tr>" for i, f in enumerate(factors))
        table = ("<table cellspacing='0' cellpadding='4' border='0'><tr><th align='left'>Factor</th>"
                 f"<th align='left'>Computed as</th><th align='right'>Value</th></tr>{rows}</table>")
        if level == 0:
            self._plain = (formula, table)
        self.formula.setText(formula)
        self.table.setText(table)

    def factors(self) -> tuple[Factor, ...]:
        """The factors written out now (``engine.chain_rule.Factor``)."""
        return self._factors

    # -- linked to the chain-rule graph: hovering a factor lights its edges, and the reverse ------
    def _on_link_hovered(self, href: str) -> None:
        self.factor_hovered.emit(int(href.split(":")[1]) if href.startswith("factor:") else -1)

    def light_factor(self, index: int) -> None:
        """Mark factor ``index`` (0-based) while the pointer is on its edge in the graph; -1: none."""
        if self.flash.active or self._shown is None:
            return
        self._marked = frozenset({index}) if index >= 0 else frozenset()
        self._render(1.0 if index >= 0 else 0.0)

    def factor_values(self) -> list[float]:
        """The factors' values as shown (full precision), for checks against the gradient."""
        return [f.value for f in self._factors]

    def result(self) -> float | None:
        return self._result

    def formula_text(self) -> str:
        """The formula's rich text, without a passing highlight."""
        return self._plain[0] if self._plain is not None else self.formula.text()

    def factors_text(self) -> str:
        """The factor table's rich text (symbol, how it is computed, value per factor)."""
        return self._plain[1] if self._plain is not None else self.table.text()
