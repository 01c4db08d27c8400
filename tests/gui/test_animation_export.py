"""File > Export > Animation…: a dialog, then a GIF written frame by frame from the event loop under
a progress dialog whose Cancel stops it; the tab returns to the step it showed."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QProgressDialog, QPushButton

PIL = pytest.importorskip("PIL.Image")


def _dialog(window):
    from gui.window.export_dialogs import AnimationDialog

    window.activateWindow()
    window.actions.export_animation.trigger()
    shown = [d for d in window.findChildren(AnimationDialog) if d.isVisible()]
    assert len(shown) == 1
    return shown[0]


def _start(qtbot, window, monkeypatch, path, steps, size=(400, 300)):
    dialog = _dialog(window)
    names = [dialog.plot.itemText(i) for i in range(dialog.plot.count())]
    assert names == ["the whole tab", "contour", "loss"]
    dialog.plot.setCurrentIndex(dialog.plot.findData("contour"))
    dialog.steps.setValue(steps)
    dialog.width.setValue(size[0])
    dialog.height.setValue(size[1])
    dialog.fps.setValue(10)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(path), ""))
    ok = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    run = window.exports.animation
    assert run is not None
    return run


def test_an_animation_is_written_frame_by_frame_and_the_tab_returns(window, ws2, qtbot, monkeypatch, tmp_path):
    ws2.controller.step(2)
    out = tmp_path / "race.gif"
    run = _start(qtbot, window, monkeypatch, out, steps=4)
    progress = window.findChild(QProgressDialog, "animationProgress")
    assert progress.maximum() == 5  # steps 2 (shown), 3, 4, 5, 6
    qtbot.waitUntil(lambda: run.result is not None, timeout=15000)  # the event loop ran all along
    assert run.result == "written" and window.last_error is None
    with PIL.open(out) as gif:
        assert gif.n_frames == 5 and gif.size == (400, 300) and gif.info["duration"] == 100
    assert ws2.controller.cursor == 2


def test_cancel_stops_the_animation_and_writes_nothing(window, ws2, qtbot, monkeypatch, tmp_path):
    out = tmp_path / "long.gif"
    run = _start(qtbot, window, monkeypatch, out, steps=300)
    qtbot.waitUntil(lambda: run.recorder.frames >= 2, timeout=10000)
    progress = window.findChild(QProgressDialog, "animationProgress")
    cancel = next(b for b in progress.findChildren(QPushButton) if b.text() == "Cancel")
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: run.result is not None, timeout=5000)
    assert run.result == "cancelled" and not out.exists()
    assert ws2.controller.cursor == 0


def test_mp4_without_the_extra_is_explained(window, ws2, qtbot, monkeypatch, tmp_path):
    import sys

    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)
    dialog = _dialog(window)
    dialog.steps.setValue(2)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(tmp_path / "x.mp4"), ""))
    dialog.accept()
    assert window.last_error[0] == "Could not write the animation"
    assert "stepwise[mp4]" in window.last_error[1]


def test_a_folder_that_cannot_be_written_is_reported_before_any_frame(window, ws2, tmp_path):
    contour = ws2.plot_widgets()[0]
    run = window.exports.animate(str(tmp_path / "missing" / "race.gif"), contour, steps=3)
    assert run is None and ws2.controller.cursor == 0
    headline, detail = window.last_error
    assert headline == "Could not write the animation" and "No such file or directory" in detail
