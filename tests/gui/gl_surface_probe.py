"""Run in a real window with OpenGL (``test_surface_gl.py`` starts it under Xvfb): the 2-D race on
the 3-D surface, its framebuffer counted by colour, printed as one JSON line."""

import json
import sys

import numpy as np
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv)

from gui.common import style  # noqa: E402
from gui.window.main_window import MainWindow  # noqa: E402


def colour_counts(image) -> list[int]:
    """Pixels within a small distance of each racing series' colour."""
    image = image.convertToFormat(image.Format.Format_RGB888)
    w, h = image.width(), image.height()
    raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=image.bytesPerLine() * h)
    rgb = raw.reshape(h, image.bytesPerLine())[:, :w * 3].reshape(h, w, 3).astype(int)
    counts = []
    for i in range(3):
        c = style.series_colour(i)
        d = np.abs(rgb - np.array([c.red(), c.green(), c.blue()])).sum(axis=2)
        counts.append(int((d < 40).sum()))
    return counts


window = MainWindow(sys.argv[1])
window.resize(1280, 800)
window.show()
ws = window.current_workspace
ws.controller.step(40)
ws.views.setCurrentWidget(ws.surface)
result = {}


def first() -> None:
    view = ws.surface
    result["reason"] = view.reason
    if view.gl is None:
        finish()
        return
    image = view.gl.grabFramebuffer()
    result["size"] = [image.width(), image.height()]
    result["colours"] = colour_counts(image)
    result["vertices"] = [len(view.path_vertices(i)) for i in range(3)]
    view.gl.setCameraPosition(azimuth=40.0)
    QTimer.singleShot(300, turned)


def turned() -> None:
    first_image = ws.surface.gl.grabFramebuffer()
    result["colours_turned"] = colour_counts(first_image)
    ws.surface.reset_camera()
    finish()


def finish() -> None:
    print(json.dumps(result), flush=True)
    for w in window.workspaces:
        w.mark_clean()
    app.quit()


QTimer.singleShot(1200, first)
app.exec()
