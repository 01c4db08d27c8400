"""Edit > Undo / Redo on the Network tab (Ctrl+Z, Ctrl+Shift+Z), driven like a person: every kind of
edit is typed, clicked or ticked in the panels, undone and redone with the keys, and checked in the
widgets and the session. The expected numbers are the lecture's (lecture-backprop.json)."""

import pytest
from PySide6.QtCore import Qt

from tests.gui.conftest import generate_builtin, load_csv_in_panel, use_data
from tests.gui.test_descent1d import type_number
from tests.gui.test_network_lecture import click
from tests.gui.test_undo import redo, undo

#: The lecture network's starting values (lecture-backprop.json).
LECTURE = {"w(1)[1,1]": 0.2, "w(1)[1,2]": 0.4, "b(1)[1]": 0.1, "w(2)[1,1]": 0.6, "b(2)[1]": 0.4}


def step_iterations(qtbot, ws, n: int) -> None:
    for _ in range(n):
        qtbot.mouseClick(ws.steps.buttons["iteration"], Qt.MouseButton.LeftButton)


def table_value(ws, name: str) -> str:
    return ws.params.item(ws.params.names().index(name), 1).text()


def test_ctrl_z_undoes_a_learning_rate_change_and_ctrl_shift_z_redoes_it(window, network_ws, qtbot):
    ws, c = network_ws, network_ws.controller
    assert not window.edit_menu.undo.isEnabled()  # a freshly opened file: nothing to undo
    type_number(qtbot, ws.editor.hyper["lr"], "0.5")
    assert c.session.spec.lr == 0.5 and ws.is_dirty
    assert window.edit_menu.undo.text() == "&Undo Change learning rate"
    undo(qtbot, window)
    assert c.session.spec.lr == 0.1 and ws.editor.hyper["lr"].value() == 0.1
    assert not ws.is_dirty and not window.isWindowModified()  # back to what the file holds
    redo(qtbot, window)
    assert c.session.spec.lr == 0.5 and ws.editor.hyper["lr"].value() == 0.5
    assert ws.is_dirty and window.isWindowModified()


def test_weights_typed_in_the_view_and_the_table_undo_in_turn(window, network_ws, qtbot):
    ws, c = network_ws, network_ws.controller
    click(qtbot, ws, "w(2)[1,1]", double=True)
    editor = ws.view._editor
    editor.selectAll()
    qtbot.keyClicks(editor, "1.5")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    row = ws.params.names().index("b(2)[1]")
    ws.params.item(row, 1).setText("-0.25")
    assert (c.network.param("w(2)[1,1]"), c.network.param("b(2)[1]")) == (1.5, -0.25)
    assert window.edit_menu.undo.text() == "&Undo Change b(2)[1]"
    undo(qtbot, window)
    assert (c.network.param("w(2)[1,1]"), c.network.param("b(2)[1]")) == (1.5, 0.4)
    assert table_value(ws, "b(2)[1]") == "0.4"
    assert window.edit_menu.undo.text() == "&Undo Change w(2)[1,1]"
    undo(qtbot, window)
    assert c.network.param("w(2)[1,1]") == 0.6 and table_value(ws, "w(2)[1,1]") == "0.6"
    assert not ws.is_dirty
    redo(qtbot, window)
    redo(qtbot, window)
    assert (c.network.param("w(2)[1,1]"), c.network.param("b(2)[1]")) == (1.5, -0.25)


def test_an_edit_after_stepping_undoes_at_that_iteration_and_keeps_the_steps_before(window, network_ws, qtbot):
    ws, c = network_ws, network_ws.controller
    step_iterations(qtbot, ws, 3)
    at_3 = c.network.param("b(2)[1]")
    assert c.cursor == 3 and at_3 != 0.4
    row = ws.params.names().index("b(2)[1]")
    ws.params.item(row, 1).setText("2")
    assert c.network.param("b(2)[1]") == 2.0
    step_iterations(qtbot, ws, 2)  # the edit is then stepped on
    undo(qtbot, window)
    s = c.session
    assert s.cursor == (3, 0) and s.n_updates == 3  # iterations 0..3 are kept; 4, 5 came from the edit
    assert c.network.param("b(2)[1]") == at_3
    assert s.network_at(0).param("b(2)[1]") == 0.4  # the start of the run is untouched
    assert ws.steps.isEnabled()


