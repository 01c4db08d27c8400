"""Feed-forward networks with the lecture's parameter names and flat parameter vector.

``Network(inputs, layers)``: ``layers[l-1]`` is layer ``l`` (layer 0 = the inputs), a
:class:`Layer` with ``W`` of shape ``(units, units of layer l-1)`` and ``b`` ``(units,)``.
``w(l)[j,k]`` = ``layers[l-1].W[j-1, k-1]`` is the weight into node j of layer l from
node k of layer l-1; ``b(l)[j]`` = ``layers[l-1].b[j-1]`` (1-based, as in the lecture).

The flat vector ``theta()`` lists, layer by layer and node by node, each node's incoming
weights then its bias (SPEC section 2): w(1)[1,1], w(1)[1,2], b(1)[1], w(1)[2,1], ...
So layer l's block is ``hstack([W, b[:, None]]).ravel()`` of length units * (prev + 1).

Networks are immutable; every editor (``with_param``, ``with_node_added``,
``with_hidden_layers`` ...) returns a new network, so a session's history is never changed
behind its back. ``split_params(vector)`` gives any theta-ordered vector (the parameters, a
gradient) as per-layer ``W`` and ``b`` views.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from engine.activations import ACTIVATION_NAMES, HIDDEN_ACTIVATION_NAMES, get_activation
from engine.arrays import readonly


class NetworkError(ValueError):
    """A network is malformed, an edit is not allowed, or a parameter name is unknown."""


def _readonly(a: np.ndarray, shape: tuple[int, ...], what: str) -> np.ndarray:
    arr = readonly(a)
    if arr.shape != shape:
        got = "x".join(map(str, arr.shape)) or "a scalar"
        raise NetworkError(f"{what}: expected {'x'.join(map(str, shape))}, got {got}")
    if not np.all(np.isfinite(arr)):
        raise NetworkError(f"{what}: every value must be a finite number")
    return arr


@dataclass(frozen=True, eq=False)
class Layer:
    """One layer: ``units`` nodes with ``activation``, ``W (units, prev)`` and ``b (units,)``."""

    units: int
    activation: str
    W: np.ndarray
    b: np.ndarray

    def __post_init__(self) -> None:
        if not isinstance(self.units, (int, np.integer)) or self.units < 1:
            raise NetworkError(f"a layer needs at least 1 node, got {self.units!r}")
        get_activation(self.activation)
        w = np.asarray(self.W, dtype=np.float64)
        if w.ndim != 2:
            raise NetworkError(f"weights: expected a {self.units}x(previous nodes) matrix, "
                               f"got shape {w.shape}")
        object.__setattr__(self, "units", int(self.units))
        object.__setattr__(self, "W", _readonly(w, (self.units, w.shape[1]), "weights"))
        object.__setattr__(self, "b", _readonly(self.b, (self.units,), "biases"))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Layer):
            return NotImplemented
        return (self.units == other.units and self.activation == other.activation
                and np.array_equal(self.W, other.W) and np.array_equal(self.b, other.b))

    __hash__ = None  # type: ignore[assignment]


_W_NAME = re.compile(r"^\s*w\s*\(\s*(\d+)\s*\)\s*\[\s*(\d+)\s*,\s*(\d+)\s*\]\s*$")
_B_NAME = re.compile(r"^\s*b\s*\(\s*(\d+)\s*\)\s*\[\s*(\d+)\s*\]\s*$")


@dataclass(frozen=True)
class ParamRef:
    """A parsed parameter name: ``kind`` 'w' or 'b', 1-based ``layer``, ``j``, ``k`` (0 for b)."""

    kind: str
    layer: int
    j: int
    k: int = 0

    @property
    def name(self) -> str:
        if self.kind == "w":
            return f"w({self.layer})[{self.j},{self.k}]"
        return f"b({self.layer})[{self.j}]"


def parse_param_name(name: str) -> ParamRef:
    """Parse ``"w(2)[1,2]"`` or ``"b(1)[2]"`` (1-based) without checking a network."""
    if isinstance(name, str):
        m = _W_NAME.match(name)
        if m:
            return ParamRef("w", int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _B_NAME.match(name)
        if m:
            return ParamRef("b", int(m.group(1)), int(m.group(2)))
    raise NetworkError(f"cannot read parameter name {name!r}; names look like w(l)[j,k] "
                       "(weight into node j of layer l from node k of layer l-1) or b(l)[j]")


@dataclass(frozen=True, eq=False)
class Network:
    """A feed-forward network: ``inputs`` input nodes, then ``layers`` (the last is the output)."""

    inputs: int
    layers: tuple[Layer, ...]

    def __post_init__(self) -> None:
        if not isinstance(self.inputs, (int, np.integer)) or self.inputs < 1:
            raise NetworkError(f"a network needs at least 1 input, got {self.inputs!r}")
        layers = tuple(self.layers)
        if not layers:
            raise NetworkError("a network needs at least one layer (the output layer)")
        prev = int(self.inputs)
        for l, layer in enumerate(layers, start=1):
            if not isinstance(layer, Layer):
                raise NetworkError(f"layers[{l - 1}] is not a Layer")
            if layer.W.shape[1] != prev:
                raise NetworkError(f"network.layers[{l - 1}].weights: expected "
                                   f"{layer.units}x{prev}, got {layer.units}x{layer.W.shape[1]}")
            if layer.activation not in HIDDEN_ACTIVATION_NAMES and l != len(layers):
                raise NetworkError(f"{layer.activation} is for the output layer only; layer {l} is hidden")
            prev = layer.units
        object.__setattr__(self, "inputs", int(self.inputs))
        object.__setattr__(self, "layers", layers)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Network):
            return NotImplemented
        return self.inputs == other.inputs and self.layers == other.layers

    __hash__ = None  # type: ignore[assignment]

    # ----- shape -----
    @property
    def depth(self) -> int:
        """Number of layers L (hidden layers + the output layer)."""
        return len(self.layers)

    @property
    def sizes(self) -> tuple[int, ...]:
        """Nodes per layer, inputs first: ``(inputs, n_1, ..., n_L)``."""
        return (self.inputs,) + tuple(layer.units for layer in self.layers)

    @property
    def activations(self) -> tuple[str, ...]:
        return tuple(layer.activation for layer in self.layers)

    @property
    def n_outputs(self) -> int:
        return self.layers[-1].units

    @property
    def n_params(self) -> int:
        sizes = self.sizes
        return sum(sizes[l] * (sizes[l - 1] + 1) for l in range(1, len(sizes)))

    def layer_offsets(self) -> tuple[int, ...]:
        """Start of each layer's block in theta, plus the end: length L + 1."""
        sizes = self.sizes
        offs = [0]
        for l in range(1, len(sizes)):
            offs.append(offs[-1] + sizes[l] * (sizes[l - 1] + 1))
        return tuple(offs)

    # ----- names -----
    def param_names(self) -> list[str]:
        """Lecture names in theta order: per layer, per node, its weights then its bias."""
        names = []
        sizes = self.sizes
        for l in range(1, len(sizes)):
            for j in range(1, sizes[l] + 1):
                names.extend(f"w({l})[{j},{k}]" for k in range(1, sizes[l - 1] + 1))
                names.append(f"b({l})[{j}]")
        return names

    def param_ref(self, name: str) -> ParamRef:
        """Parse ``name`` and check it exists in this network (message says what does)."""
        ref = parse_param_name(name)
        L = self.depth
        if not 1 <= ref.layer <= L:
            raise NetworkError(f"no parameter {name!r}: layers are numbered 1 to {L}")
        units = self.sizes[ref.layer]
        if not 1 <= ref.j <= units:
            raise NetworkError(f"no parameter {name!r}: layer {ref.layer} has nodes 1 to {units}")
        prev = self.sizes[ref.layer - 1]
        if ref.kind == "w" and not 1 <= ref.k <= prev:
            source = "inputs" if ref.layer == 1 else f"layer {ref.layer - 1} nodes"
            raise NetworkError(f"no parameter {name!r}: {source} are numbered 1 to {prev}")
        return ref

    def param_index(self, name: str) -> int:
        """Position of parameter ``name`` (e.g. ``"w(2)[1,2]"``) in ``theta()``."""
        ref = self.param_ref(name)
        prev = self.sizes[ref.layer - 1]
        base = self.layer_offsets()[ref.layer - 1] + (ref.j - 1) * (prev + 1)
        return base + (ref.k - 1 if ref.kind == "w" else prev)

    def param_ref_at(self, index: int) -> ParamRef:
        """The parameter at position ``index`` of ``theta()``."""
        if not 0 <= index < self.n_params:
            raise NetworkError(f"parameter index {index} out of range 0..{self.n_params - 1}")
        offs = self.layer_offsets()
        l = int(np.searchsorted(offs, index, side="right"))
        prev = self.sizes[l - 1]
        j, r = divmod(index - offs[l - 1], prev + 1)
        return ParamRef("b", l, j + 1) if r == prev else ParamRef("w", l, j + 1, r + 1)

    # ----- flat vector -----
    def theta(self) -> np.ndarray:
        """All parameters as a new float64 vector ``(n_params,)`` in ``param_names()`` order."""
        return np.concatenate([np.hstack([layer.W, layer.b[:, None]]).ravel()
                               for layer in self.layers])

    def split_params(self, vector: np.ndarray) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
        """Per-layer views of a theta-ordered ``vector (n_params,)`` (parameters or a gradient):
        ``(W_1, ..., W_L)`` with ``W_l (n_l, n_{l-1})`` and ``(b_1, ..., b_L)`` with ``b_l (n_l,)``."""
        vector = np.asarray(vector)
        if vector.shape != (self.n_params,):
            raise NetworkError(f"theta: expected {self.n_params} values, got shape {vector.shape}")
        offs = self.layer_offsets()
        sizes = self.sizes
        Ws, bs = [], []
        for l in range(1, len(sizes)):
            block = vector[offs[l - 1]:offs[l]].reshape(sizes[l], sizes[l - 1] + 1)
            Ws.append(block[:, :-1])
            bs.append(block[:, -1])
        return tuple(Ws), tuple(bs)

    def with_theta(self, theta: np.ndarray) -> "Network":
        """A copy with parameters taken from ``theta (n_params,)``."""
        Ws, bs = self.split_params(np.asarray(theta, dtype=np.float64))
        return Network(self.inputs, tuple(Layer(layer.units, layer.activation, W, b)
                                          for layer, W, b in zip(self.layers, Ws, bs)))

    def param(self, name: str) -> float:
        """Value of parameter ``name``."""
        ref = self.param_ref(name)
        layer = self.layers[ref.layer - 1]
        return float(layer.W[ref.j - 1, ref.k - 1] if ref.kind == "w" else layer.b[ref.j - 1])

    # ----- editors (each returns a new network) -----
    def with_param(self, name: str, value: float) -> "Network":
        """A copy with parameter ``name`` set to ``value`` (a finite number)."""
        value = float(value)
        if not np.isfinite(value):
            raise NetworkError(f"{name}: value must be a finite number, got {value}")
        theta = self.theta()
        theta[self.param_index(name)] = value
        return self.with_theta(theta)

    def with_activation(self, l: int, name: str) -> "Network":
        """A copy with layer ``l`` (1-based) using activation ``name``."""
        self._check_layer(l)
        layers = list(self.layers)
        old = layers[l - 1]
        layers[l - 1] = Layer(old.units, name, old.W, old.b)
        return Network(self.inputs, tuple(layers))

    def with_hidden_layer_added(self, index: int, units: int, activation: str = "sigmoid",
                                rng: np.random.Generator | None = None) -> "Network":
        """Insert a hidden layer so that it becomes layer ``index`` (1..L).

        Its weights and the next layer's (whose shape changes) are drawn Glorot-uniform
        from ``rng`` (default: seed 0); biases start at zero; other layers are kept.
        """
        L = self.depth
        if not 1 <= index <= L:
            raise NetworkError(f"a hidden layer can be inserted as layer 1 to {L}, got {index}")
        rng = np.random.default_rng(0) if rng is None else rng
        prev = self.sizes[index - 1]
        after = self.layers[index - 1]
        new = Layer(units, activation, _glorot(rng, units, prev), np.zeros(units))
        moved = Layer(after.units, after.activation, _glorot(rng, after.units, units), after.b)
        layers = self.layers[:index - 1] + (new, moved) + self.layers[index:]
        return Network(self.inputs, layers)

    def with_layer_removed(self, l: int, rng: np.random.Generator | None = None) -> "Network":
        """Remove hidden layer ``l`` (the output layer stays); the next layer's weights are redrawn."""
        L = self.depth
        if not 1 <= l < L:
            raise NetworkError(f"only hidden layers (1 to {L - 1}) can be removed, got {l}"
                               if L > 1 else "the network has no hidden layer to remove")
        rng = np.random.default_rng(0) if rng is None else rng
        prev = self.sizes[l - 1]
        nxt = self.layers[l]
        moved = Layer(nxt.units, nxt.activation, _glorot(rng, nxt.units, prev), nxt.b)
        return Network(self.inputs, self.layers[:l - 1] + (moved,) + self.layers[l + 1:])

    def with_node_added(self, l: int, rng: np.random.Generator | None = None) -> "Network":
        """Add a node at the end of layer ``l``: new incoming and outgoing weights are drawn
        uniformly within the Glorot limits from ``rng`` (default: seed 0); its bias is 0."""
        self._check_layer(l)
        rng = np.random.default_rng(0) if rng is None else rng
        layers = list(self.layers)
        old = layers[l - 1]
        prev = self.sizes[l - 1]
        row = _glorot(rng, old.units + 1, prev)[-1:]
        layers[l - 1] = Layer(old.units + 1, old.activation, np.vstack([old.W, row]),
                              np.append(old.b, 0.0))
        if l < self.depth:
            nxt = layers[l]
            col = _glorot(rng, nxt.units, old.units + 1)[:, -1:]
            layers[l] = Layer(nxt.units, nxt.activation, np.hstack([nxt.W, col]), nxt.b)
        return Network(self.inputs, tuple(layers))

    def with_node_removed(self, l: int, j: int) -> "Network":
        """Remove node ``j`` (1-based) of layer ``l`` with its weights in and out."""
        self._check_layer(l)
        old = self.layers[l - 1]
        if not 1 <= j <= old.units:
            raise NetworkError(f"layer {l} has nodes 1 to {old.units}, got {j}")
        if old.units == 1:
            raise NetworkError(f"layer {l} has only one node; remove the layer instead")
        layers = list(self.layers)
        layers[l - 1] = Layer(old.units - 1, old.activation, np.delete(old.W, j - 1, axis=0),
                              np.delete(old.b, j - 1))
        if l < self.depth:
            nxt = layers[l]
            layers[l] = Layer(nxt.units, nxt.activation, np.delete(nxt.W, j - 1, axis=1), nxt.b)
        return Network(self.inputs, tuple(layers))

    def with_inputs(self, inputs: int, rng: np.random.Generator | None = None) -> "Network":
        """A copy taking ``inputs`` inputs (layer 1's weights redrawn if the number changes)."""
        if inputs == self.inputs:
            return self
        rng = np.random.default_rng(0) if rng is None else rng
        first = self.layers[0]
        moved = Layer(first.units, first.activation, _glorot(rng, first.units, inputs), first.b)
        return Network(inputs, (moved,) + self.layers[1:])

    def with_hidden_layers(self, hidden: Sequence[tuple[int, str]],
                           rng: np.random.Generator | None = None) -> "Network":
        """A copy whose hidden layers are ``hidden``: ``(units, activation)`` per layer, in order.

        Edits at the end: hidden layers removed or inserted before the output layer, then in
        each layer nodes added or removed at the end and the activation set. Weights that keep
        their place are kept; new ones are drawn Glorot-uniform from ``rng`` (default: seed 0)
        by the single-step editors, in that order.
        """
        rng = np.random.default_rng(0) if rng is None else rng
        want = [(int(units), act) for units, act in hidden]
        net = self
        while net.depth - 1 > len(want):
            net = net.with_layer_removed(net.depth - 1, rng)
        while net.depth - 1 < len(want):
            units, act = want[net.depth - 1]
            net = net.with_hidden_layer_added(net.depth, units, act, rng)
        for l, (units, act) in enumerate(want, start=1):
            while net.sizes[l] < units:
                net = net.with_node_added(l, rng)
            while net.sizes[l] > units:
                net = net.with_node_removed(l, net.sizes[l])
            if net.layers[l - 1].activation != act:
                net = net.with_activation(l, act)
        return net

    def with_architecture(self, hidden: Sequence[tuple[int, str]], output_units: int,
                          output_activation: str, rng: np.random.Generator | None = None) -> "Network":
        """A copy with ``hidden`` layers (see :meth:`with_hidden_layers`) and an output layer of
        ``output_units`` nodes with ``output_activation``: redrawn when its size changes
        (:meth:`with_fresh_output_layer`), else kept. New weights come from ``rng``, in that order."""
        rng = np.random.default_rng(0) if rng is None else rng
        net = self.with_hidden_layers(hidden, rng)
        if net.n_outputs != output_units:
            net = net.with_fresh_output_layer(output_units, output_activation, rng)
        if net.layers[-1].activation != output_activation:
            net = net.with_activation(net.depth, output_activation)
        return net

    def with_fresh_output_layer(self, units: int, activation: str,
                                rng: np.random.Generator | None = None) -> "Network":
        """A copy whose output layer is new: ``units`` nodes with ``activation``, zero biases and the
        weights :func:`glorot` draws from ``rng`` (default: seed 0) for this architecture."""
        rng = np.random.default_rng(0) if rng is None else rng
        fresh = glorot(self.inputs, list(self.sizes[1:-1]) + [units],
                       list(self.activations[:-1]) + [activation], rng)
        return Network(self.inputs, self.layers[:-1] + (fresh.layers[-1],))

    def with_glorot_weights(self, rng: np.random.Generator) -> "Network":
        """The same architecture with every weight drawn afresh by :func:`glorot` from ``rng``
        and every bias 0."""
        return glorot(self.inputs, list(self.sizes[1:]), list(self.activations), rng)

    def _check_layer(self, l: int) -> None:
        if not 1 <= l <= self.depth:
            raise NetworkError(f"layers are numbered 1 to {self.depth}, got {l}")

    # ----- scenario form -----
    def to_dict(self) -> dict:
        """SPEC section 5's ``network`` object (weights[j][k] = w(l)[j+1,k+1])."""
        return {"inputs": self.inputs, "layers": [
            {"units": layer.units, "activation": layer.activation,
             "weights": layer.W.tolist(), "biases": layer.b.tolist()} for layer in self.layers]}


