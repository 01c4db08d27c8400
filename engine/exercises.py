"""Practice exercises: seeded random small networks with questions a student answers by hand.

Each exercise is a network small enough to do on paper (2-3 inputs, one or two hidden layers of
1-3 nodes, sigmoid / tanh / relu / identity, sse or half_sse, 1-3 observations, every number with
one decimal), and questions in the order the lecture computes them: the forward values z and a of
observation 1, its output and residual e = y - a, the loss R over all observations, the deltas,
chosen entries of the gradient dR/dθ summed over the observations, and a parameter after one
gradient-descent step. Answers come from the engine's back propagation (``engine.backprop``); the
same seed always gives the same sheet. Sheets are rendered by ``engine.exercise_sheets``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.backprop import backward
from engine.network import Layer, Network
from engine.notation import Derivative, Inline, Symbol
from engine.pass_record import PassRecord
from engine.scenario_validation import parse_scenario

HIDDEN_ACTIVATIONS = ("sigmoid", "tanh", "relu", "identity")
LOSSES = ("sse", "half_sse")
LEARNING_RATES = (0.1, 0.2, 0.5, 0.05)
MAX_COUNT = 50


@dataclass(frozen=True)
class Question:
    """One question: ``key`` a stable id (``z(1)_2``, ``dR/dw(1)[1,1]``), ``kind`` what is asked
    (``z``, ``a``, ``output``, ``residual``, ``loss``, ``delta``, ``gradient``, ``update``),
    ``prompt`` in lecture notation, ``answer`` the engine's value, ``observation`` 1-based or None
    (a question about all observations)."""

    key: str
    kind: str
    prompt: Inline
    answer: float
    observation: int | None = None


@dataclass(frozen=True)
class Exercise:
    """One exercise: the network, its data, the loss and step size, the pass and the questions."""

    number: int
    seed: int
    network: Network
    inputs: np.ndarray
    targets: np.ndarray
    loss: str
    lr: float
    record: PassRecord
    questions: tuple[Question, ...]

    def scenario_dict(self) -> dict:
        """The exercise as a network scenario (SPEC section 5): explicit weights and data."""
        layers = [{"units": layer.units, "activation": layer.activation,
                   "weights": layer.W.tolist(), "biases": layer.b.tolist()} for layer in self.network.layers]
        return {"format": "stepwise-scenario", "version": 1, "kind": "network",
                "title": f"Practice exercise {self.number} (seed {self.seed})",
                "description": "A small network to work through by hand: forward pass, loss, "
                               "back propagation and one gradient-descent step.",
                "network": {"inputs": self.network.inputs, "layers": layers}, "frozen": [],
                "data": {"inputs": self.inputs.tolist(), "targets": self.targets.tolist()},
                "loss": self.loss, "training": "full_batch",
                "optimizer": {"name": "gd", "lr": self.lr}, "seed": self.seed}

    def answers(self) -> dict:
        """``loss``, the whole ``gradient`` by parameter name, the parameters after one step, and
        each question's answer by its key (SPEC section 6)."""
        names = self.network.param_names()
        theta = self.network.theta()
        gradient = self.record.gradient
        return {"loss": float(self.record.loss),
                "gradient": {n: float(g) for n, g in zip(names, gradient)},
                "updated": {n: float(t - self.lr * g) for n, t, g in zip(names, theta, gradient)},
                "questions": {q.key: q.answer for q in self.questions}}

    def to_json(self) -> dict:
        """The JSON form of ``python main.py exercise --format json``."""
        return {"scenario": self.scenario_dict(),
                "questions": [{"key": q.key, "kind": q.kind, "observation": q.observation,
                               "question": _plain(q.prompt)} for q in self.questions],
                "answers": self.answers()}


def _plain(prompt: Inline) -> str:
    from engine.notation import plain

    return plain(prompt)


def _decimals(rng: np.random.Generator, shape, low: int, high: int) -> np.ndarray:
    """Numbers with one decimal in [low/10, high/10], never 0 (a zero weight teaches nothing)."""
    values = rng.integers(low, high + 1, size=shape)
    values[values == 0] = 1
    return values / 10.0


def _draw(rng: np.random.Generator) -> tuple[Network, np.ndarray, np.ndarray, str, float]:
    n_in = int(rng.integers(2, 4))
    hidden = [int(rng.integers(1, 4)) for _ in range(int(rng.integers(1, 3)))]
    activation = str(rng.choice(HIDDEN_ACTIVATIONS))
    loss = str(rng.choice(LOSSES))
    n_obs = int(rng.integers(1, 4))
    sizes = [n_in, *hidden, 1]
    layers = tuple(Layer(sizes[l], activation if l < len(sizes) - 1 else "identity",
                         _decimals(rng, (sizes[l], sizes[l - 1]), -10, 10),
                         _decimals(rng, (sizes[l],), -5, 5))
                   for l in range(1, len(sizes)))
    inputs = _decimals(rng, (n_obs, n_in), -20, 20)
    targets = _decimals(rng, (n_obs, 1), -10, 20)
    return Network(n_in, layers), inputs, targets, loss, float(rng.choice(LEARNING_RATES))


