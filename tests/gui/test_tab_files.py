"""Every tab owns its file and its unsaved state: Save, Open, quit and the title, driven like a person.

Dialogs are answered by standing in for Qt's static ``QFileDialog`` / ``QMessageBox`` calls, which
record what they were asked; every file written lives in ``tmp_path``, and the built-in presets are
checked byte for byte after each test that touches them.
"""

import json
import shutil
import stat

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox

from gui.window.scenario_files import RESOURCES
from tests.gui.conftest import generate_builtin, load_csv_in_panel, select_workspace, use_data
from tests.gui.test_descent1d import type_number

Button = QMessageBox.StandardButton


class SaveDialog:
    """Stands in for ``QFileDialog.getSaveFileName``: answers the paths given, in order ("" = Cancel
    once they run out), and records the captions it was asked with."""

    def __init__(self, *paths) -> None:
        self.paths = [str(p) for p in paths]
        self.captions: list[str] = []

    def __call__(self, parent, caption="", directory="", filter="", *args, **kwargs):
        self.captions.append(caption)
        return (self.paths.pop(0) if self.paths else "", filter)


class Question:
    """Stands in for ``QMessageBox.question``: answers ``answer`` and records each question's text."""

    def __init__(self, answer) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, parent, title, text, *args, **kwargs):
        self.asked.append(text)
        return self.answer


@pytest.fixture
def presets_unchanged():
    """Every built-in preset, byte for byte, is what it was before the test."""
    before = {p.name: p.read_bytes() for p in RESOURCES.iterdir()}
    yield
    assert {p.name: p.read_bytes() for p in RESOURCES.iterdir()} == before


def copy_preset(name: str, tmp_path, as_name: str | None = None):
    """A copy of a preset in ``tmp_path`` (the person's own file)."""
    target = tmp_path / (as_name or name)
    shutil.copy(RESOURCES / name, target)
    return target


