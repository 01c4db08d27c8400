"""A seeded monkey: thousands of random actions a careless or hostile person might take, on every tab.

The monkey acts like a person: it only touches widgets that are visible and enabled on screen now
(found by type under the window at each step, so new panels join in without a change here), waits
while a workspace is busy, answers the dialogs that open, and types hostile text into fields:
formulas that used to freeze or crash (``tanh(asin(x)^999)``, ``1/(5e-324*x-1e-320)``), numbers at
the end of float64 (``1e308``), huge digit strings, empty text. File and message dialogs are stood
in for (as in ``test_tab_files.py``) so nothing blocks; HOME, the XDG folders and QSettings live
in ``tmp_path``.

What must hold after every action, for a fixed seed:
- no uncaught exception (pytest-qt's exception capture, and none raised by the action itself);
- an edit that changes what Save would write marks its tab unsaved, and closing the window then
  asks, naming every such tab (checked whenever the monkey tries to close the window);
- nothing is written outside ``tmp_path``: the repository tree (the presets above all) and the
  real home's Stepwise folders are unchanged at the end.

A failure lists ``(seed, step, action)`` for each problem, so the sequence can be replayed with
:func:`run_monkey` (``steps=step + 1``); ``MONKEY_TRACE=1`` prints every action as it is taken.
"""

from __future__ import annotations

import gc
import json
import os
import random
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import shiboken6
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (QAbstractButton, QAbstractSpinBox, QApplication, QCheckBox, QComboBox,
                               QDialog, QDoubleSpinBox, QFileDialog, QInputDialog, QLineEdit,
                               QListWidget, QMenu, QMessageBox, QRadioButton, QSlider, QSpinBox,
                               QTableWidget, QTabWidget, QWidget)

REPO = Path(__file__).resolve().parents[2]
RESOURCES = REPO / "resources"
Button = QMessageBox.StandardButton

#: (seed, number of actions): four parts of about 500 actions, about 2,000 in all.
PARTS = [(1301, 500), (1302, 500), (1303, 500), (1304, 500)]
#: A single action (with the waiting after it) slower than this is reported as a freeze.
FREEZE_S = 5.0
#: Actions between two explicit collections. The window collects from a GUI-thread timer, and one
#: collection of what hundreds of actions left (replaced sessions, panels, menus) can take seconds
#: in a test process: a cost of the collector, not of the action it would land in.
COLLECT_EVERY = 50
#: The longest the monkey waits for a busy workspace (a person's patience) before it goes on.
BUSY_WAIT_S = 1.0

HOSTILE_TEXT = [
    "tanh(asin(x)^999)", "1/(5e-324*x-1e-320)", "1e308", "x*1e308", "cos(1.7976931348623157e308-x)",
    "3*x**cosh(x/0)", "(x/10**5)**1000", "log(x/(10**30*x-1e-320))", "", " ", "9" * 400, "-" + "9" * 40,
    "1e309", "-1e-320", "5e-324", "nan", "inf", "-inf", "0", "-0", "1,5", "abc", "__import__('os')",
    "x^2", "x^4 - 3x^2 + x", "sin(x)*cos(y)", "x**2 + 10*y**2", "exp(exp(exp(x)))", "x/0", "((((x))))",
    "δ−½", "1e-400", "0.1", "2", "-3.5", "100000", "1e6",
]
NUMBER_TEXT = ["0", "-0", "0.1", "1", "2.5", "-1", "1e-8", "1e308", "-1e308", "1e309", "nan", "inf",
               "", "abc", "9" * 60, "5e-324", "0.001", "3", "10", "-7.25"]
KEYS = [(Qt.Key.Key_Space, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_Backspace, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_PageUp, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_PageDown, Qt.KeyboardModifier.NoModifier),
        (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier),
        (Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier),
        (Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier),
        (Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)]
#: Menu entries the monkey never triggers from a menu: Quit closes the window (the close check
#: does that, answering the prompt).
SKIPPED_ACTIONS = {"quit"}


# -- environment -----------------------------------------------------------------------------------

