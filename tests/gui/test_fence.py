"""SizeHintFence: a label's new text stops at the fence; a new size still reaches the layout."""

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from gui.common.fence import SizeHintFence


class LayoutRequests(QObject):
    """Counts the layout requests that reach a widget."""

    def __init__(self, widget: QWidget) -> None:
        super().__init__(widget)
        self.count = 0
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.LayoutRequest:
            self.count += 1
        return False


def make_column(qtbot, fenced: bool) -> tuple[QWidget, QWidget, QLabel]:
    """A window (a column holding a one-line label and a button) inside an outer widget."""
    outer = QWidget()
    column = QWidget(outer)
    layout = QVBoxLayout(column)
    label = QLabel("iteration 0")
    label.setFixedHeight(30)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
    layout.addWidget(SizeHintFence(label) if fenced else label)
    layout.addWidget(QPushButton("Step"))
    QVBoxLayout(outer).addWidget(column)
    qtbot.addWidget(outer)
    outer.resize(400, 200)
    outer.show()
    qtbot.waitExposed(outer)
    qtbot.wait(50)  # the layout requests of showing are over
    return outer, column, label


def new_texts(qtbot, label: QLabel) -> None:
    for i in range(1, 20):
        label.setText(f"iteration {i * 1234}: forward through layer {i % 3}")
        qtbot.wait(1)


def test_a_new_text_relays_out_the_ancestors_without_a_fence(qtbot):
    outer, column, label = make_column(qtbot, fenced=False)
    requests = LayoutRequests(outer)
    new_texts(qtbot, label)
    assert requests.count > 0, "the premise: QLabel.setText re-lays out every ancestor"


def test_a_new_text_stops_at_the_fence(qtbot):
    outer, column, label = make_column(qtbot, fenced=True)
    requests = LayoutRequests(outer)
    new_texts(qtbot, label)
    assert requests.count == 0
    assert label.text().startswith("iteration 23446") and label.geometry() == label.parentWidget().rect()


def test_a_new_size_still_reaches_the_layout(qtbot):
    outer, column, label = make_column(qtbot, fenced=True)
    fence = label.parentWidget()
    label.setFixedHeight(60)
    qtbot.waitUntil(lambda: fence.height() == 60)
    assert label.height() == 60 and label.width() == fence.width() > 300
