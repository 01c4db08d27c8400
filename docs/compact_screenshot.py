"""Renders docs/network-compact-view.png (``make screenshots``, offscreen, 1280x800): a 64-16-10
softmax network mid backward pass (observation 2, δ(2) just computed) in the compact network view,
w(2)[3,7] selected and the pointer resting on a cell of w(1). The digits preset where it ships,
else the same architecture on synthetic 8x8 images (``tests/gui/wide_networks.py``)."""

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from engine.presets import PresetError, resolve  # noqa: E402
from engine.scenario import load_scenario  # noqa: E402
from gui.app import create_application  # noqa: E402

app = create_application()

from gui.window.main_window import MainWindow  # noqa: E402


def scenario():
    try:
        return load_scenario(resolve("digits-64-16-10"))
    except PresetError:
        from tests.gui.wide_networks import wide_scenario

        return wide_scenario(side=8, hidden=16, classes=10, n=300)


def main(out: Path) -> None:
    w = MainWindow(None, settings=QSettings(str(Path(tempfile.mkdtemp()) / "s.ini"), QSettings.Format.IniFormat),
                   autosave=False)
    w.resize(1280, 800)
    w.show()
    ws = w.workspace_for_kind("network")
    w.tabs.setCurrentWidget(ws)
    ws.load_scenario(scenario())
    for _ in range(9):
        ws.controller.step_granularity("phase")
    ws.select_parameter("w(2)[3,7]")
    for _ in range(30):
        app.processEvents()
    view = ws.view
    QTest.mouseMove(view.viewport(), view.mapFromScene(view.scene_point_of("w(1)[5,28]")))
    QTest.qWait(1500)  # the highlights faded, the landscape computed
    w.grab().save(str(out))
    for x in w.workspaces:
        x.mark_clean()
    w.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "network-compact-view.png")
