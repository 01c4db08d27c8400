"""Help > Lecture tour: walk a tour's stations in the window, Page Down / Page Up like a clicker.

Each station loads its scenario into the tab for its kind, steps as far as the station says,
selects its parameter and shows its caption in the bar above the workspace. While a tour runs,
Page Down and Page Up move between stations (the workspaces' own Page keys step and go back
otherwise); Space, Backspace and the step buttons still step within a station.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QFileDialog, QMenu

from engine.tours import Station, Tour, TourError, builtin_path, load_tour
from gui.tour.bar import TourBar

if TYPE_CHECKING:
    from gui.window.main_window import MainWindow

PAGES = (QKeySequence.StandardKey.MoveToNextPage, QKeySequence.StandardKey.MoveToPreviousPage)


class TourRunner(QObject):
    """The tour running in ``window`` (at most one); ``station_changed(index)`` after each move."""

    station_changed = Signal(int)
    ended = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.tour: Tour | None = None
        self.index = -1
        self.action = QAction("Lecture &tour", window)
        self.action.setObjectName("tour")
        self.action.setStatusTip("Walk lecture 10 station by station (Page Down / Page Up, like a clicker)")
        self.action.triggered.connect(lambda: self.start(load_tour(builtin_path())))
        help_menu = next((a.menu() for a in window.menuBar().actions()
                          if isinstance(a.menu(), QMenu) and a.text().replace("&", "") == "Help"), None)
        if help_menu is not None:
            help_menu.insertAction(help_menu.actions()[0] if help_menu.actions() else None, self.action)
        self.bar: TourBar | None = None
        self._keys: list[QShortcut] = []
        self._muted: list[QShortcut] = []

    @property
    def running(self) -> bool:
        return self.tour is not None

    def start(self, tour: Tour, index: int = 0) -> bool:
        """Begin ``tour`` at station ``index``, asking first about unsaved work in the tabs it uses."""
        self.window.ensure_workspaces()  # before the Page keys are taken from every tab
        kinds = {s.kind for s in tour.stations}
        dirty = [ws for ws in self.window.workspaces if ws.is_dirty and set(ws.kinds) & kinds]
        if dirty and not self.window.files._confirm(dirty, "starting the tour"):
            return False
        self.tour = tour
        self._show_bar()
        self._take_page_keys()
        self.go(index)
        return True

    def go(self, index: int) -> None:
        """Set up station ``index`` (clamped to the tour) and show its caption."""
        if self.tour is None:
            return
        index = max(0, min(int(index), len(self.tour.stations) - 1))
        station = self.tour.stations[index]
        # What the user changed at a station (a weight typed in, a formula) is asked about before
        # the next station replaces it, as Open would.
        target = self.window.workspace_for_kind(station.kind)
        if target is not None and target.is_dirty and not self.window.files._confirm(
                [target], "going to the tour's next station"):
            return
        self._apply(station)
        self.index = index
        self.bar.show_station(index, len(self.tour.stations), station)
        self.station_changed.emit(index)

    def next(self) -> None:
        self.go(self.index + 1)

    def previous(self) -> None:
        self.go(self.index - 1)

    def stop(self) -> None:
        """End the tour: the bar goes, the Page keys step and go back again."""
        if self.tour is None:
            return
        self.tour = None
        self.index = -1
        if self.bar is not None:
            self.bar.hide()
        for key in self._keys:
            key.setEnabled(False)
        for key in self._muted:
            key.setEnabled(True)
        self._muted = []
        self.ended.emit()

    def ask_open(self) -> None:
        """Open tour…: a tour file of the lecturer's own; a bad file is reported, the tour goes on."""
        path, _ = QFileDialog.getOpenFileName(self.window, "Open tour", str(builtin_path().parent),
                                              "Stepwise tours (*.json);;All files (*)")
        if not path:
            return
        try:
            tour = load_tour(path)
        except TourError as e:
            self.window.show_error("Could not open tour", str(e))
            return
        self.start(tour)

    # -- what a station does ------------------------------------------------------------------------
    def _apply(self, station: Station) -> None:
        w = self.window
        ws = w.workspace_for_kind(station.kind)
        ws.load_scenario(station.scenario)
        ws.mark_clean()
        if station.source:
            ws.document.set_file(station.source, station.kind)
        else:
            ws.document.set_untitled(station.kind)
        w.show_workspace(ws)
        c = ws.controller
        if station.kind == "network":
            if station.steps:
                c.granularity = "iteration"
                c.step(station.steps)
            if station.phases:
                c.granularity = "phase"
                c.step(station.phases)
            c.granularity = station.granularity or ("phase" if station.phases else "iteration")
            if station.select:
                ws.select_parameter(station.select)
            ws.refresh(force=True)
        elif station.steps:
            c.step(station.steps)
        w.files.show_title()

    # -- the bar and the keys -------------------------------------------------------------------------
    def _show_bar(self) -> None:
        if self.bar is None:
            self.bar = TourBar(self.window.centralWidget())
            self.window.centralWidget().layout().insertWidget(0, self.bar)
            self.bar.previous_requested.connect(self.previous)
            self.bar.next_requested.connect(self.next)
            self.bar.open_requested.connect(self.ask_open)
            self.bar.close_requested.connect(self.stop)
        self.bar.set_point_size(self.window.view.font_size)
        self.bar.show()

    def _take_page_keys(self) -> None:
        """Page Down / Page Up go to the next / previous station while the tour runs."""
        if not self._keys:
            for sequence, slot in zip(PAGES, (self.next, self.previous)):
                key = QShortcut(QKeySequence(sequence), self.window)
                key.setContext(Qt.ShortcutContext.WindowShortcut)
                key.activated.connect(slot)
                self._keys.append(key)
        for key in self._keys:
            key.setEnabled(True)
        pages = {QKeySequence(p).toString() for p in PAGES}
        self._muted = [s for ws in self.window.workspaces for s in ws.findChildren(QShortcut)
                       if s.isEnabled() and s.key().toString() in pages]
        for key in self._muted:
            key.setEnabled(False)
