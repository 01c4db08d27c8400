"""engine.presets: the built-in scenarios listed, resolved by name, and recognised as built-in."""

from pathlib import Path

import pytest

from engine import presets
from engine.scenario import ScenarioError, load_scenario

SCENARIOS = Path(__file__).resolve().parents[2] / "resources" / "scenarios"


def test_every_file_in_resources_is_a_preset_with_its_kind_and_title():
    assert presets.names() == sorted(f.stem for f in SCENARIOS.glob("*.json"))
    for preset in presets.presets():
        scenario = load_scenario(preset.path)
        assert preset.kind == scenario.kind
        assert preset.title and preset.title == scenario.title


def test_a_name_resolves_to_its_file_and_a_file_stays_itself(tmp_path, monkeypatch):
    assert Path(presets.resolve("lecture-backprop")) == SCENARIOS / "lecture-backprop.json"
    assert Path(presets.resolve("lecture-backprop.json")).samefile(SCENARIOS / "lecture-backprop.json")
    own = tmp_path / "lecture-backprop"
    own.write_text("{}", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert presets.resolve("lecture-backprop") == "lecture-backprop"  # a file wins over a preset


@pytest.mark.parametrize("text, close", [
    ("lecture-backpro", ["lecture-backprop"]),
    ("xor", ["xor-classifier"]),
    ("somewhere/nothing-like-it.json", []),
])
def test_neither_file_nor_preset_names_the_close_matches(text, close):
    with pytest.raises(presets.PresetError) as info:
        presets.resolve(text)
    assert isinstance(info.value, ScenarioError)
    assert info.value.close == close
    message = str(info.value)
    assert message.startswith(f"{text}: file not found")
    assert "stepwise presets" in message
    assert all(name in message for name in close)


def test_is_builtin_only_for_the_preset_files(tmp_path):
    assert presets.is_builtin(SCENARIOS / "matt-mazur.json")
    assert presets.is_builtin(presets.resolve("matt-mazur"))
    copy = tmp_path / "matt-mazur.json"
    copy.write_bytes((SCENARIOS / "matt-mazur.json").read_bytes())
    assert not presets.is_builtin(copy)
    assert not presets.is_builtin(SCENARIOS / "not-there.json")
    assert not presets.is_builtin("matt-mazur")


def test_table_lists_name_kind_and_title():
    lines = presets.table().splitlines()
    assert len(lines) == len(presets.names())
    first = presets.presets()[0]
    assert lines[0].split()[:2] == [first.name, first.kind] and lines[0].endswith(first.title)