def snapshot(root: Path, skip=("__pycache__", ".pytest_cache", ".hypothesis", ".git", ".mypy_cache",
                              ".ruff_cache")) -> dict[str, tuple[int, int]]:
    """Every file under ``root``: path -> (mtime in ns, size)."""
    out: dict[str, tuple[int, int]] = {}
    if not root.exists():
        return out
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if d not in skip and not d.endswith(".egg-info")]
        for name in files:
            if name.endswith((".pyc", ".pyo")):
                continue
            p = os.path.join(folder, name)
            try:
                st = os.stat(p)
            except OSError:
                continue
            out[p] = (st.st_mtime_ns, st.st_size)
    return out


class WriteAudit:
    """Every file this process opens for writing, creates, renames or removes (a Python audit hook,
    installed once; it records only while ``allowed`` is set)."""

    #: event: (index of a path, index of the directory descriptor it is relative to, or None)
    EVENTS = {"os.rename": ((0, 2), (1, 3)), "os.remove": ((0, 1),), "os.mkdir": ((0, 2),),
              "os.rmdir": ((0, 1),), "shutil.copyfile": ((1, None),), "os.truncate": ((0, None),),
              "os.chmod": ((0, 2),)}
    WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def __init__(self) -> None:
        self.allowed: tuple[str, ...] | None = None
        self.outside: list[str] = []
        sys.addaudithook(self)

    def __call__(self, event: str, args) -> None:
        if self.allowed is None:
            return
        if event == "open":
            path, mode, flags = (list(args) + [None, None, None])[:3]
            writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                isinstance(flags, int) and flags & self.WRITE_FLAGS)
            paths = [path] if writing else []
        elif event in self.EVENTS:
            # shutil.rmtree removes names relative to a directory's descriptor: resolve them there
            paths = [_in_dir(args[i], args[d] if d is not None and d < len(args) else None)
                     for i, d in self.EVENTS[event] if i < len(args)]
        else:
            return
        for p in paths:
            if isinstance(p, int) or p is None:
                continue
            p = os.path.abspath(os.fsdecode(p))
            if not (p.startswith(self.allowed) or p.startswith("/dev/") or p.startswith("/proc/")
                    or "__pycache__" in p):
                self.outside.append(f"{event} {p}")


def _in_dir(path, dir_fd):
    """``path`` as the call meant it: relative to the directory open as ``dir_fd`` when one is given."""
    if isinstance(dir_fd, int) and dir_fd >= 0 and isinstance(path, (str, bytes)):
        try:
            return os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), os.fsdecode(path))
        except OSError:
            return path
    return path


AUDIT = WriteAudit()


