"""The normal launch paints its window before anything loads sympy (SPEC 7: visible within 0.8 s).

sympy takes ~0.3 s to import, a third of the launch budget; it is needed by the descent
workspaces only, which the lazy window builds after its first paint. A fresh interpreter is
needed to see it, since the test process has long imported sympy.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LAUNCH = """
import sys
from PySide6.QtCore import QEvent, QObject, QSettings
from gui.app import create_application

app = create_application()
from gui.window.main_window import MainWindow


class FirstPaint(QObject):
    painted = False

    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint:
            self.painted = True
        return False


first = FirstPaint()
app.installEventFilter(first)
window = MainWindow(None, settings=QSettings(sys.argv[1], QSettings.Format.IniFormat), lazy=True)
window.show()
while not first.painted:
    app.processEvents()
print("network tab current:", window.current_workspace.title == "Network")
print("sympy before the first paint:", "sympy" in sys.modules)
"""


def test_the_window_paints_before_sympy_is_imported(tmp_path):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", LAUNCH, str(tmp_path / "s.ini")], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "network tab current: True" in out.stdout
    assert "sympy before the first paint: False" in out.stdout
