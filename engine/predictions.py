"""Predict, then reveal: the values the next step will compute, for a student to predict.

On the network, the next phase's values: a forward phase computes z and a of one layer for one
observation, the loss phase the residual e and the observation's share R_i, a backward phase the
deltas of one layer, the update (plain gradient descent) the new parameters. On the 1-D tab, the
next iterate x_{i+1}. Each prediction is graded by ``engine.grading`` against the engine's value,
with the slip named where it matches one ("you used sigmoid(z) = 0.4750 where sigmoid'(z) ...").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.exercises import Exercise, Question, exercise_for
from engine.grading import Verdict, agrees, grade, read_number
from engine.notation import Derivative, Symbol
from engine.numbers import format_number

#: At most this many values a phase are offered (a wide layer lists its first nodes).
MAX_VALUES = 8


@dataclass(frozen=True)
class NextValues:
    """What the next step computes: ``heading`` (the phase), its ``questions`` and the
    ``exercise`` they are graded in (the network at the cursor on the update's batch)."""

    heading: str
    questions: tuple[Question, ...]
    exercise: Exercise | None


def network_next_values(session) -> NextValues | None:
    """The next phase's values of a ``TrainingSession``, or None at the end of the run."""
    phase = session.next_phase
    if phase is None:
        return None
    partial = session.partial()
    rec = partial.record
    net = session.network_at()
    spec = session.spec
    lr = float(getattr(spec, "lr", 0.0))
    inputs = np.asarray(rec.a[0])
    exercise = exercise_for(net, inputs, np.asarray(rec.targets), session.loss.name, lr)
    questions: list[Question] = []
    if phase.kind == "update":
        if spec.name != "gd":
            return NextValues(f"{phase.text} (predictions are offered for plain gradient descent)", (), None)
        names = net.param_names()
        theta, grad = net.theta(), partial.gradient
        for i, name in enumerate(names[:MAX_VALUES]):
            ref = net.param_ref(name)
            questions.append(Question(f"{name} after one step", "update",
                                      (Symbol.parameter(ref), " after the update"), float(theta[i] - lr * grad[i])))
        return NextValues(phase.text, tuple(questions), exercise)
    i = int(np.flatnonzero(np.asarray(rec.rows) == phase.observation)[0])
    obs = i + 1
    L = net.depth
    if phase.kind == "forward":
        l = phase.layer
        for j in range(1, min(net.sizes[l], MAX_VALUES) + 1):
            questions.append(Question(f"z({l})_{j}", "z", (Symbol("z", l, (j,)),), float(rec.z[l][i, j - 1]), obs))
            questions.append(Question(f"a({l})_{j}", "a" if l < L else "output", (Symbol("a", l, (j,)),),
                                      float(rec.a[l][i, j - 1]), obs))
    elif phase.kind == "loss":
        for j in range(1, min(net.sizes[L], MAX_VALUES) + 1):
            questions.append(Question(f"e_{j}", "residual", (Symbol("e", None, (j,)), " = y - a"),
                                      float(rec.residual[i, j - 1]), obs))
        questions.append(Question(f"R_{obs}", "loss_share", (Symbol("R", None, (obs,)),),
                                  float(rec.per_obs_loss[i]), obs))
    else:  # backward: the deltas of one layer
        l = phase.layer
        for j in range(1, min(net.sizes[l], MAX_VALUES) + 1):
            questions.append(Question(f"delta({l})_{j}", "delta",
                                      (Symbol("delta", l, (j,)), " = ", Derivative(Symbol("R", None, (obs,)),
                                                                                Symbol("z", l, (j,)))),
                                      float(rec.delta[l][i, j - 1]), obs))
    return NextValues(phase.text, tuple(questions), exercise)


def grade_prediction(text: str, question: Question, exercise: Exercise | None) -> Verdict:
    """The verdict on a typed prediction (3 significant figures; the slip named where one fits)."""
    if exercise is not None and question.kind != "loss_share":
        return grade(text, question, exercise)
    typed = read_number(text)
    if typed is None:
        return Verdict("unreadable", "Type a number, e.g. -0.851 or 2.5e-3.", question.answer)
    if agrees(typed, question.answer):
        return Verdict("right", f"Right: {format_number(question.answer)}.", question.answer)
    return Verdict("wrong", "Not this one: work it through again step by step.", question.answer)


def descent_next_value(session) -> NextValues | None:
    """The next iterate x_{i+1} of a 1-D ``DescentSession``, or None when the run is over. It is
    the iterate Step will show: computed ahead and kept in the history, the cursor left in place."""
    if session.status.finished or session.objective.dim != 1:
        return None
    k = session.cursor
    current = session.current
    after = session.jump(k + 1)
    session.jump(k)
    if after.index == current.index:
        return None
    x = float(np.ravel(current.x)[0])
    q = Question(f"x_{k + 1}", "next_x", (Symbol("x", None, (k + 1,)),), float(np.ravel(after.x)[0]))
    return NextValues(f"Iteration {k + 1} from x_{k} = {format_number(x)}", (q,), None)


def grade_next_x(text: str, question: Question, x: float, slope: float, lr: float) -> Verdict:
    """A predicted next iterate, with the slips of a gradient step named: uphill (x + s f'(x)) and
    no step size (x - f'(x))."""
    verdict = grade_prediction(text, question, None)
    typed = read_number(text)
    if verdict.outcome != "wrong" or typed is None:
        return verdict
    slips = ((x + lr * slope, f"that is x + s·f'(x), uphill; a descent step is x − s·f'(x) with "
                              f"f'(x) = {format_number(slope)}."),
             (x - slope, f"that is x − f'(x), without the step size s = {format_number(lr)}."))
    for value, words in slips:
        if agrees(typed, value):
            return Verdict("wrong", f"Not quite: {words}", question.answer)
    return verdict