def press_save(qtbot, window) -> None:
    """Ctrl+S as a person presses it, with the window active."""
    window.activateWindow()
    window.tabs.setFocus()
    qtbot.keyClick(window.tabs, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


def type_formula(qtbot, ws, text: str) -> None:
    ws.panel.formula_edit.clear()
    qtbot.keyClicks(ws.panel.formula_edit, text)
    qtbot.waitUntil(lambda: not ws.panel.compiling, timeout=5000)  # compiled after a pause in typing


def choose(combo, data) -> None:
    """Pick an entry of a combo box as a person does (the ``activated`` signal)."""
    index = combo.findData(data)
    assert index >= 0
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def kind_on_disk(path) -> str:
    return json.loads(path.read_text(encoding="utf-8"))["kind"]


# -- the sequence ------------------------------------------------------------------------------

def test_saving_the_1d_tab_never_writes_over_the_network_file(window, qtbot, tmp_path, monkeypatch,
                                                             presets_unchanged):
    """Open a copy of lecture-backprop.json, switch to the 1-D tab, change the formula, Ctrl+S."""
    network_file = copy_preset("lecture-backprop.json", tmp_path, "lecture-copy.json")
    before = network_file.read_bytes()
    assert window.open_scenario(str(network_file))
    window.tabs.setCurrentIndex(0)
    ws1 = window.current_workspace
    type_formula(qtbot, ws1, "x^2 - x")
    assert ws1.controller.expression_text == "x^2 - x"
    dialog = SaveDialog(tmp_path / "parabola.json")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    press_save(qtbot, window)
    assert network_file.read_bytes() == before
    assert len(dialog.captions) == 1 and "1-D descent" in dialog.captions[0]
    saved = json.loads((tmp_path / "parabola.json").read_text(encoding="utf-8"))
    assert saved["kind"] == "function1d" and saved["function"] == {"expression": "x^2 - x"}
    assert not ws1.is_dirty and ws1.document.path == str(tmp_path / "parabola.json")

    # each tab now saves to its own file: the network's edit goes to the network file only
    network = select_workspace(window, "network")
    network.controller.set_parameter("w(1)[1,1]", 0.75)
    press_save(qtbot, window)
    assert len(dialog.captions) == 1
    assert kind_on_disk(network_file) == "network"
    assert json.loads(network_file.read_text())["network"]["layers"][0]["weights"][0][0] == 0.75
    assert kind_on_disk(tmp_path / "parabola.json") == "function1d"


# -- every edit marks its tab -------------------------------------------------------------------------

def _frozen(qtbot, ws, tmp_path):
    row = ws.params.names().index("w(1)[1,1]")
    ws.params.item(row, 3).setCheckState(Qt.CheckState.Checked)
    assert ws.controller.session.frozen == {"w(1)[1,1]"}


def _weight_in_table(qtbot, ws, tmp_path):
    row = ws.params.names().index("w(2)[1,2]")
    ws.params.item(row, 1).setText("-0.7")
    assert ws.controller.network.param("w(2)[1,2]") == -0.7


def _builtin(qtbot, ws, tmp_path):
    generate_builtin(qtbot, ws.data_panel, "xor", 40)
    assert ws.controller.session.n_obs == 40


def _csv(qtbot, ws, tmp_path):
    path = tmp_path / "obs.csv"
    path.write_text("a,b,target\n1,2,0.5\n2,1,0.25\n0,0,0.1\n")
    load_csv_in_panel(ws.data_panel, path)
    use_data(qtbot, ws.data_panel)  # read in the background
    assert ws.controller.session.n_obs == 3


def _observation(qtbot, ws, tmp_path):
    ws.data_panel.table.item(0, 2).setText("1.5")
    assert ws.controller.session.Y[0, 0] == 1.5


def _lecture_data(qtbot, ws, tmp_path):
    panel = ws.data_panel
    panel.source.setCurrentIndex(panel.source.findData("lecture"))
    qtbot.mouseClick(panel.generate, Qt.MouseButton.LeftButton)


def _randomise(qtbot, ws, tmp_path):
    ws.editor.seed.setValue(7)
    qtbot.mouseClick(ws.editor.randomise, Qt.MouseButton.LeftButton)
    assert ws.controller.network.param("w(1)[1,1]") != 0.2


def _network_lr(qtbot, ws, tmp_path):
    ws.editor.hyper["lr"].setValue(0.3)
    assert ws.controller.session.spec.lr == 0.3


def _hidden_layer(qtbot, ws, tmp_path):
    qtbot.mouseClick(ws.editor.add_layer, Qt.MouseButton.LeftButton)
    assert ws.controller.network.depth == 3


def _formula(qtbot, ws, tmp_path):
    type_formula(qtbot, ws, "x^4 - 2*x")


def _function_preset(qtbot, ws, tmp_path):
    choose(ws.panel.preset_combo, "double_well")
    assert ws.controller.preset_name == "double_well"


def _start(qtbot, ws, tmp_path):
    type_number(qtbot, ws.panel.start_boxes[0], "0.75")
    assert ws.controller.start[0] == 0.75


def _descent_lr(qtbot, ws, tmp_path):
    type_number(qtbot, ws.panel.hyper_boxes["lr"], "0.02")
    assert ws.controller.specs[0].lr == 0.02


def _method(qtbot, ws, tmp_path):
    choose(ws.panel.method_combo, "momentum")
    assert ws.controller.specs[0].name == "momentum"


def _derivatives(qtbot, ws, tmp_path):
    choose(ws.panel.deriv_combo, "finite")
    assert ws.controller.derivative_mode == "finite"


def _tolerance(qtbot, ws, tmp_path):
    ws.panel.tol_box.setValue(1e-5)
    assert ws.controller.tol == 1e-5


def _max_iterations(qtbot, ws, tmp_path):
    ws.panel.max_iter_box.setValue(500)
    assert ws.controller.max_iter == 500


def _add_racer(qtbot, ws, tmp_path):
    qtbot.mouseClick(ws.panel.add_button, Qt.MouseButton.LeftButton)
    assert len(ws.controller.specs) == 4


def _remove_racer(qtbot, ws, tmp_path):
    ws.panel.race_list.setCurrentRow(2)
    qtbot.mouseClick(ws.panel.remove_button, Qt.MouseButton.LeftButton)
    assert len(ws.controller.specs) == 2


FILES = {"network": "lecture-backprop.json", "function1d": "lecture-quartic.json",
         "function2d": "lecture-2d-race.json"}
EDITS = [("network", _frozen), ("network", _weight_in_table), ("network", _builtin), ("network", _csv),
         ("network", _observation), ("network", _lecture_data), ("network", _randomise),
         ("network", _network_lr), ("network", _hidden_layer),
         ("function1d", _formula), ("function1d", _function_preset), ("function1d", _start),
         ("function1d", _descent_lr), ("function1d", _method), ("function1d", _derivatives),
         ("function1d", _tolerance), ("function1d", _max_iterations),
         ("function2d", _add_racer), ("function2d", _remove_racer), ("function2d", _start),
         ("function2d", _descent_lr)]


@pytest.mark.parametrize("kind, edit", EDITS, ids=[f"{k}-{e.__name__.strip('_')}" for k, e in EDITS])
def test_every_edit_marks_its_tab_unsaved_and_quitting_asks(window, qtbot, tmp_path, monkeypatch,
                                                           kind, edit):
    path = copy_preset(FILES[kind], tmp_path)
    assert window.open_scenario(str(path))
    ws = window.current_workspace
    assert kind in ws.kinds and not ws.is_dirty and not window.isWindowModified()
    edit(qtbot, ws, tmp_path)
    assert ws.is_dirty
    assert [other.is_dirty for other in window.workspaces if other is not ws] == [False, False]
    assert window.isWindowModified()
    assert window.tabs.tabText(window.tabs.indexOf(ws)) == f"{ws.title} *"
    question = Question(Button.Cancel)
    monkeypatch.setattr(QMessageBox, "question", question)
    assert window.close() is False
    assert question.asked == [f"{ws.title} has unsaved changes. Save them before quitting?"]
    assert window.isVisible()


@pytest.mark.parametrize("kind", ["network", "function1d", "function2d"])
def test_stepping_back_and_reset_are_navigation_not_edits(window, qtbot, tmp_path, kind):
    assert window.open_scenario(str(copy_preset(FILES[kind], tmp_path)))
    ws = window.current_workspace
    c = ws.controller
    c.step(3)
    c.back()
    c.jump(1)
    c.reset()
    assert not ws.is_dirty and not window.isWindowModified()


# -- quitting -------------------------------------------------------------------------------------------

def _edit_three_tabs(window, qtbot, tmp_path):
    """The network from a file of its own, the 1-D tab with no file, the 2-D tab from a preset."""
    network_file = copy_preset("lecture-backprop.json", tmp_path, "mine.json")
    assert window.open_scenario(str(network_file))
    assert window.open_scenario(str(RESOURCES / "lecture-2d.json"))
    select_workspace(window, "function2d").controller.set_start([1.0, 1.5])
    type_formula(qtbot, select_workspace(window, "function1d"), "x^2 + 1")
    network = select_workspace(window, "network")
    network.controller.set_parameter("b(2)[1]", 0.05)
    return network_file


def test_quit_names_every_unsaved_tab_and_save_saves_each(window, qtbot, tmp_path, monkeypatch,
                                                         presets_unchanged):
    network_file = _edit_three_tabs(window, qtbot, tmp_path)
    question = Question(Button.Save)
    dialog = SaveDialog(tmp_path / "one-d.json", tmp_path / "two-d.json")
    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    assert window.close() is True
    assert question.asked == ["Network, 1-D descent and 2-D descent have unsaved changes. "
                              "Save them before quitting?"]
    assert json.loads(network_file.read_text())["network"]["layers"][1]["biases"] == [0.05]
    one = json.loads((tmp_path / "one-d.json").read_text())
    assert one["kind"] == "function1d" and one["function"] == {"expression": "x^2 + 1"}
    two = json.loads((tmp_path / "two-d.json").read_text())
    assert two["kind"] == "function2d" and two["start"] == [1.0, 1.5]
    assert len(dialog.captions) == 2 and "built-in" in dialog.captions[1]
    assert not any(ws.is_dirty for ws in window.workspaces)


def test_quit_stays_open_when_one_save_as_is_cancelled(window, qtbot, tmp_path, monkeypatch,
                                                      presets_unchanged):
    network_file = _edit_three_tabs(window, qtbot, tmp_path)
    monkeypatch.setattr(QMessageBox, "question", Question(Button.Save))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog())
    assert window.close() is False and window.isVisible()
    # the network had a file and was saved; the 1-D tab's Save As was cancelled, so it is unsaved
    assert kind_on_disk(network_file) == "network"
    assert [ws.is_dirty for ws in window.workspaces] == [True, True, False]
    assert window.current_workspace is window.workspaces[0]
    assert sorted(p.name for p in tmp_path.glob("*.json")) == ["mine.json"]


