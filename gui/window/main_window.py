"""The main window: workspace tabs, the settings dock, the step-controls bar, menus and status bar.

It reads top to bottom: actions, workspaces, docks, menus, connections, settings. Workspaces plug in
through ``gui.common.workspace`` and are picked by scenario kind when a file is opened; the
window's :class:`~gui.window.scenario_files.ScenarioFiles` opens, saves and exports them.
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, QSignalBlocker, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (QDockWidget, QLabel, QMainWindow, QMessageBox, QScrollArea,
                               QSizePolicy, QStackedWidget, QStyle, QTabWidget, QVBoxLayout, QWidget)

from gui.common import style
from gui.common.fence import SizeHintFence
from gui.common.workspace import PlaceholderWorkspace, Workspace
from gui.window.actions import RecentFiles, build_actions, build_menus, shortcut_table, show_about, show_shortcuts
from gui.window.getting_started import GUIDE_ACTIONS, GettingStarted, was_dismissed
from gui.window.presets_menu import add_presets_menu
from gui.window.edit_menu import EditMenu
from gui.practice.launcher import PracticeLauncher
from gui.tour.runner import TourRunner
from gui.predict.dock import PredictDock
from gui.window.exports import Exports
from gui.window.scenario_files import RESOURCES, ScenarioFiles
from gui.window.screen_fit import place_window, scrolling_panel
from gui.window.lazy_tabs import LazyTabs, replace_stand_ins
from gui.window.settings_writer import SettingsWriter
from gui.window.step_controls import StepControls
from gui.window.view_mode import ViewMode

LECTURE_NETWORK = RESOURCES / "lecture-backprop.json"


class MainWindow(QMainWindow):
    """Stepwise's window; ``open_scenario(path)`` loads a scenario file.

    With ``lazy=True`` (the normal launch) the descent workspaces, which need sympy, are built
    just after the window first shows, so it appears within a second. With
    ``getting_started=True`` (the normal launch too) the guide shows until it was once dismissed.
    With ``autosave=False`` (screenshots) unsaved work is not kept and no recovery is offered.
    """

    def __init__(self, scenario_path: str | None = None, settings: QSettings | None = None,
                 parent: QWidget | None = None, lazy: bool = False, getting_started: bool = False,
                 autosave: bool = True) -> None:
        super().__init__(parent)
        self._lazy = lazy and not scenario_path
        self.setWindowTitle("Stepwise")
        self._settings = settings or QSettings("Stepwise", "Stepwise")
        self.view = ViewMode(self)
        self.last_error: tuple[str, str] | None = None
        self._error_box: QMessageBox | None = None
        self.getting_started: GettingStarted | None = None
        self._create_actions()
        self._create_workspaces()
        self._create_docks()
        self._create_menus()
        self.files = ScenarioFiles(self, autosave)
        self._connect()
        self._read_settings()
        self.settings_writer = SettingsWriter(self, self._settings)
        self._open_initial(scenario_path)
        if getting_started and not was_dismissed(self._settings):
            self.show_getting_started()

    # -- construction -----------------------------------------------------------------------------
    def _create_actions(self) -> None:
        self.actions = build_actions(self)
        self.addActions([self.actions.step, self.actions.run, self.actions.back, self.actions.reset])

    def _create_workspaces(self) -> None:
        if self._lazy:
            self.workspaces: list[Workspace] = [
                PlaceholderWorkspace("1-D descent", "Loading…", kinds=("function1d",)),
                PlaceholderWorkspace("2-D descent", "Loading…", kinds=("function2d",))]
        else:
            self.workspaces = self._make_descent_workspaces()
        network = self._make_network_workspace()
        self.workspaces.append(network)
        self.network_available = not isinstance(network, PlaceholderWorkspace)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("workspaceTabs")
        self.tabs.setDocumentMode(True)
        for ws in self.workspaces:
            self.tabs.addTab(ws, ws.title)
        self.step_controls = StepControls(self.actions, self)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.step_controls)
        self.setCentralWidget(central)

        self.status_label = QLabel(self)
        self.status_label.setObjectName("sessionStatus")
        # A divergence reason is a full sentence: up to two lines, so its hint is not cut off.
        self.status_label.setWordWrap(True)
        # A fixed size: a label that may change size re-lays out (and repaints) the whole window
        # on every run-mode frame, halving the frame rate.
        self.status_label.setFixedHeight(2 * self.status_label.fontMetrics().lineSpacing() + 4)
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.statusBar().addPermanentWidget(SizeHintFence(self.status_label), 1)

    @staticmethod
    def _make_descent_workspaces() -> list[Workspace]:
        from gui.descent.workspace_1d import Descent1DWorkspace
        from gui.descent.workspace_2d import Descent2DWorkspace

        return [Descent1DWorkspace(), Descent2DWorkspace()]

    def ensure_workspaces(self) -> None:
        """Build the descent workspaces if the window was opened lazily (no-op otherwise)."""
        if not self._lazy:
            return
        self._lazy = False
        replace_stand_ins(self, self._make_descent_workspaces())

    @staticmethod
    def _make_network_workspace() -> Workspace:
        try:
            from gui.network.workspace import NetworkWorkspace
        except ImportError:
            return PlaceholderWorkspace(
                "Network", "The network (back propagation) workspace is not part of this build yet.")
        return NetworkWorkspace()

    def _create_docks(self) -> None:
        self.side_stack = QStackedWidget(self)
        for ws in self.workspaces:
            self.side_stack.addWidget(scrolling_panel(ws.side_panel()))
        self.settings_dock = QDockWidget("Settings", self)
        self.settings_dock.setObjectName("settingsDock")
        self.settings_dock.setWidget(self.side_stack)
        self.settings_dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                                       | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.settings_dock)

    def _create_menus(self) -> None:
        self.recent_menu = build_menus(self.menuBar(), self.actions, self.settings_dock.toggleViewAction())
        self.presets_menu = add_presets_menu(self.recent_menu, self.open_scenario)
        self.edit_menu = EditMenu(self)
        self.practice = PracticeLauncher(self)
        self.tour = TourRunner(self)
        self.predict = PredictDock(self)
        from gui.window.script_export import ScriptExport  # File > Export > As script…
        self.script_export = ScriptExport(self)
        self.script_export.install(self.menuBar())

    def _connect(self) -> None:
        a = self.actions
        a.open.triggered.connect(self.files.ask_open)
        a.save.triggered.connect(self.files.save)
        a.save_as.triggered.connect(self.files.save_as)
        self.exports = Exports(self, a)  # File > Export and Edit > Copy
        a.quit.triggered.connect(self.close)
        a.step.triggered.connect(lambda: self._with_controller(lambda c: c.step(1)))
        a.back.triggered.connect(lambda: self._with_controller(lambda c: c.back()))
        a.reset.triggered.connect(self._on_reset)
        a.run.toggled.connect(self._on_run_toggled)
        self.view.connect()
        a.about.triggered.connect(lambda: show_about(self))
        a.shortcuts.triggered.connect(
            lambda: show_shortcuts(self, self.actions, self.workspaces, [*self.edit_menu.actions(),
                                                                       self.view.leave, self.exports.copy_action]))
        a.getting_started.triggered.connect(self.show_getting_started)
        for ws in self.workspaces:
            self._connect_workspace(ws)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._on_tab_changed(self.tabs.currentIndex())
        if self._lazy:
            # After the first paint has reached the screen (a loaded machine may take longer than
            # any fixed delay), not before: sympy takes ~0.3 s to load.
            self._lazy_tabs = LazyTabs(self)

    def _connect_workspace(self, ws: Workspace) -> None:
        ws.install_key_bindings()
        self.view.watch(ws)
        self.files.watch(ws)
        c = ws.controller
        if c is None:
            return
        c.status_changed.connect(lambda text, ws=ws: self._on_status(ws, text))
        c.running_changed.connect(lambda on, ws=ws: self._on_running(ws, on))
        c.error.connect(lambda head, detail: self.statusBar().showMessage(f"{head}: {detail}", 10000))

    def _read_settings(self) -> None:
        s = self._settings
        place_window(self, s.value("window/geometry"))
        state = s.value("window/state")
        if state is not None:
            self.restoreState(state)
        self.step_controls.set_speed(s.value("run/speed", 60.0, type=float))
        size = s.value("view/fontSize", style.BASE_POINT_SIZE, type=int)
        self.set_font_size(size)
        self.recent = RecentFiles(self._settings, self.recent_menu, self.open_scenario)

    def _open_initial(self, scenario_path: str | None) -> None:
        if scenario_path:
            self.open_scenario(scenario_path)
        elif self.network_available:
            self.tabs.setCurrentWidget(self.workspaces[2])
            if LECTURE_NETWORK.exists():
                # a built-in preset: its tab's Save asks for a name of the person's own
                self.open_scenario(str(LECTURE_NETWORK), remember=False)

    # -- files ----------------------------------------------------------------------------------------
    def open_scenario(self, path: str, remember: bool = True) -> bool:
        """Load ``path`` into the workspace for its kind; on any problem keep the current work."""
        return self.files.open(path, remember)

    def save_to(self, path: str) -> bool:
        """Write the current workspace's scenario to ``path``; False (and a message) on failure."""
        return self.files.save_to(path)

    def export_plot(self, path: str, fmt: str = "png") -> None:
        """Write the current workspace's first plot to ``path`` (PNG or SVG)."""
        self.exports.export_plot(path, fmt=fmt)

    # -- workspaces -----------------------------------------------------------------------------------
    @property
    def current_workspace(self) -> Workspace:
        return self.tabs.currentWidget()

    def workspace_for_kind(self, kind: str) -> Workspace | None:
        ws = next((ws for ws in self.workspaces if kind in ws.kinds), None)
        if isinstance(ws, PlaceholderWorkspace) and self._lazy:
            self.ensure_workspaces()
        return next((ws for ws in self.workspaces if kind in ws.kinds), None)

    def show_workspace(self, ws: Workspace) -> None:
        """Bring ``ws``'s tab to the front."""
        self.tabs.setCurrentWidget(ws)

    def _with_controller(self, fn) -> None:
        c = self.current_workspace.controller
        if c is not None:
            fn(c)

    def _on_tab_changed(self, index: int) -> None:
        for ws in self.workspaces:
            if ws.controller is not None and ws is not self.current_workspace:
                ws.controller.set_running(False)
        self.side_stack.setCurrentIndex(index)
        self._fit_dock_to_panel()
        c = self.current_workspace.controller
        self.step_controls.bind(c)
        self.step_controls.setEnabled(c is not None)
        self.step_controls.setVisible(not self.current_workspace.has_step_controls)
        for action in (self.actions.step, self.actions.run, self.actions.back, self.actions.reset):
            action.setEnabled(c is not None)
        self.status_label.setText(c.status_text if c is not None else "")
        self._on_running(self.current_workspace, c is not None and c.running)
        self.view.show_log_loss(self.current_workspace, self.current_workspace.log_loss())

    def _fit_dock_to_panel(self) -> None:
        """Widen the settings dock to the current side panel, so no combo or button is clipped."""
        scroll = self.side_stack.currentWidget()
        panel = scroll.widget() if isinstance(scroll, QScrollArea) else scroll
        bar = self.style().pixelMetric(QStyle.PixelMetric.PM_ScrollBarExtent)
        need = max(panel.minimumWidth(), panel.minimumSizeHint().width()) + bar + 8
        if self.settings_dock.width() < need:
            self.resizeDocks([self.settings_dock], [need], Qt.Orientation.Horizontal)

    def _on_status(self, ws: Workspace, text: str) -> None:
        if ws is self.current_workspace:
            self.status_label.setText(text)

    def _on_running(self, ws: Workspace, on: bool) -> None:
        if ws is not self.current_workspace:
            return
        with QSignalBlocker(self.actions.run):
            self.actions.run.setChecked(on)
        self.actions.run.setText("Pause" if on else "Run")

    def _on_run_toggled(self, on: bool) -> None:
        c = self.current_workspace.controller
        if c is not None:
            c.set_running(on)
        # A finished run cannot start: keep the button showing what is really happening.
        self._on_running(self.current_workspace, c is not None and c.running)

    def _on_reset(self) -> None:
        self._with_controller(lambda c: (c.set_running(False), c.reset()))

    @property
    def _font_size(self) -> int:
        return self.view.remembered_font_size

    def set_font_size(self, point_size: int) -> None:
        """Interface and plot text size, for projectors (View > Bigger/Smaller font)."""
        self.view.set_font_size(point_size)

    # -- messages -----------------------------------------------------------------------------------
    def show_getting_started(self) -> GettingStarted:
        """Help > Getting started (and the first start): the guide over the workspace."""
        if self.getting_started is None:
            rows = [(key, what) for key, what, _ in shortcut_table(self.actions, self.workspaces, GUIDE_ACTIONS)]
            self.getting_started = GettingStarted(rows, self._settings, self.centralWidget())
        self.getting_started.show()
        self.getting_started.raise_()
        return self.getting_started

    def show_error(self, headline: str, detail: str) -> None:
        """The one place user-facing errors are shown: a headline and a hint, never a traceback."""
        self.last_error = (headline, detail)
        if self._error_box is not None:
            self._error_box.close()
        box = QMessageBox(QMessageBox.Icon.Warning, headline, headline, QMessageBox.StandardButton.Ok,
                          self)
        box.setObjectName("errorBox")
        box.setInformativeText(detail)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _result: setattr(self, "_error_box", None))
        self._error_box = box
        box.open()

    # -- closing ------------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        for ws in self.workspaces:
            if ws.controller is not None:
                ws.controller.set_running(False)
        if not self.files.confirm_unsaved():
            event.ignore()
            return
        self.view.set_presentation(False)  # the window's own geometry and text size are saved
        self.settings_writer.write()
        self.files.finish()
        event.accept()

