"""A training session's data: the arrays checked, and a seeded train/test split with its held-out part.

:func:`session_arrays` checks the observations a session trains on. :func:`split_rows` draws a
held-out test part: ``round(test_fraction * n)`` observations picked by a permutation drawn from
``split_seed`` (``np.random.default_rng``), the rest for training; both lists keep the data set's
order. The split is not stratified: each class's share of the test part is left to the draw (iris
with a fraction 0.2 and seed 0 gets 30 test flowers, not necessarily 10 of each species).
:class:`HeldOut` evaluates the parameters after any update on the test part, lazily and cached,
so a curve drawn every ``stride`` updates costs one forward pass per point drawn.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from engine.arrays import readonly
from engine.backprop import GradientKernel, _as_inputs, _forward
from engine.classify import confusion_from_labels, n_classes_of
from engine.losses import Loss, class_labels, prepare_targets
from engine.network import Network
from engine.training_mode import TrainingError

#: Cached test losses kept before the cache starts again (a point costs one forward pass to recompute).
CACHE_LIMIT = 200_000


def session_arrays(network: Network, loss: Loss, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``X (n, inputs)``, ``Y (n, n_out)`` as read-only float64, targets prepared for ``loss``;
    TrainingError for mismatched rows, no rows or non-finite inputs."""
    X = readonly(_as_inputs(network, X))
    Y = readonly(prepare_targets(loss, Y, network.n_outputs))
    if Y.shape[0] != X.shape[0]:
        raise TrainingError(f"got {X.shape[0]} input rows but {Y.shape[0]} target rows")
    if X.shape[0] == 0:
        raise TrainingError("the data set has no observations")
    if not np.all(np.isfinite(X)):
        raise TrainingError("inputs must be finite numbers (found NaN or infinity)")
    return X, Y


def check_test_fraction(value: float) -> float:
    """``value`` as a float with 0 <= value < 1 (TrainingError otherwise)."""
    value = float(value)
    if not (math.isfinite(value) and 0.0 <= value < 1.0):
        raise TrainingError(f"test fraction must be a number from 0 up to (not including) 1, got {value}")
    return value


@dataclass(frozen=True, eq=False)
class Split:
    """Which observations (0-based rows of the whole data set) train and which are held out."""

    train_rows: np.ndarray
    test_rows: np.ndarray
    test_fraction: float
    split_seed: int

    @property
    def n_test(self) -> int:
        return int(self.test_rows.size)


def split_rows(n: int, test_fraction: float, split_seed: int = 0) -> Split:
    """The rows of a data set of ``n`` observations split by ``test_fraction`` and ``split_seed``.

    ``round(test_fraction * n)`` rows are held out (none for 0); a fraction that would leave no
    test or no training observation is a TrainingError naming the counts.
    """
    fraction = check_test_fraction(test_fraction)
    if isinstance(split_seed, bool) or not isinstance(split_seed, (int, np.integer)) or split_seed < 0:
        raise TrainingError(f"split seed must be a whole number >= 0, got {split_seed!r}")
    n_test = int(round(fraction * n))
    if fraction > 0 and not 1 <= n_test <= n - 1:
        raise TrainingError(f"a test fraction of {fraction:g} of {n} observations holds out {n_test}; "
                            "both the training and the test part need at least one observation")
    perm = np.random.default_rng(int(split_seed)).permutation(n)
    test, train = np.sort(perm[:n_test]), np.sort(perm[n_test:])
    return Split(readonly(train).astype(np.int64), readonly(test).astype(np.int64), fraction, int(split_seed))


def split_session_data(kernel: GradientKernel, X: np.ndarray, Y: np.ndarray, test_fraction: float,
                       split_seed: int, theta_at: Callable[[int], np.ndarray], count: Callable[[], int],
                       history: Callable | None = None) -> tuple[Split, np.ndarray, np.ndarray, HeldOut | None]:
    """``(split, X_train, Y_train, held_out)`` of a session's checked arrays ``X``, ``Y``: all of them
    and no held-out part when ``test_fraction`` is 0 (``theta_at``, ``count``: see :class:`HeldOut`)."""
    split = split_rows(X.shape[0], test_fraction, split_seed)
    test = split.test_rows
    if not test.size:
        return split, X, Y, None
    train = split.train_rows
    held = HeldOut(kernel, readonly(X[test]), readonly(Y[test]), test, theta_at, count, history)
    return split, readonly(X[train]), readonly(Y[train]), held


def history_readers(session_ref: Callable) -> tuple[Callable[[int], np.ndarray], Callable[[], int], Callable]:
    """``(theta_at, count, history)`` for :class:`HeldOut`, reading the history of the session a weak
    reference points to (so the session and its held-out part form no reference cycle)."""
    return ((lambda k: session_ref()._hist.theta(k)), (lambda: session_ref()._hist.count),
            (lambda: session_ref()._hist))