def test_undoing_a_new_architecture_gives_back_the_run_as_it_was(window, network_ws, qtbot):
    ws, c = network_ws, network_ws.controller
    step_iterations(qtbot, ws, 4)
    losses = c.losses().copy()
    at_4 = c.session.theta().copy()
    qtbot.mouseClick(ws.editor.add_layer, Qt.MouseButton.LeftButton)
    assert c.network.sizes == (2, 2, 2, 1) and c.cursor == 0
    undo(qtbot, window)
    s = c.session
    assert s.network.sizes == (2, 2, 1) and s.cursor == (4, 0) and s.n_updates == 4
    assert (s.theta() == at_4).all() and (c.losses() == losses).all()
    assert ws.loss_plot.isVisible() and len(ws.editor.units) == 1
    redo(qtbot, window)
    assert c.network.sizes == (2, 2, 2, 1)
    step_iterations(qtbot, ws, 2)
    undo(qtbot, window)
    redo(qtbot, window)  # the run on the new architecture comes back with its iterations
    assert c.network.sizes == (2, 2, 2, 1) and c.session.n_updates == 2 and c.cursor == 0


def test_architecture_activation_loss_training_mode_and_optimizer_undo_in_turn(window, network_ws, qtbot):
    ws, c, e = network_ws, network_ws.controller, network_ws.editor
    type_number(qtbot, e.units[0], "3")
    assert c.network.sizes == (2, 3, 1)
    qtbot.mouseClick(e.add_layer, Qt.MouseButton.LeftButton)
    assert c.network.sizes == (2, 3, 3, 1)
    e.activations[0].setCurrentText("tanh")
    e.training.setCurrentIndex(e.training.findData("online"))
    e.optimizer.setCurrentIndex(e.optimizer.findData("adam"))
    e.loss.setCurrentText("half_sse")
    assert (c.session.network.activations[0], c.session.training.kind, c.session.spec.name,
            c.loss_name) == ("tanh", "online", "adam", "half_sse")
    names = []
    for _ in range(6):
        names.append(window.edit_menu.undo.text())
        undo(qtbot, window)
    assert names == ["&Undo Change loss", "&Undo Change optimizer", "&Undo Change training mode",
                     "&Undo Change activation", "&Undo Change architecture", "&Undo Change architecture"]
    s = c.session
    assert s.network.sizes == (2, 2, 1) and s.network.activations == ("sigmoid", "identity")
    assert (s.training.kind, s.spec.name, c.loss_name) == ("full_batch", "gd", "sse")
    assert [b.value() for b in e.units] == [2] and e.loss.currentText() == "sse"
    assert e.optimizer.currentData() == "gd" and e.training.currentData() == "full_batch"
    assert {name: c.network.param(name) for name in LECTURE} == LECTURE
    assert not ws.is_dirty and not window.edit_menu.undo.isEnabled()
    for _ in range(6):
        redo(qtbot, window)
    s = c.session
    assert s.network.sizes == (2, 3, 3, 1) and c.loss_name == "half_sse" and s.spec.name == "adam"
    assert e.loss.currentText() == "half_sse" and len(e.units) == 2