def test_discard_quits_without_writing(window, qtbot, tmp_path, monkeypatch, presets_unchanged):
    network_file = _edit_three_tabs(window, qtbot, tmp_path)
    before = network_file.read_bytes()
    monkeypatch.setattr(QMessageBox, "question", Question(Button.Discard))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog(tmp_path / "never.json"))
    assert window.close() is True
    assert network_file.read_bytes() == before
    assert not (tmp_path / "never.json").exists()


# -- opening ----------------------------------------------------------------------------------------------

def test_open_asks_before_replacing_the_tabs_unsaved_work(window, qtbot, tmp_path, monkeypatch):
    mine = copy_preset("lecture-quartic.json", tmp_path, "mine.json")
    other = copy_preset("lecture-quartic-local.json", tmp_path, "other.json")
    before = mine.read_bytes()
    assert window.open_scenario(str(other)) and window.open_scenario(str(mine))
    ws1 = window.current_workspace
    type_number(qtbot, ws1.panel.start_boxes[0], "0.5")
    question = Question(Button.Cancel)
    monkeypatch.setattr(QMessageBox, "question", question)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(other), ""))
    window.actions.open.trigger()
    assert question.asked == ["1-D descent has unsaved changes. Save them before opening other.json?"]
    assert ws1.controller.start[0] == 0.5 and ws1.is_dirty and ws1.document.path == str(mine)

    # Open Recent asks too; Save writes the edit to the tab's own file, then opens the other
    question.answer = Button.Save
    recent = next(a for a in window.recent_menu.actions() if a.text() == str(other))
    recent.trigger()
    assert len(question.asked) == 2
    assert json.loads(mine.read_text())["start"] == [0.5] and mine.read_bytes() != before
    assert ws1.document.path == str(other) and not ws1.is_dirty
    assert ws1.controller.start[0] == json.loads(other.read_text())["start"][0]

    # Discard replaces the work and writes nothing
    type_number(qtbot, ws1.panel.start_boxes[0], "0.25")
    question.answer = Button.Discard
    saved = other.read_bytes()
    assert window.open_scenario(str(mine))
    assert other.read_bytes() == saved and ws1.controller.start[0] == 0.5


