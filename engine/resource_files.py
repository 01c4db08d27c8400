"""Where the shipped resource files are: ``resources/<name>/`` of a checkout, or the package data.

An installed copy carries the repository's ``resources/`` folder as ``engine/resources/`` (pyproject's
``package-dir`` maps it there) and finds it through :mod:`importlib.resources`; a source checkout,
where the folder stays at the top of the repository, reads it in place. The presets
(``engine.presets``) and the real data sets (``engine.datasets_real``) read their folders here.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource_folder(name: str) -> Path:
    """The folder ``resources/<name>``: the installed package data if present, else the checkout's."""
    installed = resources.files("engine") / "resources" / name
    if isinstance(installed, Path) and installed.is_dir():
        return installed
    return Path(__file__).resolve().parents[1] / "resources" / name


__all__ = ["resource_folder"]
