"""Python's cyclic garbage collector, run only from a timer of the GUI thread's event loop.

Left to run by itself, the collector starts wherever an allocation crosses its threshold. Inside
``QObject::~QObject`` (PySide looks up a Python override while Qt holds the object's connection
lock, and the lookup allocates) a collection destroyed a closed window's widgets, whose destructors
waited on that same lock: the window hung for good. Started in a worker thread, it would destroy Qt
objects off the GUI thread. So the automatic collector is off, and :class:`GuiThreadCollector`
runs the same generations on the same thresholds from a ``QTimer``, where no destructor is under
way. Like CPython's own rule, the oldest generation is collected only once a quarter more objects
have become long-lived since the last full collection, so a steady window is not paused for a full
collection every few seconds (about 50 ms with the three workspaces open).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

#: Milliseconds between two looks at the collector's counts.
INTERVAL_MS = 250


class GuiThreadCollector(QObject):
    """Switches the automatic collector off and collects from a GUI-thread timer instead."""

    def __init__(self, parent: QObject | None = None, interval_ms: int = INTERVAL_MS) -> None:
        super().__init__(parent)
        self.threshold = gc.get_threshold()
        gc.disable()
        #: objects in the oldest generation after the last full collection
        self.long_lived = len(gc.get_objects(2))
        self.collections = [0, 0, 0]
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.check)
        self.timer.start()

    def check(self) -> None:
        """Collect the generations the counts call for, as the automatic collector would."""
        young, middle, old = gc.get_count()
        t0, t1, t2 = self.threshold
        if young <= t0:
            return
        if middle < t1:
            self._collect(0)
        elif old < t2 or len(gc.get_objects(2)) - self.long_lived <= self.long_lived // 4:
            self._collect(1)
        else:
            self._collect(2)
            self.long_lived = len(gc.get_objects(2))

    def _collect(self, generation: int) -> None:
        gc.collect(generation)
        self.collections[generation] += 1
