"""Lecture tours: stations that walk a lecture in order, as data files a lecturer can write.

A tour file (``"format": "stepwise-tour"``) lists stations; each names a scenario (a preset's
name, a file relative to the tour, or an inline scenario object), optionally a different start
point or optimizer, how far to step (``steps`` iterations, then ``phases`` single phases on the
network), which parameter to select, and the caption: what to point at and what to ask. Files
are validated like scenarios, with messages that name the field
(``stations[3].phases: expected a whole number >= 0, got -1``). The built-in tour follows
lecture 10 (``resources/tours/lecture10.json``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from engine import presets
from engine.fields import FieldError, check_integer, check_name, check_object, check_text, join_path
from engine.file_limits import LimitError, decode_json, readable_file
from engine.notation import Inline, Symbol
from engine.scenario_spec import Scenario
from engine.scenario_validation import parse_scenario

FORMAT = "stepwise-tour"
WORKSPACES = ("descent1d", "descent2d", "network")
GRANULARITIES = ("phase", "observation", "iteration")
MAX_TOUR_BYTES = 4 * 2 ** 20
MAX_STATIONS = 200
MAX_STEPS = 100_000
_STATION_FIELDS = ("title", "caption", "ask", "scenario", "start", "optimizer", "steps", "phases",
                   "select", "granularity")


class TourError(FieldError):
    """A tour file is not valid; the message names the field (and the file)."""


@dataclass(frozen=True)
class Station:
    """One stop of a tour: the scenario it loads (with any start or optimizer change already in
    it), how far it steps, what it selects, and its caption."""

    title: str
    caption: str
    scenario: Scenario
    ask: str = ""
    steps: int = 0
    phases: int = 0
    select: str | None = None
    granularity: str | None = None
    source: str = ""

    @property
    def kind(self) -> str:
        return self.scenario.kind


@dataclass(frozen=True)
class Tour:
    title: str
    stations: tuple[Station, ...]
    path: str = ""


def builtin_path() -> Path:
    """The built-in lecture-10 tour: installed package data, else the checkout's ``resources/``."""
    installed = resources.files("engine") / "resources" / "tours" / "lecture10.json"
    if isinstance(installed, Path) and installed.is_file():
        return installed
    return Path(__file__).resolve().parents[1] / "resources" / "tours" / "lecture10.json"


def load_tour(path: str | Path) -> Tour:
    """Read and validate a tour file; TourError names the file and the field."""
    p = Path(path)
    try:
        text = readable_file(p, "tour file", MAX_TOUR_BYTES).read_text(encoding="utf-8-sig")
        obj = decode_json(text)
    except (LimitError, OSError) as e:
        raise TourError("", f"{p.name}: {e}") from None
    except UnicodeDecodeError as e:
        raise TourError("", f"{p.name}: not a UTF-8 text file (byte {e.start})") from None
    except json.JSONDecodeError as e:
        raise TourError("", f"{p.name}, line {e.lineno}, column {e.colno}: {e.msg}") from None
    try:
        return parse_tour(obj, p.resolve().parent, str(p))
    except FieldError as e:
        raise TourError(e.field, f"{e.problem} (in {p.name})") from None


def parse_tour(obj: Any, base_dir: str | Path | None = None, path: str = "") -> Tour:
    """Validate a decoded tour object; scenario files are found relative to ``base_dir``."""
    try:
        return _tour(obj, base_dir, path)
    except TourError:
        raise
    except FieldError as e:
        raise TourError(e.field, e.problem) from None


def _tour(obj: Any, base_dir: str | Path | None, path: str) -> Tour:
    check_object(obj, "", ("format", "version", "title", "stations"), ("format", "version", "stations"))
    if obj["format"] != FORMAT:
        raise TourError("format", f'expected "{FORMAT}", got {json.dumps(obj["format"])[:80]}')
    check_integer(obj["version"], "version", 1, 1, "(the only version)")
    title = check_text(obj.get("title", "Tour"), "title")
    stations = obj["stations"]
    if not isinstance(stations, list) or not stations:
        raise TourError("stations", "expected a list of at least one station")
    if len(stations) > MAX_STATIONS:
        raise TourError("stations", f"at most {MAX_STATIONS} stations, got {len(stations)}")
    base = Path(base_dir) if base_dir is not None else None
    return Tour(title, tuple(_station(s, f"stations[{i}]", base) for i, s in enumerate(stations)), path)