def test_data_edits_and_randomise_undo_in_turn(window, network_ws, qtbot, tmp_path):
    ws, c, panel = network_ws, network_ws.controller, network_ws.data_panel
    panel.table.item(0, 2).setText("1.5")  # edited observation: y of observation 1
    assert c.session.Y[0, 0] == 1.5
    path = tmp_path / "three.csv"
    path.write_text("a,b,target\n1,2,0.5\n2,1,0.25\n0,0,0.1\n")
    load_csv_in_panel(panel, path)
    use_data(qtbot, panel)  # the file is read in the background
    assert c.session.n_obs == 3
    generate_builtin(qtbot, panel, "sine", 20)
    assert c.session.n_obs == 20 and c.data_spec.source == "dataset"
    ws.editor.seed.setValue(7)
    before = c.session.theta().copy()
    qtbot.mouseClick(ws.editor.randomise, Qt.MouseButton.LeftButton)
    assert (c.session.theta() != before).any()
    texts = []
    for _ in range(4):
        texts.append(window.edit_menu.undo.text())
        undo(qtbot, window)
        if len(texts) == 1:
            assert (c.session.theta() == before).all() and c.session.n_obs == 20
        if len(texts) == 2:
            assert c.session.n_obs == 3 and panel.table.rowCount() == 3
            assert panel.table.item(2, 2).text() == "0.1"
    assert texts == ["&Undo Randomise weights", "&Undo Use these data", "&Undo Import CSV",
                     "&Undo Edit observations"]
    assert c.session.Y.tolist() == [[1.2], [0.7]] and panel.table.item(0, 2).text() == "1.2"
    assert c.data_spec.source == "arrays" and not ws.is_dirty
    redo(qtbot, window)
    assert c.session.Y[0, 0] == 1.5 and panel.table.item(0, 2).text() == "1.5"


def test_freezing_a_parameter_undoes_and_its_tick_follows(window, network_ws, qtbot):
    ws, c = network_ws, network_ws.controller
    row = ws.params.names().index("w(1)[1,1]")
    ws.params.item(row, 3).setCheckState(Qt.CheckState.Checked)
    assert c.session.frozen == {"w(1)[1,1]"} and ws.is_dirty
    assert window.edit_menu.undo.text() == "&Undo Freeze w(1)[1,1]"
    undo(qtbot, window)
    assert c.session.frozen == set()
    assert ws.params.item(row, 3).checkState() == Qt.CheckState.Unchecked
    assert not ws.is_dirty
    redo(qtbot, window)
    assert c.session.frozen == {"w(1)[1,1]"}
    assert ws.params.item(row, 3).checkState() == Qt.CheckState.Checked


def test_stepping_is_navigation_not_an_edit(window, network_ws, qtbot):
    ws, c = network_ws, network_ws.controller
    step_iterations(qtbot, ws, 2)
    assert c.cursor == 2 and not window.edit_menu.undo.isEnabled() and not ws.is_dirty
    undo(qtbot, window)
    assert c.cursor == 2 and c.session.n_updates == 2
    qtbot.mouseClick(ws.steps.buttons["back"], Qt.MouseButton.LeftButton)
    assert c.cursor == 1


def test_undo_back_to_the_saved_network_is_clean(window, network_ws, qtbot, tmp_path):
    ws, c = network_ws, network_ws.controller
    type_number(qtbot, ws.editor.hyper["lr"], "0.3")
    path = tmp_path / "mine.json"
    assert window.save_to(str(path)) and not ws.is_dirty
    type_number(qtbot, ws.editor.hyper["lr"], "0.7")
    assert ws.is_dirty and window.isWindowModified()
    undo(qtbot, window)
    assert c.session.spec.lr == 0.3 and not ws.is_dirty and not window.isWindowModified()
    undo(qtbot, window)
    assert c.session.spec.lr == 0.1 and ws.is_dirty  # before the save: not what the file holds


@pytest.mark.parametrize("name", ["sine"])
def test_opening_a_file_starts_a_fresh_network_history(window, network_ws, qtbot, name):
    generate_builtin(qtbot, network_ws.data_panel, name, 10)
    assert network_ws.undo_stack.count() == 1
    network_ws.mark_clean()
    from gui.window.scenario_files import RESOURCES

    assert window.open_scenario(str(RESOURCES / "xor-classifier.json"))
    assert network_ws.undo_stack.count() == 0 and not window.edit_menu.undo.isEnabled()


def test_work_marked_unsaved_without_an_edit_never_undoes_to_clean(window, network_ws, qtbot):
    ws, c = network_ws, network_ws.controller
    ws.mark_dirty()  # work loaded as new unsaved work: the file does not hold it
    qtbot.wait(20)
    type_number(qtbot, ws.editor.hyper["lr"], "0.5")
    undo(qtbot, window)
    assert c.session.spec.lr == 0.1 and ws.is_dirty and window.isWindowModified()
