"""Traces of a scenario run: the recorded steps as JSON-ready dicts, and their JSON or CSV text.

``python main.py run`` prints these, and scripts outside the project read them, so the field
names are a contract (SPEC section 6): ``steps``, ``step``, ``loss``, ``parameters``,
``gradient`` for networks; ``steps``, ``step``, ``x``, ``value``, ``gradient`` for functions, whose
steps k >= 1 also carry ``lr`` (the step size taken from k-1 to k) and, under backtracking,
``trials`` (``lr``, ``value``, ``accepted``, in the order tried); ``status`` (``running``,
``converged``, ``diverged``, ``stopped``) and ``reason`` at the top level. Keep them exactly; new
fields are added, never renamed. Added for networks: with weight decay ``loss`` and ``gradient`` hold
R's term lambda/2 sum w^2; with a held-out part (``test_fraction``) each step also carries
``test_loss`` (the loss over the held-out observations) and, for a classifier, ``test_accuracy``. JSON has no NaN or infinity, so
non-finite numbers are written as ``null`` and the reason says so.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Iterable, Sequence

import numpy as np

from engine.scenario import Scenario, build_function_session, build_training_session

TRACE_FORMATS = ("json", "csv")
NON_FINITE_NOTE = "non-finite numbers are written as null"


class JsonNumbers:
    """Turns numbers into JSON numbers, writing non-finite ones as ``None`` and remembering it did."""

    def __init__(self) -> None:
        self.non_finite = False

    def __call__(self, value: float) -> float | None:
        v = float(value)
        if math.isfinite(v):
            return v
        self.non_finite = True
        return None

    def many(self, values: Iterable[float]) -> list[float | None]:
        return [self(v) for v in values]

    def reason(self, reason: str) -> str:
        """``reason`` with a note appended when a non-finite number was written as null."""
        if not self.non_finite:
            return reason
        return f"{reason} ({NON_FINITE_NOTE})" if reason else NON_FINITE_NOTE


def recorded_steps(n_steps: int, every: int) -> list[int]:
    """Steps 0..n_steps kept with ``every`` = K: every K-th step and the last."""
    keep = list(range(0, n_steps + 1, every))
    if keep[-1] != n_steps:
        keep.append(n_steps)
    return keep


def network_trace(scenario: Scenario, steps: int, every: int = 1) -> dict:
    """Train ``steps`` updates and return the trace: steps with loss, parameters, gradient; status, reason.

    Each recorded step holds the full-data loss R and gradient at the parameters after that
    many updates (for online and mini-batch training too, so steps compare like with like).
    """
    session = build_training_session(scenario)
    session.run(steps)
    return training_trace(session, every=every)


def training_trace(session, upto: int | None = None, every: int = 1) -> dict:
    """The trace of a training session's history up to update ``upto`` (default: all it holds);
    the window's File > Export > Trace writes this for the shown step."""
    end = session.n_updates if upto is None else min(int(upto), session.n_updates)
    names = session.param_names
    num = JsonNumbers()
    kept = []
    for k in recorded_steps(end, every):
        theta = session.parameters_at(k)
        loss, grad = session.kernel(theta, session.X, session.Y)
        step = {"step": k, "loss": num(loss), "parameters": dict(zip(names, num.many(theta))),
                "gradient": dict(zip(names, num.many(grad)))}
        held = session.held_out
        if held is not None:
            step["test_loss"] = num(held.loss_at(k))
            if session.loss.classifies:
                step["test_accuracy"] = held.accuracy_at(k)
        kept.append(step)
    state, reason = _status(session.status, end == session.n_updates)
    return {"steps": kept, "status": state, "reason": num.reason(reason)}


def function_trace(scenario: Scenario, steps: int, every: int = 1) -> dict:
    """Take ``steps`` iterations and return the trace: steps with x, value, gradient (and from step 1
    the step size taken, ``lr``, and any line-search ``trials``); status, reason."""
    session = build_function_session(scenario)
    session.step(steps)
    return descent_trace(session, every=every)


