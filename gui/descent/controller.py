"""The descent controller: the Qt adapter between the 1-D / 2-D workspaces and engine sessions.

One objective, one start point and one or several optimizers; each optimizer has its own
``engine.descent.DescentSession`` and all are stepped together (the 2-D "race"). Widgets call the
intent methods; the controller changes the sessions and emits fact signals; views redraw from
``sessions`` and ``cursor``. Known engine errors are caught here and emitted as ``error``.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine.optimizers import OptimizerError, OptimizerSpec, SingularHessianError, make_spec
from engine.numbers import format_number as fmt
from gui.common.workspace import SteppingController

#: Engine errors that are the user's input, not bugs: shown, never crash.
USER_ERRORS = (OptimizerError, SingularHessianError, ValueError, ArithmeticError)

DEFAULT_PRESET = {1: "lecture_quartic", 2: "lecture_2d"}
#: What to press first, after the start point's status (nothing has run yet).
START_HINT = " — press Step (Space) or Run"


def _formula_error_type():
    from engine.expressions import FormulaError

    return FormulaError


class DescentController(SteppingController):
    """Owns the descent sessions of one workspace (``dim`` 1 or 2)."""

    objective_changed = Signal()
    formula_error = Signal(str, int)  # message, 0-based column (-1 when unknown)
    formula_ok = Signal()
    settings_changed = Signal()

    def __init__(self, dim: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        from engine import functions

        self.dim = dim
        self.preset_name: str | None = DEFAULT_PRESET[dim]
        #: The opened file's title and description, written back on Save ("" before any file).
        self.title, self.description = "", ""
        self.expression_text = ""
        self.derivative_mode = "exact"
        self.h = 1e-4
        self.tol = 1e-8
        self.max_iter = 10000
        self.objective = functions.preset(self.preset_name)
        self.start = np.array(self.objective.default_start, dtype=np.float64).reshape(dim)
        self.specs: list[OptimizerSpec] = [make_spec("gd", lr=0.01)]
        self.sessions: list = []
        self._cursor = 0
        self._status_text = ""
        self._rebuild(objective_changed=True)

    # -- state for views ----------------------------------------------------------------------------
    @property
    def history_length(self) -> int:
        return max(len(s.history) for s in self.sessions)

    @property
    def cursor(self) -> int:
        return self._cursor

    @property
    def finished(self) -> bool:
        if self._cursor < self.history_length - 1:
            return False
        return all(self._session_done(s) for s in self.sessions)

    @staticmethod
    def _session_done(s) -> bool:
        return s.cursor == len(s.history) - 1 and not s.can_step

    @property
    def status_text(self) -> str:
        return self._status_text

    def record(self, i: int = 0):
        """The iterate shown for session ``i`` at the cursor (sessions that stopped early hold)."""
        return self.sessions[i].current

    def path(self, i: int = 0) -> np.ndarray:
        """Iterates of session ``i`` up to the shown one: ``(k + 1, dim)``."""
        return self.sessions[i].path()

    def values(self, i: int = 0) -> np.ndarray:
        """f at each iterate of session ``i`` up to the shown one: ``(k + 1,)``."""
        return self.sessions[i].values()

    # -- stepping --------------------------------------------------------------------------------------
    def step(self, n: int = 1) -> None:
        target = self._cursor + max(int(n), 0)
        t0 = time.perf_counter()
        try:
            for s in self.sessions:
                # jump() computes forward as needed and stops where the run finishes.
                s.jump(target)
        except USER_ERRORS as exc:
            self.set_running(False)
            self.error.emit("Step failed", str(exc))
        self.last_step_seconds = time.perf_counter() - t0
        self._cursor = max(s.cursor for s in self.sessions)
        self._after_move()

    def back(self) -> None:
        self.jump(self._cursor - 1)

    def jump(self, k: int) -> None:
        k = min(max(int(k), 0), self.history_length - 1)
        for s in self.sessions:
            s.jump(min(k, len(s.history) - 1))
        self._cursor = k
        self._after_move()

    def reset(self) -> None:
        self.set_running(False)
        self._rebuild()

    def _after_move(self) -> None:
        self.record_changed.emit()
        self._update_status()

    # -- settings (each rebuilds the sessions) --------------------------------------------------------
    def set_preset(self, name: str) -> None:
        from engine import functions

        try:
            objective = functions.preset(name, derivatives=self.derivative_mode, h=self.h)
        except USER_ERRORS as exc:
            self.error.emit("Unknown function", str(exc))
            return
        self.preset_name = name
        self.expression_text = ""
        self.start = np.array(objective.default_start, dtype=np.float64).reshape(self.dim)
        self._set_objective(objective)

    def compile_formula(self, text: str):
        """The objective of a typed formula (raises FormulaError); also runs off the GUI thread."""
        from engine import functions

        objective = functions.from_expression(text, self.dim)
        if self.derivative_mode != "exact":
            objective = objective.with_derivatives(self.derivative_mode, self.h)
        return objective

    def set_formula(self, text: str, objective=None) -> bool:
        """Use the typed formula if it parses; otherwise emit ``formula_error`` and keep the old one.
        ``objective``: the formula already compiled (``compile_formula``, in the background)."""
        FormulaError = _formula_error_type()
        try:
            if objective is None:
                objective = self.compile_formula(text)
        except FormulaError as exc:
            position = getattr(exc, "position", None)
            self.formula_error.emit(str(getattr(exc, "message", exc)),
                                    -1 if position is None else int(position))
            return False
        except USER_ERRORS as exc:
            self.formula_error.emit(str(exc), -1)
            return False
        self.preset_name = None
        self.expression_text = text
        self.formula_ok.emit()
        self._set_objective(objective)
        return True

    def _set_objective(self, objective) -> None:
        self.objective = objective
        self._edit(objective_changed=True)

    def set_derivatives(self, mode: str, h: float | None = None) -> None:
        """``"exact"`` (symbolic) or finite differences with step ``h``."""
        h = self.h if h is None else float(h)
        try:
            objective = self.objective.with_derivatives(mode, h)
        except USER_ERRORS as exc:
            self.error.emit("Derivatives", str(exc))
            return
        self.derivative_mode, self.h = mode, h
        self._set_objective(objective)

    def set_start(self, x) -> None:
        self.start = np.array(x, dtype=np.float64).reshape(self.dim)
        self._edit()

    def set_optimizer(self, spec: OptimizerSpec, i: int = 0) -> None:
        self.specs[i] = spec
        self._edit()

    def add_optimizer(self, spec: OptimizerSpec) -> None:
        self.specs.append(spec)
        self._edit()

    def remove_optimizer(self, i: int) -> None:
        if len(self.specs) > 1:
            del self.specs[i]
            self._edit()

    def set_tolerance(self, tol: float) -> None:
        if not tol > 0:
            self.error.emit("Tolerance", f"tolerance must be > 0, got {tol:g}")
            return
        self.tol = float(tol)
        self._edit()

    def set_max_iter(self, max_iter: int) -> None:
        self.max_iter = max(1, int(max_iter))
        self._edit()

    def _edit(self, objective_changed: bool = False) -> None:
        """New sessions after a setting changed, and ``edited`` (Reset and Open rebuild without it)."""
        if self._rebuild(objective_changed):
            self.edited.emit()

    def _rebuild(self, objective_changed: bool = False) -> bool:
        """Fresh sessions from the settings; False (and ``error``) when the engine refuses them."""
        from engine.descent import DescentSession

        self.set_running(False)
        try:
            sessions = [DescentSession(self.objective, self.start, spec, tol=self.tol,
                                       max_iter=self.max_iter) for spec in self.specs]
        except USER_ERRORS as exc:
            self.error.emit("Could not start", str(exc))
            if self.sessions:
                return False
            raise
        self.sessions = sessions
        self._cursor = 0
        if objective_changed:
            self.objective_changed.emit()
        self.session_reset.emit()
        self.settings_changed.emit()
        self._after_move()
        return True

    def _update_status(self) -> None:
        parts = []
        for spec, s in zip(self.specs, self.sessions):
            text = s.describe_status()
            if not s.status.finished and len(s.history) - 1 >= self.max_iter:
                text = f"stopped after the maximum of {self.max_iter} iterations"
            elif s.status.finished and not text.lower().startswith(s.status.state):
                text = f"{s.status.state}: {text}"
            if len(self.sessions) > 1:
                state = "ready" if self._cursor == 0 and not s.status.finished else s.status.state
                text = f"{spec.name}: {state}, f = {fmt(s.current.value)}"
            parts.append(text)
        text = parts[0][:1].upper() + parts[0][1:] if len(parts) == 1 else \
            f"Iteration {self._cursor}: " + "; ".join(parts)
        if self._cursor == 0 and not self.finished:
            text += START_HINT
        if text != self._status_text:
            self._status_text = text
            self.status_changed.emit(text)

    # -- scenarios ---------------------------------------------------------------------------------------
    def load(self, scenario) -> None:
        """Replace everything with a function scenario (``engine.scenario.Scenario``).

        Builds the objective first (``engine.scenario.build_objective``), so a scenario that
        cannot be built leaves the current work.
        """
        from engine.scenario import build_objective

        self.objective = build_objective(scenario)
        fn = scenario.function
        self.preset_name, self.expression_text = fn.preset, fn.expression or ""
        self.title, self.description = scenario.title, scenario.description
        self.derivative_mode, self.h = fn.mode, fn.h
        self.start = np.array(scenario.start, dtype=np.float64).reshape(self.dim)
        self.specs = [scenario.optimizer, *getattr(scenario, "compare", ())]
        if scenario.tolerance is not None:
            self.tol = scenario.tolerance
        if scenario.max_iterations is not None:
            self.max_iter = scenario.max_iterations
        self._rebuild(objective_changed=True)

    def to_scenario(self, title: str = ""):
        """The current work as an ``engine.scenario.Scenario`` (racing optimizers go in ``compare``);
        the opened file's title and description are kept, ``title`` names work that has none."""
        from engine.scenario import FunctionSpec, Scenario

        if self.preset_name is not None:
            fn = FunctionSpec(preset=self.preset_name, mode=self.derivative_mode, h=self.h)
        else:
            fn = FunctionSpec(expression=self.expression_text or self.objective.expression,
                              mode=self.derivative_mode, h=self.h)
        return Scenario(kind="function1d" if self.dim == 1 else "function2d", title=self.title or title,
                        description=self.description,
                        optimizer=self.specs[0], compare=tuple(self.specs[1:]), function=fn,
                        start=tuple(float(v) for v in self.start), tolerance=self.tol,
                        max_iterations=self.max_iter)
