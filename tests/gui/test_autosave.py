"""Autosave and recovery, driven like a person: an edit is written to the data folder a few seconds
later, saving or undoing removes it, a window that is killed leaves it and the next start offers it
back; stale temporary files go; settings reach the disk when they change, not only on a clean quit."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QMessageBox

from gui.window import autosave
from gui.window.scenario_files import RESOURCES
from tests.gui.test_descent1d import type_number
from tests.gui.test_undo import undo

ROOT = Path(__file__).resolve().parents[2]
FAST_MS = 50


def own_folder(window) -> Path:
    return window.files.autosave.folder


def make_window(tmp_path, name="settings.ini"):
    from gui.window.main_window import MainWindow

    w = MainWindow(None, settings=QSettings(str(tmp_path / name), QSettings.Format.IniFormat))
    w.files.autosave.timer.setInterval(FAST_MS)
    w.resize(1280, 800)
    w.show()
    return w


def close(window) -> None:
    for ws in window.workspaces:
        ws.mark_clean()
    window.close()
    window.deleteLater()


def kept(folder: Path) -> dict:
    """What an autosave folder holds: the index's tabs by kind, each with its scenario."""
    index = json.loads((folder / "index.json").read_text(encoding="utf-8"))
    return {t["kind"]: {**t, "scenario": json.loads((folder / t["file"]).read_text(encoding="utf-8"))}
            for t in index["tabs"]}


@pytest.fixture
def fast(window):
    window.files.autosave.timer.setInterval(FAST_MS)
    return window


def test_an_edit_is_kept_a_few_seconds_later_and_saving_removes_it(fast, network_ws, qtbot, tmp_path,
                                                                   data_folder):
    window = fast
    assert 1000 <= autosave.AUTOSAVE_DELAY_MS <= 10000  # "a few seconds" after the edit
    folder = own_folder(window)
    assert folder.is_relative_to(data_folder)  # the tests' data folder, never the person's
    type_number(qtbot, network_ws.editor.hyper["lr"], "0.5")
    qtbot.waitUntil(lambda: (folder / "network.json").is_file(), timeout=3000)
    tab = kept(folder)["network"]
    assert tab["title"] == "Network" and tab["scenario"]["optimizer"] == {"name": "gd", "lr": 0.5}
    assert tab["path"] == str(RESOURCES / "lecture-backprop.json")  # the file the work came from
    assert not list(folder.glob("*.tmp")) and not list(folder.glob(".*.tmp"))
    assert window.save_to(str(tmp_path / "mine.json"))
    qtbot.waitUntil(lambda: not (folder / "network.json").exists(), timeout=3000)
    assert not (folder / "index.json").exists()
    close(window)
    assert not folder.exists()  # a clean exit leaves nothing to recover


def test_undoing_back_to_the_file_removes_the_kept_work(fast, ws1, qtbot):
    folder = own_folder(fast)
    type_number(qtbot, ws1.panel.start_boxes[0], "0.5")
    qtbot.waitUntil(lambda: (folder / "function1d.json").is_file(), timeout=3000)
    assert kept(folder)["function1d"]["scenario"]["start"] == [0.5]
    undo(qtbot, fast)
    assert not ws1.is_dirty
    qtbot.waitUntil(lambda: not (folder / "function1d.json").exists(), timeout=3000)


def test_two_tabs_are_kept_and_a_running_window_is_not_offered_as_a_crash(fast, ws1, qtbot, tmp_path):
    folder = own_folder(fast)
    type_number(qtbot, ws1.panel.start_boxes[0], "0.5")
    network = fast.workspace_for_kind("network")
    type_number(qtbot, network.editor.hyper["lr"], "0.25")
    qtbot.waitUntil(lambda: (folder / "index.json").is_file() and len(kept(folder)) == 2, timeout=3000)
    second = make_window(tmp_path, "second.ini")
    try:
        qtbot.wait(100)
        assert second.files.autosave.offer is None and second.files.autosave.orphans == []
        assert (folder / "network.json").is_file()  # the other window's work is left alone
    finally:
        close(second)