#: A weighted input this close to 0 is 0 by hand (one-decimal numbers) but not in floating point.
KINK = 0.01


def _fair(record: PassRecord) -> bool:
    """A sheet is fair when every number is finite and no relu node sits at (or by rounding, near)
    its kink, where relu' is undefined and a hand calculation and the engine could disagree."""
    if not record.finite:
        return False
    acts = record.structure.activations
    return all(act != "relu" or not np.any(np.abs(z) < KINK) for act, z in zip(acts, record.z[1:]))


def make_exercise(seed: int, number: int = 1) -> Exercise:
    """Exercise ``number`` (1-based) of the sheet for ``seed``: the same pair always gives the same one."""
    rng = np.random.default_rng([int(seed), int(number)])
    while True:
        network, inputs, targets, loss, lr = _draw(rng)
        record = backward(network, inputs, targets, loss)
        if _fair(record):
            break
    return Exercise(number, int(seed), network, inputs, targets, loss, lr, record,
                    tuple(_questions(network, record, lr, rng)))


def exercise_for(network: Network, inputs: np.ndarray, targets: np.ndarray, loss: str, lr: float,
                 seed: int = 0, number: int = 1) -> Exercise:
    """An exercise on a given network and data (e.g. the lecture's), with the usual questions."""
    inputs = np.asarray(inputs, dtype=np.float64)
    targets = np.asarray(targets, dtype=np.float64).reshape(inputs.shape[0], -1)
    record = backward(network, inputs, targets, loss)
    rng = np.random.default_rng([int(seed), int(number)])
    return Exercise(number, int(seed), network, inputs, targets, loss, float(lr), record,
                    tuple(_questions(network, record, float(lr), rng)))


def make_sheet(seed: int, count: int = 1) -> list[Exercise]:
    """``count`` exercises for ``seed`` (1 to MAX_COUNT)."""
    if not 1 <= int(count) <= MAX_COUNT:
        raise ValueError(f"--count must be 1 to {MAX_COUNT}, got {count}")
    return [make_exercise(seed, n) for n in range(1, int(count) + 1)]


def _questions(net: Network, rec: PassRecord, lr: float, rng: np.random.Generator) -> list[Question]:
    L = net.depth
    obs = 1
    out: list[Question] = []

    def node(kind: str, layer: int, j: int, words: str, value: float) -> None:
        s = Symbol(kind, layer, (j,))
        out.append(Question(f"{kind}({layer})_{j}", kind if layer < L else "output",
                            (words + " ", s, f" for observation {obs}"), float(value), obs))

    for j in range(1, net.sizes[1] + 1):
        node("z", 1, j, "The weighted input", rec.z[1][0, j - 1])
        node("a", 1, j, "The activation", rec.a[1][0, j - 1])
    for l in range(2, L):
        for j in range(1, net.sizes[l] + 1):
            node("a", l, j, "The activation", rec.a[l][0, j - 1])
    node("a", L, 1, "The network's output", rec.a[L][0, 0])
    out.append(Question("e_1", "residual", ("The residual ", Symbol("e", None, (1,)), " = y - output",
                                            f" for observation {obs}"), float(rec.residual[0, 0]), obs))
    over = f"over all {rec.n_obs} observations" if rec.n_obs > 1 else "for the one observation"
    out.append(Question("R", "loss", ("The loss ", Symbol("R"), f" ({rec.loss_name}) {over}"),
                        float(rec.loss)))
    for l in (L, 1) if L > 1 else (L,):
        j = int(rng.integers(1, net.sizes[l] + 1))
        s = Symbol("delta", l, (j,))
        out.append(Question(f"delta({l})_{j}", "delta", ("The delta ", s, " = ",
                                                        Derivative(Symbol("R"), Symbol("z", l, (j,))),
                                                        f" for observation {obs}"),
                            float(rec.delta[l][0, j - 1]), obs))
    names = net.param_names()
    picks = [_pick(net, L, rng, "w"), f"b({L})[1]", _pick(net, 1, rng, "w")]
    for name in dict.fromkeys(picks):
        i = names.index(name)
        ref = net.param_ref(name)
        out.append(Question(f"dR/d{name}", "gradient",
                            ("The gradient entry ", Derivative(Symbol("R"), Symbol.parameter(ref)),
                             " summed over all observations"),
                            float(rec.gradient[i])))
    name = picks[-1]
    i = names.index(name)
    ref = net.param_ref(name)
    out.append(Question(f"{name} after one step", "update",
                        (Symbol.parameter(ref), f" after one gradient-descent step with lr = {lr:g}"),
                        float(net.theta()[i] - lr * rec.gradient[i])))
    return out


def _pick(net: Network, layer: int, rng: np.random.Generator, kind: str) -> str:
    j = int(rng.integers(1, net.sizes[layer] + 1))
    k = int(rng.integers(1, net.sizes[layer - 1] + 1))
    return f"{kind}({layer})[{j},{k}]"


def loadable(exercise: Exercise):
    """The exercise's scenario as the app loads it (a check that the JSON really is a scenario)."""
    return parse_scenario(exercise.scenario_dict())
