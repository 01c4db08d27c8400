"""The tour's caption bar above the workspace: the station, what to point at, what to ask."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from engine.tours import Station, caption_runs
from gui.common import style


class TourBar(QFrame):
    """Previous / Next / Close and the current station's caption; emits what the buttons ask for."""

    previous_requested = Signal()
    next_requested = Signal()
    open_requested = Signal()
    close_requested = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("tourBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setStyleSheet("#tourBar { background: #FFF8E7; border: 1px solid #E69F00; }")
        self.position = QLabel(objectName="tourPosition")
        self.title = QLabel(objectName="tourTitle")
        self.caption = QLabel(objectName="tourCaption")
        self.ask = QLabel(objectName="tourAsk")
        for label in (self.title, self.caption, self.ask):
            label.setTextFormat(Qt.TextFormat.RichText)
            label.setWordWrap(True)
        self.prev = QPushButton("◀ Previous", objectName="tourPrevious")
        self.prev.setToolTip("The previous station (Page Up, or a presentation clicker's back key)")
        self.next = QPushButton("Next ▶", objectName="tourNext")
        self.next.setToolTip("The next station (Page Down, or a presentation clicker's forward key)")
        opener = QPushButton("Open tour…", objectName="tourOpen")
        opener.setToolTip("A tour file of your own (JSON, like resources/tours/lecture10.json)")
        close = QPushButton("End tour", objectName="tourClose")
        self.prev.clicked.connect(self.previous_requested)
        self.next.clicked.connect(self.next_requested)
        opener.clicked.connect(self.open_requested)
        close.clicked.connect(self.close_requested)
        head = QHBoxLayout()
        head.addWidget(self.position)
        head.addWidget(self.title, 1)
        for button in (self.prev, self.next, opener, close):
            head.addWidget(button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 4, 10, 4)
        layout.setSpacing(2)
        layout.addLayout(head)
        layout.addWidget(self.caption)
        layout.addWidget(self.ask)
        self.set_point_size(style.BASE_POINT_SIZE)

    def show_station(self, index: int, count: int, station: Station) -> None:
        """Station ``index`` (0-based) of ``count``."""
        self.position.setText(f"Station {index + 1} of {count}")
        self.title.setText(f"<b>{style.rich(caption_runs(station.title))}</b>")
        self.caption.setText(style.rich(caption_runs(station.caption)))
        self.ask.setText(f"<i>Ask: {style.rich(caption_runs(station.ask))}</i>" if station.ask else "")
        self.ask.setVisible(bool(station.ask))
        self.prev.setEnabled(index > 0)
        self.next.setEnabled(index < count - 1)

    def set_point_size(self, point_size: int) -> None:
        """Captions a little larger than the interface, for the back of the room."""
        for label, extra in ((self.position, 0), (self.title, 2), (self.caption, 1), (self.ask, 1)):
            font = label.font()
            font.setPointSize(point_size + extra)
            label.setFont(font)
