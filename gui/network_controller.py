"""The network controller: the Qt adapter between the network workspace and a TrainingSession.

It owns the session, the data set and the settings a scenario file records. Widgets call
intent methods (``step_granularity``, ``set_parameter``, ``apply_config``, ``use_builtin`` ...);
the controller changes the engine objects and emits ``record_changed`` (same architecture)
or ``session_reset`` (new network or data). Known engine errors are caught here and
emitted as ``error(headline, detail)``; nothing here computes training maths. Reading and
stepping are here; editing intents in ``network_editing``, data and sessions in
``network_sessions``.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Signal

from engine.chain_rule import chain_rule
from engine.gradient_check import finite_difference_check
from engine.data import Dataset, lecture_data
from engine.explain import is_lecture_example
from engine.network import Network, lecture_network
from engine.optimizers import make_spec
from engine.scenario import DataSpec
from engine.notes import explanation_notes
from engine.training import GRANULARITIES, TrainingMode, TrainingSession
from gui.network_editing import USER_ERRORS, NetworkEditing
from gui.network_sessions import NetworkSessions
from engine.numbers import format_number as fmt
from gui.workspaces.base import SteppingController

__all__ = ["NetworkController", "USER_ERRORS"]

#: Run mode gives each frame at most this long for training, so the redraw keeps 30+ fps.
FRAME_BUDGET_S = 0.012


class NetworkController(NetworkEditing, NetworkSessions, SteppingController):
    """Owns one :class:`engine.training.TrainingSession` and the settings around it."""

    data_error = Signal(str)
    frame_stepped = Signal(int)

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        # The window's Step (Space) and ``step(n)`` take whole iterations, as in the other
        # workspaces and the command line, until a Phase or Observation button is used.
        self.granularity = "iteration"
        self.title = "Lecture example"
        self.description = ""
        self.seed = 0
        self.dataset: Dataset = lecture_data()
        self.data_spec = DataSpec("arrays", inputs=self.dataset.inputs, targets=self.dataset.targets)
        self.session: TrainingSession = TrainingSession(lecture_network(), self.dataset.inputs,
                                                        self.dataset.targets, "sse", TrainingMode(),
                                                        make_spec("gd", lr=0.1))
        self.set_speed(200.0)
        self._losses: tuple | None = None

    # ------------------------------------------------------------------ reading
    @property
    def network(self) -> Network:
        """The network at the cursor (current parameters)."""
        return self.session.network_at()

    @property
    def loss_name(self) -> str:
        return self.session.loss.name

    @property
    def is_classification(self) -> bool:
        """True when the loss classifies (its targets are class labels)."""
        return self.session.loss.classifies

    @property
    def is_lecture_example(self) -> bool:
        """True for the lecture's 2-2-1 network on its two observations at its starting weights."""
        s = self.session
        return is_lecture_example(s.network_at(0), s.X, s.Y, s.loss.name)

    @property
    def history_length(self) -> int:
        return self.session.n_updates + 1

    @property
    def cursor(self) -> int:
        return self.session.cursor[0]

    @property
    def finished(self) -> bool:
        return self.session.next_phase is None

    @property
    def phase_text(self) -> str:
        """The current phase in words: the one just done, or what comes next at an iteration start."""
        s = self.session
        t, p = s.cursor
        if s.last_phase is not None and p > 0:
            return f"Done: {s.last_phase.text}"
        nxt = s.next_phase
        if nxt is None:
            return s.status.reason or "Stopped"
        done = f"Iteration {t} done. " if t > 0 else "Start. "
        return f"{done}Next: {nxt.text}"

    @property
    def status_text(self) -> str:
        s = self.session
        st = s.status
        t = s.cursor[0]
        loss = self.losses()[t]
        text = f"Iteration {t} of {s.n_updates}  ·  R = {fmt(loss)}"
        acc = self.training_accuracy()
        if acc is not None:
            text += f"  ·  training accuracy {acc * 100:.1f}%"
        if st.state != "running":
            text += f"  ·  {st.state}: {st.reason}"
        return text

    def training_accuracy(self) -> float | None:
        """Share of observations whose predicted class is the labelled one (classification only)."""
        return self.session.accuracy()

    def current_observation(self) -> int | None:
        """Dataset row (0-based) of the phase just done or about to be done; None at an update."""
        s = self.session
        if s.last_phase is not None and s.last_phase.observation is not None and s.cursor[1] > 0:
            return s.last_phase.observation
        nxt = s.next_phase
        return nxt.observation if nxt is not None else None

    def chain_rule(self, name: str, observation: int):
        """The engine's chain rule for ``name`` at dataset row ``observation``, at the cursor."""
        return chain_rule(self.session.network_at(), self.session.record(), name, observation)

    def finite_difference_check(self):
        """Back propagation against central differences at the cursor, over all observations."""
        s = self.session
        return finite_difference_check(s.network_at(), s.X, s.Y, s.loss.name)

    def explanation_notes(self, name: str, observation: int, fmt: str = "markdown") -> str:
        """Chain rule of ``name`` for dataset row ``observation`` and the nudge table at the
        cursor, as lecture-note text (``fmt``: text, markdown or latex)."""
        s = self.session
        return explanation_notes(s.network_at(), s.X, s.Y, s.loss.name, name, observation, fmt)

    def config(self) -> dict:
        """The editor's view of the settings (see ``NetworkEditor``)."""
        net = self.session.network
        spec = self.session.spec
        training = self.session.training
        return {"hidden": [(layer.units, layer.activation) for layer in net.layers[:-1]],
                "output_activation": net.layers[-1].activation,
                "loss": self.loss_name, "training": training.kind,
                "batch_size": training.batch_size or 10,
                "optimizer": {"name": spec.name, **spec.params}, "seed": self.seed}

    # ------------------------------------------------------------------ stepping
    def step(self, n: int = 1) -> None:
        """``n`` steps at the chosen granularity (the window's Step button)."""
        for _ in range(max(int(n), 1)):
            if self.session.step(self.granularity) is None:
                break
        self._changed()

    def step_granularity(self, granularity: str) -> None:
        """One phase, observation or iteration; also makes it the Step button's granularity."""
        if granularity not in GRANULARITIES:
            self.error.emit("Unknown step", f"{granularity!r}; choose one of {', '.join(GRANULARITIES)}")
            return
        self.granularity = granularity
        self.step(1)

    def run_iterations(self, n: int) -> int:
        """Take up to ``n`` whole iterations on the engine's lean path; returns how many."""
        taken = self.session.run(int(n))
        self._changed()
        return taken

    def _run_frame(self, n: int) -> None:
        # Finish a half-done iteration first so the lean path starts at an update boundary.
        if self.session.cursor[1] > 0:
            self.session.step_iteration()
            n -= 1
        taken = self._run_within_budget(n)
        self.frame_stepped.emit(taken)

    def _run_within_budget(self, n: int) -> int:
        start = time.perf_counter()
        taken, chunk = 0, 64
        while taken < n:
            got = self.session.run(min(chunk, n - taken))
            taken += got
            if got == 0 or time.perf_counter() - start > FRAME_BUDGET_S:
                break
        self._changed()
        return taken

    def back(self) -> None:
        self.session.back()
        self._changed()

    def jump(self, k: int) -> None:
        self.session.jump(max(0, int(k)))
        self._changed()

    def reset(self) -> None:
        self.session.reset()
        self._changed()

    def _changed(self) -> None:
        self._losses = None
        self.record_changed.emit()
        self.status_changed.emit(self.status_text)

    def losses(self) -> np.ndarray:
        """Full-data loss after 0..n_updates updates, read once per change (the views and the
        status line share it; a long history makes each read a copy of megabytes)."""
        s = self.session
        key = (id(s), s.n_updates, s.cursor)
        if self._losses is None or self._losses[0] != key:
            self._losses = (key, s.losses())
        return self._losses[1]
