"""View > Predict, then reveal: the next step's values shown as "?" for a class to predict.

A dock beside the workspace lists what the next step computes (the network's next phase: z and a
of a layer, the residual and R_i, the deltas, the updated parameters; on the 1-D tab, x_{i+1}).
Type a prediction and press Enter: it is graded to 3 significant figures, and a wrong one names
the slip (``engine.predictions``, ``engine.grading``). Reveal (or the step key) takes the step;
the dock then shows what the step revealed next to the predictions, and the next step's "?".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QDockWidget, QGridLayout, QLabel, QLineEdit, QMenu, QPushButton, QScrollArea,
                               QVBoxLayout, QWidget)

from engine.predictions import (NextValues, descent_next_value, grade_next_x, grade_prediction,
                                network_next_values)
from gui.common import style
from gui.practice.window import COLOURS

if TYPE_CHECKING:
    from gui.window.main_window import MainWindow


class PredictDock(QDockWidget):
    """The predict-then-reveal dock of ``window``; follows the current tab."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__("Predict, then reveal", window)
        self.setObjectName("predictDock")
        self.window_ = window
        self.values: NextValues | None = None
        self.fields: list[QLineEdit] = []
        self.verdicts: list[QLabel] = []
        self._watched = None
        body = QWidget()
        column = QVBoxLayout(body)
        self.heading = QLabel(objectName="predictHeading")
        self.heading.setWordWrap(True)
        self.revealed = QLabel(objectName="predictRevealed")
        self.revealed.setWordWrap(True)
        self.revealed.setTextFormat(Qt.TextFormat.RichText)
        self.rows = QWidget()
        self.grid = QGridLayout(self.rows)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.rows)
        self.scroll = scroll
        self.reveal = QPushButton("Reveal (Space)", objectName="predictReveal")
        self.reveal.setToolTip("Take the step: the values appear in the workspace and here")
        self.reveal.clicked.connect(self.reveal_step)
        hint = QLabel("Type a prediction and press Enter to check it, then Reveal.")
        hint.setWordWrap(True)
        for widget in (self.heading, scroll, self.reveal, self.revealed, hint):
            column.addWidget(widget, 1 if widget is scroll else 0)
        self.setWidget(body)
        self.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self)
        self.hide()
        toggle = self.toggleViewAction()
        toggle.setText("&Predict, then reveal")
        toggle.setObjectName("predict")
        toggle.setStatusTip("Show the next step's values as ? and check predictions before revealing them")
        view_menu = next((a.menu() for a in window.menuBar().actions()
                          if isinstance(a.menu(), QMenu) and a.text().replace("&", "") == "View"), None)
        if view_menu is not None:
            view_menu.addSeparator()
            view_menu.addAction(toggle)
        self.visibilityChanged.connect(lambda _on: self.refresh())
        window.tabs.currentChanged.connect(lambda _i: self.refresh())

    # -- following the workspace ---------------------------------------------------------------------
    def _workspace(self):
        return self.window_.current_workspace

    def refresh(self) -> None:
        """The next step's values of the current tab, as "?" with a field each."""
        if not self.isVisible():
            return
        ws = self._workspace()
        c = ws.controller
        if c is not None and c is not self._watched:
            if self._watched is not None:
                self._watched.record_changed.disconnect(self.refresh)
            c.record_changed.connect(self.refresh)
            self._watched = c
        before = self.values
        guesses = [f.text().strip() for f in self.fields]
        self.values = self._next_values(ws)
        if before is not None and (self.values is None or self.values.heading != before.heading) and before.questions:
            # the step was taken (Reveal, Space or a step button): show what it computed
            shown = "; ".join(f"{style.rich(q.prompt)} = {style.rich_number(q.answer)}"
                              + (f" (you: {g})" if g else "") for q, g in zip(before.questions, guesses))
            self.revealed.setText(f"Revealed: {shown}")
        self._rebuild()

    def _next_values(self, ws) -> NextValues | None:
        kinds = getattr(ws, "kinds", ())
        if "network" in kinds:
            return network_next_values(ws.controller.session)
        if "function1d" in kinds:
            return descent_next_value(ws.controller.sessions[0])
        return None

    def _rebuild(self) -> None:
        old = self.scroll.takeWidget()
        if old is not None:
            old.setParent(None)
            old.deleteLater()
        self.rows = QWidget()
        self.grid = QGridLayout(self.rows)
        self.fields, self.verdicts = [], []
        v = self.values
        if v is None:
            kinds = getattr(self._workspace(), "kinds", ())
            self.heading.setText("The run is over: Reset or Back to predict again." if kinds and
                                 kinds[0] in ("network", "function1d") else
                                 "Predictions are offered on the 1-D and Network tabs.")
        else:
            self.heading.setText(f"Next: {v.heading}")
        for n, q in enumerate(v.questions if v else ()):
            prompt = QLabel(f"{style.rich(q.prompt)} = ?")
            prompt.setTextFormat(Qt.TextFormat.RichText)
            field = QLineEdit(objectName=f"predict{n + 1}")
            field.setPlaceholderText("your prediction")
            field.setMinimumWidth(90)
            verdict = QLabel(objectName=f"predictVerdict{n + 1}")
            verdict.setWordWrap(True)
            field.returnPressed.connect(lambda n=n: self.check(n + 1))
            self.grid.addWidget(prompt, 2 * n, 0)
            self.grid.addWidget(field, 2 * n, 1)
            self.grid.addWidget(verdict, 2 * n + 1, 0, 1, 2)
            self.fields.append(field)
            self.verdicts.append(verdict)
        self.grid.setRowStretch(2 * len(self.fields), 1)
        self.scroll.setWidget(self.rows)
        self.reveal.setEnabled(v is not None)

    def check(self, number: int):
        """Grade prediction ``number`` (1-based) as Enter does."""
        q = self.values.questions[number - 1]
        text = self.fields[number - 1].text()
        if q.kind == "next_x":
            s = self._workspace().controller.sessions[0]
            x = float(np.ravel(s.current.x)[0])
            slope = float(np.ravel(s.current.gradient)[0])
            verdict = grade_next_x(text, q, x, slope, float(s.spec.lr))
        else:
            verdict = grade_prediction(text, q, self.values.exercise)
        label = self.verdicts[number - 1]
        label.setText(verdict.message)
        label.setStyleSheet(f"color: {COLOURS[verdict.outcome]}; font-weight: bold")
        return verdict

    def reveal_step(self) -> None:
        """Take the step the predictions were for, and say what it computed."""
        v = self.values
        ws = self._workspace()
        if v is None or ws.controller is None:
            return
        if "network" in ws.kinds:
            ws.controller.step_granularity("phase")
        else:
            ws.controller.step(1)