def _station(obj: Any, at: str, base: Path | None) -> Station:
    check_object(obj, at, _STATION_FIELDS, ("title", "caption", "scenario"))
    scenario, source = _scenario(obj["scenario"], join_path(at, "scenario"), base)
    changes = {}
    if "start" in obj:
        changes["start"] = obj["start"]
    if "optimizer" in obj:
        changes["optimizer"] = obj["optimizer"]
    if changes:
        if scenario.kind == "network":
            raise TourError(join_path(at, next(iter(changes))), "applies to function scenarios only")
        merged = {**scenario.to_dict(relative_to=base), **changes}
        try:
            scenario = parse_scenario(merged, base)
        except FieldError as e:
            raise TourError(join_path(at, e.field), e.problem) from None
    phases = check_integer(obj.get("phases", 0), join_path(at, "phases"), 0, MAX_STEPS, "phases")
    select = obj.get("select")
    granularity = obj.get("granularity")
    if scenario.kind != "network":
        for key in ("phases", "select", "granularity"):
            if key in obj:
                raise TourError(join_path(at, key), "applies to network scenarios only")
    if select is not None:
        select = check_text(select, join_path(at, "select"))
        names = _parameter_names(scenario)
        check_name(select, join_path(at, "select"), tuple(names), "parameter")
    if granularity is not None:
        granularity = check_name(granularity, join_path(at, "granularity"), GRANULARITIES, "step size")
    return Station(title=check_text(obj["title"], join_path(at, "title")),
                   caption=check_text(obj["caption"], join_path(at, "caption")),
                   ask=check_text(obj.get("ask", ""), join_path(at, "ask")), scenario=scenario,
                   steps=check_integer(obj.get("steps", 0), join_path(at, "steps"), 0, MAX_STEPS, "steps"),
                   phases=phases, select=select, granularity=granularity, source=source)


def _scenario(value: Any, at: str, base: Path | None) -> tuple[Scenario, str]:
    """A preset's name, a scenario file (relative to the tour) or an inline scenario object."""
    from engine.scenario import ScenarioError, load_scenario

    if isinstance(value, dict):
        try:
            return parse_scenario(value, base), ""
        except FieldError as e:
            raise TourError(join_path(at, e.field), e.problem) from None
    text = check_text(value, at)
    candidate = (base / text) if base is not None and not Path(text).is_absolute() else Path(text)
    try:
        path = str(candidate) if candidate.is_file() else presets.resolve(text)
        return load_scenario(path), path
    except presets.PresetError as e:
        raise TourError(at, str(e)) from None
    except ScenarioError as e:
        raise TourError(at, str(e)) from None


def _parameter_names(scenario: Scenario) -> list[str]:
    from engine.scenario_builders import build_network

    return build_network(scenario).param_names()


# --- captions in lecture notation -----------------------------------------------------------------

_TOKEN = re.compile(r"(?P<w>w\((?P<wl>\d+)\)\[(?P<wj>\d+),(?P<wk>\d+)\])"
                    r"|(?P<b>b\((?P<bl>\d+)\)\[(?P<bj>\d+)\])"
                    r"|(?P<n>\b(?P<nk>a|z|delta)\((?P<nl>\d+)\)_(?P<nj>\d+))"
                    r"|(?P<s>\b(?P<sk>[xyesf])_(?P<si>\d+|i)\b)")
_WORDS = {"sigma": "σ", "theta": "θ", "grad": "∇", "->": "→", "<-": "←", "^2": "²", "^3": "³", "^4": "⁴"}
_WORD = re.compile(r"sigma|theta|\bgrad\b|->|<-|\^[234]")


def caption_runs(text: str) -> Inline:
    """A caption written in ASCII (``w(1)[1,1]``, ``a(2)_1``, ``delta(1)_2``, ``x_1``, sigma,
    theta, grad, ``^2``) as lecture notation that each view typesets (``engine.notation``)."""
    out: list = []
    at = 0
    for m in _TOKEN.finditer(text):
        if m.start() > at:
            out.append(_words(text[at:m.start()]))
        if m.group("w"):
            out.append(Symbol("w", int(m.group("wl")), (int(m.group("wj")), int(m.group("wk")))))
        elif m.group("b"):
            out.append(Symbol("b", int(m.group("bl")), (int(m.group("bj")),)))
        elif m.group("n"):
            out.append(Symbol(m.group("nk"), int(m.group("nl")), (int(m.group("nj")),)))
        else:
            index = m.group("si")
            out.append(Symbol(m.group("sk"), None, (int(index) if index.isdigit() else index,)))
        at = m.end()
    if at < len(text):
        out.append(_words(text[at:]))
    return tuple(out)


def _words(text: str) -> str:
    return _WORD.sub(lambda m: _WORDS[m.group(0)], text)