def test_opening_another_kind_leaves_an_unsaved_tab_alone(window, qtbot, tmp_path, monkeypatch):
    ws1 = select_workspace(window, "function1d")
    type_formula(qtbot, ws1, "x^2 + 2")
    question = Question(Button.Cancel)
    monkeypatch.setattr(QMessageBox, "question", question)
    assert window.open_scenario(str(copy_preset("lecture-2d.json", tmp_path)))
    assert question.asked == [] and ws1.is_dirty and ws1.controller.expression_text == "x^2 + 2"


def test_a_broken_file_asks_nothing(window, qtbot, tmp_path, monkeypatch):
    ws1 = select_workspace(window, "function1d")
    type_formula(qtbot, ws1, "x^2 + 3")
    question = Question(Button.Discard)
    monkeypatch.setattr(QMessageBox, "question", question)
    bad = tmp_path / "bad.json"
    bad.write_text("{ not json")
    assert window.open_scenario(str(bad)) is False
    assert question.asked == [] and ws1.is_dirty


# -- presets and kinds ---------------------------------------------------------------------------------

def test_a_preset_is_never_written_save_becomes_save_as(window, qtbot, tmp_path, monkeypatch,
                                                       presets_unchanged):
    preset = RESOURCES / "lecture-quartic.json"
    assert window.open_scenario(str(preset))
    ws1 = window.current_workspace
    assert ws1.document.is_preset
    assert window.windowTitle() == "Stepwise — lecture-quartic.json (built-in)[*]"
    type_number(qtbot, ws1.panel.hyper_boxes["lr"], "0.005")
    dialog = SaveDialog("", tmp_path / "quartic.json")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    press_save(qtbot, window)  # cancelled: still unsaved, the preset untouched
    assert ws1.is_dirty and ws1.document.path == str(preset)
    press_save(qtbot, window)
    assert len(dialog.captions) == 2
    assert all("lecture-quartic.json is a built-in example" in c for c in dialog.captions)
    saved = json.loads((tmp_path / "quartic.json").read_text())
    assert saved["optimizer"]["lr"] == 0.005 and saved["title"] == "Lecture 10: gradient descent on a quartic"
    assert "description" in saved
    assert not ws1.is_dirty and window.windowTitle() == "Stepwise — quartic.json[*]"


