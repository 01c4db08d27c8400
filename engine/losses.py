"""Loss functions R(output, target), each defined together with its derivative dR/da.

Every loss gives ``per_obs(output, target) -> (n_obs,)`` with ``value = per_obs.sum()``
and ``grad(output, target) -> dR/da (n_obs, n_out)``, so a full-batch gradient is always
the sum of per-observation gradients. ``output`` and ``target`` are ``(n_obs, n_out)``
float64 arrays (use :func:`prepare_targets` to turn class indices into one-hot rows).

- ``sse``: R = sum_i sum_k (y_ik - a_ik)^2 (the lecture's), dR/da = -2 (y - a)
- ``half_sse``: R = 1/2 sum (y - a)^2, dR/da = -(y - a)
- ``mse``: R = 1/(n n_out) sum (y - a)^2 (mean over observations and outputs),
  dR/da = -2 (y - a) / (n n_out); each observation's share carries the 1/(n n_out)
- ``cross_entropy``: R = -sum_i sum_k y_ik log a_ik for a softmax output (one node per
  class); with softmax, dR/dz = a - y (back propagation uses this directly)
- ``binary_cross_entropy``: R = -sum [y log a + (1 - y) log(1 - a)] for a sigmoid output;
  with sigmoid, dR/dz = a - y. Outputs are clipped to [1e-15, 1 - 1e-15] inside logs.

Cross-entropies are sums over observations, like the lecture's R; only ``mse`` is a mean.
Each registry entry also holds the rules that depend on the loss (its output activation,
whether it classifies, its residual factor and whether it is a mean, from which the nudge
table's factor follows), so no other module lists loss names.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from engine.activations import ACTIVATIONS

_CLIP = 1e-15


class LossError(ValueError):
    """A loss name is unknown, the targets do not fit it, or the output activation does not."""


@dataclass(frozen=True)
class Loss:
    """A loss with its derivative and the rules that go with it.

    ``per_obs(output, target) -> (n_obs,)``; ``value`` = its sum; ``grad(output, target)``
    = dR/da ``(n_obs, n_out)``; ``per_obs_and_grad`` gives both at once (same numbers).
    ``output_activation``: the output activation the loss requires (None: any); with it
    dR/dz = a - y, which back propagation uses directly. ``classifies``: the targets are
    class labels (accuracy applies). ``class_indices``: one target column may hold class
    indices 0..K-1 for K output nodes (one-hot inside). ``residual_factor``: c in
    dR/da = -c (y - a) for the squared-error losses (2 for sse and mse, 1 for half_sse; None for
    the cross-entropies); ``mean``: R is divided by the size n n_out of the batch's outputs, so
    dR/da = -c (y - a)/(n n_out) and each observation's share depends on the batch (mse).
    """

    name: str
    per_obs: Callable[[np.ndarray, np.ndarray], np.ndarray]
    grad: Callable[[np.ndarray, np.ndarray], np.ndarray]
    output_activation: str | None = None
    classifies: bool = False
    class_indices: bool = False
    residual_factor: float | None = None
    mean: bool = False
    formula: str = ""
    derivative_formula: str = ""
    per_obs_and_grad: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]] | None = None

    def __post_init__(self) -> None:
        if self.per_obs_and_grad is None:
            object.__setattr__(self, "per_obs_and_grad",
                               lambda a, y: (self.per_obs(a, y), self.grad(a, y)))

    def value(self, output: np.ndarray, target: np.ndarray) -> float:
        """R summed over observations (``mse``: the mean, see module notes)."""
        return float(np.sum(self.per_obs(output, target)))

    def contribution_factor(self, n_obs: int, n_out: int) -> float | None:
        """c with -grad R = c * sum_i e_i * d output_i/d theta (the nudge-table identity, from
        dR/da = -c (y - a)); None for the cross-entropies, where it does not hold."""
        c = self.residual_factor
        if c is None:
            return None
        return c / (n_obs * n_out) if self.mean else c


def residual(output: np.ndarray, target: np.ndarray) -> np.ndarray:
    """e = y - output ``(n_obs, n_out)``: the lecture's residual (the nudge table's e)."""
    return np.subtract(target, output)


_sum_rows = np.add.reduce


def _sse_obs(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    e = y - a
    return _sum_rows(e * e, 1)


# value and derivative from one residual (the training hot path); same bits as the parts
def _sse_both(a: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    e = y - a
    return _sum_rows(e * e, 1), e * -2.0


def _half_sse_both(a: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    e = y - a
    return 0.5 * _sum_rows(e * e, 1), a - y


def _mse_both(a: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    e = y - a
    return _sum_rows(e * e, 1) / a.size, (-2.0 / a.size) * e


def _sse_grad(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (y - a) * -2.0


def _half_sse_obs(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 0.5 * _sse_obs(a, y)


def _half_sse_grad(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return a - y


def _mse_obs(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return _sse_obs(a, y) / a.size


def _mse_grad(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (-2.0 / a.size) * (y - a)


def _ce_obs(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore"):
        logs = np.log(np.clip(a, _CLIP, None))
    return -np.einsum("ij,ij->i", y, logs)


def _ce_grad(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -y / np.clip(a, _CLIP, None)


def _bce_obs(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    p = np.clip(a, _CLIP, 1.0 - _CLIP)
    return -np.sum(y * np.log(p) + (1.0 - y) * np.log1p(-p), axis=1)


def _bce_grad(a: np.ndarray, y: np.ndarray) -> np.ndarray:
    p = np.clip(a, _CLIP, 1.0 - _CLIP)
    return (p - y) / (p * (1.0 - p))


LOSSES: dict[str, Loss] = {
    loss.name: loss for loss in (
        Loss("sse", _sse_obs, _sse_grad, residual_factor=2.0,
             formula="R = sum (y - a)^2", derivative_formula="-2(y - a)",
             per_obs_and_grad=_sse_both),
        Loss("mse", _mse_obs, _mse_grad, residual_factor=2.0, mean=True,
             formula="R = 1/(n n_out) sum (y - a)^2", derivative_formula="-2(y - a)/(n n_out)",
             per_obs_and_grad=_mse_both),
        Loss("half_sse", _half_sse_obs, _half_sse_grad, residual_factor=1.0,
             formula="R = 1/2 sum (y - a)^2", derivative_formula="-(y - a)",
             per_obs_and_grad=_half_sse_both),
        Loss("cross_entropy", _ce_obs, _ce_grad, output_activation="softmax", classifies=True,
             class_indices=True, formula="R = -sum y log a", derivative_formula="-y/a"),
        Loss("binary_cross_entropy", _bce_obs, _bce_grad, output_activation="sigmoid",
             classifies=True, formula="R = -sum [y log a + (1 - y) log(1 - a)]",
             derivative_formula="(a - y)/(a(1 - a))"),
    )
}

LOSS_NAMES = tuple(LOSSES)


def get_loss(name: str) -> Loss:
    """The registered loss called ``name``; LossError lists the allowed names."""
    try:
        return LOSSES[name]
    except (KeyError, TypeError):
        raise LossError(f"unknown loss {name!r}; choose one of {', '.join(LOSS_NAMES)}") from None


def _as_loss(loss: Loss | str) -> Loss:
    return get_loss(loss) if isinstance(loss, str) else loss


def check_pairing(loss: Loss | str, output_activation: str) -> None:
    """Raise LossError unless the loss and the output layer's activation belong together.

    A loss with an ``output_activation`` needs that output (cross_entropy: softmax,
    binary_cross_entropy: sigmoid). A softmax output also needs its loss: its Jacobian is
    not elementwise and is handled only through dR/dz = a - y.
    """
    loss = _as_loss(loss)
    if loss.output_activation is not None and output_activation != loss.output_activation:
        raise LossError(f"loss {loss.name} needs a {loss.output_activation} output layer, "
                        f"got {output_activation}")
    act = ACTIVATIONS.get(output_activation)
    if act is not None and not act.elementwise and loss.output_activation != output_activation:
        names = " or ".join(n for n, other in LOSSES.items() if other.output_activation == output_activation)
        raise LossError(f"a {output_activation} output layer needs the {names} loss, got {loss.name}")


def paired_output_activation(loss: Loss | str, current: str) -> str:
    """The output activation to use on changing to ``loss`` from an output with ``current``.

    The loss's own when it requires one; otherwise ``current``, unless that is softmax
    (which needs its own loss), in which case identity.
    """
    loss = _as_loss(loss)
    if loss.output_activation is not None:
        return loss.output_activation
    act = ACTIVATIONS.get(current)
    return "identity" if act is not None and not act.elementwise else current


def output_units(loss: Loss | str, targets: np.ndarray) -> int:
    """Output nodes ``loss`` needs for ``targets (n_obs, n_targets)``.

    One per class for class indices in one column (a ``class_indices`` loss), one for a
    classifying loss without class indices (binary_cross_entropy: one sigmoid node, the
    probability of class 1), else one per target column.
    """
    loss = _as_loss(loss)
    y = np.asarray(targets)
    n_targets = 1 if y.ndim == 1 else y.shape[1]
    if loss.class_indices and n_targets == 1:
        return int(np.max(y)) + 1
    if loss.classifies and not loss.class_indices:
        return 1
    return n_targets


def class_labels(values: np.ndarray) -> np.ndarray:
    """Class of each row of ``values (n_obs, n_out)``: the largest entry's column for several
    columns, 1 where the one column is >= 0.5 (else 0); ``(n_obs,)`` ints."""
    values = np.asarray(values)
    if values.shape[1] == 1:
        return (values[:, 0] >= 0.5).astype(int)
    return np.argmax(values, axis=1)


def class_probabilities(output: np.ndarray) -> np.ndarray:
    """Per-class probabilities ``(n_obs, K)`` of a classifier's ``output (n_obs, n_out)``:
    a single sigmoid column p becomes the two columns (1 - p, p)."""
    output = np.asarray(output)
    if output.shape[1] == 1:
        return np.column_stack([1.0 - output[:, 0], output[:, 0]])
    return output


def accuracy(output: np.ndarray, target: np.ndarray) -> float:
    """Share of observations whose predicted class (:func:`class_labels` of ``output``) is the
    labelled one (of ``target``); both ``(n_obs, n_out)``, targets prepared (one-hot rows)."""
    return float(np.mean(class_labels(output) == class_labels(target)))


def prepare_targets(loss: Loss | str, targets: np.ndarray, n_out: int) -> np.ndarray:
    """Targets as a float64 ``(n_obs, n_out)`` array for ``loss``.

    ``targets``: ``(n_obs, n_out)``; or ``(n_obs,)`` when ``n_out == 1``; for a
    ``class_indices`` loss (cross_entropy) also class indices 0..n_out-1 as ``(n_obs,)`` or ``(n_obs, 1)`` ints
    (turned into one-hot rows).
    """
    loss = _as_loss(loss)
    y = np.asarray(targets)
    if y.ndim == 0 or y.ndim > 2:
        raise LossError(f"targets must be a 1-D or 2-D array, got shape {y.shape}")
    if loss.class_indices and (y.ndim == 1 or y.shape[1] == 1) and n_out > 1:
        classes = y.reshape(-1)
        as_float = classes.astype(np.float64)
        if not np.all(np.isfinite(as_float)) or np.any(as_float != np.round(as_float)):
            raise LossError(f"{loss.name} targets given as one column must be class indices "
                            f"0..{n_out - 1}")
        idx = as_float.astype(np.int64)
        bad = (idx < 0) | (idx >= n_out)
        if np.any(bad):
            raise LossError(f"class index {idx[bad][0]} out of range: the output layer has "
                            f"{n_out} nodes, so classes are 0..{n_out - 1}")
        return np.eye(n_out)[idx]
    y = y.astype(np.float64)
    if y.ndim == 1:
        if n_out != 1:
            raise LossError(f"targets: expected {n_out} columns (one per output node), got 1")
        y = y.reshape(-1, 1)
    if y.shape[1] != n_out:
        raise LossError(f"targets: expected {n_out} columns (one per output node), "
                        f"got {y.shape[1]}")
    if not np.all(np.isfinite(y)):
        raise LossError("targets must be finite numbers")
    return y


__all__ = ["Loss", "LossError", "LOSSES", "LOSS_NAMES", "accuracy", "check_pairing",
           "class_labels", "class_probabilities", "get_loss", "output_units",
           "paired_output_activation", "prepare_targets", "residual"]
