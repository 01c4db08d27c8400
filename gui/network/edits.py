"""Undo and redo of the network tab's edits: what a snapshot of its work holds and how it compares.

Every edit goes through :class:`~gui.network.controller.NetworkController`, which names it to its
:class:`EditLog` (``about_to_edit``) just before applying it and emits ``edited`` after, so one
:class:`~gui.common.undo.ScenarioHistory` records weights, architecture, loss, training mode,
optimizer, data and frozen parameters alike. A :class:`NetworkState` is the work as Save would
write it (the scenario, with the network at the cursor) plus the data set it was built on and the
session and cursor it was taken at: undo puts the snapshot's settings and weights back at that
cursor in that session while it is alive, so the iterations before it stay. The current session is
always alive, and the last few sessions an edit replaced (architecture, loss, mode, data) are kept
while they are small; past them, undo rebuilds a session from the snapshot's scenario.
"""

from __future__ import annotations

import dataclasses
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, Signal

from engine.data import Dataset
from engine.scenario import Scenario
from gui.common.document import Document
from gui.common.undo import ScenarioHistory

#: Sessions replaced by edits that stay alive for undo, and the most each may hold (history and data).
KEPT_SESSIONS = 3
KEPT_SESSION_BYTES = 16 * 2**20


@dataclass(frozen=True, eq=False)
class NetworkState:
    """The network tab's work at one moment (engine objects are immutable, so nothing is copied)."""

    scenario: Scenario
    dataset: Dataset
    #: The session the snapshot was taken in, weakly (``EditLog`` keeps the last few alive).
    session: weakref.ReferenceType
    #: The update index of the cursor when the snapshot was taken.
    iteration: int
    #: The edit that led to this state, for Edit > Undo "…".
    name: str


def same_value(a: Any, b: Any) -> bool:
    """Structural equality of scenario parts: dataclasses field by field, arrays by value."""
    if a is b:
        return True
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and bool(np.array_equal(a, b)))
    if dataclasses.is_dataclass(a) and not isinstance(a, type):
        return type(a) is type(b) and all(same_value(getattr(a, f.name), getattr(b, f.name))
                                          for f in dataclasses.fields(a))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    return bool(a == b)


def same_state(a: NetworkState, b: NetworkState) -> bool:
    """True when an "edit" changed nothing Save would write (no undo step is pushed for it)."""
    return same_value(a.scenario, b.scenario) and (a.dataset is b.dataset or same_value(
        (a.dataset.inputs, a.dataset.targets), (b.dataset.inputs, b.dataset.targets)))


def describe_state(before: NetworkState, after: NetworkState) -> str:
    """The edit's name in the Edit menu ("Change w(1)[1,1]", "Change learning rate", ...)."""
    return after.name or "Change network"


def describe_config(session: Any, seed: int, new: dict) -> str:
    """Name an edit of the network editor's configuration ``new`` (keys as ``NetworkEditor``'s)
    from what differs from ``session``'s settings."""
    from engine.optimizers import get_optimizer
    from gui.network.view_state import editor_config

    old = editor_config(session, seed)
    if [u for u, _ in old["hidden"]] != [u for u, _ in new["hidden"]]:
        return "Change architecture"
    if [a for _, a in old["hidden"]] != [a for _, a in new["hidden"]] \
            or old["output_activation"] != new["output_activation"]:
        return "Change activation"
    if old["loss"] != new["loss"]:
        return "Change loss"
    if old["training"] != new["training"] or (new["training"] == "mini_batch"
                                              and old["batch_size"] != new["batch_size"]):
        return "Change training mode"
    o, n = old["optimizer"], new["optimizer"]
    if o.get("name") != n.get("name"):
        return "Change optimizer"
    keys = [k for k in {*o, *n} if k != "name" and o.get(k) != n.get(k)]
    if keys == ["lr"]:
        return "Change learning rate"
    if len(keys) == 1:
        titles = {h.key: h.label.lower() for h in get_optimizer(n["name"]).hyper}
        return f"Change {titles.get(keys[0], keys[0])}"
    return "Change optimizer settings"


def network_history(controller: Any, document: Document, parent: Any = None) -> ScenarioHistory:
    """The network tab's undo stack over ``controller``'s edits (``history.stack`` for Edit)."""
    log = controller.edits
    return ScenarioHistory(controller.edited, log.snapshot, log.restore, document, parent,
                           about_to_edit=log.about_to_edit, describe=describe_state, same=same_state)


class EditLog(QObject):
    """The network controller's side of undo: each edit method calls :meth:`begin` with the edit's
    name before it applies the edit; :meth:`snapshot` and :meth:`restore` read and put back the work."""

    #: Just before an edit is applied (undo takes the work as it was then); ``edited`` follows it.
    about_to_edit = Signal()

    def __init__(self, controller: Any) -> None:
        super().__init__(controller)
        self._controller = controller
        self.name = ""
        self._kept: list[Any] = []  # strong references: a snapshot refers to its session weakly

    def begin(self, name: str) -> None:
        """An edit called ``name`` (for Edit > Undo "…") is about to be applied."""
        self.name = name
        self._keep(self._controller.session)
        self.about_to_edit.emit()

    def _keep(self, s: Any) -> None:
        """Keep session ``s`` alive for undo and redo (the last few, while small)."""
        if s.memory_bytes() + s.X.nbytes + s.Y.nbytes < KEPT_SESSION_BYTES:
            self._kept = [*(k for k in self._kept if k is not s), s][-KEPT_SESSIONS:]

    def snapshot(self) -> NetworkState:
        """The work as Save would write it, with its data, session and cursor."""
        c = self._controller
        return NetworkState(c.to_scenario(), c.dataset, weakref.ref(c.session), c.session.cursor[0], self.name)

    def restore(self, state: NetworkState) -> None:
        """Undo / redo: put ``state`` back, in the same session when it was taken there (the iterations
        before its cursor stay), else in a new session built from its scenario."""
        c = self._controller
        c.set_running(False)
        self._keep(c.session)  # redo gives back the session undo leaves
        try:
            c.load_scenario(state.scenario, state.dataset, restore_in_session(state))
        except ValueError as exc:  # the engine's errors are ValueErrors; the work stays as it is
            c.error.emit("Cannot undo", str(exc))


def restore_in_session(state: NetworkState) -> Any:
    """Put ``state``'s optimizer, frozen parameters and weights back at its cursor in the session it
    was taken in (later iterations are dropped, as after any edit) and return that session; None,
    with nothing changed, when the session is gone or no longer holds that iteration."""
    from engine.scenario import build_network

    session = state.session()
    if session is None or state.iteration > session.n_updates:
        return None
    scenario = state.scenario
    session.jump(state.iteration)
    if not same_value(session.spec, scenario.optimizer):
        session.set_spec(scenario.optimizer)
    if set(session.frozen) != set(scenario.frozen):
        session.set_frozen(sorted(scenario.frozen))
    theta, now = build_network(scenario).theta(), session.theta()
    names = session.param_names
    for i in np.flatnonzero(theta != now):
        session.set_parameter(names[i], float(theta[i]))
    return session
