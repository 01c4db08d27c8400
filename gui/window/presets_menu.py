"""File > Presets: the built-in scenarios (``engine.presets``), grouped by workspace, one click to open."""

from __future__ import annotations

from typing import Callable

from PySide6.QtWidgets import QMenu

from engine import presets

#: Menu sections in the order of the window's tabs.
KIND_TITLES = {"function1d": "1-D descent", "function2d": "2-D descent", "network": "Network"}


def add_presets_menu(recent_menu: QMenu, open_path: Callable[[str], object]) -> QMenu:
    """Insert a Presets menu just above ``recent_menu`` (File > Open Recent) and fill it.

    Each entry shows the preset's title, with its name (which the command line accepts) as the tip;
    choosing it calls ``open_path`` with the preset's file.
    """
    file_menu = recent_menu.parentWidget()
    assert isinstance(file_menu, QMenu), "Open Recent must sit in the File menu"
    menu = QMenu("&Presets", file_menu)
    menu.setObjectName("presetsMenu")
    file_menu.insertMenu(recent_menu.menuAction(), menu)
    found = presets.presets()
    kinds = [k for k in KIND_TITLES if any(p.kind == k for p in found)]
    kinds += sorted({p.kind for p in found} - set(kinds))
    for kind in kinds:
        menu.addSection(KIND_TITLES.get(kind, kind))
        for preset in (p for p in found if p.kind == kind):
            action = menu.addAction(preset.title or preset.name)
            action.setObjectName(f"preset:{preset.name}")
            action.setStatusTip(f"Open the built-in scenario {preset.name}")
            action.setToolTip(preset.name)
            action.triggered.connect(lambda checked=False, path=str(preset.path): open_path(path))
    menu.setEnabled(bool(found))
    return menu
