"""What an exported network script must rebuild, read once from the scenario through the engine's builders.

:func:`network_plan` gives the network with its weights (drawn from the seed when the file gives
none), the data as the engine trains on them (class indices already one-hot), the loss, the training
mode with its batch size and shuffle seed, the optimizer, the frozen parameters and the stopping
rules. The numpy and PyTorch writers (``code_export_numpy``, ``code_export_torch``) write the same
plan in their own words, and the pieces both write (data, weights, batch order) are here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from engine.code_export_parts import fill, literal, matrix_literal, row_literal
from engine.losses import Loss
from engine.network import Network
from engine.optimizers import OptimizerSpec
from engine.scenario import Scenario, build_training_session


@dataclass(frozen=True, eq=False)
class NetworkPlan:
    """A network scenario's facts for a script: ``network``, ``X (n, inputs)``, ``Y (n, outputs)``,
    ``loss``, ``mode`` with ``batch_size``, ``per_epoch`` and ``seed``, ``spec``, ``frozen``, ``tol``,
    ``bound`` and ``eager`` (the full-data loss is checked after every update, not per epoch)."""

    title: str
    network: Network
    X: np.ndarray
    Y: np.ndarray
    loss: Loss
    mode: str
    batch_size: int
    per_epoch: int
    seed: int
    spec: OptimizerSpec
    frozen: tuple[str, ...]
    tol: float
    bound: float
    eager: bool
    weight_decay: float = 0.0
    X_test: np.ndarray | None = None
    Y_test: np.ndarray | None = None

    @property
    def names(self) -> list[str]:
        return self.network.param_names()

    @property
    def shortcut(self) -> bool:
        """dR/dz(L) = a - y: the loss is on its own output activation (softmax, sigmoid)."""
        paired = self.loss.output_activation
        return paired is not None and self.network.layers[-1].activation == paired


def network_plan(scenario: Scenario) -> NetworkPlan:
    """The plan of a network scenario, built by the engine's own builders (so the data, weights
    and batch order are the ones ``run`` trains with)."""
    session = build_training_session(scenario)
    held = session.held_out
    return NetworkPlan(scenario.title, session.network, np.array(session.X), np.array(session.Y),
                       session.loss, session.mode, session.batch_size, session.batches_per_epoch,
                       session.seed, session.spec, tuple(sorted(session.frozen, key=session.param_names.index)),
                       session.tol, session.divergence_bound, session._updater.eager_loss, session.weight_decay,
                       None if held is None else np.array(held.X), None if held is None else np.array(held.Y))


_DATA = '''# ---- the data: one observation a row ----------------------------------------------------
X = $array($X)  # inputs x, shape ($n, $d)
Y = $array($Y)  # targets y, shape ($n, $k)$onehot
N_OBS = $n
'''


_TEST_DATA = '''# the held-out observations (the scenario's test_fraction): never trained on, judged in the trace
X_TEST = $array($X)
Y_TEST = $array($Y)  # $n observations
'''


def data_code(plan: NetworkPlan, array: str = "np.array") -> str:
    """X and Y written out in full, every number repr-exact; ``array`` makes them arrays."""
    onehot = ("\n# (the class indices of the scenario as one-hot rows: y_ik = 1 for class k)"
              if plan.loss.class_indices and plan.Y.shape[1] > 1 else "")
    code = fill(_DATA, array=array, X=matrix_literal(plan.X, 4), Y=matrix_literal(plan.Y, 4), n=plan.X.shape[0],
                d=plan.X.shape[1], k=plan.Y.shape[1], onehot=onehot)
    if plan.X_test is None:
        return code
    return code + fill(_TEST_DATA, array=array, X=matrix_literal(plan.X_test, 4), Y=matrix_literal(plan.Y_test, 4),
                       n=plan.X_test.shape[0])


def weights_code(plan: NetworkPlan, array: str) -> str:
    """``W1 = array([...])`` and ``b1 = array([...])`` per layer, with the lecture's names beside
    small layers; ``array`` is ``np.array`` or ``torch.tensor``."""
    net = plan.network
    out = ["# ---- the network: the weights and biases it starts from -------------------------------",
           f"# sizes {' - '.join(map(str, net.sizes))}: {net.inputs} input(s), then "
           + ", ".join(f"layer {l} with {layer.units} {layer.activation} node(s)"
                       for l, layer in enumerate(net.layers, start=1)),
           "# row j of W<l> holds node j's incoming weights w(l)[j,1], w(l)[j,2], ...; b<l>[j-1] = b(l)[j]"]
    for l, layer in enumerate(net.layers, start=1):
        if layer.W.size <= 12:
            names = "; ".join(", ".join([f"w({l})[{j + 1},{k + 1}] = {literal(layer.W[j, k])}"
                                         for k in range(layer.W.shape[1])]
                                        + [f"b({l})[{j + 1}] = {literal(layer.b[j])}"])
                              for j in range(layer.units))
            out.append(f"# {names}")
        out.append(f"W{l} = {array}({matrix_literal(layer.W, 4)})")
        out.append(f"b{l} = {array}({row_literal(layer.b)})")
    return "\n".join(out) + "\n"


_BATCHES = {
    "full_batch": '''# ---- the training mode: full batch ---------------------------------------------------------
FULL_BATCH = True
PER_EPOCH = 1


def batch_rows(t):
    """Every update sums over all observations, then takes one step (the lecture's way)."""
    return np.arange(N_OBS)
''',
    "online": '''# ---- the training mode: online ---------------------------------------------------------------
FULL_BATCH = False
PER_EPOCH = N_OBS


def batch_rows(t):
    """Update t + 1 uses one observation, in data order: row t mod n."""
    return np.array([t % N_OBS])
''',
    "mini_batch": '''# ---- the training mode: mini-batches of $k ------------------------------------------------
FULL_BATCH = False
BATCH = $k
SEED = $seed
PER_EPOCH = -(-N_OBS // BATCH)  # batches an epoch (the last may be shorter)
_perms = {}


def batch_rows(t):
    """Update t + 1 uses batch b of epoch e (t = e PER_EPOCH + b): a slice of that epoch's shuffle
    of the rows, drawn from np.random.default_rng([SEED, e])."""
    epoch, b = divmod(t, PER_EPOCH)
    if epoch not in _perms:
        _perms[epoch] = np.random.default_rng([SEED, epoch]).permutation(N_OBS)
    return _perms[epoch][b * BATCH:(b + 1) * BATCH]
''',
}


def batch_code(plan: NetworkPlan) -> str:
    """``batch_rows(t)``: the rows of each update, in the engine's order (``engine.training_mode``)."""
    return fill(_BATCHES[plan.mode], k=plan.batch_size, seed=plan.seed)


__all__ = ["NetworkPlan", "batch_code", "data_code", "network_plan", "weights_code"]