def test_work_left_by_a_dead_window_is_offered_and_restored(data_folder, tmp_path, qtbot, app):
    dead = data_folder / "autosave" / "12345-deadbeef"  # a folder whose lock no process holds
    dead.mkdir(parents=True)
    scenario = json.loads((RESOURCES / "lecture-quartic.json").read_text(encoding="utf-8"))
    scenario["start"] = [0.75]
    (dead / "function1d.json").write_text(json.dumps(scenario), encoding="utf-8")
    (dead / "index.json").write_text(json.dumps({"tabs": [
        {"kind": "function1d", "file": "function1d.json", "path": None, "title": "1-D descent"}]}))
    (dead / ".function1d.json.x1y2.tmp").write_text("{\"half")  # a save killed half-way
    window = make_window(tmp_path)
    try:
        qtbot.waitUntil(lambda: window.files.autosave.offer is not None, timeout=3000)
        box = window.files.autosave.offer
        assert "1-D descent tab was kept" in box.text() and "did not close normally" in box.text()
        qtbot.mouseClick(window.files.autosave.restore_button, Qt.MouseButton.LeftButton)
        ws1 = window.workspace_for_kind("function1d")
        assert window.current_workspace is ws1
        assert ws1.controller.start[0] == 0.75 and ws1.panel.start_boxes[0].value() == 0.75
        assert ws1.is_dirty and window.isWindowModified() and ws1.document.path is None
        assert not dead.exists() and window.files.autosave.offer is None and not box.isVisible()
        assert kept(own_folder(window))["function1d"]["scenario"]["start"] == [0.75]
        undo(qtbot, window)  # nothing to undo, and the restored work stays unsaved
        assert ws1.is_dirty
    finally:
        close(window)


def dead_network_window(data_folder: Path, name: str) -> Path:
    """The autosave folder a dead window left (no process holds its lock): the XOR scenario kept
    as the Network tab's unsaved work."""
    dead = data_folder / "autosave" / name
    dead.mkdir(parents=True)
    (dead / "network.json").write_text((RESOURCES / "xor-classifier.json").read_text(encoding="utf-8"))
    (dead / "index.json").write_text(json.dumps({"tabs": [
        {"kind": "network", "file": "network.json", "path": None, "title": "Network"}]}))
    return dead


def test_discard_deletes_the_kept_work(data_folder, tmp_path, qtbot, app):
    dead = dead_network_window(data_folder, "999-cafe")
    window = make_window(tmp_path)
    try:
        qtbot.waitUntil(lambda: window.files.autosave.offer is not None, timeout=3000)
        box = window.files.autosave.offer
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Discard), Qt.MouseButton.LeftButton)
        assert not dead.exists()
        network = window.workspace_for_kind("network")
        assert not network.is_dirty and network.controller.session.network.sizes == (2, 2, 1)
    finally:
        close(window)


def test_escape_leaves_the_kept_work_for_the_next_start(data_folder, tmp_path, qtbot, app):
    dead = dead_network_window(data_folder, "4321-feed")
    window = make_window(tmp_path)
    try:
        qtbot.waitUntil(lambda: window.files.autosave.offer is not None, timeout=3000)
        box = window.files.autosave.offer
        box.activateWindow()
        qtbot.keyClick(box, Qt.Key.Key_Escape)
        qtbot.waitUntil(lambda: window.files.autosave.offer is None, timeout=3000)
        assert not box.isVisible() and (dead / "network.json").exists()
        network = window.workspace_for_kind("network")
        assert not network.is_dirty  # nothing was restored: restored work is unsaved
    finally:
        close(window)
    again = make_window(tmp_path)  # the next start offers it again
    try:
        qtbot.waitUntil(lambda: again.files.autosave.offer is not None, timeout=3000)
        assert "Network tab was kept" in again.files.autosave.offer.text()
    finally:
        close(again)


def test_stale_temporary_files_of_killed_saves_are_removed_at_start(data_folder, tmp_path, qtbot, app):
    mine = tmp_path / "work" / "mine.json"
    mine.parent.mkdir()
    mine.write_text((RESOURCES / "xor-classifier.json").read_text(encoding="utf-8"))
    stale, fresh = mine.parent / ".mine.json.k1ll3d.tmp", mine.parent / ".mine.json.runnin.tmp"
    other = mine.parent / ".notes.txt.abc.tmp"  # not beside a file Stepwise wrote: left alone
    for p in (stale, fresh, other):
        p.write_text("{")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    empty = data_folder / "autosave" / "4242-0000"  # a dead window that had nothing unsaved
    empty.mkdir(parents=True)
    (empty / ".index.json.zz.tmp").write_text("{")
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    settings.setValue("files/recent", [str(mine)])
    settings.sync()
    window = make_window(tmp_path)
    try:
        qtbot.waitUntil(lambda: not stale.exists(), timeout=3000)
        assert fresh.exists() and other.exists() and mine.exists()
        assert not empty.exists() and window.files.autosave.offer is None
    finally:
        close(window)