def _glorot(rng: np.random.Generator, fan_out: int, fan_in: int) -> np.ndarray:
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, size=(fan_out, fan_in))


def glorot(inputs: int, sizes: Sequence[int], activations: Sequence[str],
           rng: np.random.Generator) -> Network:
    """A network with Glorot-uniform weights U(-r, r), r = sqrt(6/(fan_in + fan_out)), zero biases.

    ``sizes``: nodes of layers 1..L; ``activations``: one name per layer.
    """
    if len(sizes) != len(activations):
        raise NetworkError(f"got {len(sizes)} layer sizes but {len(activations)} activations")
    for name in activations:
        if name not in ACTIVATION_NAMES:
            get_activation(name)
    layers = []
    prev = inputs
    for units, act in zip(sizes, activations):
        layers.append(Layer(int(units), act, _glorot(rng, int(units), prev), np.zeros(int(units))))
        prev = int(units)
    return Network(inputs, tuple(layers))


def lecture_network() -> Network:
    """The lecture's 2-2-1 network (SPEC section 2): sigmoid hidden layer, identity output."""
    return Network(2, (
        Layer(2, "sigmoid", np.array([[0.2, 0.4], [0.3, 0.5]]), np.array([0.1, 0.6])),
        Layer(1, "identity", np.array([[0.6, 0.2]]), np.array([0.4])),
    ))


#: The lecture's two observations: x = (3, -2), y = 1.2 and x = (-1, 1), y = 0.7.
LECTURE_INPUTS = readonly([[3.0, -2.0], [-1.0, 1.0]])
LECTURE_TARGETS = readonly([[1.2], [0.7]])

__all__ = ["Layer", "Network", "NetworkError", "ParamRef", "parse_param_name", "glorot",
           "lecture_network", "LECTURE_INPUTS", "LECTURE_TARGETS"]
