"""Where to look after a step on the network tab: what the step computed, highlighted for a moment
and said in a sentence under the network.

The views flash what they changed themselves (node labels, parameter and nudge-table cells, see
``gui.common.flash``); :class:`WhereToLook` tells them when to stay quiet (Run mode), flashes the
chain-rule factors the phase just filled in, keeps the last iteration's values on the network
between iterations (:class:`~gui.network.view_state.FinishedPass`) and writes the caption.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from engine.notation import Derivative
from gui.common.flash import Flash
from gui.network.view_state import FinishedPass

RUNNING_SENTENCE = "Running — pause to see the values of the last iteration on the network."
START_SENTENCE = ("Phase ▶ (P): one layer · Observation ▶▶ (O): one observation · "
                  "Iteration ▶▶▶ (I): all, and the update.")


def factor_layer(factor) -> int | None:
    """The layer a chain-rule factor starts from: its numerator's (``da(2)/da(1)`` → 2), or the
    layer of a lone symbol (``δ(1)`` → 1); None for the loss's ``dR/da``."""
    symbol = factor.symbol.num if isinstance(factor.symbol, Derivative) else factor.symbol
    return symbol.layer


def filled_factors(factors, phase) -> list[int]:
    """Indices of the chain-rule ``factors`` that ``phase`` fills in as back propagation walks back:
    the loss phase ``dR/da(L)``, the backward phase of layer l the factors that start from layer l."""
    if phase is None:
        return []
    if phase.kind == "loss":
        return [i for i, f in enumerate(factors)
                if isinstance(f.symbol, Derivative) and f.symbol.num.kind == "R"]
    if phase.kind == "backward":
        return [i for i, f in enumerate(factors) if factor_layer(f) == phase.layer]
    return []


def network_sentence(session, state, running: bool) -> str:
    """What the network shows now, in a sentence for the room: the phase just done and what it
    computed, the iteration just finished and whose values stay on the nodes, or why it stopped."""
    s = session
    t, p = s.cursor
    if running:
        return RUNNING_SENTENCE
    if s.next_phase is None:
        st = s.status
        return f"{st.state.capitalize()}: {st.reason}" if st.reason else "Stopped."
    last = s.last_phase
    if p > 0 and last is not None:
        obs = f"observation {last.observation + 1}" if last.observation is not None else ""
        if last.kind == "forward":
            return f"Forward, {obs}: z({last.layer}) and a({last.layer}) computed (highlighted)."
        if last.kind == "loss":
            return f"Loss of {obs} computed: ∂R/∂a is filled in in the chain rule."
        if last.kind == "backward":
            return f"Backward, {obs}: δ({last.layer}) computed; the chain-rule factors it fills in are highlighted."
    if t > 0 and state is not None and state.values_of is not None:
        it, obs = state.values_of
        return f"Iteration {it} done: weights and biases updated. The nodes keep observation {obs}'s values."
    if t == 0 and p == 0:
        return START_SENTENCE
    return f"Next: {s.next_phase.text}."


class WhereToLook(QObject):
    """Wires the network workspace ``ws``'s highlights: quiet while running, the chain rule's
    filled-in factors after each phase, the caption's sentence; ``finished_pass()`` for the view."""

    def __init__(self, ws) -> None:
        super().__init__(ws)
        self.ws = ws
        c = ws.controller
        self._finished = FinishedPass()
        self._cursor: tuple | None = None  # (session id, t, p) when the views last redrew
        self._flashes = (ws.view.label_flash, ws.params.flash, ws.nudge.flash, ws.chain.flash)
        for flash in self._flashes:
            flash.quiet = self.quiet
        ws.caption.quiet = self.quiet
        ws.caption.running = lambda: c.running
        c.record_changed.connect(self.after_step)
        c.running_changed.connect(self._on_running)
        ws.caption.set_text(network_sentence(c.session, None, False), flash=False)

    def _on_running(self, on: bool) -> None:
        """Run mode starts: a highlight under way ends now, before the first frame is drawn."""
        if on:
            for flash in self.ws.findChildren(Flash):
                flash.stop()
        self.after_step()

    def quiet(self) -> bool:
        """No highlights while running, nor for a move back (Back, Reset, the slider dragged back):
        they mark what a step just computed. Asked while the views redraw, before ``after_step``."""
        c = self.ws.controller
        if c.running:
            return True
        s = c.session
        return self._cursor is not None and self._cursor[0] == id(s) and s.cursor < self._cursor[1:]

    def finished_pass(self):
        """The batch record of the iteration just finished, between iterations (None otherwise)."""
        c = self.ws.controller
        return self._finished(c.session, c.running)

    def after_step(self) -> None:
        """After a move: flash the factors the phase filled in and say what the network shows."""
        ws, c = self.ws, self.ws.controller
        s = c.session
        state = ws.view.shown_state()
        ws.caption.set_text(network_sentence(s, state, c.running))
        quiet = self.quiet()
        self._cursor = (id(s), *s.cursor)
        ws.chain.flash.stop()  # the factors of the step before
        if quiet or s.cursor[1] == 0:
            return
        last = s.last_phase
        if last is not None and last.observation == ws.explanations.explained_observation():
            ws.chain.flash_factors(filled_factors(ws.chain.factors(), last))
