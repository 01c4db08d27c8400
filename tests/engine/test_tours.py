"""Tour files: the built-in lecture-10 tour, and field-naming messages for malformed tours."""

import json

import pytest

from engine.notation import Symbol
from engine.tours import TourError, builtin_path, caption_runs, load_tour, parse_tour

STATION = {"title": "t", "caption": "c", "scenario": "lecture-quartic"}


def tour(*stations):
    return {"format": "stepwise-tour", "version": 1, "title": "T", "stations": list(stations)}


def test_the_builtin_tour_follows_lecture_10():
    t = load_tour(builtin_path())
    assert [s.kind for s in t.stations] == ["function1d"] * 4 + ["function2d"] + ["network"] * 4 \
        + ["function1d"] * 2 + ["network"]
    assert [s.select for s in t.stations if s.kind == "network"] == ["w(2)[1,1]"] + ["w(1)[1,1]"] * 4
    assert all(s.caption and s.ask for s in t.stations)


@pytest.mark.parametrize("station, field, words", [
    ({"title": "t", "scenario": "lecture-quartic"}, "stations[0].caption", "missing"),
    ({**STATION, "stpes": 3}, "stations[0].stpes", 'did you mean "steps"'),
    ({**STATION, "steps": -1}, "stations[0].steps", "whole number >= 0"),
    ({**STATION, "steps": "ten"}, "stations[0].steps", "whole number"),
    ({**STATION, "scenario": "lecture-quartc"}, "stations[0].scenario", "lecture-quartic"),
    ({**STATION, "select": "w(1)[1,1]"}, "stations[0].select", "network scenarios only"),
    ({**STATION, "scenario": "lecture-backprop", "select": "w(3)[1,1]"}, "stations[0].select", "unknown parameter"),
    ({**STATION, "scenario": "lecture-backprop", "start": [1.0]}, "stations[0].start", "function scenarios only"),
    ({**STATION, "start": ["x"]}, "stations[0].start", "number"),
    ({**STATION, "scenario": {"format": "stepwise-scenario", "version": 1, "kind": "function1d",
                              "function": {"expression": "x^2"}, "start": [1.0],
                              "optimizer": {"name": "gd", "lr": -1}}}, "stations[0].scenario.optimizer.lr", ""),
    ({**STATION, "scenario": "lecture-backprop", "granularity": "epoch"}, "stations[0].granularity", "phase"),
])
def test_a_malformed_station_gets_a_message_naming_its_field(station, field, words):
    with pytest.raises(TourError) as err:
        parse_tour(tour(station))
    assert err.value.field.startswith(field), str(err.value)
    assert words in str(err.value)


def test_the_tour_itself_is_checked(tmp_path):
    with pytest.raises(TourError, match="format"):
        parse_tour({**tour(STATION), "format": "stepwise-scenario"})
    with pytest.raises(TourError, match="stations: expected a list"):
        parse_tour({**tour(), "stations": []})
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "stepwise-tour",\n "version": 1, "stations": [}')
    with pytest.raises(TourError, match=r"bad.json, line 2, column"):
        load_tour(bad)
    with pytest.raises(TourError, match=r"stations\[1\].caption: missing .*in mine.json"):
        (tmp_path / "mine.json").write_text(json.dumps(tour(STATION, {"title": "x", "scenario": "lecture-2d"})))
        load_tour(tmp_path / "mine.json")


def test_a_station_may_change_the_start_and_the_optimizer_and_name_a_file_beside_the_tour(tmp_path):
    (tmp_path / "mine.json").write_text((builtin_path().parents[1] / "scenarios" / "lecture-quartic.json").read_text())
    t = parse_tour(tour({**STATION, "scenario": "mine.json", "start": [0.5],
                         "optimizer": {"name": "newton", "lr": 1.0}}), tmp_path)
    s = t.stations[0].scenario
    assert list(s.start) == [0.5] and s.optimizer.name == "newton"
    assert t.stations[0].source == str(tmp_path / "mine.json")


def test_captions_become_lecture_notation():
    runs = caption_runs("dR/dw(1)[1,2] = delta(1)_2 x_1, sigma'(z(1)_1) and theta^2")
    assert Symbol("w", 1, (1, 2)) in runs and Symbol("delta", 1, (2,)) in runs
    assert Symbol("x", None, (1,)) in runs and Symbol("z", 1, (1,)) in runs
    assert "σ'(" in "".join(r for r in runs if isinstance(r, str)) and "θ²" in runs[-1]