def carried_options(session) -> dict:
    """The keyword arguments a ``TrainingSession`` rebuilt from ``session`` (a new network, data or
    loss) passes on so that nothing set in the scenario is lost: ``weight_decay``, ``test_fraction``
    and ``split_seed``; the same names are the scenario's fields (``Scenario(**carried_options(s))``)."""
    return {"weight_decay": session.weight_decay, "test_fraction": session.split.test_fraction,
            "split_seed": session.split.split_seed}


class HeldOut:
    """The held-out observations ``X (n_test, inputs)``, ``Y (n_test, n_out)`` of a session, judged at
    the parameters after update k: the loss over them (the loss function alone, without a weight-decay
    term: that term is not about data) and, for a classifier, accuracy and confusion matrix.

    ``theta_at(k)`` gives the parameters after k updates; ``count()`` the updates stored plus one;
    ``history()`` the session's ``TrainingHistory``. Values are cached by update; those of updates
    whose parameters the history has replaced since (an edit, a new run from an earlier update) are
    dropped (``first_change_since``), so rewinding and changing history stays right without
    reading the parameters of every cached update again. Without ``history`` the cache is keyed by
    the parameters themselves.
    """

    def __init__(self, kernel: GradientKernel, X: np.ndarray, Y: np.ndarray, rows: np.ndarray,
                 theta_at: Callable[[int], np.ndarray], count: Callable[[], int],
                 history: Callable | None = None) -> None:
        self.kernel = GradientKernel(kernel.network, kernel.loss)  # no decay term: data only
        self.X, self.Y, self.rows = X, Y, rows
        self._theta_at, self._count, self._history = theta_at, count, history
        self._revision: int | None = None
        self._judgements: dict[object, tuple[float, float]] = {}
        self._labels = class_labels(Y) if self.kernel.loss.classifies else None

    @property
    def n_obs(self) -> int:
        return int(self.X.shape[0])

    def _judged(self, k: int) -> tuple[float, float]:
        """(loss, accuracy or NaN) after ``k`` updates, from one forward pass, cached."""
        key = self._key(k)
        value = self._judgements.get(key)
        if value is None:
            if len(self._judgements) >= CACHE_LIMIT:
                self._judgements.clear()
            out = self.outputs_at(k)
            loss = float(np.add.reduce(self.kernel.loss.per_obs(out, self.Y)))
            acc = float(np.mean(class_labels(out) == self._labels)) if self._labels is not None else math.nan
            value = self._judgements[key] = (loss, acc)
        return value

    def _key(self, k: int) -> object:
        """The cache key of update ``k``, after dropping what the history has changed since."""
        if self._history is None:
            return (k, hash(self._theta_at(k).tobytes()))
        hist = self._history()
        if self._revision is not None and hist.revision != self._revision:
            first = hist.first_change_since(self._revision)
            if first is not None:
                self._judgements = {j: v for j, v in self._judgements.items() if j < first}
        self._revision = hist.revision
        return k

    def loss_at(self, k: int) -> float:
        """The loss over the held-out observations after ``k`` updates."""
        return self._judged(k)[0]

    def losses(self, stride: int = 1) -> np.ndarray:
        """Held-out loss after 0, stride, 2 stride, ... updates (as ``TrainingSession.losses``)."""
        return np.array([self._judged(k)[0] for k in range(0, self._count(), stride)])

    def accuracies(self, stride: int = 1) -> np.ndarray | None:
        """Held-out accuracy after 0, stride, 2 stride, ... updates; None unless the loss classifies."""
        if self._labels is None:
            return None
        return np.array([self._judged(k)[1] for k in range(0, self._count(), stride)])

    def outputs_at(self, k: int) -> np.ndarray:
        """Network outputs ``(n_test, n_out)`` on the held-out observations after ``k`` updates."""
        layout = self.kernel.layout
        with np.errstate(all="ignore"):
            return _forward(layout, layout.blocks(self._theta_at(k)), self.X)[1][-1]

    def accuracy_at(self, k: int) -> float | None:
        """Share of held-out observations classified right after ``k`` updates (None unless the
        loss classifies)."""
        return None if self._labels is None else self._judged(k)[1]

    def confusion_at(self, k: int) -> np.ndarray | None:
        """Counts ``(K, K)`` on the held-out part after ``k`` updates, row = true class (None unless
        the loss classifies)."""
        if self._labels is None:
            return None
        k_classes = n_classes_of(self.kernel.network)
        return confusion_from_labels(self._labels, class_labels(self.outputs_at(k)), k_classes)


__all__ = ["CACHE_LIMIT", "HeldOut", "Split", "carried_options", "check_test_fraction", "history_readers", "session_arrays", "split_rows",
           "split_session_data"]
