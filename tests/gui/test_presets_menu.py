"""File > Presets and File > Open with the built-in scenarios: listed, opened by name, never the start folder."""

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from engine import presets


def test_presets_menu_lists_every_preset_by_kind_and_opens_it(window):
    file_menu = window.recent_menu.parentWidget()
    titles = [a.text() for a in file_menu.actions()]
    assert titles.index("&Presets") == titles.index("Open &Recent") - 1
    entries = {a.objectName(): a for a in window.presets_menu.actions() if not a.isSeparator()}
    assert sorted(entries) == [f"preset:{name}" for name in presets.names()]
    sections = [a.text() for a in window.presets_menu.actions() if a.isSeparator()]
    assert sections == ["1-D descent", "2-D descent", "Network"]

    entries["preset:lecture-quartic"].trigger()
    assert window.current_workspace is window.workspace_for_kind("function1d")
    assert str(window.current_workspace.document.path) == str(presets.path("lecture-quartic"))
    # a built-in preset says so in the title ([*] is where Qt marks unsaved work)
    assert window.windowTitle() == "Stepwise — lecture-quartic.json (built-in)[*]"
    entries["preset:xor-classifier"].trigger()
    assert window.current_workspace is window.workspace_for_kind("network")
    assert window.last_error is None


def test_open_accepts_a_preset_name_and_reports_an_unknown_one(window):
    assert window.open_scenario("lecture-2d")
    assert window.current_workspace is window.workspace_for_kind("function2d")
    assert str(window.current_workspace.document.path) == str(presets.path("lecture-2d"))
    assert not window.open_scenario("lecture-2e")
    headline, detail = window.last_error
    assert headline == "Could not open scenario" and "did you mean lecture-2d" in detail
    assert str(window.current_workspace.document.path) == str(presets.path("lecture-2d"))


def test_open_starts_in_the_last_folder_used_not_in_the_presets(window, tmp_path, monkeypatch):
    starts = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda parent, caption, start, filters: (starts.append(start), ("", ""))[1])
    window.open_scenario("lecture-quartic")
    window.actions.open.trigger()
    assert starts[-1] == str(Path.home())

    mine = tmp_path / "mine"
    mine.mkdir()
    own = mine / "quartic.json"
    own.write_bytes(presets.path("lecture-quartic").read_bytes())
    assert window.open_scenario(str(own))
    window.open_scenario("lecture-backprop")  # a preset does not move the start folder
    window.actions.open.trigger()
    assert starts[-1] == str(mine)
