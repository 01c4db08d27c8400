"""Help > Practice exercises: a seeded small network to work by hand, its answers typed and graded.

The sheet on the left is the engine's Markdown sheet without solutions (``engine.exercise_sheets``);
each question on the right takes a typed number, graded by ``engine.grading`` when Enter is pressed
or Check is clicked: right to 3 significant figures, close, or wrong with the slip named. "Open in
the Network tab" loads the exercise's network and data there to step through it.
"""

from __future__ import annotations

import random
from typing import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QGridLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QScrollArea,
                               QSpinBox, QSplitter, QTextBrowser, QVBoxLayout, QWidget)

from engine.exercise_sheets import render_sheet
from engine.exercises import Exercise, make_exercise
from engine.grading import Verdict, grade
from gui.common import style

#: Verdict colours: Okabe-Ito bluish green, orange and vermillion, readable on a projector.
COLOURS = {"right": "#009E73", "near": "#E69F00", "wrong": "#D55E00", "unreadable": "#D55E00"}
MAX_SEED = 999_999


class QuestionRow:
    """One question: its prompt, the answer field, Check, and the verdict under it."""

    def __init__(self, grid: QGridLayout, row: int, number: int, question, on_check: Callable) -> None:
        self.question = question
        self.prompt = QLabel(f"{number}. {style.rich(question.prompt)}")
        self.prompt.setTextFormat(Qt.TextFormat.RichText)
        self.prompt.setWordWrap(True)
        self.field = QLineEdit(objectName=f"answer{number}")
        self.field.setPlaceholderText("your answer")
        self.field.setMaximumWidth(160)
        self.check = QPushButton("Check", objectName=f"check{number}")
        self.verdict = QLabel("", objectName=f"verdict{number}")
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)
        self.result: Verdict | None = None
        grid.addWidget(self.prompt, 2 * row, 0)
        grid.addWidget(self.field, 2 * row, 1)
        grid.addWidget(self.check, 2 * row, 2)
        grid.addWidget(self.verdict, 2 * row + 1, 0, 1, 3)
        self.field.returnPressed.connect(on_check)
        self.check.clicked.connect(on_check)

    def show(self, verdict: Verdict | None) -> None:
        self.result = verdict
        if verdict is None:
            self.verdict.clear()
            return
        self.verdict.setText(verdict.message)
        self.verdict.setStyleSheet(f"color: {COLOURS[verdict.outcome]}; font-weight: bold")


class PracticeWindow(QWidget):
    """The practice window; ``open_in_network(scenario_dict)`` is emitted by its button."""

    open_in_network = Signal(dict)

    def __init__(self, seed: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("practiceWindow")
        self.setWindowTitle("Practice exercises")
        self.exercise: Exercise | None = None
        self.rows: list[QuestionRow] = []

        self.seed = QSpinBox(objectName="practiceSeed", minimum=0, maximum=MAX_SEED)
        self.seed.setToolTip("The same seed always gives the same exercise, for a whole class")
        self.number = QSpinBox(objectName="practiceNumber", minimum=1, maximum=50)
        self.number.setToolTip("Which exercise of the seed's sheet (python main.py exercise --seed N --count K)")
        new = QPushButton("New exercise", objectName="practiceNew")
        new.setToolTip("Another seed, chosen at random")
        self.answers = QPushButton("Show answers", objectName="practiceShowAnswers", checkable=True)
        to_network = QPushButton("Open in the Network tab", objectName="practiceOpen")
        to_network.setToolTip("Step through this network's forward and backward pass in the window")
        top = QHBoxLayout()
        for widget in (QLabel("Seed"), self.seed, QLabel("Exercise"), self.number, new):
            top.addWidget(widget)
        top.addStretch(1)
        top.addWidget(self.answers)
        top.addWidget(to_network)

        self.sheet = QTextBrowser(objectName="practiceSheet")
        self.score = QLabel("", objectName="practiceScore")
        self.scroll = scroll = QScrollArea(objectName="practiceQuestions")
        scroll.setWidgetResizable(True)
        self.questions = QWidget()
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.score)
        column.addWidget(scroll, 1)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.sheet)
        split.addWidget(right)
        split.setSizes([480, 720])
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)

        self.seed.valueChanged.connect(lambda _v: self.show_exercise())
        self.number.valueChanged.connect(lambda _v: self.show_exercise())
        new.clicked.connect(lambda: self.seed.setValue(random.randint(0, MAX_SEED)))
        self.answers.toggled.connect(self._show_answers)
        to_network.clicked.connect(lambda: self.exercise and self.open_in_network.emit(self.exercise.scenario_dict()))
        self.resize(1200, 720)
        if seed is not None:
            self.seed.setValue(int(seed))
        self.show_exercise()

    def show_exercise(self) -> None:
        """Build the sheet and the question rows for the chosen seed and exercise number."""
        self.exercise = make_exercise(self.seed.value(), self.number.value())
        text = render_sheet([self.exercise], "markdown", solutions=False)
        self.sheet.setMarkdown(text.split("\n### Questions")[0])
        old = self.scroll.takeWidget()
        if old is not None:
            old.setParent(None)  # gone from findChild at once, deleted by the event loop
            old.deleteLater()
        self.questions = QWidget()
        self.grid = QGridLayout(self.questions)
        self.grid.setColumnStretch(0, 1)
        self.rows = []
        for n, q in enumerate(self.exercise.questions, start=1):
            row = QuestionRow(self.grid, n - 1, n, q, lambda *_args, n=n: self.check(n))
            self.rows.append(row)
        self.grid.setRowStretch(2 * len(self.rows), 1)
        self.scroll.setWidget(self.questions)
        with_answers = self.answers.isChecked()
        self.answers.setChecked(False)
        if with_answers:
            self.answers.setChecked(True)
        self._update_score()

    def check(self, number: int) -> Verdict:
        """Grade question ``number`` (1-based) from its field, as Enter or Check does."""
        row = self.rows[number - 1]
        verdict = grade(row.field.text(), row.question, self.exercise)
        row.show(verdict)
        self._update_score()
        if verdict.right and number < len(self.rows):
            self.rows[number].field.setFocus()
        return verdict

    def _show_answers(self, on: bool) -> None:
        for row in self.rows:
            row.field.setPlaceholderText(style.rich_number(row.question.answer) if on else "your answer")
        self.answers.setText("Hide answers" if on else "Show answers")

    def _update_score(self) -> None:
        right = sum(1 for r in self.rows if r.result is not None and r.result.right)
        self.score.setText(f"{right} of {len(self.rows)} right. Answers to 3 significant figures; "
                           "press Enter to check one.")
