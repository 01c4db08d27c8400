"""A time budget for typed formulas: the whole compile is tried first in a worker process.

sympy can take minutes on a short formula (``tanh(asin(x)^999)``: its assumption system expands
``(re + i im)^999`` while differentiating), and pure Python code cannot be interrupted from
another thread. So :func:`check_within` sends the text to one persistent worker process
(a fresh interpreter, ``python -m engine.formula_budget``, talking JSON lines on its standard
input and output: nothing of the caller's Qt threads or main module is copied into it) that parses, differentiates,
prints and evaluates it (``engine.expressions.trial_compile``); past the budget the worker is
killed and the formula refused. The worker is started once (about 0.4 s) and reused; after a
kill the next request starts a new one. The caller then compiles the formula itself, which
takes as long as the trial did.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Sequence

from engine.formula_tokens import FormulaError

#: Seconds a typed formula may take to parse, differentiate, print and evaluate.
COMPILE_BUDGET = 1.0
#: Seconds allowed for a new worker process to start (importing sympy and numpy).
START_TIMEOUT = 30.0

_READY = "ready"


def _answer(text: str, variables: list[str]) -> dict:
    """The worker's answer for one formula: {"ok": true} or the refusal's message and position."""
    from engine.expressions import trial_compile

    try:
        trial_compile(text, variables)
        return {"ok": True}
    except FormulaError as e:
        return {"ok": False, "message": e.message, "position": e.position}
    except (RecursionError, MemoryError) as e:
        return {"ok": False, "message": f"this formula is too large to work with ({type(e).__name__}); "
                                        "simplify it", "position": None}


def serve(inp: IO[str], out: IO[str]) -> None:
    """The worker's loop: one JSON request {"text", "variables"} a line in, one answer a line out."""
    import engine.expressions  # noqa: F401  (imported before saying ready: the start cost)

    out.write(json.dumps(_READY) + "\n")
    out.flush()
    for line in inp:
        request = json.loads(line)
        out.write(json.dumps(_answer(request["text"], request["variables"])) + "\n")
        out.flush()


class _Worker:
    """One worker process and its pipes, started on first use and replaced after a kill."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.lines: queue.Queue[str] = queue.Queue()

    def start(self) -> bool:
        """Start the process and wait until it has imported sympy; False when that is impossible."""
        root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p))
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "engine.formula_budget"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, text=True, encoding="utf-8", env=env)
        except OSError:
            self.process = None
            return False
        self.lines = queue.Queue()
        threading.Thread(target=self._read, args=(self.process.stdout, self.lines), daemon=True).start()
        if self._next(START_TIMEOUT) == _READY:
            return True
        self.stop()
        return False

    @staticmethod
    def _read(stream: IO[str], lines: queue.Queue[str]) -> None:
        """Move the worker's output lines to a queue, so that waiting for one can time out."""
        for line in stream:
            lines.put(line)
        lines.put("")

    def _next(self, seconds: float) -> object:
        """The worker's next answer, or None when none came within ``seconds`` or it ended."""
        try:
            line = self.lines.get(timeout=seconds)
        except queue.Empty:
            return None
        return json.loads(line) if line else None

    def stop(self) -> None:
        """Kill the process (it may be deep inside sympy) and forget it."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(5.0)
            for stream in (self.process.stdin, self.process.stdout):
                if stream is not None:
                    stream.close()
        self.process = None

    def ask(self, text: str, variables: tuple[str, ...], seconds: float) -> tuple[bool, dict | None]:
        """(answered in time, the answer); the answer is None when no worker can run here."""
        with self.lock:
            if self.process is None or self.process.poll() is not None:
                self.stop()
                if not self.start():
                    return True, None  # no worker on this system: compile without a budget
            assert self.process is not None and self.process.stdin is not None
            try:
                self.process.stdin.write(json.dumps({"text": text, "variables": list(variables)}) + "\n")
                self.process.stdin.flush()
            except OSError:
                self.stop()
                return True, None
            answer = self._next(seconds)
            if isinstance(answer, dict):
                return True, answer
            self.stop()
            return False, None


_WORKER = _Worker()


def check_within(text: str, variables: Sequence[str], seconds: float = COMPILE_BUDGET) -> None:
    """Raise FormulaError when ``text`` is refused or takes longer than ``seconds`` to compile."""
    in_time, answer = _WORKER.ask(text, tuple(variables), seconds)
    if not in_time:
        raise FormulaError(f"this formula is too slow to differentiate (over {seconds:g} s); simplify it", None)
    if answer is not None and not answer["ok"]:
        raise FormulaError(answer["message"], answer["position"])


__all__ = ["COMPILE_BUDGET", "check_within", "serve"]


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
