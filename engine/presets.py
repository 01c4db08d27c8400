"""The built-in scenarios (presets): list them, find one by name, and tell whether a file is one.

The presets are the JSON files of the repository's ``resources/scenarios/`` folder. An installed copy
carries that folder as package data, ``engine/resources/scenarios/`` (pyproject's ``package-dir``
maps ``resources/`` there), and finds it through :mod:`importlib.resources`; a source checkout,
where the folder stays at the top of the repository, reads it in place. A preset's name is its
file stem, e.g. ``lecture-backprop``; wherever a scenario path is accepted, a name works too
(SPEC section 6).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from pathlib import Path

from engine.resource_files import resource_folder
from engine.scenario_spec import ScenarioError

SUFFIX = ".json"


class PresetError(ScenarioError):
    """Neither a scenario file nor a preset's name; the message names the close matches."""

    def __init__(self, text: str, close: list[str]) -> None:
        hint = f"did you mean {', '.join(close)}? " if close else ""
        super().__init__("", f"{text}: file not found; no such scenario file or preset ({hint}"
                             f"`stepwise presets` lists the presets)")
        self.text = text
        self.close = close


@dataclass(frozen=True)
class Preset:
    """One built-in scenario: ``name`` (the file stem), its ``kind`` and ``title``, and its file."""

    name: str
    kind: str
    title: str
    path: Path


def folder() -> Path:
    """The folder of the preset files: the installed package data if present, else the checkout's."""
    return resource_folder("scenarios")


def names() -> list[str]:
    """Every preset's name, sorted."""
    root = folder()
    return sorted(p.stem for p in root.glob(f"*{SUFFIX}")) if root.is_dir() else []


def path(name: str) -> Path | None:
    """The file of the preset called ``name`` (with or without ``.json``), or None if there is none."""
    stem = name.removesuffix(SUFFIX)
    if stem not in names():
        return None
    return folder() / f"{stem}{SUFFIX}"


def presets() -> list[Preset]:
    """Every preset with its kind and title, read from the file's top level (not validated here)."""
    found = []
    for name in names():
        file = folder() / f"{name}{SUFFIX}"
        try:
            top = json.loads(file.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError):
            top = {}
        top = top if isinstance(top, dict) else {}
        found.append(Preset(name, str(top.get("kind", "?")), str(top.get("title", "")), file))
    return found


def resolve(text: str) -> str:
    """The scenario file ``text`` names: an existing file as given, else the preset of that name.

    A file wins over a preset of the same name, so a person's own ``lecture-backprop`` is never
    shadowed. Raises PresetError (a ScenarioError) naming the close matches when it is neither.
    """
    if Path(text).is_file():
        return text
    found = path(text)
    if found is not None:
        return str(found)
    if Path(text).exists():
        return text  # a folder: load_scenario says so in its own words
    raise PresetError(text, close_matches(Path(text).name.removesuffix(SUFFIX)))


def close_matches(stem: str) -> list[str]:
    """Up to three preset names that look like ``stem``: near spellings first, then names containing it."""
    known = names()
    near = difflib.get_close_matches(stem, known, n=3, cutoff=0.75)
    containing = [n for n in known if stem and stem.lower() in n.lower() and n not in near]
    return (near + containing)[:3]


def is_builtin(file: str | Path) -> bool:
    """True when ``file`` is one of the preset files, which Save must never overwrite."""
    p = Path(file)
    try:
        return p.suffix == SUFFIX and p.stem in names() and p.resolve().parent == folder().resolve()
    except OSError:
        return False


def table() -> str:
    """The presets as aligned text lines, name, kind and title (``python main.py presets``)."""
    rows = [(p.name, p.kind, p.title) for p in presets()]
    if not rows:
        return ""
    w_name = max(len(r[0]) for r in rows)
    w_kind = max(len(r[1]) for r in rows)
    return "".join(f"{n:<{w_name}}  {k:<{w_kind}}  {t}".rstrip() + "\n" for n, k, t in rows)
