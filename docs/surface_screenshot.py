"""Renders docs/surface-3d.png: the 2-D race on the 3-D surface in a real window.

OpenGL needs a real X server, so this runs under Xvfb (``make screenshot-surface``) and takes the
picture of the whole screen with ImageMagick's ``import``.
"""

import subprocess
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

app = QApplication(sys.argv)

from gui.window.main_window import MainWindow  # noqa: E402

window = MainWindow("resources/scenarios/lecture-2d-race.json")
window.setGeometry(0, 0, 1280, 800)
window.show()
workspace = window.current_workspace
workspace.controller.step(40)
workspace.views.setCurrentWidget(workspace.surface)


def shoot() -> None:
    subprocess.run(["import", "-window", "root", sys.argv[1]], check=True)
    workspace.mark_clean()
    app.quit()


QTimer.singleShot(2000, shoot)
app.exec()
