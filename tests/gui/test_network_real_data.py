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