@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """HOME, the XDG folders and TMPDIR inside ``tmp_path``; afterwards, nothing outside it was
    written by this process (the audit hook) and the repository tree is unchanged."""
    from PySide6.QtCore import QStandardPaths

    home = tmp_path / "home"
    for sub in ("", ".config", ".local/share", ".local/state", ".cache", "tmp"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local/share"))
    monkeypatch.setenv("XDG_STATE_HOME", str(home / ".local/state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("TMPDIR", str(home / "tmp"))
    # autosave writes a few seconds after the last edit: into the sandbox too
    monkeypatch.setattr("gui.window.autosave.data_folder", lambda: home / ".local/share/Stepwise")
    for where in (QStandardPaths.StandardLocation.AppDataLocation,
                  QStandardPaths.StandardLocation.AppConfigLocation,
                  QStandardPaths.StandardLocation.CacheLocation):
        assert QStandardPaths.writableLocation(where).startswith(str(tmp_path)), where
    places = [REPO, Path.cwd()]
    before = {str(p): snapshot(p) for p in places}
    AUDIT.allowed, AUDIT.outside = (str(tmp_path), str(tmp_path.resolve())), []
    try:
        yield tmp_path
    finally:
        AUDIT.allowed = None
    after = {str(p): snapshot(p) for p in places}
    changed = sorted({f for p in before for f in set(before[p]) ^ set(after[p])}
                     | {f for p in before for f in set(before[p]) & set(after[p])
                        if before[p][f] != after[p][f]})
    assert not changed, f"files written in the repository tree: {changed[:20]}"
    assert not AUDIT.outside, f"files written outside the test's folder: {AUDIT.outside[:20]}"


@pytest.fixture
def monkey_window(sandbox, app, qtbot):
    """The main window with its settings in the sandbox; closed without prompts afterwards."""
    from gui.window.main_window import MainWindow

    # earlier tests' windows freed now, not in one collection in the middle of a timed action
    gc.collect()
    settings = QSettings(str(sandbox / "settings.ini"), QSettings.Format.IniFormat)
    w = MainWindow(None, settings=settings)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    for ws in w.workspaces:
        if ws.controller is not None:
            ws.controller.set_running(False)
        ws.mark_clean()
    w.close()
    w.deleteLater()


# -- dialogs -----------------------------------------------------------------------------------------

class Dialogs:
    """Stands in for Qt's static dialogs: each returns at once with a seeded answer and is recorded."""

    def __init__(self, rng: random.Random, folder: Path) -> None:
        self.rng = rng
        self.folder = folder
        self.questions: list[str] = []
        self.answer: Button | None = None  # a fixed answer for the next questions (the close check)
        self.saved = 0
        folder.mkdir(exist_ok=True)
        scenarios = RESOURCES / "scenarios"
        self.own = []
        for p in sorted(scenarios.glob("*.json")):
            target = folder / f"copy-{p.name}"
            shutil.copy(p, target)
            self.own.append(str(target))
        (folder / "broken.json").write_text("{ not json", encoding="utf-8")
        (folder / "deep.json").write_text("[" * 5000 + "]" * 5000, encoding="utf-8")
        (folder / "obs.csv").write_text("a,b,target\n1,2,0.5\n2,1,0.25\n0,0,0.1\n", encoding="utf-8")
        (folder / "bad.csv").write_text("a,b\n1,x\n", encoding="utf-8")
        self.presets = [str(p) for p in sorted(scenarios.glob("*.json"))]

    def question(self, parent, title, text, *args, **kwargs):
        self.questions.append(text)
        if self.answer is not None:
            return self.answer
        return self.rng.choice([Button.Save, Button.Discard, Button.Cancel])

    def open_file(self, parent=None, caption="", directory="", filter="", *args, **kwargs):
        if "csv" in caption.lower() or "csv" in filter.lower():
            pool = [str(self.folder / "obs.csv"), str(self.folder / "bad.csv"), "", "/dev/zero",
                    str(self.folder)]
        else:
            pool = self.own + self.presets[:2] + [str(self.folder / "broken.json"),
                                                  str(self.folder / "deep.json"), "", str(self.folder)]
            pool += [str(p) for p in self.folder.glob("saved-*.json")]
        return self.rng.choice(pool), filter

    def save_file(self, parent=None, caption="", directory="", filter="", *args, **kwargs):
        if "export" in caption.lower():
            ext = "svg" if "svg" in caption.lower() else "png"
            return self.rng.choice([str(self.folder / f"plot.{ext}"), ""]), filter
        self.saved += 1
        pool = [str(self.folder / f"saved-{self.saved % 5}.json"), "", self.rng.choice(self.presets),
                self.rng.choice(self.own)]
        return self.rng.choice(pool), filter

    def install(self, monkeypatch) -> None:
        monkeypatch.setattr(QMessageBox, "question", self.question)
        for name in ("about", "aboutQt"):
            monkeypatch.setattr(QMessageBox, name, lambda *a, **k: None)
        for name in ("critical", "warning", "information"):
            monkeypatch.setattr(QMessageBox, name, lambda *a, **k: Button.Ok)
        monkeypatch.setattr(QFileDialog, "getOpenFileName", self.open_file)
        monkeypatch.setattr(QFileDialog, "getSaveFileName", self.save_file)
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: "")
        monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([], ""))
        for name in ("getText", "getInt", "getDouble", "getItem", "getMultiLineText"):
            monkeypatch.setattr(QInputDialog, name, lambda *a, **k: (None, False))
        monkeypatch.setattr(QDialog, "exec", lambda self, *a: 0)


# -- the monkey ----------------------------------------------------------------------------------------

@dataclass
class Problem:
    seed: int
    step: int
    action: str
    what: str

    def __str__(self) -> str:
        return f"seed {self.seed}, step {self.step} ({self.action}): {self.what}"


@dataclass
class Monkey:
    window: object
    qtbot: object
    seed: int
    dialogs: Dialogs
    exceptions: list
    rng: random.Random = field(init=False)
    problems: list[Problem] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    step_no: int = 0
    #: Set by the actions after which a tab may rightly hold other work that is not unsaved: a
    #: window menu entry (Open, Open Recent, Presets, Save, Undo, Redo), Ctrl+Z / Ctrl+Shift+Z, closing.
    reopened: bool = False

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.dialogs.rng = self.rng
        self.reference = {id(ws): self.form(ws) for ws in self.window.workspaces}
        #: Tabs whose document (file, kind or unsaved mark) changed during the current action.
        self.touched: set[int] = set()
        for ws in self.window.workspaces:
            ws.document.changed.connect(lambda key=id(ws): self.touched.add(key))

    # -- what a person sees ------------------------------------------------------------------------
    def visible(self, kind) -> list:
        """Widgets of type ``kind`` a person can use now: shown, enabled, in the main window."""
        w = self.window
        out = []
        for widget in w.findChildren(kind):
            if not widget.isVisible() or not widget.isEnabled() or widget.window() is not w:
                continue
            if widget.objectName().startswith("qt_"):
                continue
            if isinstance(widget, QLineEdit) and isinstance(widget.parent(), (QAbstractSpinBox, QComboBox)):
                continue
            out.append(widget)
        return out

    def menu_actions(self) -> list:
        found = []

        def walk(actions):
            for a in actions:
                if a.menu() is not None:
                    if a.isEnabled():
                        walk(a.menu().actions())
                elif not a.isSeparator() and a.isEnabled() and a.objectName() not in SKIPPED_ACTIONS:
                    found.append(a)
        walk(self.window.menuBar().actions())
        return found

    # -- actions -------------------------------------------------------------------------------------
    def act_click(self):
        buttons = [b for b in self.visible(QAbstractButton) if not isinstance(b, (QCheckBox, QRadioButton))]
        if not buttons:
            return "no button"
        b = self.rng.choice(buttons)
        menu = b.menu() if hasattr(b, "menu") else None
        if menu is not None:  # a button with a menu: the person picks one of its entries
            entries = [a for a in menu.actions() if a.isEnabled() and not a.isSeparator() and a.menu() is None]
            if not entries:
                return f"empty menu of {describe(b)}"
            a = self.rng.choice(entries)
            text = f"menu {a.text().replace('&', '')!r} of {describe(b)}"
            a.trigger()
            return text
        self.qtbot.mouseClick(b, Qt.MouseButton.LeftButton)
        return f"click {describe(b)}"

    def act_check(self):
        boxes = self.visible(QCheckBox) + self.visible(QRadioButton)
        if not boxes:
            return "no check box"
        b = self.rng.choice(boxes)
        self.qtbot.mouseClick(b, Qt.MouseButton.LeftButton, pos=b.rect().center())
        return f"toggle {describe(b)}"

    def act_type(self):
        edits = [e for e in self.visible(QLineEdit) if not e.isReadOnly()]
        if not edits:
            return "no field"
        e = self.rng.choice(edits)
        text = self.rng.choice(HOSTILE_TEXT)
        e.setFocus()
        e.selectAll()
        self.qtbot.keyClick(e, Qt.Key.Key_Backspace)
        type_text(self.qtbot, e, text)
        if self.rng.random() < 0.7:
            self.qtbot.keyClick(e, Qt.Key.Key_Return)
        return f"type {text[:40]!r} into {describe(e)}"

    def act_spin(self):
        boxes = [b for b in self.visible(QAbstractSpinBox) if not b.isReadOnly()]
        if not boxes:
            return "no spin box"
        b = self.rng.choice(boxes)
        r = self.rng.random()
        if r < 0.4 and isinstance(b, (QSpinBox, QDoubleSpinBox)):
            low, high = b.minimum(), b.maximum()
            span = min(high - low, 50 * b.singleStep())
            value = low + self.rng.random() * span if self.rng.random() < 0.8 else self.rng.choice([low, high])
            if isinstance(b, QSpinBox):
                value = int(value)
            if high - low > 10_000 and value == high:
                value = low + 20 * b.singleStep()  # a person does not ask for 100,000 of anything here
            what = f"set {describe(b)} to {value!r}"  # the box may be rebuilt (deleted) by its edit
            b.setValue(value)
            return what
        if r < 0.7:
            b.setFocus()
            key = self.rng.choice([Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp, Qt.Key.Key_PageDown])
            self.qtbot.keyClick(b, key)
            return f"key {key.name} in {describe(b)}"
        text = self.rng.choice(NUMBER_TEXT)
        b.setFocus()
        b.selectAll()
        type_text(self.qtbot, b, text)
        self.qtbot.keyClick(b, Qt.Key.Key_Return)
        return f"type {text[:40]!r} into {describe(b)}"

    def act_combo(self):
        combos = [c for c in self.visible(QComboBox) if c.count() > 0]
        if not combos:
            return "no combo"
        c = self.rng.choice(combos)
        i = self.rng.randrange(c.count())
        if not c.model().flags(c.model().index(i, 0)) & Qt.ItemFlag.ItemIsEnabled:
            return f"disabled entry {i} of {describe(c)}"
        what = f"choose {c.itemText(i)!r} in {describe(c)}"
        c.setCurrentIndex(i)
        c.activated.emit(i)
        return what

    def act_table(self):
        tables = [t for t in self.visible(QTableWidget) if t.rowCount() and t.columnCount()]
        if not tables:
            return "no table"
        t = self.rng.choice(tables)
        r, col = self.rng.randrange(t.rowCount()), self.rng.randrange(t.columnCount())
        item = t.item(r, col)
        if item is None:
            return f"empty cell of {describe(t)}"
        flags = item.flags()
        if flags & Qt.ItemFlag.ItemIsUserCheckable and flags & Qt.ItemFlag.ItemIsEnabled:
            on = item.checkState() == Qt.CheckState.Checked
            item.setCheckState(Qt.CheckState.Unchecked if on else Qt.CheckState.Checked)
            return f"tick cell ({r}, {col}) of {describe(t)}"
        if flags & Qt.ItemFlag.ItemIsEditable and flags & Qt.ItemFlag.ItemIsEnabled:
            text = self.rng.choice(NUMBER_TEXT)
            item.setText(text)
            return f"edit cell ({r}, {col}) of {describe(t)} to {text[:30]!r}"
        t.setCurrentCell(r, col)
        return f"select cell ({r}, {col}) of {describe(t)}"

    def act_slider(self):
        sliders = self.visible(QSlider)
        if not sliders:
            return "no slider"
        s = self.rng.choice(sliders)
        value = self.rng.randint(s.minimum(), s.maximum())
        s.setValue(value)
        return f"slide {describe(s)} to {value}"

    def act_list(self):
        lists = [v for v in self.visible(QListWidget) if v.count()]
        if not lists:
            return "no list"
        v = self.rng.choice(lists)
        row = self.rng.randrange(v.count())
        v.setCurrentRow(row)
        return f"select row {row} of {describe(v)}"

    def act_key(self):
        key, mods = self.rng.choice(KEYS)
        w = self.window
        w.activateWindow()
        target = QApplication.focusWidget()
        if target is None or target.window() is not w or self.rng.random() < 0.5:
            target = w.tabs
            target.setFocus()
        self.reopened = key == Qt.Key.Key_Z and bool(mods & Qt.KeyboardModifier.ControlModifier)
        self.qtbot.keyClick(target, key, mods)
        return f"key {key.name}{' +' + str(mods) if mods else ''} on {describe(target)}"

    def act_tab(self):
        tabs = self.visible(QTabWidget)
        t = self.window.tabs if self.rng.random() < 0.6 or not tabs else self.rng.choice(tabs)
        i = self.rng.randrange(t.count())
        t.setCurrentIndex(i)
        return f"tab {t.tabText(i)!r} of {describe(t)}"

    def act_run(self):
        action = self.window.actions.run
        action.trigger()
        self.qtbot.wait(self.rng.choice([0, 16, 50, 120]))
        return f"Run {'on' if action.isChecked() else 'off'}"

    def act_menu(self):
        actions = self.menu_actions()
        if not actions:
            return "no menu action"
        a = self.rng.choice(actions)
        text = a.text().replace("&", "")  # Open Recent rebuilds its menu: read before triggering
        self.reopened = True
        a.trigger()
        return f"menu {text!r}"

    def act_close(self):
        """Try to close the window (the prompt says Cancel): it must ask when work is unsaved."""
        w = self.window
        expected = [ws.title for ws in w.workspaces if ws.is_dirty]
        unmarked = [ws.title for ws in w.workspaces if self.form(ws) != self.reference[id(ws)]
                    and not ws.is_dirty]
        self.dialogs.answer = Button.Cancel
        self.reopened = True
        asked = len(self.dialogs.questions)
        try:
            closed = w.close()
        finally:
            self.dialogs.answer = None
        questions = self.dialogs.questions[asked:]
        if expected or unmarked:
            if closed or len(questions) != 1 or not all(t in questions[0] for t in expected + unmarked):
                self.problem("close", f"unsaved {expected + unmarked} but closing asked {questions} "
                                      f"(closed: {closed})")
        elif questions:
            self.problem("close", f"nothing unsaved, yet closing asked {questions}")
        if closed or not w.isVisible():
            w.show()
            self.qtbot.waitExposed(w)
        return f"close (unsaved: {expected})"

    #: How often a person does each thing (editing a descent setting recomputes its plots, so
    #: typing and choosing weigh less than clicking and keys, to keep 2,000 actions under a minute).
    ACTIONS = [("act_click", 24), ("act_type", 5), ("act_spin", 8), ("act_combo", 6), ("act_check", 5),
               ("act_table", 7), ("act_slider", 4), ("act_list", 2), ("act_key", 16), ("act_tab", 7),
               ("act_run", 5), ("act_menu", 7), ("act_close", 2)]

    # -- checks ----------------------------------------------------------------------------------------
    def form(self, ws):
        """What Save would write for ``ws``, minus what stepping moves (a network's weights at the
        cursor, and the settings in force there); with the network's starting weights instead."""
        try:
            d = ws.to_scenario().to_dict()
        except Exception as exc:  # noqa: BLE001 - reported as a problem of its own
            return f"to_scenario failed: {type(exc).__name__}: {exc}"
        d.pop("title", None)
        d.pop("description", None)
        if d.get("kind") == "network":
            for layer in d["network"]["layers"]:
                layer.pop("weights", None)
                layer.pop("biases", None)
            d.pop("optimizer", None)
            d.pop("frozen", None)
            d["theta0"] = ws.controller.session.parameters_at(0).tolist()
        return json.dumps(d, sort_keys=True, default=str)

    def problem(self, action: str, what: str) -> None:
        self.problems.append(Problem(self.seed, self.step_no, action, what))

    def settle(self) -> None:
        """Let queued events run, answer any dialog that opened, wait while a tab is busy."""
        app = QApplication.instance()
        app.processEvents()
        deadline = time.monotonic() + BUSY_WAIT_S
        while any(ws.is_busy() for ws in self.window.workspaces) and time.monotonic() < deadline:
            self.qtbot.wait(5)
        for _ in range(3):
            modal = QApplication.activeModalWidget() or QApplication.activePopupWidget()
            boxes = [b for b in QApplication.topLevelWidgets()
                     if isinstance(b, (QDialog, QMenu)) and b.isVisible()]
            if modal is None and not boxes:
                break
            for b in ([modal] if modal is not None else []) + boxes:
                if isinstance(b, QDialog):
                    b.done(0)
                else:
                    b.close()
            app.processEvents()

    def check(self, action: str, seen: int, dirty_before: list, asked_before: int) -> int:
        saving = action.startswith(("menu 'Save", "menu 'Undo", "menu 'Redo")) or self.reopened and "Key_Z" in action
        for ws in dirty_before:
            if not ws.is_dirty and len(self.dialogs.questions) == asked_before and not saving:
                self.problem(action, f"{ws.title}'s unsaved work was replaced without asking")
        if len(self.exceptions) > seen:
            for exc_type, exc, _tb in self.exceptions[seen:]:
                self.problem(action, f"uncaught {exc_type.__name__}: {str(exc)[:200]}")
            seen = len(self.exceptions)
        for ws in self.window.workspaces:
            if ws.is_dirty:
                continue
            now = self.form(ws)
            if now != self.reference[id(ws)] and not (self.reopened or id(ws) in self.touched):
                self.problem(action, f"{ws.title} changed what Save would write but is not marked "
                                     f"unsaved")
            self.reference[id(ws)] = now
        return seen

    def run(self, steps: int) -> None:
        names, weights = zip(*self.ACTIONS)
        seen = len(self.exceptions)
        for self.step_no in range(steps):
            name = self.rng.choices(names, weights)[0]
            self.reopened = False
            self.touched.clear()
            dirty_before = [ws for ws in self.window.workspaces if ws.is_dirty]
            asked_before = len(self.dialogs.questions)
            if self.step_no % COLLECT_EVERY == 0:
                gc.collect()  # what the actions left for the collector, freed outside any timed action
            start = time.monotonic()
            if os.environ.get("MONKEY_TRACE"):
                print(f"{self.seed} {self.step_no} {name} ...", flush=True)
            guard = QTimer(singleShot=True, interval=300)
            guard.timeout.connect(escape_blocking)  # a popup or modal loop the action opened
            guard.start()
            try:
                action = getattr(self, name)()
            except Exception as exc:  # noqa: BLE001 - every exception is a finding
                action = name
                self.problem(name, f"raised {type(exc).__name__}: {str(exc)[:200]}")
            guard.stop()
            self.settle()
            spent = time.monotonic() - start
            self.log.append(action)
            if os.environ.get("MONKEY_TRACE"):
                print(f"{self.seed} {self.step_no} {spent:.2f}s {action}", flush=True)
            if spent > FREEZE_S:
                self.problem(action, f"took {spent:.1f} s")
            seen = self.check(action, seen, dirty_before, asked_before)
        for ws in self.window.workspaces:
            if ws.controller is not None:
                ws.controller.set_running(False)
        self.settle()


def type_text(qtbot, widget: QWidget, text: str) -> None:
    """Type ``text`` key by key; paste it when it is long or not ASCII (QTest types ASCII only, and
    nobody types 400 digits one by one)."""
    if len(text) <= 40 and text.isascii():
        qtbot.keyClicks(widget, text)
        return
    edit = widget if isinstance(widget, QLineEdit) else widget.findChild(QLineEdit)
    if edit is not None:
        edit.insert(text)


def escape_blocking() -> None:
    """Close whatever popup or modal dialog holds the event loop, as a person pressing Escape would."""
    for _ in range(5):
        w = QApplication.activePopupWidget() or QApplication.activeModalWidget()
        if w is None:
            return
        if isinstance(w, QDialog):
            w.done(0)
        else:
            w.close()


def describe(widget: QWidget) -> str:
    if not shiboken6.isValid(widget):
        return "a widget its own action deleted"
    name = widget.objectName()
    text = widget.text() if hasattr(widget, "text") and callable(widget.text) else ""
    text = text if isinstance(text, str) else ""
    return f"{type(widget).__name__}{'#' + name if name else ''}{' ' + repr(text[:20]) if text else ''}"


def run_monkey(window, qtbot, monkeypatch, folder: Path, seed: int, steps: int):
    """``steps`` seeded actions on ``window``; returns the monkey (its ``problems`` and ``log``)."""
    dialogs = Dialogs(random.Random(seed), folder)
    dialogs.install(monkeypatch)
    with qtbot.capture_exceptions() as exceptions:
        monkey = Monkey(window, qtbot, seed, dialogs, exceptions)
        monkey.run(steps)
    return monkey


@pytest.mark.parametrize("seed, steps", PARTS, ids=[f"seed{s}" for s, _ in PARTS])
def test_monkey(monkey_window, qtbot, monkeypatch, sandbox, seed, steps):
    start = time.monotonic()
    monkey = run_monkey(monkey_window, qtbot, monkeypatch, sandbox / "files", seed, steps)
    spent = time.monotonic() - start
    problems = "\n".join(str(p) for p in monkey.problems[:30])
    assert not monkey.problems, f"{len(monkey.problems)} problems in {steps} actions:\n{problems}"
    # about 12 s a part on a quiet 2-core machine; the bound only catches a freeze on a busy one
    assert spent < 120, f"{steps} actions took {spent:.0f} s"