def test_settings_reach_the_disk_when_they_change(window, qtbot, tmp_path):
    def on_disk(key, kind=None):
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        return settings.value(key) if kind is None else settings.value(key, None, type=kind)

    size = window.view.font_size
    window.actions.font_bigger.trigger()
    qtbot.waitUntil(lambda: on_disk("view/fontSize", int) == size + 1, timeout=3000)
    window.step_controls.set_speed(7.0)
    qtbot.waitUntil(lambda: abs(on_disk("run/speed", float) - window.step_controls.speed()) < 1e-9, timeout=3000)
    window.resize(1100, 700)
    qtbot.waitUntil(lambda: on_disk("window/geometry") == window.saveGeometry(), timeout=3000)
    path = tmp_path / "saved.json"
    window.tabs.setCurrentWidget(window.workspace_for_kind("network"))
    assert window.save_to(str(path))
    recent = on_disk("files/recent")
    assert (recent if isinstance(recent, list) else [recent])[0] == str(path)


def test_a_saved_file_keeps_its_mode(window, network_ws, qtbot, tmp_path):
    path = tmp_path / "shared.json"
    path.write_text((RESOURCES / "lecture-backprop.json").read_text(encoding="utf-8"))
    os.chmod(path, 0o644)
    assert window.open_scenario(str(path))
    type_number(qtbot, network_ws.editor.hyper["lr"], "0.2")
    assert window.save_to(str(path))
    assert os.stat(path).st_mode & 0o777 == 0o644
    assert json.loads(path.read_text(encoding="utf-8"))["optimizer"]["lr"] == 0.2


# -- a real kill --------------------------------------------------------------------------------

CHILD = """
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from gui.app import create_application
from gui.window.main_window import MainWindow

app = create_application()
window = MainWindow(None, lazy=True)
window.files.autosave.timer.setInterval(200)
window.show()

def edit():
    box = window.workspace_for_kind("network").editor.hyper["lr"]
    box.setFocus()
    box.selectAll()
    QTest.keyClicks(box, "0.5")
    QTest.keyClick(box, Qt.Key.Key_Return)
    print("edited", window.workspace_for_kind("network").controller.session.spec.lr, flush=True)

QTimer.singleShot(300, edit)
app.exec()
"""


def test_work_survives_kill_9_and_the_next_start_restores_it(tmp_path, qtbot, app, monkeypatch):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "HOME": str(tmp_path / "home"),
           "XDG_DATA_HOME": str(tmp_path / "data"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_CACHE_HOME": str(tmp_path / "cache"), "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    app_data = tmp_path / "data" / "Stepwise" / "Stepwise"
    try:
        deadline = time.monotonic() + 30
        # the index is written after the tabs' files: once it is there, the edit is kept
        while not list(app_data.glob("autosave/*/index.json")) and child.poll() is None:
            assert time.monotonic() < deadline, "no autosave file within 30 s"
            time.sleep(0.05)
        assert child.poll() is None, child.stderr.read()
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.stdout.read().split() == ["edited", "0.5"]
    (dead,) = list((app_data / "autosave").iterdir())
    assert (dead / "instance.lock").exists()  # no clean exit
    monkeypatch.setattr("gui.window.autosave.data_folder", lambda: app_data)
    window = make_window(tmp_path)
    try:
        qtbot.waitUntil(lambda: window.files.autosave.offer is not None, timeout=5000)
        assert "Network tab was kept" in window.files.autosave.offer.text()
        qtbot.mouseClick(window.files.autosave.restore_button, Qt.MouseButton.LeftButton)
        network = window.workspace_for_kind("network")
        assert network.controller.session.spec.lr == 0.5 and network.editor.hyper["lr"].value() == 0.5
        assert network.is_dirty and network.document.is_preset  # Save asks for a name of one's own
        assert not dead.exists()
    finally:
        close(window)