def test_save_as_onto_a_preset_is_refused(window, qtbot, tmp_path, monkeypatch, presets_unchanged):
    ws1 = select_workspace(window, "function1d")
    type_formula(qtbot, ws1, "x^2")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog(RESOURCES / "lecture-quartic.json"))
    window.actions.save_as.trigger()
    headline, detail = window.last_error
    assert headline == "Could not save scenario" and "never overwritten" in detail
    assert ws1.is_dirty and ws1.document.path is None
    assert window.save_to(str(RESOURCES / "newton-maximum.json")) is False
    assert ws1.document.path is None


def test_the_startup_lecture_example_saves_as(window, qtbot, tmp_path, monkeypatch, presets_unchanged):
    network = window.current_workspace
    assert network.document.is_preset and not network.is_dirty
    network.controller.set_parameter("w(1)[1,1]", 0.5)
    dialog = SaveDialog(tmp_path / "lecture-mine.json")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    press_save(qtbot, window)
    assert len(dialog.captions) == 1 and "built-in" in dialog.captions[0]
    assert kind_on_disk(tmp_path / "lecture-mine.json") == "network"


def test_save_never_writes_one_kind_over_a_file_of_another(window, qtbot, tmp_path, monkeypatch):
    one_d = copy_preset("lecture-quartic.json", tmp_path, "one.json")
    assert window.open_scenario(str(one_d))
    ws1 = window.current_workspace
    # Save As from the network tab onto the 1-D tab's file is refused
    network = select_workspace(window, "network")
    network.controller.set_parameter("w(1)[1,1]", 0.5)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", SaveDialog(one_d))
    window.actions.save_as.trigger()
    assert kind_on_disk(one_d) == "function1d"
    assert "one.json holds a function1d scenario" in window.last_error[1]
    assert network.is_dirty
    window.findChild(QMessageBox, "errorBox").close()  # read, as a person would, then closed

    # the 1-D tab's file replaced by a network scenario behind its back: Ctrl+S asks for a name
    shutil.copy(RESOURCES / "lecture-backprop.json", one_d)
    window.show_workspace(ws1)
    type_number(qtbot, ws1.panel.start_boxes[0], "0.5")
    dialog = SaveDialog(tmp_path / "one-again.json")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    press_save(qtbot, window)
    assert kind_on_disk(one_d) == "network"
    assert "one.json holds a network scenario" in dialog.captions[0]
    assert kind_on_disk(tmp_path / "one-again.json") == "function1d"


# -- title and file mode ----------------------------------------------------------------------------

def test_title_names_the_current_tabs_file_and_marks_unsaved_work(window, qtbot, tmp_path):
    path = copy_preset("lecture-backprop.json", tmp_path, "net.json")
    assert window.open_scenario(str(path))
    network = window.current_workspace
    assert window.windowTitle() == "Stepwise — net.json[*]" and not window.isWindowModified()
    network.controller.randomise(3)
    assert window.isWindowModified() and window.tabs.tabText(2) == "Network *"
    select_workspace(window, "function1d")
    assert window.windowTitle() == "Stepwise — 1-D descent[*]" and not window.isWindowModified()
    assert window.tabs.tabText(0) == "1-D descent" and window.tabs.tabText(2) == "Network *"
    select_workspace(window, "network")
    assert window.save_to(str(path))
    assert not window.isWindowModified() and window.tabs.tabText(2) == "Network"


def test_saving_keeps_the_files_mode(window, qtbot, tmp_path):
    path = copy_preset("lecture-backprop.json", tmp_path, "shared.json")
    path.chmod(0o644)
    assert window.open_scenario(str(path))
    window.current_workspace.controller.set_parameter("w(1)[1,1]", 0.5)
    press_save(qtbot, window)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert json.loads(path.read_text())["network"]["layers"][0]["weights"][0][0] == 0.5
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".ini") == ["shared.json"]
