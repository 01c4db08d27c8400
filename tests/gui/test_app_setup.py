"""Application set-up: one BLAS thread beside the GUI thread (SPEC section 8), and Python's cyclic
garbage collector only on the GUI thread."""

import gc
import threading
import weakref

from threadpoolctl import threadpool_info

from gui.app import create_application
from gui.common.background import BackgroundRunner


def test_application_runs_blas_on_one_thread(qapp) -> None:
    create_application()
    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas, "numpy's BLAS was not found by threadpoolctl"
    assert all(pool["num_threads"] == 1 for pool in blas)


def make_cycles(job, n: int) -> int:
    """Enough reference cycles to trigger a collection wherever the collector runs by itself."""
    for _ in range(n):
        cell: list = []
        cell.append(cell)
    return n


def test_garbage_is_collected_on_the_gui_thread_only(qapp, qtbot) -> None:
    create_application()
    assert not gc.isenabled()  # no collection triggered by an allocation in some other thread
    threads: list[threading.Thread] = []

    def record(phase: str, _info: dict) -> None:
        if phase == "start":
            threads.append(threading.current_thread())

    gc.callbacks.append(record)
    try:
        runner = BackgroundRunner()
        with qtbot.waitSignal(runner.finished, timeout=10_000):
            runner.submit(make_cycles, 50_000)
        qtbot.waitUntil(lambda: bool(threads), timeout=5_000)  # the timer collects them
    finally:
        gc.callbacks.remove(record)
    assert threads and all(t is threading.main_thread() for t in threads)


def test_a_closed_widget_held_only_by_a_cycle_is_freed_by_the_timer(qapp, qtbot) -> None:
    from PySide6.QtWidgets import QWidget

    create_application()
    widget = QWidget()
    widget.itself = widget  # a reference cycle: only the cyclic collector frees it
    gone = weakref.ref(widget)
    del widget
    make_cycles(None, 5_000)  # past the youngest generation's threshold
    qtbot.waitUntil(lambda: gone() is None, timeout=5_000)