def descent_trace(session, upto: int | None = None, every: int = 1) -> dict:
    """The trace of a descent session's history up to iterate ``upto`` (default: all it holds)."""
    history = list(session.history)
    end = len(history) - 1 if upto is None else min(int(upto), len(history) - 1)
    num = JsonNumbers()
    kept = []
    for k in recorded_steps(end, every):
        it = history[k]
        step = {"step": k, "x": num.many(np.ravel(it.x)), "value": num(it.value),
                "gradient": num.many(np.ravel(it.gradient))}
        if it.step_size is not None:
            step["lr"] = num(it.step_size)
        if it.trials:
            step["trials"] = trial_dicts(it.step_size, it.trials, num)
        kept.append(step)
    state, reason = _status(session.status, end == len(history) - 1)
    return {"steps": kept, "status": state, "reason": num.reason(reason)}


def _status(status, at_end: bool) -> tuple[str, str]:
    """The run's status; a trace cut before the end of the history is still ``running``."""
    return (status.state, status.reason) if at_end else ("running", "")


def trial_dicts(step_size: float, trials: Sequence, num: JsonNumbers) -> list[dict]:
    """The line search's trials as ``{"lr", "value", "accepted"}`` dicts: each trial's step size is
    the accepted ``step_size`` scaled by its fraction t of the proposed step (the last is accepted)."""
    full = step_size / trials[-1].t
    return [{"lr": num(step_size if tr.accepted else full * tr.t), "value": num(tr.value),
             "accepted": bool(tr.accepted)} for tr in trials]


def scenario_trace(scenario: Scenario, steps: int, every: int = 1) -> dict:
    """The trace of a network or a function scenario (:func:`network_trace`, :func:`function_trace`)."""
    if scenario.kind == "network":
        return network_trace(scenario, steps, every)
    return function_trace(scenario, steps, every)


def trace_variables(kind: str) -> tuple[str, ...]:
    """Names of a function trace's ``x`` entries for the CSV header; none for networks."""
    if kind == "network":
        return ()
    return ("x",) if kind == "function1d" else ("x1", "x2")


def trace_json(trace: dict) -> str:
    """The trace as indented JSON text ending in a newline (no NaN: those are already null)."""
    return json.dumps(trace, indent=2, allow_nan=False) + "\n"


def trace_csv(trace: dict, kind: str, variables: Sequence[str]) -> str:
    """One row per recorded step: step, loss/value, parameters or x, then their gradient columns."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    if kind == "network":
        names = list(trace["steps"][0]["parameters"]) if trace["steps"] else []
        extra = [key for key in ("test_loss", "test_accuracy") if trace["steps"] and key in trace["steps"][0]]
        writer.writerow(["step", "loss"] + names + [f"grad {n}" for n in names] + extra)
        for s in trace["steps"]:
            writer.writerow([s["step"], _cell(s["loss"])] + [_cell(s["parameters"][n]) for n in names]
                            + [_cell(s["gradient"][n]) for n in names] + [_cell(s[key]) for key in extra])
    else:
        writer.writerow(["step", "value"] + list(variables) + [f"grad {v}" for v in variables])
        for s in trace["steps"]:
            writer.writerow([s["step"], _cell(s["value"])] + [_cell(v) for v in s["x"]]
                            + [_cell(v) for v in s["gradient"]])
    return buf.getvalue()


def format_trace(trace: dict, kind: str, fmt: str) -> str:
    """The trace as ``"json"`` or ``"csv"`` text; ``kind`` is the scenario's kind."""
    if fmt == "json":
        return trace_json(trace)
    if fmt == "csv":
        return trace_csv(trace, kind, trace_variables(kind))
    raise ValueError(f"trace format must be one of {', '.join(TRACE_FORMATS)}, got {fmt!r}")


def _cell(value: float | None) -> str:
    """A CSV cell: the shortest text that reads back as the same float, empty for null."""
    return "" if value is None else repr(value)


__all__ = ["TRACE_FORMATS", "JsonNumbers", "recorded_steps", "network_trace", "function_trace",
           "scenario_trace", "trial_dicts", "trace_variables", "trace_json", "trace_csv", "format_trace"]
