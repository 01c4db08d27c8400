"""The real data sets on the Network tab: iris and the 8x8 digits chosen in the data panel."""

from PySide6 import QtCore

from tests.gui.conftest import use_data


def choose(qtbot, panel, name: str) -> None:
    panel.source.setCurrentIndex(panel.source.findData(name))


def test_a_real_set_offers_its_whole_file_and_no_noise(qtbot, network_ws):
    panel = network_ws.data_panel
    choose(qtbot, panel, "digits")
    assert panel.n.value() == 1797 and panel.n.maximum() == 1797
    assert not panel.noise.isEnabled() and panel.noise.value() == 0.0
    choose(qtbot, panel, "sine")  # a drawn set: any size again, with noise
    assert panel.n.maximum() == 100000 and panel.noise.isEnabled()


def test_iris_trains_a_three_class_classifier(qtbot, network_ws):
    ws = network_ws
    choose(qtbot, ws.data_panel, "iris")
    use_data(qtbot, ws.data_panel)
    s = ws.controller.session
    assert (s.n_obs, s.network.sizes[0], s.network.sizes[-1]) == (150, 4, 3)
    assert "training accuracy" in ws.window().status_label.text()
    qtbot.mouseClick(ws.steps.buttons["iteration"], QtCore.Qt.MouseButton.LeftButton)
    assert ws.controller.session.cursor[0] == 1


def test_digits_show_as_images_and_every_weight_is_reachable(qtbot, network_ws):
    ws = network_ws
    choose(qtbot, ws.data_panel, "digits")
    ws.data_panel.n.setValue(300)
    use_data(qtbot, ws.data_panel)
    s = ws.controller.session
    assert (s.n_obs, s.network.sizes[0], s.network.sizes[-1]) == (300, 64, 10)
    tabs, index = ws.images.tab
    assert tabs.isTabVisible(index) and tabs.tabText(index) == "Images"


def test_a_held_out_part_shows_its_loss_and_its_confusion_matrix(qtbot, window, tmp_path):
    """The digits preset keeps half its images back: the loss plot draws their loss beside the
    training loss, and the fit plot their confusion matrix (row = true digit) with the accuracy."""
    import numpy as np

    assert window.open_scenario("digits-64-16-10"), window.last_error
    ws = window.workspace_for_kind("network")
    window.tabs.setCurrentWidget(ws)
    s = ws.controller.session
    held = s.held_out
    assert held is not None and held.n_obs == 300 and s.n_obs == 300
    for _ in range(3):
        qtbot.mouseClick(ws.steps.buttons["iteration"], QtCore.Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: ws.controller.session.cursor[0] == 3, timeout=10_000)
    x, y = ws.loss_plot.test_curve.getData()
    assert list(x) == [0, 1, 2, 3]
    assert np.allclose(y, [held.loss_at(k) for k in range(4)])
    counts = ws.fit_plot.confusion
    assert counts.shape == (10, 10) and counts.sum() == 300
    # each row holds the held-out images of one digit (the preset's file), whatever was predicted
    labels = np.argmax(held.Y, axis=1)
    assert list(counts.sum(axis=1)) == [int((labels == d).sum()) for d in range(10)]
    title = ws.fit_plot.getPlotItem().titleLabel.text
    assert f"Confusion: {100 * np.trace(counts) / 300:.1f}%" in title
    assert "300 held out" in ws.fit_plot.getPlotItem().getAxis("bottom").labelText
